#pragma once
// AES-256-GCM, for sealing STS session tokens and encrypting stored access
// key secrets. Raw bytes in and out.
#include <optional>
#include <string>
#include <string_view>

namespace ossd::crypto {

inline constexpr size_t kAeadKeyBytes = 32;
inline constexpr size_t kAeadNonceBytes = 12;
inline constexpr size_t kAeadTagBytes = 16;

// ciphertext || 16-byte tag. key: 32 bytes, nonce: 12 bytes (never reuse one
// with the same key). aad is authenticated, not encrypted.
std::string aes256_gcm_seal(std::string_view key, std::string_view nonce, std::string_view plaintext,
                            std::string_view aad);

// nullopt when the tag does not verify (wrong key, tampered bytes, wrong aad).
std::optional<std::string> aes256_gcm_open(std::string_view key, std::string_view nonce, std::string_view sealed,
                                           std::string_view aad);

}  // namespace ossd::crypto
