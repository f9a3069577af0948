#include "crypto/hmac.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace ossd::crypto {

namespace {

std::string mac(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // HMAC() with an empty key needs a non-null pointer on some OpenSSL builds.
  static const unsigned char empty_key = 0;
  const void* key_bytes = key.empty() ? &empty_key : static_cast<const void*>(key.data());
  if (HMAC(md, key_bytes, static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
           data.size(), out, &length) == nullptr) {
    throw std::runtime_error("OpenSSL: HMAC failed");
  }
  return std::string(reinterpret_cast<const char*>(out), length);
}

}  // namespace

std::string hmac_sha1(std::string_view key, std::string_view data) { return mac(EVP_sha1(), key, data); }
std::string hmac_sha256(std::string_view key, std::string_view data) { return mac(EVP_sha256(), key, data); }

}  // namespace ossd::crypto
