#include "client/http_transport.hpp"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <limits>
#include <optional>

namespace ossd::client::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kChunkBytes = std::size_t{256} * 1024;
constexpr std::size_t kMaxResponseHeader = std::size_t{64} * 1024;

// The ways a kept-alive connection fails when the server has already
// closed its end: only these make a request worth sending again.
bool stale_connection(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe;
}

}  // namespace

struct HttpTransport::Impl {
  explicit Impl(TransportOptions o) : options(std::move(o)), chunk(kChunkBytes) {}

  TransportOptions options;
  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  std::vector<char> chunk;

  std::string peer() const {
    return options.host.find(':') != std::string::npos ? "[" + options.host + "]:" + options.port
                                                       : options.host + ":" + options.port;
  }

  Error failure(std::string_view step, const beast::error_code& ec) const {
    const ErrorCode code = ec == beast::error::timeout ? ErrorCode::RequestTimeout : ErrorCode::ServiceUnavailable;
    return Error(code, std::string(step) + " " + peer() + ": " + ec.message());
  }

  // Beast's deadlines apply to asynchronous operations only, so each step
  // runs asynchronously on this private io_context until it completes: a
  // blocking call for the caller that still times out.
  template <class Start>
  beast::error_code run(std::chrono::seconds timeout, Start start) {
    beast::error_code result = asio::error::operation_aborted;
    stream->expires_after(timeout);
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }

  Status connect() {
    tcp::resolver resolver(ioc);
    beast::error_code ec;
    // Name resolution has no deadline in Asio's synchronous form; endpoints
    // are IP literals or names the system resolves quickly.
    auto endpoints = resolver.resolve(options.host, options.port, ec);
    if (ec) return Error(ErrorCode::ServiceUnavailable, "cannot resolve " + peer() + ": " + ec.message());
    stream.emplace(ioc);
    ec = run(options.connect_timeout, [&](auto handler) { stream->async_connect(endpoints, handler); });
    if (ec) {
      stream.reset();
      return failure("cannot connect to", ec);
    }
    stream->socket().set_option(tcp::no_delay(true), ec);
    return ok_status();
  }

  void close() {
    if (stream) {
      beast::error_code ignored;
      stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream->close();
      stream.reset();
    }
    buffer.clear();
  }

  Status write_request(const HttpRequest& request, http::verb verb, bool& retryable) {
    http::request<http::buffer_body> message;
    if (verb == http::verb::unknown) {
      message.method_string(request.method);
    } else {
      message.method(verb);
    }
    message.target(request.target);
    message.version(11);
    for (const auto& header : request.headers) message.insert(header.name, header.value);
    const uint64_t total = request.body ? request.body->size() : 0;
    if (request.body || verb == http::verb::put || verb == http::verb::post) message.content_length(total);
    message.body().data = nullptr;
    message.body().size = 0;
    message.body().more = total > 0;

    http::request_serializer<http::buffer_body> serializer{message};
    beast::error_code ec =
        run(options.io_timeout, [&](auto handler) { http::async_write_header(*stream, serializer, handler); });
    if (ec) {
      retryable = stale_connection(ec);
      return failure("cannot send to", ec);
    }
    uint64_t sent = 0;
    while (!serializer.is_done()) {
      if (sent < total) {
        const std::size_t want = static_cast<std::size_t>(std::min<uint64_t>(chunk.size(), total - sent));
        auto got = request.body->read({chunk.data(), want});
        if (!got) return got.error();
        if (*got == 0) {
          return Error(ErrorCode::IncompleteBody, "the request body ended after " + std::to_string(sent) + " of " +
                                                      std::to_string(total) + " bytes");
        }
        message.body().data = chunk.data();
        message.body().size = *got;
        sent += *got;
        message.body().more = sent < total;
      } else {
        message.body().data = nullptr;
        message.body().size = 0;
        message.body().more = false;
      }
      ec = run(options.io_timeout, [&](auto handler) { http::async_write(*stream, serializer, handler); });
      if (ec == http::error::need_buffer) ec = {};
      if (ec) {
        // A keep-alive connection the server closed while idle breaks here,
        // at the first body bytes, as often as at the head; no answer came,
        // so the request is sent again on a new connection.
        retryable = stale_connection(ec);
        return failure("cannot send to", ec);
      }
    }
    return ok_status();
  }

  Result<HttpResponse> exchange(const HttpRequest& request, BodySink* sink, bool& retryable) {
    retryable = false;
    const http::verb verb = http::string_to_verb(request.method);
    if (auto written = write_request(request, verb, retryable); !written) return written.error();

    http::response_parser<http::buffer_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    parser.header_limit(kMaxResponseHeader);
    if (verb == http::verb::head) parser.skip(true);
    beast::error_code ec =
        run(options.io_timeout, [&](auto handler) { http::async_read_header(*stream, buffer, parser, handler); });
    if (ec) {
      retryable = stale_connection(ec) && buffer.size() == 0;
      return failure("no answer from", ec);
    }

    HttpResponse response;
    response.status = parser.get().result_int();
    for (const auto& field : parser.get()) {
      response.headers.push_back({std::string(field.name_string()), std::string(field.value())});
    }
    const bool to_sink = sink != nullptr && response.status / 100 == 2;
    if (to_sink) sink->begin(response.status, response.headers);
    while (!parser.is_done()) {
      parser.get().body().data = chunk.data();
      parser.get().body().size = chunk.size();
      ec = run(options.io_timeout, [&](auto handler) { http::async_read(*stream, buffer, parser, handler); });
      if (ec == http::error::need_buffer) ec = {};
      if (ec) return failure("the answer broke off from", ec);
      const std::size_t got = chunk.size() - parser.get().body().size;
      if (got == 0) continue;
      if (to_sink) {
        if (auto written = sink->write({chunk.data(), got}); !written) return written.error();
      } else {
        if (response.body.size() + got > options.max_buffered_body) {
          return Error(ErrorCode::EntityTooLarge, "the answer from " + peer() + " is larger than expected");
        }
        response.body.append(chunk.data(), got);
      }
    }
    if (!parser.keep_alive()) close();
    return response;
  }
};

HttpTransport::HttpTransport(TransportOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpTransport::~HttpTransport() {
  if (impl_) impl_->close();
}

Result<HttpResponse> HttpTransport::send(const HttpRequest& request, BodySink* sink) {
  for (int attempt = 0;; ++attempt) {
    const bool reused = impl_->stream.has_value();
    if (!reused) {
      if (auto connected = impl_->connect(); !connected) return connected.error();
    }
    bool retryable = false;
    auto response = impl_->exchange(request, sink, retryable);
    if (response.ok()) return response;
    impl_->close();
    if (!reused || !retryable || attempt > 0) return response;
    if (request.body) {
      if (auto rewound = request.body->rewind(); !rewound) return rewound.error();
    }
  }
}

}  // namespace ossd::client::detail
