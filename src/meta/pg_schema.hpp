#pragma once
// Versioned schemas in a PostgreSQL database. Table schema_version holds, per
// component ("metadata", later "identity"), how many of its migrations have
// been applied. Migrations run when a store opens, all of them in one
// transaction that first takes a transaction-scoped advisory lock, so
// gateways starting together apply each step exactly once and a failed step
// leaves nothing behind (PostgreSQL DDL is transactional). Private to src/meta.
#include <span>
#include <string_view>

#include "core/result.hpp"
#include "meta/pg_connection.hpp"

namespace ossd::meta::pg {

// One step of a schema: its statements, run in order (PQexecParams runs one
// statement per call, so a step is a list rather than a script).
struct Migration {
  std::span<const char* const> statements;
};

struct SchemaMigrations {
  std::string_view component;             // its row in schema_version; names it in errors
  std::span<const Migration> migrations;  // entry i moves the schema from version i to i + 1
};

// The advisory lock every ossd migration takes ("ossdmigr" in ASCII), the
// same for every component so two components never migrate interleaved.
inline constexpr int64_t kMigrationLockKey = 0x6F7373646D696772;

// Brings the component's schema up to date. Fails, changing nothing, on a
// schema a newer build wrote rather than guessing at its layout.
Status apply_migrations(Connection& connection, const SchemaMigrations& schema);

// The metadata store's schema (pg_store.cpp), and applying it.
std::span<const Migration> metadata_migrations();
Status migrate_metadata(Connection& connection);

}  // namespace ossd::meta::pg
