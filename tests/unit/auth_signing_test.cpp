// The signing building blocks in isolation: header parsing, canonical
// resource / headers / query rules, the sub-resource whitelist and error
// detail formats.
#include <gtest/gtest.h>

#include "auth/auth_errors.hpp"
#include "auth/authorization_header.hpp"
#include "auth/v1_signature.hpp"
#include "auth/v4_signature.hpp"
#include "oss/subresources.hpp"

namespace ossd::auth {
namespace {

TEST(Subresources, WhitelistIsExactAndCaseSensitive) {
  for (const char* name : {"acl",
                           "uploads",
                           "uploadId",
                           "partNumber",
                           "append",
                           "position",
                           "objectMeta",
                           "security-token",
                           "x-oss-process",
                           "x-oss-traffic-limit",
                           "response-content-type",
                           "response-content-disposition",
                           "response-cache-control",
                           "response-expires",
                           "response-content-language",
                           "response-content-encoding",
                           "continuation-token",
                           "tagging",
                           "delete",
                           "cors",
                           "bucketInfo",
                           "location",
                           "callback",
                           "callback-var",
                           "versionId",
                           "resourceGroup",
                           "metaQuery"}) {
    EXPECT_TRUE(oss::is_v1_subresource(name)) << name;
  }
  for (const char* name : {"prefix",
                           "marker",
                           "delimiter",
                           "max-keys",
                           "encoding-type",
                           "list-type",
                           "max-parts",
                           "part-number-marker",
                           "max-uploads",
                           "key-marker",
                           "upload-id-marker",
                           "start-after",
                           "fetch-owner",
                           "OSSAccessKeyId",
                           "Expires",
                           "Signature",
                           "x-oss-signature",
                           "ACL",
                           "uploadid",
                           "Acl",
                           "acl ",
                           "",
                           "response-content-type2"}) {
    EXPECT_FALSE(oss::is_v1_subresource(name)) << name;
  }
}

TEST(V1CanonicalResource, LevelsAndSubresourceRendering) {
  std::vector<QueryParam> none;
  EXPECT_EQ(v1_canonical_resource("", "", none), "/");
  EXPECT_EQ(v1_canonical_resource("b", "", none), "/b/");
  EXPECT_EQ(v1_canonical_resource("b", "dir/a b+&.txt", none), "/b/dir/a b+&.txt");

  std::vector<QueryParam> query = {{"uploadId", "U1", true},
                                   {"prefix", "p", true},
                                   {"partNumber", "3", true},
                                   {"acl", "", true},
                                   {"uploads", "", false},
                                   {"max-keys", "10", true},
                                   {"response-content-disposition", "attachment; filename=\"a&b.txt\"", true}};
  EXPECT_EQ(v1_canonical_resource("b", "k", query),
            "/b/k?acl&partNumber=3&response-content-disposition=attachment; filename=\"a&b.txt\"&uploadId=U1&uploads");
  EXPECT_EQ(v1_canonical_resource("", "", {{"acl", "", true}}), "/?acl");
}

TEST(V1StringToSign, HeaderLinesAreLowerCasedTrimmedSortedAndMerged) {
  std::vector<HeaderField> headers = {{"X-OSS-Meta-Zeta", "  z  "},   {"x-oss-date", "Mon, 20 May 2024 08:30:00 GMT"},
                                      {"x-oss-meta-Project", "\tP1"}, {"X-Oss-Meta-project", "P2"},
                                      {"Cache-Control", "no-cache"},  {"x-ossfoo", "not an x-oss- header"}};
  EXPECT_EQ(v1_canonical_oss_headers(headers),
            "x-oss-date:Mon, 20 May 2024 08:30:00 GMT\nx-oss-meta-project:P1,P2\nx-oss-meta-zeta:z\n");
  EXPECT_EQ(v1_string_to_sign("put", "md5==", "text/plain", "DATE", headers, "/b/k"),
            "PUT\nmd5==\ntext/plain\nDATE\nx-oss-date:Mon, 20 May 2024 08:30:00 GMT\nx-oss-meta-project:P1,P2\n"
            "x-oss-meta-zeta:z\n/b/k");
  EXPECT_EQ(v1_string_to_sign("GET", "", "", "1716195600", {}, "/"), "GET\n\n\n1716195600\n/");
}

TEST(V1Signature, WorkedExampleFromTheSpec) {
  const std::string string_to_sign =
      "PUT\n8PGMLGauHdUSvc1DZvdtow==\ntext/plain\nMon, 20 May 2024 08:30:00 GMT\n"
      "x-oss-date:Mon, 20 May 2024 08:30:00 GMT\n/examplebucket/ossdemo.txt";
  EXPECT_EQ(v1_signature("TestSecretKey0123456789abcdefghij", string_to_sign), "GU0crWKNsAf/DLPyoPsc9oNuzgQ=");
}

TEST(V1Authorization, Parsing) {
  auto parsed = parse_v1_authorization("OSS LTAI5tTestAccessKeyId:GU0crWKNsAf/DLPyoPsc9oNuzgQ=");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->access_key_id, "LTAI5tTestAccessKeyId");
  EXPECT_EQ(parsed->signature, "GU0crWKNsAf/DLPyoPsc9oNuzgQ=");
  for (const char* bad : {"OSS", "OSS id", "OSS :sig", "OSS id:", "OSS id:a:b", "Bearer x"}) {
    auto result = parse_v1_authorization(bad);
    ASSERT_FALSE(result.ok()) << bad;
    EXPECT_EQ(result.error().code, ErrorCode::InvalidArgument);
  }
}

TEST(V4Authorization, ParsingWithAndWithoutAdditionalHeaders) {
  auto plain = parse_v4_authorization(
      "OSS4-HMAC-SHA256 Credential=STS.abc/20240520/cn-hangzhou/oss/aliyun_v4_request,Signature=00ff");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->credential.access_key_id, "STS.abc");
  EXPECT_EQ(plain->credential.date, "20240520");
  EXPECT_EQ(plain->credential.region, "cn-hangzhou");
  EXPECT_EQ(plain->credential.product, "oss");
  EXPECT_EQ(plain->credential.terminator, "aliyun_v4_request");
  EXPECT_EQ(plain->additional_headers, "");
  EXPECT_EQ(plain->signature, "00ff");

