#pragma once
// The Range request header of GetObject (and x-oss-copy-source-range).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace ossd::oss {

struct ByteRange {
  uint64_t first;
  uint64_t last;  // inclusive
  uint64_t length() const { return last - first + 1; }
};

// How out-of-bounds ranges are treated.
//   standard: an end past the object is clamped, a start at or past the end
//             is 416 InvalidRange (what OSS does with
//             "x-oss-range-behavior: standard", and what S3 does).
//   lenient:  any range not wholly inside the object is ignored and the
//             whole object is served (OSS without that header).
enum class RangeBehavior { standard, lenient };

// Returns the range to serve, nullopt to serve the whole object with 200
// (no header, malformed syntax, several ranges, empty object), or
// InvalidRange carrying <RangeRequested>, <ActualObjectSize> and a
// "Content-Range: bytes */<size>" header.
//   "bytes=a-b", "bytes=a-", "bytes=-n" (the last n bytes).
Result<std::optional<ByteRange>> parse_range(std::string_view header, uint64_t object_size,
                                             RangeBehavior behavior = RangeBehavior::standard);

// "bytes <first>-<last>/<size>"
std::string content_range(const ByteRange& range, uint64_t object_size);

}  // namespace ossd::oss
