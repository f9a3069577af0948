#include "meta/sqlite_schema.hpp"

#include "meta/sqlite_migrations.hpp"

namespace ossd::meta::sqlite {

namespace {

// Keys and names are TEXT with BINARY collation (memcmp), so ORDER BY key is
// OSS's byte order. Binding always uses text, so no row mixes TEXT and BLOB
// (SQLite would sort those apart). crc64 holds the unsigned value's bits.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE buckets (
  name          TEXT COLLATE BINARY PRIMARY KEY,
  owner_id      TEXT NOT NULL,
  acl           TEXT NOT NULL,
  storage_class TEXT NOT NULL,
  region        TEXT NOT NULL,
  created_ms    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX buckets_by_owner ON buckets (owner_id, name);

CREATE TABLE bucket_configs (
  bucket TEXT COLLATE BINARY NOT NULL REFERENCES buckets (name) ON DELETE CASCADE,
  name   TEXT COLLATE BINARY NOT NULL,
  value  TEXT NOT NULL,
  PRIMARY KEY (bucket, name)
) WITHOUT ROWID;

CREATE TABLE objects (
  bucket           TEXT COLLATE BINARY NOT NULL REFERENCES buckets (name),
  key              TEXT COLLATE BINARY NOT NULL,
  size             INTEGER NOT NULL,
  etag             TEXT NOT NULL,
  crc64            INTEGER NOT NULL,
  last_modified_ms INTEGER NOT NULL,
  object_type      TEXT NOT NULL,
  storage_class    TEXT NOT NULL,
  acl              TEXT NOT NULL,
  content_type     TEXT NOT NULL,
  headers          TEXT NOT NULL,
  user_meta        TEXT NOT NULL,
  tags             TEXT NOT NULL,
  segments         TEXT NOT NULL,
  PRIMARY KEY (bucket, key)
) WITHOUT ROWID;

CREATE TABLE uploads (
  upload_id    TEXT COLLATE BINARY PRIMARY KEY,
  bucket       TEXT COLLATE BINARY NOT NULL REFERENCES buckets (name),
  key          TEXT COLLATE BINARY NOT NULL,
  initiated_ms INTEGER NOT NULL,
  template     TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX uploads_by_key ON uploads (bucket, key, initiated_ms, upload_id);

CREATE TABLE parts (
  upload_id        TEXT COLLATE BINARY NOT NULL REFERENCES uploads (upload_id),
  part_number      INTEGER NOT NULL,
  etag             TEXT NOT NULL,
  md5_hex          TEXT NOT NULL,
  crc64            INTEGER NOT NULL,
  size             INTEGER NOT NULL,
  last_modified_ms INTEGER NOT NULL,
  blob_id          TEXT NOT NULL,
  PRIMARY KEY (upload_id, part_number)
) WITHOUT ROWID;

-- Every blob an object segment or a part refers to, with the number of
-- references, maintained in the same transactions as those rows.
CREATE TABLE live_blobs (
  blob_id TEXT PRIMARY KEY,
  refs    INTEGER NOT NULL CHECK (refs > 0)
) WITHOUT ROWID;
)sql";

constexpr const char* kMigrations[] = {kVersion1};

}  // namespace

std::span<const char* const> schema_migrations() { return kMigrations; }

Status migrate(Connection& connection) {
  return apply_migrations(connection, {.database = "metadata", .migrations = schema_migrations()});
}

}  // namespace ossd::meta::sqlite
