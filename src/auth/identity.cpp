#include "auth/identity.hpp"

namespace ossd::auth {

std::string_view to_string(AuthMethod method) {
  switch (method) {
    case AuthMethod::Anonymous: return "anonymous";
    case AuthMethod::V1Header: return "v1-header";
    case AuthMethod::V1Query: return "v1-query";
    case AuthMethod::V4Header: return "v4-header";
    case AuthMethod::V4Query: return "v4-query";
    case AuthMethod::PostV1: return "post-v1";
    case AuthMethod::PostV4: return "post-v4";
  }
  return "unknown";
}

Identity identity_for(AuthMethod method, const Credential& credential) {
  Identity identity;
  identity.method = method;
  identity.access_key_id = credential.access_key_id;
  identity.account_id = credential.account_id;
  identity.principal = credential.principal;
  identity.kind = credential.kind;
  identity.principal_id = credential.principal_id;
  identity.session_name = credential.session_name;
  identity.session_policy = credential.session_policy;
  return identity;
}

}  // namespace ossd::auth
