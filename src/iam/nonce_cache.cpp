#include "iam/nonce_cache.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "crypto/hash.hpp"

namespace ossd::iam {

void NonceCache::expire(int64_t now_ms) {
  const int64_t window_ms = std::chrono::duration_cast<std::chrono::milliseconds>(window_).count();
  while (!by_time_.empty() && by_time_.front().seen_ms + window_ms < now_ms) {
    seen_.erase(by_time_.front().digest);
    by_time_.pop_front();
  }
}

NonceCache::Outcome NonceCache::remember(std::string_view access_key_id, std::string_view nonce, SystemTime now) {
  // A cryptographic digest: a client cannot craft two nonces that collide and
  // so get a fresh request refused, or a replay accepted.
  std::string material;
  material.reserve(access_key_id.size() + 1 + nonce.size());
  material.append(access_key_id).push_back('\n');
  material.append(nonce);
  const std::string hash = crypto::sha256(material);
  Digest digest{};
  std::memcpy(digest.data(), hash.data(), sizeof digest);

  int64_t now_ms = to_unix_millis(now);
  std::lock_guard lock(mutex_);
  // Keep the queue ordered even if the clock steps back: an entry is then
  // kept a little longer than the window, never shorter.
  if (!by_time_.empty()) now_ms = std::max(now_ms, by_time_.back().seen_ms);
  expire(now_ms);
  if (seen_.contains(digest)) return Outcome::Replayed;
  if (seen_.size() >= capacity_) return Outcome::Full;
  seen_.insert(digest);
  by_time_.push_back({now_ms, digest});
  return Outcome::Fresh;
}

size_t NonceCache::size() const {
  std::lock_guard lock(mutex_);
  return seen_.size();
}

}  // namespace ossd::iam
