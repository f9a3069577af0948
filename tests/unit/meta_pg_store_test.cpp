// What the PostgreSQL store promises beyond the conformance suite: several
// gateways on one database, racing writers of one key, a server that drops
// connections or cannot be reached, and a schema from a newer build.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "meta/pg_connection.hpp"
#include "meta/pg_store.hpp"
#include "pg_test_cluster.hpp"
#include "store_test_support.hpp"

namespace ossd::meta {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string blob(int n) {
  char text[33];
  std::snprintf(text, sizeof text, "%032x", n);
  return text;
}

ObjectRecord object(const std::string& key, std::vector<int> blobs) {
  ObjectRecord o;
  o.bucket = "b";
  o.key = key;
  o.etag = "5EB63BBBE01EEED093CB22BB8F5ACDC3";
  o.last_modified_ms = 1700000001000;
  for (int b : blobs) {
    o.segments.push_back({blob(b), 10});
    o.size += 10;
  }
  return o;
}

class PgStore : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = ossd::test::postgres_skip_reason()) GTEST_SKIP() << *why;
    auto conninfo = ossd::test::pg_test_conninfo_for(dir_.path());
    ASSERT_TRUE(conninfo.ok()) << conninfo.error().message;
    conninfo_ = *conninfo;
    store_ = open();
    ASSERT_NE(store_, nullptr);
    BucketRecord bucket{"b", "owner-1"};
    ASSERT_OK(store_->create_bucket(bucket));
  }

  std::unique_ptr<MetadataStore> open(PgStoreOptions options = {}) {
    auto opened = open_pg_metadata_store(conninfo_, options);
    EXPECT_TRUE(opened.ok()) << opened.error().message;
    return opened.ok() ? std::move(opened).value() : nullptr;
  }

  // A separate connection for looking at or disturbing the database.
  std::unique_ptr<pg::Connection> connect() {
    auto connection = pg::Connection::open(conninfo_);
    EXPECT_TRUE(connection.ok()) << connection.error().message;
    return connection.ok() ? std::move(connection).value() : nullptr;
  }

  ossd::test::TempDir dir_{"ossd-pg-store"};
  std::string conninfo_;
  std::unique_ptr<MetadataStore> store_;
};

