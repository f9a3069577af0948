#include "meta/sqlite_store.hpp"

#include <algorithm>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "meta/append_rule.hpp"
#include "meta/connection_leases.hpp"
#include "meta/listing.hpp"
#include "meta/sqlite_codec.hpp"
#include "meta/sqlite_connection.hpp"
#include "meta/sqlite_schema.hpp"

namespace ossd::meta {

namespace {

using sqlite::Connection;
using sqlite::in_transaction;
using sqlite::Query;

// ---------------------------------------------------------------- SQL text

constexpr const char* kWriterPragmas =
    "PRAGMA synchronous = FULL;"
    "PRAGMA foreign_keys = ON;"
    "PRAGMA busy_timeout = 5000;"
    // Bounds the -wal file left behind after a checkpoint of a write burst.
    "PRAGMA journal_size_limit = 67108864;";
constexpr const char* kReaderPragmas =
    "PRAGMA foreign_keys = ON;"
    "PRAGMA busy_timeout = 5000;"
    "PRAGMA query_only = ON;";

const std::string kBucketColumns = "name, owner_id, acl, storage_class, region, created_ms";
const std::string kInsertBucket =
    "INSERT INTO buckets (" + kBucketColumns + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (name) DO NOTHING";
const std::string kSelectBucket = "SELECT " + kBucketColumns + " FROM buckets WHERE name = ?1";
const std::string kBucketExists = "SELECT 1 FROM buckets WHERE name = ?1";
const std::string kListBucketsBounded = "SELECT " + kBucketColumns +
                                        " FROM buckets WHERE owner_id = ?1 AND name > ?2 AND name >= ?3"
                                        " AND name < ?4 ORDER BY name LIMIT ?5";
const std::string kListBucketsUnbounded = "SELECT " + kBucketColumns +
                                          " FROM buckets WHERE owner_id = ?1 AND name > ?2 AND name >= ?3"
                                          " ORDER BY name LIMIT ?5";
const std::string kAnyObject = "SELECT 1 FROM objects WHERE bucket = ?1 LIMIT 1";
const std::string kAnyUpload = "SELECT 1 FROM uploads WHERE bucket = ?1 LIMIT 1";
const std::string kDeleteBucketConfigs = "DELETE FROM bucket_configs WHERE bucket = ?1";
const std::string kDeleteBucket = "DELETE FROM buckets WHERE name = ?1";
const std::string kSetBucketAcl = "UPDATE buckets SET acl = ?2 WHERE name = ?1";
const std::string kUpsertBucketConfig =
    "INSERT INTO bucket_configs (bucket, name, value) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (bucket, name) DO UPDATE SET value = excluded.value";
const std::string kDeleteBucketConfig = "DELETE FROM bucket_configs WHERE bucket = ?1 AND name = ?2";
const std::string kSelectBucketConfig = "SELECT value FROM bucket_configs WHERE bucket = ?1 AND name = ?2";
const std::string kListAllBuckets = "SELECT " + kBucketColumns + " FROM buckets WHERE name > ?1 ORDER BY name LIMIT ?2";
const std::string kListBucketConfigs = "SELECT name, value FROM bucket_configs WHERE bucket = ?1 ORDER BY name";

const std::string kObjectColumns =
    "bucket, key, size, etag, crc64, last_modified_ms, object_type, storage_class, acl, content_type,"
    " headers, user_meta, tags, segments";
const std::string kSelectObject = "SELECT " + kObjectColumns + " FROM objects WHERE bucket = ?1 AND key = ?2";
const std::string kSelectSegments = "SELECT segments FROM objects WHERE bucket = ?1 AND key = ?2";
const std::string kReplaceObject = "INSERT OR REPLACE INTO objects (" + kObjectColumns +
                                   ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
const std::string kDeleteObject = "DELETE FROM objects WHERE bucket = ?1 AND key = ?2";
const std::string kSetObjectAcl = "UPDATE objects SET acl = ?3 WHERE bucket = ?1 AND key = ?2";
const std::string kSetObjectTags = "UPDATE objects SET tags = ?3 WHERE bucket = ?1 AND key = ?2";

const std::string kRetainBlob =
    "INSERT INTO live_blobs (blob_id, refs) VALUES (?1, 1)"
    " ON CONFLICT (blob_id) DO UPDATE SET refs = refs + 1";
const std::string kDecrementBlob = "UPDATE live_blobs SET refs = refs - 1 WHERE blob_id = ?1 AND refs > 1";
const std::string kDropBlob = "DELETE FROM live_blobs WHERE blob_id = ?1";
const std::string kBlobReferenced = "SELECT 1 FROM live_blobs WHERE blob_id = ?1";

const std::string kUploadColumns = "upload_id, bucket, key, initiated_ms, template";
const std::string kInsertUpload =
    "INSERT INTO uploads (" + kUploadColumns + ") VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (upload_id) DO NOTHING";
const std::string kSelectUpload = "SELECT " + kUploadColumns + " FROM uploads WHERE upload_id = ?1";
const std::string kDeleteUpload = "DELETE FROM uploads WHERE upload_id = ?1";
const std::string kPartColumns = "part_number, etag, md5_hex, crc64, size, last_modified_ms, blob_id";
const std::string kSelectPartBlob = "SELECT blob_id FROM parts WHERE upload_id = ?1 AND part_number = ?2";
const std::string kUpsertPart =
    "INSERT INTO parts (upload_id, " + kPartColumns +
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (upload_id, part_number) DO UPDATE SET"
    " etag = excluded.etag, md5_hex = excluded.md5_hex, crc64 = excluded.crc64, size = excluded.size,"
    " last_modified_ms = excluded.last_modified_ms, blob_id = excluded.blob_id";
const std::string kListParts = "SELECT " + kPartColumns +
                               " FROM parts WHERE upload_id = ?1 AND part_number > ?2"
                               " ORDER BY part_number LIMIT ?3";
const std::string kPartBlobs = "SELECT blob_id FROM parts WHERE upload_id = ?1";
const std::string kDeleteParts = "DELETE FROM parts WHERE upload_id = ?1";

// Range scans for listings. Parameters: ?1 bucket, ?2 lower key, ?3/?4 the
// tie-break of a row cursor, ?5 upper key (exclusive), ?6 limit.
std::string object_scan_sql(listing::Seek<ObjectSummary>::Mode mode, bool bounded) {
  std::string sql =
      "SELECT key, size, etag, last_modified_ms, object_type, storage_class FROM objects WHERE bucket = ?1";
  sql += mode == listing::Seek<ObjectSummary>::Mode::FromKey ? " AND key >= ?2" : " AND key > ?2";
  if (bounded) sql += " AND key < ?5";
  sql += " ORDER BY key LIMIT ?6";
  return sql;
}

std::string upload_scan_sql(listing::Seek<UploadRecord>::Mode mode, bool bounded) {
  using Mode = listing::Seek<UploadRecord>::Mode;
  std::string sql = "SELECT " + kUploadColumns + " FROM uploads WHERE bucket = ?1";
  switch (mode) {
    case Mode::FromKey: sql += " AND key >= ?2"; break;
    case Mode::AfterKey: sql += " AND key > ?2"; break;
    case Mode::AfterRow: sql += " AND (key, initiated_ms, upload_id) > (?2, ?3, ?4)"; break;
  }
  if (bounded) sql += " AND key < ?5";
  sql += " ORDER BY key, initiated_ms, upload_id LIMIT ?6";
  return sql;
}

// ---------------------------------------------------------------- errors

Error no_such_bucket(const std::string& bucket) { return Error(ErrorCode::NoSuchBucket).with("BucketName", bucket); }
Error no_such_key(const std::string& key) { return Error(ErrorCode::NoSuchKey).with("Key", key); }
Error no_such_upload(const std::string& upload_id) {
  return Error(ErrorCode::NoSuchUpload).with("UploadId", upload_id);
}

// ---------------------------------------------------------------- helpers

int64_t as_column(uint64_t value) { return static_cast<int64_t>(value); }
uint64_t from_column(int64_t value) { return static_cast<uint64_t>(value); }

Result<bool> has_row(Connection& c, const std::string& sql, const std::string& param) {
  auto q = c.query(sql);
  if (!q.ok()) return std::move(q).error();
  q->bind_text(1, param);
  return q->step();
}

Result<bool> bucket_exists(Connection& c, const std::string& bucket) { return has_row(c, kBucketExists, bucket); }

Status require_bucket(Connection& c, const std::string& bucket) {
  auto exists = bucket_exists(c, bucket);
  if (!exists.ok()) return std::move(exists).error();
  if (!*exists) return no_such_bucket(bucket);
  return ok_status();
}

BucketRecord bucket_from_row(const Query& q) {
  BucketRecord b;
  b.name = q.column_text(0);
  b.owner_id = q.column_text(1);
  b.acl = q.column_text(2);
  b.storage_class = q.column_text(3);
  b.region = q.column_text(4);
  b.created_ms = q.column_int(5);
  return b;
}

// Every row the query still has.
Result<std::vector<BucketRecord>> buckets_from_rows(Query& q) {
  std::vector<BucketRecord> buckets;
  while (true) {
    auto row = q.step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) break;
    buckets.push_back(bucket_from_row(q));
  }
  return buckets;
}

// NoSuchBucket when there is none.
Result<BucketRecord> select_bucket(Connection& c, const std::string& name) {
  auto q = c.query(kSelectBucket);
  if (!q.ok()) return std::move(q).error();
  q->bind_text(1, name);
  auto row = q->step();
  if (!row.ok()) return std::move(row).error();
  if (!*row) return no_such_bucket(name);
  return bucket_from_row(*q);
}

Result<BucketWithConfig> select_bucket_with_config(Connection& c, const std::string& bucket, const std::string& name) {
  auto record = select_bucket(c, bucket);
  if (!record) return std::move(record).error();
  BucketWithConfig found{std::move(record).value(), std::nullopt};
  auto config = c.query(kSelectBucketConfig);
  if (!config.ok()) return std::move(config).error();
  config->bind_text(1, bucket).bind_text(2, name);
  auto config_row = config->step();
  if (!config_row.ok()) return std::move(config_row).error();
  if (*config_row) found.config = config->column_text(0);
  return found;
}

Result<ObjectRecord> object_from_row(const Query& q) {
  ObjectRecord o;
  o.bucket = q.column_text(0);
  o.key = q.column_text(1);
  o.size = from_column(q.column_int(2));
  o.etag = q.column_text(3);
  o.crc64 = from_column(q.column_int(4));
  o.last_modified_ms = q.column_int(5);
  o.object_type = q.column_text(6);
  o.storage_class = q.column_text(7);
  o.acl = q.column_text(8);
  o.content_type = q.column_text(9);
  auto headers = sqlite::decode_pairs(q.column_text(10));
  if (!headers.ok()) return std::move(headers).error();
  auto user_meta = sqlite::decode_pairs(q.column_text(11));
  if (!user_meta.ok()) return std::move(user_meta).error();
  auto tags = sqlite::decode_pairs(q.column_text(12));
  if (!tags.ok()) return std::move(tags).error();
  auto segments = sqlite::decode_segments(q.column_text(13));
  if (!segments.ok()) return std::move(segments).error();
  o.headers = std::move(headers).value();
  o.user_meta = std::move(user_meta).value();
  o.tags = std::move(tags).value();
  o.segments = std::move(segments).value();
  return o;
}

Result<std::optional<ObjectRecord>> load_object(Connection& c, const std::string& bucket, const std::string& key) {
  auto q = c.query(kSelectObject);
  if (!q.ok()) return std::move(q).error();
  q->bind_text(1, bucket).bind_text(2, key);
  auto row = q->step();
  if (!row.ok()) return std::move(row).error();
  if (!*row) return std::optional<ObjectRecord>();
  auto object = object_from_row(*q);
  if (!object.ok()) return std::move(object).error();
  return std::optional<ObjectRecord>(std::move(object).value());
}

Result<std::optional<std::vector<Segment>>> load_segments(Connection& c, const std::string& bucket,
                                                          const std::string& key) {
  auto q = c.query(kSelectSegments);
  if (!q.ok()) return std::move(q).error();
  q->bind_text(1, bucket).bind_text(2, key);
  auto row = q->step();
  if (!row.ok()) return std::move(row).error();
  if (!*row) return std::optional<std::vector<Segment>>();
  auto segments = sqlite::decode_segments(q->column_text(0));
  if (!segments.ok()) return std::move(segments).error();
  return std::optional<std::vector<Segment>>(std::move(segments).value());
}

Status store_object(Connection& c, const ObjectRecord& o) {
  auto headers = sqlite::encode_pairs(o.headers);
  if (!headers.ok()) return std::move(headers).error();
  auto user_meta = sqlite::encode_pairs(o.user_meta);
  if (!user_meta.ok()) return std::move(user_meta).error();
  auto tags = sqlite::encode_pairs(o.tags);
  if (!tags.ok()) return std::move(tags).error();
  auto segments = sqlite::encode_segments(o.segments);
  if (!segments.ok()) return std::move(segments).error();
  auto q = c.query(kReplaceObject);
  if (!q.ok()) return std::move(q).error();
  q->bind_text(1, o.bucket)
      .bind_text(2, o.key)
      .bind_int(3, as_column(o.size))
      .bind_text(4, o.etag)
      .bind_int(5, as_column(o.crc64))
      .bind_int(6, o.last_modified_ms)
      .bind_text(7, o.object_type)
      .bind_text(8, o.storage_class)
      .bind_text(9, o.acl)
      .bind_text(10, o.content_type)
      .bind_text(11, *headers)
      .bind_text(12, *user_meta)
      .bind_text(13, *tags)
      .bind_text(14, *segments);
  return q->run();
}

Status retain_blob(Connection& c, const std::string& blob_id) {
  auto q = c.query(kRetainBlob);
  if (!q.ok()) return std::move(q).error();
  q->bind_text(1, blob_id);
  return q->run();
}

Status retain_segments(Connection& c, const std::vector<Segment>& segments) {
  for (const Segment& s : segments) {
    if (auto st = retain_blob(c, s.blob_id); !st) return st;
  }
  return ok_status();
}

// Drops one reference; a blob whose last reference goes is added to `freed`.
Status release_blob(Connection& c, const std::string& blob_id, BlobIds& freed) {
  {
    auto q = c.query(kDecrementBlob);
    if (!q.ok()) return std::move(q).error();
    q->bind_text(1, blob_id);
    if (auto st = q->run(); !st) return st;
  }
  if (c.changes() > 0) return ok_status();
  auto q = c.query(kDropBlob);
  if (!q.ok()) return std::move(q).error();
  q->bind_text(1, blob_id);
  if (auto st = q->run(); !st) return st;
  // An id with no row at all was never recorded as live; nothing to free.
  if (c.changes() > 0) freed.push_back(blob_id);
  return ok_status();
}

Status release_segments(Connection& c, const std::vector<Segment>& segments, BlobIds& freed) {
  for (const Segment& s : segments) {
    if (auto st = release_blob(c, s.blob_id, freed); !st) return st;
  }
  return ok_status();
}

// Writes `object` over whatever the key held. New references are taken before
// old ones are dropped, so blobs the new record reuses are never freed.
Result<BlobIds> replace_object(Connection& c, const ObjectRecord& object,
                               const std::optional<std::vector<Segment>>& previous) {
  BlobIds freed;
  if (auto st = store_object(c, object); !st) return std::move(st).error();
  if (auto st = retain_segments(c, object.segments); !st) return std::move(st).error();
  if (previous) {
    if (auto st = release_segments(c, *previous, freed); !st) return std::move(st).error();
  }
  return freed;
}

Result<UploadRecord> upload_from_row(const Query& q) {
  auto object = sqlite::decode_object_template(q.column_text(4));
  if (!object.ok()) return std::move(object).error();
  UploadRecord u;
  u.upload_id = q.column_text(0);
  u.bucket = q.column_text(1);
  u.key = q.column_text(2);
  u.initiated_ms = q.column_int(3);
  u.object = std::move(object).value();
  u.object.bucket = u.bucket;
  u.object.key = u.key;
  return u;
}

Result<std::optional<UploadRecord>> load_upload(Connection& c, const std::string& upload_id) {
  auto q = c.query(kSelectUpload);
  if (!q.ok()) return std::move(q).error();
  q->bind_text(1, upload_id);
  auto row = q->step();
  if (!row.ok()) return std::move(row).error();
  if (!*row) return std::optional<UploadRecord>();
  auto upload = upload_from_row(*q);
  if (!upload.ok()) return std::move(upload).error();
  return std::optional<UploadRecord>(std::move(upload).value());
}

// The upload `upload_id` of bucket/key, or the error naming what is missing.
Result<UploadRecord> find_upload(Connection& c, const std::string& bucket, const std::string& key,
                                 const std::string& upload_id) {
  auto upload = load_upload(c, upload_id);
  if (!upload.ok()) return std::move(upload).error();
  if (*upload && (*upload)->bucket == bucket && (*upload)->key == key) return std::move(**upload);
  if (auto st = require_bucket(c, bucket); !st) return std::move(st).error();
  return no_such_upload(upload_id);
}

Result<BlobIds> part_blobs(Connection& c, const std::string& upload_id) {
  auto q = c.query(kPartBlobs);
  if (!q.ok()) return std::move(q).error();
  q->bind_text(1, upload_id);
  BlobIds blobs;
  while (true) {
    auto row = q->step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) break;
    blobs.push_back(q->column_text(0));
  }
  return blobs;
}

