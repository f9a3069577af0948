#include "meta/pg_store.hpp"

#include <map>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "meta/append_rule.hpp"
#include "meta/listing.hpp"
#include "meta/pg_codec.hpp"
#include "meta/pg_connection.hpp"
#include "meta/pg_schema.hpp"
#include "meta/sqlite_codec.hpp"

namespace ossd::meta {

namespace {

using pg::Access;
using pg::Connection;
using pg::Params;
using pg::Rows;

// The JSON column format is the SQLite store's (plain JSON text, nothing
// SQLite-specific), so both stores hold the same documents.
namespace json_columns = sqlite;

// ---------------------------------------------------------------- SQL text

// Buckets. A writer that adds rows under a bucket takes FOR KEY SHARE on it,
// which blocks delete_bucket's FOR UPDATE until the writer commits.
constexpr const char* kBucketExists = "SELECT 1 FROM buckets WHERE name = $1";
constexpr const char* kLockBucketShared = "SELECT 1 FROM buckets WHERE name = $1 FOR KEY SHARE";
constexpr const char* kLockBucketForDelete = "SELECT 1 FROM buckets WHERE name = $1 FOR UPDATE";
// Serializes compare-and-set writers of one bucket's documents without
// blocking object writes, which hold FOR KEY SHARE.
constexpr const char* kLockBucketForConfigSwap = "SELECT 1 FROM buckets WHERE name = $1 FOR NO KEY UPDATE";
constexpr const char* kCurrentBucketConfig = "SELECT value FROM bucket_configs WHERE bucket = $1 AND name = $2";
constexpr const char* kInsertBucket =
    "INSERT INTO buckets (name, owner_id, acl, storage_class, region, created_ms)"
    " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING";
constexpr const char* kSelectBucket =
    "SELECT name, owner_id, acl, storage_class, region, created_ms FROM buckets WHERE name = $1";
constexpr const char* kSelectBucketWithConfig =
    "SELECT name, owner_id, acl, storage_class, region, created_ms,"
    " (SELECT value FROM bucket_configs WHERE bucket = $1 AND name = $2) FROM buckets WHERE name = $1";
// starts_with rather than a range bound: an owner's buckets are few, and a
// successor of the prefix could be bytes that are not valid text.
constexpr const char* kListBuckets =
    "SELECT name, owner_id, acl, storage_class, region, created_ms FROM buckets"
    " WHERE owner_id = $1 AND name > $2 AND name >= $3 AND starts_with(name, $3) ORDER BY name LIMIT $4";
constexpr const char* kBucketContents =
    "SELECT EXISTS (SELECT 1 FROM objects WHERE bucket = $1), EXISTS (SELECT 1 FROM uploads WHERE bucket = $1)";
constexpr const char* kDeleteBucket = "DELETE FROM buckets WHERE name = $1";  // its configs go by cascade
constexpr const char* kSetBucketAcl = "UPDATE buckets SET acl = $2 WHERE name = $1";
constexpr const char* kUpsertBucketConfig =
    "INSERT INTO bucket_configs (bucket, name, value) VALUES ($1, $2, $3)"
    " ON CONFLICT (bucket, name) DO UPDATE SET value = excluded.value";
constexpr const char* kDeleteBucketConfig = "DELETE FROM bucket_configs WHERE bucket = $1 AND name = $2";
constexpr const char* kSelectBucketConfig =
    "SELECT EXISTS (SELECT 1 FROM buckets WHERE name = $1),"
    " (SELECT value FROM bucket_configs WHERE bucket = $1 AND name = $2)";
constexpr const char* kListAllBuckets =
    "SELECT name, owner_id, acl, storage_class, region, created_ms FROM buckets"
    " WHERE name > $1 ORDER BY name LIMIT $2";
constexpr const char* kListBucketConfigs = "SELECT name, value FROM bucket_configs WHERE bucket = $1 ORDER BY name";

// Objects. Parameters of a whole row: $1 bucket, $2 key, then the columns in order.
#define OSSD_PG_OBJECT_COLUMNS \
  "bucket, key, size, etag, crc64, last_modified_ms, object_type, storage_class, acl, content_type, headers," \
  " user_meta, tags, segments"
constexpr const char* kSelectObject = "SELECT " OSSD_PG_OBJECT_COLUMNS " FROM objects WHERE bucket = $1 AND key = $2";
// Six bucket columns, the document, then the object's columns (all NULL
// when the key is absent). LATERAL keeps the object's column names from
// clashing with the bucket's (acl, storage_class).
constexpr const char* kSelectBucketConfigAndObject =
    "SELECT b.name, b.owner_id, b.acl, b.storage_class, b.region, b.created_ms,"
    " (SELECT value FROM bucket_configs WHERE bucket = $1 AND name = $2), o.*"
    " FROM buckets b LEFT JOIN LATERAL (SELECT " OSSD_PG_OBJECT_COLUMNS
    " FROM objects WHERE bucket = $1 AND key = $3) o ON true WHERE b.name = $1";
constexpr int kObjectColumnsAfterBucketAndConfig = 7;
constexpr const char* kLockObject =
    "SELECT " OSSD_PG_OBJECT_COLUMNS " FROM objects WHERE bucket = $1 AND key = $2 FOR UPDATE";
constexpr const char* kLockObjectSegments = "SELECT segments FROM objects WHERE bucket = $1 AND key = $2 FOR UPDATE";
constexpr const char* kInsertObject = "INSERT INTO objects (" OSSD_PG_OBJECT_COLUMNS
                                      ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
                                      " ON CONFLICT (bucket, key) DO NOTHING";
constexpr const char* kUpdateObject =
    "UPDATE objects SET size = $3, etag = $4, crc64 = $5, last_modified_ms = $6, object_type = $7,"
    " storage_class = $8, acl = $9, content_type = $10, headers = $11, user_meta = $12, tags = $13, segments = $14"
    " WHERE bucket = $1 AND key = $2";
#undef OSSD_PG_OBJECT_COLUMNS
constexpr const char* kDeleteObject = "DELETE FROM objects WHERE bucket = $1 AND key = $2 RETURNING segments";
constexpr const char* kSetObjectAcl = "UPDATE objects SET acl = $3 WHERE bucket = $1 AND key = $2";
constexpr const char* kSetObjectTags = "UPDATE objects SET tags = $3 WHERE bucket = $1 AND key = $2";

// Blob references. The ids of one call are counted first (an object may list
// a blob twice), and taken in id order so two calls lock shared ids alike.
constexpr const char* kRetainBlobs =
    "INSERT INTO live_blobs (blob_id, refs)"
    " SELECT id, count(*) FROM unnest($1::text[]) AS id GROUP BY id ORDER BY id COLLATE \"C\""
    " ON CONFLICT (blob_id) DO UPDATE SET refs = live_blobs.refs + excluded.refs";
// Release in two statements: the decrement locks the rows, so the delete that
// follows sees exactly this call's zeros.
constexpr const char* kDecrementBlobs =
    "UPDATE live_blobs SET refs = live_blobs.refs - dropped.n"
    " FROM (SELECT id, count(*) AS n FROM unnest($1::text[]) AS id GROUP BY id) AS dropped"
    " WHERE live_blobs.blob_id = dropped.id";
constexpr const char* kDeleteUnreferencedBlobs =
    "DELETE FROM live_blobs WHERE blob_id = ANY ($1::text[]) AND refs <= 0 RETURNING blob_id";
constexpr const char* kReferencedBlobs = "SELECT blob_id FROM live_blobs WHERE blob_id = ANY ($1::text[])";

// Multipart uploads. put_part holds its upload FOR SHARE and complete/abort
// FOR UPDATE, so a part never lands in an upload that is going away.
#define OSSD_PG_UPLOAD_COLUMNS "upload_id, bucket, key, initiated_ms, template"
constexpr const char* kInsertUpload =
    "INSERT INTO uploads (" OSSD_PG_UPLOAD_COLUMNS ") VALUES ($1, $2, $3, $4, $5) ON CONFLICT (upload_id) DO NOTHING";
constexpr const char* kSelectUpload = "SELECT " OSSD_PG_UPLOAD_COLUMNS " FROM uploads WHERE upload_id = $1";
constexpr const char* kLockUploadShared =
    "SELECT " OSSD_PG_UPLOAD_COLUMNS " FROM uploads WHERE upload_id = $1 FOR SHARE";
constexpr const char* kLockUploadForEnd =
    "SELECT " OSSD_PG_UPLOAD_COLUMNS " FROM uploads WHERE upload_id = $1 FOR UPDATE";
constexpr const char* kUploadScanColumns = "SELECT " OSSD_PG_UPLOAD_COLUMNS " FROM uploads";
#undef OSSD_PG_UPLOAD_COLUMNS
constexpr const char* kDeleteUpload = "DELETE FROM uploads WHERE upload_id = $1";
constexpr const char* kLockPartBlob = "SELECT blob_id FROM parts WHERE upload_id = $1 AND part_number = $2 FOR UPDATE";
constexpr const char* kInsertPart =
    "INSERT INTO parts (upload_id, part_number, etag, md5_hex, crc64, size, last_modified_ms, blob_id)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (upload_id, part_number) DO NOTHING";
constexpr const char* kUpdatePart =
    "UPDATE parts SET etag = $3, md5_hex = $4, crc64 = $5, size = $6, last_modified_ms = $7, blob_id = $8"
    " WHERE upload_id = $1 AND part_number = $2";
constexpr const char* kListParts =
    "SELECT part_number, etag, md5_hex, crc64, size, last_modified_ms, blob_id FROM parts"
    " WHERE upload_id = $1 AND part_number > $2 ORDER BY part_number LIMIT $3";
constexpr const char* kPartBlobs = "SELECT part_number, blob_id FROM parts WHERE upload_id = $1";
constexpr const char* kDeleteParts = "DELETE FROM parts WHERE upload_id = $1 RETURNING blob_id";

// A key created by another transaction between our look and our insert sends
// the writer round again; more rounds than this means something is wrong.
constexpr int kMaxClaimRounds = 64;

// One statement: its text and the values of its placeholders.
struct Statement {
  std::string sql;
  Params params;
};

// Appends `value` as the next parameter and returns its placeholder ("$3").
template <class Add>
std::string next_placeholder(Params& params, Add&& add) {
  add(params);
  return "$" + std::to_string(params.size());
}

// A page of a listing's range scan over objects (see listing::skip_scan).
Statement object_scan(const std::string& bucket, const listing::Seek<ObjectSummary>& seek,
                      const std::optional<std::string>& upper, size_t limit) {
  using Mode = listing::Seek<ObjectSummary>::Mode;
  Statement s;
  s.params.text(bucket).bytes(seek.key);
  s.sql = "SELECT key, size, etag, last_modified_ms, object_type, storage_class FROM objects WHERE bucket = $1";
  s.sql += seek.mode == Mode::FromKey ? " AND key >= $2" : " AND key > $2";
  if (upper) s.sql += " AND key < " + next_placeholder(s.params, [&](Params& p) { p.bytes(*upper); });
  s.sql +=
      " ORDER BY key LIMIT " + next_placeholder(s.params, [&](Params& p) { p.int64(static_cast<int64_t>(limit)); });
  return s;
}

// The same over uploads, ordered by key, then initiation, then id.
Statement upload_scan(const std::string& bucket, const listing::Seek<UploadRecord>& seek,
                      const std::optional<std::string>& upper, size_t limit) {
  using Mode = listing::Seek<UploadRecord>::Mode;
  Statement s;
  s.params.text(bucket).bytes(seek.key);
  s.sql = std::string(kUploadScanColumns) + " WHERE bucket = $1";
  switch (seek.mode) {
    case Mode::FromKey: s.sql += " AND key >= $2"; break;
    case Mode::AfterKey: s.sql += " AND key > $2"; break;
    case Mode::AfterRow: {
      const std::string initiated = next_placeholder(s.params, [&](Params& p) { p.int64(seek.row->initiated_ms); });
      const std::string id = next_placeholder(s.params, [&](Params& p) { p.text(seek.row->upload_id); });
      s.sql += " AND (key, initiated_ms, upload_id) > ($2, " + initiated + ", " + id + ")";
      break;
    }
  }
  if (upper) s.sql += " AND key < " + next_placeholder(s.params, [&](Params& p) { p.bytes(*upper); });
  s.sql += " ORDER BY key, initiated_ms, upload_id LIMIT " +
           next_placeholder(s.params, [&](Params& p) { p.int64(static_cast<int64_t>(limit)); });
  return s;
}

// ---------------------------------------------------------------- errors

Error no_such_bucket(const std::string& bucket) { return Error(ErrorCode::NoSuchBucket).with("BucketName", bucket); }
Error no_such_key(const std::string& key) { return Error(ErrorCode::NoSuchKey).with("Key", key); }
Error no_such_upload(const std::string& upload_id) {
  return Error(ErrorCode::NoSuchUpload).with("UploadId", upload_id);
}
Error still_changing(const std::string& what) {
  return Error(ErrorCode::ServiceUnavailable, what + " kept changing under concurrent writers");
}

// ---------------------------------------------------------------- row codecs

BucketRecord bucket_from_row(const Rows& rows, int r) {
  BucketRecord b;
  b.name = rows.text(r, 0);
  b.owner_id = rows.text(r, 1);
  b.acl = rows.text(r, 2);
  b.storage_class = rows.text(r, 3);
  b.region = rows.text(r, 4);
  b.created_ms = rows.integer(r, 5);
  return b;
}

// The six bucket columns, then the document (NULL: none).
BucketWithConfig bucket_with_config_from_row(const Rows& rows) {
  BucketWithConfig found{bucket_from_row(rows, 0), std::nullopt};
  if (!rows.is_null(0, 6)) found.config = rows.text(0, 6);
  return found;
}

// Columns in the order of OSSD_PG_OBJECT_COLUMNS, from column `first` on.
Result<ObjectRecord> object_from_row(const Rows& rows, int r, int first = 0) {
  const auto column = [first](int c) { return first + c; };
  ObjectRecord o;
  o.bucket = rows.text(r, column(0));
  o.key = rows.text(r, column(1));
  o.size = rows.unsigned_integer(r, column(2));
  o.etag = rows.text(r, column(3));
  o.crc64 = rows.unsigned_integer(r, column(4));
  o.last_modified_ms = rows.integer(r, column(5));
  o.object_type = rows.text(r, column(6));
  o.storage_class = rows.text(r, column(7));
  o.acl = rows.text(r, column(8));
  o.content_type = rows.text(r, column(9));
  auto headers = json_columns::decode_pairs(rows.bytes(r, column(10)));
  if (!headers.ok()) return std::move(headers).error();
  auto user_meta = json_columns::decode_pairs(rows.bytes(r, column(11)));
  if (!user_meta.ok()) return std::move(user_meta).error();
  auto tags = json_columns::decode_pairs(rows.bytes(r, column(12)));
  if (!tags.ok()) return std::move(tags).error();
  auto segments = json_columns::decode_segments(rows.bytes(r, column(13)));
  if (!segments.ok()) return std::move(segments).error();
  o.headers = std::move(headers).value();
  o.user_meta = std::move(user_meta).value();
  o.tags = std::move(tags).value();
  o.segments = std::move(segments).value();
  return o;
}

// The parameters of a whole object row, in the order of OSSD_PG_OBJECT_COLUMNS.
Result<Params> object_params(const ObjectRecord& o) {
  auto headers = json_columns::encode_pairs(o.headers);
  if (!headers.ok()) return std::move(headers).error();
  auto user_meta = json_columns::encode_pairs(o.user_meta);
  if (!user_meta.ok()) return std::move(user_meta).error();
  auto tags = json_columns::encode_pairs(o.tags);
  if (!tags.ok()) return std::move(tags).error();
  auto segments = json_columns::encode_segments(o.segments);
  if (!segments.ok()) return std::move(segments).error();
  Params p;
  p.text(o.bucket)
      .bytes(o.key)
      .uint64(o.size)
      .text(o.etag)
      .uint64(o.crc64)
      .int64(o.last_modified_ms)
      .text(o.object_type)
      .text(o.storage_class)
      .text(o.acl)
      .bytes(o.content_type)
      .text(*headers)
      .text(*user_meta)
      .text(*tags)
      .text(*segments);
  return p;
}

ObjectSummary summary_from_row(const Rows& rows, int r) {
  return {rows.text(r, 0), rows.unsigned_integer(r, 1), rows.text(r, 2), rows.integer(r, 3), rows.text(r, 4),
          rows.text(r, 5)};
}

// Columns in the order of OSSD_PG_UPLOAD_COLUMNS.
Result<UploadRecord> upload_from_row(const Rows& rows, int r) {
  auto object = json_columns::decode_object_template(rows.bytes(r, 4));
  if (!object.ok()) return std::move(object).error();
  UploadRecord u;
  u.upload_id = rows.text(r, 0);
  u.bucket = rows.text(r, 1);
  u.key = rows.text(r, 2);
  u.initiated_ms = rows.integer(r, 3);
  u.object = std::move(object).value();
  u.object.bucket = u.bucket;
  u.object.key = u.key;
  return u;
}

PartRecord part_from_row(const Rows& rows, int r) {
  PartRecord p;
  p.part_number = static_cast<uint32_t>(rows.integer(r, 0));
  p.etag = rows.text(r, 1);
  p.md5_hex = rows.text(r, 2);
  p.crc64 = rows.unsigned_integer(r, 3);
  p.size = rows.unsigned_integer(r, 4);
  p.last_modified_ms = rows.integer(r, 5);
  p.blob_id = rows.text(r, 6);
  return p;
}

Params part_params(const std::string& upload_id, const PartRecord& part) {
  Params p;
  p.text(upload_id)
      .int64(part.part_number)
      .text(part.etag)
      .text(part.md5_hex)
      .uint64(part.crc64)
      .uint64(part.size)
      .int64(part.last_modified_ms)
      .text(part.blob_id);
  return p;
}

std::vector<std::string> blob_ids_of(const std::vector<Segment>& segments) {
  std::vector<std::string> ids;
  ids.reserve(segments.size());
  for (const Segment& s : segments) ids.push_back(s.blob_id);
  return ids;
}

// ---------------------------------------------------------------- statements in a transaction

Result<bool> has_row(Connection& c, const char* sql, const Params& params) {
  auto rows = c.query(sql, params);
  if (!rows.ok()) return std::move(rows).error();
  return rows->count() > 0;
}

// NoSuchBucket unless the bucket exists; `lock` names the row lock to hold on it.
Status require_bucket(Connection& c, const std::string& bucket, const char* sql = kBucketExists) {
  auto exists = has_row(c, sql, Params().text(bucket));
  if (!exists.ok()) return std::move(exists).error();
  if (!*exists) return no_such_bucket(bucket);
  return ok_status();
}

Status retain_blobs(Connection& c, const std::vector<std::string>& blob_ids) {
  if (blob_ids.empty()) return ok_status();
  return c.execute(kRetainBlobs, Params().text_array(blob_ids));
}

// Drops one reference per id; the ids whose last reference went are added to
// `freed`. An id with no row at all was never recorded as live: nothing to free.
Status release_blobs(Connection& c, const std::vector<std::string>& blob_ids, BlobIds& freed) {
  if (blob_ids.empty()) return ok_status();
  if (auto st = c.execute(kDecrementBlobs, Params().text_array(blob_ids)); !st) return st;
  auto gone = c.query(kDeleteUnreferencedBlobs, Params().text_array(blob_ids));
  if (!gone.ok()) return std::move(gone).error();
  for (int r = 0; r < gone->count(); ++r) freed.push_back(gone->text(r, 0));
  return ok_status();
}

// Locks bucket/key and returns its row, or nullopt when there is none (then
// nothing is locked, and a concurrent writer may still create the key).
Result<std::optional<ObjectRecord>> lock_object(Connection& c, const std::string& bucket, const std::string& key) {
  auto rows = c.query(kLockObject, Params().text(bucket).bytes(key));
  if (!rows.ok()) return std::move(rows).error();
  if (rows->count() == 0) return std::optional<ObjectRecord>();
  auto object = object_from_row(*rows, 0);
  if (!object.ok()) return std::move(object).error();
  return std::optional<ObjectRecord>(std::move(object).value());
}

Result<std::optional<std::vector<Segment>>> lock_object_segments(Connection& c, const std::string& bucket,
                                                                 const std::string& key) {
  auto rows = c.query(kLockObjectSegments, Params().text(bucket).bytes(key));
  if (!rows.ok()) return std::move(rows).error();
  if (rows->count() == 0) return std::optional<std::vector<Segment>>();
  auto segments = json_columns::decode_segments(rows->bytes(0, 0));
  if (!segments.ok()) return std::move(segments).error();
  return std::optional<std::vector<Segment>>(std::move(segments).value());
}

// Writes the row of `object`: an update of the row this transaction locked,
// or an insert when there was none. false when another transaction created
// the key meanwhile, so the caller locks it and decides again.
Result<bool> write_object(Connection& c, const ObjectRecord& object, bool row_locked) {
  auto params = object_params(object);
  if (!params.ok()) return std::move(params).error();
  auto rows = c.query(row_locked ? kUpdateObject : kInsertObject, *params);
  if (!rows.ok()) return std::move(rows).error();
  return rows->affected() > 0;
}

// Writes `object` over whatever its key holds, honouring the conditions, and
// adds the blobs the old record held and the new one does not reuse to
// `freed`. New references are taken before old ones are dropped, so a reused
// blob is never freed.
Status replace_object(Connection& c, const ObjectRecord& object, const PutConditions& conditions, BlobIds& freed) {
  for (int round = 0; round < kMaxClaimRounds; ++round) {
    auto previous = lock_object_segments(c, object.bucket, object.key);
    if (!previous.ok()) return std::move(previous).error();
    if (*previous && conditions.forbid_overwrite) return Error(ErrorCode::FileAlreadyExists);
    auto written = write_object(c, object, previous->has_value());
    if (!written.ok()) return std::move(written).error();
    if (!*written) continue;
    if (auto st = retain_blobs(c, blob_ids_of(object.segments)); !st) return st;
    if (*previous) return release_blobs(c, blob_ids_of(**previous), freed);
    return ok_status();
  }
  return still_changing("the object");
}

Result<std::optional<UploadRecord>> load_upload(Connection& c, const char* sql, const std::string& upload_id) {
  auto rows = c.query(sql, Params().text(upload_id));
  if (!rows.ok()) return std::move(rows).error();
  if (rows->count() == 0) return std::optional<UploadRecord>();
  auto upload = upload_from_row(*rows, 0);
  if (!upload.ok()) return std::move(upload).error();
  return std::optional<UploadRecord>(std::move(upload).value());
}

// The upload `upload_id` of bucket/key (read with `sql`, which may lock it),
// or the error naming what is missing.
Result<UploadRecord> find_upload(Connection& c, const char* sql, const std::string& bucket, const std::string& key,
                                 const std::string& upload_id) {
  auto upload = load_upload(c, sql, upload_id);
  if (!upload.ok()) return std::move(upload).error();
  if (*upload && (*upload)->bucket == bucket && (*upload)->key == key) return std::move(**upload);
  if (auto st = require_bucket(c, bucket); !st) return std::move(st).error();
  return no_such_upload(upload_id);
}

// Deletes the (locked) upload and its parts, dropping the parts' references
// along with `also_release` in one go.
Status drop_upload(Connection& c, const std::string& upload_id, std::vector<std::string> also_release, BlobIds& freed) {
  auto parts = c.query(kDeleteParts, Params().text(upload_id));
  if (!parts.ok()) return std::move(parts).error();
  for (int r = 0; r < parts->count(); ++r) also_release.push_back(parts->text(r, 0));
  if (auto st = c.execute(kDeleteUpload, Params().text(upload_id)); !st) return st;
  return release_blobs(c, also_release, freed);
}

// Where a ListMultipartUploads page starts. With an upload-id marker the page
// resumes right after that upload among the uploads of key_marker; if that
// upload is gone meanwhile, it resumes at the first upload of key_marker
// (repeating some rather than skipping any).
Result<listing::Seek<UploadRecord>> upload_listing_start(Connection& c, const std::string& bucket,
                                                         const UploadListQuery& query) {
  using Seek = listing::Seek<UploadRecord>;
  if (query.key_marker.empty() || query.key_marker < query.prefix) {
    return Seek{Seek::Mode::FromKey, query.prefix, std::nullopt};
  }
  if (query.upload_id_marker.empty()) return Seek{Seek::Mode::AfterKey, query.key_marker, std::nullopt};
  auto marker = load_upload(c, kSelectUpload, query.upload_id_marker);
  if (!marker.ok()) return std::move(marker).error();
  if (*marker && (*marker)->bucket == bucket && (*marker)->key == query.key_marker) {
    return Seek{Seek::Mode::AfterRow, query.key_marker, std::move(**marker)};
  }
  return Seek{Seek::Mode::FromKey, query.key_marker, std::nullopt};
}

// ---------------------------------------------------------------- the store

class PgMetadataStore final : public MetadataStore {
 public:
  PgMetadataStore(const std::string& conninfo, const PgStoreOptions& options)
      : pool_(conninfo, options.max_connections, pg::RetryPolicy{.max_attempts = options.max_transaction_attempts}) {}

