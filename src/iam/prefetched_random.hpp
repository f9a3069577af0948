#pragma once
// The random bytes of one operation (an AssumeRole: key id, secret, token
// nonce) drawn from the source in one call and handed out in order. OpenSSL
// 3.0's RAND_bytes makes a getpid() system call on every call to notice a
// fork, which cost more than the bytes; one draw per operation pays it once.
// Each byte is handed out once; an operation that needs more than guessed
// draws again. Not thread-safe: one per operation, on the stack.
#include <algorithm>
#include <array>
#include <cstddef>
#include <span>

#include "core/random.hpp"

namespace ossd::iam {

class PrefetchedRandom final : public Random {
 public:
  static constexpr size_t kMaxBytes = 256;

  // Draws `bytes` (1 to kMaxBytes) bytes from `source` now.
  PrefetchedRandom(Random& source, size_t bytes) : source_(source), size_(std::clamp<size_t>(bytes, 1, kMaxBytes)) {
    refill();
  }

  void fill(std::span<unsigned char> out) override {
    while (!out.empty()) {
      if (used_ == size_) refill();
      const size_t n = std::min(out.size(), size_ - used_);
      std::copy_n(pool_.begin() + static_cast<std::ptrdiff_t>(used_), n, out.begin());
      used_ += n;
      out = out.subspan(n);
    }
  }

  size_t draws() const { return draws_; }  // calls made to the source

 private:
  void refill() {
    source_.fill(std::span<unsigned char>(pool_.data(), size_));
    used_ = 0;
    ++draws_;
  }

  Random& source_;
  size_t size_;
  std::array<unsigned char, kMaxBytes> pool_{};
  size_t used_ = 0;
  size_t draws_ = 0;
};

}  // namespace ossd::iam
