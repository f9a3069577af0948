#include "iam/nonce_cache.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace ossd::iam {

namespace {

constexpr size_t kMinSlots = 64;
// Tables grow past 3/4 full: a miss then probes about 8 slots (one or two
// cache lines) with linear probing.
constexpr size_t kMaxLoadNumerator = 3;
constexpr size_t kMaxLoadDenominator = 4;

std::string draw_key(Random& random) {
  std::string key(16, '\0');
  random.fill({reinterpret_cast<unsigned char*>(key.data()), key.size()});
  return key;
}

// Maps a uniformly distributed 64-bit value onto [0, size) without a
// division (and without needing a power-of-two size).
size_t home_slot(uint64_t fingerprint, size_t size) {
  return static_cast<size_t>((static_cast<unsigned __int128>(fingerprint) * size) >> 64);
}

bool over_max_load(size_t count, size_t slots) { return count * kMaxLoadDenominator > slots * kMaxLoadNumerator; }

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

NonceCache::NonceCache(Random& random, NonceCacheOptions options)
    : options_(options), fingerprint_mac_(crypto::MacAlgorithm::SipHash64, draw_key(random)) {
  if (options_.bucket.count() <= 0) options_.bucket = std::chrono::minutes(1);
}

uint64_t NonceCache::fingerprint(std::string_view access_key_id, std::string_view nonce) const {
  // The id's length first, so ("AKa", "b") and ("AK", "ab") differ.
  std::array<char, 8> length{};
  uint64_t id_size = access_key_id.size();
  for (char& byte : length) {
    byte = static_cast<char>(id_size & 0xFF);
    id_size >>= 8;
  }
  const uint64_t value = fingerprint_mac_.mac64({std::string_view(length.data(), length.size()), access_key_id, nonce});
  // 0 marks an empty slot; folding it onto 1 makes those two values collide,
  // which changes the odds by 2^-64.
  return value == 0 ? 1 : value;
}

void NonceCache::expire_locked(int64_t now_ms) {
  const int64_t bucket_ms = options_.bucket.count();
  const int64_t window_ms = options_.window.count();
  // Every entry of a bucket was seen before (index + 1) x bucket; once that
  // is a full window ago, none can be a replay within the window.
  while (!buckets_.empty() && (buckets_.front().index + 1) * bucket_ms + window_ms <= now_ms) {
    count_ -= buckets_.front().count;
    bytes_ -= buckets_.front().slots.size() * sizeof(uint64_t);
    buckets_.pop_front();
  }
}

bool NonceCache::contains_locked(uint64_t fingerprint) const {
  // Every bucket's home slot is fetched before any is probed: with large
  // tables these are cache misses, and this way they overlap.
  for (const Bucket& bucket : buckets_) __builtin_prefetch(&bucket.slots[home_slot(fingerprint, bucket.slots.size())]);
  for (const Bucket& bucket : buckets_) {
    const size_t size = bucket.slots.size();
    for (size_t slot = home_slot(fingerprint, size);; slot = slot + 1 == size ? 0 : slot + 1) {
      const uint64_t held = bucket.slots[slot];
      if (held == fingerprint) return true;
      if (held == 0) break;  // never full: the load stays at most 3/4
    }
  }
  return false;
}

bool NonceCache::resize_locked(Bucket& bucket, size_t slots) {
  const size_t old_bytes = bucket.slots.size() * sizeof(uint64_t);
  if (bytes_ - old_bytes + slots * sizeof(uint64_t) > options_.max_bytes) return false;
  std::vector<uint64_t> old = std::move(bucket.slots);
  bucket.slots.assign(slots, 0);
  for (uint64_t fingerprint : old) {
    if (fingerprint == 0) continue;
    size_t slot = home_slot(fingerprint, slots);
    while (bucket.slots[slot] != 0) slot = slot + 1 == slots ? 0 : slot + 1;
    bucket.slots[slot] = fingerprint;
  }
  bytes_ = bytes_ - old_bytes + slots * sizeof(uint64_t);
  return true;
}

NonceCache::Bucket* NonceCache::bucket_for_insert_locked(int64_t now_ms) {
  const int64_t index = floor_div(now_ms, options_.bucket.count());
  // A clock that stepped back puts the entry in the newest bucket: kept a
  // little longer than the window, never shorter.
  if (!buckets_.empty() && buckets_.back().index >= index) return &buckets_.back();
  // Sized for the last bucket's rate plus an eighth, so a steady rate never
  // rehashes; a first bucket starts small and doubles.
  const size_t expected = buckets_.empty() ? 0 : buckets_.back().count + buckets_.back().count / 8;
  size_t slots = std::max(kMinSlots, expected * kMaxLoadDenominator / kMaxLoadNumerator + 1);
  const size_t room = (options_.max_bytes - std::min(options_.max_bytes, bytes_)) / sizeof(uint64_t);
  slots = std::min(slots, room);
  if (slots < kMinSlots) return nullptr;
  Bucket& bucket = buckets_.emplace_back();
  bucket.index = index;
  bucket.slots.assign(slots, 0);
  bytes_ += slots * sizeof(uint64_t);
  return &bucket;
}

bool NonceCache::insert_locked(Bucket& bucket, uint64_t fingerprint) {
  if (over_max_load(bucket.count + 1, bucket.slots.size())) {
    // Double, or take what the cap leaves if that is still enough.
    const size_t room = (options_.max_bytes - bytes_) / sizeof(uint64_t) + bucket.slots.size();
    const size_t slots = std::min(bucket.slots.size() * 2, room);
    if (over_max_load(bucket.count + 1, slots) || !resize_locked(bucket, slots)) return false;
  }
  const size_t size = bucket.slots.size();
  size_t slot = home_slot(fingerprint, size);
  while (bucket.slots[slot] != 0) slot = slot + 1 == size ? 0 : slot + 1;
  bucket.slots[slot] = fingerprint;
  ++bucket.count;
  ++count_;
  return true;
}

Result<NonceCache::Outcome> NonceCache::remember(std::string_view access_key_id, std::string_view nonce,
                                                 SystemTime now) {
  const uint64_t print = fingerprint(access_key_id, nonce);
  const int64_t now_ms = to_unix_millis(now);
  std::lock_guard lock(mutex_);
  expire_locked(now_ms);
  if (contains_locked(print)) return Outcome::Replayed;
  Bucket* bucket = bucket_for_insert_locked(now_ms);
  if (bucket == nullptr || !insert_locked(*bucket, print)) return Outcome::Full;
  return Outcome::Fresh;
}

size_t NonceCache::size() const {
  std::lock_guard lock(mutex_);
  return count_;
}

size_t NonceCache::memory_bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

}  // namespace ossd::iam
