#pragma once
// DerivedCache: processed images kept in memory so a popular thumbnail is
// computed once (issue #5, "Caching"). Least-recently-used entries go first
// when the byte bound is reached.
//
// Freshness comes from the key, not from purging: it names the source by
// bucket, key, ETag and size, and the request by its normalized process text
// (after a style is expanded). Overwriting the source changes its ETag, so
// the old entries are simply never asked for again and age out. Results that
// read other objects (image watermarks) must not be stored: their key cannot
// say which version of the other object they used.
//
// Thread-safe: I/O threads look up, image threads insert.
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace ossd::image {

struct DerivedKey {
  std::string bucket;
  std::string key;
  std::string etag;
  uint64_t size = 0;
  std::string spec;  // ProcessSpec::normalized of the spec that ran
};

struct DerivedImage {
  std::string body;
  std::string content_type;
};

class DerivedCache {
 public:
  // max_bytes 0 turns the cache off (find never hits, insert keeps nothing).
  explicit DerivedCache(size_t max_bytes);
  DerivedCache(const DerivedCache&) = delete;
  DerivedCache& operator=(const DerivedCache&) = delete;

  // The entry, now the most recently used; null on a miss.
  std::shared_ptr<const DerivedImage> find(const DerivedKey& key);
  // Stores (or replaces) an entry, evicting the least recently used ones
  // until it fits. Entries larger than an eighth of the bound are not kept,
  // so one big result cannot flush everything else. Returns whether it was kept.
  bool insert(const DerivedKey& key, std::shared_ptr<const DerivedImage> image);

  size_t max_bytes() const { return max_bytes_; }
  size_t bytes() const;  // charged bytes of the entries held now
  size_t entries() const;
  uint64_t hits() const;
  uint64_t misses() const;

  // What an entry is charged: its body, type and key texts plus a fixed
  // overhead for the bookkeeping, so many tiny entries are bounded too.
  static size_t charge(const DerivedKey& key, const DerivedImage& image);

 private:
  struct Entry {
    std::string id;
    std::shared_ptr<const DerivedImage> image;
    size_t charge = 0;
  };
  using Order = std::list<Entry>;  // front = most recently used

  void evict_until_fits(size_t incoming);

  const size_t max_bytes_;
  mutable std::mutex mutex_;
  Order order_;
  std::unordered_map<std::string, Order::iterator> index_;
  size_t bytes_ = 0;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
};

}  // namespace ossd::image