// Deletes the upload and its parts, dropping the parts' blob references.
Status drop_upload(Connection& c, const std::string& upload_id, BlobIds& freed) {
  auto blobs = part_blobs(c, upload_id);
  if (!blobs.ok()) return std::move(blobs).error();
  for (const std::string& sql : {kDeleteParts, kDeleteUpload}) {
    auto q = c.query(sql);
    if (!q.ok()) return std::move(q).error();
    q->bind_text(1, upload_id);
    if (auto st = q->run(); !st) return st;
  }
  for (const std::string& blob : *blobs) {
    if (auto st = release_blob(c, blob, freed); !st) return st;
  }
  return ok_status();
}

// ---------------------------------------------------------------- readers

using ReaderPool = ConnectionLeases<Connection>;

Result<std::unique_ptr<Connection>> open_reader(const std::filesystem::path& file) {
  auto connection = Connection::open(file);
  if (!connection.ok()) return connection;
  if (auto st = (*connection)->exec(kReaderPragmas); !st) return std::move(st).error();
  return connection;
}

// ---------------------------------------------------------------- the store

class SqliteMetadataStore final : public MetadataStore {
 public:
  SqliteMetadataStore(std::unique_ptr<Connection> writer, const std::filesystem::path& file, size_t max_readers)
      : writer_(std::move(writer)), readers_([file] { return open_reader(file); }, max_readers) {}

