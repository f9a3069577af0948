// The client's requests against a scripted server: the project's own HTTP
// server (src/http) in-process on 127.0.0.1:0, answering like OSS would,
// including the failures a test against the real ossd cannot provoke on
// demand (a part upload failing mid-way, a wrong ETag or CRC, a stalled
// answer, a keep-alive connection closed by the server).
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include "core/strings.hpp"
#include "crypto/base64.hpp"
#include "crypto/hash.hpp"
#include "http/server.hpp"
#include "ossd/client.hpp"

namespace ossd::client {
namespace {

using namespace std::chrono_literals;

struct Seen {
  std::string method;
  std::string target;
  std::vector<HeaderField> headers;
  std::string body;

  const std::string* header(std::string_view name) const {
    for (const auto& h : headers) {
      if (iequals(h.name, name)) return &h.value;
    }
    return nullptr;
  }
};

// Reads every request body, records the request and answers with the
// test's script. A script may ask for a delay (to provoke a timeout).
class ScriptedOss final : public http::Handler {
 public:
  using Script = std::function<http::Response(const Seen&)>;

  boost::asio::awaitable<http::Response> handle(const http::Request& request, http::BodyReader& body) override {
    Seen seen{request.method, request.target, request.headers, {}};
    std::vector<char> buffer(64 * 1024);
    while (true) {
      auto got = co_await body.read_some(buffer);
      if (!got || *got == 0) break;
      seen.body.append(buffer.data(), *got);
    }
    std::chrono::milliseconds delay{0};
    http::Response response;
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(seen);
      response = script_(seen);
      delay = delay_;
    }
    if (delay.count() > 0) {
      boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, delay);
      co_await timer.async_wait(boost::asio::use_awaitable);
    }
    co_return response;
  }

  void set_script(Script script, std::chrono::milliseconds delay = 0ms) {
    std::lock_guard lock(mutex_);
    script_ = std::move(script);
    delay_ = delay;
  }
  std::vector<Seen> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  std::mutex mutex_;
  Script script_ = [](const Seen&) { return http::Response{}; };
  std::chrono::milliseconds delay_{0};
  std::vector<Seen> requests_;
};

http::Response answer(unsigned status, std::string body = {}, std::vector<HeaderField> headers = {}) {
  http::Response response;
  response.status = status;
  response.body = std::move(body);
  response.headers = std::move(headers);
  response.set("x-oss-request-id", "5C3D9175B6FC201293AD4890");
  return response;
}

std::string error_xml(std::string_view code, std::string_view message) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + std::string(code) + "</Code><Message>" +
         std::string(message) + "</Message><RequestId>5C3D9175B6FC201293AD4890</RequestId></Error>";
}

std::string quoted_md5(std::string_view data) { return "\"" + hex_upper(crypto::md5(data)) + "\""; }

class ClientTransportTest : public ::testing::Test {
 protected:
  void SetUp() override { start({}); }

