// The production CredentialLookup: root, RAM users' keys (cached, invalidated
// at once by admin writes and within a poll by other processes) and STS tokens.
#include "iam_test_support.hpp"

namespace ossd::iam::test {
namespace {

using namespace std::chrono_literals;

struct CredentialStoreTest : IamFixture {
  // A user with one key, created through the RAM API; returns {id, secret}.
  std::pair<std::string, std::string> user_with_key(const std::string& name) {
    ram_ok("CreateUser", {{"UserName", name}});
    auto key = ram_ok("CreateAccessKey", {{"UserName", name}});
    return {key["AccessKey"]["AccessKeyId"], key["AccessKey"]["AccessKeySecret"]};
  }

  AssumeRoleResult assume(const std::string& role, int64_t duration = 900, const std::string& policy = "") {
    RpcParams params{
        {"RoleArn", role_arn(role)}, {"RoleSessionName", "sess"}, {"DurationSeconds", std::to_string(duration)}};
    if (!policy.empty()) params["Policy"] = policy;
    auto result = sts->assume_role(root_call("AssumeRole", params));
    EXPECT_TRUE(result) << (result ? "" : result.error().message);
    return result.value();
  }
};

TEST_F(CredentialStoreTest, TheRootKeyIsTheAccount) {
  auto root = credentials->find(kRootKeyId);
  ASSERT_TRUE(root);
  EXPECT_EQ(root->secret, kRootSecret);
  EXPECT_EQ(root->kind, auth::PrincipalKind::Account);
  EXPECT_EQ(root->account_id, kAccount);
  EXPECT_FALSE(credentials->find("LTAI-unknown"));
  EXPECT_FALSE(credentials->find(""));
}

TEST_F(CredentialStoreTest, ARamUsersKeyCarriesItsDecryptedSecretAndUser) {
  auto [id, secret] = user_with_key("alice");
  auto found = credentials->find(id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->secret, secret);
  EXPECT_EQ(found->kind, auth::PrincipalKind::RamUser);
  EXPECT_EQ(found->principal, "alice");
  EXPECT_EQ(found->principal_id, ram_ok("GetUser", {{"UserName", "alice"}})["User"]["UserId"]);
  // The store holds it sealed, never in the clear.
  auto record = store->get_access_key(id);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->secret_sealed.find(secret), std::string::npos);
}

TEST_F(CredentialStoreTest, ADisabledKeyStopsAtOnceAndAReenabledOneWorksAgain) {
  auto [id, secret] = user_with_key("alice");
  ASSERT_TRUE(credentials->find(id));  // now cached
  ram_ok("UpdateAccessKey", {{"UserName", "alice"}, {"UserAccessKeyId", id}, {"Status", "Inactive"}});
  EXPECT_FALSE(credentials->find(id)) << "no clock movement needed: the admin write invalidated the cache";
  ram_ok("UpdateAccessKey", {{"UserName", "alice"}, {"UserAccessKeyId", id}, {"Status", "Active"}});
  EXPECT_TRUE(credentials->find(id));
}

TEST_F(CredentialStoreTest, ADeletedKeyStopsAtOnce) {
  auto [id, secret] = user_with_key("alice");
  ASSERT_TRUE(credentials->find(id));
  ram_ok("DeleteAccessKey", {{"UserName", "alice"}, {"UserAccessKeyId", id}});
  EXPECT_FALSE(credentials->find(id));
}

TEST_F(CredentialStoreTest, WritesByAnotherProcessAreSeenAfterThePollInterval) {
  auto [id, secret] = user_with_key("alice");
  ASSERT_TRUE(credentials->find(id));
  // A second handle on the same database stands for another gateway.
  auto other = meta::open_sqlite_identity_store(dir.path() / "identity.db");
  ASSERT_TRUE(other);
  ASSERT_TRUE(other.value()->set_access_key_status("alice", id, "Inactive"));
  clock.advance(200ms);
  credentials->find(id);  // within the interval the cache may still answer
  clock.advance(1s);
  EXPECT_FALSE(credentials->find(id));
}

TEST_F(CredentialStoreTest, UnknownKeysAreCachedUntilTheNextPoll) {
  ram_ok("CreateUser", {{"UserName", "bob"}});
  EXPECT_FALSE(credentials->find("LTAIlater"));
  // The key appears through another handle (another gateway)...
  auto other = meta::open_sqlite_identity_store(dir.path() / "identity.db");
  ASSERT_TRUE(other);
  meta::AccessKeyRecord key;
  key.access_key_id = "LTAIlater";
  key.user_name = "bob";
  key.secret_sealed = box->seal("sec", access_key_secret_context("LTAIlater"), random);
  key.created_ms = to_unix_millis(clock.now());
  ASSERT_TRUE(other.value()->create_access_key(key, 2));
  // ...the negative answer is served from the cache until the poll...
  EXPECT_FALSE(credentials->find("LTAIlater"));
  // ...which notices the new store generation.
  clock.advance(1100ms);
  auto found = credentials->find("LTAIlater");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->secret, "sec");
}