  void adopt(std::unique_ptr<Connection> connection) { pool_.adopt(std::move(connection)); }

  Status create_bucket(const BucketRecord& bucket) override {
    return pool_.transact(Access::Write, [&](Connection& c) -> Status {
      auto rows = c.query(kInsertBucket, Params()
                                             .text(bucket.name)
                                             .text(bucket.owner_id)
                                             .text(bucket.acl)
                                             .text(bucket.storage_class)
                                             .text(bucket.region)
                                             .int64(bucket.created_ms));
      if (!rows.ok()) return std::move(rows).error();
      if (rows->affected() == 0) return Error(ErrorCode::BucketAlreadyExists).with("BucketName", bucket.name);
      return ok_status();
    });
  }

  Result<BucketRecord> get_bucket(const std::string& name) override {
    return pool_.transact(Access::ReadStatement, [&](Connection& c) -> Result<BucketRecord> {
      auto rows = c.query(kSelectBucket, Params().text(name));
      if (!rows.ok()) return std::move(rows).error();
      if (rows->count() == 0) return no_such_bucket(name);
      return bucket_from_row(*rows, 0);
    });
  }

  Result<BucketWithConfig> get_bucket_with_config(const std::string& bucket, const std::string& name) override {
    return pool_.transact(Access::ReadStatement, [&](Connection& c) -> Result<BucketWithConfig> {
      auto rows = c.query(kSelectBucketWithConfig, Params().text(bucket).text(name));
      if (!rows.ok()) return std::move(rows).error();
      if (rows->count() == 0) return no_such_bucket(bucket);
      return bucket_with_config_from_row(*rows);
    });
  }