  // Spaces after the commas are tolerated (AWS-style writers add them).
  auto spaced = parse_v4_authorization(
      "OSS4-HMAC-SHA256 Credential=id/20240520/cn-hangzhou/oss/aliyun_v4_request, AdditionalHeaders=host;range, "
      "Signature=ab");
  ASSERT_TRUE(spaced.ok());
  EXPECT_EQ(spaced->additional_headers, "host;range");
  EXPECT_EQ(spaced->signature, "ab");
}

TEST(V4Credential, IdMayContainSlashes) {
  auto parsed = parse_v4_credential("a/b/20240520/cn-hangzhou/oss/aliyun_v4_request", "x-oss-credential");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->access_key_id, "a/b");
  auto bad = parse_v4_credential("20240520/cn-hangzhou/oss/aliyun_v4_request", "x-oss-credential");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::InvalidArgument);
  ASSERT_FALSE(bad.error().details.empty());
  EXPECT_EQ(bad.error().details[0].second, "x-oss-credential");
}

TEST(V4Canonical, UriEncodesEverythingButUnreservedAndSlash) {
  EXPECT_EQ(v4_canonical_uri("", ""), "/");
  EXPECT_EQ(v4_canonical_uri("b", ""), "/b/");
  EXPECT_EQ(v4_canonical_uri("b", "dir/子目录/a b+c!'()*~.txt"),
            "/b/dir/%E5%AD%90%E7%9B%AE%E5%BD%95/a%20b%2Bc%21%27%28%29%2A~.txt");
}

TEST(V4Canonical, QueryIsEncodedSortedAndSkipsTheSignature) {
  std::vector<QueryParam> query = {{"x-oss-signature", "abc", true},
                                   {"prefix", "dir/", true},
                                   {"uploads", "", false},
                                   {"acl", "", true},
                                   {"list-type", "2", true},
                                   {"response-content-disposition", "attachment; filename=\"a.txt\"", true},
                                   {"a b", "*", true}};
  EXPECT_EQ(v4_canonical_query(query),
            "a%20b=%2A&acl&list-type=2&prefix=dir%2F&response-content-disposition=attachment%3B%20filename%3D%22a."
            "txt%22&uploads");
  EXPECT_EQ(v4_canonical_query(query, EmptyQueryValue::NameEquals),
            "a%20b=%2A&acl=&list-type=2&prefix=dir%2F&response-content-disposition=attachment%3B%20filename%3D%22a."
            "txt%22&uploads=");
  // Sorting is by encoded bytes: upper case before lower case.
  EXPECT_EQ(v4_canonical_query({{"b", "1", true}, {"B", "2", true}, {"a", "3", true}}), "B=2&a=3&b=1");
}

