#pragma once
// The keyed MACs of one access key secret, made on first use and kept with
// the credential that holds the secret (auth::Credential::signing_keys), so a
// verification restarts a keyed context instead of keying HMAC again (and,
// for V4, deriving the signing key again). They live exactly as long as the
// cached credential: when the credential cache forgets a key (disabled,
// deleted, another gateway's write seen by the generation poll) its MACs go
// with it. Thread-safe.
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/keyed_mac.hpp"

namespace ossd::auth {

struct Credential;

class SigningKeys {
 public:
  // V4 signing keys kept per secret: one per (day, region), the newest few;
  // a server signs for one region, and requests straddle at most two days.
  static constexpr size_t kV4Scopes = 4;

  explicit SigningKeys(std::string secret) : secret_(std::move(secret)) {}

  // HMAC-SHA1 keyed with the secret: OSS V1 header and URL signatures.
  const crypto::KeyedMac& v1() const;
  // HMAC-SHA1 keyed with secret + "&": RPC signature 1.0 (STS/RAM).
  const crypto::KeyedMac& rpc_v1() const;
  // HMAC-SHA256 keyed with the secret: ACS3-HMAC-SHA256.
  const crypto::KeyedMac& acs3() const;
  // HMAC-SHA256 keyed with the V4 signing key of that day and region.
  std::shared_ptr<const crypto::KeyedMac> v4(std::string_view yyyymmdd, std::string_view region) const;

 private:
  std::string secret_;
  mutable std::once_flag v1_once_, rpc_v1_once_, acs3_once_;
  mutable std::unique_ptr<const crypto::KeyedMac> v1_, rpc_v1_, acs3_;
  mutable std::mutex v4_mutex_;
  mutable std::vector<std::pair<std::string, std::shared_ptr<const crypto::KeyedMac>>> v4_;  // oldest first
};

// The credential's own SigningKeys, or, for one that carries none (temporary
// keys, whose secret comes from the token of each request), new ones for this
// request.
std::shared_ptr<const SigningKeys> signing_keys_of(const Credential& credential);

// The signatures of v1_signature.hpp, rpc_signature.hpp and v4_signature.hpp,
// computed with the kept keyed MACs (same results).
std::string v1_signature(const SigningKeys& keys, std::string_view string_to_sign);
std::string rpc_signature(const SigningKeys& keys, std::string_view string_to_sign);
std::string acs3_signature(const SigningKeys& keys, std::string_view string_to_sign);
std::string v4_signature(const SigningKeys& keys, std::string_view yyyymmdd, std::string_view region,
                         std::string_view string_to_sign);

}  // namespace ossd::auth
