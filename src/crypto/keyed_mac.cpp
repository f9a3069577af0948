#include "crypto/keyed_mac.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstring>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace ossd::crypto {

namespace {

constexpr size_t kSipHashKeyBytes = 16;
constexpr size_t kSipHash64Bytes = 8;

size_t mac_size(MacAlgorithm algorithm) {
  switch (algorithm) {
    case MacAlgorithm::HmacSha1: return 20;
    case MacAlgorithm::HmacSha256: return 32;
    case MacAlgorithm::SipHash64: return kSipHash64Bytes;
  }
  return 0;
}

[[noreturn]] void fail(const char* what) { throw std::runtime_error(std::string("OpenSSL: ") + what); }

}  // namespace

struct KeyedMac::Impl {
  EVP_MAC* algorithm = nullptr;
  EVP_MAC_CTX* keyed = nullptr;  // written only by the constructor
  size_t size = 0;
  std::mutex mutex;
  std::vector<EVP_MAC_CTX*> pool;  // keyed copies, ready for EVP_MAC_init(ctx, NULL, ...)

  ~Impl() {
    for (EVP_MAC_CTX* context : pool) EVP_MAC_CTX_free(context);
    EVP_MAC_CTX_free(keyed);
    EVP_MAC_free(algorithm);
  }

  // A context keyed like `keyed`, ready for updates.
  EVP_MAC_CTX* acquire() {
    EVP_MAC_CTX* reused = nullptr;
    {
      std::lock_guard lock(mutex);
      if (!pool.empty()) {
        reused = pool.back();
        pool.pop_back();
      }
    }
    // A NULL key restarts the MAC with the key it already holds (no re-keying).
    if (reused != nullptr) {
      if (EVP_MAC_init(reused, nullptr, 0, nullptr) == 1) return reused;
      EVP_MAC_CTX_free(reused);
    }
    EVP_MAC_CTX* copy = EVP_MAC_CTX_dup(keyed);
    if (copy == nullptr) fail("EVP_MAC_CTX_dup failed");
    return copy;
  }

  void release(EVP_MAC_CTX* context) {
    {
      std::lock_guard lock(mutex);
      if (pool.size() < kPooledContexts) {
        pool.push_back(context);
        return;
      }
    }
    EVP_MAC_CTX_free(context);
  }

  void compute(std::initializer_list<std::string_view> parts, unsigned char* out) {
    EVP_MAC_CTX* context = acquire();
    bool ok = true;
    for (std::string_view part : parts) {
      if (!part.empty() &&
          EVP_MAC_update(context, reinterpret_cast<const unsigned char*>(part.data()), part.size()) != 1) {
        ok = false;
        break;
      }
    }
    size_t written = 0;
    if (ok) ok = EVP_MAC_final(context, out, &written, size) == 1 && written == size;
    if (!ok) {
      EVP_MAC_CTX_free(context);
      fail("EVP_MAC update/final failed");
    }
    release(context);
  }
};

KeyedMac::KeyedMac(MacAlgorithm algorithm, std::string_view key) : algorithm_(algorithm), impl_(new Impl) {
  impl_->size = mac_size(algorithm);
  const bool siphash = algorithm == MacAlgorithm::SipHash64;
  if (siphash && key.size() != kSipHashKeyBytes) throw std::invalid_argument("KeyedMac: SipHash needs a 16-byte key");
  impl_->algorithm = EVP_MAC_fetch(nullptr, siphash ? OSSL_MAC_NAME_SIPHASH : OSSL_MAC_NAME_HMAC, nullptr);
  if (impl_->algorithm == nullptr) fail("EVP_MAC_fetch failed");
  impl_->keyed = EVP_MAC_CTX_new(impl_->algorithm);
  if (impl_->keyed == nullptr) fail("EVP_MAC_CTX_new failed");

  char digest_sha1[] = "SHA1";
  char digest_sha256[] = "SHA256";
  size_t siphash_size = kSipHash64Bytes;
  OSSL_PARAM params[2];
  if (siphash) {
    params[0] = OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &siphash_size);
  } else {
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                 algorithm == MacAlgorithm::HmacSha1 ? digest_sha1 : digest_sha256, 0);
  }
  params[1] = OSSL_PARAM_construct_end();
  // An empty HMAC key still needs a non-null pointer.
  static const unsigned char empty_key = 0;
  const unsigned char* key_bytes = key.empty() ? &empty_key : reinterpret_cast<const unsigned char*>(key.data());
  if (EVP_MAC_init(impl_->keyed, key_bytes, key.size(), params) != 1) fail("EVP_MAC_init failed");
}

KeyedMac::~KeyedMac() = default;

size_t KeyedMac::size() const { return impl_->size; }

std::string KeyedMac::mac(std::initializer_list<std::string_view> parts) const {
  std::string out(impl_->size, '\0');
  impl_->compute(parts, reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

uint64_t KeyedMac::mac64(std::initializer_list<std::string_view> parts) const {
  if (algorithm_ != MacAlgorithm::SipHash64) throw std::logic_error("KeyedMac::mac64 needs SipHash64");
  unsigned char bytes[kSipHash64Bytes];
  impl_->compute(parts, bytes);
  uint64_t value = 0;
  for (size_t i = 0; i < kSipHash64Bytes; ++i) value |= static_cast<uint64_t>(bytes[i]) << (8 * i);
  return value;
}

}  // namespace ossd::crypto
