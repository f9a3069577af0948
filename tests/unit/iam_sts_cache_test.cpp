// StsService's role cache and its non-blocking path (call_cached): answers
// only from a fresh cache, sees a RAM write at once (the write hook) and a
// write by another process after the generation poll, sends what needs the
// store to the pool (nullopt), and draws an AssumeRole's randomness once.
#include <chrono>

#include "auth/session_token.hpp"
#include "iam/prefetched_random.hpp"
#include "iam/rpc_error.hpp"
#include "iam_test_support.hpp"

namespace ossd::iam::test {
namespace {

using namespace std::chrono_literals;

// Counts the calls made to the CSPRNG.
class CountingRandom final : public Random {
 public:
  void fill(std::span<unsigned char> out) override {
    ++calls;
    inner.fill(out);
  }
  crypto::SecureRandom inner;
  int calls = 0;
};

struct StsCacheTest : IamFixture {
  void SetUp() override {
    IamFixture::SetUp();
    ram_ok("CreateRole",
           {{"RoleName", "web"}, {"AssumeRolePolicyDocument", trust_account_root()}, {"MaxSessionDuration", "7200"}});
  }
  RpcParams params(std::string duration = "") const {
    RpcParams p{{"RoleArn", role_arn("web")}, {"RoleSessionName", "s1"}};
    if (!duration.empty()) p["DurationSeconds"] = std::move(duration);
    return p;
  }
  std::string rpc_code(const Error& error) const { return std::string(rpc_code_detail(error)); }
};

TEST_F(StsCacheTest, AnswersOnlyFromAWarmCacheAndTheSameAsCall) {
  const RpcCall assume = root_call("AssumeRole", params());
  EXPECT_FALSE(sts->call_cached(assume)) << "a cold cache needs the store";
  ASSERT_TRUE(sts->call(assume));
  auto cached = sts->call_cached(assume);
  ASSERT_TRUE(cached);
  ASSERT_TRUE(*cached) << cached->error().message;
  const auto& body = cached->value();
  auto role = store->get_role("web");
  ASSERT_TRUE(role);
  EXPECT_EQ(body["AssumedRoleUser"]["AssumedRoleId"], role->role_id + ":s1");
  const std::string token = body["Credentials"]["SecurityToken"];
  auto claims = auth::open_session_token(token, *keys->ring());
  ASSERT_TRUE(claims);
  EXPECT_EQ(claims->role_id, role->role_id);
  EXPECT_EQ(claims->access_key_id, body["Credentials"]["AccessKeyId"]);
}

TEST_F(StsCacheTest, GetCallerIdentityAndBadParametersNeedNoStore) {
  auto identity = sts->call_cached(root_call("GetCallerIdentity"));
  ASSERT_TRUE(identity && *identity);
  EXPECT_EQ(identity->value()["IdentityType"], "Account");
  RpcParams bad = params();
  bad["RoleSessionName"] = "x";
  auto refused = sts->call_cached(root_call("AssumeRole", bad));
  ASSERT_TRUE(refused);
  ASSERT_FALSE(*refused);
  EXPECT_EQ(rpc_code(refused->error()), "InvalidParameter.RoleSessionName");
}

TEST_F(StsCacheTest, ARamWriteIsSeenAtOnce) {
  const RpcCall assume = root_call("AssumeRole", params("7200"));
  ASSERT_TRUE(sts->call(assume));
  ASSERT_TRUE(sts->call_cached(assume));
  ram_ok("UpdateRole", {{"RoleName", "web"}, {"NewMaxSessionDuration", "3600"}});
  EXPECT_FALSE(sts->call_cached(assume)) << "the write hook dropped the cache";
  auto refused = sts->call(assume);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::InvalidArgument);

