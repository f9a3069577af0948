// The bucket cache answers until its entries expire or are forgotten, and a
// full cache never grows past its capacity.
#include <gtest/gtest.h>

#include "api/bucket_cache.hpp"

namespace ossd::api {
namespace {

meta::BucketRecord bucket(const std::string& name, const std::string& acl = "private") {
  meta::BucketRecord record;
  record.name = name;
  record.acl = acl;
  return record;
}

TEST(BucketCache, FindsWhatWasStoredUntilItExpires) {
  BucketCache cache(std::chrono::seconds(5));
  const auto t0 = BucketCache::Clock::time_point{} + std::chrono::hours(1);
  EXPECT_FALSE(cache.find("b", t0));
  cache.store(bucket("b", "public-read"), t0);
  auto found = cache.find("b", t0 + std::chrono::seconds(4));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->acl, "public-read");
  EXPECT_FALSE(cache.find("b", t0 + std::chrono::seconds(5)));
}

TEST(BucketCache, ATimeToLiveOfZeroNeverAnswers) {
  BucketCache cache(std::chrono::milliseconds(0));
  const auto t0 = BucketCache::Clock::time_point{} + std::chrono::hours(1);
  cache.store(bucket("b"), t0);
  cache.store_with_policy(BucketWithPolicy{bucket("b"), nullptr}, t0);
  EXPECT_FALSE(cache.find("b", t0));
  EXPECT_FALSE(cache.find("b", t0 - std::chrono::seconds(1)));
  EXPECT_FALSE(cache.find_with_policy("b", t0 - std::chrono::seconds(1)));
}

TEST(BucketCache, ForgetDropsTheEntryAndStoreReplacesIt) {
  BucketCache cache;
  const auto t0 = BucketCache::Clock::time_point{} + std::chrono::hours(1);
  cache.store(bucket("b", "private"), t0);
  cache.store(bucket("b", "public-read-write"), t0);
  EXPECT_EQ(cache.find("b", t0)->acl, "public-read-write");
  cache.forget("b");
  EXPECT_FALSE(cache.find("b", t0));
  cache.forget("never-stored");
}

TEST(BucketCache, CapacityBoundsTheEntries) {
  BucketCache cache(std::chrono::seconds(5), 2);
  const auto t0 = BucketCache::Clock::time_point{} + std::chrono::hours(1);
  cache.store(bucket("a"), t0);
  cache.store(bucket("b"), t0);
  cache.store(bucket("c"), t0);
  int present = 0;
  for (const char* name : {"a", "b", "c"}) present += cache.find(name, t0) ? 1 : 0;
  EXPECT_LE(present, 2);
  EXPECT_TRUE(cache.find("c", t0));
}

}  // namespace
}  // namespace ossd::api