  Status create_bucket(const BucketRecord& bucket) override {
    return write([&](Connection& c) -> Status {
      auto q = c.query(kInsertBucket);
      if (!q.ok()) return std::move(q).error();
      q->bind_text(1, bucket.name)
          .bind_text(2, bucket.owner_id)
          .bind_text(3, bucket.acl)
          .bind_text(4, bucket.storage_class)
          .bind_text(5, bucket.region)
          .bind_int(6, bucket.created_ms);
      if (auto st = q->run(); !st) return st;
      if (c.changes() == 0) return Error(ErrorCode::BucketAlreadyExists).with("BucketName", bucket.name);
      return ok_status();
    });
  }

  Result<BucketRecord> get_bucket(const std::string& name) override {
    return read([&](Connection& c) { return select_bucket(c, name); });
  }

  Result<BucketWithConfig> get_bucket_with_config(const std::string& bucket, const std::string& name) override {
    return read([&](Connection& c) { return select_bucket_with_config(c, bucket, name); });
  }

  Result<BucketConfigAndObject> get_bucket_config_and_object(const std::string& bucket, const std::string& name,
                                                             const std::string& key) override {
    return read([&](Connection& c) -> Result<BucketConfigAndObject> {
      auto found = select_bucket_with_config(c, bucket, name);
      if (!found) return std::move(found).error();
      auto object = load_object(c, bucket, key);
      if (!object.ok()) return std::move(object).error();
      return BucketConfigAndObject{std::move(found).value(), std::move(object).value()};
    });
  }

