#pragma once
// Turning a freshly written blob into a visible object, shared by the
// upload operations (PutObject, PostObject).
#include <string>
#include <vector>

#include "api/context.hpp"
#include "service/object_writer.hpp"

namespace ossd::api {

// Size, ETag, CRC, one segment, type Normal and Last-Modified = now.
void fill_from_blob(meta::ObjectRecord& record, const service::WrittenBlob& blob, SystemTime now);

// Writes a record whose blob has just been committed: on failure the new blob
// is removed, on success the blobs the old record no longer uses are.
// Blocking (work pool).
Result<std::vector<std::string>> commit_object(Services& s, const meta::ObjectRecord& record,
                                               const meta::PutConditions& conditions,
                                               const std::vector<std::string>& new_blobs);

}  // namespace ossd::api
