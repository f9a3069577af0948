#include "iam/secret_box.hpp"

#include "crypto/aead.hpp"
#include "crypto/base64.hpp"

namespace ossd::iam {
namespace {

constexpr std::string_view kFormatPrefix = "v1:";

Error cannot_open(std::string_view why) {
  return Error(ErrorCode::InternalError,
               "cannot open a sealed secret: " + std::string(why) + " (was the master key changed?)");
}

}  // namespace

Result<SecretBox> SecretBox::create(std::string key) {
  if (key.size() != crypto::kAeadKeyBytes) {
    return Error(ErrorCode::InvalidArgument, "the master key must be " + std::to_string(crypto::kAeadKeyBytes) +
                                                 " bytes, got " + std::to_string(key.size()));
  }
  return SecretBox(std::move(key));
}

std::string SecretBox::seal(std::string_view plaintext, std::string_view context, Random& random) const {
  std::string nonce(crypto::kAeadNonceBytes, '\0');
  random.fill({reinterpret_cast<unsigned char*>(nonce.data()), nonce.size()});
  std::string sealed = crypto::aes256_gcm_seal(key_, nonce, plaintext, context);
  return std::string(kFormatPrefix) + crypto::base64_encode(nonce + sealed);
}

Result<std::string> SecretBox::open(std::string_view sealed, std::string_view context) const {
  if (!sealed.starts_with(kFormatPrefix)) return cannot_open("unknown format");
  auto bytes = crypto::base64_decode(sealed.substr(kFormatPrefix.size()));
  if (!bytes || bytes->size() < crypto::kAeadNonceBytes + crypto::kAeadTagBytes) return cannot_open("malformed");
  std::string_view all(*bytes);
  auto plain = crypto::aes256_gcm_open(key_, all.substr(0, crypto::kAeadNonceBytes),
                                       all.substr(crypto::kAeadNonceBytes), context);
  if (!plain) return cannot_open("authentication failed");
  return std::move(*plain);
}

std::string access_key_secret_context(std::string_view access_key_id) {
  return "ossd access key secret\n" + std::string(access_key_id);
}

std::string token_key_context(std::string_view key_id) { return "ossd sts token key\n" + std::string(key_id); }

}  // namespace ossd::iam
