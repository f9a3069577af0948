#pragma once
// Standard base64 (RFC 4648 §4, with '=' padding), as used by Content-MD5,
// V1 signatures, PostObject policies and x-oss-err.
#include <optional>
#include <string>
#include <string_view>

namespace ossd::crypto {

std::string base64_encode(std::string_view bytes);

// Strict: the length must be a multiple of 4, only the standard alphabet,
// '=' only as one or two trailing pad characters, no whitespace.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace ossd::crypto
