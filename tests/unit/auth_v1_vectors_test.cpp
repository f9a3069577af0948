// The V1 golden vectors (ali-oss@6.23.0, frozen clock): our canonicalizer
// must reproduce the SDK's string to sign and signature, authenticate() must
// accept the SDK's request, and any change to a signed element must be
// rejected with the right error.
#include <gtest/gtest.h>

#include "auth/auth_errors.hpp"
#include "auth/v1_signature.hpp"
#include "auth_test_support.hpp"

namespace ossd::auth::test {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

// Changes one character of a base64 or hex signature.
std::string flip_one_char(std::string signature) {
  char& c = signature[signature.size() / 2];
  c = (c == 'A') ? 'B' : 'A';
  return signature;
}

// ---------------------------------------------------------------- V1 header

class V1HeaderVector : public ::testing::TestWithParam<json> {
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
      ASSERT_NE(detail(e, "StringToSign"), nullptr);
      EXPECT_EQ(*detail(e, "StringToSignBytes"), string_to_sign_bytes(*detail(e, "StringToSign")));
      EXPECT_EQ(*detail(e, "OSSAccessKeyId"), options_.at("accessKeyId").get<std::string>());
    }
  }

  json options_;
  ServerRequest request_;
  SystemTime now_;
  InMemoryCredentials credentials_;
  AuthSettings settings_;
};

TEST_P(V1HeaderVector, CanonicalFormsAndSignatureMatchTheSdk) {
  const json& expected = GetParam().at("expected");
  const SignedRequest view = request_.view();
  EXPECT_EQ(v1_canonical_resource(request_.bucket, request_.key, request_.query),
            expected.at("canonicalized_resource").get<std::string>());
  EXPECT_EQ(v1_request_string_to_sign(view, v1_date_line(request_.headers)),
            expected.at("string_to_sign").get<std::string>());
  EXPECT_EQ(sign_v1_authorization(view, options_.at("accessKeyId").get<std::string>(),
                                  options_.at("accessKeySecret").get<std::string>()),
            expected.at("authorization").get<std::string>());
}

TEST_P(V1HeaderVector, AuthenticatesTheSdkRequest) {
  auto identity = run(request_, now_);
  ASSERT_TRUE(identity.ok()) << identity.error().message;
  EXPECT_EQ(identity->method, AuthMethod::V1Header);
  EXPECT_EQ(identity->access_key_id, options_.at("accessKeyId").get<std::string>());
  EXPECT_EQ(identity->account_id, "1234567890123456");
  EXPECT_EQ(identity->principal, "root");
  EXPECT_FALSE(identity->anonymous());
}

TEST_P(V1HeaderVector, RejectsEachTamperedSignedElement) {
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
    r.set_header("Content-MD5", "AAAAAAAAAAAAAAAAAAAAAA==");
    expect_mismatch(r, "Content-MD5");
  }
  {
    ServerRequest r = request_;
    if (QueryParam* existing = r.query_param("uploadId")) {
      existing->value += "0";
    } else {
      r.query.push_back({"x-oss-process", "image/resize,w_1", true});
    }
    expect_mismatch(r, "sub-resource");
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
    r.bucket += "x";
    expect_mismatch(r, "bucket");
  }
  {
    ServerRequest r = request_;
    const std::string auth = *find_header(r.headers, "authorization");
    std::size_t colon = auth.find(':');
    r.set_header("authorization", auth.substr(0, colon + 1) + flip_one_char(auth.substr(colon + 1)));
    expect_mismatch(r, "signature");
  }
}

TEST_P(V1HeaderVector, IgnoresParametersOutsideTheSubresourceWhitelist) {
  ServerRequest r = request_;
  r.query.push_back({"max-keys", "5", true});
  r.query.push_back({"prefix", "zzz", true});
  EXPECT_TRUE(run(r, now_).ok());
}

