// STS AssumeRole and GetCallerIdentity on a real identity store: the happy
// path, the token's contents, and every refusal of issue #4's bad-input list.
#include <chrono>

#include "auth/session_token.hpp"
#include "iam/rpc_error.hpp"
#include "iam_test_support.hpp"

namespace ossd::iam::test {
namespace {

using namespace std::chrono_literals;

std::string code_of(const Error& error) {
  std::string code(rpc_code_detail(error));
  if (code.empty()) {
    for (const auto& [name, value] : error.details) {
      if (name == "RamCode") code = value;
    }
  }
  return code;
}

struct StsTest : IamFixture {
  void SetUp() override {
    IamFixture::SetUp();
    ram_ok("CreateRole", {{"RoleName", "oss-browser-role"},
                          {"AssumeRolePolicyDocument", trust_account_root()},
                          {"MaxSessionDuration", "7200"}});
  }

  RpcParams assume_params(std::string session = "alice-session") const {
    return {{"RoleArn", role_arn("oss-browser-role")}, {"RoleSessionName", std::move(session)}};
  }

  // The RPC code AssumeRole fails with (as root unless `who` is given).
  std::string refusal(RpcParams params, const auth::Identity& who = root_identity()) {
    auto result = sts->assume_role(call("AssumeRole", std::move(params), who));
    if (result) return "(accepted)";
    return code_of(result.error());
  }

