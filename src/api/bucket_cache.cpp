#include "api/bucket_cache.hpp"

namespace ossd::api {

std::optional<meta::BucketRecord> BucketCache::find(const std::string& name, Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(name);
  if (it == entries_.end() || it->second.expires <= now) return std::nullopt;
  return it->second.bucket;
}

void BucketCache::store(const meta::BucketRecord& bucket, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  // A full cache starts over rather than tracking recency: buckets per
  // account are few, so this only bounds memory against name probing.
  if (entries_.size() >= capacity_ && !entries_.contains(bucket.name)) entries_.clear();
  entries_.insert_or_assign(bucket.name, Entry{bucket, now + ttl_});
}

void BucketCache::forget(const std::string& name) {
  std::lock_guard lock(mutex_);
  entries_.erase(name);
}

}  // namespace ossd::api
