#include "auth/auth_errors.hpp"

#include "core/time_format.hpp"

namespace ossd::auth {

std::string string_to_sign_bytes(std::string_view string_to_sign) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(string_to_sign.size() * 3);
  for (char ch : string_to_sign) {
    auto b = static_cast<unsigned char>(ch);
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
    out.push_back(' ');
  }
  return out;
}

Error signature_mismatch(std::string_view access_key_id, std::string_view signature_provided,
                         std::string_view string_to_sign, std::optional<std::string_view> canonical_request) {
  Error error = Error(ErrorCode::SignatureDoesNotMatch,
                      "The request signature we calculated does not match the signature you provided. "
                      "Check your key and signing method.")
                    .with("OSSAccessKeyId", std::string(access_key_id))
                    .with("SignatureProvided", std::string(signature_provided))
                    .with("StringToSign", std::string(string_to_sign))
                    .with("StringToSignBytes", string_to_sign_bytes(string_to_sign));
  if (canonical_request) error.details.emplace_back("CanonicalRequest", std::string(*canonical_request));
  return error;
}

Error unknown_access_key(std::string_view access_key_id) {
  return Error(ErrorCode::InvalidAccessKeyId, "The OSS Access Key Id you provided does not exist in our records.")
      .with("OSSAccessKeyId", std::string(access_key_id));
}

Error time_too_skewed(std::string_view request_time, SystemTime now, std::chrono::seconds max_skew) {
  return Error(ErrorCode::RequestTimeTooSkewed,
               "The difference between the request time and the current time is too large.")
      .with("RequestTime", std::string(request_time))
      .with("ServerTime", format_iso8601_ms(now))
      .with("MaxAllowedSkewMilliseconds",
            std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(max_skew).count()));
}

Error request_expired(SystemTime expired_at, SystemTime now) {
  return Error(ErrorCode::AccessDenied, "Request has expired.")
      .with("Expires", format_iso8601_ms(expired_at))
      .with("ServerTime", format_iso8601_ms(now));
}

Error invalid_argument(std::string message, std::string_view argument_name, std::string_view argument_value) {
  return Error(ErrorCode::InvalidArgument, std::move(message))
      .with("ArgumentName", std::string(argument_name))
      .with("ArgumentValue", std::string(argument_value));
}

}  // namespace ossd::auth
