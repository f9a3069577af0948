#pragma once
// `ossctl sts serve`: the seed's "your_sts_server". A small HTTP service
// that answers GET <token path> with a fresh temporary credential from
// AssumeRole, {"AccessKeyId","AccessKeySecret","SecurityToken","Expiration"},
// with CORS for the origins allowed, and optionally serves a static page
// (the browser example) from the same origin. It runs on src/http's server
// until SIGINT or SIGTERM.
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "ossd/rpc_client.hpp"

namespace ossd::cli {

// Makes one temporary credential; called on a worker thread, so it may
// block, and concurrently, so it must not share an RpcClient.
using CredentialVendor = std::function<Result<client::StsCredentials>()>;

struct TokenServiceOptions {
  std::string address = "127.0.0.1:0";       // host:port or [v6]:port; port 0 picks one
  std::vector<std::string> allowed_origins;  // exact origins, or "*" for any
  // Searched in order for GET paths other than the token path; "/" is
  // index.html. Without any, GET / answers the token too.
  std::vector<std::filesystem::path> static_dirs;
  std::string token_path = "/sts";
};

// ------------------------------------------------------------ pure parts

struct HostPort {
  std::string host;  // without brackets
  uint16_t port = 0;
};
Result<HostPort> parse_listen_address(std::string_view address);

// The Access-Control-Allow-Origin value for a request's Origin, or nullopt
// when that origin is not allowed (or the request has none).
std::optional<std::string> allowed_origin(const std::vector<std::string>& allowed, std::string_view origin);

// The file a request path names inside a static directory: percent-decoded,
// relative, "" and "/" as index.html, a trailing "/" as <dir>/index.html.
// nullopt for anything that could leave the directory (".." segments,
// backslashes, NUL, bad escapes).
std::optional<std::filesystem::path> static_file_path(std::string_view request_path);

// By extension: text/html, text/javascript, text/css, application/json,
// image/png... application/octet-stream otherwise.
std::string content_type_of(const std::filesystem::path& file);

// ------------------------------------------------------------ the service

// Listens, prints "listening on http://<host>:<port>" and the token URL to
// `out` (flushed, so a parent process can read the port), serves until
// SIGINT or SIGTERM, then returns 0; 1 when it cannot listen.
int serve_tokens(const TokenServiceOptions& options, CredentialVendor vendor, std::ostream& out, std::ostream& err);

}  // namespace ossd::cli
