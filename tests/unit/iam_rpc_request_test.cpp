// The RPC front end: recognising STS/RAM calls, collecting parameters,
// verifying both signature styles (every sts-rpc golden vector replayed
// through the server's path at the vector's frozen time), and rendering
// results and errors.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "api/rpc_request.hpp"
#include "api/rpc_response.hpp"
#include "auth/in_memory_credentials.hpp"
#include "core/strings.hpp"
#include "core/time_format.hpp"
#include "iam/rpc_error.hpp"

namespace ossd::api {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kKeyId = "LTAI5tTestAccessKeyId";
constexpr const char* kSecret = "TestSecretKey0123456789abcdefghij";
constexpr const char* kAccount = "1234567890123456";

json load_vectors() {
  std::ifstream in(std::string(OSSD_VECTORS_DIR) + "/sts-rpc.public.json");
  if (!in) throw std::runtime_error("cannot open sts-rpc.public.json");
  return json::parse(in);
}

std::string code_of(const Error& error) { return describe_rpc_error(error).code; }

// A call as the handler sees it.
struct RawCall {
  std::string method = "GET";
  std::string path = "/";
  std::string raw_query;
  std::vector<HeaderField> headers;
  std::string body;

  const std::string* header(std::string_view name) const {
    for (const auto& h : headers) {
      if (iequals(h.name, name)) return &h.value;
    }
    return nullptr;
  }
  void set_header(const std::string& name, const std::string& value) {
    for (auto& h : headers) {
      if (iequals(h.name, name)) {
        h.value = value;
        return;
      }
    }
    headers.push_back({name, value});
  }
};

// The whole verification path: collect, parse, verify.
Result<auth::Identity> verify(const RawCall& raw, SystemTime now, const auth::CredentialLookup& credentials) {
  const std::string* content_type = raw.header("Content-Type");
  auto params = collect_rpc_parameters(raw.raw_query, content_type ? *content_type : "", raw.body);
  if (!params) return params.error();
  auto envelope = parse_rpc_envelope(params.value(), raw.headers);
  if (!envelope) return envelope.error();
  return verify_rpc_request(envelope.value(), params.value(), raw.method, raw.path, raw.headers, raw.body, credentials,
                            now, RpcVerifySettings{});
}

auth::InMemoryCredentials vector_credentials() {
  return auth::InMemoryCredentials({auth::Credential{kKeyId, kSecret, kAccount, "root"}});
}

// Node's querystring.escape: encodeURIComponent, which keeps ! ' ( ) *.
std::string node_escape(std::string_view text) {
  return auth::rpc_percent_encode(text, auth::RpcEncoding::NodeQuerystring);
}

RawCall raw_call_from_vector(const json& vector) {
  RawCall raw;
  if (!vector.contains("request")) {
    // @alicloud/sts-sdk: the vector keeps only the params; the SDK sends them
    // (and the Signature) as the query of a POST, built by Node's querystring.
    raw.method = "POST";
    std::string query;
    for (const auto& [name, value] : vector["params"].items()) {
      query += (query.empty() ? "" : "&") + node_escape(name) + "=" + node_escape(value.get<std::string>());
    }
    raw.raw_query = query + "&Signature=" + node_escape(vector["expected"]["signature"].get<std::string>());
    return raw;
  }
  const json& request = vector["request"];
  raw.method = request["method"];
  if (request.contains("url")) {
    const std::string url = request["url"];
    const auto path_start = url.find('/', url.find("://") + 3);
    const std::string target = url.substr(path_start);
    const auto question = target.find('?');
    raw.path = target.substr(0, question);
    if (question != std::string::npos) raw.raw_query = target.substr(question + 1);
  } else {
    raw.path = request["pathname"];
    std::string query;
    for (const auto& [name, value] : request["query"].items()) {
      query += (query.empty() ? "" : "&") + uri_encode(name) + "=" + uri_encode(value.get<std::string>());
    }
    raw.raw_query = query;
  }
  for (const auto& [name, value] : request["headers"].items()) raw.headers.push_back({name, value.get<std::string>()});
  if (request.contains("body") && request["body"].is_string()) raw.body = request["body"];
  return raw;
}

TEST(RpcVectors, EveryVectorVerifiesThroughTheServerPath) {
  const json vectors = load_vectors();
  ASSERT_EQ(vectors["cases"].size(), vectors["count"].get<size_t>());
  auto credentials = vector_credentials();
  for (const auto& vector : vectors["cases"]) {
    SCOPED_TRACE(vector["id"].get<std::string>());
    const RawCall raw = raw_call_from_vector(vector);
    const SystemTime now = parse_iso8601(vector["now"].get<std::string>()).value();
    auto identity = verify(raw, now, credentials);
    ASSERT_TRUE(identity) << code_of(identity.error()) << ": " << identity.error().message;
    EXPECT_EQ(identity->access_key_id, kKeyId);
    EXPECT_EQ(identity->account_id, kAccount);
    EXPECT_EQ(identity->kind, auth::PrincipalKind::Account);
  }
}

TEST(RpcVectors, AnyChangedParameterBreaksEveryVector) {
  const json vectors = load_vectors();
  auto credentials = vector_credentials();
  for (const auto& vector : vectors["cases"]) {
    SCOPED_TRACE(vector["id"].get<std::string>());
    RawCall raw = raw_call_from_vector(vector);
    const SystemTime now = parse_iso8601(vector["now"].get<std::string>()).value();
    if (!raw.body.empty()) {
      raw.body += "&Extra=1";
    } else {
      raw.raw_query += raw.raw_query.empty() ? "Extra=1" : "&Extra=1";
    }
    auto identity = verify(raw, now, credentials);
    ASSERT_FALSE(identity);
    EXPECT_EQ(code_of(identity.error()), "SignatureDoesNotMatch");
    EXPECT_EQ(describe_rpc_error(identity.error()).status, 400u);
  }
}

TEST(RpcVectors, TheMismatchMessageShowsTheServersStringToSign) {
  const json vectors = load_vectors();
  const json& vector = vectors["cases"][0];
  RawCall raw = raw_call_from_vector(vector);
  auto other = auth::InMemoryCredentials({auth::Credential{kKeyId, "another-secret", kAccount, "root"}});
  auto identity = verify(raw, parse_iso8601(vector["now"].get<std::string>()).value(), other);
  ASSERT_FALSE(identity);
  EXPECT_NE(identity.error().message.find(vector["expected"]["string_to_sign"].get<std::string>()), std::string::npos);
}

TEST(RpcVectors, TimestampWindowAndFormat) {
  const json vectors = load_vectors();
  auto credentials = vector_credentials();
  for (const auto& vector : vectors["cases"]) {
    SCOPED_TRACE(vector["id"].get<std::string>());
    const RawCall raw = raw_call_from_vector(vector);
    const SystemTime now = parse_iso8601(vector["now"].get<std::string>()).value();
    EXPECT_TRUE(verify(raw, now + 14min, credentials));
    EXPECT_TRUE(verify(raw, now - 14min, credentials));
    auto late = verify(raw, now + 16min, credentials);
    ASSERT_FALSE(late);
    EXPECT_EQ(code_of(late.error()), "InvalidTimeStamp.Expired");
    auto early = verify(raw, now - 16min, credentials);
    ASSERT_FALSE(early);
    EXPECT_EQ(code_of(early.error()), "InvalidTimeStamp.Expired");
  }
  RawCall bad = raw_call_from_vector(vectors["cases"][0]);
  const auto at = bad.raw_query.find("Timestamp=");
  bad.raw_query.replace(at, std::string("Timestamp=2024-05-20T08%3A30%3A00Z").size(), "Timestamp=20240520T083000Z");
  auto format = verify(bad, parse_iso8601("2024-05-20T08:30:00Z").value(), credentials);
  ASSERT_FALSE(format);
  EXPECT_EQ(code_of(format.error()), "InvalidTimeStamp.Format");
}

TEST(RpcVectors, UnknownKeysAreNotFound) {
  const json vectors = load_vectors();
  auth::InMemoryCredentials nobody;
  for (const auto& vector : vectors["cases"]) {
    SCOPED_TRACE(vector["id"].get<std::string>());
    auto identity =
        verify(raw_call_from_vector(vector), parse_iso8601(vector["now"].get<std::string>()).value(), nobody);
    ASSERT_FALSE(identity);
    EXPECT_EQ(code_of(identity.error()), "InvalidAccessKeyId.NotFound");
    EXPECT_EQ(describe_rpc_error(identity.error()).status, 404u);
  }
}

// A V1 call signed here, with the chosen encoding for the string to sign and
// for the query on the wire.
RawCall signed_v1(auth::RpcParams params, auth::RpcEncoding encoding, const std::string& secret = kSecret) {
  const std::string string_to_sign = auth::rpc_string_to_sign("POST", params, encoding);
  params.emplace_back("Signature", auth::rpc_signature(secret, string_to_sign));
  RawCall raw;
  raw.method = "POST";
  for (const auto& [name, value] : params) {
    if (!raw.raw_query.empty()) raw.raw_query.push_back('&');
    raw.raw_query.append(auth::rpc_percent_encode(name, encoding)).push_back('=');
    raw.raw_query.append(auth::rpc_percent_encode(value, encoding));
  }
  return raw;
}

auth::RpcParams common_params(const std::string& nonce) {
  return {{"AccessKeyId", kKeyId},
          {"Action", "AssumeRole"},
          {"Format", "JSON"},
          {"SignatureMethod", "HMAC-SHA1"},
          {"SignatureNonce", nonce},
          {"SignatureVersion", "1.0"},
          {"Timestamp", "2024-05-20T08:30:00Z"},
          {"Version", "2015-04-01"}};
}

TEST(RpcV1, BothPercentEncodingsOfReservedCharactersAreAccepted) {
  auto credentials = vector_credentials();
  const SystemTime now = parse_iso8601("2024-05-20T08:30:00Z").value();
  auth::RpcParams params = common_params("n1");
  params.emplace_back("Policy", R"({"Statement":[{"Action":"oss:*","Resource":"acs:oss:*:*:b/(x)!'*"}]})");
  EXPECT_TRUE(verify(signed_v1(params, auth::RpcEncoding::Rfc3986), now, credentials));
  EXPECT_TRUE(verify(signed_v1(params, auth::RpcEncoding::NodeQuerystring), now, credentials)) << "sts-sdk quirk";
}

TEST(RpcV1, FormBodiesDecodePlusAsSpace) {
  auto credentials = vector_credentials();
  const SystemTime now = parse_iso8601("2024-05-20T08:30:00Z").value();
  auth::RpcParams params = common_params("n2");
  params.emplace_back("RoleSessionName", "a b");
  RawCall raw = signed_v1(params, auth::RpcEncoding::Rfc3986);
  raw.body = raw.raw_query;
  raw.raw_query.clear();
  const auto space = raw.body.find("a%20b");
  ASSERT_NE(space, std::string::npos);
  raw.body.replace(space, 5, "a+b");
  raw.headers.push_back({"Content-Type", "application/x-www-form-urlencoded; charset=UTF-8"});
  EXPECT_TRUE(verify(raw, now, credentials));
}

TEST(RpcV1, MissingOrUnsupportedCommonParameters) {
  auto credentials = vector_credentials();
  const SystemTime now = parse_iso8601("2024-05-20T08:30:00Z").value();
  auto without = [&](const std::string& name) {
    auth::RpcParams params = common_params("n3");
    std::erase_if(params, [&](const auto& p) { return p.first == name; });
    return signed_v1(params, auth::RpcEncoding::Rfc3986);
  };
  for (const char* name :
       {"AccessKeyId", "SignatureNonce", "Timestamp", "Version", "Action", "SignatureMethod", "SignatureVersion"}) {
    auto result = verify(without(name), now, credentials);
    ASSERT_FALSE(result) << name;
    EXPECT_EQ(code_of(result.error()), "MissingParameter") << name;
    EXPECT_NE(result.error().message.find(name), std::string::npos);
  }
  RawCall unsigned_call;
  unsigned_call.raw_query = "Action=GetCallerIdentity&Version=2015-04-01";
  auto unsigned_result = verify(unsigned_call, now, credentials);
  ASSERT_FALSE(unsigned_result);
  EXPECT_EQ(code_of(unsigned_result.error()), "IncompleteSignature");

  auth::RpcParams sha256 = common_params("n4");
  for (auto& [name, value] : sha256) {
    if (name == "SignatureMethod") value = "HMAC-SHA256";
  }
  auto method = verify(signed_v1(sha256, auth::RpcEncoding::Rfc3986), now, credentials);
  ASSERT_FALSE(method);
  EXPECT_EQ(code_of(method.error()), "UnsupportedSignatureMethod");

  auth::RpcParams v2 = common_params("n5");
  for (auto& [name, value] : v2) {
    if (name == "SignatureVersion") value = "2.0";
  }
  auto version = verify(signed_v1(v2, auth::RpcEncoding::Rfc3986), now, credentials);
  ASSERT_FALSE(version);
  EXPECT_EQ(code_of(version.error()), "UnsupportedSignatureVersion");
}

TEST(RpcV1, TemporaryKeysNeedTheirToken) {
  auth::InMemoryCredentials credentials;  // knows no temporary keys: find_temporary says InvalidAccessKeyId
  const SystemTime now = parse_iso8601("2024-05-20T08:30:00Z").value();
  auth::RpcParams params = common_params("n6");
  params[0].second = "STS.NUtemporary";
  auto missing = verify(signed_v1(params, auth::RpcEncoding::Rfc3986), now, credentials);
  ASSERT_FALSE(missing);
  EXPECT_EQ(code_of(missing.error()), "MissingSecurityToken");
}

TEST(RpcParameters, RefusesDuplicatesAndBadEscapes) {
  EXPECT_FALSE(collect_rpc_parameters("Action=A&Action=B", "", ""));
  EXPECT_FALSE(collect_rpc_parameters("Action=A", "application/x-www-form-urlencoded", "Action=B"));
  EXPECT_FALSE(collect_rpc_parameters("Action=%zz", "", ""));
  auto ok = collect_rpc_parameters("Action=A", "text/plain", "Action=B");
  ASSERT_TRUE(ok) << "a body that is not a form is not parameters";
  EXPECT_EQ(ok->all.at("Action"), "A");
  EXPECT_TRUE(wants_xml(collect_rpc_parameters("Format=xml", "", "")->all));
  EXPECT_FALSE(wants_xml(collect_rpc_parameters("Format=JSON", "", "")->all));
}

RawCall acs3_vector_call() {
  const json vectors = load_vectors();
  for (const auto& vector : vectors["cases"]) {
    if (vector["id"] == "acs3-assumerole") return raw_call_from_vector(vector);
  }
  throw std::runtime_error("acs3-assumerole vector missing");
}

TEST(RpcAcs3, TheBodyMustMatchItsSignedHash) {
  auto credentials = vector_credentials();
  const SystemTime now = parse_iso8601("2024-05-20T08:30:00Z").value();
  RawCall raw = acs3_vector_call();
  raw.body = "Injected=1";
  raw.set_header("Content-Type", "application/x-www-form-urlencoded");
  auto result = verify(raw, now, credentials);
  ASSERT_FALSE(result);
  EXPECT_EQ(code_of(result.error()), "SignatureDoesNotMatch");
}

TEST(RpcAcs3, ReplayRelevantHeadersMustBeSigned) {
  auto credentials = vector_credentials();
  const SystemTime now = parse_iso8601("2024-05-20T08:30:00Z").value();
  RawCall raw = acs3_vector_call();
  std::string authorization = *raw.header("Authorization");
  const auto at = authorization.find("x-acs-signature-nonce;");
  authorization.erase(at, std::string("x-acs-signature-nonce;").size());
  raw.set_header("Authorization", authorization);
  auto result = verify(raw, now, credentials);
  ASSERT_FALSE(result);
  EXPECT_EQ(code_of(result.error()), "IncompleteSignature");

  RawCall tampered = acs3_vector_call();
  tampered.set_header("x-acs-signature-nonce", "another-nonce");
  auto changed = verify(tampered, now, credentials);
  ASSERT_FALSE(changed);
  EXPECT_EQ(code_of(changed.error()), "SignatureDoesNotMatch");

  RawCall malformed = acs3_vector_call();
  malformed.set_header("Authorization", "ACS3-HMAC-SHA256 Credential=LTAI5tTestAccessKeyId");
  auto bad = verify(malformed, now, credentials);
  ASSERT_FALSE(bad);
  EXPECT_EQ(code_of(bad.error()), "IncompleteSignature");
}

TEST(RpcDetection, ServiceRootWithActionHeaderOrForm) {
  auto detect = [](std::string method, std::string target, std::vector<HeaderField> headers) {
    http::Request request;
    request.method = std::move(method);
    request.target = target;
    request.headers = std::move(headers);
    const std::string* host = request.find("Host");
    auto resource = oss::resolve_resource(host ? *host : "127.0.0.1:9000", target, oss::AddressingConfig{});
    return resource && is_rpc_request(request, resource.value());
  };
  EXPECT_TRUE(detect("GET", "/?Action=AssumeRole&Version=2015-04-01", {}));
  EXPECT_TRUE(detect("GET", "/?Action=AssumeRole&Version=2015-04-01", {{"Host", "localhost:9000"}}));
  EXPECT_TRUE(detect("POST", "/", {{"x-acs-action", "AssumeRole"}}));
  EXPECT_TRUE(detect("POST", "/", {{"Content-Type", "application/x-www-form-urlencoded"}}));
  EXPECT_FALSE(detect("GET", "/", {}));
  EXPECT_FALSE(detect("GET", "/bucket?Action=AssumeRole", {})) << "bucket requests stay OSS requests";
  EXPECT_FALSE(detect("POST", "/bucket/key", {{"Content-Type", "application/x-www-form-urlencoded"}}));
  EXPECT_FALSE(detect("PUT", "/", {}));
}

TEST(RpcResponse, CodesAndStatuses) {
  struct Case {
    Error error;
    std::string code;
    unsigned status;
  };
  const Case cases[] = {
      {iam::no_permission(), "NoPermission", 403},
      {iam::rpc_error(ErrorCode::EntityNotExist, "EntityNotExist.Role", "m"), "EntityNotExist.Role", 404},
      {iam::rpc_error(ErrorCode::InvalidArgument, "InvalidParameter.DurationSeconds", "m"),
       "InvalidParameter.DurationSeconds", 400},
      {iam::rpc_error(ErrorCode::InvalidArgument, "SignatureNonceUsed", "m"), "SignatureNonceUsed", 400},
      {Error(ErrorCode::EntityAlreadyExists, "m").with("RamCode", "EntityAlreadyExists.User"),
       "EntityAlreadyExists.User", 409},
      {Error(ErrorCode::DeleteConflict, "m").with("RamCode", "DeleteConflict.User.AccessKey"),
       "DeleteConflict.User.AccessKey", 409},
      {Error(ErrorCode::LimitExceeded, "m").with("RamCode", "LimitExceeded.User.AccessKey"),
       "LimitExceeded.User.AccessKey", 409},
      {Error(ErrorCode::InvalidAccessKeyId), "InvalidAccessKeyId.NotFound", 404},
      {Error(ErrorCode::SecurityTokenExpired), "InvalidSecurityToken.Expired", 400},
      {Error(ErrorCode::InvalidSecurityToken), "InvalidSecurityToken.Malformed", 400},
      {Error(ErrorCode::InternalError, "sqlite said: disk I/O error"), "InternalError", 500},
  };
  for (const auto& c : cases) {
    const RpcErrorView view = describe_rpc_error(c.error);
    EXPECT_EQ(view.code, c.code);
    EXPECT_EQ(view.status, c.status) << c.code;
    EXPECT_FALSE(view.message.empty()) << c.code;
  }
  EXPECT_EQ(describe_rpc_error(Error(ErrorCode::InternalError, "sqlite said: disk I/O error")).message.find("sqlite"),
            std::string::npos)
      << "internal details stay inside";
}

TEST(RpcResponse, JsonErrorBody) {
  http::Response response = rpc_error_response(iam::no_permission(), "REQ-1", "sts.example", /*xml=*/false);
  EXPECT_EQ(response.status, 403u);
  auto body = json::parse(response.body);
  EXPECT_EQ(body["RequestId"], "REQ-1");
  EXPECT_EQ(body["HostId"], "sts.example");
  EXPECT_EQ(body["Code"], "NoPermission");
  EXPECT_EQ(body["Message"], "You are not authorized to do this action. You should be authorized by RAM.");
  EXPECT_TRUE(body.contains("Recommend"));
}

TEST(RpcResponse, XmlResultAndError) {
  nlohmann::ordered_json result = {
      {"AssumedRoleUser", {{"Arn", "acs:ram::1:role/r/s"}, {"AssumedRoleId", "9:s"}}},
      {"Credentials", {{"AccessKeyId", "STS.x"}, {"Expiration", "2024-05-20T09:30:00Z"}}},
  };
  http::Response response = rpc_result_response(result, "AssumeRole", "REQ-2", /*xml=*/true);
  EXPECT_EQ(response.status, 200u);
  EXPECT_EQ(response.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><AssumeRoleResponse><RequestId>REQ-2</RequestId>"
            "<AssumedRoleUser><Arn>acs:ram::1:role/r/s</Arn><AssumedRoleId>9:s</AssumedRoleId></AssumedRoleUser>"
            "<Credentials><AccessKeyId>STS.x</AccessKeyId><Expiration>2024-05-20T09:30:00Z</Expiration></Credentials>"
            "</AssumeRoleResponse>");

  nlohmann::ordered_json users = {{"Users", {{"User", {{{"UserName", "a"}}, {{"UserName", "b<&>"}}}}}},
                                  {"IsTruncated", false}};
  http::Response listed = rpc_result_response(users, "ListUsers", "R", true);
  EXPECT_NE(listed.body.find(
                "<Users><User><UserName>a</UserName></User><User><UserName>b&lt;&amp;&gt;</UserName></User></Users>"
                "<IsTruncated>false</IsTruncated>"),
            std::string::npos)
      << listed.body;

  http::Response error = rpc_error_response(iam::missing_parameter("RoleArn"), "R3", "h", true);
  EXPECT_EQ(error.status, 400u);
  EXPECT_TRUE(error.body.find("<Error><RequestId>R3</RequestId><HostId>h</HostId><Code>MissingParameter</Code>") !=
              std::string::npos)
      << error.body;
}

TEST(RpcResponse, JsonResultCarriesTheRequestId) {
  http::Response response = rpc_result_response({{"AccountId", "1"}}, "GetCallerIdentity", "REQ", false);
  auto body = json::parse(response.body);
  EXPECT_EQ(body["RequestId"], "REQ");
  EXPECT_EQ(body["AccountId"], "1");
  bool json_type = false;
  for (const auto& h : response.headers)
    json_type |= h.name == "Content-Type" && h.value.starts_with("application/json");
  EXPECT_TRUE(json_type);
}

TEST(RpcErrors, AMessageForTheLogOnlyNeverReachesTheClient) {
  Error error =
      Error(ErrorCode::ServiceUnavailable, "connection to server at \"db.internal\" (10.0.0.5) failed").log_only();
  const RpcErrorView view = describe_rpc_error(error);
  EXPECT_EQ(view.status, 503u);
  EXPECT_EQ(view.message.find("db.internal"), std::string::npos) << view.message;
  EXPECT_FALSE(view.message.empty());
}

}  // namespace
}  // namespace ossd::api
