#pragma once
// Conditional requests (RFC 7232) as OSS applies them to GetObject /
// HeadObject, and the x-oss-copy-source-if-* variants of CopyObject and
// UploadPartCopy.
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace ossd::oss {

// nullptr = header absent.
struct Preconditions {
  const std::string* if_match = nullptr;
  const std::string* if_none_match = nullptr;
  const std::string* if_modified_since = nullptr;
  const std::string* if_unmodified_since = nullptr;
};

// RFC 7232 section 6 order:
//   1. If-Match fails                          -> 412 (Condition If-Match)
//   2. else If-Unmodified-Since fails          -> 412 (Condition If-Unmodified-Since)
//   3. If-None-Match matches                   -> 304
//   4. else If-Modified-Since not modified     -> 304
// Entity tags may be quoted or bare, W/-prefixed, comma-separated or "*";
// they compare case-insensitively. Blank tag headers and dates that do not
// parse are ignored.
// Times compare at whole seconds, the precision of HTTP dates.
// etag is the stored value without quotes.
Status evaluate_preconditions(const Preconditions& conditions, std::string_view etag, SystemTime last_modified);

// What a failed x-oss-copy-source-if-none-match / -if-modified-since
// answers. The OSS documentation (and ali-oss, which accepts 304 from copy)
// says 304; S3 says 412.
enum class CopyNotModified { precondition_failed, not_modified };

// Same order for the copy-source headers; Condition names the x-oss-copy-source-if-* header.
Status evaluate_copy_source_preconditions(const Preconditions& conditions, std::string_view etag,
                                          SystemTime last_modified,
                                          CopyNotModified on_not_modified = CopyNotModified::precondition_failed);

// True when one entry of an If-Match / If-None-Match list names etag ("*"
// names any). Weak tags (W/"...") only count when weak_ok.
bool etag_list_matches(std::string_view header, std::string_view etag, bool weak_ok);

}  // namespace ossd::oss