  Result<std::vector<BucketRecord>> list_buckets(const std::string& owner_id, const std::string& prefix,
                                                 const std::string& marker, uint32_t max_keys,
                                                 bool* truncated) override {
    auto listed = read([&](Connection& c) -> Result<std::vector<BucketRecord>> {
      const std::optional<std::string> upper = listing::prefix_successor(prefix);
      auto q = c.query(upper ? kListBucketsBounded : kListBucketsUnbounded);
      if (!q.ok()) return std::move(q).error();
      q->bind_text(1, owner_id).bind_text(2, marker).bind_text(3, prefix).bind_int(5, int64_t{max_keys} + 1);
      if (upper) q->bind_text(4, *upper);
      return buckets_from_rows(*q);
    });
    return listing::trim_to_page(std::move(listed), max_keys, truncated);
  }

  Status delete_bucket(const std::string& name) override {
    return write([&](Connection& c) -> Status {
      if (auto st = require_bucket(c, name); !st) return st;
      for (const std::string* sql : {&kAnyObject, &kAnyUpload}) {
        auto found = has_row(c, *sql, name);
        if (!found.ok()) return std::move(found).error();
        if (*found) return Error(ErrorCode::BucketNotEmpty).with("BucketName", name);
      }
      for (const std::string* sql : {&kDeleteBucketConfigs, &kDeleteBucket}) {
        auto q = c.query(*sql);
        if (!q.ok()) return std::move(q).error();
        q->bind_text(1, name);
        if (auto st = q->run(); !st) return st;
      }
      return ok_status();
    });
  }

