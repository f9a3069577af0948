// authenticate() beyond the vectors: detection, malformed input, time
// windows, key lookup, and the V4 corners (additional headers, empty query
// values). Requests are signed with our own building blocks, which the
// vector tests pin to the SDK.
#include <gtest/gtest.h>

#include "auth/v1_signature.hpp"
#include "auth/v4_signature.hpp"
#include "auth_test_support.hpp"

namespace ossd::auth::test {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr const char* kId = "LTAI5tTestAccessKeyId";
constexpr const char* kSecret = "TestSecretKey0123456789abcdefghij";
const SystemTime kNow = from_unix_seconds(1716193800);  // 2024-05-20T08:30:00Z

class Authenticate : public ::testing::Test {
 protected:
  Authenticate() { credentials_.add(Credential{kId, kSecret, "1234567890123456", "root"}); }

  Result<Identity> run(const ServerRequest& r, SystemTime now = kNow) const {
    return authenticate(r.view(), credentials_, now, settings_);
  }

  static ServerRequest v1_request() {
    ServerRequest r;
    r.method = "PUT";
    r.bucket = "examplebucket";
    r.key = "dir/a b+c 中文.txt";
    r.headers = {{"x-oss-date", "Mon, 20 May 2024 08:30:00 GMT"}, {"Content-Type", "text/plain"}};
    r.set_header("Authorization", sign_v1_authorization(r.view(), kId, kSecret));
    return r;
  }

  static ServerRequest v4_request(const std::vector<std::string>& additional = {}) {
    ServerRequest r;
    r.method = "GET";
    r.bucket = "examplebucket";
    r.key = "photos/cat.jpg";
    r.query = {{"x-oss-process", "image/resize,w_200", true}};
    r.headers = {{"x-oss-date", "20240520T083000Z"},
                 {"x-oss-content-sha256", "UNSIGNED-PAYLOAD"},
                 {"Host", "examplebucket.oss-cn-hangzhou.aliyuncs.com"},
                 {"Range", "bytes=0-9"}};
    r.set_header("Authorization", sign_v4_authorization(r.view(), kId, kSecret, "cn-hangzhou", additional));
    return r;
  }

  static ServerRequest v4_url_request(std::chrono::seconds expires = seconds(3600)) {
    ServerRequest r;
    r.method = "GET";
    r.bucket = "examplebucket";
    r.key = "ossdemo.txt";
    auto params = presign_v4_query(r.view(), kId, kSecret, "cn-hangzhou", kNow, expires);
    r.query.insert(r.query.end(), params.begin(), params.end());
    return r;
  }

