// The HTTP server in-process on 127.0.0.1:0 with a scripted handler. The
// client is Beast over a tcp_stream whose deadlines bound every step, so a
// broken server fails a test instead of hanging it.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "http/server.hpp"

namespace ossd::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

constexpr uint64_t kFnvOffset = 1469598103934665603ull;

uint64_t fnv1a(uint64_t h, const char* data, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 1099511628211ull;
  }
  return h;
}

char pattern_byte(uint64_t i) { return static_cast<char>((i * 131 + i / 4099) & 0xff); }

std::string pattern(uint64_t offset, size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = pattern_byte(offset + i);
  return s;
}

std::string path_of(const std::string& target) { return target.substr(0, target.find('?')); }

uint64_t query_number(const std::string& target, const std::string& name) {
  auto pos = target.find(name + "=");
  return pos == std::string::npos ? 0 : std::stoull(target.substr(pos + name.size() + 1));
}

// Emits `size` pattern bytes in pieces of at most 100 000 bytes.
class PatternSource final : public BodySource {
 public:
  explicit PatternSource(uint64_t size) : size_(size) {}
  asio::awaitable<Result<size_t>> read_some(std::span<char> out) override {
    size_t n = static_cast<size_t>(std::min<uint64_t>({out.size(), size_ - offset_, 100000}));
    for (size_t i = 0; i < n; ++i) out[i] = pattern_byte(offset_ + i);
    offset_ += n;
    co_return n;
  }

 private:
  uint64_t size_;
  uint64_t offset_ = 0;
};

struct Seen {
  Request request;
  uint64_t body_bytes = 0;
  uint64_t body_hash = kFnvOffset;
  std::optional<ErrorCode> body_error;
  bool finished = false;
};

class TestHandler final : public Handler {
 public:
  asio::awaitable<Response> handle(const Request& request, BodyReader& body) override {
    const std::string path = path_of(request.target);
    Response r;
    if (path == "/echo") {
      // Reads the body in 64 KiB pieces: it never holds the whole body.
      Seen seen{request};
      std::vector<char> buf(64 * 1024);
      for (;;) {
        Result<size_t> n = co_await body.read_some(buf);
        if (!n.ok()) {
          seen.body_error = n.error().code;
          break;
        }
        if (*n == 0) break;
        EXPECT_LE(*n, buf.size());
        seen.body_bytes += *n;
        seen.body_hash = fnv1a(seen.body_hash, buf.data(), *n);
        body_progress.fetch_add(*n);
      }
      seen.finished = body.finished();
      r.body = "bytes=" + std::to_string(seen.body_bytes) + " hash=" + std::to_string(seen.body_hash);
      if (seen.body_error) r.status = 400;
      record(std::move(seen));
    } else if (path == "/stream") {
      uint64_t n = query_number(request.target, "n");
      r.stream = std::make_unique<PatternSource>(n);
      r.content_length = n;
      r.set("Content-Type", "application/octet-stream");
    } else if (path == "/short-stream") {
      r.stream = std::make_unique<PatternSource>(10);
      r.content_length = 1000;  // promises more than the source has
    } else if (path == "/reject") {
      r.status = 403;
      r.body = "denied";
      record(Seen{request});
    } else if (path == "/nobody") {
      r.status = 204;
    } else if (path == "/evil-header") {
      r.set("X-Evil", "a\r\nInjected: 1");
      r.set("X-Good", "fine");
      r.set("Bad Name", "v");
      r.set("Bad:Name", "v");
      r.set("Content-Length", "999");  // framing belongs to the server
      r.body = "ok";
    } else if (path == "/bad-status") {
      r.status = 1000;
    } else if (path == "/throw") {
      throw std::runtime_error("handler bug");
    } else if (path == "/wait") {
      // Waits (without blocking the I/O thread) before answering.
      asio::steady_timer t(co_await asio::this_coro::executor,
                           std::chrono::milliseconds(query_number(request.target, "ms")));
      co_await t.async_wait(asio::use_awaitable);
      r.body = "waited";
    } else {
      r.body = "hello";
      r.set("Content-Type", "text/plain");
      record(Seen{request});
    }
    co_return r;
  }

  void record(Seen s) {
    std::lock_guard lock(mu);
    seen.push_back(std::move(s));
  }
  std::vector<Seen> snapshot() {
    std::lock_guard lock(mu);
    return seen;
  }

