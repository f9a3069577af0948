// The RPC client (STS and RAM): its signatures against the pop-core golden
// vectors (byte-identical query strings and form bodies), and its requests
// and answer parsing against a scripted server (the project's own src/http
// server in-process) that verifies every signature it receives.
#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "auth/rpc_signature.hpp"
#include "client_test_support.hpp"
#include "core/strings.hpp"
#include "http/server.hpp"
#include "ossd/error.hpp"
#include "ossd/rpc_client.hpp"

namespace ossd::client {
namespace {

using namespace std::chrono_literals;
using test::ordered_json;

const Credentials kLongTerm{"LTAI5tTestAccessKeyId", "TestSecretKey0123456789abcdefghij", ""};

// The parameters the client adds itself; the rest of a vector's params are
// what the caller passed.
const std::set<std::string> kCommonParameters = {"Action",         "Version",         "Format",
                                                 "AccessKeyId",    "SignatureMethod", "SignatureVersion",
                                                 "SignatureNonce", "Timestamp",       "Signature"};

std::vector<ordered_json> pop_core_cases() {
  std::vector<ordered_json> out;
  for (const auto& c : test::cases_of("sts-rpc.public.json")) {
    if (c.at("client").get<std::string>().find("pop-core") != std::string::npos) out.push_back(c);
  }
  return out;
}

std::string value_of(const RpcParameters& params, std::string_view name) {
  for (const auto& [n, v] : params) {
    if (n == name) return v;
  }
  return {};
}

class PopCoreVectors : public ::testing::TestWithParam<ordered_json> {};

TEST_P(PopCoreVectors, SignsAndEncodesLikePopCore) {
  const ordered_json& c = GetParam();
  const ordered_json& params = c.at("params");
  RpcParameters caller;
  for (const auto& [name, value] : params.items()) {
    if (!kCommonParameters.contains(name)) caller.emplace_back(name, value.get<std::string>());
  }
  const std::string method = c.at("request").at("method").get<std::string>();
  const RpcMethod rpc_method = method == "GET" ? RpcMethod::Get : RpcMethod::Post;
  const RpcParameters signed_params =
      sign_rpc_request(rpc_method, params.at("Action").get<std::string>(), params.at("Version").get<std::string>(),
                       caller, test::credentials_of(c.at("credentials")), test::time_of(c.at("now")),
                       params.at("SignatureNonce").get<std::string>());

  EXPECT_EQ(value_of(signed_params, "Signature"), c.at("expected").at("signature").get<std::string>());
  ASSERT_EQ(signed_params.back().first, "Signature");  // pop-core appends it last
  // Every other parameter is the vector's, with the vector's value.
  EXPECT_EQ(signed_params.size(), params.size() + 1);
  for (const auto& [name, value] : params.items()) {
    EXPECT_EQ(value_of(signed_params, name), value.get<std::string>()) << name;
  }
  const std::string encoded = rpc_encode_parameters(signed_params);
  if (rpc_method == RpcMethod::Get) {
    EXPECT_EQ("https://sts.aliyuncs.com/?" + encoded, c.at("request").at("url").get<std::string>());
  } else {
    EXPECT_EQ(encoded, c.at("request").at("body").get<std::string>());
  }
}

INSTANTIATE_TEST_SUITE_P(StsRpc, PopCoreVectors, ::testing::ValuesIn(pop_core_cases()), test::case_name);

TEST(PopCoreVectorsPresent, TheVectorFileHasThePopCoreCases) { EXPECT_EQ(pop_core_cases().size(), 3u); }

TEST(RpcSigning, ATemporaryKeySignsItsSecurityToken) {
  const Credentials temporary{"STS.NUtemp", "tempsecret", "CAIS+token/=="};
  const SystemTime now = from_unix_seconds(1716193800);
  const RpcParameters with_token =
      sign_rpc_request(RpcMethod::Post, "GetCallerIdentity", kStsApiVersion, {}, temporary, now, "n1");
  EXPECT_EQ(value_of(with_token, "SecurityToken"), "CAIS+token/==");
  EXPECT_EQ(value_of(with_token, "AccessKeyId"), "STS.NUtemp");
  // The token is part of what is signed: another token, another signature.
  const RpcParameters other = sign_rpc_request(RpcMethod::Post, "GetCallerIdentity", kStsApiVersion, {},
                                               {"STS.NUtemp", "tempsecret", "CAIS+other"}, now, "n1");
  EXPECT_NE(value_of(with_token, "Signature"), value_of(other, "Signature"));
  // A long-term key sends none.
  const RpcParameters long_term =
      sign_rpc_request(RpcMethod::Post, "GetCallerIdentity", kStsApiVersion, {}, kLongTerm, now, "n1");
  EXPECT_EQ(value_of(long_term, "SecurityToken"), "");
  EXPECT_EQ(std::count_if(long_term.begin(), long_term.end(), [](const auto& p) { return p.first == "SecurityToken"; }),
            0);
}

TEST(RpcSigning, CallerValuesForCommonNamesAreReplacedNotDuplicated) {
  const RpcParameters params = sign_rpc_request(RpcMethod::Get, "AssumeRole", kStsApiVersion,
                                                {{"Format", "XML"}, {"Signature", "forged"}, {"RoleArn", "a"}},
                                                kLongTerm, from_unix_seconds(0), "n");
  EXPECT_EQ(value_of(params, "Format"), "JSON");
  EXPECT_EQ(std::count_if(params.begin(), params.end(), [](const auto& p) { return p.first == "Signature"; }), 1);
  EXPECT_NE(value_of(params, "Signature"), "forged");
  EXPECT_EQ(value_of(params, "Timestamp"), "1970-01-01T00:00:00Z");
}

TEST(RpcEncoding, IsStrictRfc3986) {
  EXPECT_EQ(rpc_encode_parameters({{"a b", "x*y~z/+!'()"}, {"Empty", ""}}), "a%20b=x%2Ay~z%2F%2B%21%27%28%29&Empty=");
}

TEST(RpcErrors, JsonErrorDocumentsKeepTheirCodeAndMapToTheNearestErrorCode) {
  const Error not_found = rpc_error_from_response(
      404,
      R"({"RequestId":"R-1","HostId":"sts.aliyuncs.com","Code":"EntityNotExist.Role","Message":"The role not exists: acs:ram::1:role/x.","Recommend":"https://x"})");
  EXPECT_EQ(not_found.code, ErrorCode::EntityNotExist);
  const ServiceError typed = service_error(not_found);
  EXPECT_EQ(typed.http_status, 404u);
  EXPECT_EQ(typed.code, "EntityNotExist.Role");
  EXPECT_EQ(typed.message, "The role not exists: acs:ram::1:role/x.");
  EXPECT_EQ(typed.request_id, "R-1");
  EXPECT_EQ(typed.host_id, "sts.aliyuncs.com");
  EXPECT_EQ(describe(not_found),
            "EntityNotExist.Role (HTTP 404): The role not exists: acs:ram::1:role/x. [request id R-1]");

  EXPECT_EQ(rpc_error_from_response(400, R"({"Code":"SignatureDoesNotMatch","Message":"m"})").code,
            ErrorCode::SignatureDoesNotMatch);
  EXPECT_EQ(rpc_error_from_response(403, R"({"Code":"InvalidSecurityToken.Expired","Message":"m"})").code,
            ErrorCode::InvalidSecurityToken);
  // Unknown to the closed set: the status decides.
  EXPECT_EQ(rpc_error_from_response(403, R"({"Code":"NoPermission","Message":"m"})").code, ErrorCode::AccessDenied);
  const Error no_message = rpc_error_from_response(400, R"({"Code":"InvalidParameter.PolicyGrammar"})");
  EXPECT_EQ(no_message.message, "InvalidParameter.PolicyGrammar");
}

TEST(RpcErrors, AnOssXmlErrorIsReadAsSuch) {
  const Error e = rpc_error_from_response(
      403,
      "<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>no</Message><RequestId>X1</RequestId></Error>");
  EXPECT_EQ(e.code, ErrorCode::AccessDenied);
  EXPECT_EQ(service_error(e).code, "AccessDenied");
  EXPECT_EQ(service_error(e).request_id, "X1");
  EXPECT_EQ(service_error(rpc_error_from_response(502, "<html>bad gateway</html>")).http_status, 502u);
}

TEST(AssumeRoleResponse, ParsesCredentialsAndTheAssumedUser) {
  const auto parsed = parse_assume_role_response(nlohmann::json::parse(R"({
    "RequestId":"6894B13B","AssumedRoleUser":{"Arn":"acs:ram::1234567890123456:role/r/alice","AssumedRoleId":"3445:alice"},
    "Credentials":{"AccessKeyId":"STS.NUa","AccessKeySecret":"sec","SecurityToken":"CAIS","Expiration":"2024-05-20T09:30:00Z"}})"));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->credentials.access_key_id, "STS.NUa");
  EXPECT_EQ(parsed->credentials.access_key_secret, "sec");
  EXPECT_EQ(parsed->credentials.security_token, "CAIS");
  EXPECT_EQ(parsed->credentials.expiration, "2024-05-20T09:30:00Z");
  EXPECT_EQ(parsed->assumed_role_arn, "acs:ram::1234567890123456:role/r/alice");
  EXPECT_EQ(parsed->assumed_role_id, "3445:alice");
  EXPECT_EQ(parsed->request_id, "6894B13B");
  EXPECT_TRUE(parsed->credentials.as_credentials().temporary());
  EXPECT_EQ(
      to_json(parsed->credentials).dump(),
      R"({"AccessKeyId":"STS.NUa","AccessKeySecret":"sec","Expiration":"2024-05-20T09:30:00Z","SecurityToken":"CAIS"})");

  EXPECT_FALSE(parse_assume_role_response(nlohmann::json::parse(R"({"RequestId":"x"})")).ok());
  EXPECT_FALSE(parse_assume_role_response(
                   nlohmann::json::parse(R"({"Credentials":{"AccessKeyId":"STS.a","AccessKeySecret":"s"}})"))
                   .ok());
  EXPECT_FALSE(parse_assume_role_response(nlohmann::json::array()).ok());
}

TEST(RpcClientOptionsCheck, EndpointAndKeysAreRequired) {
  EXPECT_FALSE(RpcClient({"", kLongTerm}).validate().ok());
  EXPECT_EQ(RpcClient({"https://127.0.0.1:1", kLongTerm}).validate().error().code, ErrorCode::NotImplemented);
  EXPECT_FALSE(RpcClient({"http://127.0.0.1:1", {"id", "", ""}}).validate().ok());
  EXPECT_TRUE(RpcClient({"http://127.0.0.1:1", kLongTerm}).validate().ok());
  // A call on a bad client fails without any I/O.
  EXPECT_EQ(RpcClient({"", kLongTerm}).call("GetCallerIdentity", kStsApiVersion).error().code,
            ErrorCode::InvalidArgument);
}

// ------------------------------------------------------------ scripted server

struct Received {
  std::string method;
  std::string target;
  std::vector<HeaderField> headers;
  std::string body;
  auth::RpcParams params;  // from the query (GET) or the form (POST)
  bool signature_valid = false;

  std::string param(std::string_view name) const {
    for (const auto& [n, v] : params) {
      if (n == name) return v;
    }
    return {};
  }
  const std::string* header(std::string_view name) const {
    for (const auto& h : headers) {
      if (iequals(h.name, name)) return &h.value;
    }
    return nullptr;
  }
};

// Form decoding as a server does it: '+' is a space, then %XX.
auth::RpcParams decode_form(std::string_view text) {
  auth::RpcParams out;
  std::string plus_as_space(text);
  std::replace(plus_as_space.begin(), plus_as_space.end(), '+', ' ');
  for (const auto& p : parse_query(plus_as_space).value_or(std::vector<QueryParam>{})) {
    out.emplace_back(p.name, p.value);
  }
  return out;
}

class ScriptedRpc final : public http::Handler {
 public:
  using Script = std::function<http::Response(const Received&)>;

  boost::asio::awaitable<http::Response> handle(const http::Request& request, http::BodyReader& body) override {
    Received seen{request.method, request.target, request.headers, {}, {}, false};
    std::vector<char> buffer(64 * 1024);
    while (true) {
      auto got = co_await body.read_some(buffer);
      if (!got || *got == 0) break;
      seen.body.append(buffer.data(), *got);
    }
    const auto question = seen.target.find('?');
    seen.params = request.method == "GET" && question != std::string::npos
                      ? decode_form(std::string_view(seen.target).substr(question + 1))
                      : decode_form(seen.body);
    auth::RpcParams unsigned_params;
    std::string signature;
    for (const auto& [n, v] : seen.params) {
      if (n == "Signature") {
        signature = v;
      } else {
        unsigned_params.emplace_back(n, v);
      }
    }
    const std::string expected = auth::rpc_signature(
        secret_, auth::rpc_string_to_sign(request.method, unsigned_params, auth::RpcEncoding::Rfc3986));
    seen.signature_valid = !signature.empty() && signature == expected;
    std::lock_guard lock(mutex_);
    requests_.push_back(seen);
    co_return script_(seen);
  }

  void set_script(Script script) {
    std::lock_guard lock(mutex_);
    script_ = std::move(script);
  }
  void set_secret(std::string secret) {
    std::lock_guard lock(mutex_);
    secret_ = std::move(secret);
  }
  std::vector<Received> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  std::mutex mutex_;
  std::string secret_ = kLongTerm.access_key_secret;
  Script script_ = [](const Received&) { return http::Response{}; };
  std::vector<Received> requests_;
};

http::Response json_answer(unsigned status, std::string body) {
  http::Response response;
  response.status = status;
  response.body = std::move(body);
  response.set("Content-Type", "application/json;charset=utf-8");
  return response;
}

// Counts up, so nonces are predictable.
class CountingRandom final : public Random {
 public:
  void fill(std::span<unsigned char> out) override {
    for (auto& b : out) b = static_cast<unsigned char>(next_++);
  }

 private:
  unsigned next_ = 0;
};

class FixedClock final : public Clock {
 public:
  SystemTime now() const override { return from_unix_seconds(1716193800); }
};

class RpcClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    http::ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.io_threads = 1;
    options.limits.shutdown_grace = 5s;
    server_ = std::make_unique<http::Server>(options, rpc_);
    auto listening = server_->listen();
    ASSERT_TRUE(listening.ok()) << listening.error().message;
    thread_ = std::thread([this] {
      server_->run();
      stopped_.set_value();
    });
  }

