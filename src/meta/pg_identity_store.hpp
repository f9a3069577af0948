#pragma once
// IdentityStore on PostgreSQL, in the same database as the PostgreSQL
// metadata store (tables prefixed "iam_"), so several gateways share one
// account's identities and notice each other's changes by polling
// generation().
//
// Every call is one transaction on a pooled connection (pg::ConnectionPool).
// Writes run at READ COMMITTED and lock the rows they check before changing
// anything that depends on them: the parent FOR UPDATE when counting against
// a limit, renaming or deleting (a user before its third access key, a
// policy before its sixth version), FOR KEY SHARE when adding a reference to
// it (a membership, an attachment), so a check and the change it allows
// cannot be split by another gateway's write. Names are claimed by INSERT ...
// ON CONFLICT DO NOTHING, so of two gateways creating (or renaming onto) one
// name the loser gets EntityAlreadyExists, never an internal error. Every
// write bumps the generation row in its own transaction. Reads of several
// statements share one REPEATABLE READ snapshot.
//
// Behaviour matches the SQLite identity store (sqlite_identity_store.hpp)
// call for call: the same errors with the same "RamCode" details, byte-wise
// case-sensitive names, paging (max_items 0 counts as 1), rename semantics,
// policy version numbering and the five-version limit.
#include <memory>
#include <string>

#include "core/result.hpp"
#include "meta/identity_store.hpp"
#include "meta/pg_store.hpp"

namespace ossd::meta {

// Connects with a libpq connection string or postgres:// URI and brings the
// identity schema up to date (its own row in schema_version, migrated under
// the same advisory lock as the metadata schema, so gateways may start
// together). ServiceUnavailable when the server cannot be reached.
Result<std::unique_ptr<IdentityStore>> open_pg_identity_store(const std::string& conninfo, PgStoreOptions options = {});

}  // namespace ossd::meta
