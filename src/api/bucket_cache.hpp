#pragma once
// Bucket records change rarely and every bucket or object request needs one,
// so the pipeline keeps them here instead of asking the metadata store (one
// work-pool hop) each time. Handlers that change a bucket forget it here in
// the same request; entries also expire after a short time. A time to live
// of zero turns the cache off: the server does that when other gateways share
// the metadata store, so their changes are seen by the very next request.
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "meta/records.hpp"

namespace ossd::policy {
struct Document;
}

namespace ossd::api {

// A bucket record with its parsed bucket policy (null: the bucket has none).
struct BucketWithPolicy {
  meta::BucketRecord bucket;
  std::shared_ptr<const policy::Document> policy;
};

class BucketCache {
 public:
  using Clock = std::chrono::steady_clock;
  explicit BucketCache(std::chrono::milliseconds time_to_live = std::chrono::seconds(5), size_t capacity = 10000)
      : ttl_(time_to_live), capacity_(capacity) {}

  std::optional<meta::BucketRecord> find(const std::string& name, Clock::time_point now) const;
  void store(const meta::BucketRecord& bucket, Clock::time_point now);
  void forget(const std::string& name);

  // Authorization needs the bucket policy with the record. An entry stored
  // without one (store() above) is not an answer here, so "no policy" is
  // only ever reported when it was loaded as such.
  std::optional<BucketWithPolicy> find_with_policy(const std::string& name, Clock::time_point now) const;
  void store_with_policy(const BucketWithPolicy& loaded, Clock::time_point now);

 private:
  struct Entry {
    meta::BucketRecord bucket;
    Clock::time_point expires;
    bool policy_loaded = false;
    std::shared_ptr<const policy::Document> policy;
  };
  void insert_locked(Entry entry);
  const std::chrono::milliseconds ttl_;
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace ossd::api