  std::atomic<uint64_t> body_progress{0};

 private:
  std::mutex mu;
  std::vector<Seen> seen;
};

// Runs the server on its own threads; stop() is bounded in time.
class Harness {
 public:
  explicit Harness(ServerOptions options) : server_(std::move(options), handler) {}
  ~Harness() { stop(); }

  void start() {
    auto st = server_.listen();
    ASSERT_TRUE(st.ok()) << st.error().message;
    ASSERT_NE(server_.bound_port(), 0);
    thread_ = std::thread([this] {
      server_.run();
      done_.set_value();
    });
  }

  // Returns how long run() took to return after request_stop().
  std::chrono::milliseconds stop(std::chrono::seconds bound = 20s) {
    if (!thread_.joinable()) return {};
    auto t0 = std::chrono::steady_clock::now();
    server_.request_stop();
    if (done_future_.wait_for(bound) != std::future_status::ready) {
      std::fprintf(stderr, "server did not stop within %lld s\n", static_cast<long long>(bound.count()));
      std::abort();  // a hung server must not hang the test run
    }
    thread_.join();
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  }

  uint16_t port() const { return server_.bound_port(); }
  Server& server() { return server_; }
  TestHandler handler;

 private:
  Server server_;
  std::thread thread_;
  std::promise<void> done_;
  std::future<void> done_future_ = done_.get_future();
};

ServerOptions test_options() {
  ServerOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.io_threads = 2;
  o.limits.shutdown_grace = 10s;
  return o;
}

// A blocking-looking client over a tcp_stream: every operation has a deadline.
class Client {
 public:
  explicit Client(uint16_t port) {
    stream_.expires_after(5s);
    run([&](auto done) { stream_.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), done); });
    EXPECT_FALSE(ec_) << ec_.message();
  }

  beast::error_code send(std::string_view data, std::chrono::seconds timeout = 30s) {
    stream_.expires_after(timeout);
    run([&](auto done) { asio::async_write(stream_, asio::buffer(data), done); });
    return ec_;
  }

  std::optional<bhttp::response<bhttp::string_body>> read(bool head = false, std::chrono::seconds timeout = 30s) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(boost::none);
    parser.skip(head);
    stream_.expires_after(timeout);
    run([&](auto done) { bhttp::async_read(stream_, buffer_, parser, done); });
    if (ec_) return std::nullopt;
    return parser.release();
  }

  // Reads exactly n raw bytes (for interim responses).
  std::string read_raw(size_t n, std::chrono::seconds timeout = 5s) {
    stream_.expires_after(timeout);
    std::string out = beast::buffers_to_string(buffer_.data()).substr(0, n);
    buffer_.consume(out.size());
    while (out.size() < n) {
      char c[256];
      size_t got = 0;
      size_t want = std::min(sizeof c, n - out.size());
      run([&](auto done) {
        stream_.async_read_some(asio::buffer(c, want), [&got, done](beast::error_code e, size_t k) mutable {
          got = k;
          done(e, k);
        });
      });
      if (ec_) break;
      out.append(c, got);
    }
    return out;
  }

  // True if the server closes the connection within `timeout` (sending nothing more).
  bool closed_by_server(std::chrono::seconds timeout, std::string* extra = nullptr) {
    stream_.expires_after(timeout);
    char c[4096];
    for (;;) {
      size_t got = 0;
      run([&](auto done) {
        stream_.async_read_some(asio::buffer(c), [&got, done](beast::error_code e, size_t n) mutable {
          got = n;
          done(e, n);
        });
      });
      if (ec_) return ec_ != beast::error::timeout;
      if (extra) extra->append(c, got);
    }
  }

  void shutdown_send() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  const beast::error_code& error() const { return ec_; }

 private:
  template <class Start>
  void run(Start start) {
    ec_ = {};
    bool finished = false;
    start([this, &finished](beast::error_code e, size_t = 0) {
      ec_ = e;
      finished = true;
    });
    ioc_.restart();
    ioc_.run();
    EXPECT_TRUE(finished);
  }

  asio::io_context ioc_;
  beast::tcp_stream stream_{ioc_};
  beast::flat_buffer buffer_;
  beast::error_code ec_;
};

std::string header_value(const bhttp::response<bhttp::string_body>& r, std::string_view name) {
  auto it = r.find(name);
  return it == r.end() ? std::string("<none>") : std::string(it->value());
}

