#include "meta/sqlite_identity_schema.hpp"

#include <string>

namespace ossd::meta::sqlite {

namespace {

// Names are TEXT with BINARY collation: equality and order are byte-wise and
// case-sensitive ("Alice" and "alice" are two users; RAM itself treats user
// names case-insensitively, which src/iam may enforce before calling).
//
// Renames (UpdateUser, UpdateRole) follow the foreign keys by ON UPDATE
// CASCADE; attachments name their principal by (type, name), which no single
// foreign key can express, so the store updates them in the same transaction.
// attachment_count is computed from attachments, never stored, so it cannot
// drift. Which version is the default lives only in policies.default_version.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE generation (
  only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
  value    INTEGER NOT NULL
);
INSERT INTO generation (only_row, value) VALUES (1, 0);

CREATE TABLE users (
  name         TEXT COLLATE BINARY PRIMARY KEY,
  user_id      TEXT NOT NULL,
  display_name TEXT NOT NULL,
  comments     TEXT NOT NULL,
  created_ms   INTEGER NOT NULL,
  updated_ms   INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE access_keys (
  access_key_id TEXT COLLATE BINARY PRIMARY KEY,
  user_name     TEXT COLLATE BINARY NOT NULL REFERENCES users (name) ON UPDATE CASCADE,
  secret_sealed TEXT NOT NULL,
  status        TEXT NOT NULL,
  created_ms    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX access_keys_by_user ON access_keys (user_name, created_ms, access_key_id);

CREATE TABLE groups (
  name       TEXT COLLATE BINARY PRIMARY KEY,
  group_id   TEXT NOT NULL,
  comments   TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE group_members (
  group_name TEXT COLLATE BINARY NOT NULL REFERENCES groups (name),
  user_name  TEXT COLLATE BINARY NOT NULL REFERENCES users (name) ON UPDATE CASCADE,
  PRIMARY KEY (group_name, user_name)
) WITHOUT ROWID;
CREATE INDEX group_members_by_user ON group_members (user_name, group_name);

CREATE TABLE roles (
  name                   TEXT COLLATE BINARY PRIMARY KEY,
  role_id                TEXT NOT NULL,
  description            TEXT NOT NULL,
  trust_policy           TEXT NOT NULL,
  max_session_duration_s INTEGER NOT NULL,
  created_ms             INTEGER NOT NULL,
  updated_ms             INTEGER NOT NULL
) WITHOUT ROWID;

-- Custom policies only; System policies are built into src/iam.
CREATE TABLE policies (
  name            TEXT COLLATE BINARY PRIMARY KEY,
  description     TEXT NOT NULL,
  default_version TEXT NOT NULL,
  created_ms      INTEGER NOT NULL,
  updated_ms      INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE policy_versions (
  policy_name TEXT COLLATE BINARY NOT NULL REFERENCES policies (name) ON DELETE CASCADE,
  version_id  TEXT COLLATE BINARY NOT NULL,
  document    TEXT NOT NULL,
  created_ms  INTEGER NOT NULL,
  PRIMARY KEY (policy_name, version_id)
) WITHOUT ROWID;

CREATE TABLE attachments (
  policy_type    TEXT COLLATE BINARY NOT NULL CHECK (policy_type IN ('Custom', 'System')),
  policy_name    TEXT COLLATE BINARY NOT NULL,
  principal_type TEXT COLLATE BINARY NOT NULL CHECK (principal_type IN ('User', 'Group', 'Role')),
  principal_name TEXT COLLATE BINARY NOT NULL,
  attached_ms    INTEGER NOT NULL,
  PRIMARY KEY (policy_type, policy_name, principal_type, principal_name)
) WITHOUT ROWID;
CREATE INDEX attachments_by_principal ON attachments (principal_type, principal_name, policy_type, policy_name);

CREATE TABLE token_keys (
  key_id     TEXT COLLATE BINARY PRIMARY KEY,
  key_sealed TEXT NOT NULL,
  created_ms INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

constexpr const char* kMigrations[] = {kVersion1};

Error foreign_database(const std::string& why) {
  return Error(ErrorCode::InternalError, "not an ossd identity database: " + why);
}

// Inside the write lock: refuses files that belong to something else, and
// claims a brand-new (empty) file for the identity schema.
Status check_or_claim_file(Connection& c) {
  auto application_id = c.query_int("PRAGMA application_id");
  if (!application_id.ok()) return std::move(application_id).error();
  if (*application_id == kIdentityApplicationId) return ok_status();
  if (*application_id != 0) return foreign_database("application_id " + std::to_string(*application_id));
  auto tables = c.query_int("SELECT count(*) FROM sqlite_master");
  if (!tables.ok()) return std::move(tables).error();
  if (*tables != 0) return foreign_database("the file already holds other tables");
  return c.exec(("PRAGMA application_id = " + std::to_string(kIdentityApplicationId)).c_str());
}

}  // namespace

std::span<const char* const> identity_schema_migrations() { return kMigrations; }

Status migrate_identity_schema(Connection& connection) {
  const auto migrations = identity_schema_migrations();
  const auto known = static_cast<int64_t>(migrations.size());
  // One transaction for the check and each step: another process opening the
  // same file at the same time waits on the lock and then sees the result.
  for (;;) {
    bool done = false;
    Status step = in_transaction(connection, "BEGIN IMMEDIATE", [&](Connection& c) -> Status {
      if (auto st = check_or_claim_file(c); !st) return st;
      auto current = c.query_int("PRAGMA user_version");
      if (!current.ok()) return std::move(current).error();
      if (*current > known) {
        return Error(ErrorCode::InternalError, "identity schema version " + std::to_string(*current) +
                                                   " is newer than this build supports (" +
                                                   std::to_string(known) + ")");
      }
      if (*current == known) {
        done = true;
        return ok_status();
      }
      if (auto st = c.exec(migrations[static_cast<size_t>(*current)]); !st) return st;
      return c.exec(("PRAGMA user_version = " + std::to_string(*current + 1)).c_str());
    });
    if (!step) return step;
    if (done) return ok_status();
  }
}

}  // namespace ossd::meta::sqlite
