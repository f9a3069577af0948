#include "auth/post_signature.hpp"

#include "auth/auth_errors.hpp"
#include "auth/authorization_header.hpp"
#include "auth/signed_request.hpp"
#include "auth/v4_signature.hpp"
#include "auth/verifiers.hpp"
#include "core/strings.hpp"
#include "core/time_format.hpp"
#include "crypto/base64.hpp"
#include "crypto/constant_time.hpp"
#include "crypto/hmac.hpp"

namespace ossd::auth {

namespace {

Error missing_field(std::string_view name, std::string_view why) {
  return Error(ErrorCode::InvalidArgument,
               "The form field " + std::string(name) + " is missing or empty: " + std::string(why))
      .with("ArgumentName", std::string(name))
      .with("ArgumentValue", "");
}

// A field that must be present with a value; nullptr otherwise.
const std::string* non_empty(const std::vector<HeaderField>& fields, std::string_view name) {
  const std::string* value = find_header(fields, name);
  return value && !value->empty() ? value : nullptr;
}

Result<PostPolicy> decode_policy(std::string_view policy_base64, SystemTime now) {
  auto text = crypto::base64_decode(policy_base64);
  if (!text) {
    return Error(ErrorCode::InvalidPolicyDocument, "Invalid Policy: the policy field is not valid base64.");
  }
  auto policy = parse_post_policy(*text);
  if (!policy) return std::move(policy).error();
  if (auto fresh = check_post_policy_expiration(*policy, now); !fresh) return std::move(fresh).error();
  return policy;
}

Result<PostAuthentication> authenticate_v1(const std::vector<HeaderField>& fields, const CredentialLookup& credentials,
                                           SystemTime now) {
  constexpr std::string_view why = "a signed form needs OSSAccessKeyId, policy and Signature.";
  const std::string* access_key_id = non_empty(fields, "OSSAccessKeyId");
  if (!access_key_id) return missing_field("OSSAccessKeyId", why);
  const std::string* policy = non_empty(fields, "policy");
  if (!policy) return missing_field("policy", why);
  const std::string* signature = non_empty(fields, "Signature");
  if (!signature) return missing_field("Signature", why);
  const std::string* token = find_header(fields, "x-oss-security-token");

  auto credential = detail::resolve_credential(credentials, *access_key_id, token ? std::string_view(*token) : "", now);
  if (!credential) return std::move(credential).error();
  if (!verify_post_signature_v1(credential->secret, *policy, *signature)) {
    return signature_mismatch(*access_key_id, *signature, *policy, std::nullopt);
  }
  auto decoded = decode_policy(*policy, now);
  if (!decoded) return std::move(decoded).error();
  return PostAuthentication{identity_for(AuthMethod::PostV1, *credential), std::move(decoded.value())};
}

Result<PostAuthentication> authenticate_v4(const std::vector<HeaderField>& fields, const CredentialLookup& credentials,
                                           SystemTime now, const AuthSettings& settings) {
  constexpr std::string_view why =
      "a V4 signed form needs x-oss-signature-version, x-oss-credential, x-oss-date, x-oss-signature and policy.";
  const std::string* version = non_empty(fields, "x-oss-signature-version");
  if (!version) return missing_field("x-oss-signature-version", why);
  if (*version != kV4Algorithm) {
    return invalid_argument("Unsupported signature version: only OSS4-HMAC-SHA256 is accepted.",
                            "x-oss-signature-version", *version);
  }
  const std::string* credential_text = non_empty(fields, "x-oss-credential");
  if (!credential_text) return missing_field("x-oss-credential", why);
  const std::string* date = non_empty(fields, "x-oss-date");
  if (!date) return missing_field("x-oss-date", why);
  const std::string* signature = non_empty(fields, "x-oss-signature");
  if (!signature) return missing_field("x-oss-signature", why);
  const std::string* policy = non_empty(fields, "policy");
  if (!policy) return missing_field("policy", why);

  auto scope = parse_v4_credential(*credential_text, "x-oss-credential");
  if (!scope) return std::move(scope).error();
  if (!parse_iso8601_basic(*date)) {
    return invalid_argument("x-oss-date must be an ISO 8601 basic UTC time such as 20240520T083000Z.", "x-oss-date",
                            *date);
  }
  const std::string region = v4_region(settings.region);
  if (scope->product != kV4Product || scope->terminator != kV4Terminator || scope->region != region ||
      scope->date != std::string_view(*date).substr(0, 8)) {
    return invalid_argument(
        "Invalid credential: it must be <AccessKeyId>/<day of x-oss-date>/" + region + "/oss/aliyun_v4_request.",
        "x-oss-credential", *credential_text);
  }
  const std::string* token = find_header(fields, "x-oss-security-token");
  auto credential =
      detail::resolve_credential(credentials, scope->access_key_id, token ? std::string_view(*token) : "", now);
  if (!credential) return std::move(credential).error();
  if (!verify_post_signature_v4(credential->secret, scope->date, scope->region, *policy, *signature)) {
    return signature_mismatch(scope->access_key_id, *signature, *policy, std::nullopt);
  }
  auto decoded = decode_policy(*policy, now);
  if (!decoded) return std::move(decoded).error();
  return PostAuthentication{identity_for(AuthMethod::PostV4, *credential), std::move(decoded.value())};
}

}  // namespace

std::string post_signature_v1(std::string_view secret, std::string_view policy_base64) {
  return crypto::base64_encode(crypto::hmac_sha1(secret, policy_base64));
}

std::string post_signature_v4(std::string_view secret, std::string_view yyyymmdd, std::string_view region,
                              std::string_view policy_base64) {
  return v4_signature(v4_signing_key(secret, yyyymmdd, region), policy_base64);
}

bool verify_post_signature_v1(std::string_view secret, std::string_view policy_base64, std::string_view provided) {
  return crypto::constant_time_equal(provided, post_signature_v1(secret, policy_base64));
}

bool verify_post_signature_v4(std::string_view secret, std::string_view yyyymmdd, std::string_view region,
                              std::string_view policy_base64, std::string_view provided) {
  return crypto::constant_time_equal(to_lower(provided), post_signature_v4(secret, yyyymmdd, region, policy_base64));
}

Result<PostAuthentication> authenticate_post(const std::vector<HeaderField>& fields,
                                             const CredentialLookup& credentials, SystemTime now,
                                             const AuthSettings& settings) {
  const bool v4 = find_header(fields, "x-oss-signature-version") || find_header(fields, "x-oss-signature") ||
                  find_header(fields, "x-oss-credential");
  const bool v1 = find_header(fields, "OSSAccessKeyId") || find_header(fields, "Signature");
  if (v1 && v4) {
    return Error(ErrorCode::InvalidArgument,
                 "A form is signed either with OSSAccessKeyId and Signature (V1) or with the x-oss-signature-version "
                 "fields (V4), not both.");
  }
  if (v4) return authenticate_v4(fields, credentials, now, settings);
  if (v1) return authenticate_v1(fields, credentials, now);
  if (find_header(fields, "policy")) {
    return missing_field("OSSAccessKeyId", "a form with a policy must be signed (OSSAccessKeyId and Signature).");
  }
  return PostAuthentication{Identity{}, std::nullopt};
}

}  // namespace ossd::auth
