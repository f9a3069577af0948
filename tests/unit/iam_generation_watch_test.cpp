// GenerationWatch: when the caches of identity data learn that another
// process (or this one) changed the store, on a real SQLite identity store.
#include "iam/generation_watch.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "iam_test_support.hpp"
#include "meta/sqlite_identity_store.hpp"

namespace ossd::iam {
namespace {

using namespace std::chrono_literals;
using Watch = GenerationWatch<SystemTime>;

class GenerationWatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = meta::open_sqlite_identity_store(dir.path() / "identity.db");
    ASSERT_TRUE(opened) << opened.error().message;
    store = std::move(opened.value());
  }

  // A write through another handle, as another gateway would make it.
  void write_elsewhere(const std::string& user) {
    auto other = meta::open_sqlite_identity_store(dir.path() / "identity.db");
    ASSERT_TRUE(other);
    meta::UserRecord record;
    record.user_id = "2000000000000000" + std::to_string(user.size());
    record.name = user;
    ASSERT_TRUE(other.value()->create_user(record));
  }

  static bool moved(Result<bool> polled) {
    EXPECT_TRUE(polled) << polled.error().message;
    return polled && polled.value();
  }

  test::TempDir dir;
  std::unique_ptr<meta::IdentityStore> store;
  const SystemTime t0 = test::at("2026-01-01T00:00:00Z");
};

TEST_F(GenerationWatchTest, TheFirstReadReportsAMove) {
  Watch watch(*store, 1s);
  EXPECT_TRUE(watch.due(t0));
  EXPECT_TRUE(moved(watch.poll(t0)));
  EXPECT_FALSE(watch.due(t0));
}

TEST_F(GenerationWatchTest, AWriteElsewhereIsSeenAtTheFirstPollAfterTheInterval) {
  Watch watch(*store, 1s);
  ASSERT_TRUE(moved(watch.poll(t0)));
  write_elsewhere("bob");
  // Within the interval the store is not read, so the write is not seen yet.
  EXPECT_FALSE(watch.due(t0 + 999ms));
  EXPECT_FALSE(moved(watch.poll(t0 + 999ms)));
  EXPECT_TRUE(watch.due(t0 + 1s));
  EXPECT_TRUE(moved(watch.poll(t0 + 1s)));
  // Reported once: the next read finds the same generation.
  EXPECT_FALSE(moved(watch.poll(t0 + 2s)));
}

TEST_F(GenerationWatchTest, AnUnchangedStoreIsNotReportedAsMoved) {
  Watch watch(*store, 1s);
  ASSERT_TRUE(moved(watch.poll(t0)));
  for (int i = 1; i <= 5; ++i) EXPECT_FALSE(moved(watch.poll(t0 + i * 1s))) << i;
}

TEST_F(GenerationWatchTest, ForgetMakesTheNextPollReadAndReportAMove) {
  Watch watch(*store, 1h);
  ASSERT_TRUE(moved(watch.poll(t0)));
  watch.forget();
  EXPECT_TRUE(watch.due(t0 + 1s));
  EXPECT_TRUE(moved(watch.poll(t0 + 1s)));
}

TEST_F(GenerationWatchTest, AClockThatSteppedBackReadsAgain) {
  Watch watch(*store, 1h);
  ASSERT_TRUE(moved(watch.poll(t0)));
  write_elsewhere("carol");
  EXPECT_TRUE(watch.due(t0 - 1s));
  EXPECT_TRUE(moved(watch.poll(t0 - 1s)));
}

}  // namespace
}  // namespace ossd::iam
