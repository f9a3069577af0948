#pragma once
// The schema of the PostgreSQL identity store (users, access keys, groups,
// roles, policies, attachments, STS token keys, the generation). It lives in
// the same database as the object metadata, so every table is prefixed
// "iam_" to keep clear of pg_schema.cpp's. Its version is its own row
// ("identity") in schema_version, so the two schemas migrate independently,
// each under the advisory lock apply_migrations takes. Append new
// migrations, never edit shipped ones. Private to src/meta.
#include <span>

#include "core/result.hpp"
#include "meta/pg_connection.hpp"
#include "meta/pg_schema.hpp"

namespace ossd::meta::pg {

// Entry i moves the identity schema from version i to i + 1.
std::span<const Migration> identity_migrations();

// Brings the identity schema up to date (see apply_migrations). Fails,
// changing nothing, on an identity schema a newer build wrote.
Status migrate_identity(Connection& connection);

}  // namespace ossd::meta::pg
