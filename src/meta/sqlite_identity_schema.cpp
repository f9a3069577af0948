#include "meta/sqlite_identity_schema.hpp"

#include "meta/sqlite_migrations.hpp"

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

}  // namespace

std::span<const char* const> identity_schema_migrations() { return kMigrations; }

Status migrate_identity_schema(Connection& connection) {
  return apply_migrations(
      connection,
      {.database = "identity", .migrations = identity_schema_migrations(), .application_id = kIdentityApplicationId});
}

}  // namespace ossd::meta::sqlite
