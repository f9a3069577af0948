#pragma once
// The HTTP/1.1 front end: accepts connections, parses request heads, streams
// bodies in both directions and enforces the connection-level limits. Beast
// stays inside server.cpp so that including this header costs nothing.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "core/result.hpp"
#include "http/exchange.hpp"
#include "http/forwarded.hpp"

namespace ossd::http {

struct ServerLimits {
  size_t max_header_bytes = size_t{64} * 1024;      // request line + fields
  std::chrono::seconds header_timeout{30};          // whole head, from its first byte (slowloris)
  std::chrono::seconds body_idle_timeout{60};       // no body byte read or written for this long
  std::chrono::seconds keepalive_idle_timeout{60};  // between requests on one connection
  std::chrono::seconds shutdown_grace{30};          // in-flight requests get this long after request_stop()
  size_t max_connections = 20000;                   // beyond it, accepted sockets are closed at once
};

// Renders the errors the server produces before any handler runs (malformed
// request, head too large, overload). The API layer injects one that renders
// OSS XML with a request id; the default renders a bare <Error> document.
using ErrorRenderer = std::function<Response(ErrorCode code, std::string message)>;

// The renderer used when ServerOptions::render_error is empty.
Response default_error_response(ErrorCode code, const std::string& message);

struct ServerOptions {
  std::string host = "127.0.0.1";  // IPv4/IPv6 literal (no brackets) or a resolvable name
  uint16_t port = 9000;            // 0 = ephemeral, see Server::bound_port()
  unsigned io_threads = 0;         // 0 = std::thread::hardware_concurrency()
  ServerLimits limits;
  std::string tls_cert_file, tls_key_file;  // PEM; both empty = plain HTTP
  TrustedProxies trusted_proxies;           // fronts believed about the client (none by default)
  ErrorRenderer render_error;               // empty = default_error_response
};

struct ConnectionStats {
  uint64_t open_connections = 0;
  uint64_t accepted_total = 0;
  uint64_t rejected_total = 0;  // closed at once because max_connections was reached
  uint64_t requests_total = 0;  // responses started (including server-rendered errors)
};

class Server {
 public:
  // The handler must outlive the server.
  Server(ServerOptions options, Handler& handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Loads the TLS certificate (if any), resolves, binds and listens. Call once, before run().
  Status listen();
  uint16_t bound_port() const;

  // Serves on io_threads threads (the caller's included) until request_stop()
  // has drained every connection. Call once.
  void run();

  // Thread-safe, idempotent, returns at once. Stops accepting, closes idle
  // keep-alive connections, lets requests in flight finish (their responses
  // carry Connection: close) and force-closes whatever is left after
  // shutdown_grace; then run() returns.
  void request_stop();

  ConnectionStats stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ossd::http
