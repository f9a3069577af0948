// The V4 golden vectors (ali-oss@6.23.0 with authorizationV4 / signatureUrlV4,
// frozen clock): canonical request, string to sign and signature must match
// the SDK's intermediates; authenticate() must accept the SDK's request and
// reject every tampered variant.
#include <gtest/gtest.h>

#include "auth/v4_signature.hpp"
#include "auth_test_support.hpp"

namespace ossd::auth::test {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

std::string flip_one_char(std::string signature) {
  char& c = signature[signature.size() / 2];
  c = (c == 'a') ? 'b' : 'a';
  return signature;
}

// ---------------------------------------------------------------- V4 header

class V4HeaderVector : public ::testing::TestWithParam<json> {
 protected:
  void SetUp() override {
    const json& c = GetParam();
    options_ = c.at("client_options");
    request_ = resolve(options_, c.at("request").at("url"), c.at("request").at("method"),
                       headers_from(c.at("request").at("headers")));
    now_ = vector_now(c);
    credentials_ = credentials_of(options_);
    settings_ = settings_of(options_);
  }

  Result<Identity> run(const ServerRequest& request, SystemTime now) const {
    return authenticate(request.view(), credentials_, now, settings_);
  }
  void expect_mismatch(const ServerRequest& request, const std::string& what) const {
    Error e = expect_error(run(request, now_), ErrorCode::SignatureDoesNotMatch, what);
    if (e.code == ErrorCode::SignatureDoesNotMatch) {
      ASSERT_NE(detail(e, "CanonicalRequest"), nullptr) << what;
      ASSERT_NE(detail(e, "StringToSign"), nullptr) << what;
      EXPECT_TRUE(detail(e, "StringToSign")->starts_with("OSS4-HMAC-SHA256\n20240520T083000Z\n")) << what;
    }
  }