TEST(V4Canonical, HeadersAndAdditionalHeaderNormalization) {
  EXPECT_EQ(v4_normalize_additional_headers({"Range", "host", "HOST", "x-oss-meta-a", "Content-MD5", "content-type"}),
            (std::vector<std::string>{"host", "range"}));
  EXPECT_EQ(v4_split_additional_headers(""), std::vector<std::string>{});
  EXPECT_EQ(v4_split_additional_headers("host;range"), (std::vector<std::string>{"host", "range"}));

  std::vector<HeaderField> headers = {{"Host", "h"},
                                      {"Range", " bytes=0-1 "},
                                      {"Content-Type", "text/plain"},
                                      {"User-Agent", "ua"},
                                      {"X-Oss-Date", "20240520T083000Z"}};
  EXPECT_EQ(v4_canonical_headers(headers, {}), "content-type:text/plain\nx-oss-date:20240520T083000Z\n");
  EXPECT_EQ(v4_canonical_headers(headers, {"host", "range", "absent"}),
            "content-type:text/plain\nhost:h\nrange:bytes=0-1\nx-oss-date:20240520T083000Z\n");
  EXPECT_EQ(v4_payload_hash(headers), "UNSIGNED-PAYLOAD");
  headers.push_back({"x-oss-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"});
  EXPECT_EQ(v4_payload_hash(headers), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(V4Signing, RegionScopeAndKeyDerivation) {
  EXPECT_EQ(v4_region("oss-cn-hangzhou"), "cn-hangzhou");
  EXPECT_EQ(v4_region("cn-hangzhou"), "cn-hangzhou");
  EXPECT_EQ(v4_scope("20240520", "cn-hangzhou"), "20240520/cn-hangzhou/oss/aliyun_v4_request");
  std::string key = v4_signing_key("secret", "20240520", "cn-hangzhou");
  EXPECT_EQ(key.size(), 32u);
  EXPECT_NE(key, v4_signing_key("secret", "20240521", "cn-hangzhou"));
  EXPECT_NE(key, v4_signing_key("secret", "20240520", "cn-beijing"));
  EXPECT_NE(key, v4_signing_key("secret2", "20240520", "cn-hangzhou"));
  std::string signature = v4_signature(key, "x");
  EXPECT_EQ(signature.size(), 64u);
  EXPECT_EQ(signature.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(AuthErrors, StringToSignBytesMatchesTheOssFormat) {
  EXPECT_EQ(string_to_sign_bytes("PUT\n"), "50 55 54 0A ");
  EXPECT_EQ(string_to_sign_bytes(""), "");
  EXPECT_EQ(string_to_sign_bytes("\xe4\xb8\xad"), "E4 B8 AD ");
}

TEST(AuthErrors, DetailsInDocumentedOrder) {
  Error e = signature_mismatch("id", "sig", "GET\n", std::string_view("CR"));
  EXPECT_EQ(e.code, ErrorCode::SignatureDoesNotMatch);
  ASSERT_EQ(e.details.size(), 5u);
  EXPECT_EQ(e.details[0], (std::pair<std::string, std::string>{"OSSAccessKeyId", "id"}));
  EXPECT_EQ(e.details[1], (std::pair<std::string, std::string>{"SignatureProvided", "sig"}));
  EXPECT_EQ(e.details[2], (std::pair<std::string, std::string>{"StringToSign", "GET\n"}));
  EXPECT_EQ(e.details[3], (std::pair<std::string, std::string>{"StringToSignBytes", "47 45 54 0A "}));
  EXPECT_EQ(e.details[4], (std::pair<std::string, std::string>{"CanonicalRequest", "CR"}));
  EXPECT_EQ(signature_mismatch("id", "sig", "GET", std::nullopt).details.size(), 4u);
}

}  // namespace
}  // namespace ossd::auth
