#pragma once
// Request fields shared by several handlers, parsed and checked once here so
// every handler rejects bad values with the same OSS error.
#include <optional>
#include <string>
#include <utility>

#include "api/context.hpp"
#include "meta/records.hpp"

namespace ossd::api {

// A numeric query parameter in [min, max], or fallback when absent;
// InvalidArgument (with ArgumentName/ArgumentValue) otherwise.
Result<uint32_t> bounded_query_number(const RequestContext& ctx, std::string_view name, uint32_t fallback, uint32_t min,
                                      uint32_t max);

// encoding-type: absent or "url" (returns true for url); InvalidArgument otherwise.
Result<bool> url_encoding_requested(const RequestContext& ctx);

// ACL values of x-oss-acl (bucket) and x-oss-object-acl (object, also "default").
bool is_bucket_acl(std::string_view acl);
bool is_object_acl(std::string_view acl);

// The content-describing parts of a new object taken from the request:
// Content-Type, stored standard headers, x-oss-meta-*, x-oss-object-acl,
// x-oss-storage-class, x-oss-tagging. Bucket, key, size and hashes are left
// for the caller.
Result<meta::ObjectRecord> object_record_from_request(const RequestContext& ctx);

// The same from any list of named values (a PostObject form's fields).
Result<meta::ObjectRecord> object_record_from_fields(const std::vector<HeaderField>& fields, std::string_view bucket,
                                                     std::string_view key, std::string_view storage_class);

// Only the metadata part (content type, standard headers, user metadata),
// for CopyObject with x-oss-metadata-directive: REPLACE.
Result<meta::ObjectRecord> replace_metadata_from_request(const RequestContext& ctx, meta::ObjectRecord base);

// x-oss-copy-source "/bucket/url-encoded-key" -> (bucket, key).
Result<std::pair<std::string, std::string>> copy_source(const RequestContext& ctx);

bool forbid_overwrite(const RequestContext& ctx);
bool forbid_overwrite(const std::vector<HeaderField>& fields);

// x-oss-traffic-limit in bit/s: 100 KB/s to 100 MB/s, as OSS allows.
inline constexpr uint64_t kMinTrafficLimit = 819200;
inline constexpr uint64_t kMaxTrafficLimit = 838860800;

// nullopt when value is null; InvalidArgument unless it is a number in
// [kMinTrafficLimit, kMaxTrafficLimit].
Result<std::optional<uint64_t>> parse_traffic_limit(const std::string* value);

// The x-oss-traffic-limit query parameter (a V1 signed URL signs it as a
// sub-resource), else the header of the same name.
Result<std::optional<uint64_t>> traffic_limit(const RequestContext& ctx);

// Removes blobs whose record was never committed, so nobody can be reading
// them. Blocking (work pool). A failure leaves an orphan that orphan
// collection removes, so it never fails the request.
void discard_unrecorded_blobs(blob::BlobStore& blobs, const std::vector<std::string>& blob_ids);

// Lets go of blobs an overwritten or deleted record held: removed at once,
// or left to the orphan collector when ApiConfig::defer_freed_blob_removal
// is set. Blocking (work pool); never fails the request.
void release_freed_blobs(Services& s, const std::vector<std::string>& blob_ids);

}  // namespace ossd::api
