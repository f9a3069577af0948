#include "crypto/aead.hpp"

#include <openssl/evp.h>

#include <climits>
#include <memory>
#include <stdexcept>

namespace ossd::crypto {

namespace {

struct CipherContextFree {
  void operator()(EVP_CIPHER_CTX* context) const { EVP_CIPHER_CTX_free(context); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextFree>;

const unsigned char* bytes(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }
unsigned char* bytes(std::string& text) { return reinterpret_cast<unsigned char*>(text.data()); }

CipherContext new_context() {
  CipherContext context(EVP_CIPHER_CTX_new());
  if (!context) throw std::runtime_error("OpenSSL: EVP_CIPHER_CTX_new failed");
  return context;
}

// OpenSSL takes int lengths; anything longer is not a token or a secret.
bool fits_int(std::string_view text) { return text.size() <= static_cast<std::size_t>(INT_MAX); }

// EVP_*Update with a zero length still wants a non-null buffer on some
// builds; an empty string's data() is fine, but a string_view may be null.
const unsigned char* non_null(std::string_view text) {
  static const unsigned char empty = 0;
  return text.data() == nullptr ? &empty : bytes(text);
}

}  // namespace

std::string aes256_gcm_seal(std::string_view key, std::string_view nonce, std::string_view plaintext,
                            std::string_view aad) {
  // Wrong sizes here are programming errors (callers hold fixed-size keys and
  // draw fixed-size nonces), not bad input, so they throw.
  if (key.size() != kAeadKeyBytes) throw std::invalid_argument("aes256_gcm_seal: key must be 32 bytes");
  if (nonce.size() != kAeadNonceBytes) throw std::invalid_argument("aes256_gcm_seal: nonce must be 12 bytes");
  if (!fits_int(plaintext) || !fits_int(aad)) throw std::invalid_argument("aes256_gcm_seal: input too large");

  CipherContext context = new_context();
  // The default GCM IV length is 12 bytes, which is kAeadNonceBytes.
  if (EVP_EncryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, bytes(key), bytes(nonce)) != 1) {
    throw std::runtime_error("OpenSSL: AES-256-GCM encrypt init failed");
  }
  int written = 0;
  if (!aad.empty() &&
      EVP_EncryptUpdate(context.get(), nullptr, &written, bytes(aad), static_cast<int>(aad.size())) != 1) {
    throw std::runtime_error("OpenSSL: AES-256-GCM aad failed");
  }
  std::string sealed(plaintext.size() + kAeadTagBytes, '\0');
  int length = 0;
  if (EVP_EncryptUpdate(context.get(), bytes(sealed), &written, non_null(plaintext),
                        static_cast<int>(plaintext.size())) != 1) {
    throw std::runtime_error("OpenSSL: AES-256-GCM encrypt failed");
  }
  length = written;
  if (EVP_EncryptFinal_ex(context.get(), bytes(sealed) + length, &written) != 1) {
    throw std::runtime_error("OpenSSL: AES-256-GCM encrypt final failed");
  }
  length += written;
  if (static_cast<std::size_t>(length) != plaintext.size()) {
    throw std::runtime_error("OpenSSL: AES-256-GCM produced an unexpected length");
  }
  if (EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kAeadTagBytes),
                          bytes(sealed) + length) != 1) {
    throw std::runtime_error("OpenSSL: AES-256-GCM get tag failed");
  }
  return sealed;
}

std::optional<std::string> aes256_gcm_open(std::string_view key, std::string_view nonce, std::string_view sealed,
                                           std::string_view aad) {
  // Opening takes data from outside (a token, a stored record), so every
  // malformed shape is simply "does not open".
  if (key.size() != kAeadKeyBytes || nonce.size() != kAeadNonceBytes || sealed.size() < kAeadTagBytes) {
    return std::nullopt;
  }
  if (!fits_int(sealed) || !fits_int(aad)) return std::nullopt;

  const std::string_view ciphertext = sealed.substr(0, sealed.size() - kAeadTagBytes);
  // EVP_CTRL_GCM_SET_TAG takes a non-const pointer.
  std::string tag(sealed.substr(ciphertext.size()));

  CipherContext context = new_context();
  if (EVP_DecryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, bytes(key), bytes(nonce)) != 1) {
    throw std::runtime_error("OpenSSL: AES-256-GCM decrypt init failed");
  }
  int written = 0;
  if (!aad.empty() &&
      EVP_DecryptUpdate(context.get(), nullptr, &written, bytes(aad), static_cast<int>(aad.size())) != 1) {
    return std::nullopt;
  }
  std::string plaintext(ciphertext.size(), '\0');
  if (EVP_DecryptUpdate(context.get(), bytes(plaintext), &written, non_null(ciphertext),
                        static_cast<int>(ciphertext.size())) != 1) {
    return std::nullopt;
  }
  int length = written;
  if (EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kAeadTagBytes), tag.data()) != 1) {
    return std::nullopt;
  }
  // The tag is checked here; nothing decrypted is returned unless it verifies.
  if (EVP_DecryptFinal_ex(context.get(), bytes(plaintext) + length, &written) != 1) return std::nullopt;
  length += written;
  plaintext.resize(static_cast<std::size_t>(length));
  return plaintext;
}

}  // namespace ossd::crypto
