// Every case of v1-signed-url and v4-signed-url (ali-oss@6.23.0 with a
// frozen clock): the client must produce the SDK's URL byte for byte.
#include <gtest/gtest.h>

#include "client_test_support.hpp"
#include "ossd/signing.hpp"

namespace ossd::client::test {
namespace {

// ali-oss signatureUrl options (a JSON object) -> SignUrlOptions.
SignUrlOptions v1_options_of(const ordered_json& options) {
  SignUrlOptions out;
  if (options.is_null()) return out;
  for (const auto& [name, value] : options.items()) {
    if (name == "method") {
      out.method = value.get<std::string>();
    } else if (name == "expires") {
      out.expires = value.get<int64_t>();
    } else if (name == "Content-Type") {
      out.content_type = value.get<std::string>();
    } else if (name == "Content-MD5") {
      out.content_md5 = value.get<std::string>();
    } else if (name == "process") {
      out.process = value.get<std::string>();
    } else if (name == "trafficLimit") {
      out.traffic_limit = value.get<uint64_t>();
    } else if (name == "response") {
      for (const auto& [k, v] : value.items()) out.response.emplace_back(k, v.get<std::string>());
    } else if (name.starts_with("x-oss-")) {
      out.headers.push_back({name, value.get<std::string>()});
    } else {
      ADD_FAILURE() << "option " << name << " is not mapped by this test";
    }
  }
  return out;
}

class V1SignedUrl : public ::testing::TestWithParam<ordered_json> {};

TEST_P(V1SignedUrl, MatchesAliOssByteForByte) {
  const ordered_json& c = GetParam();
  const UrlSigningConfig config = url_config_of(c.at("client_options"));
  const std::string bucket = c.at("client_options").at("bucket").get<std::string>();
  const SystemTime now = from_unix_seconds(c.at("now_epoch").get<int64_t>());
  auto url = signature_url(config, bucket, c.at("name").get<std::string>(), v1_options_of(c.at("options")), now);

  const ordered_json& expected = c.at("expected");
  if (expected.contains("throws")) {
    ASSERT_FALSE(url.ok());
    EXPECT_EQ(url.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(url.error().message, expected.at("throws").get<std::string>());
    return;
  }
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_EQ(*url, expected.at("url").get<std::string>());
}

INSTANTIATE_TEST_SUITE_P(Vectors, V1SignedUrl, ::testing::ValuesIn(cases_of("v1-signed-url.public.json")), case_name);

TEST(V1SignedUrlClock, ExpiresRoundsLikeMathRound) {
  UrlSigningConfig config;
  config.endpoint = parse_endpoint("http://localhost:9000").value();
  config.credentials = {"id", "secret", ""};
  SignUrlOptions options;
  options.expires = 60;
  auto at = [&](int64_t ms) { return signature_url(config, "b", "k", options, from_unix_millis(ms)).value(); };
  EXPECT_NE(at(1716193800499).find("Expires=1716193860&"), std::string::npos);
  EXPECT_NE(at(1716193800500).find("Expires=1716193861&"), std::string::npos);
}

// Expected output of ali-oss@6.23.0 for the same call, with Date.now()
// returning 1716193800000 (the vectors have no callback case).
TEST(V1SignedUrlOptions, CallbackMatchesAliOss) {
  UrlSigningConfig config;
  config.endpoint = parse_endpoint("http://localhost:9000").value();
  config.credentials = {"id", "secret", ""};
  SignUrlOptions options;
  options.method = "PUT";
  options.callback =
      UrlCallback{"http://cb.example.com/a b", "bucket=${bucket}", "cb.example.com", "", false, {{"uid", "42"}}};
  EXPECT_EQ(signature_url(config, "bkt", "k", options, from_unix_seconds(1716193800)).value(),
            "http://bkt.localhost:9000/k?OSSAccessKeyId=id&Expires=1716195600&Signature=m8sIbnZXM21sHAbc45yThA2Iaxo%3D"
            "&callback=eyJjYWxsYmFja1VybCI6Imh0dHA6Ly9jYi5leGFtcGxlLmNvbS9hJTIwYiIsImNhbGxiYWNrQm9keSI6ImJ1Y2tldD0ke2J1"
            "Y2tldH0iLCJjYWxsYmFja0hvc3QiOiJjYi5leGFtcGxlLmNvbSJ9&callback-var=eyJ4OnVpZCI6IjQyIn0%3D");
}

TEST(V1SignedUrlOptions, RejectsNamesStartingWithQuestionMarkAndStripsLeadingSlashes) {
  UrlSigningConfig config;
  config.endpoint = parse_endpoint("http://localhost:9000").value();
  config.credentials = {"id", "secret", ""};
  EXPECT_FALSE(signature_url(config, "b", "?x", {}, from_unix_seconds(0)).ok());
  EXPECT_EQ(signature_url(config, "b", "//k", {}, from_unix_seconds(0)).value(),
            signature_url(config, "b", "k", {}, from_unix_seconds(0)).value());
}

// ---------------------------------------------------------------- V4

// signatureUrlV4's arguments for each vector, transcribed from its `call`
// (the vectors record the call as JavaScript source); the test checks the
// transcription against the call text so a changed vector cannot go
// unnoticed.
struct V4Call {
  std::string call;
  std::string method;
  int64_t expires;
  SignUrlV4Request request;
  std::string key;
};

const std::map<std::string, V4Call>& v4_calls() {
  static const std::map<std::string, V4Call> calls = {
      {"get-3600", {"client.signatureUrlV4('GET', 3600, undefined, 'ossdemo.txt')", "GET", 3600, {}, "ossdemo.txt"}},
      {"put-content-type",
       {"client.signatureUrlV4('PUT', 3600, {headers:{'Content-Type':'text/plain'}}, 'ossdemo.txt')",
        "PUT",
        3600,
        {{{"Content-Type", "text/plain"}}, {}},
        "ossdemo.txt"}},
      {"sts-get", {"client.signatureUrlV4('GET', 1800, undefined, 'ossdemo.txt')", "GET", 1800, {}, "ossdemo.txt"}},
      {"response-overrides",
       {"client.signatureUrlV4('GET', 600, {queries:{'response-content-disposition':'attachment; "
        "filename=\"a.txt\"','response-content-type':'text/plain'}}, 'ossdemo.txt')",
        "GET",
        600,
        {{},
         {{"response-content-disposition", "attachment; filename=\"a.txt\"", true},
          {"response-content-type", "text/plain", true}}},
        "ossdemo.txt"}},
      {"unicode-key",
       {"client.signatureUrlV4('GET', 60, undefined, 'dir/子目录/a b+c.txt')", "GET", 60, {}, "dir/子目录/a b+c.txt"}},
      {"localhost-pathstyle-put",
       {"client.signatureUrlV4('PUT', 3600, {headers:{'Content-Type':'image/png'}}, 'img/logo.png') [sldEnable]",
        "PUT",
        3600,
        {{{"Content-Type", "image/png"}}, {}},
        "img/logo.png"}},
      {"beijing-head",
       {"client.signatureUrlV4('HEAD', 120, undefined, 'ossdemo.txt')", "HEAD", 120, {}, "ossdemo.txt"}},
      {"bucket-level-list",
       {"client.signatureUrlV4('GET', 300, {queries:{prefix:'dir/','list-type':2}})",
        "GET",
        300,
        {{}, {{"prefix", "dir/", true}, {"list-type", "2", true}}},
        ""}},
  };
  return calls;
}

class V4SignedUrl : public ::testing::TestWithParam<ordered_json> {};

TEST_P(V4SignedUrl, MatchesAliOssByteForByte) {
  const ordered_json& c = GetParam();
  const std::string id = c.at("id").get<std::string>();
  auto found = v4_calls().find(id);
  ASSERT_NE(found, v4_calls().end()) << "no transcription for vector " << id;
  const V4Call& call = found->second;
  ASSERT_EQ(call.call, c.at("call").get<std::string>());

  const UrlSigningConfig config = url_config_of(c.at("client_options"));
  const std::string bucket = c.at("client_options").at("bucket").get<std::string>();
  auto url = signature_url_v4(config, bucket, call.method, std::chrono::seconds(call.expires), call.request, call.key,
                              {}, time_of(c.at("now")));
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_EQ(*url, c.at("expected").at("url").get<std::string>());
}

INSTANTIATE_TEST_SUITE_P(Vectors, V4SignedUrl, ::testing::ValuesIn(cases_of("v4-signed-url.public.json")), case_name);

TEST(V4SignedUrlOptions, AdditionalHeadersAreListedSignedAndMustBePresent) {
  UrlSigningConfig config;
  config.endpoint = parse_endpoint("http://localhost:9000").value();
  config.credentials = {"id", "secret", ""};
  const SystemTime now = from_unix_seconds(1716193800);
  SignUrlV4Request request{{{"Host", "b.localhost:9000"}, {"Content-Type", "text/plain"}}, {}};
  auto url =
      signature_url_v4(config, "b", "PUT", std::chrono::seconds(60), request, "k", {"HOST", "content-type"}, now);
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_TRUE(url->starts_with("http://b.localhost:9000/k?x-oss-additional-headers=host&x-oss-credential=")) << *url;

  auto missing = signature_url_v4(config, "b", "PUT", std::chrono::seconds(60), request, "k", {"range"}, now);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "Can't find additional header range in request headers.");
}

}  // namespace
}  // namespace ossd::client::test
