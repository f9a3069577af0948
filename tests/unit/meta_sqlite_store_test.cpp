// What only the SQLite store promises: its pragmas, schema versioning, crash
// behaviour and the cost of delimiter listings on a large table.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "meta/sqlite_connection.hpp"
#include "meta/sqlite_schema.hpp"
#include "meta/sqlite_store.hpp"

namespace ossd::meta {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> keys_of(const ListResult& r) {
  std::vector<std::string> keys;
  for (const auto& o : r.objects) keys.push_back(o.key);
  return keys;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::path(::testing::TempDir()) / "ossd-sqlite-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    db_ = dir_ / "meta.db";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::unique_ptr<MetadataStore> open(SqliteStoreOptions options = {}) {
    auto store = open_sqlite_store(db_, options);
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().message);
    return store.ok() ? std::move(store).value() : nullptr;
  }

  std::unique_ptr<sqlite::Connection> raw() {
    auto connection = sqlite::Connection::open(db_);
    EXPECT_TRUE(connection.ok());
    return std::move(connection).value();
  }

  std::string pragma_text(sqlite::Connection& c, const char* sql) {
    auto q = c.query(sql);
    EXPECT_TRUE(q.ok());
    EXPECT_TRUE(*q->step());
    return q->column_text(0);
  }

  fs::path dir_;
  fs::path db_;
};

TEST_F(SqliteStoreTest, OpensInWalModeAtTheLatestSchemaVersion) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto c = raw();
  EXPECT_EQ(pragma_text(*c, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(*c->query_int("PRAGMA user_version"), static_cast<int64_t>(sqlite::schema_migrations().size()));
  store.reset();
  store = open();  // reopening applies nothing twice
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*c->query_int("PRAGMA user_version"), static_cast<int64_t>(sqlite::schema_migrations().size()));
}

TEST_F(SqliteStoreTest, RefusesADatabaseFromANewerBuild) {
  {
    auto c = raw();
    ASSERT_TRUE(c->exec("PRAGMA user_version = 99").ok());
  }
  auto store = open_sqlite_store(db_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::InternalError);
  EXPECT_THAT(store.error().message, HasSubstr("newer"));
}

TEST_F(SqliteStoreTest, UnopenablePathIsAnError) {
  auto store = open_sqlite_store(dir_ / "missing-dir" / "meta.db");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::InternalError);
}

TEST_F(SqliteStoreTest, AcknowledgedWriteSurvivesKillDashNine) {
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = open_sqlite_store(db_);
    if (!store.ok()) ::_exit(2);
    BucketRecord bucket;
    bucket.name = "b";
    ObjectRecord object;
    object.bucket = "b";
    object.key = "acked";
    object.segments = {{"0123456789abcdef0123456789abcdef", 1}};
    if (!(*store)->create_bucket(bucket).ok() || !(*store)->put_object(object, {}).ok()) ::_exit(3);
    ::kill(::getpid(), SIGKILL);  // no destructors, no checkpoint, no close
    ::_exit(4);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto got = store->get_object("b", "acked");
  ASSERT_TRUE(got.ok());
  auto refs = store->blobs_referenced({"0123456789abcdef0123456789abcdef"});
  ASSERT_TRUE(refs.ok());
  EXPECT_THAT(*refs, ElementsAre(true));
}

TEST_F(SqliteStoreTest, ReadsWaitForAFreeReaderWhenThePoolIsFull) {
  auto store = open(SqliteStoreOptions{1});
  ASSERT_NE(store, nullptr);
  BucketRecord bucket;
  bucket.name = "b";
  ASSERT_TRUE(store->create_bucket(bucket).ok());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (!store->get_bucket("b").ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(SqliteConnectionTest, TheSameStatementCanBeUsedWhileItIsAlreadyInUse) {
  auto c = sqlite::Connection::open(":memory:");
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->exec("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1), (2), (3);").ok());
  const std::string sql = "SELECT v FROM t WHERE v >= ?1 ORDER BY v";
  auto outer = (*c)->query(sql);
  ASSERT_TRUE(outer.ok());
  outer->bind_int(1, 1);
  std::vector<int64_t> pairs;
  while (*outer->step()) {
    auto inner = (*c)->query(sql);
    ASSERT_TRUE(inner.ok());
    inner->bind_int(1, outer->column_int(0));
    int64_t count = 0;
    while (*inner->step()) ++count;
    pairs.push_back(outer->column_int(0) * 10 + count);
  }
  EXPECT_THAT(pairs, ElementsAre(13, 22, 31));
}

TEST(SqliteConnectionTest, EmptyAndEmbeddedNulTextStaysText) {
  auto c = sqlite::Connection::open(":memory:");
  ASSERT_TRUE(c.ok());
  auto q = (*c)->query("SELECT ?1 IS NULL, typeof(?1), length(CAST(?2 AS BLOB)), ?2");
  ASSERT_TRUE(q.ok());
  q->bind_text(1, std::string_view()).bind_text(2, std::string_view("a\0b", 3));
  ASSERT_TRUE(*q->step());
  EXPECT_EQ(q->column_int(0), 0);
  EXPECT_EQ(q->column_text(1), "text");
  EXPECT_EQ(q->column_int(2), 3);
  EXPECT_EQ(q->column_text(3), std::string("a\0b", 3));
}

TEST(SqliteConnectionTest, FailedTransactionRollsBack) {
  auto c = sqlite::Connection::open(":memory:");
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->exec("CREATE TABLE t (v INTEGER)").ok());
  Status failed = sqlite::in_transaction(**c, "BEGIN IMMEDIATE", [](sqlite::Connection& conn) -> Status {
    if (auto st = conn.exec("INSERT INTO t VALUES (1)"); !st) return st;
    return Error(ErrorCode::InvalidPart);
  });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::InvalidPart);
  EXPECT_EQ(*(*c)->query_int("SELECT count(*) FROM t"), 0);
  auto bad = (*c)->query("SELECT nonsense FROM nowhere");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::InternalError);
  EXPECT_THAT(bad.error().message, HasSubstr("no such"));
}

