#pragma once
// SignatureNonce replay protection for the RPC APIs: a signed request whose
// (access key, nonce) was already seen within the window is refused. Memory
// is bounded: entries leave when they fall out of the window, and at the
// capacity new nonces are refused (the caller answers Throttling) rather than
// letting the set grow. Only requests whose signature verified get here, so
// strangers cannot fill it. Thread-safe; time is a parameter.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string_view>
#include <unordered_set>

#include "core/clock.hpp"

namespace ossd::iam {

class NonceCache {
 public:
  enum class Outcome { Fresh, Replayed, Full };

  explicit NonceCache(std::chrono::seconds window = std::chrono::minutes(15), size_t capacity = 1'000'000)
      : window_(window), capacity_(capacity) {}

  // Records the nonce when it is fresh. Entries are kept by a 128-bit digest
  // of (access key id, nonce), not the text, so each costs a fixed few dozen
  // bytes whatever the client sends.
  Outcome remember(std::string_view access_key_id, std::string_view nonce, SystemTime now);

  size_t size() const;

 private:
  using Digest = std::array<uint64_t, 2>;
  struct DigestHash {
    size_t operator()(const Digest& d) const noexcept {
      return static_cast<size_t>(d[0] ^ (d[1] * 0x9E3779B97F4A7C15ULL));
    }
  };
  struct Entry {
    int64_t seen_ms;
    Digest digest;
  };

  void expire(int64_t now_ms);

  std::chrono::seconds window_;
  size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_set<Digest, DigestHash> seen_;
  std::deque<Entry> by_time_;  // arrival order; times are non-decreasing (see remember)
};

}  // namespace ossd::iam
