#pragma once
// Who may sign requests: an access key and its secret, and the account and
// principal it acts as. Where credentials live (config, database, STS
// tokens) is behind CredentialLookup.
#include <optional>
#include <string>
#include <string_view>

namespace ossd::auth {

struct Credential {
  std::string access_key_id;
  std::string secret;
  std::string account_id;
  std::string principal;  // e.g. "root", or a RAM user name
};

class CredentialLookup {
 public:
  virtual ~CredentialLookup() = default;
  // nullopt when the id is unknown or disabled.
  virtual std::optional<Credential> find(std::string_view access_key_id) const = 0;
};

}  // namespace ossd::auth
