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

}  // namespace ossd::auth