  Result<BucketConfigAndObject> get_bucket_config_and_object(const std::string& bucket, const std::string& name,
                                                             const std::string& key) override {
    return pool_.transact(Access::ReadStatement, [&](Connection& c) -> Result<BucketConfigAndObject> {
      auto rows = c.query(kSelectBucketConfigAndObject, Params().text(bucket).text(name).bytes(key));
      if (!rows.ok()) return std::move(rows).error();
      if (rows->count() == 0) return no_such_bucket(bucket);
      BucketConfigAndObject found{bucket_with_config_from_row(*rows), std::nullopt};
      if (rows->is_null(0, kObjectColumnsAfterBucketAndConfig)) return found;
      auto object = object_from_row(*rows, 0, kObjectColumnsAfterBucketAndConfig);
      if (!object.ok()) return std::move(object).error();
      found.object = std::move(object).value();
      return found;
    });
  }

  Result<std::vector<BucketRecord>> list_buckets(const std::string& owner_id, const std::string& prefix,
                                                 const std::string& marker, uint32_t max_keys,
                                                 bool* truncated) override {
    auto listed = pool_.transact(Access::ReadStatement, [&](Connection& c) -> Result<std::vector<BucketRecord>> {
      auto rows = c.query(kListBuckets, Params().text(owner_id).text(marker).text(prefix).int64(int64_t{max_keys} + 1));
      if (!rows.ok()) return std::move(rows).error();
      std::vector<BucketRecord> buckets;
      buckets.reserve(static_cast<size_t>(rows->count()));
      for (int r = 0; r < rows->count(); ++r) buckets.push_back(bucket_from_row(*rows, r));
      return buckets;
    });
    return listing::trim_to_page(std::move(listed), max_keys, truncated);
  }

