#include "auth/session_token.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/strings.hpp"
#include "crypto/aead.hpp"
#include "crypto/base64.hpp"

// Token layout (version 1):
//
//   text   = "CAIS" base64(header || sealed)          standard alphabet, '=' padded
//   header = version:1 (0x01) || id_length:1 || key_id || nonce:12
//   sealed = AES-256-GCM(ring key `key_id`, nonce, claims_json, aad = header)
//
// "CAIS" is written literally: real Alibaba tokens start with it (they are
// base64 of a protobuf beginning 08 02 12), and some SDK and browser code
// looks at the prefix, so ours do too. It carries no information; the
// version byte does. The header is the AAD, so changing the version or
// swapping the key id for another one of the ring breaks the tag.
//
// claims_json is compact JSON with short names; times are Unix milliseconds
// (sub-millisecond precision is dropped; 1970 to 2200), and "pol"/"src" are
// left out when empty.

namespace ossd::auth {

namespace {

using nlohmann::json;

constexpr std::string_view kTokenPrefix = "CAIS";
constexpr uint8_t kTokenVersion = 1;
constexpr size_t kMaxKeyIdBytes = 64;

Error invalid_token() { return Error(ErrorCode::InvalidSecurityToken, "The security token you provided is invalid."); }

bool is_printable_key_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxKeyIdBytes) return false;
  for (char c : id) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

std::string token_header(std::string_view key_id, std::string_view nonce) {
  std::string header;
  header.reserve(2 + key_id.size() + nonce.size());
  header.push_back(static_cast<char>(kTokenVersion));
  header.push_back(static_cast<char>(key_id.size()));
  header.append(key_id);
  header.append(nonce);
  return header;
}

json claims_to_json(const SessionClaims& claims) {
  json out = {
      {"ak", claims.access_key_id},
      {"sk", claims.access_key_secret},
      {"acct", claims.account_id},
      {"role", claims.role_name},
      {"rid", claims.role_id},
      {"sess", claims.session_name},
      {"iat", to_unix_millis(claims.issued)},
      {"exp", to_unix_millis(claims.expiration)},
  };
  if (!claims.session_policy.empty()) out["pol"] = claims.session_policy;
  if (!claims.source_identity.empty()) out["src"] = claims.source_identity;
  return out;
}

bool read_string(const json& object, const char* name, std::string& out) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return false;
  out = it->get<std::string>();
  return true;
}

bool read_optional_string(const json& object, const char* name, std::string& out) {
  auto it = object.find(name);
  if (it == object.end()) return true;
  if (!it->is_string()) return false;
  out = it->get<std::string>();
  return true;
}

// Times must fit SystemTime (nanoseconds in 64 bits, up to 2262) without
// overflow; the year 2200 is far beyond any session.
constexpr int64_t kMaxUnixMillis = 7'258'118'400'000;

bool read_millis(const json& object, const char* name, SystemTime& out) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_number_integer()) return false;
  if (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(kMaxUnixMillis)) return false;
  const int64_t millis = it->get<int64_t>();
  if (millis < 0 || millis > kMaxUnixMillis) return false;
  out = from_unix_millis(millis);
  return true;
}

std::optional<SessionClaims> claims_from_json(std::string_view text) {
  json object = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!object.is_object()) return std::nullopt;
  SessionClaims claims;
  bool complete = read_string(object, "ak", claims.access_key_id) &&
                  read_string(object, "sk", claims.access_key_secret) &&
                  read_string(object, "acct", claims.account_id) && read_string(object, "role", claims.role_name) &&
                  read_string(object, "rid", claims.role_id) && read_string(object, "sess", claims.session_name) &&
                  read_optional_string(object, "pol", claims.session_policy) &&
                  read_optional_string(object, "src", claims.source_identity) &&
                  read_millis(object, "iat", claims.issued) && read_millis(object, "exp", claims.expiration);
  if (!complete) return std::nullopt;
  return claims;
}