// 300 000 keys in three groups, loaded straight into the table (one
// transaction instead of 300 000 durable commits). A delimiter listing must
// seek past the groups: reading every row takes tens of milliseconds here,
// the skip-scan well under one.
TEST_F(SqliteStoreTest, DelimiterListingOverALargeTableSeeksPastGroups) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  BucketRecord bucket;
  bucket.name = "big";
  ASSERT_TRUE(store->create_bucket(bucket).ok());
  {
    auto c = raw();
    Status loaded = sqlite::in_transaction(*c, "BEGIN IMMEDIATE", [](sqlite::Connection& conn) -> Status {
      for (const char* tenant : {"tenant-a/", "tenant-b/", "tenant-c/"}) {
        for (int i = 0; i < 100000; ++i) {
          auto q = conn.query(
              "INSERT INTO objects (bucket, key, size, etag, crc64, last_modified_ms, object_type, storage_class,"
              " acl, content_type, headers, user_meta, tags, segments)"
              " VALUES ('big', ?1, 1, 'E', 0, 0, 'Normal', 'Standard', 'default', '', '[]', '[]', '[]', '[]')");
          if (!q.ok()) return std::move(q).error();
          q->bind_text(1, std::string(tenant) + "img" + std::to_string(100000 + i) + ".jpg");
          if (auto st = q->run(); !st) return st;
        }
      }
      return ok_status();
    });
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  }

  auto timed = [&](const ListQuery& q, ListResult* out) {
    auto best = std::chrono::nanoseconds::max();
    for (int run = 0; run < 5; ++run) {
      auto start = std::chrono::steady_clock::now();
      auto listed = store->list_objects("big", q);
      best = std::min(best, std::chrono::steady_clock::now() - start);
      EXPECT_TRUE(listed.ok());
      if (listed.ok()) *out = *listed;
    }
    return std::chrono::duration_cast<std::chrono::microseconds>(best);
  };

  ListResult grouped;
  auto skip_time = timed({"", "", "/", 1000}, &grouped);
  EXPECT_THAT(grouped.common_prefixes, ElementsAre("tenant-a/", "tenant-b/", "tenant-c/"));
  EXPECT_TRUE(grouped.objects.empty());
  EXPECT_FALSE(grouped.truncated);

  ListResult deep;
  auto page_time = timed({"tenant-b/", "tenant-b/img150000.jpg", "/", 1000}, &deep);
  ASSERT_EQ(deep.objects.size(), 1000u);
  EXPECT_EQ(deep.objects.front().key, "tenant-b/img150001.jpg");
  EXPECT_TRUE(deep.truncated);
  EXPECT_EQ(deep.next_marker, "tenant-b/img151000.jpg");

  ListResult flat;
  auto flat_time = timed({"tenant-b/", "tenant-b/img150000.jpg", "", 1000}, &flat);
  EXPECT_EQ(keys_of(flat), keys_of(deep));

  RecordProperty("flat_page_us", static_cast<int>(flat_time.count()));
  RecordProperty("delimiter_listing_us", static_cast<int>(skip_time.count()));
  RecordProperty("deep_page_us", static_cast<int>(page_time.count()));
  EXPECT_LT(skip_time.count(), 5000) << "delimiter listing took " << skip_time.count() << " us";
}

}  // namespace
}  // namespace ossd::meta
