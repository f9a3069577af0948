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
  insert_locked(Entry{bucket, now + ttl_, false, nullptr});
}

std::optional<BucketWithPolicy> BucketCache::find_with_policy(const std::string& name, Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(name);
  if (it == entries_.end() || it->second.expires <= now || !it->second.policy_loaded) return std::nullopt;
  return BucketWithPolicy{it->second.bucket, it->second.policy};
}

void BucketCache::store_with_policy(const BucketWithPolicy& loaded, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  insert_locked(Entry{loaded.bucket, now + ttl_, true, loaded.policy});
}

void BucketCache::insert_locked(Entry entry) {
  if (ttl_.count() == 0) return;  // the cache is off
  // A full cache starts over rather than tracking recency: buckets per
  // account are few, so this only bounds memory against name probing.
  if (entries_.size() >= capacity_ && !entries_.contains(entry.bucket.name)) entries_.clear();
  std::string name = entry.bucket.name;
  entries_.insert_or_assign(std::move(name), std::move(entry));
}

void BucketCache::forget(const std::string& name) {
  std::lock_guard lock(mutex_);
  entries_.erase(name);
}

}  // namespace ossd::api
