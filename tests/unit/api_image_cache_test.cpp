// DerivedCache: LRU by bytes, keyed by source version and normalized spec.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "image/derived_cache.hpp"

namespace ossd::image {
namespace {

DerivedKey key_of(std::string key, std::string etag = "E1", std::string spec = "resize,w_200") {
  return DerivedKey{"bucket", std::move(key), std::move(etag), 1000, std::move(spec)};
}

// "k<i>" (built with append: GCC 12 warns falsely on "k" + std::string).
std::string numbered(int i) {
  std::string name = "k";
  name.append(std::to_string(i));
  return name;
}

std::shared_ptr<const DerivedImage> image_of(size_t bytes, char fill = 'x') {
  return std::make_shared<const DerivedImage>(DerivedImage{std::string(bytes, fill), "image/jpeg"});
}

TEST(DerivedCache, MissThenHitReturnsTheStoredBytes) {
  DerivedCache cache(1 << 20);
  EXPECT_EQ(cache.find(key_of("a.jpg")), nullptr);
  ASSERT_TRUE(cache.insert(key_of("a.jpg"), image_of(100, 'a')));
  auto hit = cache.find(key_of("a.jpg"));
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->body, std::string(100, 'a'));
  EXPECT_EQ(hit->content_type, "image/jpeg");
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 1u);
}

TEST(DerivedCache, EveryKeyFieldSeparatesEntries) {
  DerivedCache cache(1 << 20);
  ASSERT_TRUE(cache.insert(key_of("a.jpg"), image_of(10)));
  EXPECT_EQ(cache.find(key_of("a.jpg", "E2")), nullptr) << "a new ETag (overwritten source) must miss";
  EXPECT_EQ(cache.find(key_of("a.jpg", "E1", "resize,w_100")), nullptr);
  EXPECT_EQ(cache.find(key_of("b.jpg")), nullptr);
  DerivedKey other_bucket = key_of("a.jpg");
  other_bucket.bucket = "other";
  EXPECT_EQ(cache.find(other_bucket), nullptr);
  DerivedKey other_size = key_of("a.jpg");
  other_size.size = 999;
  EXPECT_EQ(cache.find(other_size), nullptr);
  EXPECT_NE(cache.find(key_of("a.jpg")), nullptr);
}

TEST(DerivedCache, FieldBoundariesCannotCollide) {
  DerivedCache cache(1 << 20);
  ASSERT_TRUE(cache.insert(DerivedKey{"ab", "c", "E", 1, "s"}, image_of(10)));
  EXPECT_EQ(cache.find(DerivedKey{"a", "bc", "E", 1, "s"}), nullptr);
  EXPECT_EQ(cache.find(DerivedKey{"ab", "cE", "", 1, "s"}), nullptr);
}

TEST(DerivedCache, EvictsLeastRecentlyUsedFirst) {
  const DerivedKey newcomer = key_of("new");
  const size_t one = DerivedCache::charge(newcomer, *image_of(1000));
  // Room for 16 entries (keys "k0".."k15" are charged like "new"), so each is well under 1/8 of the bound.
  DerivedCache cache(one * 16 + one / 2);
  for (int i = 0; i < 16; ++i) ASSERT_TRUE(cache.insert(key_of(numbered(i)), image_of(1000)));
  EXPECT_EQ(cache.entries(), 16u);
  ASSERT_NE(cache.find(key_of("k0")), nullptr);  // k0 is now the most recent; k1 the oldest
  ASSERT_TRUE(cache.insert(newcomer, image_of(1000)));
  EXPECT_EQ(cache.entries(), 16u);
  EXPECT_EQ(cache.find(key_of("k1")), nullptr) << "the least recently used entry goes";
  EXPECT_NE(cache.find(key_of("k0")), nullptr) << "a recently read entry stays";
  EXPECT_NE(cache.find(key_of("k2")), nullptr);
  EXPECT_NE(cache.find(newcomer), nullptr);
  EXPECT_LE(cache.bytes(), cache.max_bytes());
}

TEST(DerivedCache, EntriesOverAnEighthOfTheBoundAreNotKept) {
  DerivedCache cache(80'000);
  EXPECT_FALSE(cache.insert(key_of("big"), image_of(10'001)));
  EXPECT_EQ(cache.find(key_of("big")), nullptr);
  EXPECT_TRUE(cache.insert(key_of("small"), image_of(9'000)));
  EXPECT_EQ(cache.entries(), 1u);
}

TEST(DerivedCache, ZeroBytesTurnsItOff) {
  DerivedCache cache(0);
  EXPECT_FALSE(cache.insert(key_of("a"), image_of(1)));
  EXPECT_EQ(cache.find(key_of("a")), nullptr);
  EXPECT_EQ(cache.entries(), 0u);
}

TEST(DerivedCache, ReplacingAnEntryKeepsTheAccountRight) {
  DerivedCache cache(1 << 20);
  ASSERT_TRUE(cache.insert(key_of("a"), image_of(1000, 'a')));
  const size_t before = cache.bytes();
  ASSERT_TRUE(cache.insert(key_of("a"), image_of(2000, 'b')));
  EXPECT_EQ(cache.entries(), 1u);
  EXPECT_EQ(cache.bytes(), before + 1000);
  EXPECT_EQ(cache.find(key_of("a"))->body, std::string(2000, 'b'));
}

TEST(DerivedCache, ManyThreadsStayWithinTheBound) {
  DerivedCache cache(200'000);
  std::atomic<int> hits{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const DerivedKey k = key_of(numbered((i * 7 + t) % 300));
        if (auto found = cache.find(k)) {
          if (found->body.size() == 500) ++hits;
        } else {
          cache.insert(k, image_of(500));
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(cache.bytes(), cache.max_bytes());
  EXPECT_GT(hits.load(), 0);
  EXPECT_EQ(cache.hits() + cache.misses(), 8000u);
}

}  // namespace
}  // namespace ossd::image
