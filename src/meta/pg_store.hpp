#pragma once
// MetadataStore on PostgreSQL (the multi-gateway store): several ossd
// processes may share one database.
//
// Every call is one transaction on a pooled connection. Writes run at READ
// COMMITTED and lock what they read before changing it (the object row
// FOR UPDATE, the bucket row FOR KEY SHARE so it cannot be deleted under
// them), so concurrent writers of one key queue up rather than fail: two
// overwrites of a key both succeed in some order, the later one returning
// the earlier one's blobs as freed, exactly as the SQLite store's serialized
// writer does. Deadlocks and serialization failures run the transaction again
// with backoff, a bounded number of times. Reads of several statements
// (listings) share one REPEATABLE READ snapshot.
#include <cstddef>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "meta/metadata_store.hpp"

namespace ossd::meta {

struct PgStoreOptions {
  // Connections opened on demand, at most this many; further callers wait.
  size_t max_connections = 8;
  // Runs of one call's transaction when it deadlocks or fails to serialize;
  // after the last one the call fails with ServiceUnavailable.
  int max_transaction_attempts = 10;
};

// Connects with a libpq connection string ("host=... dbname=...") or URI
// ("postgres://user@host:5432/db?sslmode=require", what `--meta postgres://`
// will pass through), and brings the schema up to date (schema_version,
// under an advisory lock, so gateways may start together). Tables go where
// the connection's search_path puts them. ServiceUnavailable when the server
// cannot be reached.
Result<std::unique_ptr<MetadataStore>> open_pg_metadata_store(const std::string& conninfo, PgStoreOptions options = {});

}  // namespace ossd::meta