  InMemoryCredentials credentials_;
  AuthSettings settings_;
};

TEST_F(Authenticate, UnsignedRequestIsAnonymous) {
  ServerRequest r;
  r.method = "GET";
  r.bucket = "examplebucket";
  r.key = "public.txt";
  r.query = {{"prefix", "a", true}};
  r.headers = {{"Host", "examplebucket.localhost"}};
  auto identity = run(r);
  ASSERT_TRUE(identity.ok());
  EXPECT_TRUE(identity->anonymous());
  EXPECT_EQ(identity->method, AuthMethod::Anonymous);
  EXPECT_TRUE(identity->access_key_id.empty());
}

TEST_F(Authenticate, NullQueryAndHeadersAreEmpty) {
  SignedRequest bare{"GET", "", "", nullptr, nullptr};
  auto identity = authenticate(bare, credentials_, kNow, settings_);
  ASSERT_TRUE(identity.ok());
  EXPECT_TRUE(identity->anonymous());
}

TEST_F(Authenticate, GarbageAuthorizationValuesAreInvalidArgument) {
  const std::vector<std::string> garbage = {
      "",
      "   ",
      "Bearer abc.def.ghi",
      "Basic dXNlcjpwYXNz",
      "OSS",
      "OSS ",
      "OSS LTAI5tTestAccessKeyId",
      "OSS :signature",
      "OSS LTAI5tTestAccessKeyId:",
      "OSS a:b:c",
      "oss LTAI5tTestAccessKeyId:abc=",
      "OSS2 AccessKeyId:LTAI5tTestAccessKeyId,Signature:abc",
      "AWS4-HMAC-SHA256 Credential=AKID/20240520/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=ab",
      "OSS4-HMAC-SHA256",
      "OSS4-HMAC-SHA256 ",
      "OSS4-HMAC-SHA256 Credential=LTAI5tTestAccessKeyId/20240520/cn-hangzhou/oss/aliyun_v4_request",
      "OSS4-HMAC-SHA256 Signature=abc",
      "OSS4-HMAC-SHA256 Credential=a/b/c,Signature=abc",
      "OSS4-HMAC-SHA256 Credential=/20240520/cn-hangzhou/oss/aliyun_v4_request,Signature=abc",
      "OSS4-HMAC-SHA256 Credential=LTAI/20240520//oss/aliyun_v4_request,Signature=abc",
      "OSS4-HMAC-SHA256 Credential=LTAI/20240520/cn-hangzhou/oss/aliyun_v4_request,Signature=",
      "OSS4-HMAC-SHA256 Credential=LTAI/20240520/cn-hangzhou/oss/aliyun_v4_request,Foo=bar,Signature=ab",
      "OSS4-HMAC-SHA256 Credential=LTAI/20240520/cn-hangzhou/oss/aliyun_v4_request,Signature=ab,Signature=ab",
      "OSS4-HMAC-SHA256 Credential=LTAI/20240520/cn-hangzhou/oss/aliyun_v4_request,,Signature=ab",
      "OSS4-HMAC-SHA256 Credential",
      std::string("\x00\xff\xfe:\x01", 5),
      std::string(100000, 'A'),
  };
  for (const auto& value : garbage) {
    ServerRequest r;
    r.method = "GET";
    r.bucket = "examplebucket";
    r.headers = {{"Authorization", value}, {"x-oss-date", "Mon, 20 May 2024 08:30:00 GMT"}};
    Error e = expect_error(run(r), ErrorCode::InvalidArgument, "Authorization: " + value.substr(0, 80));
    EXPECT_FALSE(e.message.empty());
  }
}

TEST_F(Authenticate, BinaryIdInAWellFormedV1HeaderIsJustAnUnknownKey) {
  ServerRequest r = v1_request();
  r.set_header("Authorization", std::string("OSS \x00\xff\xfe:\x01", 9));
  expect_error(run(r), ErrorCode::InvalidAccessKeyId, "binary access key id");
}

TEST_F(Authenticate, WrongV4ScopeProductOrTerminatorIsInvalidArgument) {
  for (const char* credential : {"LTAI5tTestAccessKeyId/20240520/cn-hangzhou/s3/aliyun_v4_request",
                                 "LTAI5tTestAccessKeyId/20240520/cn-hangzhou/oss/aws4_request",
                                 "LTAI5tTestAccessKeyId/20240519/cn-hangzhou/oss/aliyun_v4_request",
                                 "LTAI5tTestAccessKeyId/20240520/cn-shanghai/oss/aliyun_v4_request"}) {
    ServerRequest r = v4_request();
    r.set_header("Authorization", std::string("OSS4-HMAC-SHA256 Credential=") + credential + ",Signature=00");
    expect_error(run(r), ErrorCode::InvalidArgument, credential);
  }
}

TEST_F(Authenticate, SeveralAuthorizationHeadersAreRejected) {
  ServerRequest r = v1_request();
  r.headers.push_back({"authorization", *find_header(r.headers, "Authorization")});
  expect_error(run(r), ErrorCode::InvalidArgument, "two Authorization headers");
}

TEST_F(Authenticate, HeaderAndQuerySignaturesTogetherAreRejected) {
  ServerRequest r = v1_request();
  r.query.push_back({"OSSAccessKeyId", kId, true});
  expect_error(run(r), ErrorCode::InvalidArgument, "header + V1 query");

  ServerRequest both = v4_url_request();
  both.query.push_back({"OSSAccessKeyId", kId, true});
  both.query.push_back({"Expires", "1716195600", true});
  both.query.push_back({"Signature", "abc", true});
  expect_error(run(both), ErrorCode::InvalidArgument, "V1 + V4 query");
}

TEST_F(Authenticate, V1HeaderRoundTripsKeysWithSpacesAndUnicode) {
  auto identity = run(v1_request());
  ASSERT_TRUE(identity.ok()) << identity.error().message;
  EXPECT_EQ(identity->method, AuthMethod::V1Header);
}

TEST_F(Authenticate, V1HeaderFallsBackToTheDateHeader) {
  ServerRequest r;
  r.method = "GET";
  r.bucket = "examplebucket";
  r.key = "a.txt";
  r.headers = {{"Date", "Mon, 20 May 2024 08:31:00 GMT"}};
  r.set_header("Authorization", sign_v1_authorization(r.view(), kId, kSecret));
  EXPECT_TRUE(run(r).ok());
  // x-oss-date wins over Date when both are present.
  r.headers.push_back({"x-oss-date", "Mon, 20 May 2024 08:32:00 GMT"});
  expect_error(run(r), ErrorCode::SignatureDoesNotMatch, "x-oss-date added after signing");
}

TEST_F(Authenticate, V1HeaderWithoutAValidDateIsAccessDenied) {
  ServerRequest r = v1_request();
  r.remove_header("x-oss-date");
  Error missing = expect_error(run(r), ErrorCode::AccessDenied, "no date");
  EXPECT_NE(missing.message.find("Date"), std::string::npos);

  r.set_header("x-oss-date", "2024-05-20T08:30:00Z");
  expect_error(run(r), ErrorCode::AccessDenied, "ISO date in a V1 header");
  r.set_header("x-oss-date", "yesterday");
  expect_error(run(r), ErrorCode::AccessDenied, "garbage date");
}

TEST_F(Authenticate, SkewLimitComesFromSettings) {
  settings_.max_skew = seconds(60);
  ServerRequest r = v1_request();
  EXPECT_TRUE(run(r, kNow + seconds(60)).ok());
  Error e = expect_error(run(r, kNow + seconds(61)), ErrorCode::RequestTimeTooSkewed, "skew 61s");
  EXPECT_EQ(*detail(e, "MaxAllowedSkewMilliseconds"), "60000");
  EXPECT_EQ(*detail(e, "ServerTime"), "2024-05-20T08:31:01.000Z");
}

TEST_F(Authenticate, UnknownKeysAreInvalidAccessKeyIdIncludingStsIds) {
  for (const char* id : {"LTAIUnknown", "STS.NUnknownTemporaryId"}) {
    ServerRequest r = v1_request();
    r.set_header("Authorization", sign_v1_authorization(r.view(), id, kSecret));
    Error e = expect_error(run(r), ErrorCode::InvalidAccessKeyId, id);
    ASSERT_NE(detail(e, "OSSAccessKeyId"), nullptr);
    EXPECT_EQ(*detail(e, "OSSAccessKeyId"), id);
  }
}

TEST_F(Authenticate, WrongSecretReportsWhatTheServerSigned) {
  ServerRequest r = v1_request();
  r.set_header("Authorization", sign_v1_authorization(r.view(), kId, "not-the-secret"));
  Error e = expect_error(run(r), ErrorCode::SignatureDoesNotMatch, "wrong secret");
  const std::string expected_sts = v1_request_string_to_sign(r.view(), "Mon, 20 May 2024 08:30:00 GMT");
  EXPECT_EQ(*detail(e, "StringToSign"), expected_sts);
  EXPECT_TRUE(detail(e, "StringToSignBytes")->starts_with("50 55 54 0A 0A 74 65 78 74 2F "));  // "PUT\n\ntext/"
  EXPECT_EQ(detail(e, "CanonicalRequest"), nullptr);
  const std::string auth = *find_header(r.headers, "Authorization");
  EXPECT_EQ(*detail(e, "SignatureProvided"), auth.substr(auth.find(':') + 1));
}

TEST_F(Authenticate, V1SignedUrlNeedsAllThreeParameters) {
  ServerRequest r;
  r.method = "GET";
  r.bucket = "examplebucket";
  r.key = "ossdemo.txt";
  auto params = presign_v1_query(r.view(), kId, kSecret, 1716195600);
  r.query = params;
  ASSERT_TRUE(run(r).ok());
  for (const char* missing : {"OSSAccessKeyId", "Expires", "Signature"}) {
    ServerRequest partial = r;
    partial.remove_query(missing);
    expect_error(run(partial), ErrorCode::AccessDenied, std::string("without ") + missing);
  }
  ServerRequest doubled = r;
  doubled.query.push_back({"Signature", r.query_param("Signature")->value, true});
  expect_error(run(doubled), ErrorCode::InvalidArgument, "Signature twice");

  for (const char* bad : {"tomorrow", "-1", "1716195600.5", "99999999999999999999"}) {
    ServerRequest malformed = r;
    malformed.query_param("Expires")->value = bad;
    Error e = expect_error(run(malformed), ErrorCode::InvalidArgument, std::string("Expires=") + bad);
    EXPECT_EQ(*detail(e, "ArgumentName"), "Expires");
  }
}

TEST_F(Authenticate, V1SignedUrlIgnoresSkewButNotExpiry) {
  ServerRequest r;
  r.method = "GET";
  r.bucket = "examplebucket";
  r.key = "ossdemo.txt";
  // Signed a year ahead: far outside the header skew window, still valid.
  r.query = presign_v1_query(r.view(), kId, kSecret, 1716193800 + 365 * 86400);
  EXPECT_TRUE(run(r).ok());
  EXPECT_TRUE(run(r, kNow + minutes(60 * 24 * 300)).ok());
  expect_error(run(r, kNow + minutes(60 * 24 * 366)), ErrorCode::AccessDenied, "a year later");
}

TEST_F(Authenticate, V4HeaderSignsAdditionalHeaders) {
  ServerRequest r = v4_request({"Host", "range", "x-oss-date", "Content-Type"});
  const std::string auth = *find_header(r.headers, "Authorization");
  EXPECT_NE(auth.find(",AdditionalHeaders=host;range,Signature="), std::string::npos) << auth;
  auto identity = run(r);
  ASSERT_TRUE(identity.ok()) << identity.error().message;

  ServerRequest other_host = r;
  other_host.set_header("Host", "evil.example.com");
  Error e = expect_error(run(other_host), ErrorCode::SignatureDoesNotMatch, "Host changed");
  EXPECT_NE(detail(e, "CanonicalRequest")->find("host:evil.example.com\n"), std::string::npos);

  ServerRequest other_range = r;
  other_range.set_header("Range", "bytes=0-99999");
  expect_error(run(other_range), ErrorCode::SignatureDoesNotMatch, "Range changed");

  // Without AdditionalHeaders, Host and Range are not signed.
  ServerRequest plain = v4_request();
  plain.set_header("Host", "anything.example.com");
  plain.set_header("Range", "bytes=5-6");
  EXPECT_TRUE(run(plain).ok());
}

TEST_F(Authenticate, V4HeaderNeedsAValidOssDate) {
  ServerRequest r = v4_request();
  r.remove_header("x-oss-date");
  r.headers.push_back({"Date", "Mon, 20 May 2024 08:30:00 GMT"});
  expect_error(run(r), ErrorCode::AccessDenied, "no x-oss-date");
  r.set_header("x-oss-date", "Mon, 20 May 2024 08:30:00 GMT");
  expect_error(run(r), ErrorCode::AccessDenied, "RFC 1123 x-oss-date");
}

TEST_F(Authenticate, V4SignedUrlWindowAndLimits) {
  ServerRequest r = v4_url_request(seconds(604800));
  EXPECT_TRUE(run(r, kNow + seconds(604800)).ok());
  expect_error(run(r, kNow + seconds(604801)), ErrorCode::AccessDenied, "after seven days");

  // Dated further in the future than the skew allows.
  Error early = expect_error(run(r, kNow - minutes(16)), ErrorCode::AccessDenied, "not yet valid");
  EXPECT_NE(early.message.find("not yet valid"), std::string::npos);
  EXPECT_TRUE(run(r, kNow - minutes(15)).ok());

  settings_.max_v4_url_lifetime = seconds(3600);
  Error too_long = expect_error(run(r), ErrorCode::InvalidArgument, "lifetime over the configured maximum");
  EXPECT_EQ(*detail(too_long, "ArgumentName"), "x-oss-expires");
}

TEST_F(Authenticate, V4SignedUrlMalformedParameters) {
  const ServerRequest good = v4_url_request();
  ASSERT_TRUE(run(good).ok());
  struct Case {
    const char* name;
    const char* value;
    ErrorCode code;
  };
  for (const Case& c : {Case{"x-oss-signature-version", "OSS2", ErrorCode::InvalidArgument},
                        Case{"x-oss-credential", "LTAI5tTestAccessKeyId", ErrorCode::InvalidArgument},
                        Case{"x-oss-credential", "LTAI5tTestAccessKeyId/20240520/cn-beijing/oss/aliyun_v4_request",
                             ErrorCode::InvalidArgument},
                        Case{"x-oss-date", "2024-05-20T08:30:00Z", ErrorCode::InvalidArgument},
                        Case{"x-oss-date", "20240520T083000", ErrorCode::InvalidArgument},
                        Case{"x-oss-expires", "soon", ErrorCode::InvalidArgument},
                        Case{"x-oss-expires", "-5", ErrorCode::InvalidArgument},
                        Case{"x-oss-signature", "", ErrorCode::AccessDenied}}) {
    ServerRequest r = good;
    r.query_param(c.name)->value = c.value;
    expect_error(run(r), c.code, std::string(c.name) + "=" + c.value);
  }
  for (const char* missing : {"x-oss-credential", "x-oss-date", "x-oss-expires", "x-oss-signature"}) {
    ServerRequest r = good;
    r.remove_query(missing);
    expect_error(run(r), ErrorCode::AccessDenied, std::string("without ") + missing);
  }
  ServerRequest doubled = good;
  doubled.query.push_back({"x-oss-date", "20240520T083000Z", true});
  expect_error(run(doubled), ErrorCode::InvalidArgument, "x-oss-date twice");
}

TEST_F(Authenticate, V4EmptyQueryValueAcceptsBothRenderings) {
  // ali-oss renders a null query value as "k" and an empty string as "k=";
  // both arrive as "k=". A client that signed "prefix=" must be accepted too.
  ServerRequest r;
  r.method = "GET";
  r.bucket = "examplebucket";
  r.query = {{"prefix", "", true}, {"list-type", "2", true}};
  r.headers = {{"x-oss-date", "20240520T083000Z"}};
  std::string canonical =
      v4_canonical_request(r.method, r.bucket, r.key, r.query, r.headers, {}, EmptyQueryValue::NameEquals);
  ASSERT_NE(canonical.find("\nlist-type=2&prefix=\n"), std::string::npos) << canonical;
  std::string signature =
      v4_signature(v4_signing_key(kSecret, "20240520", "cn-hangzhou"),
                   v4_string_to_sign("20240520T083000Z", v4_scope("20240520", "cn-hangzhou"), canonical));
  r.set_header("Authorization", std::string("OSS4-HMAC-SHA256 Credential=") + kId +
                                    "/20240520/cn-hangzhou/oss/aliyun_v4_request,Signature=" + signature);
  EXPECT_TRUE(run(r).ok());

  // The default rendering ("prefix") works as well.
  r.set_header("Authorization", sign_v4_authorization(r.view(), kId, kSecret, "cn-hangzhou"));
  EXPECT_TRUE(run(r).ok());
}

TEST_F(Authenticate, V4SignedUrlWithSecurityTokenBindsTheToken) {
  ServerRequest r;
  r.method = "GET";
  r.bucket = "examplebucket";
  r.key = "ossdemo.txt";
  auto params = presign_v4_query(r.view(), kId, kSecret, "cn-hangzhou", kNow, seconds(60), "token+/=");
  r.query = params;
  ASSERT_TRUE(run(r).ok());
  r.query_param("x-oss-security-token")->value = "other-token";
  expect_error(run(r), ErrorCode::SignatureDoesNotMatch, "token swapped");
}

}  // namespace
}  // namespace ossd::auth::test
