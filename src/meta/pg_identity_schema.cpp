#include "meta/pg_identity_schema.hpp"

namespace ossd::meta::pg {

namespace {

// Names and ids are text COLLATE "C": equality and order are byte-wise and
// case-sensitive, as in the SQLite identity store ("Alice" and "alice" are
// two users). Sealed secrets are bytea, since a ciphertext is any bytes and a
// UTF-8 database refuses some byte strings (and every NUL) as text.
//
// References by name carry no ON UPDATE CASCADE: a rename inserts the row
// under its new name (INSERT ... ON CONFLICT DO NOTHING, so a racing creator
// of that name makes the rename fail cleanly), moves what refers to it and
// deletes the old row, all in one transaction. Attachments name their
// principal by (type, name), which no single foreign key can express, so the
// store moves and checks them itself. attachment_count is computed from
// iam_attachments, never stored; which version is the default lives only in
// iam_policies.default_version.
constexpr const char* kVersion1[] = {
    // One row, bumped by every write in the write's own transaction, so a
    // gateway polling it sees every change any gateway commits.
    R"sql(CREATE TABLE iam_generation (
  only_row   integer PRIMARY KEY CHECK (only_row = 1),
  generation bigint NOT NULL
))sql",
    R"sql(INSERT INTO iam_generation (only_row, generation) VALUES (1, 0))sql",
    R"sql(CREATE TABLE iam_users (
  name         text COLLATE "C" PRIMARY KEY,
  user_id      text NOT NULL,
  display_name text NOT NULL,
  comments     text NOT NULL,
  created_ms   bigint NOT NULL,
  updated_ms   bigint NOT NULL
))sql",
    R"sql(CREATE TABLE iam_access_keys (
  access_key_id text COLLATE "C" PRIMARY KEY,
  user_name     text COLLATE "C" NOT NULL REFERENCES iam_users (name),
  secret_sealed bytea NOT NULL,
  status        text NOT NULL,
  created_ms    bigint NOT NULL
))sql",
    R"sql(CREATE INDEX iam_access_keys_by_user ON iam_access_keys (user_name, created_ms, access_key_id))sql",
    R"sql(CREATE TABLE iam_groups (
  name       text COLLATE "C" PRIMARY KEY,
  group_id   text NOT NULL,
  comments   text NOT NULL,
  created_ms bigint NOT NULL,
  updated_ms bigint NOT NULL
))sql",
    R"sql(CREATE TABLE iam_group_members (
  group_name text COLLATE "C" NOT NULL REFERENCES iam_groups (name),
  user_name  text COLLATE "C" NOT NULL REFERENCES iam_users (name),
  PRIMARY KEY (group_name, user_name)
))sql",
    R"sql(CREATE INDEX iam_group_members_by_user ON iam_group_members (user_name, group_name))sql",
    R"sql(CREATE TABLE iam_roles (
  name                   text COLLATE "C" PRIMARY KEY,
  role_id                text NOT NULL,
  description            text NOT NULL,
  trust_policy           text NOT NULL,
  max_session_duration_s bigint NOT NULL,
  created_ms             bigint NOT NULL,
  updated_ms             bigint NOT NULL
))sql",
    // Custom policies only; System policies are built into src/iam.
    R"sql(CREATE TABLE iam_policies (
  name            text COLLATE "C" PRIMARY KEY,
  description     text NOT NULL,
  default_version text COLLATE "C" NOT NULL,
  created_ms      bigint NOT NULL,
  updated_ms      bigint NOT NULL
))sql",
    R"sql(CREATE TABLE iam_policy_versions (
  policy_name text COLLATE "C" NOT NULL REFERENCES iam_policies (name) ON DELETE CASCADE,
  version_id  text COLLATE "C" NOT NULL,
  document    text NOT NULL,
  created_ms  bigint NOT NULL,
  PRIMARY KEY (policy_name, version_id)
))sql",
    R"sql(CREATE TABLE iam_attachments (
  policy_type    text COLLATE "C" NOT NULL CHECK (policy_type IN ('Custom', 'System')),
  policy_name    text COLLATE "C" NOT NULL,
  principal_type text COLLATE "C" NOT NULL CHECK (principal_type IN ('User', 'Group', 'Role')),
  principal_name text COLLATE "C" NOT NULL,
  attached_ms    bigint NOT NULL,
  PRIMARY KEY (policy_type, policy_name, principal_type, principal_name)
))sql",
    R"sql(CREATE INDEX iam_attachments_by_principal
  ON iam_attachments (principal_type, principal_name, policy_type, policy_name))sql",
    // The STS token key ring, each key sealed under the master key.
    R"sql(CREATE TABLE iam_token_keys (
  key_id     text COLLATE "C" PRIMARY KEY,
  key_sealed bytea NOT NULL,
  created_ms bigint NOT NULL
))sql",
};

// The SignatureNonce ledger the gateways share (pg_nonce_ledger.cpp). The
// nonce is kept as its SHA-256: a client may send any bytes of any length,
// and a B-tree entry must stay small. expires_ms decides both replays (a row
// past it is taken as absent) and the sweep, which its index keeps cheap.
constexpr const char* kVersion2[] = {
    R"sql(CREATE TABLE iam_nonces (
  access_key_id text COLLATE "C" NOT NULL,
  nonce_sha256  bytea NOT NULL,
  expires_ms    bigint NOT NULL,
  PRIMARY KEY (access_key_id, nonce_sha256)
))sql",
    R"sql(CREATE INDEX iam_nonces_by_expiry ON iam_nonces (expires_ms))sql",
};

// The account whose identities these are, recorded by the first gateway to
// start (pg_account_claim.cpp): one row at most.
constexpr const char* kVersion3[] = {
    R"sql(CREATE TABLE iam_account (
  singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  account_id text COLLATE "C" NOT NULL
))sql",
};

constexpr Migration kIdentityMigrations[] = {{kVersion1}, {kVersion2}, {kVersion3}};

}  // namespace

std::span<const Migration> identity_migrations() { return kIdentityMigrations; }

Status migrate_identity(Connection& connection) {
  return apply_migrations(connection, {.component = "identity", .migrations = identity_migrations()});
}

}  // namespace ossd::meta::pg