  Status set_bucket_acl(const std::string& name, const std::string& acl) override {
    return write([&](Connection& c) -> Status {
      auto q = c.query(kSetBucketAcl);
      if (!q.ok()) return std::move(q).error();
      q->bind_text(1, name).bind_text(2, acl);
      if (auto st = q->run(); !st) return st;
      if (c.changes() == 0) return no_such_bucket(name);
      return ok_status();
    });
  }

  Status set_bucket_config(const std::string& bucket, const std::string& name,
                           const std::optional<std::string>& value) override {
    return write([&](Connection& c) -> Status {
      if (auto st = require_bucket(c, bucket); !st) return st;
      auto q = c.query(value ? kUpsertBucketConfig : kDeleteBucketConfig);
      if (!q.ok()) return std::move(q).error();
      q->bind_text(1, bucket).bind_text(2, name);
      if (value) q->bind_text(3, *value);
      return q->run();
    });
  }

  // SQLite runs one write transaction at a time, so the read and the write
  // below cannot interleave with another writer's.
  Result<bool> replace_bucket_config(const std::string& bucket, const std::string& name,
                                     const std::optional<std::string>& expected,
                                     const std::optional<std::string>& value) override {
    return write([&](Connection& c) -> Result<bool> {
      if (auto st = require_bucket(c, bucket); !st) return std::move(st).error();
      auto select = c.query(kSelectBucketConfig);
      if (!select.ok()) return std::move(select).error();
      select->bind_text(1, bucket).bind_text(2, name);
      auto row = select->step();
      if (!row.ok()) return std::move(row).error();
      std::optional<std::string> current;
      if (*row) current = select->column_text(0);
      if (current != expected) return false;
      auto q = c.query(value ? kUpsertBucketConfig : kDeleteBucketConfig);
      if (!q.ok()) return std::move(q).error();
      q->bind_text(1, bucket).bind_text(2, name);
      if (value) q->bind_text(3, *value);
      if (auto st = q->run(); !st) return std::move(st).error();
      return true;
    });
  }

  Result<std::optional<std::string>> get_bucket_config(const std::string& bucket, const std::string& name) override {
    return read([&](Connection& c) -> Result<std::optional<std::string>> {
      if (auto st = require_bucket(c, bucket); !st) return std::move(st).error();
      auto q = c.query(kSelectBucketConfig);
      if (!q.ok()) return std::move(q).error();
      q->bind_text(1, bucket).bind_text(2, name);
      auto row = q->step();
      if (!row.ok()) return std::move(row).error();
      if (!*row) return std::optional<std::string>();
      return std::optional<std::string>(q->column_text(0));
    });
  }

  Result<std::vector<BucketRecord>> list_all_buckets(const std::string& marker, uint32_t max_keys,
                                                     bool* truncated) override {
    auto listed = read([&](Connection& c) -> Result<std::vector<BucketRecord>> {
      auto q = c.query(kListAllBuckets);
      if (!q.ok()) return std::move(q).error();
      q->bind_text(1, marker).bind_int(2, int64_t{max_keys} + 1);
      return buckets_from_rows(*q);
    });
    return listing::trim_to_page(std::move(listed), max_keys, truncated);
  }

  Result<Pairs> list_bucket_configs(const std::string& bucket) override {
    return read([&](Connection& c) -> Result<Pairs> {
      if (auto st = require_bucket(c, bucket); !st) return std::move(st).error();
      auto q = c.query(kListBucketConfigs);
      if (!q.ok()) return std::move(q).error();
      q->bind_text(1, bucket);
      Pairs configs;
      while (true) {
        auto row = q->step();
        if (!row.ok()) return std::move(row).error();
        if (!*row) break;
        configs.emplace_back(q->column_text(0), q->column_text(1));
      }
      return configs;
    });
  }

