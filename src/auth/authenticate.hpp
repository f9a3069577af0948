#pragma once
// Authentication: which signature scheme a request uses, and whether its
// signature, key and time window are valid. Pure: the clock reading and
// the credential source are parameters (DESIGN rule 1).
#include <chrono>
#include <string>

#include "auth/credential.hpp"
#include "auth/identity.hpp"
#include "auth/signed_request.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace ossd::auth {

struct AuthSettings {
  std::string region = "oss-cn-hangzhou";            // V4 scopes must name it without "oss-"
  std::chrono::seconds max_skew{900};                // header-signed requests, and V4 URL dates
  std::chrono::seconds max_v4_url_lifetime{604800};  // largest x-oss-expires accepted
};

// Anonymous when the request carries no signature at all. Errors
// (InvalidArgument) for an unknown Authorization scheme, several
// Authorization headers, or a header signature mixed with a signed URL.
Result<AuthMethod> detect_auth_method(const SignedRequest& request);

// Detects the scheme and verifies it. Errors, as in spec §8:
//   InvalidArgument       malformed Authorization / credential / auth query values,
//                         V4 scope for another region or day, x-oss-expires too large
//   AccessDenied          missing or unparseable request date, incomplete signed-URL
//                         parameters, expired (or not yet valid) signed URL
//   InvalidAccessKeyId    the lookup does not know the key
//   RequestTimeTooSkewed  header signature dated more than max_skew from now
//   SignatureDoesNotMatch the signature is wrong
// Success for an unsigned request is the anonymous Identity; whether it may
// do anything is authorization's business.
Result<Identity> authenticate(const SignedRequest& request, const CredentialLookup& credentials, SystemTime now,
                              const AuthSettings& settings);

}  // namespace ossd::auth