  // A RAM user with a key, optionally holding AliyunSTSAssumeRoleAccess.
  auth::Identity ram_user(const std::string& name, bool may_assume) {
    ram_ok("CreateUser", {{"UserName", name}});
    auto key = ram_ok("CreateAccessKey", {{"UserName", name}});
    if (may_assume) {
      ram_ok("AttachPolicyToUser",
             {{"PolicyType", "System"}, {"PolicyName", "AliyunSTSAssumeRoleAccess"}, {"UserName", name}});
    }
    auto credential = credentials->find(key["AccessKey"]["AccessKeyId"].get<std::string>());
    EXPECT_TRUE(credential);
    return identity_of(*credential);
  }
};

TEST_F(StsTest, AssumeRoleIssuesATokenThatCarriesTheSession) {
  RpcParams params = assume_params();
  params["DurationSeconds"] = "1800";
  const std::string policy =
      R"({"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:GetObject"],"Resource":["acs:oss:*:*:b/*"]}]})";
  params["Policy"] = policy;
  auto result = sts->assume_role(root_call("AssumeRole", params));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(result->access_key_id.starts_with("STS."));
  EXPECT_EQ(result->access_key_id.size(), 4u + 28u);
  EXPECT_GE(result->access_key_secret.size(), 30u);
  EXPECT_EQ(result->expiration, clock.now() + 1800s);
  auto role = store->get_role("oss-browser-role");
  ASSERT_TRUE(role);
  EXPECT_EQ(result->assumed_role_arn, std::string("acs:ram::") + kAccount + ":role/oss-browser-role/alice-session");
  EXPECT_EQ(result->assumed_role_id, role->role_id + ":alice-session");

  auto claims = auth::open_session_token(result->security_token, *keys->ring());
  ASSERT_TRUE(claims);
  EXPECT_EQ(claims->access_key_id, result->access_key_id);
  EXPECT_EQ(claims->access_key_secret, result->access_key_secret);
  EXPECT_EQ(claims->account_id, kAccount);
  EXPECT_EQ(claims->role_name, "oss-browser-role");
  EXPECT_EQ(claims->role_id, role->role_id);
  EXPECT_EQ(claims->session_name, "alice-session");
  EXPECT_EQ(claims->session_policy, policy);
  EXPECT_EQ(claims->expiration, result->expiration);

  auto body = assume_role_json(result.value());
  EXPECT_EQ(body["Credentials"]["Expiration"], "2024-05-20T09:00:00Z");
  EXPECT_EQ(body["Credentials"]["AccessKeyId"], result->access_key_id);
  EXPECT_EQ(body["AssumedRoleUser"]["AssumedRoleId"], result->assumed_role_id);
  EXPECT_FALSE(body.contains("SourceIdentity"));
}

TEST_F(StsTest, DurationDefaultsTo3600AndExpirationHasWholeSeconds) {
  clock.set(at("2024-05-20T08:30:00.750Z"));
  auto result = sts->assume_role(root_call("AssumeRole", assume_params()));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->expiration, at("2024-05-20T09:30:00Z"));
}

TEST_F(StsTest, EveryTemporaryKeyIsNew) {
  auto a = sts->assume_role(root_call("AssumeRole", assume_params()));
  auto b = sts->assume_role(root_call("AssumeRole", assume_params()));
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->access_key_id, b->access_key_id);
  EXPECT_NE(a->access_key_secret, b->access_key_secret);
  EXPECT_NE(a->security_token, b->security_token);
}

TEST_F(StsTest, MissingParameters) {
  EXPECT_EQ(refusal({{"RoleSessionName", "s1"}}), "MissingRoleArn");
  EXPECT_EQ(refusal({{"RoleArn", role_arn("oss-browser-role")}}), "MissingRoleSessionName");
}

TEST_F(StsTest, MalformedOrForeignRoleArn) {
  for (const std::string& arn : std::vector<std::string>{
           std::string("garbage"), std::string("acs:ram::") + kAccount + ":user/oss-browser-role",
           std::string("acs:ram::6543210987654321:role/oss-browser-role"),
           std::string("acs:ram::") + kAccount + ":role/", std::string("acs:ram::") + kAccount + ":role/a/b",
           std::string("acs:ecs::") + kAccount + ":role/oss-browser-role",
           std::string("acs:ram:cn-hangzhou:") + kAccount + ":role/oss-browser-role"}) {
    RpcParams params = assume_params();
    params["RoleArn"] = arn;
    EXPECT_EQ(refusal(params), "InvalidParameter.RoleArn") << arn;
  }
  RpcParams star = assume_params();
  star["RoleArn"] = std::string("acs:ram:*:") + kAccount + ":role/oss-browser-role";
  EXPECT_EQ(refusal(star), "(accepted)");
}

TEST_F(StsTest, RoleSessionNameRules) {
  for (const std::string& name :
       std::vector<std::string>{"a", std::string(65, 'x'), "has space", "abc*abc", "名字ab", "a/b"}) {
    EXPECT_EQ(refusal(assume_params(name)), "InvalidParameter.RoleSessionName") << name;
  }
  for (const std::string& name : std::vector<std::string>{"ab", std::string(64, 'x'), "alice@example.com", "a.b_c-d"}) {
    EXPECT_EQ(refusal(assume_params(name)), "(accepted)") << name;
  }
}

TEST_F(StsTest, DurationSecondsRules) {
  for (const std::string& duration :
       std::vector<std::string>{"899", "0", "-900", "abc", "7201", "43201", "1e3", " 900"}) {
    RpcParams params = assume_params();
    params["DurationSeconds"] = duration;
    EXPECT_EQ(refusal(params), "InvalidParameter.DurationSeconds") << duration;
  }
  for (const std::string& duration : std::vector<std::string>{"900", "3600", "7200"}) {
    RpcParams params = assume_params();
    params["DurationSeconds"] = duration;
    EXPECT_EQ(refusal(params), "(accepted)") << duration;
  }
}

TEST_F(StsTest, SessionPolicySizeAndGrammar) {
  RpcParams params = assume_params();
  const std::string head = R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Resource":")";
  const std::string tail = R"("}]})";
  params["Policy"] = head + std::string(2048 - head.size() - tail.size(), 'r') + tail;
  EXPECT_EQ(refusal(params), "(accepted)") << "exactly 2048 characters";
  params["Policy"] = head + std::string(2049 - head.size() - tail.size(), 'r') + tail;
  EXPECT_EQ(refusal(params), "InvalidParameter.PolicySize");

  for (const std::string& policy : std::vector<std::string>{
           std::string("{not json"), std::string(R"({"Version":"1"})"),
           std::string(R"({"Version":"1","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]})"),
           std::string(1000, '[') + std::string(1000, ']'), std::string("[]")}) {
    params["Policy"] = policy;
    EXPECT_EQ(refusal(params), "InvalidParameter.PolicyGrammar") << policy.substr(0, 40);
  }
}

// Refused on its size, before any parsing (speed is for benchmarks, not tests).
TEST_F(StsTest, AMillionStatementsAreRefusedBySize) {
  std::string policy = R"({"Version":"1","Statement":[)";
  const std::string statement = R"({"Effect":"Allow","Action":"oss:GetObject","Resource":"*"},)";
  for (int i = 0; i < 1'000'000; ++i) policy += statement;
  policy.back() = ']';
  policy += "}";
  RpcParams params = assume_params();
  params["Policy"] = policy;
  EXPECT_EQ(refusal(params), "InvalidParameter.PolicySize");
}

TEST_F(StsTest, MissingRoleIsEntityNotExistRole) {
  RpcParams params = assume_params();
  params["RoleArn"] = role_arn("no-such-role");
  auto result = sts->assume_role(root_call("AssumeRole", params));
  ASSERT_FALSE(result);
  EXPECT_EQ(code_of(result.error()), "EntityNotExist.Role");
  EXPECT_EQ(result.error().code, ErrorCode::EntityNotExist);
}

TEST_F(StsTest, ARamUserNeedsStsAssumeRole) {
  auth::Identity without = ram_user("no-perm", false);
  EXPECT_EQ(refusal(assume_params(), without), "NoPermission");
  auth::Identity with = ram_user("may-assume", true);
  EXPECT_EQ(refusal(assume_params(), with), "(accepted)") << "the role trusts the account root, so all its users";
}

TEST_F(StsTest, AUserPolicyLimitedToOtherRolesIsNotEnough) {
  auth::Identity user = ram_user("narrow", false);
  const std::string policy =
      std::string(R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",)") +
      R"("Resource":"acs:ram:*:)" + kAccount + R"(:role/other-role"}]})";
  ram_ok("CreatePolicy", {{"PolicyName", "assume-other"}, {"PolicyDocument", policy}});
  ram_ok("AttachPolicyToUser", {{"PolicyType", "Custom"}, {"PolicyName", "assume-other"}, {"UserName", "narrow"}});
  EXPECT_EQ(refusal(assume_params(), user), "NoPermission");
}

TEST_F(StsTest, AUserTheRoleDoesNotTrustIsRefused) {
  const std::string trust_bob =
      std::string(R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",)") +
      R"("Principal":{"RAM":["acs:ram::)" + kAccount + R"(:user/bob"]}}]})";
  ram_ok("CreateRole", {{"RoleName", "bobs-role"}, {"AssumeRolePolicyDocument", trust_bob}});
  RpcParams params = assume_params();
  params["RoleArn"] = role_arn("bobs-role");
  auth::Identity alice = ram_user("alice", true);
  auth::Identity bob = ram_user("bob", true);
  EXPECT_EQ(refusal(params, alice), "NoPermission");
  EXPECT_EQ(refusal(params, bob), "(accepted)");
  EXPECT_EQ(refusal(params), "NoPermission") << "the role trusts bob only, not the account root";
}

TEST_F(StsTest, ExternalIdMustMatchTheTrustCondition) {
  const std::string trust = std::string(R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",)") +
                            R"("Principal":{"RAM":["acs:ram::)" + kAccount + R"(:root"]},)" +
                            R"("Condition":{"StringEquals":{"sts:ExternalId":"ext-001"}}}]})";
  ram_ok("CreateRole", {{"RoleName", "ext-role"}, {"AssumeRolePolicyDocument", trust}});
  RpcParams params = assume_params();
  params["RoleArn"] = role_arn("ext-role");
  EXPECT_EQ(refusal(params), "NoPermission");
  params["ExternalId"] = "ext-002";
  EXPECT_EQ(refusal(params), "NoPermission");
  params["ExternalId"] = "ext-001";
  EXPECT_EQ(refusal(params), "(accepted)");
}

TEST_F(StsTest, TemporaryCallersCannotChain) {
  auto issued = sts->assume_role(root_call("AssumeRole", assume_params()));
  ASSERT_TRUE(issued);
  auto credential = credentials->find_temporary(issued->access_key_id, issued->security_token, clock.now());
  ASSERT_TRUE(credential);
  EXPECT_EQ(refusal(assume_params(), identity_of(*credential)), "NoPermission");
}

TEST_F(StsTest, AnonymousOrForeignAccountCallersAreRefused) {
  EXPECT_EQ(refusal(assume_params(), auth::Identity{}), "NoPermission");
  auth::Identity foreign = root_identity();
  foreign.account_id = "6543210987654321";
  EXPECT_EQ(refusal(assume_params(), foreign), "NoPermission");
}

TEST_F(StsTest, GetCallerIdentityForEachKindOfCaller) {
  auto root = sts->call(root_call("GetCallerIdentity"));
  ASSERT_TRUE(root);
  EXPECT_EQ(root->dump(), std::string(R"({"IdentityType":"Account","AccountId":")") + kAccount + R"(","UserId":")" +
                              kAccount + R"(","Arn":"acs:ram::)" + kAccount + R"(:root","PrincipalId":")" + kAccount +
                              R"("})");

  auth::Identity user = ram_user("alice", true);
  auto as_user = sts->call(call("GetCallerIdentity", {}, user));
  ASSERT_TRUE(as_user);
  EXPECT_EQ((*as_user)["IdentityType"], "RAMUser");
  EXPECT_EQ((*as_user)["UserId"], user.principal_id);
  EXPECT_EQ((*as_user)["PrincipalId"], user.principal_id);
  EXPECT_EQ((*as_user)["Arn"], std::string("acs:ram::") + kAccount + ":user/alice");

  auto issued = sts->assume_role(root_call("AssumeRole", assume_params()));
  ASSERT_TRUE(issued);
  auto credential = credentials->find_temporary(issued->access_key_id, issued->security_token, clock.now());
  ASSERT_TRUE(credential);
  auto as_role = sts->call(call("GetCallerIdentity", {}, identity_of(*credential)));
  ASSERT_TRUE(as_role);
  auto role = store->get_role("oss-browser-role");
  EXPECT_EQ((*as_role)["IdentityType"], "AssumedRoleUser");
  EXPECT_EQ((*as_role)["RoleId"], role->role_id);
  EXPECT_EQ((*as_role)["PrincipalId"], role->role_id + ":alice-session");
  EXPECT_EQ((*as_role)["Arn"], std::string("acs:ram::") + kAccount + ":assumed-role/oss-browser-role/alice-session");
  EXPECT_FALSE(as_role->contains("UserId"));
}

TEST_F(StsTest, RaisingTheRolesMaximumAllowsLongerSessions) {
  RpcParams params = assume_params();
  params["DurationSeconds"] = "43200";
  EXPECT_EQ(refusal(params), "InvalidParameter.DurationSeconds");
  ram_ok("UpdateRole", {{"RoleName", "oss-browser-role"}, {"NewMaxSessionDuration", "43200"}});
  EXPECT_EQ(refusal(params), "(accepted)");
}

}  // namespace
}  // namespace ossd::iam::test
