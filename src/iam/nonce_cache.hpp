#pragma once
// SignatureNonce replay protection for the RPC APIs: a signed request whose
// (access key, nonce) was already seen within the window is refused. Only
// requests whose signature verified get here, so strangers cannot fill it.
// Thread-safe; time and randomness are parameters.
//
// Compact, so that it does not cap the request rate: each nonce is kept as a
// 64-bit fingerprint, SipHash-2-4 of (access key id, nonce) under a key drawn
// at construction, so nobody who lacks the key can make two pairs collide;
// a fresh pair is mistaken for a replay only when its fingerprint equals one
// of the n in the window by chance (n x 2^-64 per request, about 1e-12 at
// 20 million). Fingerprints are kept in one open-addressing table per time
// bucket (default one minute); a whole bucket is dropped once its newest
// possible entry is older than the window. So a replay within the window is
// always refused, and a nonce is forgotten between `window` and
// `window + bucket` after it was seen (the Timestamp check refuses requests
// older than the window anyway).
//
// Memory is proportional to rate x window: about 12 bytes per nonce at a
// steady rate (8-byte slots, at most 3/4 full, each new bucket sized from the
// last one), up to about 21 right after a growing bucket's table doubled. The tables
// never hold more than `max_bytes` (default 256 MiB, about 21 million nonces
// at a steady rate: some 23,000 requests/s sustained over a 15-minute
// window); when a new nonce does not fit, it is refused (Full; the caller
// answers Throttling), never forgotten early.
//
// The ledger of one process: gateways sharing a PostgreSQL database use
// meta/pg_nonce_ledger.hpp instead, so a nonce spent on one is refused on all.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "crypto/keyed_mac.hpp"
#include "meta/nonce_ledger.hpp"

namespace ossd::iam {

struct NonceCacheOptions {
  std::chrono::milliseconds window = std::chrono::minutes(15);
  std::chrono::milliseconds bucket = std::chrono::minutes(1);
  size_t max_bytes = size_t{256} << 20;
};

class NonceCache final : public meta::NonceLedger {
 public:
  // Draws the 16-byte fingerprint key from `random` (once, here).
  explicit NonceCache(Random& random, NonceCacheOptions options = {});

  // Records the pair when it is fresh. Never an error: memory cannot fail
  // to answer (a full cache is Outcome::Full).
  Result<Outcome> remember(std::string_view access_key_id, std::string_view nonce, SystemTime now) override;
  // In memory, under a mutex held for a few probes: fine on an I/O thread.
  bool blocks() const override { return false; }

  size_t size() const;          // pairs remembered
  size_t memory_bytes() const;  // bytes held by the tables (<= options.max_bytes)

 private:
  // The fingerprints seen during [index x bucket, (index + 1) x bucket).
  struct Bucket {
    int64_t index = 0;
    std::vector<uint64_t> slots;  // 0 = empty
    size_t count = 0;
  };

  uint64_t fingerprint(std::string_view access_key_id, std::string_view nonce) const;
  void expire_locked(int64_t now_ms);
  bool contains_locked(uint64_t fingerprint) const;
  // The bucket new fingerprints go to at `now_ms`; nullptr when a new bucket
  // does not fit in the memory cap.
  Bucket* bucket_for_insert_locked(int64_t now_ms);
  bool insert_locked(Bucket& bucket, uint64_t fingerprint);
  bool resize_locked(Bucket& bucket, size_t slots);

  NonceCacheOptions options_;
  crypto::KeyedMac fingerprint_mac_;
  mutable std::mutex mutex_;
  std::deque<Bucket> buckets_;  // oldest first, indexes increasing
  size_t count_ = 0;
  size_t bytes_ = 0;
};

}  // namespace ossd::iam
