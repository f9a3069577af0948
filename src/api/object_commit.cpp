#include "api/object_commit.hpp"

#include "api/request_parsing.hpp"

namespace ossd::api {

void fill_from_blob(meta::ObjectRecord& record, const service::WrittenBlob& blob, SystemTime now) {
  record.size = blob.size;
  record.etag = service::etag_of_md5(blob.md5);
  record.crc64 = blob.crc64;
  record.last_modified_ms = to_unix_millis(now);
  record.object_type = "Normal";
  record.segments = {meta::Segment{blob.blob_id, blob.size}};
}

Result<std::vector<std::string>> commit_object(Services& s, const meta::ObjectRecord& record,
                                               const meta::PutConditions& conditions,
                                               const std::vector<std::string>& new_blobs) {
  auto freed = s.meta.put_object(record, conditions);
  if (!freed) {
    discard_unrecorded_blobs(s.blobs, new_blobs);
    return std::move(freed).error();
  }
  release_freed_blobs(s, freed.value());
  return freed;
}

}  // namespace ossd::api