  void TearDown() override {
    server_->request_stop();
    if (stopped_.get_future().wait_for(20s) != std::future_status::ready) std::abort();
    thread_.join();
  }

  RpcClientOptions options(RpcMethod method = RpcMethod::Post, Credentials credentials = kLongTerm) const {
    RpcClientOptions o;
    o.endpoint = "http://127.0.0.1:" + std::to_string(server_->bound_port());
    o.credentials = std::move(credentials);
    o.method = method;
    o.io_timeout = 10s;
    return o;
  }

  ScriptedRpc rpc_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
  std::promise<void> stopped_;
};

TEST_F(RpcClientTest, PostSendsASignedFormToTheServiceRoot) {
  rpc_.set_script([](const Received&) { return json_answer(200, R"({"RequestId":"R1","UserName":"alice"})"); });
  RpcClient client(options(), std::make_shared<FixedClock>(), std::make_shared<CountingRandom>());
  auto answer = client.call("CreateUser", kRamApiVersion, {{"UserName", "alice"}, {"DisplayName", "Alice A+B/é"}});
  ASSERT_TRUE(answer.ok()) << describe(answer.error());
  EXPECT_EQ(answer->at("UserName"), "alice");

  auto seen = rpc_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].target, "/");
  EXPECT_TRUE(seen[0].signature_valid);
  EXPECT_EQ(*seen[0].header("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(*seen[0].header("x-acs-action"), "CreateUser");
  EXPECT_EQ(*seen[0].header("x-acs-version"), "2015-05-01");
  EXPECT_EQ(*seen[0].header("Host"), "127.0.0.1:" + std::to_string(server_->bound_port()));
  EXPECT_EQ(seen[0].param("Action"), "CreateUser");
  EXPECT_EQ(seen[0].param("Version"), "2015-05-01");
  EXPECT_EQ(seen[0].param("DisplayName"), "Alice A+B/é");
  EXPECT_EQ(seen[0].param("Format"), "JSON");
  EXPECT_EQ(seen[0].param("Timestamp"), "2024-05-20T08:30:00Z");
  EXPECT_EQ(seen[0].param("SignatureNonce"), "000102030405060708090a0b0c0d0e0f");
}

TEST_F(RpcClientTest, GetPutsEverythingInTheQueryAndNoncesNeverRepeat) {
  rpc_.set_script([](const Received&) { return json_answer(200, R"({"RequestId":"R2"})"); });
  RpcClient client(options(RpcMethod::Get));
  ASSERT_TRUE(client.get_caller_identity().ok());
  ASSERT_TRUE(client.get_caller_identity().ok());
  auto seen = rpc_.requests();
  ASSERT_EQ(seen.size(), 2u);
  for (const auto& r : seen) {
    EXPECT_EQ(r.method, "GET");
    EXPECT_TRUE(r.target.starts_with("/?"));
    EXPECT_TRUE(r.body.empty());
    EXPECT_TRUE(r.signature_valid);
    EXPECT_EQ(r.param("Action"), "GetCallerIdentity");
    EXPECT_EQ(r.param("Version"), "2015-04-01");
    EXPECT_EQ(r.param("SignatureNonce").size(), 32u);
  }
  EXPECT_NE(seen[0].param("SignatureNonce"), seen[1].param("SignatureNonce"));
}

TEST_F(RpcClientTest, AssumeRoleSendsItsParametersAndReturnsTheCredentials) {
  rpc_.set_script([](const Received&) {
    return json_answer(200, R"({"RequestId":"R3","AssumedRoleUser":{"Arn":"acs:ram::1:role/r/s","AssumedRoleId":"9:s"},
      "Credentials":{"AccessKeyId":"STS.x","AccessKeySecret":"y","SecurityToken":"z","Expiration":"2024-05-20T08:45:00Z"}})");
  });
  RpcClient client(options());
  AssumeRoleRequest request;
  request.role_arn = "acs:ram::1:role/r";
  request.session_name = "alice@example.com";
  request.duration = 900s;
  request.policy = R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:*","Resource":"*"}]})";
  request.external_id = "ext-1";
  auto result = client.assume_role(request);
  ASSERT_TRUE(result.ok()) << describe(result.error());
  EXPECT_EQ(result->credentials.access_key_id, "STS.x");
  EXPECT_EQ(result->credentials.expiration, "2024-05-20T08:45:00Z");
  EXPECT_EQ(result->assumed_role_arn, "acs:ram::1:role/r/s");

  auto seen = rpc_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(seen[0].signature_valid);
  EXPECT_EQ(seen[0].param("RoleArn"), "acs:ram::1:role/r");
  EXPECT_EQ(seen[0].param("RoleSessionName"), "alice@example.com");
  EXPECT_EQ(seen[0].param("DurationSeconds"), "900");
  EXPECT_EQ(seen[0].param("Policy"), request.policy);
  EXPECT_EQ(seen[0].param("ExternalId"), "ext-1");
}

