#pragma once
// AppendObject's rule, shared by every MetadataStore: what the object record
// becomes when a segment is appended at `position`. Pure; the store supplies
// the row it read (and locked) and writes back what this returns.
#include <cstdint>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "meta/records.hpp"

namespace ossd::meta {

// The ETag of an appendable object: its CRC-64 in 16 upper-case hex digits.
std::string crc64_etag(uint64_t crc);

// `existing` is the stored object, if any; `initial` describes a new one
// (bucket, key, headers, time). Errors: ObjectNotAppendable for a normal
// object, PositionNotEqualToLength (with x-oss-next-append-position) when
// `position` is not the current length.
Result<ObjectRecord> append_segment(std::optional<ObjectRecord> existing, const ObjectRecord& initial,
                                    uint64_t position, const Segment& segment, uint64_t segment_crc64);

}  // namespace ossd::meta