  Result<BlobIds> put_object(const ObjectRecord& object, const PutConditions& conditions) override {
    return write([&](Connection& c) -> Result<BlobIds> {
      if (auto st = require_bucket(c, object.bucket); !st) return std::move(st).error();
      auto previous = load_segments(c, object.bucket, object.key);
      if (!previous.ok()) return std::move(previous).error();
      if (*previous && conditions.forbid_overwrite) return Error(ErrorCode::FileAlreadyExists);
      return replace_object(c, object, *previous);
    });
  }

  Result<ObjectRecord> get_object(const std::string& bucket, const std::string& key) override {
    // The hot read of every GET: one SELECT is already a consistent snapshot,
    // so no explicit transaction; the bucket check only runs on a miss.
    return read_single([&](Connection& c) -> Result<ObjectRecord> {
      auto object = load_object(c, bucket, key);
      if (!object.ok()) return std::move(object).error();
      if (*object) return std::move(**object);
      if (auto st = require_bucket(c, bucket); !st) return std::move(st).error();
      return no_such_key(key);
    });
  }

  Result<BlobIds> delete_object(const std::string& bucket, const std::string& key) override {
    return write([&](Connection& c) -> Result<BlobIds> {
      if (auto st = require_bucket(c, bucket); !st) return std::move(st).error();
      auto previous = load_segments(c, bucket, key);
      if (!previous.ok()) return std::move(previous).error();
      BlobIds freed;
      if (!*previous) return freed;
      auto q = c.query(kDeleteObject);
      if (!q.ok()) return std::move(q).error();
      q->bind_text(1, bucket).bind_text(2, key);
      if (auto st = q->run(); !st) return std::move(st).error();
      if (auto st = release_segments(c, **previous, freed); !st) return std::move(st).error();
      return freed;
    });
  }

  Result<ObjectRecord> append_object(const ObjectRecord& initial, uint64_t position, const Segment& segment,
                                     uint64_t segment_crc64) override {
    return write([&](Connection& c) -> Result<ObjectRecord> {
      if (auto st = require_bucket(c, initial.bucket); !st) return std::move(st).error();
      auto existing = load_object(c, initial.bucket, initial.key);
      if (!existing.ok()) return std::move(existing).error();
      auto record = append_segment(std::move(*existing), initial, position, segment, segment_crc64);
      if (!record.ok()) return record;
      if (auto st = store_object(c, *record); !st) return std::move(st).error();
      if (auto st = retain_blob(c, segment.blob_id); !st) return std::move(st).error();
      return record;
    });
  }

  Status set_object_acl(const std::string& bucket, const std::string& key, const std::string& acl) override {
    return update_object_column(kSetObjectAcl, bucket, key, acl);
  }

  Status set_object_tags(const std::string& bucket, const std::string& key, const Pairs& tags) override {
    auto encoded = sqlite::encode_pairs(tags);
    if (!encoded.ok()) return std::move(encoded).error();
    return update_object_column(kSetObjectTags, bucket, key, *encoded);
  }

  Result<ListResult> list_objects(const std::string& bucket, const ListQuery& query) override {
    using Seek = listing::Seek<ObjectSummary>;
    return read([&](Connection& c) -> Result<ListResult> {
      if (auto st = require_bucket(c, bucket); !st) return std::move(st).error();
      auto fetch = [&](const Seek& seek, const std::optional<std::string>& upper,
                       size_t limit) -> Result<std::vector<ObjectSummary>> {
        auto q = c.query(object_scan_sql(seek.mode, upper.has_value()));
        if (!q.ok()) return std::move(q).error();
        q->bind_text(1, bucket).bind_text(2, seek.key).bind_int(6, static_cast<int64_t>(limit));
        if (upper) q->bind_text(5, *upper);
        std::vector<ObjectSummary> rows;
        while (true) {
          auto row = q->step();
          if (!row.ok()) return std::move(row).error();
          if (!*row) break;
          rows.push_back({q->column_text(0), from_column(q->column_int(1)), q->column_text(2), q->column_int(3),
                          q->column_text(4), q->column_text(5)});
        }
        return rows;
      };
      return listing::list_objects_page(query, fetch);
    });
  }

  Status create_upload(const UploadRecord& upload) override {
    auto encoded = sqlite::encode_object_template(upload.object);
    if (!encoded.ok()) return std::move(encoded).error();
    return write([&](Connection& c) -> Status {
      if (auto st = require_bucket(c, upload.bucket); !st) return st;
      auto q = c.query(kInsertUpload);
      if (!q.ok()) return std::move(q).error();
      q->bind_text(1, upload.upload_id)
          .bind_text(2, upload.bucket)
          .bind_text(3, upload.key)
          .bind_int(4, upload.initiated_ms)
          .bind_text(5, *encoded);
      if (auto st = q->run(); !st) return st;
      if (c.changes() == 0) return Error(ErrorCode::InternalError, "upload id already in use");
      return ok_status();
    });
  }

