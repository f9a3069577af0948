// The server over TLS: a throw-away self-signed certificate made with OpenSSL
// for each run, a Beast TLS client that does not verify it.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdio>
#include <filesystem>
#include <future>
#include <thread>

#include "http/server.hpp"

namespace ossd::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// Writes a P-256 key and a one-hour self-signed certificate for localhost.
bool make_certificate(const fs::path& cert, const fs::path& key) {
  EVP_PKEY* pkey = EVP_EC_gen("P-256");
  X509* x = X509_new();
  bool ok = pkey && x;
  ok = ok && X509_set_version(x, 2) == 1;
  ok = ok && ASN1_INTEGER_set(X509_get_serialNumber(x), 1) == 1;
  ok = ok && X509_gmtime_adj(X509_getm_notBefore(x), -60) && X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  ok = ok && X509_set_pubkey(x, pkey) == 1;
  X509_NAME* name = ok ? X509_get_subject_name(x) : nullptr;
  ok = ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"),
                                        -1, -1, 0) == 1;
  ok = ok && X509_set_issuer_name(x, name) == 1;
  ok = ok && X509_sign(x, pkey, EVP_sha256()) > 0;
  if (ok) {
    FILE* f = std::fopen(cert.c_str(), "w");
    ok = f && PEM_write_X509(f, x) == 1;
    if (f) std::fclose(f);
  }
  if (ok) {
    FILE* f = std::fopen(key.c_str(), "w");
    ok = f && PEM_write_PrivateKey(f, pkey, nullptr, nullptr, 0, nullptr, nullptr) == 1;
    if (f) std::fclose(f);
  }
  X509_free(x);
  EVP_PKEY_free(pkey);
  return ok;
}

class EchoHandler final : public Handler {
 public:
  asio::awaitable<Response> handle(const Request& request, BodyReader& body) override {
    uint64_t total = 0;
    bool timed_out = false;
    std::vector<char> buf(16 * 1024);
    for (;;) {
      auto n = co_await body.read_some(buf);
      if (!n.ok()) timed_out = n.error().code == ErrorCode::RequestTimeout;
      if (!n.ok() || *n == 0) break;
      total += *n;
    }
    Response r;
    r.body = request.method + " " + request.target + " secure=" + (request.secure ? "1" : "0") +
             " bytes=" + std::to_string(total);
    if (timed_out) {
      r.status = 400;
      r.body += " timed out";
    }
    co_return r;
  }
};

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("ossd-tls-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    ASSERT_TRUE(make_certificate(dir_ / "cert.pem", dir_ / "key.pem"));
    ServerOptions o;
    o.port = 0;
    o.io_threads = 2;
    o.tls_cert_file = (dir_ / "cert.pem").string();
    o.tls_key_file = (dir_ / "key.pem").string();
    o.limits.header_timeout = 2s;
    o.limits.body_idle_timeout = 2s;
    server_ = std::make_unique<Server>(o, handler_);
    auto st = server_->listen();
    ASSERT_TRUE(st.ok()) << st.error().message;
    thread_ = std::thread([this] {
      server_->run();
      done_.set_value();
    });
  }
  void TearDown() override {
    if (thread_.joinable()) {
      server_->request_stop();
      if (done_.get_future().wait_for(20s) != std::future_status::ready) std::abort();
      thread_.join();
    }
    fs::remove_all(dir_);
  }

  // A client that does not verify the throw-away certificate.
  struct TlsClient {
    asio::io_context ioc;
    asio::ssl::context ctx{unverified_context()};
    beast::ssl_stream<beast::tcp_stream> stream{ioc, ctx};
  };
  static asio::ssl::context unverified_context() {
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_verify_mode(asio::ssl::verify_none);
    return ctx;
  }

  // Connects and completes the TLS handshake, with 10 s for the whole test.
  void connect(TlsClient& client) {
    auto& [ioc, ctx, stream] = client;
    beast::get_lowest_layer(stream).expires_after(10s);
    beast::error_code ec;
    auto endpoint = tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->bound_port());
    beast::get_lowest_layer(stream).async_connect(endpoint, [&](beast::error_code e) { ec = e; });
    ioc.run();
    ASSERT_FALSE(ec) << ec.message();
    ioc.restart();
    stream.async_handshake(asio::ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
    ioc.run();
    ASSERT_FALSE(ec) << ec.message();
  }

  fs::path dir_;
  EchoHandler handler_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::promise<void> done_;
};

