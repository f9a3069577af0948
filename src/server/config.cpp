#include "server/config.hpp"

#include <arpa/inet.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdlib>

#include "server/backends.hpp"
#include "server/blob_backend.hpp"

namespace ossd::server {
namespace {

Result<uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value > 65535) {
    return Error(ErrorCode::InvalidArgument, "invalid port '" + std::string(text) + "'");
  }
  return static_cast<uint16_t>(value);
}

bool is_ip_literal(int family, const std::string& host) {
  unsigned char out[16];
  return inet_pton(family, host.c_str(), out) == 1;
}

Result<std::pair<std::string, std::string>> parse_cname(const std::string& entry) {
  auto eq = entry.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == entry.size()) {
    return Error(ErrorCode::InvalidArgument, "--cname expects host=bucket, got '" + entry + "'");
  }
  return std::pair{entry.substr(0, eq), entry.substr(eq + 1)};
}

Status validate(const ServerConfig& c) {
  if (auto a = split_address(c.address); !a) return a.error();
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    return Error(ErrorCode::InvalidArgument, "--tls-cert and --tls-key must be given together");
  }
  if (c.data_dir.empty()) return Error(ErrorCode::InvalidArgument, "--data-dir must not be empty");
  if (c.region.empty()) return Error(ErrorCode::InvalidArgument, "--region must not be empty");
  if (c.domain.empty()) return Error(ErrorCode::InvalidArgument, "--domain must not be empty");
  if (auto meta = parse_metadata_spec(c.meta); !meta) return meta.error();
  if (c.migrate) {
    if (c.migrate_to_data_dir.empty()) {
      return Error(ErrorCode::InvalidArgument, "migrate: --to-data-dir must not be empty");
    }
    if (auto meta = parse_metadata_spec(c.migrate_to_meta); !meta) {
      return Error(ErrorCode::InvalidArgument, "migrate --to-meta: " + meta.error().message);
    }
    if (auto blob = parse_blob_spec(c.migrate_to_blob); !blob) {
      return Error(ErrorCode::InvalidArgument, "migrate --to-blob: " + blob.error().message);
    }
  }
  if (auto blob = parse_blob_spec(c.blob); !blob) return blob.error();
  if (auto trusted = http::TrustedProxies::parse(c.trusted_proxies); !trusted) {
    return Error(ErrorCode::InvalidArgument, "--trusted-proxy: " + trusted.error().message);
  }
  if (!c.sts_address.empty()) {
    if (auto a = split_address(c.sts_address); !a) {
      return Error(ErrorCode::InvalidArgument, "--sts-address: " + a.error().message);
    }
  }
  return ok_status();
}

constexpr const char* kExitCodeDetail = "exit_code";

Error exit_with(int code, std::string text) {
  return Error(ErrorCode::InvalidArgument, std::move(text)).with(kExitCodeDetail, std::to_string(code));
}

// CLI11's ValidationError exit code, so every rejected input exits alike.
Error usage_error(std::string message) {
  return exit_with(static_cast<int>(CLI::ExitCodes::ValidationError), std::move(message));
}

}  // namespace

Result<HostPort> split_address(std::string_view address) {
  std::string_view host, port;
  if (address.starts_with('[')) {
    auto close = address.find(']');
    if (close == std::string_view::npos || close + 1 >= address.size() || address[close + 1] != ':') {
      return Error(ErrorCode::InvalidArgument, "invalid address '" + std::string(address) + "': expected [IPv6]:port");
    }
    host = address.substr(1, close - 1);
    port = address.substr(close + 2);
    if (!is_ip_literal(AF_INET6, std::string(host))) {
      return Error(ErrorCode::InvalidArgument, "invalid IPv6 address '" + std::string(host) + "'");
    }
  } else {
    auto colon = address.rfind(':');
    if (colon == std::string_view::npos) {
      return Error(ErrorCode::InvalidArgument, "invalid address '" + std::string(address) + "': expected host:port");
    }
    host = address.substr(0, colon);
    port = address.substr(colon + 1);
    if (host != "localhost" && !is_ip_literal(AF_INET, std::string(host))) {
      return Error(ErrorCode::InvalidArgument, "invalid address '" + std::string(address) +
                                                   "': the host must be an IPv4 address, [IPv6] or localhost");
    }
  }
  auto p = parse_port(port);
  if (!p) return p.error();
  return HostPort{std::string(host), *p};
}