  Result<UploadRecord> get_upload(const std::string& bucket, const std::string& key,
                                  const std::string& upload_id) override {
    return read([&](Connection& c) { return find_upload(c, bucket, key, upload_id); });
  }

  Result<BlobIds> put_part(const std::string& upload_id, const PartRecord& part) override {
    return write([&](Connection& c) -> Result<BlobIds> {
      auto upload = load_upload(c, upload_id);
      if (!upload.ok()) return std::move(upload).error();
      if (!*upload) return no_such_upload(upload_id);
      std::optional<std::string> previous_blob;
      {
        auto q = c.query(kSelectPartBlob);
        if (!q.ok()) return std::move(q).error();
        q->bind_text(1, upload_id).bind_int(2, part.part_number);
        auto row = q->step();
        if (!row.ok()) return std::move(row).error();
        if (*row) previous_blob = q->column_text(0);
      }
      auto q = c.query(kUpsertPart);
      if (!q.ok()) return std::move(q).error();
      q->bind_text(1, upload_id)
          .bind_int(2, part.part_number)
          .bind_text(3, part.etag)
          .bind_text(4, part.md5_hex)
          .bind_int(5, as_column(part.crc64))
          .bind_int(6, as_column(part.size))
          .bind_int(7, part.last_modified_ms)
          .bind_text(8, part.blob_id);
      if (auto st = q->run(); !st) return std::move(st).error();
      if (auto st = retain_blob(c, part.blob_id); !st) return std::move(st).error();
      BlobIds freed;
      if (previous_blob) {
        if (auto st = release_blob(c, *previous_blob, freed); !st) return std::move(st).error();
      }
      return freed;
    });
  }

  Result<std::vector<PartRecord>> list_parts(const std::string& upload_id, uint32_t marker, uint32_t max_parts,
                                             bool* truncated) override {
    auto listed = read([&](Connection& c) -> Result<std::vector<PartRecord>> {
      auto upload = load_upload(c, upload_id);
      if (!upload.ok()) return std::move(upload).error();
      if (!*upload) return no_such_upload(upload_id);
      auto q = c.query(kListParts);
      if (!q.ok()) return std::move(q).error();
      q->bind_text(1, upload_id).bind_int(2, marker).bind_int(3, int64_t{max_parts} + 1);
      std::vector<PartRecord> parts;
      while (true) {
        auto row = q->step();
        if (!row.ok()) return std::move(row).error();
        if (!*row) break;
        PartRecord p;
        p.part_number = static_cast<uint32_t>(q->column_int(0));
        p.etag = q->column_text(1);
        p.md5_hex = q->column_text(2);
        p.crc64 = from_column(q->column_int(3));
        p.size = from_column(q->column_int(4));
        p.last_modified_ms = q->column_int(5);
        p.blob_id = q->column_text(6);
        parts.push_back(std::move(p));
      }
      return parts;
    });
    if (!listed.ok()) return listed;
    const bool more = listed->size() > max_parts;
    if (more) listed->resize(max_parts);
    if (truncated != nullptr) *truncated = more;
    return listed;
  }

  Result<BlobIds> complete_upload(const std::string& upload_id, const std::vector<PartRecord>& used,
                                  const ObjectRecord& object, const PutConditions& conditions) override {
    return write([&](Connection& c) -> Result<BlobIds> {
      auto upload = load_upload(c, upload_id);
      if (!upload.ok()) return std::move(upload).error();
      if (!*upload) return no_such_upload(upload_id);
      if ((*upload)->bucket != object.bucket || (*upload)->key != object.key) {
        return Error(ErrorCode::InvalidArgument, "the completed object must have the upload's bucket and key");
      }
      for (const PartRecord& part : used) {
        auto q = c.query(kSelectPartBlob);
        if (!q.ok()) return std::move(q).error();
        q->bind_text(1, upload_id).bind_int(2, part.part_number);
        auto row = q->step();
        if (!row.ok()) return std::move(row).error();
        if (!*row || q->column_text(0) != part.blob_id) {
          return Error(ErrorCode::InvalidPart)
              .with("UploadId", upload_id)
              .with("PartNumber", std::to_string(part.part_number));
        }
      }
      auto previous = load_segments(c, object.bucket, object.key);
      if (!previous.ok()) return std::move(previous).error();
      if (*previous && conditions.forbid_overwrite) return Error(ErrorCode::FileAlreadyExists);
      auto freed = replace_object(c, object, *previous);
      if (!freed.ok()) return freed;
      if (auto st = drop_upload(c, upload_id, *freed); !st) return std::move(st).error();
      return freed;
    });
  }

  Result<BlobIds> abort_upload(const std::string& bucket, const std::string& key,
                               const std::string& upload_id) override {
    return write([&](Connection& c) -> Result<BlobIds> {
      auto upload = find_upload(c, bucket, key, upload_id);
      if (!upload.ok()) return std::move(upload).error();
      BlobIds freed;
      if (auto st = drop_upload(c, upload_id, freed); !st) return std::move(st).error();
      return freed;
    });
  }