// Racing overwrites of one key: every put succeeds, the key ends holding one
// put's blobs whole, and every other put's blobs were returned as freed by
// exactly one call, so no blob leaks and none is freed twice.
TEST_F(PgStore, RacingOverwritesFreeEveryReplacedBlobExactlyOnce) {
  constexpr int kThreads = 6;
  constexpr int kPutsPerThread = 15;
  std::vector<BlobIds> freed_by_thread(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPutsPerThread; ++i) {
        const int first = 2 * (t * kPutsPerThread + i);  // two blobs per put, none shared
        auto freed = store_->put_object(object("contended", {first, first + 1}), {});
        if (!freed.ok()) {
          ++failures;
          continue;
        }
        freed_by_thread[t].insert(freed_by_thread[t].end(), freed->begin(), freed->end());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(failures.load(), 0);

  auto final_object = store_->get_object("b", "contended");
  ASSERT_OK(final_object);
  ASSERT_EQ(final_object->segments.size(), 2u);
  const std::string& first_blob = final_object->segments[0].blob_id;
  const std::string& second_blob = final_object->segments[1].blob_id;
  // One put's pair, never a mix of two.
  EXPECT_EQ(std::stoul(first_blob, nullptr, 16) + 1, std::stoul(second_blob, nullptr, 16));

  std::multiset<std::string> freed;
  for (const auto& ids : freed_by_thread) freed.insert(ids.begin(), ids.end());
  std::set<std::string> expected;
  for (int b = 0; b < 2 * kThreads * kPutsPerThread; ++b) expected.insert(blob(b));
  expected.erase(first_blob);
  expected.erase(second_blob);
  EXPECT_EQ(freed.size(), expected.size());  // nothing freed twice
  EXPECT_EQ(std::set<std::string>(freed.begin(), freed.end()), expected);

  std::vector<std::string> all(expected.begin(), expected.end());
  all.push_back(first_blob);
  all.push_back(second_blob);
  auto referenced = store_->blobs_referenced(all);
  ASSERT_OK(referenced);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ((*referenced)[i], i + 2 >= all.size()) << all[i];
}

// forbid_overwrite decided inside the transaction: of racing creators of one
// key exactly one wins, whatever their interleaving.
TEST_F(PgStore, RacingCreatesWithForbidOverwriteHaveOneWinner) {
  constexpr int kThreads = 8;
  std::atomic<int> won{0};
  std::atomic<int> refused{0};
  std::atomic<int> other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto put = store_->put_object(object("once", {100 + t}), PutConditions{true});
      if (put.ok()) {
        ++won;
      } else if (put.error().code == ErrorCode::FileAlreadyExists) {
        ++refused;
      } else {
        ++other;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(refused.load(), kThreads - 1);
  EXPECT_EQ(other.load(), 0);
  auto winner = store_->get_object("b", "once");
  ASSERT_OK(winner);
  std::vector<std::string> candidates;
  for (int t = 0; t < kThreads; ++t) candidates.push_back(blob(100 + t));
  auto referenced = store_->blobs_referenced(candidates);
  ASSERT_OK(referenced);
  EXPECT_EQ(std::count(referenced->begin(), referenced->end(), true), 1);
}

// Two gateways on one database see each other's writes at once.
TEST_F(PgStore, GatewaysSharingADatabaseSeeEachOthersWrites) {
  auto second = open();
  ASSERT_NE(second, nullptr);
  ASSERT_OK(store_->put_object(object("from-first", {1}), {}));
  auto seen = second->get_object("b", "from-first");
  ASSERT_OK(seen);
  EXPECT_EQ(seen->segments[0].blob_id, blob(1));
  auto freed = second->put_object(object("from-first", {2}), {});
  ASSERT_OK(freed);
  EXPECT_THAT(*freed, ElementsAre(blob(1)));
  EXPECT_EQ(store_->get_object("b", "from-first")->segments[0].blob_id, blob(2));
}

// Gateways starting together migrate the schema once between them.
TEST_F(PgStore, ConcurrentOpensMigrateOnce) {
  ossd::test::TempDir fresh_dir{"ossd-pg-fresh"};
  auto conninfo = ossd::test::pg_test_conninfo_for(fresh_dir.path());
  ASSERT_OK(conninfo);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      if (!open_pg_metadata_store(*conninfo).ok()) ++failures;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  auto c = pg::Connection::open(*conninfo);
  ASSERT_OK(c);
  auto rows = (*c)->query("SELECT component, version FROM schema_version");
  ASSERT_OK(rows);
  ASSERT_EQ(rows->count(), 1);
  EXPECT_EQ(rows->text(0, 0), "metadata");
  EXPECT_EQ(rows->integer(0, 1), 1);
}

TEST_F(PgStore, SchemaFromANewerBuildIsRefused) {
  auto c = connect();
  ASSERT_NE(c, nullptr);
  ASSERT_OK(c->execute("UPDATE schema_version SET version = version + 1"));
  auto opened = open_pg_metadata_store(conninfo_);
  EXPECT_ERROR(opened, InternalError);
  EXPECT_THAT(opened.error().message, HasSubstr("newer than this build supports"));
}

// A server restart (here: every session of the store killed) costs nobody an
// error, however many pooled connections it left dead: the first call to
// find out runs again on a fresh connection and the other dead ones go.
TEST_F(PgStore, DroppedConnectionsAreReplacedTransparently) {
  ASSERT_OK(store_->put_object(object("k", {1}), {}));
  // Fill the pool: puts held up by a lock on their bucket each keep a
  // connection of their own until the lock goes.
  constexpr int kHeldCalls = 3;
  auto c = connect();
  ASSERT_NE(c, nullptr);
  ASSERT_OK(c->execute("BEGIN"));
  ASSERT_OK(c->execute("SELECT 1 FROM buckets WHERE name = 'b' FOR UPDATE"));
  std::vector<std::thread> held;
  std::atomic<int> failures{0};
  for (int t = 0; t < kHeldCalls; ++t) {
    held.emplace_back([&, t] {
      if (!store_->put_object(object("held-" + std::to_string(t), {10 + t}), {}).ok()) ++failures;
    });
  }
  auto waiting = [&]() -> int64_t {
    auto probe = connect();
    auto rows = probe->query(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
    return rows.ok() ? rows->integer(0, 0) : -1;
  };
  for (int i = 0; i < 500 && waiting() < kHeldCalls; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(waiting(), kHeldCalls);
  ASSERT_OK(c->execute("COMMIT"));
  for (auto& thread : held) thread.join();
  ASSERT_EQ(failures.load(), 0);

  auto killed = c->query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
      " WHERE datname = current_database() AND pid <> pg_backend_pid()");
  ASSERT_OK(killed);
  ASSERT_GE(killed->count(), kHeldCalls);
  for (int i = 0; i < kHeldCalls + 1; ++i) EXPECT_OK(store_->get_object("b", "k"));
  auto freed = store_->put_object(object("k", {2}), {});
  ASSERT_OK(freed);
  EXPECT_THAT(*freed, ElementsAre(blob(1)));
}

// The transaction runner: conflicts (serialization failure, deadlock) run
// the body again up to the limit, then report ServiceUnavailable; any other
// error is reported at once, and a failed run leaves nothing behind.
TEST_F(PgStore, ConflictsRunTheTransactionAgainUpToTheLimit) {
  pg::ConnectionPool pool(conninfo_, 2, pg::RetryPolicy{.max_attempts = 4});
  auto failing_runs = [&](int fail_first, const char* raise) {
    int runs = 0;
    Status done = pool.transact(pg::Access::Write, [&](pg::Connection& c) -> Status {
      ++runs;
      if (auto st = c.execute("INSERT INTO bucket_configs (bucket, name, value) VALUES ('b', 'n', 'x')"
                              " ON CONFLICT (bucket, name) DO UPDATE SET value = bucket_configs.value || 'x'");
          !st) {
        return st;
      }
      if (runs <= fail_first) return c.execute(raise);
      return ok_status();
    });
    return std::make_pair(runs, done);
  };
  const char* serialization_failure = "DO $$BEGIN RAISE EXCEPTION 'forced' USING ERRCODE = '40001'; END$$";
  const char* deadlock = "DO $$BEGIN RAISE EXCEPTION 'forced' USING ERRCODE = '40P01'; END$$";

  auto [runs, done] = failing_runs(2, serialization_failure);
  EXPECT_EQ(runs, 3);
  EXPECT_OK(done);
  std::tie(runs, done) = failing_runs(3, deadlock);
  EXPECT_EQ(runs, 4);
  EXPECT_OK(done);
  std::tie(runs, done) = failing_runs(100, serialization_failure);
  EXPECT_EQ(runs, 4);
  EXPECT_ERROR(done, ServiceUnavailable);
  std::tie(runs, done) = failing_runs(100, "SELECT no_such_column FROM buckets");
  EXPECT_EQ(runs, 1);
  EXPECT_ERROR(done, InternalError);
  // Only the two successful calls appended to the value.
  auto value = store_->get_bucket_config("b", "n");
  ASSERT_OK(value);
  EXPECT_EQ(**value, "xx");
}

TEST_F(PgStore, UnreachableServerIsServiceUnavailable) {
  // A port nobody listens on: the store cannot even open.
  auto opened = open_pg_metadata_store("host=127.0.0.1 port=1 dbname=none connect_timeout=2");
  EXPECT_ERROR(opened, ServiceUnavailable);
  EXPECT_THAT(opened.error().message, HasSubstr("cannot connect to PostgreSQL"));
}

// Keys are bytes (bytea): NUL and invalid UTF-8 round-trip and sort by byte;
// a text column refuses bytes that are not UTF-8 as InvalidArgument.
TEST_F(PgStore, KeysAreBytesAndTextIsChecked) {
  const std::string with_nul("a\0b", 3);
  ASSERT_OK(store_->put_object(object(with_nul, {1}), {}));
  ASSERT_OK(store_->put_object(object("a", {2}), {}));
  ASSERT_OK(store_->put_object(object("a\xFF", {3}), {}));
  auto got = store_->get_object("b", with_nul);
  ASSERT_OK(got);
  EXPECT_EQ(got->key, with_nul);
  auto listed = store_->list_objects("b", {"a", "", "", 10});
  ASSERT_OK(listed);
  ASSERT_EQ(listed->objects.size(), 3u);
  EXPECT_EQ(listed->objects[0].key, "a");
  EXPECT_EQ(listed->objects[1].key, with_nul);
  EXPECT_EQ(listed->objects[2].key, "a\xFF");

  ObjectRecord bad_etag = object("k", {4});
  bad_etag.etag = "\xFF";
  EXPECT_ERROR(store_->put_object(bad_etag, {}), InvalidArgument);
  auto referenced = store_->blobs_referenced({blob(4)});
  ASSERT_OK(referenced);
  EXPECT_THAT(*referenced, ElementsAre(false));  // the failed call left nothing behind
}

}  // namespace
}  // namespace ossd::meta
