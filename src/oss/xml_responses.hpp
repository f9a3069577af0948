#pragma once
// Renderers of the XML response bodies, element names as in OSS (and as
// ali-oss@6.23.0 reads them). Inputs are plain values; ETags are passed
// without quotes and rendered quoted; times are Unix milliseconds rendered
// as ISO 8601 with milliseconds ("2024-05-20T08:30:00.000Z"). With
// url_encoded (encoding-type=url) the user-chosen strings named in each
// comment are %-encoded (RFC 3986 unreserved characters kept, the rest
// %XX, '/' included), which url.QueryUnescape, unquote and
// decodeURIComponent all reverse.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "meta/records.hpp"
#include "oss/addressing.hpp"

namespace ossd::oss {

// "\"<etag>\"" as ETag elements and headers carry it.
std::string quote_etag(std::string_view etag);

// ---- service and bucket ----------------------------------------------------

struct BucketListing {
  std::string prefix;
  std::string marker;
  uint32_t max_keys = 100;
};

// <ListAllMyBucketsResult><Prefix/><Marker/><MaxKeys/><IsTruncated/>
// <NextMarker/>(when truncated: the last bucket's name)<Owner><ID/><DisplayName/></Owner>
// <Buckets><Bucket><CreationDate/><ExtranetEndpoint/><IntranetEndpoint/>
// <Location/><Name/><Region/><StorageClass/></Bucket>...</Buckets>
std::string render_list_buckets(std::string_view owner_id, const BucketListing& listing,
                                const std::vector<meta::BucketRecord>& buckets, bool truncated,
                                const AddressingConfig& addressing);

// <BucketInfo><Bucket><Name/><Location/><Region/><CreationDate/><ExtranetEndpoint/>
// <IntranetEndpoint/><StorageClass/><Owner/><AccessControlList><Grant/>...</Bucket></BucketInfo>
std::string render_bucket_info(const meta::BucketRecord& bucket, const AddressingConfig& addressing);

// <LocationConstraint>oss-cn-hangzhou</LocationConstraint>
std::string render_bucket_location(std::string_view region);

// <AccessControlPolicy><Owner><ID/><DisplayName/></Owner>
// <AccessControlList><Grant>acl</Grant></AccessControlList></AccessControlPolicy>
std::string render_bucket_acl(std::string_view owner_id, std::string_view acl);
std::string render_object_acl(std::string_view owner_id, std::string_view acl);  // acl may be "default"

// ---- object listings -------------------------------------------------------

struct ObjectListingV1 {
  std::string bucket;
  std::string prefix;
  std::string marker;
  std::string delimiter;
  uint32_t max_keys = 100;
  bool url_encoded = false;
};

// <ListBucketResult><Name/><Prefix/><Marker/><MaxKeys/><Delimiter/><IsTruncated/>
// <NextMarker/>(when truncated)<EncodingType/>(when url)<Contents><Key/><LastModified/>
// <ETag/><Type/><Size/><StorageClass/><Owner><ID/><DisplayName/></Owner></Contents>...
// <CommonPrefixes><Prefix/></CommonPrefixes>...
// url-encoded: Prefix, Marker, Delimiter, NextMarker, Key, CommonPrefixes/Prefix.
std::string render_list_objects_v1(const ObjectListingV1& request, const meta::ListResult& result,
                                   std::string_view owner_id);

struct ObjectListingV2 {
  std::string bucket;
  std::string prefix;
  std::string delimiter;
  std::string start_after;
  std::string continuation_token;  // echoed when non-empty
  bool fetch_owner = false;
  uint32_t max_keys = 100;
  bool url_encoded = false;
  std::string next_continuation_token;  // rendered when the result is truncated
};

// <ListBucketResult><Name/><Prefix/><ContinuationToken/>?<StartAfter/>?<MaxKeys/>
// <Delimiter/><EncodingType/>?<IsTruncated/><NextContinuationToken/>?<KeyCount/>
// <Contents>...(Owner only with fetch_owner)</Contents>...<CommonPrefixes>...
// KeyCount = objects + common prefixes.
// url-encoded: Prefix, StartAfter, Delimiter, NextContinuationToken, Key,
// CommonPrefixes/Prefix (ContinuationToken is echoed as received).
std::string render_list_objects_v2(const ObjectListingV2& request, const meta::ListResult& result,
                                   std::string_view owner_id);

// ---- multipart -------------------------------------------------------------

// <InitiateMultipartUploadResult><EncodingType/>?<Bucket/><Key/><UploadId/></...>
// url-encoded: Key.
std::string render_initiate_multipart(std::string_view bucket, std::string_view key, std::string_view upload_id,
                                      bool url_encoded = false);

// <CompleteMultipartUploadResult><EncodingType/>?<Location/><Bucket/><Key/><ETag/></...>
// url-encoded: Key.
std::string render_complete_multipart(std::string_view location, std::string_view bucket, std::string_view key,
                                      std::string_view etag, bool url_encoded = false);

struct PartListing {
  std::string bucket;
  std::string key;
  std::string upload_id;
  uint32_t part_number_marker = 0;
  uint32_t max_parts = 1000;
  bool url_encoded = false;
};

// <ListPartsResult><EncodingType/>?<Bucket/><Key/><UploadId/><PartNumberMarker/>
// <NextPartNumberMarker/>(last listed part, or the marker when none)<MaxParts/><IsTruncated/>
// <Part><PartNumber/><LastModified/><ETag/><HashCrc64ecma/><Size/></Part>...
// url-encoded: Key.
std::string render_list_parts(const PartListing& request, const std::vector<meta::PartRecord>& parts, bool truncated);

struct UploadListing {
  std::string bucket;
  meta::UploadListQuery query;
  bool url_encoded = false;
};

// <ListMultipartUploadsResult><EncodingType/>?<Bucket/><KeyMarker/><UploadIdMarker/>
// <NextKeyMarker/><NextUploadIdMarker/><Delimiter/><Prefix/><MaxUploads/><IsTruncated/>
// <Upload><Key/><UploadId/><StorageClass/><Initiated/></Upload>...<CommonPrefixes><Prefix/></CommonPrefixes>...
// url-encoded: KeyMarker, NextKeyMarker, Delimiter, Prefix, Key, CommonPrefixes/Prefix.
std::string render_list_uploads(const UploadListing& request, const meta::UploadListResult& result);

// ---- copy, delete, tagging -------------------------------------------------

// <CopyObjectResult><ETag/><LastModified/></CopyObjectResult>
std::string render_copy_object_result(std::string_view etag, int64_t last_modified_ms);
// <CopyPartResult><LastModified/><ETag/></CopyPartResult>
std::string render_copy_part_result(std::string_view etag, int64_t last_modified_ms);

struct DeleteFailure {
  std::string key;
  ErrorCode code = ErrorCode::InternalError;
  std::string message;  // empty = the error table's default
};

// <DeleteResult><EncodingType/>?<Deleted><Key/></Deleted>...(not when quiet)
// <Error><Key/><Code/><Message/></Error>...(always)</DeleteResult>
// url-encoded: Key.
std::string render_delete_result(const std::vector<std::string>& deleted, bool quiet, bool url_encoded,
                                 const std::vector<DeleteFailure>& failures = {});

// <Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging>
std::string render_tagging(const meta::Pairs& tags);

}  // namespace ossd::oss
