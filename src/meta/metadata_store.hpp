#pragma once
// MetadataStore: buckets, objects, multipart uploads and bucket configuration.
// Every call is one transaction. All calls block: run them on the work pool,
// never on an I/O thread. Implementations are safe to call from many threads.
//
// Blob ownership: every blob id appears in at most one object segment or one
// part. Calls that drop references return the ids they freed; the caller
// removes those blobs after the call returns (a crash in between leaves
// orphans, which start-up collects using is_blob_referenced).
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "meta/records.hpp"

namespace ossd::meta {

using BlobIds = std::vector<std::string>;

struct PutConditions {
  bool forbid_overwrite = false;  // existing key -> FileAlreadyExists
};

class MetadataStore {
 public:
  virtual ~MetadataStore() = default;

  // Buckets. create: BucketAlreadyExists if the name is taken.
  virtual Status create_bucket(const BucketRecord& bucket) = 0;
  virtual Result<BucketRecord> get_bucket(const std::string& name) = 0;  // NoSuchBucket
  // Buckets of one owner, name order, names > marker starting with prefix.
  virtual Result<std::vector<BucketRecord>> list_buckets(const std::string& owner_id, const std::string& prefix,
                                                         const std::string& marker, uint32_t max_keys,
                                                         bool* truncated) = 0;
  // NoSuchBucket; BucketNotEmpty while it holds objects or multipart uploads.
  virtual Status delete_bucket(const std::string& name) = 0;
  virtual Status set_bucket_acl(const std::string& name, const std::string& acl) = 0;
  // Named configuration documents of a bucket (cors, policy, style:<name>...).
  // set with nullopt deletes. NoSuchBucket when the bucket is missing.
  virtual Status set_bucket_config(const std::string& bucket, const std::string& name,
                                   const std::optional<std::string>& value) = 0;
  virtual Result<std::optional<std::string>> get_bucket_config(const std::string& bucket, const std::string& name) = 0;
  // The bucket and one of its documents in one read: every request needs
  // the record and its policy together, and a shared store pays a round
  // trip per read. NoSuchBucket.
  virtual Result<BucketWithConfig> get_bucket_with_config(const std::string& bucket, const std::string& name) = 0;
  // The same with one object, for GET and HEAD on a store that cannot be
  // cached in front of (shared by gateways): one round trip instead of two.
  // NoSuchBucket; a missing key is an empty `object`, not an error.
  virtual Result<BucketConfigAndObject> get_bucket_config_and_object(const std::string& bucket, const std::string& name,
                                                                     const std::string& key) = 0;
  // Compare-and-set, for documents changed by read-modify-write from several
  // gateways at once (the style list): sets `value` (nullopt deletes) only
  // while the document still holds `expected` (nullopt: absent). false, and
  // nothing changed, when another writer changed it first; NoSuchBucket.
  virtual Result<bool> replace_bucket_config(const std::string& bucket, const std::string& name,
                                             const std::optional<std::string>& expected,
                                             const std::optional<std::string>& value) = 0;

  // Export, for `ossd migrate`: every bucket of every owner in name order
  // (names > marker, at most max_keys), and every configuration document of
  // one bucket as (name, value) in name order (NoSuchBucket).
  virtual Result<std::vector<BucketRecord>> list_all_buckets(const std::string& marker, uint32_t max_keys,
                                                             bool* truncated) = 0;
  virtual Result<Pairs> list_bucket_configs(const std::string& bucket) = 0;

  // Objects. put replaces any existing record (NoSuchBucket, FileAlreadyExists)
  // and returns the blob ids of the old record that the new one does not reuse.
  virtual Result<BlobIds> put_object(const ObjectRecord& object, const PutConditions& conditions) = 0;
  virtual Result<ObjectRecord> get_object(const std::string& bucket,
                                          const std::string& key) = 0;  // NoSuchBucket, NoSuchKey
  // Deleting a missing key succeeds with nothing freed. NoSuchBucket.
  virtual Result<BlobIds> delete_object(const std::string& bucket, const std::string& key) = 0;
  // Appends one segment. A missing key is created from `initial` (type
  // Appendable) when position == 0. Errors: ObjectNotAppendable,
  // PositionNotEqualToLength (with header x-oss-next-append-position).
  // The store updates size, crc64 (crc64_combine of the old value and
  // segment_crc64), etag (upper-case 16-digit hex of the new crc64) and
  // last_modified_ms (taken from initial.last_modified_ms).
  virtual Result<ObjectRecord> append_object(const ObjectRecord& initial, uint64_t position, const Segment& segment,
                                             uint64_t segment_crc64) = 0;
  // Changes acl / tags of an existing object (NoSuchKey).
  virtual Status set_object_acl(const std::string& bucket, const std::string& key, const std::string& acl) = 0;
  virtual Status set_object_tags(const std::string& bucket, const std::string& key, const Pairs& tags) = 0;
  virtual Result<ListResult> list_objects(const std::string& bucket, const ListQuery& query) = 0;

  // Multipart uploads.
  virtual Status create_upload(const UploadRecord& upload) = 0;  // NoSuchBucket
  virtual Result<UploadRecord> get_upload(const std::string& bucket, const std::string& key,
                                          const std::string& upload_id) = 0;  // NoSuchUpload
  // Records a part (replacing the same part number); returns the freed blob of
  // the replaced part, if any. NoSuchUpload.
  virtual Result<BlobIds> put_part(const std::string& upload_id, const PartRecord& part) = 0;
  // Parts with number > marker, in number order, at most max_parts.
  virtual Result<std::vector<PartRecord>> list_parts(const std::string& upload_id, uint32_t marker, uint32_t max_parts,
                                                     bool* truncated) = 0;
  // Atomically: checks the upload still exists and every part in `used` still
  // has the same blob id (else InvalidPart), writes `object`, deletes the
  // upload and its parts, and returns the freed blobs (unused parts, and the
  // replaced object's blobs). Honours conditions like put_object.
  virtual Result<BlobIds> complete_upload(const std::string& upload_id, const std::vector<PartRecord>& used,
                                          const ObjectRecord& object, const PutConditions& conditions) = 0;
  virtual Result<BlobIds> abort_upload(const std::string& bucket, const std::string& key,
                                       const std::string& upload_id) = 0;  // NoSuchUpload
  virtual Result<UploadListResult> list_uploads(const std::string& bucket, const UploadListQuery& query) = 0;

  // Orphan collection: which of these blob ids does any object or part use?
  virtual Result<std::vector<bool>> blobs_referenced(const std::vector<std::string>& blob_ids) = 0;
};

}  // namespace ossd::meta
