#pragma once
// Start-up configuration: command-line flags, OSSD_* environment variables and
// an optional TOML/INI file (--config), parsed once by CLI11 into an immutable
// struct (DESIGN rule 10). Precedence: flag > config file > environment > default.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "http/server.hpp"
#include "image/processor.hpp"
#include "meta/pg_store.hpp"

namespace ossd::server {

struct ServerConfig {
  std::string address = "127.0.0.1:9000";  // host:port, [v6]:port or localhost:port
  std::filesystem::path data_dir = "./data";
  // Metadata store spec (server/backends.hpp): "sqlite", postgres://... or
  // pg:<libpq settings>. Holds a password: print it only redacted.
  std::string meta = "sqlite";
  // Blob store spec (server/blob_backend.hpp): "fs", fs:<directory> or rados:<options>.
  std::string blob = "fs";
  size_t meta_connections = meta::PgStoreOptions{}.max_connections;  // PostgreSQL: the metadata store's, at most
  std::string region = "oss-cn-hangzhou";
  std::string domain = "localhost";                         // virtual-hosted buckets: <bucket>.<domain>
  std::string tls_cert, tls_key;                            // PEM files; both or neither
  std::vector<std::pair<std::string, std::string>> cnames;  // host -> bucket
  std::vector<std::string> trusted_proxies;                 // addresses or networks (http/forwarded.hpp)
  unsigned io_threads = 0;                                  // 0 = hardware concurrency
  unsigned work_threads = 0;                                // 0 = chosen by the composition root
  std::string log_level = "info";                           // trace, debug, info, warn, error, critical, off
  bool access_log = true;
  http::ServerLimits limits;
  // x-oss-process: image threads (0 = one per core), jobs that may wait
  // beyond them before new ones get 503, the derived-image cache (0 = off)
  // and the image limits (source bytes, sides, pixels).
  unsigned image_threads = 0;
  unsigned image_queue = 16;
  size_t image_cache_bytes = 64u << 20;
  image::ImageLimits image_limits;
  // Identity and STS (issue #4).
  std::string master_key_file;    // "" = <data-dir>/master.key, created on first start
  std::string sts_address;        // a second listener for the STS/RAM APIs ("" = none)
  int64_t test_clock_offset = 0;  // seconds added to the server clock: TESTS ONLY
  // With a shared metadata store: how often the leading gateway scans for
  // orphan blobs, and how long a blob must stay unreferenced to be one.
  unsigned orphan_scan_interval = 900;  // seconds
  unsigned orphan_grace = 3600;         // seconds
  bool rotate_sts_key = false;          // `ossd rotate-sts-key`: add a new STS token key, then exit
  // `ossd migrate` (server/migrate_command.hpp): the source is the deployment
  // the options above describe; the target is these. to_meta holds a
  // password: print it only redacted.
  bool migrate = false;
  std::filesystem::path migrate_to_data_dir;
  std::string migrate_to_meta = "sqlite";
  std::string migrate_to_blob = "fs";  // a --blob spec, for the target
  bool migrate_verify_only = false;
};

// Parses flags, environment and config file; throws nothing. On failure the
// Error's message is what to print and config_exit_code(error) the process
// exit code: 0 for --help (message = the help text, print it to stdout),
// otherwise CLI11's non-zero code (message = the reason, print it to stderr).
Result<ServerConfig> parse_config(int argc, const char* const* argv);
int config_exit_code(const Error& error);

struct HostPort {
  std::string host;  // IPv6 without brackets
  uint16_t port = 0;
};

// "127.0.0.1:9000", "[::1]:9000", "localhost:9000", "0.0.0.0:0" -> host and port.
// Accepts IPv4 literals, bracketed IPv6 literals and the name "localhost".
Result<HostPort> split_address(std::string_view address);

// The listener options the config describes (address split, TLS files, limits).
Result<http::ServerOptions> server_options(const ServerConfig& config);

}  // namespace ossd::server
