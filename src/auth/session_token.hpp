#pragma once
// STS session tokens: self-contained and sealed (AES-256-GCM) under a key
// ring, so any ossd that shares the ring verifies a token with no database
// lookup. A ring holds several keys by id; new tokens use the current one,
// and older keys stay to open tokens issued before a rotation. Pure: the
// nonce and the time are parameters.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace ossd::auth {

// What a token carries. The temporary secret travels inside the sealed token
// (the caller also gets it once, in the AssumeRole response), so verifying
// needs no store.
struct SessionClaims {
  std::string access_key_id;  // "STS.<random>"
  std::string access_key_secret;
  std::string account_id;
  std::string role_name;
  std::string role_id;
  std::string session_name;
  std::string session_policy;   // JSON, "" = none
  std::string source_identity;  // optional
  SystemTime issued{};
  SystemTime expiration{};
};

struct TokenKey {
  std::string id;   // short printable id, e.g. "k1"; sealed into the token header
  std::string key;  // 32 raw bytes
};

struct TokenKeyRing {
  std::vector<TokenKey> keys;  // any order
  std::string current_id;      // the key new tokens are sealed with
  const TokenKey* find(std::string_view id) const;
};

// Largest token open_session_token() accepts (a 2048-char session policy fits).
inline constexpr size_t kMaxSessionTokenBytes = 8192;

// The token text: printable, URL-safe enough for a query parameter after
// percent-encoding. `nonce` is 12 random bytes.
Result<std::string> seal_session_token(const SessionClaims& claims, const TokenKeyRing& ring, std::string_view nonce);

// Errors: InvalidSecurityToken for anything that is not a token sealed by a
// key of the ring (empty, truncated, oversized, tampered, unknown key id,
// malformed claims). Expiry is not checked here: see check_session().
Result<SessionClaims> open_session_token(std::string_view token, const TokenKeyRing& ring);

// The token is for this access key (InvalidSecurityToken otherwise) and not
// expired at `now` (SecurityTokenExpired).
Status check_session(const SessionClaims& claims, std::string_view access_key_id, SystemTime now);

}  // namespace ossd::auth
