#pragma once
// Fixed-size byte buffers kept for reuse by the streaming paths (request
// bodies into blobs, object copies). glibc gives a large freed block back to
// the kernel, so a fresh 1 MiB buffer per PUT was faulted in and zeroed
// again each time: 11% of a 1 MiB PUT's CPU in the profile (docs/PERFORMANCE.md).
// At most `max_idle` buffers are kept; more in use at once are allocated and
// freed as usual, so the memory held while idle is bounded.
#include <cstddef>
#include <memory>
#include <mutex>
#include <span>
#include <utility>
#include <vector>

namespace ossd {

class BufferPool {
 public:
  BufferPool(size_t buffer_size, size_t max_idle)
      : buffer_size_(buffer_size == 0 ? 1 : buffer_size), max_idle_(max_idle) {}
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  // A buffer on loan; it goes back to the pool when destroyed. Its bytes are
  // uninitialized (whatever its last user left).
  class Buffer {
   public:
    Buffer(BufferPool* pool, std::unique_ptr<char[]> bytes) : pool_(pool), bytes_(std::move(bytes)) {}
    Buffer(Buffer&&) noexcept = default;
    Buffer& operator=(Buffer&&) = delete;
    ~Buffer() {
      if (bytes_) pool_->give_back(std::move(bytes_));
    }
    std::span<char> bytes() { return {bytes_.get(), pool_->buffer_size_}; }

   private:
    BufferPool* pool_;
    std::unique_ptr<char[]> bytes_;
  };

  Buffer take() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        auto bytes = std::move(idle_.back());
        idle_.pop_back();
        return Buffer(this, std::move(bytes));
      }
    }
    return Buffer(this, std::make_unique_for_overwrite<char[]>(buffer_size_));
  }

  size_t buffer_size() const { return buffer_size_; }
  size_t idle_count() const {
    std::lock_guard lock(mutex_);
    return idle_.size();
  }

 private:
  void give_back(std::unique_ptr<char[]> bytes) {
    std::lock_guard lock(mutex_);
    if (idle_.size() < max_idle_) idle_.push_back(std::move(bytes));
    // else: freed here, as the pool is full
  }

  size_t buffer_size_;
  size_t max_idle_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<char[]>> idle_;
};

}  // namespace ossd
