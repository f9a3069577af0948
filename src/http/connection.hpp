#pragma once
// One client connection, over a plain or a TLS stream: a coroutine that reads
// a head, hands the request to the handler with a body reader over the same
// parser, writes the response, and loops while the connection stays reusable.
// Included only by connection_plain.cpp and connection_tls.cpp, which
// instantiate it once each: this is where Beast's server side is compiled.
#include <spdlog/spdlog.h>
#include <sys/sendfile.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "core/strings.hpp"
#include "http/server_state.hpp"
#include "http/wire_rules.hpp"

namespace ossd::http::detail {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using namespace std::chrono_literals;

inline constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// One reusable buffer per connection for streamed response bodies: large
// enough that a GET of a big object costs few syscalls, small enough that
// 20 000 connections do not matter unless they all stream at once.
inline constexpr size_t kStreamChunk = size_t{256} * 1024;
// A handler that answers before reading the whole body leaves the rest on the
// wire; up to this much is read and dropped so the connection can be reused.
inline constexpr uint64_t kDrainLimit = uint64_t{64} * 1024;
// After the response of a connection that is closing, unread input is read
// and dropped for a moment: closing a socket with unread data sends a RST,
// which can destroy the response before the client has read it.
inline constexpr auto kLingerTimeout = 2s;
inline constexpr size_t kLingerLimit = size_t{1024} * 1024;
inline constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// Bytes per sendfile(2) call: a large step, as the socket takes only what fits.
inline constexpr uint64_t kSendfileStep = uint64_t{4} * 1024 * 1024;

inline bool is_http_error(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category();
}

inline Error body_error(const beast::error_code& ec) {
  if (ec == beast::error::timeout) return Error(ErrorCode::RequestTimeout, "request body idle for too long");
  if (ec == bhttp::error::body_limit) return Error(ErrorCode::EntityTooLarge, "request body too large");
  if (is_http_error(ec) && ec != bhttp::error::partial_message && ec != bhttp::error::end_of_stream) {
    return Error(ErrorCode::InvalidRequest, "malformed request body: " + ec.message());
  }
  return Error(ErrorCode::IncompleteBody, "request body ended early: " + ec.message());
}

template <class Stream>
class Connection final : public ConnectionBase {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  template <class... Args>
  Connection(ServerState& server, uint64_t id, std::string remote, Args&&... args)
      : server_(server), id_(id), remote_(std::move(remote)), stream_(std::forward<Args>(args)...) {}

  asio::any_io_executor executor() override { return stream_.get_executor(); }

  void on_stop(bool force) override {
    stop_requested_ = true;
    if (force || phase_ == Phase::Idle) {
      beast::get_lowest_layer(stream_).close();
    }
  }

  asio::awaitable<void> run(std::shared_ptr<ConnectionBase> self) override;

 private:
  enum class Phase { Handshake, Idle, ReadingHead, Busy };

  class Body;

  auto& lowest() { return beast::get_lowest_layer(stream_); }
  const ServerLimits& limits() const { return server_.options.limits; }

  asio::awaitable<bool> serve_one();
  asio::awaitable<void> send_server_error(ErrorCode code, std::string message);
  asio::awaitable<bool> write_response(Response& res, unsigned version, bool head, bool keep);
  asio::awaitable<void> close();
  // Plain TCP only: sends `length` bytes from `region` on, then the next regions of `source`.
  asio::awaitable<bool> send_file_body(BodySource& source, FileRegion region, uint64_t length);
  // Until the socket can take more bytes; false on body_idle_timeout, an error or a stop.
  asio::awaitable<bool> wait_writable();

  ServerState& server_;
  uint64_t id_;
  std::string remote_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::buffer_body>> parser_;
  Phase phase_ = Phase::Handshake;
  bool stop_requested_ = false;
};

// Pulls body bytes into the handler's buffer, so the body is never held
// whole by the server. A body with a Content-Length bypasses the parser:
// what is already buffered is copied out, then the socket is read straight
// into the handler's buffer, as much as it takes (the parser would copy every
// byte once more, in reads of at most 64 KiB). Chunked bodies go through the
// parser, which removes the framing.
template <class Stream>
class Connection<Stream>::Body final : public BodyReader {
 public:
  Body(Connection& c, bool expect_continue) : c_(c), expect_continue_(expect_continue) {
    if (auto length = c_.parser_->content_length(); length && !c_.parser_->chunked()) direct_remaining_ = *length;
  }

