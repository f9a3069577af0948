#pragma once
// Secrets at rest: access key secrets and STS token keys are stored sealed
// under the server's 32-byte master key (AES-256-GCM, a fresh random nonce
// per seal), never in the clear (DESIGN rule 7). Each sealed value is bound
// to a context string (e.g. the access key id it belongs to), so a sealed
// secret copied onto another record does not open.
#include <string>
#include <string_view>

#include "core/random.hpp"
#include "core/result.hpp"

namespace ossd::iam {

class SecretBox {
 public:
  // key: exactly 32 raw bytes, else InvalidArgument.
  static Result<SecretBox> create(std::string key);

  // "v1:" + base64(nonce || ciphertext || tag). Printable, so it fits a TEXT column.
  std::string seal(std::string_view plaintext, std::string_view context, Random& random) const;

  // InternalError when the text is not a value this box (same key, same
  // context) sealed: a wrong master key, a tampered or a moved value.
  Result<std::string> open(std::string_view sealed, std::string_view context) const;

 private:
  explicit SecretBox(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

// Contexts of the values the server seals.
std::string access_key_secret_context(std::string_view access_key_id);
std::string token_key_context(std::string_view key_id);

}  // namespace ossd::iam
