// meta::pg_leader_election: of several gateways on one database exactly one
// leads; the leader keeps the lead; when it stops the lead passes to
// another, and a database that does not answer is an error, never a lead.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "meta/leader_election.hpp"
#include "pg_test_cluster.hpp"
#include "store_test_support.hpp"

namespace ossd::meta {
namespace {

constexpr int64_t kLockKey = 0x6f7373640001;

class PgLeaderElectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = ossd::test::postgres_skip_reason()) GTEST_SKIP() << *why;
    auto conninfo = ossd::test::pg_test_conninfo_for(dir_.path());
    ASSERT_TRUE(conninfo.ok()) << conninfo.error().message;
    conninfo_ = *conninfo;
  }

  static bool leads(LeaderElection& election) {
    auto leading = election.lead();
    EXPECT_TRUE(leading.ok()) << leading.error().message;
    return leading.ok() && *leading;
  }

  ossd::test::TempDir dir_{"ossd-pg-leader"};
  std::string conninfo_;
};

TEST_F(PgLeaderElectionTest, ExactlyOneOfSeveralLeadsAndKeepsTheLead) {
  auto a = pg_leader_election(conninfo_, kLockKey);
  auto b = pg_leader_election(conninfo_, kLockKey);
  auto c = pg_leader_election(conninfo_, kLockKey);
  EXPECT_TRUE(leads(*a));
  EXPECT_FALSE(leads(*b));
  EXPECT_FALSE(leads(*c));
  for (int round = 0; round < 3; ++round) {
    EXPECT_TRUE(leads(*a));
    EXPECT_FALSE(leads(*b));
  }
}

// A leader that stops unlocks, so the next call elsewhere leads at once. (A
// leader killed without unlocking loses the lead when the server ends its
// session: tests/faults/two-gateways.test.mjs kills one with -9.)
TEST_F(PgLeaderElectionTest, TheLeadPassesOnAtOnceWhenTheLeaderStops) {
  auto a = pg_leader_election(conninfo_, kLockKey);
  auto b = pg_leader_election(conninfo_, kLockKey);
  ASSERT_TRUE(leads(*a));
  ASSERT_FALSE(leads(*b));
  a.reset();
  EXPECT_TRUE(leads(*b));
}

TEST_F(PgLeaderElectionTest, OtherLockKeysAreOtherElections) {
  auto a = pg_leader_election(conninfo_, kLockKey);
  auto other = pg_leader_election(conninfo_, kLockKey + 1);
  EXPECT_TRUE(leads(*a));
  EXPECT_TRUE(leads(*other));
}

TEST(PgLeaderElectionUnreachable, ADatabaseThatDoesNotAnswerIsAnErrorNotALead) {
  auto election = pg_leader_election("host=127.0.0.1 port=9 connect_timeout=2 dbname=none", kLockKey);
  auto leading = election->lead();
  EXPECT_FALSE(leading.ok());
}

}  // namespace
}  // namespace ossd::meta