TEST_P(V1HeaderVector, RejectsAnUnknownAccessKey) {
  InMemoryCredentials empty;
  Error e =
      expect_error(authenticate(request_.view(), empty, now_, settings_), ErrorCode::InvalidAccessKeyId, "unknown key");
  ASSERT_NE(detail(e, "OSSAccessKeyId"), nullptr);
  EXPECT_EQ(*detail(e, "OSSAccessKeyId"), options_.at("accessKeyId").get<std::string>());
}

TEST_P(V1HeaderVector, EnforcesTheClockSkewWindow) {
  EXPECT_TRUE(run(request_, now_ + minutes(15)).ok());
  EXPECT_TRUE(run(request_, now_ - minutes(15)).ok());
  for (SystemTime server_time : {now_ + minutes(15) + seconds(1), now_ - minutes(15) - seconds(1)}) {
    Error e = expect_error(run(request_, server_time), ErrorCode::RequestTimeTooSkewed, "skew");
    ASSERT_NE(detail(e, "RequestTime"), nullptr);
    EXPECT_EQ(*detail(e, "RequestTime"), "Mon, 20 May 2024 08:30:00 GMT");
    EXPECT_EQ(*detail(e, "ServerTime"), format_iso8601_ms(server_time));
    EXPECT_EQ(*detail(e, "MaxAllowedSkewMilliseconds"), "900000");
  }
}

INSTANTIATE_TEST_SUITE_P(Sdk, V1HeaderVector, ::testing::ValuesIn(cases_of("v1-header.public.json")), case_name);

// ------------------------------------------------------------- V1 signed URL

// The request a browser makes with a V1 signed URL: the URL's method, plus
// the headers the URL was signed with (Content-Type, Content-MD5, x-oss-*).
ServerRequest request_for_signed_url(const json& c) {
  const json& options = c.at("options");
  std::string method = "GET";
  std::vector<HeaderField> headers;
  if (options.is_object()) {
    method = options.value("method", "GET");
    for (const auto& [name, value] : options.items()) {
      std::string lower = to_lower(name);
      if (lower == "content-type" || lower == "content-md5" || lower.starts_with("x-oss-")) {
        headers.push_back({name, value.get<std::string>()});
      }
    }
  }
  return resolve(c.at("client_options"), c.at("expected").at("url"), method, std::move(headers));
}

class V1SignedUrlVector : public ::testing::TestWithParam<json> {
 protected:
  void SetUp() override {
    const json& c = GetParam();
    options_ = c.at("client_options");
    request_ = request_for_signed_url(c);
    now_ = vector_now(c);
    expires_ = c.at("expected").at("expires").get<int64_t>();
    credentials_ = credentials_of(options_);
    settings_ = settings_of(options_);
  }

  Result<Identity> run(const ServerRequest& request, SystemTime now) const {
    return authenticate(request.view(), credentials_, now, settings_);
  }
  void expect_mismatch(const ServerRequest& request, const std::string& what) const {
    expect_error(run(request, now_), ErrorCode::SignatureDoesNotMatch, what);
  }

  json options_;
  ServerRequest request_;
  SystemTime now_;
  int64_t expires_ = 0;
  InMemoryCredentials credentials_;
  AuthSettings settings_;
};

TEST_P(V1SignedUrlVector, CanonicalFormsAndSignatureMatchTheSdk) {
  const json& expected = GetParam().at("expected");
  EXPECT_EQ(v1_canonical_resource(request_.bucket, request_.key, request_.query),
            expected.at("canonicalized_resource").get<std::string>());
  std::string string_to_sign = v1_request_string_to_sign(request_.view(), std::to_string(expires_));
  EXPECT_EQ(string_to_sign, expected.at("string_to_sign").get<std::string>());
  EXPECT_EQ(v1_signature(options_.at("accessKeySecret").get<std::string>(), string_to_sign),
            expected.at("signature").get<std::string>());
  ASSERT_NE(find_query_param(request_.query, "Signature"), nullptr);
  EXPECT_EQ(find_query_param(request_.query, "Signature")->value, expected.at("signature").get<std::string>());
}