  Status delete_bucket(const std::string& name) override {
    return pool_.transact(Access::Write, [&](Connection& c) -> Status {
      // The exclusive lock waits for writers still adding rows under the
      // bucket; what they added is visible to the next statement.
      if (auto st = require_bucket(c, name, kLockBucketForDelete); !st) return st;
      auto contents = c.query(kBucketContents, Params().text(name));
      if (!contents.ok()) return std::move(contents).error();
      if (contents->boolean(0, 0) || contents->boolean(0, 1)) {
        return Error(ErrorCode::BucketNotEmpty).with("BucketName", name);
      }
      return c.execute(kDeleteBucket, Params().text(name));
    });
  }

  Status set_bucket_acl(const std::string& name, const std::string& acl) override {
    return pool_.transact(Access::Write, [&](Connection& c) -> Status {
      auto rows = c.query(kSetBucketAcl, Params().text(name).text(acl));
      if (!rows.ok()) return std::move(rows).error();
      if (rows->affected() == 0) return no_such_bucket(name);
      return ok_status();
    });
  }

  Status set_bucket_config(const std::string& bucket, const std::string& name,
                           const std::optional<std::string>& value) override {
    return pool_.transact(Access::Write, [&](Connection& c) -> Status {
      if (auto st = require_bucket(c, bucket, kLockBucketShared); !st) return st;
      if (!value) return c.execute(kDeleteBucketConfig, Params().text(bucket).text(name));
      return c.execute(kUpsertBucketConfig, Params().text(bucket).text(name).bytes(*value));
    });
  }

