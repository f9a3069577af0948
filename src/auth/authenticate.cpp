#include "auth/authenticate.hpp"

#include "auth/auth_errors.hpp"
#include "auth/authorization_header.hpp"
#include "auth/verifiers.hpp"

namespace ossd::auth {

namespace {

bool has_v1_query_auth(const std::vector<QueryParam>& query) {
  return find_query_param(query, "OSSAccessKeyId") || find_query_param(query, "Signature") ||
         find_query_param(query, "Expires");
}

bool has_v4_query_auth(const std::vector<QueryParam>& query) {
  return find_query_param(query, "x-oss-signature-version") || find_query_param(query, "x-oss-signature") ||
         find_query_param(query, "x-oss-credential");
}

}  // namespace

Result<AuthMethod> detect_auth_method(const SignedRequest& request) {
  const auto& query = request.query_params();
  const std::string* authorization = nullptr;
  for (const auto& field : request.header_fields()) {
    if (!iequals(field.name, "Authorization")) continue;
    if (authorization != nullptr) {
      return invalid_argument("Only one Authorization header is allowed.", "Authorization", field.value);
    }
    authorization = &field.value;
  }

  bool v1_query = has_v1_query_auth(query);
  bool v4_query = has_v4_query_auth(query);
  if ((authorization != nullptr && (v1_query || v4_query)) || (v1_query && v4_query)) {
    return Error(ErrorCode::InvalidArgument,
                 "Only one authentication method may be used per request: an Authorization header, "
                 "OSSAccessKeyId/Expires/Signature query parameters, or x-oss-signature-version query parameters.");
  }

  if (authorization != nullptr) {
    std::string_view value = trim(*authorization);
    if (is_v4_authorization(value)) return AuthMethod::V4Header;
    if (is_v1_authorization(value)) return AuthMethod::V1Header;
    return invalid_argument(
        "Authorization header is invalid: the supported schemes are \"OSS <AccessKeyId>:<Signature>\" and "
        "\"OSS4-HMAC-SHA256 Credential=...,Signature=...\".",
        "Authorization", *authorization);
  }
  if (v4_query) return AuthMethod::V4Query;
  if (v1_query) return AuthMethod::V1Query;
  return AuthMethod::Anonymous;
}

Result<Identity> authenticate(const SignedRequest& request, const CredentialLookup& credentials, SystemTime now,
                              const AuthSettings& settings) {
  auto method = detect_auth_method(request);
  if (!method.ok()) return std::move(method).error();

  switch (*method) {
    case AuthMethod::Anonymous: return Identity{};
    case AuthMethod::V1Header:
      return detail::verify_v1_header(request, trim(*find_header(request.header_fields(), "Authorization")),
                                      credentials, now, settings);
    case AuthMethod::V1Query: return detail::verify_v1_query(request, credentials, now);
    case AuthMethod::V4Header:
      return detail::verify_v4_header(request, trim(*find_header(request.header_fields(), "Authorization")),
                                      credentials, now, settings);
    case AuthMethod::V4Query: return detail::verify_v4_query(request, credentials, now, settings);
    case AuthMethod::PostV1:
    case AuthMethod::PostV4: break;  // never detected from a request head: forms go through authenticate_post
  }
  return Error(ErrorCode::InternalError, "unhandled authentication method");
}

namespace detail {

Result<Credential> resolve_credential(const CredentialLookup& credentials, std::string_view access_key_id,
                                      std::string_view security_token, SystemTime now) {
  if (access_key_id.starts_with(kTemporaryKeyPrefix)) {
    return credentials.find_temporary(access_key_id, security_token, now);
  }
  // A long-term key needs no token; OSS ignores one sent alongside it.
  if (auto credential = credentials.find(access_key_id)) return std::move(*credential);
  return unknown_access_key(access_key_id);
}

Status check_skew(SystemTime request_time, std::string_view request_time_text, SystemTime now,
                  std::chrono::seconds max_skew) {
  auto difference = request_time > now ? request_time - now : now - request_time;
  if (difference > max_skew) return time_too_skewed(request_time_text, now, max_skew);
  return ok_status();
}

Result<const QueryParam*> single_query_param(const std::vector<QueryParam>& query, std::string_view name) {
  const QueryParam* found = nullptr;
  for (const auto& param : query) {
    if (param.name != name) continue;
    if (found != nullptr) {
      return invalid_argument("The query parameter " + std::string(name) + " must appear only once.", name,
                              param.value);
    }
    found = &param;
  }
  return found;
}

}  // namespace detail

Result<Credential> CredentialLookup::find_temporary(std::string_view access_key_id, std::string_view,
                                                    SystemTime) const {
  return unknown_access_key(access_key_id);
}

}  // namespace ossd::auth
