#pragma once
// What the HTTP server hands to the API layer and takes back: a request head,
// a body to pull from, and a response (small body in memory, or streamed).
// Kept free of Beast types so handlers do not depend on the HTTP library.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/header_field.hpp"
#include "core/result.hpp"

namespace ossd::http {

using Header = HeaderField;

struct Request {
  std::string method;           // as sent, e.g. "GET"
  std::string target;           // raw request-target, e.g. "/b/k%20x?acl="
  std::vector<Header> headers;  // arrival order, names as sent
  std::optional<uint64_t> content_length;
  bool chunked = false;
  // The peer, or the client a trusted front reports (http/forwarded.hpp).
  std::string remote_address;  // IP
  bool secure = false;         // over TLS (to the front, behind one)

  // First header with this name (ASCII case-insensitive), or nullptr.
  const std::string* find(std::string_view name) const;
};

// Pulls the request body. read_some returns 0 at the end of the body; errors:
// IncompleteBody (peer closed early or sent less than Content-Length),
// RequestTimeout (peer stalled), EntityTooLarge.
class BodyReader {
 public:
  virtual ~BodyReader() = default;
  virtual boost::asio::awaitable<Result<size_t>> read_some(std::span<char> out) = 0;
  virtual bool finished() const = 0;
};

// Bytes of a response body that lie in an open file.
struct FileRegion {
  int fd = -1;
  uint64_t offset = 0;
  uint64_t length = 0;
};

// Produces a response body piece by piece; read_some returns 0 when done.
class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual boost::asio::awaitable<Result<size_t>> read_some(std::span<char> out) = 0;
  // The next at most `max` (> 0) bytes as a region of an open file, so that
  // the server can send them with sendfile(2), without copying them through
  // user space; the descriptor stays open until the next call. nullopt when
  // the source has no file to offer: then read_some serves the whole body.
  virtual boost::asio::awaitable<Result<std::optional<FileRegion>>> next_file_region(uint64_t max) {
    (void)max;
    co_return std::nullopt;
  }
};

struct Response {
  unsigned status = 200;
  std::vector<Header> headers;
  std::string body;                        // used when stream is null
  std::unique_ptr<BodySource> stream;      // streamed body of exactly content_length bytes
  std::optional<uint64_t> content_length;  // required with stream; for HEAD, the length to announce

  void set(std::string name, std::string value) { headers.push_back({std::move(name), std::move(value)}); }
};

class Handler {
 public:
  virtual ~Handler() = default;
  // Called once per request on an I/O thread. Must not block: hand blocking
  // work to the WorkPool. If it returns before the body is read to the end,
  // the server closes the connection after the response.
  virtual boost::asio::awaitable<Response> handle(const Request& request, BodyReader& body) = 0;
};

}  // namespace ossd::http
