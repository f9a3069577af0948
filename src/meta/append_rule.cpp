#include "meta/append_rule.hpp"

#include <cstdio>
#include <utility>

#include "crypto/crc64.hpp"

namespace ossd::meta {

std::string crc64_etag(uint64_t crc) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llX", static_cast<unsigned long long>(crc));
  return text;
}

Result<ObjectRecord> append_segment(std::optional<ObjectRecord> existing, const ObjectRecord& initial,
                                    uint64_t position, const Segment& segment, uint64_t segment_crc64) {
  ObjectRecord record;
  if (existing) {
    record = std::move(*existing);
    if (record.object_type != "Appendable") return Error(ErrorCode::ObjectNotAppendable);
  } else {
    record = initial;
    record.object_type = "Appendable";
    record.size = 0;
    record.crc64 = 0;
    record.segments.clear();
  }
  if (position != record.size) {
    return Error(ErrorCode::PositionNotEqualToLength)
        .with_header("x-oss-next-append-position", std::to_string(record.size));
  }
  record.crc64 = crypto::crc64_combine(record.crc64, segment_crc64, segment.size);
  record.size += segment.size;
  record.etag = crc64_etag(record.crc64);
  record.last_modified_ms = initial.last_modified_ms;
  record.segments.push_back(segment);
  return record;
}

}  // namespace ossd::meta
