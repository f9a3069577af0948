// PostObject around the parser: the form reader over a body that arrives in
// small reads, the response shapes (status, 201 document, redirect), the
// x-oss-traffic-limit values and the token bucket that paces transfers.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <cstring>

#include "api/post_form.hpp"
#include "api/request_parsing.hpp"
#include "api/throttle.hpp"
#include "oss/post_object.hpp"

namespace ossd::api {
namespace {

// A request body handed out `piece` bytes per read.
class ChunkedBody final : public http::BodyReader {
 public:
  ChunkedBody(std::string data, std::size_t piece) : data_(std::move(data)), piece_(piece) {}
  boost::asio::awaitable<Result<std::size_t>> read_some(std::span<char> out) override {
    const std::size_t n = std::min({piece_, out.size(), data_.size() - offset_});
    std::memcpy(out.data(), data_.data() + offset_, n);
    offset_ += n;
    co_return n;
  }
  bool finished() const override { return offset_ == data_.size(); }

 private:
  std::string data_;
  std::size_t piece_;
  std::size_t offset_ = 0;
};

template <class T>
T run(boost::asio::awaitable<T> task) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
  io.run();
  return future.get();
}

const std::string kBoundary = "XyZ-boundary";

std::string field(const std::string& name, const std::string& value) {
  return "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
}

std::string file_part(const std::string& data) {
  return "--" + kBoundary +
         "\r\nContent-Disposition: form-data; name=\"File\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\n" +
         data + "\r\n";
}

const std::string kClose = "--" + kBoundary + "--\r\n";

struct FormResult {
  Result<PostFormFields> fields = Error(ErrorCode::InternalError);
  Result<std::string> file = Error(ErrorCode::InternalError);
};

FormResult read_form(const std::string& body, std::size_t piece, std::size_t max_fields = 1024,
                     std::size_t buffer = 256) {
  return run([&]() -> boost::asio::awaitable<FormResult> {
    ChunkedBody source(body, piece);
    PostFormReader reader(source, kBoundary, max_fields, buffer);
    FormResult out;
    out.fields = co_await reader.read_fields();
    if (!out.fields) co_return out;
    std::string file;
    char chunk[7];
    for (;;) {
      auto got = co_await reader.read_some(std::span<char>(chunk, sizeof chunk));
      if (!got) {
        out.file = std::move(got).error();
        co_return out;
      }
      if (got.value() == 0) break;
      file.append(chunk, got.value());
    }
    EXPECT_TRUE(reader.finished());
    out.file = file;
    co_return out;
  }());
}

TEST(PostFormReader, FieldsThenStreamedFileForEveryReadSize) {
  std::string data;
  for (int i = 0; i < 500; ++i) data += "line " + std::to_string(i) + "\r\n";
  const std::string body = field("key", "dir/${filename}") + field("x-oss-meta-A", "1") + file_part(data) + kClose;
  for (std::size_t piece : {1u, 2u, 5u, 13u, 64u, 1000u}) {
    SCOPED_TRACE(piece);
    // A buffer far smaller than the file: the file must stream through it.
    FormResult result = read_form(body, piece);
    ASSERT_TRUE(result.fields.ok()) << result.fields.error().message;
    ASSERT_EQ(result.fields->fields.size(), 2u);
    EXPECT_EQ(result.fields->fields[0].name, "key");
    EXPECT_EQ(result.fields->fields[0].value, "dir/${filename}");
    EXPECT_EQ(result.fields->fields[1].name, "x-oss-meta-A");
    EXPECT_EQ(result.fields->filename, "a.txt");
    EXPECT_EQ(result.fields->file_content_type, "text/plain");
    ASSERT_TRUE(result.file.ok()) << result.file.error().message;
    EXPECT_EQ(result.file.value(), data);
  }
}

TEST(PostFormReader, FileMustBeTheLastField) {
  const std::string body = field("key", "k") + file_part("data") + field("x-oss-meta-late", "1") + kClose;
  FormResult result = read_form(body, 3);
  ASSERT_TRUE(result.fields.ok());
  ASSERT_FALSE(result.file.ok());
  EXPECT_EQ(result.file.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(result.file.error().message.find("last field"), std::string::npos);
}

TEST(PostFormReader, RefusedForms) {
  struct Row {
    const char* what;
    std::string body;
    ErrorCode code;
  };
  const Row rows[] = {
      {"no file part", field("key", "k") + kClose, ErrorCode::InvalidArgument},
      {"a field twice", field("key", "a") + field("KEY", "b") + file_part("x") + kClose, ErrorCode::InvalidArgument},
      {"fields over the cap", field("key", std::string(2000, 'k')) + file_part("x") + kClose,
       ErrorCode::InvalidArgument},
      {"no closing boundary", field("key", "k") + file_part("x"), ErrorCode::MalformedPOSTRequest},
      {"body cut in the file",
       field("key", "k") + "--" + kBoundary + "\r\nContent-Disposition: form-data; name=file\r\n\r\npartial",
       ErrorCode::MalformedPOSTRequest},
      {"not multipart at all", "key=k&file=x", ErrorCode::MalformedPOSTRequest},
  };
  for (const Row& row : rows) {
    FormResult result = read_form(row.body, 4);
    const Error* error = !result.fields.ok() ? &result.fields.error()
                         : !result.file.ok() ? &result.file.error()
                                             : nullptr;
    ASSERT_NE(error, nullptr) << row.what;
    EXPECT_EQ(error->code, row.code) << row.what << ": " << error->message;
  }
}

TEST(PostFormReader, AtMost256FieldsBeforeTheFile) {
  std::string many;
  for (int i = 0; i < 256; ++i) many += field(std::to_string(i) + "f", "");
  FormResult ok = read_form(many + file_part("x") + kClose, 1000, 1 << 20);
  ASSERT_TRUE(ok.fields.ok()) << ok.fields.error().message;
  EXPECT_EQ(ok.fields->fields.size(), 256u);
  FormResult too_many = read_form(many + field("one-more", "") + file_part("x") + kClose, 1000, 1 << 20);
  ASSERT_FALSE(too_many.fields.ok());
  EXPECT_EQ(too_many.fields.error().code, ErrorCode::InvalidArgument);
}

// ------------------------------------------------------------- responses

TEST(PostResponse, SuccessStatus) {
  const std::string s200 = "200", s201 = "201", s204 = "204", other = "302", junk = "abc";
  EXPECT_EQ(oss::post_success_status(nullptr), 204u);
  EXPECT_EQ(oss::post_success_status(&s200), 200u);
  EXPECT_EQ(oss::post_success_status(&s201), 201u);
  EXPECT_EQ(oss::post_success_status(&s204), 204u);
  EXPECT_EQ(oss::post_success_status(&other), 204u);
  EXPECT_EQ(oss::post_success_status(&junk), 204u);
}

TEST(PostResponse, Document) {
  EXPECT_EQ(oss::render_post_response("b", "http://b.localhost/a%20%26.txt", "a &.txt", "ABC"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><PostResponse><Bucket>b</Bucket>"
            "<Location>http://b.localhost/a%20%26.txt</Location><Key>a &amp;.txt</Key>"
            "<ETag>\"ABC\"</ETag></PostResponse>");
}

TEST(PostResponse, RedirectTargets) {
  EXPECT_EQ(oss::post_redirect_location("https://app.example/done", "b", "k/a b", "E1"),
            "https://app.example/done?bucket=b&key=k%2Fa%20b&etag=%22E1%22");
  EXPECT_EQ(oss::post_redirect_location("https://app.example/done?x=1", "b", "k", "E1"),
            "https://app.example/done?x=1&bucket=b&key=k&etag=%22E1%22");
  EXPECT_EQ(oss::post_redirect_location("https://app.example/done?", "b", "k", "E1"),
            "https://app.example/done?bucket=b&key=k&etag=%22E1%22");
  EXPECT_EQ(oss::post_redirect_location("https://app.example/done#top", "b", "k", "E1"),
            "https://app.example/done?bucket=b&key=k&etag=%22E1%22#top");
  // Header injection through the key is impossible: it is percent-encoded.
  EXPECT_EQ(oss::post_redirect_location("http://a/", "b", "x\r\nSet-Cookie: y", "E"),
            "http://a/?bucket=b&key=x%0D%0ASet-Cookie%3A%20y&etag=%22E%22");

  EXPECT_TRUE(oss::validate_post_redirect("https://app.example/done?x=1"));
  EXPECT_TRUE(oss::validate_post_redirect("HTTP://app.example/"));
  for (const char* bad : {"", "/relative", "javascript:alert(1)", "ftp://x/", "http://a/\r\nSet-Cookie: x",
                          "http://a/ b", "http://\xc3\xa9.example/"}) {
    auto checked = oss::validate_post_redirect(bad);
    ASSERT_FALSE(checked.ok()) << bad;
    EXPECT_EQ(checked.error().code, ErrorCode::InvalidArgument);
  }
}

// ---------------------------------------------------------- traffic limit

TEST(TrafficLimit, ValidRangeIs100KBTo100MBPerSecond) {
  struct Row {
    std::optional<std::string> value;
    bool ok;
  };
  const Row rows[] = {
      {std::nullopt, true}, {"819200", true},     {"838860800", true}, {"1000000", true},
      {"819199", false},    {"838860801", false}, {"0", false},        {"", false},
      {"-819200", false},   {"8e5", false},       {"819200 ", false},  {"99999999999999999999999", false},
  };
  for (const Row& row : rows) {
    auto parsed = parse_traffic_limit(row.value ? &*row.value : nullptr);
    ASSERT_EQ(parsed.ok(), row.ok) << row.value.value_or("(absent)");
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.error().code, ErrorCode::InvalidArgument);
    } else if (row.value) {
      EXPECT_EQ(parsed.value(), std::stoull(*row.value));
    } else {
      EXPECT_FALSE(parsed.value());
    }
  }
}

TEST(TokenBucket, PacesToTheRate) {
  using namespace std::chrono;
  const auto t0 = TokenBucket::Clock::time_point{};
  TokenBucket bucket(1000, t0);  // 1000 B/s, burst 100 B
  EXPECT_EQ(bucket.max_chunk(), 100u);
  // Starts empty: the first 100 bytes wait 100 ms.
  EXPECT_EQ(duration_cast<milliseconds>(bucket.take(100, t0)).count(), 100);
  // Taken at once again without waiting: the debt adds up.
  EXPECT_EQ(duration_cast<milliseconds>(bucket.take(100, t0)).count(), 200);
  // After paying the debt, the next 100 bytes need another 100 ms.
  EXPECT_EQ(duration_cast<milliseconds>(bucket.take(100, t0 + milliseconds(200))).count(), 100);
}

TEST(TokenBucket, TotalTimeIsBytesOverRate) {
  using namespace std::chrono;
  // 819200 bit/s = 102400 B/s; 307200 bytes in chunks: 3 s of waiting.
  auto now = TokenBucket::Clock::time_point{};
  TokenBucket bucket(819200 / 8, now);
  uint64_t left = 307200;
  while (left > 0) {
    const uint64_t n = std::min<uint64_t>(left, bucket.max_chunk());
    now += bucket.take(n, now);
    left -= n;
  }
  EXPECT_NEAR(duration<double>(now.time_since_epoch()).count(), 3.0, 0.01);
}

TEST(TokenBucket, IdleTimeRefillsOnlyUpToTheBurst) {
  using namespace std::chrono;
  const auto t0 = TokenBucket::Clock::time_point{};
  TokenBucket bucket(1000, t0);
  // A minute idle buys 100 bytes (the burst), not 60000.
  EXPECT_EQ(bucket.take(100, t0 + seconds(60)), TokenBucket::Clock::duration::zero());
  EXPECT_EQ(duration_cast<milliseconds>(bucket.take(100, t0 + seconds(60))).count(), 100);
}

TEST(ThrottledSource, WaitsOnATimerWithoutBlocking) {
  // A tiny rate so the test is quick: 8192 bit/s = 1024 B/s, burst 102 B.
  class Bytes final : public http::BodySource {
   public:
    explicit Bytes(std::size_t n) : left_(n) {}
    boost::asio::awaitable<Result<std::size_t>> read_some(std::span<char> out) override {
      const std::size_t n = std::min(left_, out.size());
      std::memset(out.data(), 'x', n);
      left_ -= n;
      co_return n;
    }

   private:
    std::size_t left_;
  };
  const auto started = std::chrono::steady_clock::now();
  const std::size_t total = run([]() -> boost::asio::awaitable<std::size_t> {
    ThrottledSource source(std::make_unique<Bytes>(307), 8192);
    std::size_t sum = 0;
    char buffer[4096];
    for (;;) {
      auto got = co_await source.read_some(std::span<char>(buffer, sizeof buffer));
      if (!got || got.value() == 0) break;
      EXPECT_LE(got.value(), 102u);
      sum += got.value();
    }
    co_return sum;
  }());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(total, 307u);
  EXPECT_GT(seconds, 0.27);  // 307 B at 1024 B/s = 0.30 s
  EXPECT_LT(seconds, 0.6);
}

}  // namespace
}  // namespace ossd::api