  asio::awaitable<Result<size_t>> read_some(std::span<char> out) override {
    co_return co_await read_some_within(out, c_.limits().body_idle_timeout);
  }

  bool finished() const override { return direct_remaining_ ? *direct_remaining_ == 0 : c_.parser_->is_done(); }

  bool failed() const { return error_.has_value(); }
  bool continue_pending() const { return expect_continue_ && !continue_sent_; }

  // Reads and drops what the handler left unread, so that the connection can
  // serve its next request; false when that is more than kDrainLimit bytes,
  // or the body fails.
  asio::awaitable<bool> drain() {
    if (direct_remaining_ && *direct_remaining_ > kDrainLimit) co_return false;
    std::array<char, 8192> scratch;
    uint64_t dropped = 0;
    while (!finished()) {
      if (dropped > kDrainLimit) co_return false;
      auto got = co_await read_some_within(scratch, std::min<std::chrono::seconds>(c_.limits().body_idle_timeout, 5s));
      if (!got.ok()) co_return false;
      dropped += *got;
    }
    co_return true;
  }

 private:
  asio::awaitable<Result<size_t>> read_some_within(std::span<char> out, std::chrono::seconds idle_timeout) {
    if (error_) co_return *error_;
    if (finished()) co_return size_t{0};
    if (out.empty()) co_return Error(ErrorCode::InternalError, "BodyReader::read_some called with an empty buffer");

    if (expect_continue_ && !continue_sent_) {
      // The client waits for this before sending the body; it is sent only
      // now so that a handler that rejects the request spares the upload.
      continue_sent_ = true;
      c_.lowest().expires_after(idle_timeout);
      auto [ec, n] = co_await asio::async_write(c_.stream_, asio::buffer(kContinue), use_tuple);
      if (ec) co_return fail(ec);
    }
    if (direct_remaining_) co_return co_await read_direct(out, idle_timeout);
    co_return co_await read_through_parser(out, idle_timeout);
  }

  asio::awaitable<Result<size_t>> read_direct(std::span<char> out, std::chrono::seconds idle_timeout) {
    const auto want = static_cast<size_t>(std::min<uint64_t>(out.size(), *direct_remaining_));
    auto& buffered = c_.buffer_;
    if (buffered.size() > 0) {
      const size_t n = asio::buffer_copy(asio::buffer(out.data(), want), buffered.data());
      buffered.consume(n);
      *direct_remaining_ -= n;
      co_return n;
    }
    auto [ec, n] = co_await within(idle_timeout, c_.stream_.async_read_some(asio::buffer(out.data(), want), use_tuple));
    *direct_remaining_ -= n;
    if (ec) {
      if (n > 0) {
        error_ = body_error(ec);  // deliver the bytes now, the error on the next call
        co_return n;
      }
      co_return fail(ec);
    }
    co_return n;
  }

  asio::awaitable<Result<size_t>> read_through_parser(std::span<char> out, std::chrono::seconds idle_timeout) {
    auto& parser = *c_.parser_;
    for (;;) {
      auto& body = parser.get().body();
      body.data = out.data();
      body.size = out.size();
      auto [ec, consumed] =
          co_await within(idle_timeout, bhttp::async_read_some(c_.stream_, c_.buffer_, parser, use_tuple));
      (void)consumed;
      size_t got = out.size() - body.size;
      body.data = nullptr;  // the handler's buffer is not ours after this call
      body.size = 0;
      if (ec == bhttp::error::need_buffer) ec = {};
      if (ec) {
        if (got > 0) {
          error_ = body_error(ec);  // deliver the bytes now, the error on the next call
          co_return got;
        }
        co_return fail(ec);
      }
      if (got > 0 || parser.is_done()) co_return got;
    }
  }

