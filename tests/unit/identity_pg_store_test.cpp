// What the PostgreSQL identity store promises beyond the conformance suite:
// several gateways on one database (each a store instance with its own
// connections) see each other's writes through generation(), racing writers
// of one name or under one limit get clean RAM errors, and the schema lives
// beside the metadata schema, versioned on its own, migrated once.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "meta/pg_connection.hpp"
#include "meta/pg_identity_schema.hpp"
#include "meta/pg_identity_store.hpp"
#include "meta/pg_store.hpp"
#include "pg_test_cluster.hpp"
#include "store_test_support.hpp"

namespace ossd::meta {
namespace {

using ::testing::HasSubstr;

UserRecord user(const std::string& name, const std::string& display_name = "") {
  UserRecord u;
  u.user_id = "20876543210987654";
  u.name = name;
  u.display_name = display_name.empty() ? "Display " + name : display_name;
  u.created_ms = 1700000000000;
  u.updated_ms = 1700000000000;
  return u;
}

AccessKeyRecord access_key(const std::string& id, const std::string& user_name) {
  AccessKeyRecord k;
  k.access_key_id = id;
  k.user_name = user_name;
  k.secret_sealed = "sealed-" + id;
  k.created_ms = 1700000000000;
  return k;
}

std::string ram_code(const Error& error) {
  for (const auto& [name, value] : error.details) {
    if (name == "RamCode") return value;
  }
  return {};
}

class PgIdentityStore : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = ossd::test::postgres_skip_reason()) GTEST_SKIP() << *why;
    auto conninfo = ossd::test::pg_test_conninfo_for(dir_.path());
    ASSERT_TRUE(conninfo.ok()) << conninfo.error().message;
    conninfo_ = *conninfo;
  }

  // One gateway's store.
  std::unique_ptr<IdentityStore> open(PgStoreOptions options = {}) {
    auto opened = open_pg_identity_store(conninfo_, options);
    EXPECT_TRUE(opened.ok()) << opened.error().message;
    return opened.ok() ? std::move(opened).value() : nullptr;
  }

  // A separate connection for looking at the database.
  std::unique_ptr<pg::Connection> connect() {
    auto connection = pg::Connection::open(conninfo_);
    EXPECT_TRUE(connection.ok()) << connection.error().message;
    return connection.ok() ? std::move(connection).value() : nullptr;
  }

  ossd::test::TempDir dir_{"ossd-pg-identity"};
  std::string conninfo_;
};

TEST_F(PgIdentityStore, AWriteThroughOneGatewayBumpsTheGenerationTheOtherSees) {
  auto first = open();
  auto second = open();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  const int64_t before = *second->generation();
  ASSERT_OK(first->create_user(user("alice")));
  EXPECT_EQ(*second->generation(), before + 1);
  EXPECT_EQ(second->get_user("alice")->display_name, "Display alice");
  EXPECT_ERROR(second->create_user(user("alice")), EntityAlreadyExists);
  EXPECT_EQ(*first->generation(), before + 1);  // the failed write moved nothing
  ASSERT_OK(second->create_access_key(access_key("LTAI1", "alice"), 2));
  EXPECT_EQ(*first->generation(), before + 2);
  EXPECT_EQ(first->get_access_key("LTAI1")->secret_sealed, "sealed-LTAI1");
}