TEST_P(V1SignedUrlVector, PresignProducesTheSdkQuery) {
  ServerRequest unsigned_request = request_;
  for (const char* name : {"OSSAccessKeyId", "Expires", "Signature"}) unsigned_request.remove_query(name);
  auto params = presign_v1_query(unsigned_request.view(), options_.at("accessKeyId").get<std::string>(),
                                 options_.at("accessKeySecret").get<std::string>(), expires_);
  ASSERT_EQ(params.size(), 3u);
  for (const auto& param : params) {
    const QueryParam* in_url = find_query_param(request_.query, param.name);
    ASSERT_NE(in_url, nullptr) << param.name;
    EXPECT_EQ(param.value, in_url->value) << param.name;
  }
}

TEST_P(V1SignedUrlVector, AuthenticatesUntilExpiresInclusive) {
  for (SystemTime t : {now_, from_unix_seconds(expires_)}) {
    auto identity = run(request_, t);
    ASSERT_TRUE(identity.ok()) << identity.error().message;
    EXPECT_EQ(identity->method, AuthMethod::V1Query);
    EXPECT_EQ(identity->access_key_id, options_.at("accessKeyId").get<std::string>());
  }
  SystemTime late = from_unix_seconds(expires_ + 1);
  Error e = expect_error(run(request_, late), ErrorCode::AccessDenied, "expired");
  EXPECT_EQ(e.message, "Request has expired.");
  ASSERT_NE(detail(e, "Expires"), nullptr);
  EXPECT_EQ(*detail(e, "Expires"), format_iso8601_ms(from_unix_seconds(expires_)));
  EXPECT_EQ(*detail(e, "ServerTime"), format_iso8601_ms(late));
}

TEST_P(V1SignedUrlVector, RejectsEachTamperedSignedElement) {
  {
    ServerRequest r = request_;
    r.method = r.method == "GET" ? "DELETE" : "GET";
    expect_mismatch(r, "method");
  }
  {
    ServerRequest r = request_;
    r.query_param("Expires")->value = std::to_string(expires_ + 3600);
    expect_mismatch(r, "extended Expires");
  }
  {
    ServerRequest r = request_;
    r.query.push_back({"response-content-type", "text/html", true});
    expect_mismatch(r, "added response override");
  }
  {
    ServerRequest r = request_;
    if (QueryParam* process = r.query_param("x-oss-process")) {
      process->value = "image/resize,w_4000";
      expect_mismatch(r, "changed x-oss-process");
    }
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
    r.query_param("Signature")->value = flip_one_char(r.query_param("Signature")->value);
    expect_mismatch(r, "signature");
  }
}

TEST_P(V1SignedUrlVector, IgnoresDateHeadersAndUnsignedParameters) {
  ServerRequest r = request_;
  r.set_header("Date", "Thu, 01 Jan 1970 00:00:00 GMT");
  r.query.push_back({"max-keys", "5", true});
  EXPECT_TRUE(run(r, now_).ok());
}

TEST_P(V1SignedUrlVector, RejectsAnUnknownAccessKey) {
  InMemoryCredentials empty;
  expect_error(authenticate(request_.view(), empty, now_, settings_), ErrorCode::InvalidAccessKeyId, "unknown key");
}

INSTANTIATE_TEST_SUITE_P(Sdk, V1SignedUrlVector,
                         ::testing::ValuesIn(cases_of("v1-signed-url.public.json", /*skip_throwing=*/true)), case_name);

TEST(V1SignedUrlVectors, OnlyTheIpEndpointCaseHasNoUrl) {
  int throwing = 0;
  const json vectors = load_vectors("v1-signed-url.public.json");
  for (const auto& c : vectors.at("cases")) {
    if (c.at("expected").contains("throws")) {
      ++throwing;
      EXPECT_EQ(c.at("id"), "ip-endpoint-throws");
    }
  }
  EXPECT_EQ(throwing, 1);
}

}  // namespace
}  // namespace ossd::auth::test