  json options_;
  ServerRequest request_;
  SystemTime now_;
  InMemoryCredentials credentials_;
  AuthSettings settings_;
};

TEST_P(V4HeaderVector, CanonicalFormsAndSignatureMatchTheSdk) {
  const json& expected = GetParam().at("expected");
  const std::string region = v4_region(settings_.region);
  std::string canonical_request =
      v4_canonical_request(request_.method, request_.bucket, request_.key, request_.query, request_.headers, {});
  EXPECT_EQ(canonical_request, expected.at("canonical_request").get<std::string>());
  std::string string_to_sign = v4_string_to_sign("20240520T083000Z", v4_scope("20240520", region), canonical_request);
  EXPECT_EQ(string_to_sign, expected.at("string_to_sign").get<std::string>());
  std::string key = v4_signing_key(options_.at("accessKeySecret").get<std::string>(), "20240520", region);
  EXPECT_EQ(key.size(), 32u);
  EXPECT_EQ(v4_signature(key, string_to_sign), expected.at("signature").get<std::string>());
  EXPECT_EQ(sign_v4_authorization(request_.view(), options_.at("accessKeyId").get<std::string>(),
                                  options_.at("accessKeySecret").get<std::string>(), region),
            expected.at("authorization").get<std::string>());
}

TEST_P(V4HeaderVector, AuthenticatesTheSdkRequest) {
  auto identity = run(request_, now_);
  ASSERT_TRUE(identity.ok()) << identity.error().message;
  EXPECT_EQ(identity->method, AuthMethod::V4Header);
  EXPECT_EQ(identity->access_key_id, options_.at("accessKeyId").get<std::string>());
  EXPECT_EQ(identity->account_id, "1234567890123456");
  EXPECT_EQ(identity->principal, "root");
}

TEST_P(V4HeaderVector, RejectsEachTamperedSignedElement) {
  {
    ServerRequest r = request_;
    r.method = r.method == "GET" ? "PUT" : "GET";
    expect_mismatch(r, "method");
  }
  {
    ServerRequest r = request_;
    r.set_header("x-oss-meta-injected", "1");
    expect_mismatch(r, "added x-oss-* header");
  }
  {
    ServerRequest r = request_;
    r.set_header("Content-Type", "application/x-tampered");
    expect_mismatch(r, "Content-Type");
  }
  {
    ServerRequest r = request_;
    r.set_header("x-oss-content-sha256", std::string(64, 'a'));
    expect_mismatch(r, "payload hash");
  }
  {
    // V4 signs every query parameter, not only sub-resources.
    ServerRequest r = request_;
    r.query.push_back({"prefix", "zzz", true});
    expect_mismatch(r, "added query parameter");
  }
  {
    ServerRequest r = request_;
    if (r.bucket.empty()) {
      r.bucket = "examplebucket";
    } else {
      r.key += "x";
    }
    expect_mismatch(r, "key");
  }
  {
    ServerRequest r = request_;
    const std::string auth = *find_header(r.headers, "authorization");
    std::size_t sig = auth.find("Signature=") + 10;
    r.set_header("authorization", auth.substr(0, sig) + flip_one_char(auth.substr(sig)));
    expect_mismatch(r, "signature");
  }
}

TEST_P(V4HeaderVector, AcceptsUpperCaseHexSignature) {
  ServerRequest r = request_;
  const std::string auth = *find_header(r.headers, "authorization");
  std::size_t sig = auth.find("Signature=") + 10;
  std::string upper = auth.substr(sig);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  r.set_header("authorization", auth.substr(0, sig) + upper);
  EXPECT_TRUE(run(r, now_).ok());
}

TEST_P(V4HeaderVector, RejectsUnknownKeySkewAndForeignRegion) {
  InMemoryCredentials empty;
  expect_error(authenticate(request_.view(), empty, now_, settings_), ErrorCode::InvalidAccessKeyId, "unknown key");

  EXPECT_TRUE(run(request_, now_ + minutes(15)).ok());
  Error skew = expect_error(run(request_, now_ + minutes(16)), ErrorCode::RequestTimeTooSkewed, "skew");
  ASSERT_NE(detail(skew, "RequestTime"), nullptr);
  EXPECT_EQ(*detail(skew, "RequestTime"), "20240520T083000Z");
  EXPECT_EQ(*detail(skew, "MaxAllowedSkewMilliseconds"), "900000");

  AuthSettings beijing = settings_;
  beijing.region = "oss-cn-beijing";
  Error region =
      expect_error(authenticate(request_.view(), credentials_, now_, beijing), ErrorCode::InvalidArgument, "region");
  EXPECT_NE(region.message.find("cn-beijing"), std::string::npos) << region.message;
}

INSTANTIATE_TEST_SUITE_P(Sdk, V4HeaderVector, ::testing::ValuesIn(cases_of("v4-header.public.json")), case_name);

// ------------------------------------------------------------- V4 signed URL

// The vectors record the URL and the SDK's canonical request; the headers
// the requester must send are the canonical header lines (Content-Type for
// the PUT cases), everything else comes from the URL.
ServerRequest request_for_signed_url(const json& c) {
  const std::string canonical = c.at("expected").at("canonical_request").get<std::string>();
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (true) {
    std::size_t nl = canonical.find('\n', start);
    lines.push_back(canonical.substr(start, nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  std::vector<HeaderField> headers;
  for (std::size_t i = 3; i < lines.size() && !lines[i].empty(); ++i) {
    std::size_t colon = lines[i].find(':');
    headers.push_back({lines[i].substr(0, colon), lines[i].substr(colon + 1)});
  }
  return resolve(c.at("client_options"), c.at("expected").at("url"), lines.at(0), std::move(headers));
}

class V4SignedUrlVector : public ::testing::TestWithParam<json> {
 protected:
  void SetUp() override {
    const json& c = GetParam();
    options_ = c.at("client_options");
    request_ = request_for_signed_url(c);
    now_ = vector_now(c);
    credentials_ = credentials_of(options_);
    settings_ = settings_of(options_);
    expires_ = seconds(std::stoll(request_.query_param("x-oss-expires")->value));
  }

  Result<Identity> run(const ServerRequest& request, SystemTime now) const {
    return authenticate(request.view(), credentials_, now, settings_);
  }
  void expect_mismatch(const ServerRequest& request, const std::string& what) const {
    Error e = expect_error(run(request, now_), ErrorCode::SignatureDoesNotMatch, what);
    if (e.code == ErrorCode::SignatureDoesNotMatch) {
      EXPECT_NE(detail(e, "CanonicalRequest"), nullptr);
    }
  }

  json options_;
  ServerRequest request_;
  SystemTime now_;
  seconds expires_{0};
  InMemoryCredentials credentials_;
  AuthSettings settings_;
};

TEST_P(V4SignedUrlVector, CanonicalFormsAndSignatureMatchTheSdk) {
  const json& expected = GetParam().at("expected");
  const std::string region = v4_region(settings_.region);
  std::string canonical_request =
      v4_canonical_request(request_.method, request_.bucket, request_.key, request_.query, request_.headers, {});
  EXPECT_EQ(canonical_request, expected.at("canonical_request").get<std::string>());
  std::string string_to_sign = v4_string_to_sign("20240520T083000Z", v4_scope("20240520", region), canonical_request);
  EXPECT_EQ(string_to_sign, expected.at("string_to_sign").get<std::string>());
  std::string key = v4_signing_key(options_.at("accessKeySecret").get<std::string>(), "20240520", region);
  EXPECT_EQ(v4_signature(key, string_to_sign), expected.at("signature").get<std::string>());
  EXPECT_EQ(request_.query_param("x-oss-signature")->value, expected.at("signature").get<std::string>());
}

TEST_P(V4SignedUrlVector, PresignProducesTheSdkQuery) {
  ServerRequest user_request = request_;
  for (const char* name : {"x-oss-credential", "x-oss-date", "x-oss-expires", "x-oss-signature-version",
                           "x-oss-security-token", "x-oss-signature"}) {
    user_request.remove_query(name);
  }
  auto params = presign_v4_query(user_request.view(), options_.at("accessKeyId").get<std::string>(),
                                 options_.at("accessKeySecret").get<std::string>(), v4_region(settings_.region), now_,
                                 expires_, options_.value("stsToken", ""));
  ASSERT_FALSE(params.empty());
  EXPECT_EQ(params.back().name, "x-oss-signature");
  for (const auto& param : params) {
    const QueryParam* in_url = find_query_param(request_.query, param.name);
    ASSERT_NE(in_url, nullptr) << param.name;
    EXPECT_EQ(param.value, in_url->value) << param.name;
  }
}

TEST_P(V4SignedUrlVector, AuthenticatesUntilDatePlusExpires) {
  for (SystemTime t : {now_, now_ + expires_}) {
    auto identity = run(request_, t);
    ASSERT_TRUE(identity.ok()) << identity.error().message;
    EXPECT_EQ(identity->method, AuthMethod::V4Query);
    EXPECT_EQ(identity->access_key_id, options_.at("accessKeyId").get<std::string>());
  }
  SystemTime late = now_ + expires_ + seconds(1);
  Error e = expect_error(run(request_, late), ErrorCode::AccessDenied, "expired");
  EXPECT_EQ(e.message, "Request has expired.");
  ASSERT_NE(detail(e, "Expires"), nullptr);
  EXPECT_EQ(*detail(e, "Expires"), format_iso8601_ms(now_ + expires_));
  EXPECT_EQ(*detail(e, "ServerTime"), format_iso8601_ms(late));
}

TEST_P(V4SignedUrlVector, RejectsEachTamperedSignedElement) {
  {
    ServerRequest r = request_;
    r.method = r.method == "GET" ? "DELETE" : "GET";
    expect_mismatch(r, "method");
  }
  {
    ServerRequest r = request_;
    r.query_param("x-oss-expires")->value = std::to_string(expires_.count() + 1);
    expect_mismatch(r, "extended x-oss-expires");
  }
  {
    ServerRequest r = request_;
    r.query.push_back({"response-content-type", "text/html", true});
    expect_mismatch(r, "added query parameter");
  }
  {
    ServerRequest r = request_;
    r.key += "x";
    expect_mismatch(r, "key");
  }
  {
    ServerRequest r = request_;
    r.set_header("Content-Type", "application/x-tampered");
    expect_mismatch(r, "Content-Type");
  }
  {
    ServerRequest r = request_;
    r.query_param("x-oss-signature")->value = flip_one_char(r.query_param("x-oss-signature")->value);
    expect_mismatch(r, "signature");
  }
  {
    ServerRequest r = request_;
    r.query_param("x-oss-date")->value = "20240520T083001Z";
    expect_mismatch(r, "x-oss-date");
  }
}

TEST_P(V4SignedUrlVector, RejectsLifetimeOverSevenDaysBeforeCheckingTheSignature) {
  ServerRequest r = request_;
  r.query_param("x-oss-expires")->value = "604801";
  Error e = expect_error(run(r, now_), ErrorCode::InvalidArgument, "lifetime");
  ASSERT_NE(detail(e, "ArgumentName"), nullptr);
  EXPECT_EQ(*detail(e, "ArgumentName"), "x-oss-expires");
}

TEST_P(V4SignedUrlVector, RejectsAnUnknownAccessKey) {
  InMemoryCredentials empty;
  expect_error(authenticate(request_.view(), empty, now_, settings_), ErrorCode::InvalidAccessKeyId, "unknown key");
}

INSTANTIATE_TEST_SUITE_P(Sdk, V4SignedUrlVector, ::testing::ValuesIn(cases_of("v4-signed-url.public.json")), case_name);

}  // namespace
}  // namespace ossd::auth::test
