#pragma once
// IdentityStore on an embedded SQLite database, a file of its own beside the
// object metadata (e.g. <data-dir>/meta/identity.db), so identities can be
// backed up, moved or shared apart from the objects.
//
// Durability: WAL with synchronous=FULL; a write that returned survives power
// loss. Concurrency: writes go through one connection, one BEGIN IMMEDIATE
// transaction per call, serialised by a mutex; reads use a second connection
// under its own mutex, each call one snapshot, so reads never wait for a
// write's fsync. Reads are rare (callers cache and poll generation()), so one
// reader is enough.
//
// Choices the interface leaves open:
// - Names are compared byte-wise, case-sensitively ("Alice" != "alice").
// - Every error carries a detail "RamCode" with the RAM API error code it
//   stands for ("EntityNotExist.User", "DeleteConflict.User.AccessKey",
//   "LimitExceeded.User.AccessKey"...); the message says the same in words.
// - update_user / update_role: an empty updated.name keeps the name; user_id /
//   role_id and created_ms never change. A rename carries the user's keys,
//   group memberships and attachments (or the role's attachments) along.
// - create_policy stores policy.document as v1 (the default), whatever
//   default_version says; created_ms/updated_ms come from the record.
// - create_policy_version: an empty version_id gets "v<highest + 1>"; a given
//   one must be unused. With set_default the policy's updated_ms becomes the
//   version's created_ms. delete_policy drops its versions.
// - list_access_keys: oldest first; list_policy_versions: by version number;
//   list_groups_for_user, list_users_for_group, list_attachments_for and
//   list_token_keys (oldest first) are complete lists, not pages.
// - PageQuery.max_items 0 counts as 1, so a paging loop always advances.
#include <filesystem>
#include <memory>

#include "core/result.hpp"
#include "meta/identity_store.hpp"

namespace ossd::meta {

// Opens or creates db_file (plus its -wal and -shm files beside it) and brings
// the schema up to date. Fails on a file that is not an identity database.
Result<std::unique_ptr<IdentityStore>> open_sqlite_identity_store(const std::filesystem::path& db_file);

}  // namespace ossd::meta
