#pragma once
// The outcome of authentication: who signed the request, and how.
#include <string>
#include <string_view>

#include "auth/credential.hpp"

namespace ossd::auth {

// PostV1 / PostV4: a PostObject form signed over its policy (post_signature.hpp).
enum class AuthMethod { Anonymous, V1Header, V1Query, V4Header, V4Query, PostV1, PostV4 };

std::string_view to_string(AuthMethod method);

struct Identity {
  AuthMethod method = AuthMethod::Anonymous;
  std::string access_key_id;
  std::string account_id;
  std::string principal;  // "root", RAM user name or role name
  PrincipalKind kind = PrincipalKind::Account;
  std::string principal_id;    // RAM user id / role id
  std::string session_name;    // AssumedRole
  std::string session_policy;  // AssumedRole: session policy JSON ("" = none)

  bool anonymous() const { return method == AuthMethod::Anonymous; }
};

// Who a verified signature by `credential` is.
Identity identity_for(AuthMethod method, const Credential& credential);

}  // namespace ossd::auth
