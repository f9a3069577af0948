#pragma once
// Authentication of a PostObject form (spec §5): the signature is over the
// base64 policy text itself, V1 with HMAC-SHA1 and the secret, V4 with
// HMAC-SHA256 and the V4 signing key of the credential's day and region.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/authenticate.hpp"
#include "auth/post_policy.hpp"
#include "core/header_field.hpp"

namespace ossd::auth {

// Base64(HMAC-SHA1(secret, policy_base64)), what calculatePostSignature sends.
std::string post_signature_v1(std::string_view secret, std::string_view policy_base64);

// Lower-case hex HMAC-SHA256(v4_signing_key(secret, day, region), policy_base64),
// what signPostObjectPolicyV4 returns; region without "oss-".
std::string post_signature_v4(std::string_view secret, std::string_view yyyymmdd, std::string_view region,
                              std::string_view policy_base64);

// Constant-time comparisons of a provided signature with the expected one
// (V4 hex compared case-insensitively).
bool verify_post_signature_v1(std::string_view secret, std::string_view policy_base64, std::string_view provided);
bool verify_post_signature_v4(std::string_view secret, std::string_view yyyymmdd, std::string_view region,
                              std::string_view policy_base64, std::string_view provided);

struct PostAuthentication {
  Identity identity;                 // anonymous when the form carries no signature
  std::optional<PostPolicy> policy;  // set for signed forms; its conditions are the caller's to check
};

// Authenticates a form from its text fields (names as sent, compared
// case-insensitively). No OSSAccessKeyId, Signature, policy or V4 field at
// all: anonymous. V1 needs OSSAccessKeyId, policy and Signature; V4 needs
// x-oss-signature-version=OSS4-HMAC-SHA256, x-oss-credential, x-oss-date,
// x-oss-signature and policy. x-oss-security-token goes to the credential
// lookup. Errors:
//   InvalidArgument        a required field is missing or empty, V1 and V4 fields
//                          mixed, an unknown signature version, a bad credential
//                          scope (product, terminator, region, or a day other
//                          than x-oss-date's)
//   InvalidAccessKeyId     the lookup does not know the key
//   SignatureDoesNotMatch  the signature is wrong (StringToSign = the policy)
//   InvalidPolicyDocument  the policy is not base64 of a valid policy
//   AccessDenied           the policy has expired
Result<PostAuthentication> authenticate_post(const std::vector<HeaderField>& fields,
                                             const CredentialLookup& credentials, SystemTime now,
                                             const AuthSettings& settings);

}  // namespace ossd::auth