  // A read that gives up after `idle_timeout` without data. Unlike the
  // stream's own expiry, which closes the socket, this leaves it open, so a
  // stalled upload is still answered 400 RequestTimeout before the close.
  asio::awaitable<std::tuple<beast::error_code, size_t>> within(
      std::chrono::seconds idle_timeout, asio::awaitable<std::tuple<beast::error_code, size_t>> read) {
    using namespace asio::experimental::awaitable_operators;
    c_.lowest().expires_never();
    asio::steady_timer idle(c_.stream_.get_executor());
    idle.expires_after(idle_timeout);
    auto outcome = co_await (std::move(read) || idle.async_wait(use_tuple));
    if (outcome.index() == 1) co_return std::tuple(beast::error_code(beast::error::timeout), size_t{0});
    co_return std::get<0>(std::move(outcome));
  }

  Error fail(const beast::error_code& ec) {
    spdlog::debug("http: body read from {} failed: {}", c_.remote_, ec.message());
    error_ = body_error(ec);
    return *error_;
  }

  Connection& c_;
  bool expect_continue_;
  bool continue_sent_ = false;
  std::optional<uint64_t> direct_remaining_;  // set for Content-Length bodies
  std::optional<Error> error_;
};

template <class Stream>
asio::awaitable<void> Connection<Stream>::run(std::shared_ptr<ConnectionBase> self) {
  (void)self;  // keeps the connection alive for as long as this coroutine runs

  if constexpr (kTls) {
    lowest().expires_after(limits().header_timeout);
    auto [ec] = co_await stream_.async_handshake(asio::ssl::stream_base::server, use_tuple);
    if (ec) {
      spdlog::debug("http: TLS handshake with {} failed: {}", remote_, ec.message());
      lowest().close();
      server_.connection_closed(id_);
      co_return;
    }
  }

  for (bool first = true;; first = false) {
    if (stop_requested_ || server_.stopping.load()) break;

    // Wait for the first byte of the next request apart from reading the
    // head, so that an idle keep-alive connection and a slow head get their
    // own timeouts and a shutdown closes only the idle ones.
    phase_ = Phase::Idle;
    if (buffer_.size() == 0) {
      lowest().expires_after(first ? limits().header_timeout : limits().keepalive_idle_timeout);
      auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(4096), use_tuple);
      if (ec) {
        spdlog::debug("http: connection from {} ends while idle: {}", remote_, ec.message());
        break;
      }
      buffer_.commit(n);
    }

    phase_ = Phase::ReadingHead;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(std::min<size_t>(limits().max_header_bytes, UINT32_MAX)));
    parser_->body_limit(boost::none);  // the API layer knows the per-operation limits
    lowest().expires_after(limits().header_timeout);
    auto [ec, n] = co_await bhttp::async_read_header(stream_, buffer_, *parser_, use_tuple);
    (void)n;
    if (ec) {
      if (ec == bhttp::error::header_limit) {
        co_await send_server_error(ErrorCode::RequestHeaderTooLarge, "The request headers are too large.");
      } else if (is_http_error(ec) && ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
        co_await send_server_error(ErrorCode::InvalidRequest, "Malformed HTTP request: " + ec.message());
      } else {
        spdlog::debug("http: reading a request head from {} failed: {}", remote_, ec.message());
        lowest().close();
      }
      break;
    }

    phase_ = Phase::Busy;
    bool keep = co_await serve_one();
    if (!keep) break;
  }

  co_await close();
  server_.connection_closed(id_);
}

template <class Stream>
asio::awaitable<bool> Connection<Stream>::serve_one() {
  auto& msg = parser_->get();
  Request request;
  request.method = std::string(msg.method_string());
  request.target = std::string(msg.target());
  request.headers.reserve(std::distance(msg.begin(), msg.end()));
  for (const auto& field : msg) {
    request.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  }
  if (auto cl = parser_->content_length()) request.content_length = *cl;
  request.chunked = parser_->chunked();
  auto origin = client_origin(remote_, kTls, request.headers, server_.options.trusted_proxies);
  request.remote_address = std::move(origin.address);
  request.secure = origin.secure;

  const bool head = msg.method() == bhttp::verb::head;
  const unsigned version = msg.version();
  const bool expect_continue = version >= 11 && iequals(msg[bhttp::field::expect], "100-continue");

  Body body(*this, expect_continue);
  Response response;
  try {
    response = co_await server_.handler.handle(request, body);
  } catch (const std::exception& e) {
    // A handler should return errors as responses; an exception here is a
    // bug, but it must cost one request, not the process.
    // The path only: a signed URL's query carries its signature and security token.
    spdlog::error("http: handler threw on {} {}: {}", request.method,
                  std::string_view(request.target).substr(0, request.target.find('?')), e.what());
    response = server_.render(ErrorCode::InternalError, "We encountered an internal error. Please try again.");
  }

  bool body_done = body.finished();
  if (!body_done && !body.failed() && !body.continue_pending()) body_done = co_await body.drain();

  bool keep = msg.keep_alive() && body_done && !body.failed() && !stop_requested_ && !server_.stopping.load();
  bool written = co_await write_response(response, version, head, keep);
  co_return written&& keep;
}

