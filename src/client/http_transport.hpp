#pragma once
// The client's HTTP/1.1 exchange, free of Beast types so only
// http_transport.cpp pays for the Beast headers. Bodies stream in both
// directions through BodySource and BodySink; nothing is held whole.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/header_field.hpp"
#include "core/result.hpp"

namespace ossd::client::detail {

class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual uint64_t size() const = 0;
  // The next bytes into `out`; 0 means the source ended (early, if before size()).
  virtual Result<std::size_t> read(std::span<char> out) = 0;
  // Back to the first byte, so a request can be resent on a new connection.
  virtual Status rewind() = 0;
};

class BodySink {
 public:
  virtual ~BodySink() = default;
  // Called once with the answer's head before its first body byte.
  virtual void begin(unsigned /*status*/, const std::vector<HeaderField>& /*headers*/) {}
  virtual Status write(std::span<const char> data) = 0;
};

struct HttpRequest {
  std::string method;
  std::string target;                // origin form, already percent-encoded
  std::vector<HeaderField> headers;  // Host included; Content-Length comes from the body
  BodySource* body = nullptr;
};

struct HttpResponse {
  unsigned status = 0;
  std::vector<HeaderField> headers;
  std::string body;  // the body when no sink took it (XML answers, error documents)
};

struct TransportOptions {
  std::string host;  // to connect to; an IPv6 literal without brackets
  std::string port;
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds io_timeout{60};
  std::size_t max_buffered_body = 64 << 20;  // bodies kept in HttpResponse::body
};

// One keep-alive connection, opened on first use and reopened when the
// server closes it.
class HttpTransport {
 public:
  explicit HttpTransport(TransportOptions options);
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // Sends `request` and reads the answer. A 2xx body goes to `sink` when
  // one is given; every other body lands in HttpResponse::body. Failing to
  // connect, send or receive is ServiceUnavailable (RequestTimeout when a
  // deadline passed); a request that fails on a reused connection before
  // any answer arrived is sent once more on a new one.
  Result<HttpResponse> send(const HttpRequest& request, BodySink* sink);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ossd::client::detail
