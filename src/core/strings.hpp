#pragma once
// Byte-string helpers shared by the protocol layers: ASCII case folding,
// percent-encoding, hex, query splitting and strict number parsing. All
// ASCII-only and locale-free, so results never depend on the process locale.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ossd {

// ASCII lower-casing; bytes >= 0x80 pass through untouched.
std::string to_lower(std::string_view text);
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view text, std::string_view prefix);

// Strips spaces and horizontal tabs at both ends.
std::string_view trim(std::string_view text);

// Decodes %XX escapes; '+' stays '+' (OSS keys and query values are not
// form-encoded). nullopt on a truncated or non-hex escape.
std::optional<std::string> percent_decode(std::string_view text);

// RFC 3986 encoding: keeps A-Z a-z 0-9 - _ . ~ (and '/' when keep_slash),
// everything else becomes %XX with upper-case hex.
std::string uri_encode(std::string_view text, bool keep_slash = false);

std::string hex_lower(std::string_view bytes);
std::string hex_upper(std::string_view bytes);
// Bytes from hex digits (either case); nullopt for an odd length or a non-hex character.
std::optional<std::string> hex_decode(std::string_view hex);

struct QueryParam {
  std::string name;
  std::string value;
  bool has_value = false;  // "a=" has a (empty) value, "a" has none
};

// Splits a raw query (without '?') on '&' and decodes names and values.
// Empty segments ("a&&b") are skipped. nullopt on a bad escape.
std::optional<std::vector<QueryParam>> parse_query(std::string_view raw);

bool is_valid_utf8(std::string_view text);

// Strict decimal: one or more digits, no sign, no spaces, no overflow.
std::optional<uint64_t> parse_uint64(std::string_view text);

}  // namespace ossd