  Result<bool> replace_bucket_config(const std::string& bucket, const std::string& name,
                                     const std::optional<std::string>& expected,
                                     const std::optional<std::string>& value) override {
    return pool_.transact(Access::Write, [&](Connection& c) -> Result<bool> {
      if (auto st = require_bucket(c, bucket, kLockBucketForConfigSwap); !st) return std::move(st).error();
      auto rows = c.query(kCurrentBucketConfig, Params().text(bucket).text(name));
      if (!rows.ok()) return std::move(rows).error();
      std::optional<std::string> current;
      if (rows->count() > 0) current = rows->text(0, 0);
      if (current != expected) return false;
      Status st = value ? c.execute(kUpsertBucketConfig, Params().text(bucket).text(name).bytes(*value))
                        : c.execute(kDeleteBucketConfig, Params().text(bucket).text(name));
      if (!st) return std::move(st).error();
      return true;
    });
  }

  Result<std::optional<std::string>> get_bucket_config(const std::string& bucket, const std::string& name) override {
    return pool_.transact(Access::ReadStatement, [&](Connection& c) -> Result<std::optional<std::string>> {
      auto rows = c.query(kSelectBucketConfig, Params().text(bucket).text(name));
      if (!rows.ok()) return std::move(rows).error();
      if (!rows->boolean(0, 0)) return no_such_bucket(bucket);
      if (rows->is_null(0, 1)) return std::optional<std::string>();
      return std::optional<std::string>(rows->text(0, 1));
    });
  }