bool claims_are_utf8(const SessionClaims& claims) {
  for (const std::string* text :
       {&claims.access_key_id, &claims.access_key_secret, &claims.account_id, &claims.role_name, &claims.role_id,
        &claims.session_name, &claims.session_policy, &claims.source_identity}) {
    if (!is_valid_utf8(*text)) return false;
  }
  return true;
}

}  // namespace

const TokenKey* TokenKeyRing::find(std::string_view id) const {
  for (const TokenKey& key : keys) {
    if (key.id == id) return &key;
  }
  return nullptr;
}

Result<std::string> seal_session_token(const SessionClaims& claims, const TokenKeyRing& ring, std::string_view nonce) {
  // A bad ring or nonce is the server's configuration or a bug, not the
  // caller's request: InternalError.
  const TokenKey* key = ring.find(ring.current_id);
  if (key == nullptr) return Error(ErrorCode::InternalError, "session token ring has no current key");
  if (!is_printable_key_id(key->id)) return Error(ErrorCode::InternalError, "session token key id is not printable");
  if (key->key.size() != crypto::kAeadKeyBytes)
    return Error(ErrorCode::InternalError, "session token key is not 32 bytes");
  if (nonce.size() != crypto::kAeadNonceBytes)
    return Error(ErrorCode::InternalError, "session token nonce is not 12 bytes");
  // JSON carries UTF-8 only; refusing here beats a token that cannot be opened.
  if (!claims_are_utf8(claims)) return Error(ErrorCode::InvalidArgument, "session claims are not valid UTF-8");
  for (SystemTime time : {claims.issued, claims.expiration}) {
    if (to_unix_millis(time) < 0 || to_unix_millis(time) > kMaxUnixMillis) {
      return Error(ErrorCode::InvalidArgument, "session times must lie between 1970 and 2200");
    }
  }

  const std::string header = token_header(key->id, nonce);
  const std::string sealed = crypto::aes256_gcm_seal(key->key, nonce, claims_to_json(claims).dump(), header);
  std::string token(kTokenPrefix);
  token += crypto::base64_encode(header + sealed);
  if (token.size() > kMaxSessionTokenBytes) {
    return Error(ErrorCode::InvalidArgument, "session claims too large for a security token");
  }
  return token;
}

Result<SessionClaims> open_session_token(std::string_view token, const TokenKeyRing& ring) {
  // The size is checked before any decoding, so a huge header costs nothing.
  if (token.empty() || token.size() > kMaxSessionTokenBytes) return invalid_token();
  if (!token.starts_with(kTokenPrefix)) return invalid_token();
  const std::string_view encoded = token.substr(kTokenPrefix.size());
  std::optional<std::string> raw = crypto::base64_decode(encoded);
  // Only the canonical encoding is a token: the spare bits of the last
  // character before '=' must be zero, so no two texts open to one token.
  if (!raw || crypto::base64_encode(*raw) != encoded) return invalid_token();

  std::string_view rest(*raw);
  if (rest.size() < 2 || static_cast<uint8_t>(rest[0]) != kTokenVersion) return invalid_token();
  const size_t id_length = static_cast<uint8_t>(rest[1]);
  const size_t header_length = 2 + id_length + crypto::kAeadNonceBytes;
  if (id_length == 0 || rest.size() < header_length + crypto::kAeadTagBytes) return invalid_token();

  const std::string_view header = rest.substr(0, header_length);
  const std::string_view key_id = header.substr(2, id_length);
  const std::string_view nonce = header.substr(2 + id_length);
  const TokenKey* key = ring.find(key_id);
  if (key == nullptr) return invalid_token();

  std::optional<std::string> plaintext = crypto::aes256_gcm_open(key->key, nonce, rest.substr(header_length), header);
  if (!plaintext) return invalid_token();
  std::optional<SessionClaims> claims = claims_from_json(*plaintext);
  if (!claims) return invalid_token();
  return std::move(*claims);
}

Status check_session(const SessionClaims& claims, std::string_view access_key_id, SystemTime now) {
  if (claims.access_key_id != access_key_id) return invalid_token();
  if (now >= claims.expiration) {
    return Error(ErrorCode::SecurityTokenExpired, "The security token you provided has expired.");
  }
  return ok_status();
}

}  // namespace ossd::auth
