#pragma once
// UTC text forms of time points used on the wire: HTTP dates (Date,
// x-oss-date in V1, Last-Modified), ISO 8601 (XML bodies, STS) and the ISO
// 8601 basic form of V4 signatures. Locale-free and thread-safe (chrono
// calendar arithmetic, no gmtime/strftime/strptime). Parsers reject dates
// outside what SystemTime can represent (roughly years 1678-2261).
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace ossd {

// "Mon, 20 May 2024 08:30:00 GMT" (sub-second part dropped).
std::string format_rfc1123(SystemTime t);
// Accepts RFC 1123 ("Mon, 20 May 2024 08:30:00 GMT"), RFC 850
// ("Monday, 20-May-24 08:30:00 GMT") and asctime ("Mon May 20 08:30:00 2024").
// The weekday name must be a real one but is not checked against the date.
std::optional<SystemTime> parse_http_date(std::string_view text);

// "2024-05-20T08:30:00.000Z"
std::string format_iso8601_ms(SystemTime t);
// "2024-05-20T08:30:00Z"
std::string format_iso8601(SystemTime t);
// "YYYY-MM-DDTHH:MM:SS[.fraction]Z"; the fraction (1-9 digits) is kept to
// the millisecond.
std::optional<SystemTime> parse_iso8601(std::string_view text);

// "20240520T083000Z"
std::string format_iso8601_basic(SystemTime t);
std::optional<SystemTime> parse_iso8601_basic(std::string_view text);

}  // namespace ossd