  Result<std::vector<BucketRecord>> list_all_buckets(const std::string& marker, uint32_t max_keys,
                                                     bool* truncated) override {
    auto listed = pool_.transact(Access::ReadStatement, [&](Connection& c) -> Result<std::vector<BucketRecord>> {
      auto rows = c.query(kListAllBuckets, Params().text(marker).int64(int64_t{max_keys} + 1));
      if (!rows.ok()) return std::move(rows).error();
      std::vector<BucketRecord> buckets;
      buckets.reserve(static_cast<size_t>(rows->count()));
      for (int r = 0; r < rows->count(); ++r) buckets.push_back(bucket_from_row(*rows, r));
      return buckets;
    });
    return listing::trim_to_page(std::move(listed), max_keys, truncated);
  }

  Result<Pairs> list_bucket_configs(const std::string& bucket) override {
    return pool_.transact(Access::ReadSnapshot, [&](Connection& c) -> Result<Pairs> {
      if (auto st = require_bucket(c, bucket); !st) return std::move(st).error();
      auto rows = c.query(kListBucketConfigs, Params().text(bucket));
      if (!rows.ok()) return std::move(rows).error();
      Pairs configs;
      configs.reserve(static_cast<size_t>(rows->count()));
      for (int r = 0; r < rows->count(); ++r) configs.emplace_back(rows->text(r, 0), rows->text(r, 1));
      return configs;
    });
  }

  Result<BlobIds> put_object(const ObjectRecord& object, const PutConditions& conditions) override {
    return pool_.transact(Access::Write, [&](Connection& c) -> Result<BlobIds> {
      if (auto st = require_bucket(c, object.bucket, kLockBucketShared); !st) return std::move(st).error();
      BlobIds freed;
      if (auto st = replace_object(c, object, conditions, freed); !st) return std::move(st).error();
      return freed;
    });
  }

  Result<ObjectRecord> get_object(const std::string& bucket, const std::string& key) override {
    // The hot read of every GET: one statement, the bucket checked only on a miss.
    return pool_.transact(Access::ReadStatement, [&](Connection& c) -> Result<ObjectRecord> {
      auto rows = c.query(kSelectObject, Params().text(bucket).bytes(key));
      if (!rows.ok()) return std::move(rows).error();
      if (rows->count() > 0) return object_from_row(*rows, 0);
      if (auto st = require_bucket(c, bucket); !st) return std::move(st).error();
      return no_such_key(key);
    });
  }

