#include "api/rpc_request.hpp"

#include "auth/signing_keys.hpp"
#include "core/strings.hpp"
#include "core/time_format.hpp"
#include "crypto/constant_time.hpp"
#include "crypto/hash.hpp"
#include "iam/rpc_error.hpp"

namespace ossd::api {
namespace {

using iam::rpc_error;

const std::string* find_header(const std::vector<HeaderField>& headers, std::string_view name) {
  for (const auto& header : headers) {
    if (iequals(header.name, name)) return &header.value;
  }
  return nullptr;
}

bool is_form(std::string_view content_type) {
  return istarts_with(trim(content_type), "application/x-www-form-urlencoded");
}

// Form decoding: '+' is a space, then %XX escapes.
Result<auth::RpcParams> decode_form(std::string_view raw) {
  std::string spaced(raw);
  for (char& c : spaced) {
    if (c == '+') c = ' ';
  }
  // parse_query keeps '+' as is; spaces survive decoding unchanged.
  auto parsed = parse_query(spaced);
  if (!parsed) {
    return iam::invalid_parameter("InvalidParameter", "The request parameters are not well-formed percent-encoding.");
  }
  auth::RpcParams out;
  out.reserve(parsed->size());
  for (auto& param : *parsed) out.emplace_back(std::move(param.name), std::move(param.value));
  return out;
}

Error incomplete_signature(std::string message) {
  return rpc_error(ErrorCode::InvalidArgument, "IncompleteSignature", std::move(message));
}

Error token_error(Error error) {
  switch (error.code) {
    case ErrorCode::SecurityTokenExpired:
      return rpc_error(ErrorCode::SecurityTokenExpired, "InvalidSecurityToken.Expired",
                       "Specified SecurityToken is expired.");
    case ErrorCode::InvalidSecurityToken:
      return rpc_error(ErrorCode::InvalidSecurityToken, "InvalidSecurityToken.Malformed",
                       "Specified SecurityToken is invalid: " + error.message);
    default: return error;
  }
}

auth::Identity identity_for(RpcSigning signing, const auth::Credential& credential) {
  // The AuthMethod set names the OSS schemes; an RPC v1 signature travels in
  // the parameters like a signed URL, an ACS3 one in a header like V4.
  return auth::identity_for(signing == RpcSigning::V1 ? auth::AuthMethod::V1Query : auth::AuthMethod::V4Header,
                            credential);
}

Result<auth::Credential> resolve_signer(const RpcEnvelope& envelope, const auth::CredentialLookup& credentials,
                                        SystemTime now) {
  if (envelope.access_key_id.starts_with(auth::kTemporaryKeyPrefix)) {
    if (envelope.security_token.empty()) {
      return rpc_error(ErrorCode::InvalidSecurityToken, "MissingSecurityToken",
                       "SecurityToken is mandatory for this action.");
    }
    auto credential = credentials.find_temporary(envelope.access_key_id, envelope.security_token, now);
    if (!credential) return token_error(std::move(credential).error());
    return std::move(credential.value());
  }
  if (auto credential = credentials.find(envelope.access_key_id)) return std::move(*credential);
  return rpc_error(ErrorCode::InvalidAccessKeyId, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");
}

Error signature_mismatch(std::string_view string_to_sign) {
  return rpc_error(ErrorCode::SignatureDoesNotMatch, "SignatureDoesNotMatch",
                   "Specified signature is not matched with our calculation. server string to sign is:" +
                       std::string(string_to_sign));
}

}  // namespace

bool is_rpc_request(const http::Request& request, const oss::Resource& resource) {
  if (!resource.bucket.empty() || !resource.key.empty()) return false;
  if (request.find("x-acs-action") != nullptr) return true;
  for (const auto& param : resource.query) {
    if (param.name == "Action") return true;
  }
  if (request.method == "POST") {
    const std::string* content_type = request.find("Content-Type");
    return content_type != nullptr && is_form(*content_type);
  }
  return false;
}

Result<RpcParameters> collect_rpc_parameters(std::string_view raw_query, std::string_view content_type,
                                             std::string_view body) {
  RpcParameters params;
  auto query = decode_form(raw_query);
  if (!query) return query.error();
  params.query = std::move(query.value());
  if (!body.empty() && is_form(content_type)) {
    auto form = decode_form(body);
    if (!form) return form.error();
    params.form = std::move(form.value());
  }
  for (const auth::RpcParams* source : {&params.query, &params.form}) {
    for (const auto& [name, value] : *source) {
      if (!params.all.emplace(name, value).second) {
        return iam::invalid_parameter("InvalidParameter", "The parameter " + name + " appears more than once.");
      }
    }
  }
  return params;
}

bool wants_xml(const iam::RpcParams& params) {
  auto it = params.find("Format");
  return it != params.end() && iequals(it->second, "XML");
}

Result<RpcEnvelope> parse_rpc_envelope(const RpcParameters& params, const std::vector<HeaderField>& headers) {
  RpcEnvelope envelope;
  auto param = [&](std::string_view name) -> std::string {
    auto it = params.all.find(name);
    return it == params.all.end() ? std::string() : it->second;
  };
  envelope.security_token = param("SecurityToken");

  const std::string* authorization = find_header(headers, "Authorization");
  if (authorization != nullptr && istarts_with(trim(*authorization), "ACS3-HMAC-SHA256")) {
    envelope.signing = RpcSigning::Acs3;
    auto parsed = auth::parse_acs3_authorization(trim(*authorization));
    if (!parsed) return incomplete_signature("The Authorization header is malformed: " + parsed.error().message);
    envelope.access_key_id = parsed->access_key_id;
    envelope.signature = to_lower(parsed->signature);
    envelope.signed_headers = parsed->signed_headers;
    // What decides the call and what prevents its replay must be signed.
    for (std::string_view required :
         {"x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"}) {
      const std::string* value = find_header(headers, required);
      if (value == nullptr) return iam::missing_parameter(required);
      bool signed_header = false;
      for (const auto& name : envelope.signed_headers) signed_header = signed_header || iequals(name, required);
      if (!signed_header) return incomplete_signature("The header " + std::string(required) + " must be signed.");
    }
    envelope.action = std::string(trim(*find_header(headers, "x-acs-action")));
    envelope.version = std::string(trim(*find_header(headers, "x-acs-version")));
    envelope.nonce = std::string(trim(*find_header(headers, "x-acs-signature-nonce")));
    envelope.timestamp_text = std::string(trim(*find_header(headers, "x-acs-date")));
    envelope.content_sha256 = to_lower(trim(*find_header(headers, "x-acs-content-sha256")));
    if (const std::string* token = find_header(headers, "x-acs-security-token")) {
      envelope.security_token = std::string(trim(*token));
    }
  } else {
    envelope.signing = RpcSigning::V1;
    envelope.signature = param("Signature");
    if (envelope.signature.empty()) {
      return incomplete_signature("The request is not signed: the parameter Signature is missing.");
    }
    for (std::string_view required :
         {"AccessKeyId", "SignatureMethod", "SignatureVersion", "SignatureNonce", "Timestamp", "Action", "Version"}) {
      if (param(required).empty()) return iam::missing_parameter(required);
    }
    if (param("SignatureMethod") != "HMAC-SHA1") {
      return rpc_error(ErrorCode::InvalidArgument, "UnsupportedSignatureMethod",
                       "Specified signature method is not supported: use HMAC-SHA1.");
    }
    if (param("SignatureVersion") != "1.0") {
      return rpc_error(ErrorCode::InvalidArgument, "UnsupportedSignatureVersion",
                       "Specified signature version is not supported: use 1.0.");
    }
    envelope.access_key_id = param("AccessKeyId");
    envelope.action = param("Action");
    envelope.version = param("Version");
    envelope.nonce = param("SignatureNonce");
    envelope.timestamp_text = param("Timestamp");
  }
  if (envelope.access_key_id.empty()) return iam::missing_parameter("AccessKeyId");
  auto timestamp = parse_iso8601(envelope.timestamp_text);
  if (!timestamp) {
    return rpc_error(ErrorCode::InvalidArgument, "InvalidTimeStamp.Format",
                     "Specified time stamp or date value is not well formatted.");
  }
  envelope.timestamp = *timestamp;
  return envelope;
}

Result<auth::Identity> verify_rpc_request(const RpcEnvelope& envelope, const RpcParameters& params,
                                          std::string_view method, std::string_view path,
                                          const std::vector<HeaderField>& headers, std::string_view body,
                                          const auth::CredentialLookup& credentials, SystemTime now,
                                          const RpcVerifySettings& settings) {
  const auto skew = envelope.timestamp > now ? envelope.timestamp - now : now - envelope.timestamp;
  if (skew > settings.max_skew) {
    return rpc_error(ErrorCode::RequestTimeTooSkewed, "InvalidTimeStamp.Expired",
                     "Specified time stamp or date value is expired.");
  }
  auto credential = resolve_signer(envelope, credentials, now);
  if (!credential) return std::move(credential).error();

  if (envelope.signing == RpcSigning::V1) {
    auth::RpcParams signed_params = params.query;
    signed_params.insert(signed_params.end(), params.form.begin(), params.form.end());
    std::string strict;
    const std::shared_ptr<const auth::SigningKeys> keys = auth::signing_keys_of(credential.value());
    for (auto encoding : {auth::RpcEncoding::Rfc3986, auth::RpcEncoding::NodeQuerystring}) {
      std::string string_to_sign = auth::rpc_string_to_sign(method, signed_params, encoding);
      if (crypto::constant_time_equal(auth::rpc_signature(*keys, string_to_sign), envelope.signature)) {
        return identity_for(envelope.signing, credential.value());
      }
      if (strict.empty()) strict = std::move(string_to_sign);
    }
    return signature_mismatch(strict);
  }

  if (!crypto::constant_time_equal(hex_lower(crypto::sha256(body)), envelope.content_sha256)) {
    return rpc_error(ErrorCode::SignatureDoesNotMatch, "SignatureDoesNotMatch",
                     "The x-acs-content-sha256 header does not match the request body.");
  }
  const std::string canonical = auth::acs3_canonical_request(method, path, params.query, headers,
                                                             envelope.signed_headers, envelope.content_sha256);
  const std::string string_to_sign = auth::acs3_string_to_sign(canonical);
  if (!crypto::constant_time_equal(auth::acs3_signature(*auth::signing_keys_of(credential.value()), string_to_sign),
                                   envelope.signature)) {
    return signature_mismatch(string_to_sign);
  }
  return identity_for(envelope.signing, credential.value());
}

}  // namespace ossd::api