template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds bound = 10s) {
  auto deadline = std::chrono::steady_clock::now() + bound;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void start(ServerOptions o = test_options()) {
    h_ = std::make_unique<Harness>(std::move(o));
    h_->start();
  }
  Harness& h() { return *h_; }
  std::unique_ptr<Harness> h_;
};

TEST_F(HttpServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  start();
  Client c(h().port());
  ASSERT_FALSE(c.send("GET /a?x=1 HTTP/1.1\r\nHost: example\r\nX-Custom: One\r\n\r\n"));
  auto r1 = c.read();
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->result_int(), 200);
  EXPECT_EQ(r1->body(), "hello");
  EXPECT_EQ(header_value(*r1, "Content-Length"), "5");
  EXPECT_EQ(header_value(*r1, "Content-Type"), "text/plain");
  EXPECT_TRUE(r1->keep_alive());

  ASSERT_FALSE(c.send("GET /b HTTP/1.1\r\nHost: example\r\n\r\n"));
  auto r2 = c.read();
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->body(), "hello");

  auto seen = h().handler.snapshot();
  ASSERT_EQ(seen.size(), 2u);
  const Request& q = seen[0].request;
  EXPECT_EQ(q.method, "GET");
  EXPECT_EQ(q.target, "/a?x=1");
  EXPECT_EQ(q.remote_address, "127.0.0.1");
  EXPECT_FALSE(q.secure);
  EXPECT_FALSE(q.chunked);
  ASSERT_NE(q.find("x-custom"), nullptr);
  EXPECT_EQ(*q.find("x-custom"), "One");
  ASSERT_EQ(q.headers.size(), 2u);
  EXPECT_EQ(q.headers[1].name, "X-Custom");  // spelling kept
  EXPECT_EQ(seen[1].request.target, "/b");

  auto st = h().server().stats();
  EXPECT_EQ(st.accepted_total, 1u);
  EXPECT_EQ(st.open_connections, 1u);
  EXPECT_EQ(st.requests_total, 2u);
}

