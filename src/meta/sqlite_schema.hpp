#pragma once
// The SQLite schema as a list of migrations; PRAGMA user_version records how
// many have been applied. Append new migrations, never edit shipped ones.
#include <span>

#include "core/result.hpp"
#include "meta/sqlite_connection.hpp"

namespace ossd::meta::sqlite {

// Each entry moves the schema from version i to i + 1.
std::span<const char* const> schema_migrations();

// Applies the missing migrations, each in its own transaction. Fails on a
// database written by a newer binary rather than guessing at its layout.
Status migrate(Connection& connection);

}  // namespace ossd::meta::sqlite
