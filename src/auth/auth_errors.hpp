#pragma once
// The authentication errors of spec §8, with the extra elements OSS puts in
// the XML body so clients (and people) can see what went wrong.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/error.hpp"

namespace ossd::auth {

// Each byte as two upper-case hex digits followed by a space
// ("50 55 54 0A "), the StringToSignBytes format of OSS.
std::string string_to_sign_bytes(std::string_view string_to_sign);

// SignatureDoesNotMatch with OSSAccessKeyId, SignatureProvided,
// StringToSign, StringToSignBytes and, for V4, CanonicalRequest.
Error signature_mismatch(std::string_view access_key_id, std::string_view signature_provided,
                         std::string_view string_to_sign, std::optional<std::string_view> canonical_request);

// InvalidAccessKeyId with OSSAccessKeyId.
Error unknown_access_key(std::string_view access_key_id);

// RequestTimeTooSkewed with RequestTime (as sent), ServerTime (ISO 8601)
// and MaxAllowedSkewMilliseconds.
Error time_too_skewed(std::string_view request_time, SystemTime now, std::chrono::seconds max_skew);

// AccessDenied "Request has expired." with Expires and ServerTime (ISO 8601).
Error request_expired(SystemTime expired_at, SystemTime now);

// InvalidArgument with ArgumentName and ArgumentValue.
Error invalid_argument(std::string message, std::string_view argument_name, std::string_view argument_value);

}  // namespace ossd::auth
