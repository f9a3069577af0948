#pragma once
// A fixed set of credentials: the root key from configuration, and tests.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "auth/credential.hpp"

namespace ossd::auth {

class InMemoryCredentials final : public CredentialLookup {
 public:
  InMemoryCredentials() = default;
  explicit InMemoryCredentials(std::vector<Credential> credentials) {
    for (auto& credential : credentials) add(std::move(credential));
  }

  void add(Credential credential) {
    std::string id = credential.access_key_id;
    by_id_.insert_or_assign(std::move(id), std::move(credential));
  }

  std::optional<Credential> find(std::string_view access_key_id) const override {
    auto it = by_id_.find(access_key_id);
    if (it == by_id_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::map<std::string, Credential, std::less<>> by_id_;
};

}  // namespace ossd::auth
