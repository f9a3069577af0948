#pragma once
// The ossctl commands, free of CLI11 so tests can call them: each takes its
// parsed arguments and the client, writes its report to `out`, and returns
// the error that should end the program.
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "cli/settings.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "ossd/client.hpp"

namespace ossd::cli {

struct SignArgs {
  std::string uri;
  std::string method = "GET";
  int64_t expires = 1800;
  std::string content_type;
  std::string content_md5;
  std::vector<std::string> headers;  // "name=value" (or "name:value")
  // ("content-disposition", value)... in command-line order: ali-oss puts
  // them in the URL in the order given.
  std::vector<std::pair<std::string, std::string>> response;
  std::string process;
  uint64_t traffic_limit = 0;
  bool v4 = false;
  std::vector<std::string> additional_headers;  // V4
};

// The signed URL. V1 is ali-oss signatureUrl(key, options); V4 is
// signatureUrlV4(method, expires, {headers, queries}, key,
// additionalHeaders) with queries = the response-* overrides in the order
// given, then x-oss-process, then x-oss-traffic-limit, and headers =
// Content-Type, Content-MD5 and --header in that order. In V4 a --header
// that is not x-oss-* is also signed as an additional header. For an IP
// endpoint the URL is path-style (ossd takes path style on any host).
Result<std::string> sign_url(const Settings& settings, const SignArgs& args, SystemTime now);

struct TransferArgs {
  std::string source;
  std::string destination;
  uint64_t multipart_threshold = 100ull << 20;
  uint64_t part_size = 8ull << 20;
  std::string content_type;
  bool progress = false;  // draw a progress bar on `out`
};

Status list(client::Client& client, const std::string& uri, bool recursive, std::ostream& out);
Status copy(client::Client& client, const TransferArgs& args, std::ostream& out);
Status remove(client::Client& client, const std::string& uri, bool recursive, std::ostream& out);
Status stat(client::Client& client, const std::string& uri, std::ostream& out);
Status make_bucket(client::Client& client, const std::string& uri, const std::string& acl, std::ostream& out);
Status remove_bucket(client::Client& client, const std::string& uri, std::ostream& out);

// `cors put`: one rule for the bucket, replacing its CORS configuration.
struct CorsArgs {
  std::string uri;
  std::vector<std::string> origins;
  std::vector<std::string> methods = {"GET", "PUT", "POST", "DELETE", "HEAD"};
  std::vector<std::string> headers = {"*"};
  // What a browser SDK must read: ali-oss's multipart upload needs ETag.
  std::vector<std::string> expose_headers = {"ETag", "x-oss-request-id"};
  std::optional<uint32_t> max_age_seconds;
};
Status put_cors(client::Client& client, const CorsArgs& args, std::ostream& out);

}  // namespace ossd::cli