TEST_F(PgIdentityStore, RacingCreateUserOfOneNameHasOneWinner) {
  auto first = open();
  auto second = open();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  const int64_t before = *first->generation();
  constexpr int kThreads = 8;
  std::atomic<int> created{0};
  std::atomic<int> taken{0};
  std::atomic<int> winner{-1};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      IdentityStore& gateway = t % 2 == 0 ? *first : *second;
      auto st = gateway.create_user(user("alice", "gateway thread " + std::to_string(t)));
      if (st.ok()) {
        ++created;
        winner = t;
      } else if (st.error().code == ErrorCode::EntityAlreadyExists &&
                 ram_code(st.error()) == "EntityAlreadyExists.User") {
        ++taken;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(taken.load(), kThreads - 1);
  EXPECT_EQ(first->get_user("alice")->display_name, "gateway thread " + std::to_string(winner.load()));
  EXPECT_EQ(*second->generation(), before + 1);
}

TEST_F(PgIdentityStore, RacingRenamesOntoOneNameHaveOneWinner) {
  auto first = open();
  auto second = open();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  constexpr int kThreads = 8;
  for (int t = 0; t < kThreads; ++t) ASSERT_OK(first->create_user(user("u" + std::to_string(t))));
  std::atomic<int> renamed{0};
  std::atomic<int> taken{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      IdentityStore& gateway = t % 2 == 0 ? *first : *second;
      auto st = gateway.update_user("u" + std::to_string(t), user("target"));
      if (st.ok()) {
        ++renamed;
      } else if (ram_code(st.error()) == "EntityAlreadyExists.User") {
        ++taken;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(renamed.load(), 1);
  EXPECT_EQ(taken.load(), kThreads - 1);
  auto all = first->list_users({"", 100});
  ASSERT_OK(all);
  EXPECT_EQ(all->items.size(), static_cast<size_t>(kThreads));  // one renamed, none lost or doubled
  EXPECT_OK(first->get_user("target"));
}

TEST_F(PgIdentityStore, AccessKeyLimitHoldsAcrossGateways) {
  auto first = open();
  auto second = open();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  ASSERT_OK(first->create_user(user("alice")));
  constexpr int kThreads = 8;
  std::atomic<int> created{0};
  std::atomic<int> limited{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      IdentityStore& gateway = t % 2 == 0 ? *first : *second;
      auto st = gateway.create_access_key(access_key("LTAI" + std::to_string(t), "alice"), 2);
      if (st.ok()) {
        ++created;
      } else if (ram_code(st.error()) == "LimitExceeded.User.AccessKey") {
        ++limited;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(created.load(), 2);
  EXPECT_EQ(limited.load(), kThreads - 2);
  EXPECT_EQ(second->list_access_keys("alice")->size(), 2u);
}

// A membership added while another gateway deletes the user: either the
// delete sees the membership (DeleteConflict) or the add finds the user gone
// (EntityNotExist); never both succeed, never an internal error.
TEST_F(PgIdentityStore, AddToGroupRacingDeleteUserNeverLeavesAnOrphan) {
  auto first = open();
  auto second = open();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  GroupRecord devs;
  devs.name = "devs";
  devs.group_id = "g-devs";
  ASSERT_OK(first->create_group(devs));
  for (int round = 0; round < 20; ++round) {
    const std::string name = "u" + std::to_string(round);
    ASSERT_OK(first->create_user(user(name)));
    Status added = ok_status();
    Status deleted = ok_status();
    std::thread adder([&] { added = first->add_user_to_group(name, "devs"); });
    std::thread deleter([&] { deleted = second->delete_user(name); });
    adder.join();
    deleter.join();
    ASSERT_NE(added.ok(), deleted.ok()) << "round " << round;
    if (added.ok()) {
      EXPECT_EQ(ram_code(deleted.error()), "DeleteConflict.User.Group") << deleted.error().message;
      EXPECT_OK(first->get_user(name));
    } else {
      EXPECT_EQ(ram_code(added.error()), "EntityNotExist.User") << added.error().message;
      EXPECT_ERROR(first->get_user(name), EntityNotExist);
    }
  }
}

TEST_F(PgIdentityStore, ReopenKeepsDataAndDoesNotRunMigrationsAgain) {
  {
    auto store = open();
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->create_user(user("alice")));
  }
  auto c = connect();
  ASSERT_NE(c, nullptr);
  // xmin names the transaction that last wrote a row: a migration run again
  // would rewrite the version row (and fail on tables that exist).
  const char* kVersionRow = "SELECT version, xmin::text FROM schema_version WHERE component = 'identity'";
  auto before = c->query(kVersionRow);
  ASSERT_OK(before);
  ASSERT_EQ(before->count(), 1);
  EXPECT_EQ(before->integer(0, 0), static_cast<int64_t>(pg::identity_migrations().size()));
  auto reopened = open();
  ASSERT_NE(reopened, nullptr);
  auto after = c->query(kVersionRow);
  ASSERT_OK(after);
  ASSERT_EQ(after->count(), 1);
  EXPECT_EQ(after->integer(0, 0), before->integer(0, 0));
  EXPECT_EQ(after->text(0, 1), before->text(0, 1));
  EXPECT_EQ(reopened->get_user("alice")->display_name, "Display alice");
  EXPECT_EQ(*reopened->generation(), 1);
}

TEST_F(PgIdentityStore, SharesTheDatabaseWithTheMetadataStore) {
  auto metadata = open_pg_metadata_store(conninfo_);
  ASSERT_OK(metadata);
  auto identity = open();
  ASSERT_NE(identity, nullptr);
  ASSERT_OK((*metadata)->create_bucket(BucketRecord{"b", "owner-1"}));
  ASSERT_OK(identity->create_user(user("alice")));
  EXPECT_OK((*metadata)->get_bucket("b"));
  EXPECT_OK(identity->get_user("alice"));
  auto c = connect();
  ASSERT_NE(c, nullptr);
  auto rows = c->query("SELECT component FROM schema_version ORDER BY component");
  ASSERT_OK(rows);
  ASSERT_EQ(rows->count(), 2);
  EXPECT_EQ(rows->text(0, 0), "identity");
  EXPECT_EQ(rows->text(1, 0), "metadata");
  // Every identity table is prefixed, so none can clash with the metadata ones.
  auto unprefixed = c->query(
      "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
      " AND tablename NOT LIKE 'iam\\_%' AND tablename NOT IN"
      " ('buckets', 'bucket_configs', 'objects', 'uploads', 'parts', 'live_blobs', 'schema_version')");
  ASSERT_OK(unprefixed);
  EXPECT_EQ(unprefixed->integer(0, 0), 0);
}

TEST_F(PgIdentityStore, IdentitySchemaFromANewerBuildIsRefused) {
  { ASSERT_NE(open(), nullptr); }
  auto c = connect();
  ASSERT_NE(c, nullptr);
  ASSERT_OK(c->execute("UPDATE schema_version SET version = version + 1 WHERE component = 'identity'"));
  auto refused = open_pg_identity_store(conninfo_);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().message, HasSubstr("identity schema version"));
  EXPECT_THAT(refused.error().message, HasSubstr("newer"));
  // The metadata schema migrates on its own and is not held back.
  EXPECT_OK(open_pg_metadata_store(conninfo_));
}

TEST_F(PgIdentityStore, UnreachableServerIsServiceUnavailable) {
  auto refused = open_pg_identity_store("host=127.0.0.1 port=1 dbname=none connect_timeout=2");
  EXPECT_ERROR(refused, ServiceUnavailable);
}

}  // namespace
}  // namespace ossd::meta