TEST_F(RpcClientTest, TemporaryCallersSendTheirToken) {
  rpc_.set_secret("tempsecret");
  rpc_.set_script([](const Received&) { return json_answer(200, R"({"RequestId":"R4"})"); });
  RpcClient client(options(RpcMethod::Post, {"STS.abc", "tempsecret", "CAIS/+=token"}));
  ASSERT_TRUE(client.get_caller_identity().ok());
  auto seen = rpc_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(seen[0].signature_valid);
  EXPECT_EQ(seen[0].param("SecurityToken"), "CAIS/+=token");
  EXPECT_EQ(seen[0].param("AccessKeyId"), "STS.abc");
}

TEST_F(RpcClientTest, ErrorAnswersBecomeTypedErrors) {
  rpc_.set_script([](const Received&) {
    return json_answer(
        403,
        R"({"RequestId":"R5","HostId":"127.0.0.1","Code":"NoPermission","Message":"You are not authorized to do this action."})");
  });
  RpcClient client(options());
  AssumeRoleRequest request{"acs:ram::1:role/r", "s"};
  auto result = client.assume_role(request);
  ASSERT_FALSE(result.ok());
  const ServiceError e = service_error(result.error());
  EXPECT_EQ(e.http_status, 403u);
  EXPECT_EQ(e.code, "NoPermission");
  EXPECT_EQ(e.request_id, "R5");

  rpc_.set_script([](const Received&) { return json_answer(200, "not json"); });
  auto garbled = client.get_caller_identity();
  ASSERT_FALSE(garbled.ok());
  EXPECT_EQ(garbled.error().code, ErrorCode::InternalError);

  rpc_.set_script([](const Received&) { return json_answer(200, R"({"RequestId":"R6"})"); });
  auto incomplete = client.assume_role(request);
  ASSERT_FALSE(incomplete.ok());
  EXPECT_EQ(incomplete.error().code, ErrorCode::InternalError);
}

TEST_F(RpcClientTest, AWrongSecretIsWhatTheServerSees) {
  rpc_.set_script([](const Received& r) {
    return r.signature_valid ? json_answer(200, R"({"RequestId":"ok"})")
                             : json_answer(400, R"({"Code":"SignatureDoesNotMatch","Message":"bad"})");
  });
  RpcClient client(options(RpcMethod::Post, {kLongTerm.access_key_id, "wrong-secret", ""}));
  auto result = client.get_caller_identity();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::SignatureDoesNotMatch);
}

TEST(RpcClientConnection, AnUnreachableServerIsServiceUnavailable) {
  RpcClientOptions o;
  o.endpoint = "http://127.0.0.1:1";
  o.credentials = kLongTerm;
  o.connect_timeout = 2s;
  auto result = RpcClient(o).get_caller_identity();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::ServiceUnavailable);
}

}  // namespace
}  // namespace ossd::client
