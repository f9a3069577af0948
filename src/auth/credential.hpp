#pragma once
// Who may sign requests: an access key and its secret, and the principal it
// acts as. Where credentials live (config, identity store, STS tokens) is
// behind CredentialLookup.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace ossd::auth {

class SigningKeys;

// Account: the root account's own key. RamUser: a RAM user's long-term key.
// AssumedRole: a temporary key from STS AssumeRole (id "STS.…").
enum class PrincipalKind { Account, RamUser, AssumedRole };

struct Credential {
  std::string access_key_id;
  std::string secret;
  std::string account_id;
  std::string principal;  // "root", the RAM user name, or the role name
  PrincipalKind kind = PrincipalKind::Account;
  std::string principal_id;    // RAM user id / role id ("" for the account)
  std::string session_name;    // AssumedRole: RoleSessionName
  std::string session_policy;  // AssumedRole: the AssumeRole Policy JSON ("" = none)
  SystemTime expiration{};     // AssumedRole: when the token stops working
  // Keyed MACs of `secret`, kept by a credential cache with the credential
  // (signing_keys.hpp); null: the verifier keys a MAC for this request only.
  std::shared_ptr<const SigningKeys> signing_keys;
};

class CredentialLookup {
 public:
  virtual ~CredentialLookup() = default;
  // A long-term key. nullopt when the id is unknown, disabled or deleted.
  virtual std::optional<Credential> find(std::string_view access_key_id) const = 0;
  // A temporary ("STS.") key, from the sealed `security_token` the request
  // presented. Errors: InvalidSecurityToken (missing, not authentic, sealed
  // for another key, role deleted), SecurityTokenExpired (past expiration).
  // The default knows no temporary keys: InvalidAccessKeyId.
  virtual Result<Credential> find_temporary(std::string_view access_key_id, std::string_view security_token,
                                            SystemTime now) const;
};

// Temporary access key ids start with this prefix, as on Alibaba Cloud.
inline constexpr std::string_view kTemporaryKeyPrefix = "STS.";

}  // namespace ossd::auth
