#pragma once
// CompleteMultipartUpload's rules, as a pure function: which stored parts the
// request names, whether they are valid, and the object they make.
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "meta/records.hpp"

namespace ossd::service {

inline constexpr uint64_t kMinPartSize = uint64_t{100} * 1024;  // every part but the last
inline constexpr uint32_t kMaxPartNumber = 10000;

struct RequestedPart {
  uint32_t part_number = 0;
  std::string etag;  // without quotes, any case
};

struct AssembledObject {
  meta::ObjectRecord object;
  std::vector<meta::PartRecord> used_parts;
};

// requested must be in ascending part order (InvalidPartOrder otherwise); each
// must match a stored part's ETag (InvalidPart); parts but the last must be
// at least kMinPartSize (EntityTooSmall). The object's ETag is the upper-case
// hex MD5 of the concatenated binary part MD5s, then "-<count>"; its CRC-64
// is combined from the parts' without reading data.
Result<AssembledObject> assemble_multipart(const meta::UploadRecord& upload,
                                           const std::vector<meta::PartRecord>& stored_parts,
                                           const std::vector<RequestedPart>& requested, int64_t now_ms);

}  // namespace ossd::service