  void start(http::ServerLimits limits) {
    http::ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.io_threads = 1;
    options.limits = limits;
    options.limits.shutdown_grace = 5s;
    server_ = std::make_unique<http::Server>(options, oss_);
    auto listening = server_->listen();
    ASSERT_TRUE(listening.ok()) << listening.error().message;
    thread_ = std::thread([this] {
      server_->run();
      stopped_.set_value();
    });
    dir_ = std::filesystem::temp_directory_path() / ("ossd-client-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }

  void TearDown() override {
    server_->request_stop();
    if (stopped_.get_future().wait_for(20s) != std::future_status::ready) {
      std::fprintf(stderr, "scripted server did not stop\n");
      std::abort();  // a hung server must not hang the test run
    }
    thread_.join();
    std::filesystem::remove_all(dir_);
  }

  ClientOptions options(std::chrono::seconds io_timeout = 10s) const {
    ClientOptions o;
    o.endpoint = "http://127.0.0.1:" + std::to_string(server_->bound_port());
    o.credentials = {"LTAI5tTestAccessKeyId", "TestSecretKey0123456789abcdefghij", ""};
    o.io_timeout = io_timeout;
    return o;
  }

  std::filesystem::path write_file(const std::string& name, const std::string& data) {
    std::filesystem::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << data;
    return path;
  }

  ScriptedOss oss_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
  std::promise<void> stopped_;
  std::filesystem::path dir_;
};

TEST_F(ClientTransportTest, SignedPathStyleRequestCarriesTheBodyAndHeaders) {
  oss_.set_script([](const Seen& seen) { return answer(200, {}, {{"ETag", quoted_md5(seen.body)}}); });
  Client client(options());
  PutObjectOptions put;
  put.content_type = "text/plain";
  put.headers = {{"x-oss-meta-author", "alice"}};
  auto result = client.put_object_data("bkt", "dir/a b+c.txt", "hello", put);
  ASSERT_TRUE(result.ok()) << describe(result.error());
  EXPECT_EQ(result->etag, hex_upper(crypto::md5("hello")));

  auto seen = oss_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "PUT");
  EXPECT_EQ(seen[0].target, "/bkt/dir/a%20b%2Bc.txt");
  EXPECT_EQ(seen[0].body, "hello");
  EXPECT_EQ(*seen[0].header("Host"), "127.0.0.1:" + std::to_string(server_->bound_port()));
  EXPECT_EQ(*seen[0].header("Content-Type"), "text/plain");
  EXPECT_EQ(*seen[0].header("x-oss-meta-author"), "alice");
  ASSERT_NE(seen[0].header("x-oss-date"), nullptr);
  EXPECT_TRUE(seen[0].header("Authorization")->starts_with("OSS LTAI5tTestAccessKeyId:"));
}

TEST_F(ClientTransportTest, EachAddressingStyleNamesTheBucketWhereOssLooks) {
  oss_.set_script([](const Seen&) { return answer(204); });
  const std::string port = std::to_string(server_->bound_port());
  struct Case {
    std::string endpoint;
    AddressingStyle style;
    std::string host;
    std::string target;
  };
  const std::vector<Case> cases = {
      {"http://127.0.0.1:" + port, AddressingStyle::Auto, "127.0.0.1:" + port, "/bkt/k"},
      {"http://localhost:" + port, AddressingStyle::Auto, "bkt.localhost:" + port, "/k"},
      {"http://localhost:" + port, AddressingStyle::Path, "localhost:" + port, "/bkt/k"},
      {"http://localhost:" + port, AddressingStyle::Cname, "localhost:" + port, "/k"},
      // ali-oss's node build: the bucket travels in a Host of the region's domain.
      {"http://127.0.0.1:" + port, AddressingStyle::VirtualHosted, "bkt.oss-cn-hangzhou.aliyuncs.com", "/k"},
  };
  for (const auto& c : cases) {
    ClientOptions o = options();
    o.endpoint = c.endpoint;
    o.style = c.style;
    Client client(o);
    auto removed = client.delete_object("bkt", "k");
    ASSERT_TRUE(removed.ok()) << c.endpoint << ": " << describe(removed.error());
    const Seen seen = oss_.requests().back();
    EXPECT_EQ(*seen.header("Host"), c.host) << c.endpoint;
    EXPECT_EQ(seen.target, c.target) << c.endpoint;
  }
}

TEST_F(ClientTransportTest, HttpsEndpointsAreRefusedForRequests) {
  ClientOptions o = options();
  o.endpoint = "https://127.0.0.1:" + std::to_string(server_->bound_port());
  Client client(o);
  auto removed = client.delete_object("bkt", "k");
  ASSERT_FALSE(removed.ok());
  EXPECT_EQ(removed.error().code, ErrorCode::NotImplemented);
  EXPECT_TRUE(oss_.requests().empty());
}

TEST_F(ClientTransportTest, FailedPartAbortsTheMultipartUpload) {
  oss_.set_script([](const Seen& seen) {
    if (seen.method == "POST" && seen.target.ends_with("?uploads")) {
      return answer(200,
                    "<InitiateMultipartUploadResult><Bucket>bkt</Bucket><Key>big</Key><UploadId>UP1</UploadId>"
                    "</InitiateMultipartUploadResult>");
    }
    if (seen.method == "PUT" && seen.target.find("partNumber=1&") != std::string::npos) {
      return answer(200, {}, {{"ETag", quoted_md5(seen.body)}});
    }
    if (seen.method == "PUT") return answer(500, error_xml("InternalError", "disk on fire"));
    if (seen.method == "DELETE") return answer(204);
    return answer(400, error_xml("InvalidRequest", "unexpected"));
  });
  const std::string data(300 * 1024, 'x');
  const auto file = write_file("big", data);
  std::vector<uint64_t> progress;
  UploadFileOptions upload;
  upload.multipart_threshold = 200 * 1024;
  upload.part_size = 100 * 1024;
  upload.put.progress = [&](uint64_t done, uint64_t total) {
    EXPECT_EQ(total, data.size());
    progress.push_back(done);
  };
  Client client(options());
  auto result = client.upload_file("bkt", "big", file, upload);

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::InternalError);
  ServiceError typed = service_error(result.error());
  EXPECT_EQ(typed.http_status, 500u);
  EXPECT_EQ(typed.message, "disk on fire");
  EXPECT_EQ(typed.request_id, "5C3D9175B6FC201293AD4890");