  Result<UploadListResult> list_uploads(const std::string& bucket, const UploadListQuery& query) override {
    using Seek = listing::Seek<UploadRecord>;
    return read([&](Connection& c) -> Result<UploadListResult> {
      if (auto st = require_bucket(c, bucket); !st) return std::move(st).error();
      auto start = upload_listing_start(c, bucket, query);
      if (!start.ok()) return std::move(start).error();
      auto fetch = [&](const Seek& seek, const std::optional<std::string>& upper,
                       size_t limit) -> Result<std::vector<UploadRecord>> {
        auto q = c.query(upload_scan_sql(seek.mode, upper.has_value()));
        if (!q.ok()) return std::move(q).error();
        q->bind_text(1, bucket).bind_text(2, seek.key).bind_int(6, static_cast<int64_t>(limit));
        if (seek.mode == Seek::Mode::AfterRow) q->bind_int(3, seek.row->initiated_ms).bind_text(4, seek.row->upload_id);
        if (upper) q->bind_text(5, *upper);
        std::vector<UploadRecord> rows;
        while (true) {
          auto row = q->step();
          if (!row.ok()) return std::move(row).error();
          if (!*row) break;
          auto upload = upload_from_row(*q);
          if (!upload.ok()) return std::move(upload).error();
          rows.push_back(std::move(upload).value());
        }
        return rows;
      };
      return listing::list_uploads_page(query, std::move(start).value(), fetch);
    });
  }

  Result<std::vector<bool>> blobs_referenced(const std::vector<std::string>& blob_ids) override {
    return read([&](Connection& c) -> Result<std::vector<bool>> {
      std::vector<bool> referenced;
      referenced.reserve(blob_ids.size());
      for (const std::string& id : blob_ids) {
        auto found = has_row(c, kBlobReferenced, id);
        if (!found.ok()) return std::move(found).error();
        referenced.push_back(*found);
      }
      return referenced;
    });
  }

 private:
  template <class Body>
  auto write(Body&& body) -> std::invoke_result_t<Body&, Connection&> {
    std::lock_guard lock(writer_mutex_);
    return in_transaction(*writer_, "BEGIN IMMEDIATE", body);
  }

  template <class Body>
  auto read(Body&& body) -> std::invoke_result_t<Body&, Connection&> {
    auto lease = readers_.acquire();
    if (!lease.ok()) return std::move(lease).error();
    // One snapshot for the whole call, even across several statements.
    return in_transaction(lease->connection(), "BEGIN", body);
  }

  // For a call whose consistency a single statement already gives.
  template <class Body>
  auto read_single(Body&& body) -> std::invoke_result_t<Body&, Connection&> {
    auto lease = readers_.acquire();
    if (!lease.ok()) return std::move(lease).error();
    return body(lease->connection());
  }

  Status update_object_column(const std::string& sql, const std::string& bucket, const std::string& key,
                              const std::string& value) {
    return write([&](Connection& c) -> Status {
      auto q = c.query(sql);
      if (!q.ok()) return std::move(q).error();
      q->bind_text(1, bucket).bind_text(2, key).bind_text(3, value);
      if (auto st = q->run(); !st) return st;
      if (c.changes() > 0) return ok_status();
      if (auto st = require_bucket(c, bucket); !st) return st;
      return no_such_key(key);
    });
  }

  // Where a ListMultipartUploads page starts. With an upload-id marker the
  // page resumes right after that upload among the uploads of key_marker; if
  // that upload is gone meanwhile, it resumes at the first upload of
  // key_marker (repeating some rather than skipping any).
  static Result<listing::Seek<UploadRecord>> upload_listing_start(Connection& c, const std::string& bucket,
                                                                  const UploadListQuery& query) {
    using Seek = listing::Seek<UploadRecord>;
    if (query.key_marker.empty() || query.key_marker < query.prefix) {
      return Seek{Seek::Mode::FromKey, query.prefix, std::nullopt};
    }
    if (query.upload_id_marker.empty()) return Seek{Seek::Mode::AfterKey, query.key_marker, std::nullopt};
    auto marker = load_upload(c, query.upload_id_marker);
    if (!marker.ok()) return std::move(marker).error();
    if (*marker && (*marker)->bucket == bucket && (*marker)->key == query.key_marker) {
      return Seek{Seek::Mode::AfterRow, query.key_marker, std::move(**marker)};
    }
    return Seek{Seek::Mode::FromKey, query.key_marker, std::nullopt};
  }

  std::mutex writer_mutex_;
  std::unique_ptr<Connection> writer_;
  ReaderPool readers_;
};

}  // namespace

Result<std::unique_ptr<MetadataStore>> open_sqlite_store(const std::filesystem::path& db_file,
                                                         SqliteStoreOptions options) {
  auto writer = Connection::open(db_file);
  if (!writer.ok()) return std::move(writer).error();
  if (auto st = (*writer)->exec(kWriterPragmas); !st) return std::move(st).error();
  if (auto st = (*writer)->enable_wal("metadata database"); !st) return std::move(st).error();
  if (auto st = sqlite::migrate(**writer); !st) return std::move(st).error();
  return std::unique_ptr<MetadataStore>(
      new SqliteMetadataStore(std::move(writer).value(), db_file, options.max_readers));
}

}  // namespace ossd::meta
