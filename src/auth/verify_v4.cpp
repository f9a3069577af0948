// Verification of V4 signatures: Authorization "OSS4-HMAC-SHA256 ..." and
// x-oss-signature-version=OSS4-HMAC-SHA256 signed URLs (spec §3).
#include <algorithm>

#include "auth/auth_errors.hpp"
#include "auth/authorization_header.hpp"
#include "auth/signing_keys.hpp"
#include "auth/v4_signature.hpp"
#include "auth/verifiers.hpp"
#include "core/strings.hpp"
#include "core/time_format.hpp"
#include "crypto/constant_time.hpp"

namespace ossd::auth::detail {

namespace {

// The scope must be this server's region and the day of the signed
// timestamp; a key derived for another day or region can never match, so
// saying why is more useful than a bare signature mismatch.
Status check_scope(const V4Credential& credential, std::string_view timestamp, const AuthSettings& settings,
                   std::string_view argument_name, std::string_view argument_value) {
  if (credential.product != kV4Product) {
    return invalid_argument("Invalid credential: the product must be \"oss\", not \"" + credential.product + "\".",
                            argument_name, argument_value);
  }
  if (credential.terminator != kV4Terminator) {
    return invalid_argument("Invalid credential: it must end with \"aliyun_v4_request\".", argument_name,
                            argument_value);
  }
  if (credential.date != timestamp.substr(0, 8)) {
    return invalid_argument("Invalid credential date \"" + credential.date + "\": it must be the date of x-oss-date (" +
                                std::string(timestamp) + ").",
                            argument_name, argument_value);
  }
  std::string region = v4_region(settings.region);
  if (credential.region != region) {
    return invalid_argument(
        "Invalid credential region \"" + credential.region + "\": this server signs for \"" + region + "\".",
        argument_name, argument_value);
  }
  return ok_status();
}

bool has_empty_value(const std::vector<QueryParam>& query) {
  return std::any_of(query.begin(), query.end(),
                     [](const QueryParam& p) { return p.value.empty() && p.name != "x-oss-signature"; });
}

// Recomputes the signature and compares it with the one provided.
Result<Identity> check_signature(AuthMethod method, const SignedRequest& request, std::string_view timestamp,
                                 const V4Credential& scope, std::string_view additional_list,
                                 const Credential& credential, std::string_view provided) {
  std::vector<std::string> additional = v4_split_additional_headers(additional_list);
  // The keyed MAC of this day's signing key, kept with the credential.
  std::shared_ptr<const crypto::KeyedMac> signing_mac = signing_keys_of(credential)->v4(scope.date, scope.region);
  std::string scope_text = v4_scope(scope.date, scope.region);
  std::string provided_lower = to_lower(provided);

  auto attempt = [&](EmptyQueryValue style, std::string& canonical_request, std::string& string_to_sign) {
    canonical_request = v4_canonical_request(request.method, request.bucket, request.key, request.query_params(),
                                             request.header_fields(), additional, style);
    string_to_sign = v4_string_to_sign(timestamp, scope_text, canonical_request);
    return crypto::constant_time_equal(provided_lower, hex_lower(signing_mac->mac(string_to_sign)));
  };

  std::string canonical_request, string_to_sign;
  if (attempt(EmptyQueryValue::NameOnly, canonical_request, string_to_sign)) {
    return identity_for(method, credential);
  }
  if (has_empty_value(request.query_params())) {
    std::string alternative_request, alternative_string;
    if (attempt(EmptyQueryValue::NameEquals, alternative_request, alternative_string)) {
      return identity_for(method, credential);
    }
  }
  return signature_mismatch(scope.access_key_id, provided, string_to_sign, canonical_request);
}

}  // namespace

Result<Identity> verify_v4_header(const SignedRequest& request, std::string_view authorization,
                                  const CredentialLookup& credentials, SystemTime now, const AuthSettings& settings) {
  auto parsed = parse_v4_authorization(authorization);
  if (!parsed.ok()) return std::move(parsed).error();

  const auto& headers = request.header_fields();
  const std::string* date_header = find_header(headers, "x-oss-date");
  std::string_view timestamp = date_header ? trim(*date_header) : std::string_view{};
  auto request_time = parse_iso8601_basic(timestamp);
  if (!request_time) {
    return Error(ErrorCode::AccessDenied,
                 "OSS V4 authentication requires a valid x-oss-date header (ISO 8601 basic format, e.g. "
                 "\"20240520T083000Z\").");
  }
  if (auto scope = check_scope(parsed->credential, timestamp, settings, "Authorization", authorization); !scope.ok()) {
    return std::move(scope).error();
  }

  const std::string* token = find_header(headers, "x-oss-security-token");
  auto credential = resolve_credential(credentials, parsed->credential.access_key_id, token ? trim(*token) : "", now);
  if (!credential.ok()) return std::move(credential).error();

  if (auto skew = check_skew(*request_time, timestamp, now, settings.max_skew); !skew.ok()) {
    return std::move(skew).error();
  }
  return check_signature(AuthMethod::V4Header, request, timestamp, parsed->credential, parsed->additional_headers,
                         *credential, parsed->signature);
}

Result<Identity> verify_v4_query(const SignedRequest& request, const CredentialLookup& credentials, SystemTime now,
                                 const AuthSettings& settings) {
  const auto& query = request.query_params();
  const QueryParam* params[6] = {};
  constexpr std::string_view names[6] = {"x-oss-signature-version", "x-oss-credential", "x-oss-date",
                                         "x-oss-expires",           "x-oss-signature",  "x-oss-additional-headers"};
  for (int i = 0; i < 6; ++i) {
    auto param = single_query_param(query, names[i]);
    if (!param.ok()) return std::move(param).error();
    params[i] = *param;
  }
  const auto& [version, credential_param, date, expires, signature, additional] = params;
  for (int i = 0; i < 5; ++i) {
    if (params[i] == nullptr || params[i]->value.empty()) {
      return Error(ErrorCode::AccessDenied,
                   "V4 query-string authentication requires the x-oss-signature-version, x-oss-credential, "
                   "x-oss-date, x-oss-expires and x-oss-signature parameters.");
    }
  }
  if (version->value != kV4Algorithm) {
    return invalid_argument("Unsupported signature version: only OSS4-HMAC-SHA256 is accepted.",
                            "x-oss-signature-version", version->value);
  }

  auto scope = parse_v4_credential(credential_param->value, "x-oss-credential");
  if (!scope.ok()) return std::move(scope).error();
  auto request_time = parse_iso8601_basic(date->value);
  if (!request_time) {
    return invalid_argument("x-oss-date must be an ISO 8601 basic UTC time such as 20240520T083000Z.", "x-oss-date",
                            date->value);
  }
  if (auto checked = check_scope(*scope, date->value, settings, "x-oss-credential", credential_param->value);
      !checked.ok()) {
    return std::move(checked).error();
  }
  auto lifetime = parse_uint64(expires->value);
  if (!lifetime) {
    return invalid_argument("x-oss-expires must be a number of seconds.", "x-oss-expires", expires->value);
  }
  if (*lifetime > static_cast<uint64_t>(settings.max_v4_url_lifetime.count())) {
    return invalid_argument(
        "x-oss-expires must be at most " + std::to_string(settings.max_v4_url_lifetime.count()) + " seconds.",
        "x-oss-expires", expires->value);
  }

  const QueryParam* token = find_query_param(query, "x-oss-security-token");
  auto credential =
      resolve_credential(credentials, scope->access_key_id, token ? std::string_view(token->value) : "", now);
  if (!credential.ok()) return std::move(credential).error();

  // A URL dated in the future by more than the allowed clock skew was not
  // signed by a correctly-running clock; refusing it keeps a URL from
  // living longer than its x-oss-expires says.
  if (*request_time > now + settings.max_skew) {
    return Error(ErrorCode::AccessDenied, "Request is not yet valid: x-oss-date is in the future.")
        .with("RequestTime", date->value)
        .with("ServerTime", format_iso8601_ms(now));
  }
  SystemTime expires_at = *request_time + std::chrono::seconds(static_cast<int64_t>(*lifetime));
  if (now > expires_at) return request_expired(expires_at, now);

  return check_signature(AuthMethod::V4Query, request, date->value, *scope,
                         additional ? std::string_view(additional->value) : std::string_view{}, *credential,
                         signature->value);
}

}  // namespace ossd::auth::detail
