#pragma once
// Server-side copy of an object's byte range into a new committed blob
// (CopyObject, UploadPartCopy). Blocking: use from the work pool.
#include <vector>

#include "blob/blob_store.hpp"
#include "meta/records.hpp"
#include "service/object_writer.hpp"

namespace ossd::service {

Result<WrittenBlob> copy_object_bytes(blob::BlobStore& blobs, const std::vector<meta::Segment>& segments,
                                      uint64_t first, uint64_t length, size_t chunk_size);

}  // namespace ossd::service
