#pragma once
// A fixed set of credentials, for tests: long-term keys, and temporary keys
// that are valid only with the exact security token they were added with.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "auth/auth_errors.hpp"
#include "auth/credential.hpp"
#include "auth/signing_keys.hpp"
#include "crypto/constant_time.hpp"

namespace ossd::auth {

class InMemoryCredentials final : public CredentialLookup {
 public:
  InMemoryCredentials() = default;
  explicit InMemoryCredentials(std::vector<Credential> credentials) {
    for (auto& credential : credentials) add(std::move(credential));
  }

  void add(Credential credential) {
    // Kept with their keyed MACs, as CredentialStore keeps cached keys.
    if (!credential.signing_keys) credential.signing_keys = std::make_shared<const SigningKeys>(credential.secret);
    std::string id = credential.access_key_id;
    by_id_.insert_or_assign(std::move(id), std::move(credential));
  }

  void add_temporary(Credential credential, std::string security_token) {
    std::string id = credential.access_key_id;
    temporary_.insert_or_assign(std::move(id), Temporary{std::move(credential), std::move(security_token)});
  }

  std::optional<Credential> find(std::string_view access_key_id) const override {
    auto it = by_id_.find(access_key_id);
    if (it == by_id_.end()) return std::nullopt;
    return it->second;
  }

  Result<Credential> find_temporary(std::string_view access_key_id, std::string_view security_token,
                                    SystemTime) const override {
    auto it = temporary_.find(access_key_id);
    if (it == temporary_.end()) return unknown_access_key(access_key_id);
    if (!crypto::constant_time_equal(it->second.token, security_token)) {
      return Error(ErrorCode::InvalidSecurityToken, "The security token you provided is invalid.");
    }
    return it->second.credential;
  }

 private:
  struct Temporary {
    Credential credential;
    std::string token;
  };
  std::map<std::string, Credential, std::less<>> by_id_;
  std::map<std::string, Temporary, std::less<>> temporary_;
};

}  // namespace ossd::auth
