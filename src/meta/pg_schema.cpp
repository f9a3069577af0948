#include "meta/pg_schema.hpp"

#include <string>

namespace ossd::meta::pg {

namespace {

// Object keys are bytea: any bytes (0xFF, invalid UTF-8, NUL) round-trip, and
// bytea compares as memcmp, so ORDER BY key is OSS's byte order without any
// collation. Names and ids are text COLLATE "C" (byte order too, readable in
// psql). Values taken from request headers (content type) and configuration
// documents are bytea, since a UTF-8 database would refuse some byte strings
// as text. The list-valued fields are the same JSON text as in the SQLite
// store (sqlite_codec.hpp), which escapes what JSON cannot carry. Unsigned
// 64-bit values (sizes, CRC-64) keep their bits in bigint.
constexpr const char* kVersion1[] = {
    R"sql(CREATE TABLE buckets (
  name          text COLLATE "C" PRIMARY KEY,
  owner_id      text COLLATE "C" NOT NULL,
  acl           text NOT NULL,
  storage_class text NOT NULL,
  region        text NOT NULL,
  created_ms    bigint NOT NULL
))sql",
    R"sql(CREATE INDEX buckets_by_owner ON buckets (owner_id, name))sql",
    R"sql(CREATE TABLE bucket_configs (
  bucket text COLLATE "C" NOT NULL REFERENCES buckets (name) ON DELETE CASCADE,
  name   text COLLATE "C" NOT NULL,
  value  bytea NOT NULL,
  PRIMARY KEY (bucket, name)
))sql",
    R"sql(CREATE TABLE objects (
  bucket           text COLLATE "C" NOT NULL REFERENCES buckets (name),
  key              bytea NOT NULL,
  size             bigint NOT NULL,
  etag             text NOT NULL,
  crc64            bigint NOT NULL,
  last_modified_ms bigint NOT NULL,
  object_type      text NOT NULL,
  storage_class    text NOT NULL,
  acl              text NOT NULL,
  content_type     bytea NOT NULL,
  headers          text NOT NULL,
  user_meta        text NOT NULL,
  tags             text NOT NULL,
  segments         text NOT NULL,
  PRIMARY KEY (bucket, key)
))sql",
    R"sql(CREATE TABLE uploads (
  upload_id    text COLLATE "C" PRIMARY KEY,
  bucket       text COLLATE "C" NOT NULL REFERENCES buckets (name),
  key          bytea NOT NULL,
  initiated_ms bigint NOT NULL,
  template     text NOT NULL
))sql",
    R"sql(CREATE INDEX uploads_by_key ON uploads (bucket, key, initiated_ms, upload_id))sql",
    R"sql(CREATE TABLE parts (
  upload_id        text COLLATE "C" NOT NULL REFERENCES uploads (upload_id),
  part_number      bigint NOT NULL,
  etag             text NOT NULL,
  md5_hex          text NOT NULL,
  crc64            bigint NOT NULL,
  size             bigint NOT NULL,
  last_modified_ms bigint NOT NULL,
  blob_id          text COLLATE "C" NOT NULL,
  PRIMARY KEY (upload_id, part_number)
))sql",
    // Every blob an object segment or a part refers to, with its number of
    // references, kept in the same transactions as those rows. refs reaches 0
    // only between a release's decrement and its delete, in one transaction.
    R"sql(CREATE TABLE live_blobs (
  blob_id text COLLATE "C" PRIMARY KEY,
  refs    bigint NOT NULL CHECK (refs >= 0)
))sql",
};

constexpr Migration kMetadataMigrations[] = {{kVersion1}};

constexpr const char* kTakeMigrationLock = "SELECT pg_advisory_xact_lock($1)";
constexpr const char* kCreateVersionTable =
    R"sql(CREATE TABLE IF NOT EXISTS schema_version (
  component text COLLATE "C" PRIMARY KEY,
  version   bigint NOT NULL
))sql";
constexpr const char* kSelectVersion = "SELECT version FROM schema_version WHERE component = $1";
constexpr const char* kStoreVersion =
    "INSERT INTO schema_version (component, version) VALUES ($1, $2)"
    " ON CONFLICT (component) DO UPDATE SET version = excluded.version";

// A migration that deadlocks with another one is rolled back whole; running
// it again is safe. Anything else is reported.
constexpr int kMigrationAttempts = 3;

Status migrate_in_transaction(Connection& c, const SchemaMigrations& schema) {
  if (auto st = c.execute(kTakeMigrationLock, Params().int64(kMigrationLockKey)); !st) return st;
  if (auto st = c.execute(kCreateVersionTable); !st) return st;
  auto rows = c.query(kSelectVersion, Params().text(schema.component));
  if (!rows.ok()) return std::move(rows).error();
  const int64_t current = rows->count() == 0 ? 0 : rows->integer(0, 0);
  const auto known = static_cast<int64_t>(schema.migrations.size());
  if (current > known) {
    return Error(ErrorCode::InternalError, std::string(schema.component) + " schema version " +
                                               std::to_string(current) + " is newer than this build supports (" +
                                               std::to_string(known) + ")");
  }
  if (current == known) return ok_status();
  for (int64_t version = current; version < known; ++version) {
    for (const char* statement : schema.migrations[static_cast<size_t>(version)].statements) {
      if (auto st = c.execute(statement); !st) return st;
    }
  }
  return c.execute(kStoreVersion, Params().text(schema.component).int64(known));
}

}  // namespace

Status apply_migrations(Connection& connection, const SchemaMigrations& schema) {
  auto body = [&](Connection& c) { return migrate_in_transaction(c, schema); };
  for (int attempt = 1;; ++attempt) {
    AttemptOutcome outcome;
    Status done = run_transaction_once(connection, Access::Write, body, outcome);
    if (done || outcome.failure != Failure::Conflict || attempt == kMigrationAttempts) return done;
  }
}

std::span<const Migration> metadata_migrations() { return kMetadataMigrations; }

Status migrate_metadata(Connection& connection) {
  return apply_migrations(connection, {.component = "metadata", .migrations = metadata_migrations()});
}

}  // namespace ossd::meta::pg
