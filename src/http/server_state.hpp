#pragma once
// Inside the HTTP server: the state its acceptor, stop sequence and
// connections share. Not part of the server's interface (server.hpp); it lets
// the plain and TLS connections, the costliest code in the project to
// compile, live in translation units of their own that build in parallel.
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/server.hpp"

namespace ossd::http::detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// What the server's shutdown logic sees of a connection, whatever its stream type.
class ConnectionBase {
 public:
  virtual ~ConnectionBase() = default;
  virtual asio::any_io_executor executor() = 0;
  // Serves the connection until it closes; `self` keeps it alive meanwhile.
  virtual asio::awaitable<void> run(std::shared_ptr<ConnectionBase> self) = 0;
  // Runs on the connection's executor. force=false closes it only if it is
  // idle between requests; force=true closes it whatever it is doing.
  virtual void on_stop(bool force) = 0;
};

// Everything the running server shares between its acceptor and connections.
class ServerState {
 public:
  ServerState(ServerOptions o, Handler& h);

  Status listen();
  void run();
  void request_stop();
  // Called by a connection once it has closed its socket.
  void connection_closed(uint64_t id);

  ServerOptions options;
  Handler& handler;
  ErrorRenderer render;

  // One io_context per I/O thread, each run by exactly one thread: a
  // connection lives on one of them for its whole life, so its handlers never
  // need a strand and threads do not wake each other for its work. The first
  // context also runs the acceptor and the stop sequence.
  asio::io_context ioc{1};
  std::vector<std::unique_ptr<asio::io_context>> more_contexts;
  size_t next_context = 0;  // round-robin choice; only the accept loop uses it
  // The acceptor, the grace timer and the stop sequence share one strand.
  asio::strand<asio::io_context::executor_type> control{asio::make_strand(ioc)};
  tcp::acceptor acceptor{control};
  asio::steady_timer grace{control};
  std::optional<asio::ssl::context> tls;
  uint16_t port = 0;

  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> open{0}, accepted{0}, rejected{0}, requests{0};

 private:
  asio::awaitable<void> accept_loop();
  asio::io_context& context_for_next_connection();
  void start_connection(tcp::socket socket);
  void begin_stop();
  void broadcast_stop(bool force);

  std::mutex mu_;
  std::unordered_map<uint64_t, std::weak_ptr<ConnectionBase>> connections_;  // guarded by mu_
  uint64_t next_id_ = 0;                                                     // guarded by mu_
};

// connection_plain.cpp and connection_tls.cpp: a connection over the accepted
// socket, not yet running.
std::shared_ptr<ConnectionBase> make_plain_connection(ServerState& server, uint64_t id, std::string remote,
                                                      tcp::socket socket);
std::shared_ptr<ConnectionBase> make_tls_connection(ServerState& server, uint64_t id, std::string remote,
                                                    tcp::socket socket, asio::ssl::context& tls);

}  // namespace ossd::http::detail