  Result<BlobIds> delete_object(const std::string& bucket, const std::string& key) override {
    return pool_.transact(Access::Write, [&](Connection& c) -> Result<BlobIds> {
      if (auto st = require_bucket(c, bucket); !st) return std::move(st).error();
      BlobIds freed;
      // DELETE waits for a concurrent writer of the row and returns the
      // version it removed, so the blobs released are the last ones written.
      auto rows = c.query(kDeleteObject, Params().text(bucket).bytes(key));
      if (!rows.ok()) return std::move(rows).error();
      if (rows->count() == 0) return freed;
      auto segments = json_columns::decode_segments(rows->bytes(0, 0));
      if (!segments.ok()) return std::move(segments).error();
      if (auto st = release_blobs(c, blob_ids_of(*segments), freed); !st) return std::move(st).error();
      return freed;
    });
  }

  Result<ObjectRecord> append_object(const ObjectRecord& initial, uint64_t position, const Segment& segment,
                                     uint64_t segment_crc64) override {
    return pool_.transact(Access::Write, [&](Connection& c) -> Result<ObjectRecord> {
      if (auto st = require_bucket(c, initial.bucket, kLockBucketShared); !st) return std::move(st).error();
      for (int round = 0; round < kMaxClaimRounds; ++round) {
        auto existing = lock_object(c, initial.bucket, initial.key);
        if (!existing.ok()) return std::move(existing).error();
        const bool row_locked = existing->has_value();
        auto record = append_segment(std::move(*existing), initial, position, segment, segment_crc64);
        if (!record.ok()) return record;
        auto written = write_object(c, *record, row_locked);
        if (!written.ok()) return std::move(written).error();
        if (!*written) continue;
        if (auto st = retain_blobs(c, {segment.blob_id}); !st) return std::move(st).error();
        return record;
      }
      return still_changing("the appendable object");
    });
  }

  Status set_object_acl(const std::string& bucket, const std::string& key, const std::string& acl) override {
    return update_object_column(kSetObjectAcl, bucket, key, acl);
  }

  Status set_object_tags(const std::string& bucket, const std::string& key, const Pairs& tags) override {
    auto encoded = json_columns::encode_pairs(tags);
    if (!encoded.ok()) return std::move(encoded).error();
    return update_object_column(kSetObjectTags, bucket, key, *encoded);
  }

  Result<ListResult> list_objects(const std::string& bucket, const ListQuery& query) override {
    using Seek = listing::Seek<ObjectSummary>;
    return pool_.transact(Access::ReadSnapshot, [&](Connection& c) -> Result<ListResult> {
      if (auto st = require_bucket(c, bucket); !st) return std::move(st).error();
      auto fetch = [&](const Seek& seek, const std::optional<std::string>& upper,
                       size_t limit) -> Result<std::vector<ObjectSummary>> {
        const Statement scan = object_scan(bucket, seek, upper, limit);
        auto rows = c.query(scan.sql, scan.params);
        if (!rows.ok()) return std::move(rows).error();
        std::vector<ObjectSummary> summaries;
        summaries.reserve(static_cast<size_t>(rows->count()));
        for (int r = 0; r < rows->count(); ++r) summaries.push_back(summary_from_row(*rows, r));
        return summaries;
      };
      return listing::list_objects_page(query, fetch);
    });
  }

  Status create_upload(const UploadRecord& upload) override {
    auto encoded = json_columns::encode_object_template(upload.object);
    if (!encoded.ok()) return std::move(encoded).error();
    return pool_.transact(Access::Write, [&](Connection& c) -> Status {
      if (auto st = require_bucket(c, upload.bucket, kLockBucketShared); !st) return st;
      auto rows = c.query(kInsertUpload, Params()
                                             .text(upload.upload_id)
                                             .text(upload.bucket)
                                             .bytes(upload.key)
                                             .int64(upload.initiated_ms)
                                             .text(*encoded));
      if (!rows.ok()) return std::move(rows).error();
      if (rows->affected() == 0) return Error(ErrorCode::InternalError, "upload id already in use");
      return ok_status();
    });
  }

  Result<UploadRecord> get_upload(const std::string& bucket, const std::string& key,
                                  const std::string& upload_id) override {
    return pool_.transact(Access::ReadSnapshot,
                          [&](Connection& c) { return find_upload(c, kSelectUpload, bucket, key, upload_id); });
  }

  Result<BlobIds> put_part(const std::string& upload_id, const PartRecord& part) override {
    return pool_.transact(Access::Write, [&](Connection& c) -> Result<BlobIds> {
      auto upload = has_row(c, kLockUploadShared, Params().text(upload_id));
      if (!upload.ok()) return std::move(upload).error();
      if (!*upload) return no_such_upload(upload_id);
      for (int round = 0; round < kMaxClaimRounds; ++round) {
        auto previous = c.query(kLockPartBlob, Params().text(upload_id).int64(part.part_number));
        if (!previous.ok()) return std::move(previous).error();
        const bool row_locked = previous->count() > 0;
        auto written = c.query(row_locked ? kUpdatePart : kInsertPart, part_params(upload_id, part));
        if (!written.ok()) return std::move(written).error();
        if (written->affected() == 0) continue;  // the part was created meanwhile: lock it and go again
        if (auto st = retain_blobs(c, {part.blob_id}); !st) return std::move(st).error();
        BlobIds freed;
        if (row_locked) {
          if (auto st = release_blobs(c, {previous->text(0, 0)}, freed); !st) return std::move(st).error();
        }
        return freed;
      }
      return still_changing("the part");
    });
  }

