#pragma once
// The domain records kept by a MetadataStore. Plain values, no behaviour.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ossd::meta {

using Pairs = std::vector<std::pair<std::string, std::string>>;

struct BucketRecord {
  std::string name;
  std::string owner_id;         // account id of the owner
  std::string acl = "private";  // private | public-read | public-read-write
  std::string storage_class = "Standard";
  std::string region;  // e.g. oss-cn-hangzhou
  int64_t created_ms = 0;
};

// A bucket with one of its configuration documents (nullopt: it has none).
struct BucketWithConfig {
  BucketRecord bucket;
  std::optional<std::string> config;
};

// A run of an object's bytes held in one blob, in object order.
struct Segment {
  std::string blob_id;
  uint64_t size = 0;
  bool operator==(const Segment&) const = default;
};

struct ObjectRecord {
  std::string bucket;
  std::string key;
  uint64_t size = 0;
  std::string etag;    // without quotes: "5EB6...", "ABCD...-3"
  uint64_t crc64 = 0;  // CRC-64/XZ of the whole content
  int64_t last_modified_ms = 0;
  std::string object_type = "Normal";  // Normal | Multipart | Appendable
  std::string storage_class = "Standard";
  std::string acl = "default";  // default | private | public-read | public-read-write
  std::string content_type;
  Pairs headers;    // stored response headers: Cache-Control, Content-Disposition, Content-Encoding, Content-Language,
                    // Expires
  Pairs user_meta;  // x-oss-meta-* with the prefix removed, name lower-cased
  Pairs tags;       // object tagging, in the order given
  std::vector<Segment> segments;
};

// A bucket, one of its documents and one of its objects, read together
// (object nullopt: no such key).
struct BucketConfigAndObject {
  BucketWithConfig bucket;
  std::optional<ObjectRecord> object;
};

// What a listing returns for each key (no user metadata).
struct ObjectSummary {
  std::string key;
  uint64_t size = 0;
  std::string etag;
  int64_t last_modified_ms = 0;
  std::string object_type;
  std::string storage_class;
};

struct ListQuery {
  std::string prefix;
  std::string start_after;  // exclusive: only keys > start_after
  std::string delimiter;    // empty = no grouping
  uint32_t max_keys = 100;  // entries + common prefixes returned, 1..1000
};

struct ListResult {
  std::vector<ObjectSummary> objects;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_marker;  // last key or common prefix returned, when truncated
};

struct UploadRecord {
  std::string upload_id;
  std::string bucket;
  std::string key;
  int64_t initiated_ms = 0;
  ObjectRecord object;  // content-type, headers, user_meta, acl, tags to apply on completion
};

struct PartRecord {
  uint32_t part_number = 0;
  std::string etag;     // without quotes, upper-case hex MD5 of the part
  std::string md5_hex;  // lower-case hex MD5 (for the multipart ETag)
  uint64_t crc64 = 0;
  uint64_t size = 0;
  int64_t last_modified_ms = 0;
  std::string blob_id;
};

struct UploadListQuery {
  std::string prefix;
  std::string key_marker;
  std::string upload_id_marker;
  std::string delimiter;
  uint32_t max_uploads = 1000;
};

struct UploadListResult {
  std::vector<UploadRecord> uploads;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_key_marker;
  std::string next_upload_id_marker;
};

}  // namespace ossd::meta
