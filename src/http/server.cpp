// The server's acceptor, stop sequence and public face. The connections it
// starts are in connection.hpp, compiled in connection_plain.cpp and
// connection_tls.cpp.
#include "http/server.hpp"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <thread>
#include <utility>

#include "http/server_state.hpp"
#include "http/wire_rules.hpp"

namespace ossd::http {

namespace {

std::string xml_escape(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (char c : in) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

Response default_error_response(ErrorCode code, const std::string& message) {
  Response r;
  r.status = default_status(code);
  r.set("Content-Type", "application/xml");
  r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + std::string(default_code_name(code)) +
           "</Code><Message>" + xml_escape(message) + "</Message></Error>";
  return r;
}

namespace detail {

using namespace std::chrono_literals;

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
}  // namespace

ServerState::ServerState(ServerOptions o, Handler& h)
    : options(std::move(o)),
      handler(h),
      render(options.render_error ? options.render_error : ErrorRenderer(&default_error_response)) {}

Status ServerState::listen() {
  boost::system::error_code ec;
  if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
    if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
      return Error(ErrorCode::InvalidArgument, "TLS needs both a certificate and a key file");
    }
    tls.emplace(asio::ssl::context::tls_server);
    tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                         asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                         asio::ssl::context::single_dh_use,
                     ec);
    if (!ec) tls->use_certificate_chain_file(options.tls_cert_file, ec);
    if (ec) return Error(ErrorCode::InvalidArgument, "TLS certificate " + options.tls_cert_file + ": " + ec.message());
    tls->use_private_key_file(options.tls_key_file, asio::ssl::context::pem, ec);
    if (ec) return Error(ErrorCode::InvalidArgument, "TLS key " + options.tls_key_file + ": " + ec.message());
  }

  tcp::endpoint endpoint;
  auto address = asio::ip::make_address(options.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, options.port);
  } else {
    tcp::resolver resolver(ioc);
    auto results = resolver.resolve(options.host, std::to_string(options.port), tcp::resolver::passive, ec);
    if (ec || results.empty()) {
      return Error(ErrorCode::InvalidArgument, "cannot resolve listen host " + options.host + ": " + ec.message());
    }
    endpoint = results.begin()->endpoint();
  }

  const std::string where = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    acceptor.close();
    return Error(ErrorCode::InternalError, "cannot listen on " + where + ": " + ec.message());
  }
  port = acceptor.local_endpoint(ec).port();
  return ok_status();
}

void ServerState::run() {
  const unsigned n = options.io_threads ? options.io_threads : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 1; i < n; ++i) more_contexts.push_back(std::make_unique<asio::io_context>(1));
  asio::co_spawn(control, accept_loop(), [](const std::exception_ptr& e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("http: accept loop failed: {}", ex.what());
      }
    }
  });
  // The extra contexts are kept running by
  // guards until the first context (acceptor and stop sequence) is done,
  // which happens only after every connection has closed.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::vector<std::thread> threads;
  for (auto& context : more_contexts) {
    guards.push_back(asio::make_work_guard(*context));
    threads.emplace_back([c = context.get()] { c->run(); });
  }
  ioc.run();
  guards.clear();
  for (auto& t : threads) t.join();
}

asio::io_context& ServerState::context_for_next_connection() {
  const size_t count = more_contexts.size() + 1;
  const size_t chosen = next_context++ % count;
  return chosen == 0 ? ioc : *more_contexts[chosen - 1];
}

asio::awaitable<void> ServerState::accept_loop() {
  for (;;) {
    tcp::socket socket(context_for_next_connection());
    auto [ec] = co_await acceptor.async_accept(socket, use_tuple);
    if (ec) {
      if (stopping.load() || !acceptor.is_open()) co_return;
      spdlog::warn("http: accept failed: {}", ec.message());
      // Out of descriptors or memory: back off rather than spin.
      asio::steady_timer pause(control, 100ms);
      co_await pause.async_wait(use_tuple);
      continue;
    }
    if (stopping.load()) co_return;
    accepted.fetch_add(1, std::memory_order_relaxed);
    if (open.load() >= options.limits.max_connections) {
      rejected.fetch_add(1, std::memory_order_relaxed);
      spdlog::debug("http: connection limit {} reached, closing a new connection", options.limits.max_connections);
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    start_connection(std::move(socket));
  }
}

void ServerState::start_connection(tcp::socket socket) {
  boost::system::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  auto peer = socket.remote_endpoint(ec);
  std::string remote = ec ? std::string() : peer.address().to_string();

  uint64_t id;
  {
    std::lock_guard lock(mu_);
    id = next_id_++;
  }
  open.fetch_add(1);

  std::shared_ptr<ConnectionBase> connection =
      tls ? make_tls_connection(*this, id, std::move(remote), std::move(socket), *tls)
          : make_plain_connection(*this, id, std::move(remote), std::move(socket));
  {
    std::lock_guard lock(mu_);
    connections_.emplace(id, connection);
  }
  auto executor = connection->executor();
  asio::co_spawn(executor, connection->run(connection), [this, id](const std::exception_ptr& e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("http: connection failed: {}", ex.what());
    }
    connection_closed(id);
  });
}

void ServerState::connection_closed(uint64_t id) {
  bool last = false;
  {
    std::lock_guard lock(mu_);
    if (connections_.erase(id) == 0) return;
    last = connections_.empty() && stopping.load();
  }
  open.fetch_sub(1);
  if (last) asio::post(control, [this] { grace.cancel(); });
}

void ServerState::request_stop() {
  if (stopping.exchange(true)) return;
  asio::post(control, [this] { begin_stop(); });
}

void ServerState::begin_stop() {
  boost::system::error_code ec;
  acceptor.close(ec);
  {
    std::lock_guard lock(mu_);
    if (connections_.empty()) return;
  }
  grace.expires_after(options.limits.shutdown_grace);
  grace.async_wait([this](boost::system::error_code wait_ec) {
    if (wait_ec) return;  // cancelled: every connection finished in time
    spdlog::warn("http: shutdown grace period over, closing the remaining connections");
    broadcast_stop(true);
  });
  broadcast_stop(false);
}

void ServerState::broadcast_stop(bool force) {
  std::vector<std::shared_ptr<ConnectionBase>> live;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, weak] : connections_) {
      if (auto c = weak.lock()) live.push_back(std::move(c));
    }
  }
  for (auto& c : live) {
    asio::post(c->executor(), [c, force] { c->on_stop(force); });
  }
}

}  // namespace detail

// ---------------------------------------------------------------------------

class Server::Impl : public detail::ServerState {
 public:
  using ServerState::ServerState;
};

Server::Server(ServerOptions options, Handler& handler) : impl_(std::make_unique<Impl>(std::move(options), handler)) {}
Server::~Server() = default;

Status Server::listen() { return impl_->listen(); }
uint16_t Server::bound_port() const { return impl_->port; }
void Server::run() { impl_->run(); }
void Server::request_stop() { impl_->request_stop(); }

ConnectionStats Server::stats() const {
  return ConnectionStats{
      .open_connections = impl_->open.load(),
      .accepted_total = impl_->accepted.load(),
      .rejected_total = impl_->rejected.load(),
      .requests_total = impl_->requests.load(),
  };
}

}  // namespace ossd::http
