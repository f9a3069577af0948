#include "oss/preconditions.hpp"

#include <chrono>
#include <optional>

#include "core/strings.hpp"
#include "core/time_format.hpp"

namespace ossd::oss {

namespace {

struct HeaderNames {
  const char* if_match;
  const char* if_none_match;
  const char* if_modified_since;
  const char* if_unmodified_since;
};

constexpr HeaderNames kRequestHeaders{"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"};
constexpr HeaderNames kCopyHeaders{"x-oss-copy-source-if-match", "x-oss-copy-source-if-none-match",
                                   "x-oss-copy-source-if-modified-since", "x-oss-copy-source-if-unmodified-since"};

std::string_view strip_quotes(std::string_view tag) {
  if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"') return tag.substr(1, tag.size() - 2);
  return tag;
}

std::chrono::sys_seconds whole_seconds(SystemTime t) { return std::chrono::floor<std::chrono::seconds>(t); }

// nullopt when the header is absent or not a date (then it is ignored).
std::optional<std::chrono::sys_seconds> header_date(const std::string* header) {
  if (header == nullptr) return std::nullopt;
  std::optional<SystemTime> parsed = parse_http_date(trim(*header));
  if (!parsed) return std::nullopt;
  return whole_seconds(*parsed);
}

Error precondition_failed(const char* header) { return Error(ErrorCode::PreconditionFailed).with("Condition", header); }

Status evaluate(const Preconditions& c, std::string_view etag, SystemTime last_modified, const HeaderNames& names,
                ErrorCode not_modified) {
  const auto modified = whole_seconds(last_modified);
  // A blank If-Match is a client bug, not a condition that can never hold.
  if (c.if_match != nullptr && !trim(*c.if_match).empty()) {
    if (!etag_list_matches(*c.if_match, etag, false)) return precondition_failed(names.if_match);
  } else if (auto since = header_date(c.if_unmodified_since); since && modified > *since) {
    return precondition_failed(names.if_unmodified_since);
  }
  auto fail_not_modified = [&](const char* header) -> Status {
    if (not_modified == ErrorCode::NotModified) return Error(ErrorCode::NotModified);
    return precondition_failed(header);
  };
  if (c.if_none_match != nullptr && !trim(*c.if_none_match).empty()) {
    if (etag_list_matches(*c.if_none_match, etag, true)) return fail_not_modified(names.if_none_match);
  } else if (auto since = header_date(c.if_modified_since); since && modified <= *since) {
    return fail_not_modified(names.if_modified_since);
  }
  return ok_status();
}

}  // namespace

bool etag_list_matches(std::string_view header, std::string_view etag, bool weak_ok) {
  const std::string_view wanted = strip_quotes(etag);
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    std::string_view entry = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    if (entry == "*") return true;
    bool weak = false;
    if (istarts_with(entry, "W/")) {
      weak = true;
      entry.remove_prefix(2);
    }
    if (weak && !weak_ok) continue;
    entry = strip_quotes(trim(entry));
    if (!entry.empty() && iequals(entry, wanted)) return true;
  }
  return false;
}

Status evaluate_preconditions(const Preconditions& conditions, std::string_view etag, SystemTime last_modified) {
  return evaluate(conditions, etag, last_modified, kRequestHeaders, ErrorCode::NotModified);
}

Status evaluate_copy_source_preconditions(const Preconditions& conditions, std::string_view etag,
                                          SystemTime last_modified, CopyNotModified on_not_modified) {
  const ErrorCode code =
      on_not_modified == CopyNotModified::not_modified ? ErrorCode::NotModified : ErrorCode::PreconditionFailed;
  return evaluate(conditions, etag, last_modified, kCopyHeaders, code);
}

}  // namespace ossd::oss