  ASSERT_TRUE(sts->call(root_call("AssumeRole", params("900"))));
  ram_ok("DeleteRole", {{"RoleName", "web"}});
  EXPECT_FALSE(sts->call_cached(root_call("AssumeRole", params("900"))));
  auto gone = sts->call(root_call("AssumeRole", params("900")));
  ASSERT_FALSE(gone);
  EXPECT_EQ(rpc_code(gone.error()), "EntityNotExist.Role");
}

TEST_F(StsCacheTest, AnotherProcesssWriteIsSeenAfterTheGenerationPoll) {
  ASSERT_TRUE(sts->call(root_call("AssumeRole", params())));
  // A write that bypasses this process's hook, as another gateway's would.
  ASSERT_TRUE(store->delete_role("web"));
  clock.advance(999ms);
  EXPECT_TRUE(sts->call_cached(root_call("AssumeRole", params()))) << "stale for less than the poll interval";
  clock.advance(1ms);
  EXPECT_FALSE(sts->call_cached(root_call("AssumeRole", params()))) << "a poll is due: only the store can say";
  auto gone = sts->call(root_call("AssumeRole", params()));
  ASSERT_FALSE(gone);
  EXPECT_EQ(rpc_code(gone.error()), "EntityNotExist.Role");
  // A clock stepping back does not postpone the poll.
  ASSERT_TRUE(
      ram->call(root_call("CreateRole", {{"RoleName", "web"}, {"AssumeRolePolicyDocument", trust_account_root()}})));
  ASSERT_TRUE(sts->call(root_call("AssumeRole", params())));
  ASSERT_TRUE(store->delete_role("web"));
  clock.advance(-10s);
  EXPECT_FALSE(sts->call_cached(root_call("AssumeRole", params())));
}

TEST_F(StsCacheTest, RamUserCallersGoToThePool) {
  ram_ok("CreateUser", {{"UserName", "alice"}});
  auto key = ram_ok("CreateAccessKey", {{"UserName", "alice"}});
  ram_ok("AttachPolicyToUser",
         {{"PolicyType", "System"}, {"PolicyName", "AliyunSTSAssumeRoleAccess"}, {"UserName", "alice"}});
  ram_ok("UpdateRole", {{"RoleName", "web"},
                        {"NewAssumeRolePolicyDocument",
                         std::string(R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",)") +
                             R"("Principal":{"RAM":["acs:ram::)" + kAccount + R"(:user/alice"]}}]})"}});
  auto credential = credentials->find(key["AccessKey"]["AccessKeyId"].get<std::string>());
  ASSERT_TRUE(credential);
  const RpcCall assume = call("AssumeRole", params(), identity_of(*credential));
  ASSERT_TRUE(sts->call(assume));
  EXPECT_FALSE(sts->call_cached(assume)) << "its own permission may need the store";
}

TEST_F(StsCacheTest, AnUnreadableTrustPolicyIsRefusedFromTheCacheToo) {
  auto role = store->get_role("web");
  ASSERT_TRUE(role);
  meta::RoleRecord broken = role.value();
  broken.trust_policy = "{not json";
  ASSERT_TRUE(store->update_role("web", broken));
  sts->invalidate();
  const RpcCall assume = root_call("AssumeRole", params());
  auto first = sts->call(assume);
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code, ErrorCode::AccessDenied);
  auto cached = sts->call_cached(assume);
  ASSERT_TRUE(cached);
  ASSERT_FALSE(*cached);
  EXPECT_EQ(cached->error().message, first.error().message);
}

TEST_F(StsCacheTest, OneAssumeRoleDrawsRandomnessOnce) {
  CountingRandom counting;
  StsService counted(*store, *keys, counting, kAccount, authorizer.get());
  const RpcCall assume = root_call("AssumeRole", params());
  ASSERT_TRUE(counted.call(assume));
  for (int i = 0; i < 20; ++i) {
    counting.calls = 0;
    auto cached = counted.call_cached(assume);
    ASSERT_TRUE(cached && *cached);
    EXPECT_EQ(counting.calls, 1);
  }
}

TEST(PrefetchedRandom, HandsOutEachByteOnceAndDrawsAgainWhenShort) {
  class Sequence final : public Random {
   public:
    void fill(std::span<unsigned char> out) override {
      for (auto& byte : out) byte = next++;
    }
    unsigned char next = 0;
  } sequence;
  PrefetchedRandom random(sequence, 4);
  EXPECT_EQ(random.draws(), 1u);
  std::array<unsigned char, 3> a{};
  random.fill(a);
  EXPECT_EQ(a, (std::array<unsigned char, 3>{0, 1, 2}));
  std::array<unsigned char, 3> b{};
  random.fill(b);  // one left in the pool, then a second draw
  EXPECT_EQ(b, (std::array<unsigned char, 3>{3, 4, 5}));
  EXPECT_EQ(random.draws(), 2u);
}

}  // namespace
}  // namespace ossd::iam::test