  auto seen = oss_.requests();
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[1].target, "/bkt/big?partNumber=1&uploadId=UP1");
  EXPECT_EQ(seen[1].body.size(), 100u * 1024);
  EXPECT_EQ(seen[2].target, "/bkt/big?partNumber=2&uploadId=UP1");
  EXPECT_EQ(seen[3].method, "DELETE");
  EXPECT_EQ(seen[3].target, "/bkt/big?uploadId=UP1");
  ASSERT_FALSE(progress.empty());
  EXPECT_TRUE(std::is_sorted(progress.begin(), progress.end()));
  EXPECT_GE(progress.back(), 200u * 1024);
}

TEST_F(ClientTransportTest, MultipartUploadCompletesWithThePartsInOrder) {
  oss_.set_script([](const Seen& seen) {
    if (seen.target.ends_with("?uploads")) {
      return answer(200, "<InitiateMultipartUploadResult><UploadId>UP2</UploadId></InitiateMultipartUploadResult>");
    }
    if (seen.method == "PUT") return answer(200, {}, {{"ETag", quoted_md5(seen.body)}});
    return answer(200, "<CompleteMultipartUploadResult><ETag>\"ABC-3\"</ETag></CompleteMultipartUploadResult>");
  });
  std::string data;
  for (int i = 0; i < 250 * 1024; ++i) data.push_back(static_cast<char>(i * 7));
  Client client(options());
  UploadFileOptions upload;
  upload.multipart_threshold = 1;
  upload.part_size = 100 * 1024;
  auto result = client.upload_file("bkt", "big", write_file("big", data), upload);
  ASSERT_TRUE(result.ok()) << describe(result.error());
  EXPECT_EQ(result->etag, "ABC-3");

  auto seen = oss_.requests();
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[4].method, "POST");
  EXPECT_EQ(seen[4].target, "/bkt/big?uploadId=UP2");
  EXPECT_EQ(seen[1].body + seen[2].body + seen[3].body, data);
  const std::string expected_body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CompleteMultipartUpload>"
      "<Part><PartNumber>1</PartNumber><ETag>" +
      quoted_md5(seen[1].body) +
      "</ETag></Part>"
      "<Part><PartNumber>2</PartNumber><ETag>" +
      quoted_md5(seen[2].body) +
      "</ETag></Part>"
      "<Part><PartNumber>3</PartNumber><ETag>" +
      quoted_md5(seen[3].body) +
      "</ETag></Part>"
      "</CompleteMultipartUpload>";
  EXPECT_EQ(seen[4].body, expected_body);
}

TEST_F(ClientTransportTest, AnEtagThatIsNotTheMd5OfTheBytesSentIsBadDigest) {
  oss_.set_script([](const Seen&) { return answer(200, {}, {{"ETag", quoted_md5("something else")}}); });
  Client client(options());
  auto result = client.put_object_data("bkt", "k", "hello");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::BadDigest);
}

TEST_F(ClientTransportTest, DownloadWithAWrongCrcLeavesNoFile) {
  oss_.set_script([](const Seen&) { return answer(200, "payload", {{"x-oss-hash-crc64ecma", "12345"}}); });
  Client client(options());
  const auto target = dir_ / "out.bin";
  auto result = client.get_object_to_file("bkt", "k", target);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::BadDigest);
  EXPECT_TRUE(std::filesystem::is_empty(dir_));
}

