#pragma once
// One migration runner for the SQLite databases of src/meta (the object
// metadata and the identities). A schema is a list of migrations; PRAGMA
// user_version counts those applied, and PRAGMA application_id, when the
// schema has one, marks whose file it is. Private to src/meta.
#include <cstdint>
#include <span>
#include <string_view>

#include "core/result.hpp"
#include "meta/sqlite_connection.hpp"

namespace ossd::meta::sqlite {

struct SchemaMigrations {
  std::string_view database;                // "metadata", "identity": names it in errors
  std::span<const char* const> migrations;  // entry i moves the schema from version i to i + 1
  int64_t application_id = 0;               // 0: files are neither marked nor checked
};

// Applies the missing migrations, each in its own IMMEDIATE transaction that
// first looks at the file again (another process may be opening it too).
// With an application_id, claims a new, empty file and refuses any other one
// not marked with it. Fails on a schema a newer binary wrote rather than
// guessing at its layout.
Status apply_migrations(Connection& connection, const SchemaMigrations& schema);

}  // namespace ossd::meta::sqlite
