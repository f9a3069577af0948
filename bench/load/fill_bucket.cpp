// ossd_fill_bucket: puts N object records into an ossd data dir's metadata
// database (meta.db) without HTTP, for the ListObjects rows of bench/all.sh.
// Run it BEFORE ossd starts on that data dir (SQLite has one writer; ossd caches
// bucket records).
//
// The records point at blob ids that do not exist on disk. That is safe for
// listing, which reads metadata only, and for ossd's start-up: the orphan
// collector walks the blob files on disk and asks the database about them, it
// never walks the records, so a record without a blob file is never looked at
// (a GET of such a key would fail; the benchmark only lists them). live_blobs
// gets a row per fake id, as put_object would write it, so a later overwrite or
// delete of a filled key keeps the reference counts consistent.
//
// Keys are <prefix><8-digit index>, so the N keys sort in index order and a
// marker <prefix><m> starts a page at index m+1.
//
//   ossd_fill_bucket --data-dir D --bucket list --owner <account id> --keys 1000000
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "meta/sqlite_codec.hpp"
#include "meta/sqlite_connection.hpp"
#include "meta/sqlite_store.hpp"

namespace {

using namespace ossd;
using meta::sqlite::Connection;

struct Options {
  std::filesystem::path data_dir;
  std::string bucket = "list";
  std::string owner;
  std::string region = "oss-cn-hangzhou";
  std::string prefix = "data/";
  uint64_t keys = 1000000;
  uint64_t batch = 50000;  // rows per transaction
};

std::string key_of(const std::string& prefix, uint64_t index) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%08llu", static_cast<unsigned long long>(index));
  return prefix + digits;
}

// A 32-hex-digit id that cannot collide with ossd's random ones (they are never all "f...").
std::string fake_blob_id(uint64_t index) {
  char id[40];
  std::snprintf(id, sizeof id, "ffffffffffffffff%016llx", static_cast<unsigned long long>(index));
  return id;
}

Status fill(const Options& o) {
  const std::filesystem::path db_file = o.data_dir / "meta.db";
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  {
    // The store creates the schema (migrations) and the bucket the way ossd would.
    auto store = meta::open_sqlite_store(db_file);
    if (!store) return std::move(store).error();
    meta::BucketRecord bucket;
    bucket.name = o.bucket;
    bucket.owner_id = o.owner;
    bucket.region = o.region;
    bucket.created_ms = now_ms;
    if (Status created = store.value()->create_bucket(bucket); !created) return created;
  }

  auto opened = Connection::open(db_file);
  if (!opened) return std::move(opened).error();
  Connection& db = *opened.value();
  // A throw-away benchmark fill: no per-batch fsync; one checkpoint and sync at the end.
  if (Status st = db.exec("PRAGMA synchronous = OFF; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;"); !st) {
    return st;
  }
  const std::string insert_object =
      "INSERT OR REPLACE INTO objects (bucket, key, size, etag, crc64, last_modified_ms, object_type, storage_class,"
      " acl, content_type, headers, user_meta, tags, segments)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'Normal', 'Standard', 'default', 'application/octet-stream', '[]', '[]', '[]',"
      " ?7)";
  const std::string insert_blob =
      "INSERT INTO live_blobs (blob_id, refs) VALUES (?1, 1) ON CONFLICT (blob_id) DO UPDATE SET refs = refs + 1";
  const uint64_t size = 4096;
  for (uint64_t start = 0; start < o.keys; start += o.batch) {
    const uint64_t end = std::min(o.keys, start + o.batch);
    Status batch = meta::sqlite::in_transaction(db, "BEGIN IMMEDIATE", [&](Connection& c) -> Status {
      for (uint64_t i = start; i < end; ++i) {
        const std::string blob = fake_blob_id(i);
        auto segments = meta::sqlite::encode_segments({meta::Segment{blob, size}});
        if (!segments) return std::move(segments).error();
        char etag[40];
        std::snprintf(etag, sizeof etag, "%032llX", static_cast<unsigned long long>(i * 2654435761ULL));
        auto q = c.query(insert_object);
        if (!q) return std::move(q).error();
        q->bind_text(1, o.bucket)
            .bind_text(2, key_of(o.prefix, i))
            .bind_int(3, static_cast<int64_t>(size))
            .bind_text(4, etag)
            .bind_int(5, static_cast<int64_t>(i))
            .bind_int(6, now_ms)
            .bind_text(7, *segments);
        if (Status st = q->run(); !st) return st;
        auto b = c.query(insert_blob);
        if (!b) return std::move(b).error();
        b->bind_text(1, blob);
        if (Status st = b->run(); !st) return st;
      }
      return ok_status();
    });
    if (!batch) return batch;
  }
  // Fold the WAL into the database file so ossd starts on a compact file, then make it durable.
  if (Status st = db.exec("PRAGMA wal_checkpoint(TRUNCATE);"); !st) return st;
  return db.exec("PRAGMA synchronous = FULL; PRAGMA wal_checkpoint(TRUNCATE);");
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Fill an ossd bucket's metadata with N object records (benchmark data; run before ossd starts)"};
  app.add_option("--data-dir", o.data_dir, "ossd data dir (meta.db is created or extended there)")->required();
  app.add_option("--bucket", o.bucket, "Bucket to create and fill");
  app.add_option("--owner", o.owner, "Account id that owns the bucket (ossd's root account id)")->required();
  app.add_option("--region", o.region, "Region recorded with the bucket");
  app.add_option("--prefix", o.prefix, "Key prefix; keys are <prefix><8-digit index>");
  app.add_option("--keys", o.keys, "Number of object records");
  app.add_option("--batch", o.batch, "Records per transaction")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  const auto t0 = std::chrono::steady_clock::now();
  if (Status st = fill(o); !st) {
    std::fprintf(stderr, "fill failed: %s\n", st.error().message.c_str());
    return 1;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("RESULT filled bucket=%s keys=%llu prefix=%s seconds=%.1f\n", o.bucket.c_str(),
              static_cast<unsigned long long>(o.keys), o.prefix.c_str(), secs);
  return 0;
}
