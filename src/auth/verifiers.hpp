#pragma once
// The four verifiers behind authenticate() and what they share. Internal to
// src/auth; callers use authenticate().
#include <string_view>

#include "auth/authenticate.hpp"
#include "auth/credential.hpp"
#include "auth/identity.hpp"
#include "auth/signed_request.hpp"

namespace ossd::auth::detail {

Result<Identity> verify_v1_header(const SignedRequest& request, std::string_view authorization,
                                  const CredentialLookup& credentials, SystemTime now, const AuthSettings& settings);
Result<Identity> verify_v1_query(const SignedRequest& request, const CredentialLookup& credentials, SystemTime now);
Result<Identity> verify_v4_header(const SignedRequest& request, std::string_view authorization,
                                  const CredentialLookup& credentials, SystemTime now, const AuthSettings& settings);
Result<Identity> verify_v4_query(const SignedRequest& request, const CredentialLookup& credentials, SystemTime now,
                                 const AuthSettings& settings);

// The secret behind an access key id. `security_token` is the token the
// request presented (empty if none); temporary ("STS.") ids are resolved
// from it, checked against `now`.
Result<Credential> resolve_credential(const CredentialLookup& credentials, std::string_view access_key_id,
                                      std::string_view security_token, SystemTime now);

// |request_time - now| <= max_skew, else RequestTimeTooSkewed.
Status check_skew(SystemTime request_time, std::string_view request_time_text, SystemTime now,
                  std::chrono::seconds max_skew);

// The single value of a query parameter that must appear at most once:
// nullptr if absent, InvalidArgument if repeated.
Result<const QueryParam*> single_query_param(const std::vector<QueryParam>& query, std::string_view name);

}  // namespace ossd::auth::detail
