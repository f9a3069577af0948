#include "oss/range.hpp"

#include "core/strings.hpp"

namespace ossd::oss {

namespace {

Error unsatisfiable(std::string_view header, uint64_t object_size) {
  return Error(ErrorCode::InvalidRange)
      .with("RangeRequested", std::string(header))
      .with("ActualObjectSize", std::to_string(object_size))
      .with_header("Content-Range", "bytes */" + std::to_string(object_size));
}

}  // namespace

Result<std::optional<ByteRange>> parse_range(std::string_view header, uint64_t object_size, RangeBehavior behavior) {
  const std::optional<ByteRange> whole;  // "serve everything"
  std::string_view spec = trim(header);
  if (!istarts_with(spec, "bytes=")) return whole;
  spec = trim(spec.substr(6));
  // OSS serves no multipart/byteranges responses; a list is not honoured.
  if (spec.find(',') != std::string_view::npos) return whole;
  const std::size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return whole;
  const std::string_view first_text = trim(spec.substr(0, dash));
  const std::string_view last_text = trim(spec.substr(dash + 1));
  if (first_text.empty() && last_text.empty()) return whole;

  const std::optional<uint64_t> first = first_text.empty() ? std::nullopt : parse_uint64(first_text);
  const std::optional<uint64_t> last = last_text.empty() ? std::nullopt : parse_uint64(last_text);
  if ((!first_text.empty() && !first) || (!last_text.empty() && !last)) return whole;
  if (first && last && *last < *first) return whole;
  // An empty object has no byte to point at; it is served whole (200).
  if (object_size == 0) return whole;

  const bool lenient = behavior == RangeBehavior::lenient;
  if (!first) {  // suffix form: the last n bytes
    const uint64_t n = *last;
    if (n == 0) {
      if (lenient) return whole;
      return unsatisfiable(header, object_size);
    }
    if (n > object_size) {
      if (lenient) return whole;
      return std::optional<ByteRange>(ByteRange{0, object_size - 1});
    }
    return std::optional<ByteRange>(ByteRange{object_size - n, object_size - 1});
  }
  if (*first >= object_size) {
    if (lenient) return whole;
    return unsatisfiable(header, object_size);
  }
  uint64_t end = last ? *last : object_size - 1;
  if (end >= object_size) {
    if (lenient && last) return whole;
    end = object_size - 1;
  }
  return std::optional<ByteRange>(ByteRange{*first, end});
}

std::string content_range(const ByteRange& range, uint64_t object_size) {
  return "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) + "/" + std::to_string(object_size);
}

}  // namespace ossd::oss