TEST_F(TlsTest, RequestsOverTls) {
  TlsClient client;
  auto& [ioc, ctx, stream] = client;
  beast::error_code ec;
  ASSERT_NO_FATAL_FAILURE(connect(client));

  beast::flat_buffer buffer;
  for (int i = 0; i < 2; ++i) {  // keep-alive over one TLS session
    bhttp::request<bhttp::string_body> req(bhttp::verb::put, "/k" + std::to_string(i), 11);
    req.set(bhttp::field::host, "localhost");
    req.body() = std::string(300000, 'x');
    req.prepare_payload();
    ioc.restart();
    bhttp::async_write(stream, req, [&](beast::error_code e, size_t) { ec = e; });
    ioc.run();
    ASSERT_FALSE(ec) << ec.message();
    bhttp::response<bhttp::string_body> res;
    ioc.restart();
    bhttp::async_read(stream, buffer, res, [&](beast::error_code e, size_t) { ec = e; });
    ioc.run();
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_EQ(res.body(), "PUT /k" + std::to_string(i) + " secure=1 bytes=300000");
  }
}

// The idle timeout cancels the read inside the TLS stream without closing
// it: the answer still goes out, encrypted, before the close.
TEST_F(TlsTest, StalledBodyIsAnsweredBeforeTheClose) {
  TlsClient client;
  auto& [ioc, ctx, stream] = client;
  beast::error_code ec;
  ASSERT_NO_FATAL_FAILURE(connect(client));

  const std::string_view stalled = "PUT /stall HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n0123456789";
  ioc.restart();
  asio::async_write(stream, asio::buffer(stalled), [&](beast::error_code e, size_t) { ec = e; });
  ioc.run();
  ASSERT_FALSE(ec) << ec.message();
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  ioc.restart();
  bhttp::async_read(stream, buffer, res, [&](beast::error_code e, size_t) { ec = e; });
  ioc.run();
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(res.body(), "PUT /stall secure=1 bytes=10 timed out");
  EXPECT_FALSE(res.keep_alive());
}

TEST_F(TlsTest, PlainHttpClientIsDropped) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(10s);
  beast::error_code ec;
  stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->bound_port()),
                       [&](beast::error_code e) { ec = e; });
  ioc.run();
  ASSERT_FALSE(ec);
  std::string_view req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  ioc.restart();
  asio::async_write(stream, asio::buffer(req), [&](beast::error_code e, size_t) { ec = e; });
  ioc.run();
  char c[1024];
  size_t got = 0;
  ioc.restart();
  // The handshake fails: the connection ends without an HTTP response.
  for (;;) {
    size_t n = 0;
    stream.async_read_some(asio::buffer(c), [&](beast::error_code e, size_t k) {
      ec = e;
      n = k;
    });
    ioc.restart();
    ioc.run();
    if (ec) break;
    got += n;
  }
  EXPECT_NE(ec, beast::error::timeout);
  EXPECT_NE(std::string(c, std::min(got, sizeof c)).find("HTTP/1.1 200"), 0u);
}

TEST(TlsConfig, UnreadableCertificateFailsListen) {
  class Nop final : public Handler {
    asio::awaitable<Response> handle(const Request&, BodyReader&) override { co_return Response{}; }
  } handler;
  ServerOptions o;
  o.port = 0;
  o.tls_cert_file = "/nonexistent/cert.pem";
  o.tls_key_file = "/nonexistent/key.pem";
  Server s(o, handler);
  auto st = s.listen();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("cert.pem"), std::string::npos);
}

}  // namespace
}  // namespace ossd::http
