// libFuzzer target for what ossd reads from a request head before any
// handler runs: Host and request-target resolution, the V1/V4 Authorization
// headers and V4 credential scopes, Range and the If-Match / If-None-Match
// lists, the conditional headers (If-Match, If-None-Match, If-Modified-Since,
// If-Unmodified-Since and their x-oss-copy-source-if-* twins) and the HTTP
// and ISO 8601 date parsers. Any input must come back as a value or an Error (never a crash,
// hang or sanitizer report). The input is split on the first two NUL bytes:
// Host, request target, and a header value used for the other parsers.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/authorization_header.hpp"
#include "core/time_format.hpp"
#include "oss/addressing.hpp"
#include "oss/preconditions.hpp"
#include "oss/range.hpp"

namespace {

std::string_view take_until_nul(std::string_view& rest) {
  const size_t end = rest.find('\0');
  std::string_view field = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  return field;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string_view host = take_until_nul(rest);
  const std::string_view target = take_until_nul(rest);
  const std::string_view header = rest;

  static const ossd::oss::AddressingConfig config{
      .domain = "localhost", .region = "oss-cn-hangzhou", .cnames = {{"img.example.com", "photos"}}};
  if (auto resource = ossd::oss::resolve_resource(host, target, config)) {
    // Decoding never invents a bucket for the service root.
    if (resource->bucket.empty() && !resource->key.empty()) __builtin_trap();
  }
  (void)ossd::oss::normalize_host(host);

  if (ossd::auth::is_v1_authorization(header)) (void)ossd::auth::parse_v1_authorization(header);
  if (ossd::auth::is_v4_authorization(header)) (void)ossd::auth::parse_v4_authorization(header);
  (void)ossd::auth::parse_v4_credential(header, "x-oss-credential");

  for (uint64_t object_size : {uint64_t{0}, uint64_t{1}, uint64_t{4096}, uint64_t{1} << 40}) {
    auto range = ossd::oss::parse_range(header, object_size);
    if (range && *range) {
      // A range ossd would serve lies inside the object.
      if ((*range)->first > (*range)->last || (*range)->last >= object_size) __builtin_trap();
    }
  }
  (void)ossd::oss::etag_list_matches(header, "\"D41D8CD98F00B204E9800998ECF8427E\"", true);

  // The header in each precondition slot, alone and in all four at once.
  const std::string value(header);
  const ossd::SystemTime last_modified = ossd::from_unix_seconds(1716193800);
  for (int slot = 0; slot < 5; ++slot) {
    ossd::oss::Preconditions conditions;
    if (slot == 0 || slot == 4) conditions.if_match = &value;
    if (slot == 1 || slot == 4) conditions.if_none_match = &value;
    if (slot == 2 || slot == 4) conditions.if_modified_since = &value;
    if (slot == 3 || slot == 4) conditions.if_unmodified_since = &value;
    auto status = ossd::oss::evaluate_preconditions(conditions, "D41D8CD98F00B204E9800998ECF8427E", last_modified);
    if (!status.ok() && status.error().code != ossd::ErrorCode::PreconditionFailed &&
        status.error().code != ossd::ErrorCode::NotModified) {
      __builtin_trap();
    }
    (void)ossd::oss::evaluate_copy_source_preconditions(conditions, "D41D8CD98F00B204E9800998ECF8427E", last_modified,
                                                        ossd::oss::CopyNotModified::not_modified);
  }
  // A date that parses prints as RFC 1123 and parses back to the same second.
  if (auto date = ossd::parse_http_date(header)) {
    auto again = ossd::parse_http_date(ossd::format_rfc1123(*date));
    if (!again || ossd::to_unix_seconds(*again) != ossd::to_unix_seconds(*date)) __builtin_trap();
  }
  if (auto date = ossd::parse_iso8601(header)) {
    auto again = ossd::parse_iso8601(ossd::format_iso8601_ms(*date));
    if (!again || *again != *date) __builtin_trap();
  }
  if (auto date = ossd::parse_iso8601_basic(header)) {
    auto again = ossd::parse_iso8601_basic(ossd::format_iso8601_basic(*date));
    if (!again || ossd::to_unix_seconds(*again) != ossd::to_unix_seconds(*date)) __builtin_trap();
  }
  return 0;
}
