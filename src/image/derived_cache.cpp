#include "image/derived_cache.hpp"

#include <string_view>

namespace ossd::image {

namespace {

constexpr size_t kEntryOverhead = 160;  // list node, map node, shared_ptr control block

// One string that cannot be produced by two different keys: every field is
// length-prefixed, so no choice of bytes in a key or spec can collide.
std::string entry_id(const DerivedKey& key) {
  std::string id;
  id.reserve(key.bucket.size() + key.key.size() + key.etag.size() + key.spec.size() + 64);
  auto add = [&id](std::string_view part) {
    id += std::to_string(part.size());
    id += ':';
    id += part;
  };
  add(key.bucket);
  add(key.key);
  add(key.etag);
  add(std::to_string(key.size));
  add(key.spec);
  return id;
}

}  // namespace

DerivedCache::DerivedCache(size_t max_bytes) : max_bytes_(max_bytes) {}

size_t DerivedCache::charge(const DerivedKey& key, const DerivedImage& image) {
  return image.body.size() + image.content_type.size() + key.bucket.size() + key.key.size() + key.etag.size() +
         key.spec.size() + kEntryOverhead;
}

std::shared_ptr<const DerivedImage> DerivedCache::find(const DerivedKey& key) {
  if (max_bytes_ == 0) return nullptr;
  const std::string id = entry_id(key);
  std::lock_guard lock(mutex_);
  auto found = index_.find(id);
  if (found == index_.end()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  order_.splice(order_.begin(), order_, found->second);
  return found->second->image;
}

bool DerivedCache::insert(const DerivedKey& key, std::shared_ptr<const DerivedImage> image) {
  if (max_bytes_ == 0 || !image) return false;
  const size_t cost = charge(key, *image);
  if (cost > max_bytes_ / 8) return false;
  std::string id = entry_id(key);
  std::lock_guard lock(mutex_);
  if (auto existing = index_.find(id); existing != index_.end()) {
    bytes_ -= existing->second->charge;
    order_.erase(existing->second);
    index_.erase(existing);
  }
  evict_until_fits(cost);
  order_.push_front(Entry{id, std::move(image), cost});
  index_.emplace(std::move(id), order_.begin());
  bytes_ += cost;
  return true;
}

void DerivedCache::evict_until_fits(size_t incoming) {
  while (!order_.empty() && bytes_ + incoming > max_bytes_) {
    Entry& oldest = order_.back();
    bytes_ -= oldest.charge;
    index_.erase(oldest.id);
    order_.pop_back();
  }
}

size_t DerivedCache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

size_t DerivedCache::entries() const {
  std::lock_guard lock(mutex_);
  return order_.size();
}

uint64_t DerivedCache::hits() const {
  std::lock_guard lock(mutex_);
  return hits_;
}

uint64_t DerivedCache::misses() const {
  std::lock_guard lock(mutex_);
  return misses_;
}

}  // namespace ossd::image
