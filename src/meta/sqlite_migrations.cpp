#include "meta/sqlite_migrations.hpp"

#include <string>

namespace ossd::meta::sqlite {

namespace {

Error foreign_database(const SchemaMigrations& schema, const std::string& why) {
  return Error(ErrorCode::InternalError, "not an ossd " + std::string(schema.database) + " database: " + why);
}

// Refuses a file that belongs to something else, and claims a brand-new
// (empty) one for the schema. Call inside the write lock.
Status check_or_claim_file(Connection& c, const SchemaMigrations& schema) {
  if (schema.application_id == 0) return ok_status();
  auto application_id = c.query_int("PRAGMA application_id");
  if (!application_id.ok()) return std::move(application_id).error();
  if (*application_id == schema.application_id) return ok_status();
  if (*application_id != 0) return foreign_database(schema, "application_id " + std::to_string(*application_id));
  auto tables = c.query_int("SELECT count(*) FROM sqlite_master");
  if (!tables.ok()) return std::move(tables).error();
  if (*tables != 0) return foreign_database(schema, "the file already holds other tables");
  return c.exec(("PRAGMA application_id = " + std::to_string(schema.application_id)).c_str());
}

// Whether the file is marked as the schema's and fully migrated: what almost
// every open finds, so it is checked without taking the write lock.
Result<bool> up_to_date(Connection& c, const SchemaMigrations& schema) {
  if (schema.application_id != 0) {
    auto application_id = c.query_int("PRAGMA application_id");
    if (!application_id.ok()) return std::move(application_id).error();
    if (*application_id != schema.application_id) return false;
  }
  auto version = c.query_int("PRAGMA user_version");
  if (!version.ok()) return std::move(version).error();
  return *version == static_cast<int64_t>(schema.migrations.size());
}

}  // namespace

Status apply_migrations(Connection& connection, const SchemaMigrations& schema) {
  auto current = up_to_date(connection, schema);
  if (!current.ok()) return std::move(current).error();
  if (*current) return ok_status();
  const auto known = static_cast<int64_t>(schema.migrations.size());
  // One transaction for the check and each step: another process opening the
  // same file at the same time waits on the lock and then sees the result.
  for (;;) {
    bool done = false;
    Status step = in_transaction(connection, "BEGIN IMMEDIATE", [&](Connection& c) -> Status {
      if (auto st = check_or_claim_file(c, schema); !st) return st;
      auto version = c.query_int("PRAGMA user_version");
      if (!version.ok()) return std::move(version).error();
      if (*version > known) {
        return Error(ErrorCode::InternalError, std::string(schema.database) + " schema version " +
                                                   std::to_string(*version) + " is newer than this build supports (" +
                                                   std::to_string(known) + ")");
      }
      if (*version == known) {
        done = true;
        return ok_status();
      }
      if (auto st = c.exec(schema.migrations[static_cast<size_t>(*version)]); !st) return st;
      return c.exec(("PRAGMA user_version = " + std::to_string(*version + 1)).c_str());
    });
    if (!step) return step;
    if (done) return ok_status();
  }
}

}  // namespace ossd::meta::sqlite