TEST_F(ClientTransportTest, DownloadStreamsTheBodyAndReportsProgress) {
  const std::string payload(700 * 1024, 'p');
  oss_.set_script([&](const Seen&) { return answer(200, payload, {{"Content-Type", "application/x-test"}}); });
  Client client(options());
  std::ostringstream out;
  uint64_t last_done = 0, last_total = 0;
  GetObjectOptions get;
  get.progress = [&](uint64_t done, uint64_t total) {
    last_done = done;
    last_total = total;
  };
  auto meta = client.get_object("bkt", "k", out, get);
  ASSERT_TRUE(meta.ok()) << describe(meta.error());
  EXPECT_EQ(out.str(), payload);
  EXPECT_EQ(meta->size, payload.size());
  EXPECT_EQ(meta->content_type, "application/x-test");
  EXPECT_EQ(last_done, payload.size());
  EXPECT_EQ(last_total, payload.size());
}

TEST_F(ClientTransportTest, HeadErrorsAreReadFromXOssErr) {
  oss_.set_script([](const Seen&) {
    return answer(404, {}, {{"x-oss-err", crypto::base64_encode(error_xml("NoSuchKey", "gone"))}});
  });
  Client client(options());
  auto meta = client.head_object("bkt", "k");
  ASSERT_FALSE(meta.ok());
  EXPECT_EQ(meta.error().code, ErrorCode::NoSuchKey);
  EXPECT_EQ(service_error(meta.error()).message, "gone");
  EXPECT_EQ(service_error(meta.error()).http_status, 404u);
}

TEST_F(ClientTransportTest, AStalledAnswerTimesOut) {
  oss_.set_script([](const Seen&) { return answer(204); }, 3000ms);
  Client client(options(1s));
  auto started = std::chrono::steady_clock::now();
  auto removed = client.delete_object("bkt", "k");
  ASSERT_FALSE(removed.ok());
  EXPECT_EQ(removed.error().code, ErrorCode::RequestTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2900ms);
}

TEST_F(ClientTransportTest, ListingFollowsContinuationTokens) {
  oss_.set_script([](const Seen& seen) {
    if (seen.target.find("continuation-token=T2") == std::string::npos) {
      return answer(200,
                    "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>T2"
                    "</NextContinuationToken><Contents><Key>a</Key><Size>1</Size></Contents></ListBucketResult>");
    }
    return answer(200,
                  "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>b</Key><Size>2</Size>"
                  "</Contents></ListBucketResult>");
  });
  Client client(options());
  std::vector<std::string> keys;
  auto listed = client.list_all_objects("bkt", {}, [&](const ListObjectsPage& page) {
    for (const auto& object : page.objects) keys.push_back(object.key);
    return true;
  });
  ASSERT_TRUE(listed.ok()) << describe(listed.error());
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b"}));
  auto seen = oss_.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].target, "/bkt/?list-type=2&encoding-type=url");
  EXPECT_EQ(seen[1].target, "/bkt/?list-type=2&continuation-token=T2&encoding-type=url");
}

TEST_F(ClientTransportTest, NoServerIsAnErrorWithoutStatus) {
  ClientOptions o = options();
  o.endpoint = "http://127.0.0.1:1";
  Client client(o);
  auto removed = client.delete_object("bkt", "k");
  ASSERT_FALSE(removed.ok());
  EXPECT_EQ(removed.error().code, ErrorCode::ServiceUnavailable);
  EXPECT_EQ(service_error(removed.error()).http_status, 0u);
}

class ClientKeepAliveTest : public ClientTransportTest {
 protected:
  void SetUp() override {
    http::ServerLimits limits;
    limits.keepalive_idle_timeout = 1s;
    start(limits);
  }
};

TEST_F(ClientKeepAliveTest, AConnectionTheServerClosedIsReplacedTransparently) {
  oss_.set_script([](const Seen& seen) { return answer(200, {}, {{"ETag", quoted_md5(seen.body)}}); });
  Client client(options());
  auto first = client.put_object_data("bkt", "k", "first");
  ASSERT_TRUE(first.ok()) << describe(first.error());
  std::this_thread::sleep_for(1500ms);  // the server drops the idle connection
  auto second = client.put_object_data("bkt", "k", "second");
  ASSERT_TRUE(second.ok()) << describe(second.error());
  auto seen = oss_.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].body, "second");
}

}  // namespace
}  // namespace ossd::client