TEST_F(CredentialStoreTest, ATemporaryKeyOpensFromItsToken) {
  ram_ok("CreateRole", {{"RoleName", "writer"}, {"AssumeRolePolicyDocument", trust_account_root()}});
  const std::string policy =
      R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Resource":"*"}]})";
  AssumeRoleResult issued = assume("writer", 900, policy);
  auto found = credentials->find_temporary(issued.access_key_id, issued.security_token, clock.now());
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->kind, auth::PrincipalKind::AssumedRole);
  EXPECT_EQ(found->secret, issued.access_key_secret);
  EXPECT_EQ(found->principal, "writer");
  EXPECT_EQ(found->session_name, "sess");
  EXPECT_EQ(found->session_policy, policy);
  EXPECT_EQ(found->expiration, issued.expiration);
  EXPECT_FALSE(credentials->find(issued.access_key_id)) << "temporary ids are not long-term keys";
}

TEST_F(CredentialStoreTest, TokenErrors) {
  ram_ok("CreateRole", {{"RoleName", "writer"}, {"AssumeRolePolicyDocument", trust_account_root()}});
  AssumeRoleResult issued = assume("writer");
  AssumeRoleResult other = assume("writer");

  auto missing = credentials->find_temporary(issued.access_key_id, "", clock.now());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::InvalidSecurityToken);

  auto foreign = credentials->find_temporary(issued.access_key_id, other.security_token, clock.now());
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code, ErrorCode::InvalidSecurityToken) << "token of another temporary key";

  std::string tampered = issued.security_token;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  auto bad = credentials->find_temporary(issued.access_key_id, tampered, clock.now());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::InvalidSecurityToken);

  auto truncated = credentials->find_temporary(
      issued.access_key_id, issued.security_token.substr(0, issued.security_token.size() - 5), clock.now());
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().code, ErrorCode::InvalidSecurityToken);

  auto expired = credentials->find_temporary(issued.access_key_id, issued.security_token, issued.expiration + 1s);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, ErrorCode::SecurityTokenExpired);
  EXPECT_TRUE(credentials->find_temporary(issued.access_key_id, issued.security_token, issued.expiration - 1s));
}

TEST_F(CredentialStoreTest, ATokenOfAnotherServerKeyRingIsRefused) {
  ram_ok("CreateRole", {{"RoleName", "writer"}, {"AssumeRolePolicyDocument", trust_account_root()}});
  AssumeRoleResult issued = assume("writer");
  // A second, unrelated deployment: its own store, master key and ring.
  TempDir other_dir;
  auto other_store = meta::open_sqlite_identity_store(other_dir.path() / "identity.db");
  ASSERT_TRUE(other_store);
  SecretBox other_box = SecretBox::create(std::string(32, 'z')).value();
  TokenKeys other_keys(*other_store.value(), other_box);
  ASSERT_TRUE(other_keys.load(random, clock.now()));
  CredentialStore other_credentials(auth::Credential{kRootKeyId, kRootSecret, kAccount, "root"}, *other_store.value(),
                                    other_box, other_keys, clock);
  auto found = other_credentials.find_temporary(issued.access_key_id, issued.security_token, clock.now());
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().code, ErrorCode::InvalidSecurityToken);
}

TEST_F(CredentialStoreTest, DeletingTheRoleInvalidatesItsTokensAtOnceEvenIfRecreated) {
  ram_ok("CreateRole", {{"RoleName", "writer"}, {"AssumeRolePolicyDocument", trust_account_root()}});
  AssumeRoleResult issued = assume("writer");
  ASSERT_TRUE(credentials->find_temporary(issued.access_key_id, issued.security_token, clock.now()));
  ram_ok("DeleteRole", {{"RoleName", "writer"}});
  auto gone = credentials->find_temporary(issued.access_key_id, issued.security_token, clock.now());
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::InvalidSecurityToken);
  // A new role with the same name is a different role: old tokens stay dead.
  ram_ok("CreateRole", {{"RoleName", "writer"}, {"AssumeRolePolicyDocument", trust_account_root()}});
  EXPECT_FALSE(credentials->find_temporary(issued.access_key_id, issued.security_token, clock.now()));
  AssumeRoleResult fresh = assume("writer");
  EXPECT_TRUE(credentials->find_temporary(fresh.access_key_id, fresh.security_token, clock.now()));
}

TEST_F(CredentialStoreTest, TokensSurviveAKeyRotation) {
  ram_ok("CreateRole", {{"RoleName", "writer"}, {"AssumeRolePolicyDocument", trust_account_root()}});
  AssumeRoleResult before = assume("writer");
  ASSERT_TRUE(keys->rotate(random, clock.now()));
  AssumeRoleResult after = assume("writer");
  EXPECT_TRUE(credentials->find_temporary(before.access_key_id, before.security_token, clock.now()));
  EXPECT_TRUE(credentials->find_temporary(after.access_key_id, after.security_token, clock.now()));
}

}  // namespace
}  // namespace ossd::iam::test