Result<http::ServerOptions> server_options(const ServerConfig& config) {
  auto hp = split_address(config.address);
  if (!hp) return hp.error();
  http::ServerOptions o;
  // Binding to the name would pick whichever family the resolver lists
  // first; localhost means the IPv4 loopback here, like in the default.
  o.host = hp->host == "localhost" ? "127.0.0.1" : hp->host;
  o.port = hp->port;
  o.io_threads = config.io_threads;
  o.limits = config.limits;
  o.tls_cert_file = config.tls_cert;
  o.tls_key_file = config.tls_key;
  auto trusted = http::TrustedProxies::parse(config.trusted_proxies);
  if (!trusted) return std::move(trusted).error();
  o.trusted_proxies = std::move(trusted).value();
  return o;
}

int config_exit_code(const Error& error) {
  for (const auto& [name, value] : error.details) {
    if (name == kExitCodeDetail) return std::atoi(value.c_str());
  }
  return static_cast<int>(CLI::ExitCodes::ValidationError);
}

Result<ServerConfig> parse_config(int argc, const char* const* argv) {
  ServerConfig c;
  std::string data_dir = c.data_dir.string();
  std::vector<std::string> cnames;
  auto seconds = [](std::chrono::seconds s) { return static_cast<unsigned>(s.count()); };
  unsigned header_timeout = seconds(c.limits.header_timeout);
  unsigned body_idle_timeout = seconds(c.limits.body_idle_timeout);
  unsigned keepalive_timeout = seconds(c.limits.keepalive_idle_timeout);
  unsigned shutdown_grace = seconds(c.limits.shutdown_grace);

  CLI::App app("ossd: an OSS-compatible object storage server", "ossd");
  app.option_defaults()->always_capture_default();
  app.allow_config_extras(CLI::config_extras_mode::error);  // a misspelt key must not be ignored

  // CLI11 reads the config file before the environment, so OSSD_CONFIG is
  // looked up here and handed over as the default file name.
  const char* env_config = std::getenv("OSSD_CONFIG");
  app.set_config("--config", env_config ? env_config : "",
                 "Read options from a TOML/INI file (keys are the long option names) [env: OSSD_CONFIG]",
                 env_config != nullptr && *env_config != '\0');

  app.add_option("--address", c.address, "Listen address: IPv4:port, [IPv6]:port or localhost:port")
      ->envname("OSSD_ADDRESS");
  app.add_option("--data-dir", data_dir, "Directory for metadata, objects and the root account")
      ->envname("OSSD_DATA_DIR");
  // The value may hold a password, so it is checked in validate(), whose
  // messages redact it, and not by a CLI11 validator, which would echo it.
  app.add_option("--meta", c.meta,
                 "Metadata store: 'sqlite' (<data-dir>/meta.db), a postgres:// or postgresql:// URI, or "
                 "'pg:' followed by libpq keyword=value settings")
      ->envname("OSSD_META");
  app.add_option("--blob", c.blob,
                 "Blob store: 'fs' (<data-dir>/objects), 'fs:<directory>', or "
                 "'rados:pool=<pool>,conf=<ceph.conf>[,user=,namespace=,chunk=,timeout=]'")
      ->envname("OSSD_BLOB");
  app.add_option("--meta-connections", c.meta_connections,
                 "With a PostgreSQL --meta: connections of the metadata store at most (the identity store and the "
                 "nonce ledger add up to 8 and 4)")
      ->envname("OSSD_META_CONNECTIONS")
      ->check(CLI::Range(size_t{1}, size_t{1000}));
  app.add_option("--region", c.region, "Region id, as in oss-<region>.aliyuncs.com")->envname("OSSD_REGION");
  app.add_option("--domain", c.domain, "Domain for virtual-hosted buckets (<bucket>.<domain>)")->envname("OSSD_DOMAIN");
  app.add_option("--tls-cert", c.tls_cert, "TLS certificate chain (PEM); needs --tls-key")->envname("OSSD_TLS_CERT");
  app.add_option("--tls-key", c.tls_key, "TLS private key (PEM); needs --tls-cert")->envname("OSSD_TLS_KEY");
  app.add_option("--cname", cnames, "Map a host name to a bucket, host=bucket (repeatable; comma-separated in env)")
      ->envname("OSSD_CNAME")
      ->delimiter(',');
  app.add_option("--trusted-proxy", c.trusted_proxies,
                 "A front (load balancer, reverse proxy) whose X-Forwarded-For and X-Forwarded-Proto name the "
                 "client: an address or network, e.g. 10.0.0.0/8 (repeatable; comma-separated in env)")
      ->envname("OSSD_TRUSTED_PROXIES")
      ->delimiter(',');
  app.add_option("--io-threads", c.io_threads, "HTTP I/O threads (0 = number of cores)")->envname("OSSD_IO_THREADS");
  app.add_option("--work-threads", c.work_threads, "Threads for blocking work (0 = automatic)")
      ->envname("OSSD_WORK_THREADS");
  app.add_option("--log-level", c.log_level, "Log level")
      ->envname("OSSD_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  app.add_flag("--access-log,!--no-access-log", c.access_log, "Write one access-log line per request")
      ->envname("OSSD_ACCESS_LOG");

  app.add_option("--max-header-bytes", c.limits.max_header_bytes, "Largest accepted request head")
      ->envname("OSSD_MAX_HEADER_BYTES")
      ->check(CLI::Range(size_t{1024}, size_t{16} * 1024 * 1024));
  app.add_option("--header-timeout", header_timeout, "Seconds a client has to send a request head")
      ->envname("OSSD_HEADER_TIMEOUT")
      ->check(CLI::Range(1u, 3600u));
  app.add_option("--body-idle-timeout", body_idle_timeout, "Seconds a request or response body may stall")
      ->envname("OSSD_BODY_IDLE_TIMEOUT")
      ->check(CLI::Range(1u, 3600u));
  app.add_option("--keepalive-timeout", keepalive_timeout, "Seconds an idle keep-alive connection stays open")
      ->envname("OSSD_KEEPALIVE_TIMEOUT")
      ->check(CLI::Range(1u, 3600u));
  app.add_option("--shutdown-grace", shutdown_grace, "Seconds in-flight requests get on shutdown")
      ->envname("OSSD_SHUTDOWN_GRACE")
      ->check(CLI::Range(0u, 3600u));
  app.add_option("--max-connections", c.limits.max_connections, "Most simultaneous client connections")
      ->envname("OSSD_MAX_CONNECTIONS")
      ->check(CLI::Range(size_t{1}, size_t{10'000'000}));

  app.add_option("--image-threads", c.image_threads, "Threads for x-oss-process image work (0 = number of cores)")
      ->envname("OSSD_IMAGE_THREADS")
      ->check(CLI::Range(0u, 256u));
  app.add_option("--image-queue", c.image_queue,
                 "Image jobs that may wait for a thread; beyond them requests get 503 at once")
      ->envname("OSSD_IMAGE_QUEUE")
      ->check(CLI::Range(0u, 100000u));
  app.add_option("--image-cache-bytes", c.image_cache_bytes, "Memory for processed images (0 = no cache)")
      ->envname("OSSD_IMAGE_CACHE_BYTES");
  app.add_option("--image-max-source-bytes", c.image_limits.max_source_bytes, "Largest object x-oss-process reads")
      ->envname("OSSD_IMAGE_MAX_SOURCE_BYTES")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40));
  app.add_option("--image-max-side", c.image_limits.max_side, "Widest or tallest source image, in pixels")
      ->envname("OSSD_IMAGE_MAX_SIDE")
      ->check(CLI::Range(1u, 1000000u));
  app.add_option("--image-max-pixels", c.image_limits.max_pixels,
                 "Most source pixels (width x height x frames) an image may have")
      ->envname("OSSD_IMAGE_MAX_PIXELS")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40));
  app.add_option("--image-max-output-side", c.image_limits.max_output_side, "Widest or tallest result, in pixels")
      ->envname("OSSD_IMAGE_MAX_OUTPUT_SIDE")
      ->check(CLI::Range(1u, 1000000u));

  app.add_option("--master-key-file", c.master_key_file,
                 "File with the 64-hex-digit key that seals stored secrets (default <data-dir>/master.key, "
                 "created on first start)")
      ->envname("OSSD_MASTER_KEY_FILE");
  app.add_option("--sts-address", c.sts_address,
                 "Also serve the STS and RAM APIs on this address (host:port); the main address serves them too")
      ->envname("OSSD_STS_ADDRESS");
  app.add_option("--orphan-scan-interval", c.orphan_scan_interval,
                 "Seconds between orphan-blob scans by the leading gateway (shared metadata store only)")
      ->envname("OSSD_ORPHAN_SCAN_INTERVAL")
      ->check(CLI::Range(1u, 86400u));
  app.add_option("--orphan-grace", c.orphan_grace,
                 "Seconds a blob must stay unreferenced before the leading gateway removes it (shared store only)")
      ->envname("OSSD_ORPHAN_GRACE")
      ->check(CLI::Range(1u, 7u * 86400u));
  app.add_option("--test-clock-offset", c.test_clock_offset,
                 "TESTS ONLY: seconds added to the server's clock (moves STS token expiry)")
      ->envname("OSSD_TEST_CLOCK_OFFSET")
      ->check(CLI::Range(int64_t{-315'360'000}, int64_t{315'360'000}));
  app.add_subcommand("rotate-sts-key",
                     "Add a new STS token key to the data directory's identity store and exit; tokens sealed "
                     "with older keys stay valid")
      ->fallthrough()
      ->callback([&c] { c.rotate_sts_key = true; });

  std::string migrate_to_data_dir;
  auto* migrate =
      app.add_subcommand("migrate",
                         "Copy this deployment (--data-dir, --meta, --blob, --master-key-file) into empty target "
                         "stores, "
                         "then verify the copy record by record and byte by byte; exits 1 on any difference. "
                         "Stop every gateway of both deployments first")
          ->fallthrough()
          ->callback([&c] { c.migrate = true; });
  migrate
      ->add_option("--to-data-dir", migrate_to_data_dir,
                   "The target's data directory: its root account file and master key, its blobs (objects/) "
                   "unless --to-blob says otherwise, and its metadata when --to-meta is sqlite")
      ->required();
  // Checked in validate(), like --meta, so a password is never echoed.
  migrate
      ->add_option("--to-meta", c.migrate_to_meta,
                   "The target's metadata store, in --meta's forms (the environment variable keeps a password "
                   "off the command line)")
      ->envname("OSSD_MIGRATE_TO_META");
  migrate->add_option("--to-blob", c.migrate_to_blob, "The target's blob store, in --blob's forms")
      ->envname("OSSD_MIGRATE_TO_BLOB");
  migrate->add_flag("--verify-only", c.migrate_verify_only,
                    "Only compare an earlier copy with the source; copy nothing");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return exit_with(0, app.help());  // --help
    return exit_with(e.get_exit_code(), e.what());
  } catch (const std::exception& e) {
    // CLI11 converts values with standard library calls that may throw their own exceptions.
    return usage_error(e.what());
  }

  c.data_dir = data_dir;
  c.migrate_to_data_dir = migrate_to_data_dir;
  c.limits.header_timeout = std::chrono::seconds(header_timeout);
  c.limits.body_idle_timeout = std::chrono::seconds(body_idle_timeout);
  c.limits.keepalive_idle_timeout = std::chrono::seconds(keepalive_timeout);
  c.limits.shutdown_grace = std::chrono::seconds(shutdown_grace);
  for (const auto& entry : cnames) {
    auto pair = parse_cname(entry);
    if (!pair) return usage_error(pair.error().message);
    c.cnames.push_back(std::move(*pair));
  }
  if (auto st = validate(c); !st) return usage_error(st.error().message);
  return c;
}

}  // namespace ossd::server
