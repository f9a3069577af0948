// iam::NonceCache: replays within the window are refused exactly, entries go
// between window and window + bucket after they were seen, the memory cap
// holds (new nonces are refused, none is forgotten early), and memory grows
// with rate x window.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "crypto/secure_random.hpp"
#include "iam/nonce_cache.hpp"
#include "iam_test_support.hpp"

namespace ossd::iam::test {
namespace {

using namespace std::chrono_literals;
using Outcome = NonceCache::Outcome;

// The in-memory cache never fails: every answer is an Outcome.
Outcome remember(NonceCache& cache, std::string_view access_key_id, std::string_view nonce, SystemTime now) {
  auto outcome = cache.remember(access_key_id, nonce, now);
  EXPECT_TRUE(outcome.ok());
  return outcome.ok() ? *outcome : Outcome::Full;
}

NonceCacheOptions fifteen_minutes(size_t max_bytes = size_t{1} << 20) {
  return NonceCacheOptions{.window = 15min, .bucket = 1min, .max_bytes = max_bytes};
}

TEST(NonceCache, RefusesAReplayWithinTheWindowPerAccessKey) {
  crypto::SecureRandom random;
  NonceCache cache(random, fifteen_minutes());
  const SystemTime t0 = at("2024-05-20T08:30:00Z");  // the start of a bucket
  EXPECT_EQ(remember(cache, "AK", "n1", t0), Outcome::Fresh);
  EXPECT_EQ(remember(cache, "AK", "n1", t0), Outcome::Replayed);
  EXPECT_EQ(remember(cache, "AK", "n1", t0 + 14min), Outcome::Replayed);
  EXPECT_EQ(remember(cache, "AK2", "n1", t0), Outcome::Fresh) << "nonces are per access key";
  EXPECT_EQ(remember(cache, "AK", "n2", t0), Outcome::Fresh);
  EXPECT_EQ(cache.size(), 3u);
}

TEST(NonceCache, ExpiryAtTheWindowEdge) {
  crypto::SecureRandom random;
  NonceCache cache(random, fifteen_minutes());
  const SystemTime bucket_start = at("2024-05-20T08:30:00Z");
  const SystemTime first = bucket_start;               // first instant of the bucket
  const SystemTime last = bucket_start + 59s + 999ms;  // last millisecond of the same bucket
  ASSERT_EQ(remember(cache, "AK", "first", first), Outcome::Fresh);
  ASSERT_EQ(remember(cache, "AK", "last", last), Outcome::Fresh);
  // Never forgotten within the window...
  EXPECT_EQ(remember(cache, "AK", "first", first + 15min - 1ms), Outcome::Replayed);
  EXPECT_EQ(remember(cache, "AK", "last", last + 15min - 1ms), Outcome::Replayed);
  // ...kept until the bucket's end is a window ago (at most window + bucket)...
  EXPECT_EQ(remember(cache, "AK", "first", bucket_start + 16min - 1ms), Outcome::Replayed);
  // ...and then gone, both of them (the Timestamp check refuses such old requests anyway).
  EXPECT_EQ(remember(cache, "AK", "first", bucket_start + 16min), Outcome::Fresh);
  EXPECT_EQ(remember(cache, "AK", "last", bucket_start + 16min), Outcome::Fresh);
}

TEST(NonceCache, NeverForgetsEarlyWhereverInItsBucketANonceFalls) {
  crypto::SecureRandom random;
  const NonceCacheOptions options{.window = 10s, .bucket = 3s, .max_bytes = size_t{1} << 20};
  const SystemTime t0 = at("2024-05-20T08:30:00Z");
  for (int offset_ms = 0; offset_ms < 3000; offset_ms += 250) {
    NonceCache cache(random, options);
    const SystemTime seen = t0 + std::chrono::milliseconds(offset_ms);
    ASSERT_EQ(remember(cache, "AK", "n", seen), Outcome::Fresh);
    EXPECT_EQ(remember(cache, "AK", "n", seen + options.window - 1ms), Outcome::Replayed) << offset_ms;
    EXPECT_EQ(remember(cache, "AK", "n", seen + options.window + options.bucket), Outcome::Fresh) << offset_ms;
  }
}

TEST(NonceCache, NameAndNonceDoNotRunTogether) {
  crypto::SecureRandom random;
  NonceCache cache(random, fifteen_minutes());
  const SystemTime t0 = at("2024-05-20T08:30:00Z");
  EXPECT_EQ(remember(cache, "AKa", "b", t0), Outcome::Fresh);
  EXPECT_EQ(remember(cache, "AK", "ab", t0), Outcome::Fresh);
  EXPECT_EQ(remember(cache, "", "AKab", t0), Outcome::Fresh);
}

TEST(NonceCache, AClockSteppingBackKeepsEntriesLongerNeverShorter) {
  crypto::SecureRandom random;
  NonceCache cache(random, fifteen_minutes());
  const SystemTime t0 = at("2024-05-20T08:30:00Z");
  ASSERT_EQ(remember(cache, "AK", "later", t0 + 5min), Outcome::Fresh);
  ASSERT_EQ(remember(cache, "AK", "earlier", t0), Outcome::Fresh);  // the clock went back 5 minutes
  EXPECT_EQ(remember(cache, "AK", "earlier", t0 + 15min - 1ms), Outcome::Replayed);
  EXPECT_EQ(remember(cache, "AK", "earlier", t0 + 20min - 1ms), Outcome::Replayed);
  EXPECT_EQ(remember(cache, "AK", "later", t0 + 20min - 1ms), Outcome::Replayed);
  EXPECT_EQ(remember(cache, "AK", "earlier", t0 + 21min), Outcome::Fresh);
}

TEST(NonceCache, TheMemoryCapRefusesNewNoncesAndForgetsNone) {
  crypto::SecureRandom random;
  constexpr size_t kCap = 4096;
  NonceCache cache(random, fifteen_minutes(kCap));
  const SystemTime t0 = at("2024-05-20T08:30:00Z");
  int fresh = 0;
  Outcome last = Outcome::Fresh;
  for (int i = 0; i < 10'000 && last == Outcome::Fresh; ++i) {
    last = remember(cache, "AK", std::to_string(i), t0 + std::chrono::milliseconds(i));
    if (last == Outcome::Fresh) ++fresh;
  }
  ASSERT_EQ(last, Outcome::Full);
  EXPECT_LE(cache.memory_bytes(), kCap);
  EXPECT_GE(static_cast<size_t>(fresh), kCap / 16) << "at most 16 bytes per nonce";
  EXPECT_EQ(cache.size(), static_cast<size_t>(fresh));
  // Full, later in the window too (a new bucket does not fit either)...
  EXPECT_EQ(remember(cache, "AK", "new", t0 + 5min), Outcome::Full);
  // ...and every remembered nonce is still refused as a replay.
  for (int i = 0; i < fresh; ++i) {
    ASSERT_EQ(remember(cache, "AK", std::to_string(i), t0 + 14min), Outcome::Replayed) << i;
  }
  EXPECT_LE(cache.memory_bytes(), kCap);
  // Once they expire there is room again.
  EXPECT_EQ(remember(cache, "AK", "new", t0 + 17min), Outcome::Fresh);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(NonceCache, MemoryFollowsRateTimesWindow) {
  crypto::SecureRandom random;
  NonceCache cache(random, fifteen_minutes(size_t{64} << 20));
  const SystemTime t0 = at("2024-05-20T08:30:00Z");
  // 200 nonces a second for 20 minutes: the window holds about 15-16 minutes of them.
  constexpr int kPerSecond = 200;
  for (int s = 0; s < 20 * 60; ++s) {
    for (int i = 0; i < kPerSecond; ++i) {
      ASSERT_EQ(remember(cache, "AK", std::to_string(s) + "." + std::to_string(i), t0 + std::chrono::seconds(s)),
                Outcome::Fresh);
    }
  }
  const size_t in_window = cache.size();
  EXPECT_GE(in_window, static_cast<size_t>(15 * 60 * kPerSecond));
  EXPECT_LE(in_window, static_cast<size_t>(16 * 60 * kPerSecond));
  // Steady rate: the tables are sized from the last bucket, about 12 bytes a nonce.
  EXPECT_LE(cache.memory_bytes(), in_window * 16);
  // The last 15 minutes are all still refused.
  for (int s = 5 * 60; s < 20 * 60; s += 7) {
    ASSERT_EQ(remember(cache, "AK", std::to_string(s) + ".3", t0 + 20min), Outcome::Replayed) << s;
  }
}

TEST(NonceCache, ManyThreadsEachNonceFreshExactlyOnce) {
  crypto::SecureRandom random;
  NonceCache cache(random, fifteen_minutes());
  const SystemTime t0 = at("2024-05-20T08:30:00Z");
  std::atomic<int> fresh{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        if (remember(cache, "AK", std::to_string(i), t0) == Outcome::Fresh) ++fresh;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(fresh.load(), 2000);
}

}  // namespace
}  // namespace ossd::iam::test