template <class Stream>
asio::awaitable<void> Connection<Stream>::send_server_error(ErrorCode code, std::string message) {
  spdlog::debug("http: {} from {}: {}", default_code_name(code), remote_, message);
  Response response = server_.render(code, std::move(message));
  // NOLINTNEXTLINE(bugprone-use-after-move): clang-tidy 14 sees the coroutine's own copy of `message` at co_await
  co_await write_response(response, 11, false, false);
}

template <class Stream>
asio::awaitable<bool> Connection<Stream>::write_response(Response& res, unsigned version, bool head, bool keep) {
  server_.requests.fetch_add(1, std::memory_order_relaxed);

  if (res.stream && !res.content_length) {
    spdlog::error("http: handler returned a streamed body without content_length");
    res = server_.render(ErrorCode::InternalError, "We encountered an internal error. Please try again.");
    keep = false;
  }

  if (res.status < 100 || res.status > 999) {
    spdlog::error("http: handler returned status {}", res.status);
    res = server_.render(ErrorCode::InternalError, "We encountered an internal error. Please try again.");
    keep = false;
  }

  bhttp::response<bhttp::empty_body> header;
  header.version(version == 10 ? 10 : 11);
  header.result(res.status);
  for (const auto& h : res.headers) {
    if (is_framing_header(h.name)) continue;
    if (!is_safe_header(h)) {
      spdlog::warn("http: dropped an invalid response header '{}'", h.name);
      continue;
    }
    try {
      header.insert(h.name, h.value);
    } catch (const std::exception& e) {  // Beast rejects oversized fields by throwing
      spdlog::warn("http: dropped response header '{}': {}", h.name, e.what());
    }
  }
  header.keep_alive(keep);

  const bool no_body = status_has_no_body(res.status);
  // A HEAD (or 304) response announces the length a GET would have;
  // otherwise the length is what is actually sent.
  const uint64_t length = res.stream          ? *res.content_length
                          : (head || no_body) ? res.content_length.value_or(res.body.size())
                                              : res.body.size();
  if (!no_body || res.content_length) header.content_length(length);
  const bool send_body = !head && !no_body && length > 0;

  if (!send_body || res.stream) {
    lowest().expires_after(limits().body_idle_timeout);
    auto [ec, n] = co_await bhttp::async_write(stream_, header, use_tuple);
    (void)n;
    if (ec) {
      spdlog::debug("http: writing a response head to {} failed: {}", remote_, ec.message());
      co_return false;
    }
    if (!send_body) co_return true;

    if constexpr (!kTls) {
      // On plain TCP a body in a file goes out with sendfile(2): no copy
      // through user space and one system call per socket-buffer's worth.
      auto region = co_await res.stream->next_file_region(length);
      if (!region.ok()) {
        spdlog::warn("http: response body source for {} failed before its first byte: {}", remote_,
                     region.error().message);
        co_return false;
      }
      if (*region) co_return co_await send_file_body(*res.stream, **region, length);
    }

    // Sized to the body and freed with the response: an idle keep-alive
    // connection holds no buffer, and a small GET does not touch 256 KiB.
    const size_t chunk_size = static_cast<size_t>(std::min<uint64_t>(kStreamChunk, length));
    auto chunk = std::make_unique_for_overwrite<char[]>(chunk_size);
    uint64_t sent = 0;
    while (sent < length) {
      const size_t want = static_cast<size_t>(std::min<uint64_t>(chunk_size, length - sent));
      Result<size_t> got = co_await res.stream->read_some({chunk.get(), want});
      if (!got.ok() || *got == 0) {
        // The head promised `length` bytes: the only honest signal left is
        // to cut the connection so the client sees a short body.
        spdlog::warn("http: response body source for {} stopped at {} of {} bytes: {}", remote_, sent, length,
                     got.ok() ? std::string("early end") : got.error().message);
        co_return false;
      }
      lowest().expires_after(limits().body_idle_timeout);
      auto [wec, wn] = co_await asio::async_write(stream_, asio::buffer(chunk.get(), *got), use_tuple);
      (void)wn;
      if (wec) {
        spdlog::debug("http: writing a response body to {} failed: {}", remote_, wec.message());
        co_return false;
      }
      sent += *got;
    }
    co_return true;
  }

  bhttp::response<bhttp::string_body> full(std::move(header.base()), std::move(res.body));
  lowest().expires_after(limits().body_idle_timeout);
  auto [ec, n] = co_await bhttp::async_write(stream_, full, use_tuple);
  (void)n;
  if (ec) {
    spdlog::debug("http: writing a response to {} failed: {}", remote_, ec.message());
    co_return false;
  }
  co_return true;
}

