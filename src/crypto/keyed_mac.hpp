#pragma once
// A MAC keyed once and used many times: the signature verifiers keep one per
// access key (and per derived V4 signing key), the nonce window one per
// process. Keying is the expensive part of an OpenSSL MAC (a one-shot HMAC()
// fetches the digest and hashes the padded key every time), so the keyed
// context is made once and each use starts from a copy of it
// (EVP_MAC_CTX_dup) or re-initialises a pooled copy with the same key.
//
// Thread-safe: the keyed context is never written after construction; each
// call takes a context of its own from a small pool (at most kPooledContexts
// kept, more are made and freed when more threads use one key at once).
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

namespace ossd::crypto {

enum class MacAlgorithm {
  HmacSha1,    // 20-byte MAC (OSS V1, RPC signature 1.0)
  HmacSha256,  // 32-byte MAC (OSS V4, ACS3)
  SipHash64,   // 8-byte MAC, 16-byte key (fingerprints that strangers cannot make collide)
};

class KeyedMac {
 public:
  static constexpr size_t kPooledContexts = 4;

  // SipHash64 needs a 16-byte key (std::invalid_argument otherwise); HMAC
  // takes any key. Throws std::runtime_error when OpenSSL fails.
  KeyedMac(MacAlgorithm algorithm, std::string_view key);
  ~KeyedMac();
  KeyedMac(const KeyedMac&) = delete;
  KeyedMac& operator=(const KeyedMac&) = delete;

  MacAlgorithm algorithm() const { return algorithm_; }
  size_t size() const;  // bytes of a MAC

  // The raw MAC of the concatenation of `parts` (no copy of them is made).
  std::string mac(std::string_view data) const { return mac({data}); }
  std::string mac(std::initializer_list<std::string_view> parts) const;
  // SipHash64 only: the 8 bytes as a little-endian integer.
  uint64_t mac64(std::initializer_list<std::string_view> parts) const;

 private:
  struct Impl;
  MacAlgorithm algorithm_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ossd::crypto