  Result<std::vector<PartRecord>> list_parts(const std::string& upload_id, uint32_t marker, uint32_t max_parts,
                                             bool* truncated) override {
    auto listed = pool_.transact(Access::ReadSnapshot, [&](Connection& c) -> Result<std::vector<PartRecord>> {
      auto upload = has_row(c, kSelectUpload, Params().text(upload_id));
      if (!upload.ok()) return std::move(upload).error();
      if (!*upload) return no_such_upload(upload_id);
      auto rows = c.query(kListParts, Params().text(upload_id).int64(marker).int64(int64_t{max_parts} + 1));
      if (!rows.ok()) return std::move(rows).error();
      std::vector<PartRecord> parts;
      parts.reserve(static_cast<size_t>(rows->count()));
      for (int r = 0; r < rows->count(); ++r) parts.push_back(part_from_row(*rows, r));
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
    return pool_.transact(Access::Write, [&](Connection& c) -> Result<BlobIds> {
      // FOR UPDATE waits for parts being recorded and keeps new ones out
      // until the upload is gone.
      auto upload = load_upload(c, kLockUploadForEnd, upload_id);
      if (!upload.ok()) return std::move(upload).error();
      if (!*upload) return no_such_upload(upload_id);
      if ((*upload)->bucket != object.bucket || (*upload)->key != object.key) {
        return Error(ErrorCode::InvalidArgument, "the completed object must have the upload's bucket and key");
      }
      auto parts = c.query(kPartBlobs, Params().text(upload_id));
      if (!parts.ok()) return std::move(parts).error();
      std::map<uint32_t, std::string_view> blob_of_part;
      for (int r = 0; r < parts->count(); ++r) {
        blob_of_part.emplace(static_cast<uint32_t>(parts->integer(r, 0)), parts->bytes(r, 1));
      }
      for (const PartRecord& part : used) {
        auto found = blob_of_part.find(part.part_number);
        if (found == blob_of_part.end() || found->second != part.blob_id) {
          return Error(ErrorCode::InvalidPart)
              .with("UploadId", upload_id)
              .with("PartNumber", std::to_string(part.part_number));
        }
      }
      // The upload's bucket cannot go while the upload exists (FOR UPDATE
      // above), and the object's insert holds it through its foreign key.
      BlobIds freed;
      if (auto st = replace_object(c, object, conditions, freed); !st) return std::move(st).error();
      if (auto st = drop_upload(c, upload_id, {}, freed); !st) return std::move(st).error();
      return freed;
    });
  }

  Result<BlobIds> abort_upload(const std::string& bucket, const std::string& key,
                               const std::string& upload_id) override {
    return pool_.transact(Access::Write, [&](Connection& c) -> Result<BlobIds> {
      auto upload = find_upload(c, kLockUploadForEnd, bucket, key, upload_id);
      if (!upload.ok()) return std::move(upload).error();
      BlobIds freed;
      if (auto st = drop_upload(c, upload_id, {}, freed); !st) return std::move(st).error();
      return freed;
    });
  }

  Result<UploadListResult> list_uploads(const std::string& bucket, const UploadListQuery& query) override {
    using Seek = listing::Seek<UploadRecord>;
    return pool_.transact(Access::ReadSnapshot, [&](Connection& c) -> Result<UploadListResult> {
      if (auto st = require_bucket(c, bucket); !st) return std::move(st).error();
      auto start = upload_listing_start(c, bucket, query);
      if (!start.ok()) return std::move(start).error();
      auto fetch = [&](const Seek& seek, const std::optional<std::string>& upper,
                       size_t limit) -> Result<std::vector<UploadRecord>> {
        const Statement scan = upload_scan(bucket, seek, upper, limit);
        auto rows = c.query(scan.sql, scan.params);
        if (!rows.ok()) return std::move(rows).error();
        std::vector<UploadRecord> uploads;
        uploads.reserve(static_cast<size_t>(rows->count()));
        for (int r = 0; r < rows->count(); ++r) {
          auto upload = upload_from_row(*rows, r);
          if (!upload.ok()) return std::move(upload).error();
          uploads.push_back(std::move(upload).value());
        }
        return uploads;
      };
      return listing::list_uploads_page(query, std::move(start).value(), fetch);
    });
  }

  Result<std::vector<bool>> blobs_referenced(const std::vector<std::string>& blob_ids) override {
    if (blob_ids.empty()) return std::vector<bool>();
    auto live = pool_.transact(Access::ReadStatement, [&](Connection& c) -> Result<std::unordered_set<std::string>> {
      auto rows = c.query(kReferencedBlobs, Params().text_array(blob_ids));
      if (!rows.ok()) return std::move(rows).error();
      std::unordered_set<std::string> ids;
      for (int r = 0; r < rows->count(); ++r) ids.insert(rows->text(r, 0));
      return ids;
    });
    if (!live.ok()) return std::move(live).error();
    std::vector<bool> referenced;
    referenced.reserve(blob_ids.size());
    for (const std::string& id : blob_ids) referenced.push_back(live->contains(id));
    return referenced;
  }

 private:
  Status update_object_column(const char* sql, const std::string& bucket, const std::string& key,
                              const std::string& value) {
    return pool_.transact(Access::Write, [&](Connection& c) -> Status {
      auto rows = c.query(sql, Params().text(bucket).bytes(key).text(value));
      if (!rows.ok()) return std::move(rows).error();
      if (rows->affected() > 0) return ok_status();
      if (auto st = require_bucket(c, bucket); !st) return st;
      return no_such_key(key);
    });
  }

  pg::ConnectionPool pool_;
};

}  // namespace

Result<std::unique_ptr<MetadataStore>> open_pg_metadata_store(const std::string& conninfo, PgStoreOptions options) {
  auto first = Connection::open(conninfo);
  if (!first.ok()) return std::move(first).error();
  if (auto st = pg::migrate_metadata(**first); !st) return std::move(st).error();
  auto store = std::make_unique<PgMetadataStore>(conninfo, options);
  store->adopt(std::move(first).value());
  return std::unique_ptr<MetadataStore>(std::move(store));
}

}  // namespace ossd::meta