template <class Stream>
asio::awaitable<bool> Connection<Stream>::send_file_body(BodySource& source, FileRegion region, uint64_t length) {
  auto& socket = lowest().socket();
  beast::error_code ec;
  socket.native_non_blocking(true, ec);
  if (ec) co_return false;
  uint64_t sent = 0;
  for (;;) {
    while (region.length > 0) {
      auto offset = static_cast<off_t>(region.offset);
      const auto want = static_cast<size_t>(std::min<uint64_t>(region.length, kSendfileStep));
      const ssize_t n = ::sendfile(socket.native_handle(), region.fd, &offset, want);
      if (n > 0) {
        region.offset += static_cast<uint64_t>(n);
        region.length -= static_cast<uint64_t>(n);
        sent += static_cast<uint64_t>(n);
        continue;
      }
      if (n == 0) {
        // The head promised `length` bytes: cut the connection so the client sees a short body.
        spdlog::warn("http: the file of a response body for {} ended at {} of {} bytes", remote_, sent, length);
        co_return false;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        spdlog::debug("http: sendfile to {} failed: {}", remote_, std::strerror(errno));
        co_return false;
      }
      if (!co_await wait_writable()) co_return false;
    }
    if (sent >= length) co_return true;
    auto next = co_await source.next_file_region(length - sent);
    if (!next.ok() || !*next || (*next)->length == 0) {
      spdlog::warn("http: response body source for {} stopped at {} of {} bytes: {}", remote_, sent, length,
                   next.ok() ? std::string("no file region") : next.error().message);
      co_return false;
    }
    region = **next;
  }
}

template <class Stream>
asio::awaitable<bool> Connection<Stream>::wait_writable() {
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer idle(stream_.get_executor());
  idle.expires_after(limits().body_idle_timeout);
  auto woke = co_await (lowest().socket().async_wait(tcp::socket::wait_write, use_tuple) || idle.async_wait(use_tuple));
  if (woke.index() == 1) {
    spdlog::debug("http: {} stopped reading a response body", remote_);
    co_return false;
  }
  auto [ec] = std::get<0>(woke);
  co_return !ec;
}

template <class Stream>
asio::awaitable<void> Connection<Stream>::close() {
  auto& low = lowest();
  if (!low.socket().is_open()) co_return;
  beast::error_code ec;
  if constexpr (kTls) {
    low.expires_after(kLingerTimeout);
    auto [sec] = co_await stream_.async_shutdown(use_tuple);
    (void)sec;
  } else {
    low.socket().shutdown(tcp::socket::shutdown_send, ec);
    std::array<char, 16384> scratch;
    size_t dropped = 0;
    low.expires_after(kLingerTimeout);
    while (dropped < kLingerLimit) {
      auto [rec, n] = co_await low.async_read_some(asio::buffer(scratch), use_tuple);
      if (rec) break;
      dropped += n;
    }
  }
  low.close();
}

}  // namespace ossd::http::detail
