// Verification of V1 signatures: Authorization "OSS id:sig" (spec §1) and
// OSSAccessKeyId/Expires/Signature signed URLs (spec §2).
#include <cstdint>

#include "auth/auth_errors.hpp"
#include "auth/authorization_header.hpp"
#include "auth/signing_keys.hpp"
#include "auth/v1_signature.hpp"
#include "auth/verifiers.hpp"
#include "core/time_format.hpp"
#include "crypto/constant_time.hpp"

namespace ossd::auth::detail {

Result<Identity> verify_v1_header(const SignedRequest& request, std::string_view authorization,
                                  const CredentialLookup& credentials, SystemTime now, const AuthSettings& settings) {
  auto parsed = parse_v1_authorization(authorization);
  if (!parsed.ok()) return std::move(parsed).error();

  const auto& headers = request.header_fields();
  std::string_view date_line = v1_date_line(headers);
  auto request_time = parse_http_date(date_line);
  if (date_line.empty() || !request_time) {
    return Error(ErrorCode::AccessDenied,
                 "OSS authentication requires a valid Date or x-oss-date header (RFC 1123, e.g. "
                 "\"Mon, 20 May 2024 08:30:00 GMT\").");
  }

  const std::string* token = find_header(headers, "x-oss-security-token");
  auto credential = resolve_credential(credentials, parsed->access_key_id, token ? trim(*token) : "", now);
  if (!credential.ok()) return std::move(credential).error();

  if (auto skew = check_skew(*request_time, date_line, now, settings.max_skew); !skew.ok()) {
    return std::move(skew).error();
  }

  std::string string_to_sign = v1_request_string_to_sign(request, date_line);
  std::string expected = v1_signature(*signing_keys_of(*credential), string_to_sign);
  if (!crypto::constant_time_equal(parsed->signature, expected)) {
    return signature_mismatch(parsed->access_key_id, parsed->signature, string_to_sign, std::nullopt);
  }
  return identity_for(AuthMethod::V1Header, *credential);
}

Result<Identity> verify_v1_query(const SignedRequest& request, const CredentialLookup& credentials, SystemTime now) {
  const auto& query = request.query_params();
  auto access_key_param = single_query_param(query, "OSSAccessKeyId");
  if (!access_key_param.ok()) return std::move(access_key_param).error();
  auto expires_param = single_query_param(query, "Expires");
  if (!expires_param.ok()) return std::move(expires_param).error();
  auto signature_param = single_query_param(query, "Signature");
  if (!signature_param.ok()) return std::move(signature_param).error();

  const QueryParam* access_key = *access_key_param;
  const QueryParam* expires = *expires_param;
  const QueryParam* signature = *signature_param;
  if (!access_key || !expires || !signature || access_key->value.empty() || signature->value.empty()) {
    return Error(ErrorCode::AccessDenied,
                 "Query-string authentication requires the OSSAccessKeyId, Expires and Signature parameters.");
  }
  auto expires_at = parse_uint64(expires->value);
  if (!expires_at || *expires_at > static_cast<uint64_t>(INT64_MAX)) {
    return invalid_argument("Expires must be a time in seconds since the Unix epoch.", "Expires", expires->value);
  }

  const QueryParam* token = find_query_param(query, "security-token");
  auto credential =
      resolve_credential(credentials, access_key->value, token ? std::string_view(token->value) : "", now);
  if (!credential.ok()) return std::move(credential).error();

  // Valid through the Expires second itself.
  if (to_unix_seconds(now) > static_cast<int64_t>(*expires_at)) {
    return request_expired(from_unix_seconds(static_cast<int64_t>(*expires_at)), now);
  }

  // The client signed the Expires text it put in the URL; any Date or
  // x-oss-date header is not part of a URL signature.
  std::string string_to_sign = v1_request_string_to_sign(request, expires->value);
  std::string expected = v1_signature(*signing_keys_of(*credential), string_to_sign);
  if (!crypto::constant_time_equal(signature->value, expected)) {
    return signature_mismatch(access_key->value, signature->value, string_to_sign, std::nullopt);
  }
  return identity_for(AuthMethod::V1Query, *credential);
}

}  // namespace ossd::auth::detail