TEST_F(HttpServerTest, ManyConcurrentConnections) {
  start();
  constexpr int kClients = 16, kRounds = 8;
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      Client c(h().port());
      for (int round = 0; round < kRounds; ++round) {
        std::string body = pattern(i * 1000 + round, 10000 + i * 100);
        if (c.send("PUT /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
                   body)) {
          return;
        }
        auto put = c.read();
        if (!put || put->body() != "bytes=" + std::to_string(body.size()) +
                                       " hash=" + std::to_string(fnv1a(kFnvOffset, body.data(), body.size()))) {
          return;
        }
        if (c.send("GET /stream?n=300000 HTTP/1.1\r\nHost: x\r\n\r\n")) return;
        auto get = c.read();
        if (!get || get->body() != pattern(0, 300000)) return;
        ok.fetch_add(1);
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), kClients * kRounds);
  EXPECT_EQ(h().server().stats().accepted_total, static_cast<uint64_t>(kClients));
  EXPECT_EQ(h().server().stats().requests_total, static_cast<uint64_t>(2 * kClients * kRounds));
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  start();
  Client c(h().port());
  ASSERT_FALSE(c.send("GET /wait?ms=50 HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r1 = c.read();
  auto r2 = c.read();
  ASSERT_TRUE(r1 && r2);
  EXPECT_EQ(r1->body(), "waited");
  EXPECT_EQ(r2->body(), "hello");
}

TEST_F(HttpServerTest, LargePutBodyIsStreamedToTheHandler) {
  start();
  constexpr uint64_t kSize = 50ull * 1024 * 1024;
  Client c(h().port());
  ASSERT_FALSE(c.send("PUT /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(kSize) + "\r\n\r\n"));
  uint64_t hash = kFnvOffset;
  uint64_t sent = 0;
  constexpr size_t kPiece = 1024 * 1024;
  while (sent < kSize) {
    std::string piece = pattern(sent, kPiece);
    hash = fnv1a(hash, piece.data(), piece.size());
    ASSERT_FALSE(c.send(piece));
    sent += piece.size();
    if (sent == kSize / 2) {
      // The handler is already consuming while half the body is unsent: the
      // server does not wait for (or hold) the whole body.
      ASSERT_TRUE(wait_until([&] { return h().handler.body_progress.load() > 0; }));
      EXPECT_LE(h().handler.body_progress.load(), sent);
    }
  }
  auto r = c.read();
  ASSERT_TRUE(r) << c.error().message();
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_EQ(r->body(), "bytes=" + std::to_string(kSize) + " hash=" + std::to_string(hash));
  auto seen = h().handler.snapshot();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].request.content_length, kSize);
  EXPECT_TRUE(seen[0].finished);
  EXPECT_TRUE(r->keep_alive());
}

TEST_F(HttpServerTest, LargeGetBodyIsStreamedFromTheSource) {
  start();
  constexpr uint64_t kSize = 50ull * 1024 * 1024 + 7;
  Client c(h().port());
  ASSERT_FALSE(c.send("GET /stream?n=" + std::to_string(kSize) + " HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.read();
  ASSERT_TRUE(r) << c.error().message();
  EXPECT_EQ(header_value(*r, "Content-Length"), std::to_string(kSize));
  ASSERT_EQ(r->body().size(), kSize);
  std::string expected = pattern(0, kSize);
  EXPECT_TRUE(r->body() == expected);
  // Still usable afterwards.
  ASSERT_FALSE(c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r2 = c.read();
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->body(), "hello");
}

TEST_F(HttpServerTest, ChunkedRequestBody) {
  start();
  Client c(h().port());
  std::string body = pattern(0, 70000);
  std::string wire = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  wire += "5\r\n" + body.substr(0, 5) + "\r\n";
  wire += "10000;ext=1\r\n" + body.substr(5, 0x10000) + "\r\n";
  wire += "1\r\n" + body.substr(5 + 0x10000, 1) + "\r\n";
  size_t rest = body.size() - 6 - 0x10000;
  char hex[16];
  std::snprintf(hex, sizeof hex, "%zx", rest);
  wire += std::string(hex) + "\r\n" + body.substr(6 + 0x10000) + "\r\n0\r\n\r\n";
  ASSERT_FALSE(c.send(wire));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_EQ(r->body(), "bytes=70000 hash=" + std::to_string(fnv1a(kFnvOffset, body.data(), body.size())));
  auto seen = h().handler.snapshot();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(seen[0].request.chunked);
  EXPECT_FALSE(seen[0].request.content_length.has_value());
  EXPECT_TRUE(r->keep_alive());
}

TEST_F(HttpServerTest, HeadAnnouncesLengthButSendsNoBody) {
  start();
  Client c(h().port());
  ASSERT_FALSE(c.send("HEAD /stream?n=12345 HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.read(/*head=*/true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_EQ(header_value(*r, "Content-Length"), "12345");
  EXPECT_EQ(header_value(*r, "Content-Type"), "application/octet-stream");
  // A body byte on the wire would corrupt the next response.
  ASSERT_FALSE(c.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r2 = c.read(true);
  ASSERT_TRUE(r2);
  EXPECT_EQ(header_value(*r2, "Content-Length"), "5");
  auto r3 = c.read();
  ASSERT_TRUE(r3);
  EXPECT_EQ(r3->result_int(), 200);
  EXPECT_EQ(r3->body(), "hello");
}

TEST_F(HttpServerTest, NoContentResponseHasNoLength) {
  start();
  Client c(h().port());
  ASSERT_FALSE(c.send("DELETE /nobody HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 204);
  EXPECT_EQ(header_value(*r, "Content-Length"), "<none>");
}

TEST_F(HttpServerTest, ExpectContinueIsSentWhenTheHandlerReads) {
  start();
  Client c(h().port());
  ASSERT_FALSE(c.send("PUT /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"));
  constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  EXPECT_EQ(c.read_raw(kContinue.size()), kContinue);
  ASSERT_FALSE(c.send("abcd"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_EQ(r->body(), "bytes=4 hash=" + std::to_string(fnv1a(kFnvOffset, "abcd", 4)));
  EXPECT_TRUE(r->keep_alive());
}

TEST_F(HttpServerTest, ExpectContinueIsNotSentWhenTheHandlerRejects) {
  start();
  Client c(h().port());
  ASSERT_FALSE(c.send("PUT /reject HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\nExpect: 100-continue\r\n\r\n"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 403);  // the final status, no 100 before it
  EXPECT_EQ(r->body(), "denied");
  EXPECT_FALSE(r->keep_alive());  // the unsent body makes the connection unusable
  EXPECT_TRUE(c.closed_by_server(5s));
}

TEST_F(HttpServerTest, SmallUnreadBodyIsDrainedAndTheConnectionKept) {
  start();
  Client c(h().port());
  ASSERT_FALSE(c.send("PUT /reject HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 403);
  EXPECT_TRUE(r->keep_alive());
  ASSERT_FALSE(c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r2 = c.read();
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->body(), "hello");
}

TEST_F(HttpServerTest, LargeUnreadBodyClosesTheConnectionAfterTheResponse) {
  start();
  Client c(h().port());
  ASSERT_FALSE(c.send("PUT /reject HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n" + std::string(1000, 'x')));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 403);
  EXPECT_FALSE(r->keep_alive());
  EXPECT_EQ(header_value(*r, "Connection"), "close");
  EXPECT_TRUE(c.closed_by_server(5s));
}

TEST_F(HttpServerTest, OversizeHeadersGet431AndClose) {
  ServerOptions o = test_options();
  o.limits.max_header_bytes = 8 * 1024;
  start(o);
  Client c(h().port());
  ASSERT_FALSE(c.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20 * 1024, 'a') + "\r\n\r\n"));
  auto r = c.read();
  ASSERT_TRUE(r) << c.error().message();
  EXPECT_EQ(r->result_int(), 431);
  EXPECT_NE(r->body().find("<Code>RequestHeaderTooLarge</Code>"), std::string::npos) << r->body();
  EXPECT_EQ(header_value(*r, "Content-Type"), "application/xml");
  EXPECT_FALSE(r->keep_alive());
  EXPECT_TRUE(c.closed_by_server(5s));
  EXPECT_TRUE(h().handler.snapshot().empty());
}

TEST_F(HttpServerTest, HeadersJustUnderTheLimitPass) {
  ServerOptions o = test_options();
  o.limits.max_header_bytes = 8 * 1024;
  start(o);
  Client c(h().port());
  ASSERT_FALSE(c.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(7 * 1024, 'a') + "\r\n\r\n"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
}

TEST_F(HttpServerTest, MalformedRequestGets400AndClose) {
  start();
  Client c(h().port());
  ASSERT_FALSE(c.send("GET / HTTP/1.1\r\nHost x\r\n\r\n"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 400);
  EXPECT_NE(r->body().find("<Code>InvalidRequest</Code>"), std::string::npos);
  EXPECT_TRUE(c.closed_by_server(5s));
}

TEST_F(HttpServerTest, ConflictingFramingGets400) {
  start();
  Client c(h().port());
  ASSERT_FALSE(c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 400);
  EXPECT_TRUE(h().handler.snapshot().empty());
}

TEST_F(HttpServerTest, InjectedRendererFormatsServerErrors) {
  ServerOptions o = test_options();
  std::atomic<int> calls{0};
  o.render_error = [&calls](ErrorCode code, std::string message) {
    ++calls;
    Response r;
    r.status = code == ErrorCode::InvalidRequest ? 400 : 500;
    r.set("x-oss-request-id", "0123456789ABCDEF01234567");
    r.body = "custom:" + message.substr(0, 9);
    return r;
  };
  start(o);
  Client c(h().port());
  ASSERT_FALSE(c.send("NOT HTTP AT ALL\r\n\r\n"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 400);
  EXPECT_EQ(r->body(), "custom:Malformed");
  EXPECT_EQ(header_value(*r, "x-oss-request-id"), "0123456789ABCDEF01234567");
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(HttpServerTest, HandlerExceptionBecomes500) {
  start();
  Client c(h().port());
  ASSERT_FALSE(c.send("GET /throw HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 500);
  EXPECT_NE(r->body().find("<Code>InternalError</Code>"), std::string::npos);
}

TEST_F(HttpServerTest, InvalidStatusBecomes500) {
  start();
  Client c(h().port());
  ASSERT_FALSE(c.send("GET /bad-status HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 500);
}

TEST_F(HttpServerTest, ResponseHeadersWithLineBreaksAreDropped) {
  start();
  Client c(h().port());
  ASSERT_FALSE(c.send("GET /evil-header HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(header_value(*r, "X-Evil"), "<none>");
  EXPECT_EQ(header_value(*r, "Injected"), "<none>");
  EXPECT_EQ(header_value(*r, "X-Good"), "fine");
  EXPECT_EQ(header_value(*r, "Bad Name"), "<none>");
  EXPECT_EQ(header_value(*r, "Bad"), "<none>");
  EXPECT_EQ(header_value(*r, "Content-Length"), "2");
  EXPECT_EQ(r->body(), "ok");
}

TEST_F(HttpServerTest, ShortStreamedBodyCutsTheConnection) {
  start();
  Client c(h().port());
  ASSERT_FALSE(c.send("GET /short-stream HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.read();
  EXPECT_FALSE(r);  // the client sees a truncated message, never a silently short one
}

TEST_F(HttpServerTest, SlowHeadersAreCutOffAfterTheHeaderTimeout) {
  ServerOptions o = test_options();
  o.limits.header_timeout = 1s;
  start(o);
  // A raw non-blocking socket: trickle a header line every 100 ms (activity
  // must not extend the deadline) and watch for the server's close.
  asio::io_context ioc;
  tcp::socket s(ioc);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), h().port()));
  s.non_blocking(true);
  auto t0 = std::chrono::steady_clock::now();
  std::string line = "GET / HTTP/1.1\r\nHost: x\r\n";
  bool closed = false;
  while (!closed && std::chrono::steady_clock::now() - t0 < 5s) {
    beast::error_code ec;
    asio::write(s, asio::buffer(line), ec);
    line = "X-A: b\r\n";
    char c;
    if (!ec) s.read_some(asio::buffer(&c, 1), ec);
    if (ec && ec != asio::error::would_block) closed = true;
    else std::this_thread::sleep_for(100ms);
  }
  auto elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_TRUE(closed);
  EXPECT_GE(elapsed, 900ms);
  EXPECT_LT(elapsed, 3s);
  EXPECT_TRUE(h().handler.snapshot().empty());
}

TEST_F(HttpServerTest, SilentConnectionIsClosedAfterTheHeaderTimeout) {
  ServerOptions o = test_options();
  o.limits.header_timeout = 1s;
  start(o);
  Client c(h().port());
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closed_by_server(5s));
  auto elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(elapsed, 900ms);
  EXPECT_LT(elapsed, 3s);
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosed) {
  ServerOptions o = test_options();
  o.limits.keepalive_idle_timeout = 1s;
  start(o);
  Client c(h().port());
  ASSERT_FALSE(c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(c.read());
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closed_by_server(5s));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  EXPECT_TRUE(wait_until([&] { return h().server().stats().open_connections == 0; }));
}

TEST_F(HttpServerTest, BodyShorterThanContentLengthIsIncompleteBody) {
  start();
  Client c(h().port());
  ASSERT_FALSE(c.send("PUT /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789"));
  c.shutdown_send();
  ASSERT_TRUE(wait_until([&] { return h().handler.snapshot().size() == 1; }));
  auto seen = h().handler.snapshot();
  ASSERT_TRUE(seen[0].body_error.has_value());
  EXPECT_EQ(*seen[0].body_error, ErrorCode::IncompleteBody);
  EXPECT_EQ(seen[0].body_bytes, 10u);
  EXPECT_FALSE(seen[0].finished);
}

TEST_F(HttpServerTest, StalledBodyIsRequestTimeout) {
  ServerOptions o = test_options();
  o.limits.body_idle_timeout = 1s;
  start(o);
  Client c(h().port());
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_FALSE(c.send("PUT /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789"));
  ASSERT_TRUE(wait_until([&] { return h().handler.snapshot().size() == 1; }, 5s));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 900ms);
  auto seen = h().handler.snapshot();
  ASSERT_TRUE(seen[0].body_error.has_value());
  EXPECT_EQ(*seen[0].body_error, ErrorCode::RequestTimeout);
  // The socket outlives the timeout: the handler's answer reaches the client
  // before the close, and the connection is not reused.
  auto answer = c.read(false, 5s);
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->result_int(), 400);
  EXPECT_EQ(answer->body(), "bytes=10 hash=" + std::to_string(fnv1a(kFnvOffset, "0123456789", 10)));
  EXPECT_FALSE(answer->keep_alive());
  EXPECT_TRUE(c.closed_by_server(5s));
}

TEST_F(HttpServerTest, ConnectionsBeyondTheLimitAreClosed) {
  ServerOptions o = test_options();
  o.limits.max_connections = 1;
  start(o);
  Client first(h().port());
  ASSERT_FALSE(first.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(first.read());  // the first connection is established and counted
  Client second(h().port());
  EXPECT_TRUE(second.closed_by_server(5s));
  auto st = h().server().stats();
  EXPECT_EQ(st.rejected_total, 1u);
  EXPECT_EQ(st.accepted_total, 2u);
  EXPECT_EQ(st.open_connections, 1u);
  // The first one is unaffected.
  ASSERT_FALSE(first.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_TRUE(first.read());
}

TEST_F(HttpServerTest, Http10ClosesUnlessKeepAliveIsAsked) {
  start();
  Client c(h().port());
  ASSERT_FALSE(c.send("GET / HTTP/1.0\r\n\r\n"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->version(), 10u);
  EXPECT_EQ(r->body(), "hello");
  EXPECT_TRUE(c.closed_by_server(5s));

  Client k(h().port());
  ASSERT_FALSE(k.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  auto r1 = k.read();
  ASSERT_TRUE(r1);
  EXPECT_TRUE(r1->keep_alive());
  ASSERT_FALSE(k.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  EXPECT_TRUE(k.read());
}

TEST_F(HttpServerTest, StopLetsAnInFlightPutFinish) {
  start();
  Client c(h().port());
  Client idle(h().port());
  ASSERT_FALSE(idle.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(idle.read());

  const std::string body = pattern(0, 200000);
  ASSERT_FALSE(c.send("PUT /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n" + body.substr(0, 1000)));
  ASSERT_TRUE(wait_until([&] { return h().handler.body_progress.load() >= 1000; }));

  std::promise<std::chrono::milliseconds> stopped;
  auto stopped_future = stopped.get_future();
  std::thread stopper([&] { stopped.set_value(h().stop()); });

  // The idle keep-alive connection is closed at once; the upload goes on.
  EXPECT_TRUE(idle.closed_by_server(5s));
  EXPECT_EQ(stopped_future.wait_for(300ms), std::future_status::timeout);
  ASSERT_FALSE(c.send(body.substr(1000)));
  auto r = c.read();
  ASSERT_TRUE(r) << c.error().message();
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_EQ(r->body(), "bytes=200000 hash=" + std::to_string(fnv1a(kFnvOffset, body.data(), body.size())));
  EXPECT_FALSE(r->keep_alive());  // Connection: close while shutting down
  EXPECT_TRUE(c.closed_by_server(5s));
  stopper.join();
  EXPECT_LT(stopped_future.get(), 8s);  // well before the 10 s grace

  // Nothing listens any more.
  asio::io_context ioc;
  tcp::socket s(ioc);
  beast::error_code ec;
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), h().port()), ec);
  EXPECT_TRUE(ec);
}

TEST_F(HttpServerTest, StopForceClosesAfterTheGracePeriod) {
  ServerOptions o = test_options();
  o.limits.shutdown_grace = 1s;
  start(o);
  Client c(h().port());
  ASSERT_FALSE(c.send("PUT /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc"));
  ASSERT_TRUE(wait_until([&] { return h().handler.body_progress.load() >= 3; }));
  auto took = h().stop();
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 6s);
}

TEST_F(HttpServerTest, StopWithoutConnectionsReturnsAtOnce) {
  start();
  EXPECT_LT(h().stop(), 2s);
}

TEST(HttpServer, ListenFailsOnAPortInUse) {
  TestHandler handler;
  Server a(test_options(), handler);
  ASSERT_TRUE(a.listen().ok());
  ServerOptions o = test_options();
  o.port = a.bound_port();
  Server b(o, handler);
  auto st = b.listen();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("cannot listen"), std::string::npos);
}

TEST(HttpServer, TlsNeedsBothFiles) {
  TestHandler handler;
  ServerOptions o = test_options();
  o.tls_cert_file = "/nonexistent/cert.pem";
  Server s(o, handler);
  EXPECT_FALSE(s.listen().ok());
}

TEST(HttpServer, DefaultErrorResponseIsXml) {
  Response r = default_error_response(ErrorCode::InvalidRequest, "bad <thing> & more");
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.body.find("<Error><Code>InvalidRequest</Code><Message>bad &lt;thing&gt; &amp; more</Message></Error>"),
            std::string::npos);
}

}  // namespace
}  // namespace ossd::http
