#pragma once
// The schema of the SQLite identity database (users, keys, groups, roles,
// policies, attachments, token keys) as a list of migrations. PRAGMA
// user_version counts the migrations applied; PRAGMA application_id marks the
// file as an identity database, so pointing the store at the object metadata
// database (or any other SQLite file) fails instead of mixing the two. Append
// new migrations, never edit shipped ones. Private to src/meta.
#include <cstdint>
#include <span>

#include "core/result.hpp"
#include "meta/sqlite_connection.hpp"

namespace ossd::meta::sqlite {

// "ossI" in ASCII: the application_id of an identity database.
inline constexpr int64_t kIdentityApplicationId = 0x6f737349;

// Each entry moves the schema from version i to i + 1.
std::span<const char* const> identity_schema_migrations();

// Marks a new file as an identity database and applies the missing
// migrations, each in its own IMMEDIATE transaction. Fails on a file that is
// some other database, or that a newer binary wrote.
Status migrate_identity_schema(Connection& connection);

}  // namespace ossd::meta::sqlite
