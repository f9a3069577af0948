#include "meta/sqlite_identity_store.hpp"

#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "meta/identity_rules.hpp"
#include "meta/sqlite_connection.hpp"
#include "meta/sqlite_identity_schema.hpp"

namespace ossd::meta {

namespace {

using sqlite::Connection;
using sqlite::in_transaction;
using sqlite::Query;

// ---------------------------------------------------------------- SQL text

constexpr const char* kWriterPragmas =
    "PRAGMA synchronous = FULL;"
    "PRAGMA foreign_keys = ON;"
    "PRAGMA busy_timeout = 5000;"
    "PRAGMA journal_size_limit = 16777216;";
constexpr const char* kReaderPragmas =
    "PRAGMA foreign_keys = ON;"
    "PRAGMA busy_timeout = 5000;"
    "PRAGMA query_only = ON;";

const std::string kBumpGeneration = "UPDATE generation SET value = value + 1 WHERE only_row = 1";
constexpr const char* kSelectGeneration = "SELECT value FROM generation WHERE only_row = 1";

// Users. Paged listings bind ?1 marker and ?2 limit.
const std::string kUserColumns = "name, user_id, display_name, comments, created_ms, updated_ms";
const std::string kInsertUser =
    "INSERT INTO users (" + kUserColumns + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (name) DO NOTHING";
const std::string kSelectUser = "SELECT " + kUserColumns + " FROM users WHERE name = ?1";
const std::string kUserExists = "SELECT 1 FROM users WHERE name = ?1";
const std::string kUpdateUser =
    "UPDATE users SET name = ?2, display_name = ?3, comments = ?4, updated_ms = ?5 WHERE name = ?1";
const std::string kListUsers = "SELECT " + kUserColumns + " FROM users WHERE name > ?1 ORDER BY name LIMIT ?2";
const std::string kDeleteUser = "DELETE FROM users WHERE name = ?1";
const std::string kUserHasKeys = "SELECT 1 FROM access_keys WHERE user_name = ?1 LIMIT 1";
const std::string kUserHasGroups = "SELECT 1 FROM group_members WHERE user_name = ?1 LIMIT 1";

// Access keys.
const std::string kKeyColumns = "access_key_id, user_name, secret_sealed, status, created_ms";
const std::string kInsertKey =
    "INSERT INTO access_keys (" + kKeyColumns + ") VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (access_key_id) DO NOTHING";
const std::string kSelectKey = "SELECT " + kKeyColumns + " FROM access_keys WHERE access_key_id = ?1";
const std::string kCountUserKeys = "SELECT count(*) FROM access_keys WHERE user_name = ?1";
const std::string kListUserKeys =
    "SELECT " + kKeyColumns + " FROM access_keys WHERE user_name = ?1 ORDER BY created_ms, access_key_id";
const std::string kSetKeyStatus = "UPDATE access_keys SET status = ?3 WHERE access_key_id = ?1 AND user_name = ?2";
const std::string kDeleteKey = "DELETE FROM access_keys WHERE access_key_id = ?1 AND user_name = ?2";

// Groups and membership.
const std::string kGroupColumns = "name, group_id, comments, created_ms, updated_ms";
const std::string kInsertGroup =
    "INSERT INTO groups (" + kGroupColumns + ") VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (name) DO NOTHING";
const std::string kSelectGroup = "SELECT " + kGroupColumns + " FROM groups WHERE name = ?1";
const std::string kGroupExists = "SELECT 1 FROM groups WHERE name = ?1";
const std::string kListGroups = "SELECT " + kGroupColumns + " FROM groups WHERE name > ?1 ORDER BY name LIMIT ?2";
const std::string kDeleteGroup = "DELETE FROM groups WHERE name = ?1";
const std::string kGroupHasMembers = "SELECT 1 FROM group_members WHERE group_name = ?1 LIMIT 1";
const std::string kAddMember =
    "INSERT INTO group_members (group_name, user_name) VALUES (?1, ?2) ON CONFLICT DO NOTHING";
const std::string kRemoveMember = "DELETE FROM group_members WHERE group_name = ?1 AND user_name = ?2";
const std::string kGroupsOfUser =
    "SELECT g.name, g.group_id, g.comments, g.created_ms, g.updated_ms FROM group_members m"
    " JOIN groups g ON g.name = m.group_name WHERE m.user_name = ?1 ORDER BY g.name";
const std::string kUsersOfGroup =
    "SELECT u.name, u.user_id, u.display_name, u.comments, u.created_ms, u.updated_ms FROM group_members m"
    " JOIN users u ON u.name = m.user_name WHERE m.group_name = ?1 ORDER BY u.name";

// Roles.
const std::string kRoleColumns =
    "name, role_id, description, trust_policy, max_session_duration_s, created_ms, updated_ms";
const std::string kInsertRole =
    "INSERT INTO roles (" + kRoleColumns + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (name) DO NOTHING";
const std::string kSelectRole = "SELECT " + kRoleColumns + " FROM roles WHERE name = ?1";
const std::string kRoleExists = "SELECT 1 FROM roles WHERE name = ?1";
const std::string kUpdateRole =
    "UPDATE roles SET name = ?2, description = ?3, trust_policy = ?4, max_session_duration_s = ?5,"
    " updated_ms = ?6 WHERE name = ?1";
const std::string kListRoles = "SELECT " + kRoleColumns + " FROM roles WHERE name > ?1 ORDER BY name LIMIT ?2";
const std::string kDeleteRole = "DELETE FROM roles WHERE name = ?1";

// Policies and versions. The record joins the default version's document and
// counts the attachments.
const std::string kPolicySelect =
    "SELECT p.name, p.description, p.default_version, v.document,"
    " (SELECT count(*) FROM attachments a WHERE a.policy_type = 'Custom' AND a.policy_name = p.name),"
    " p.created_ms, p.updated_ms"
    " FROM policies p JOIN policy_versions v ON v.policy_name = p.name AND v.version_id = p.default_version";
const std::string kSelectPolicy = kPolicySelect + " WHERE p.name = ?1";
const std::string kListPolicies = kPolicySelect + " WHERE p.name > ?1 ORDER BY p.name LIMIT ?2";
const std::string kPolicyExists = "SELECT 1 FROM policies WHERE name = ?1";
const std::string kInsertPolicy =
    "INSERT INTO policies (name, description, default_version, created_ms, updated_ms)"
    " VALUES (?1, ?2, 'v1', ?3, ?4) ON CONFLICT (name) DO NOTHING";
const std::string kDeletePolicy = "DELETE FROM policies WHERE name = ?1";
const std::string kPolicyAttachedTo =
    "SELECT principal_type FROM attachments WHERE policy_type = 'Custom' AND policy_name = ?1"
    " ORDER BY principal_type LIMIT 1";
const std::string kSetDefaultVersion = "UPDATE policies SET default_version = ?2, updated_ms = ?3 WHERE name = ?1";
const std::string kInsertVersion =
    "INSERT INTO policy_versions (policy_name, version_id, document, created_ms) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (policy_name, version_id) DO NOTHING";
const std::string kCountVersions = "SELECT count(*) FROM policy_versions WHERE policy_name = ?1";
// Ids the store hands out are "v<n>"; the next one is one past the highest.
const std::string kHighestVersionNumber =
    "SELECT coalesce(max(CAST(substr(version_id, 2) AS INTEGER)), 0) FROM policy_versions"
    " WHERE policy_name = ?1 AND version_id GLOB 'v[0-9]*'";
const std::string kListVersions =
    "SELECT v.version_id, v.document, v.version_id = p.default_version, v.created_ms"
    " FROM policy_versions v JOIN policies p ON p.name = v.policy_name WHERE v.policy_name = ?1"
    " ORDER BY CAST(substr(v.version_id, 2) AS INTEGER), v.version_id";

// Attachments (?1 policy type, ?2 policy name, ?3 principal type, ?4 principal name).
const std::string kAttachmentColumns = "policy_name, policy_type, principal_type, principal_name, attached_ms";
const std::string kInsertAttachment =
    "INSERT INTO attachments (policy_type, policy_name, principal_type, principal_name, attached_ms)"
    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING";
const std::string kDeleteAttachment =
    "DELETE FROM attachments WHERE policy_type = ?1 AND policy_name = ?2 AND principal_type = ?3"
    " AND principal_name = ?4";
const std::string kAttachmentsOf = "SELECT " + kAttachmentColumns +
                                   " FROM attachments WHERE principal_type = ?1 AND principal_name = ?2"
                                   " ORDER BY policy_type, policy_name";
const std::string kPrincipalHasPolicies =
    "SELECT 1 FROM attachments WHERE principal_type = ?1 AND principal_name = ?2 LIMIT 1";
const std::string kRenamePrincipal =
    "UPDATE attachments SET principal_name = ?3 WHERE principal_type = ?1 AND principal_name = ?2";

// Token keys.
const std::string kInsertTokenKey =
    "INSERT INTO token_keys (key_id, key_sealed, created_ms) VALUES (?1, ?2, ?3) ON CONFLICT (key_id) DO NOTHING";
const std::string kListTokenKeys = "SELECT key_id, key_sealed, created_ms FROM token_keys ORDER BY created_ms, key_id";

// ---------------------------------------------------------------- entities

// The lookup by name of a user, group, role or policy.
const std::string& exists_sql(const EntityKind& kind) {
  switch (kind.entity) {
    case Entity::User: return kUserExists;
    case Entity::Group: return kGroupExists;
    case Entity::Role: return kRoleExists;
    case Entity::Policy: return kPolicyExists;
  }
  return kPolicyExists;
}

// ---------------------------------------------------------------- statements

using Param = std::variant<std::string_view, int64_t>;

Result<Query> prepare(Connection& c, const std::string& sql, std::initializer_list<Param> params) {
  auto q = c.query(sql);
  if (!q.ok()) return q;
  int index = 1;
  for (const Param& param : params) {
    if (const auto* text = std::get_if<std::string_view>(&param)) {
      q->bind_text(index, *text);
    } else {
      q->bind_int(index, std::get<int64_t>(param));
    }
    ++index;
  }
  return q;
}

// Runs a statement that yields no rows; returns the number of rows it changed.
Result<int64_t> execute(Connection& c, const std::string& sql, std::initializer_list<Param> params) {
  auto q = prepare(c, sql, params);
  if (!q.ok()) return std::move(q).error();
  if (auto st = q->run(); !st) return std::move(st).error();
  return c.changes();
}

Status run(Connection& c, const std::string& sql, std::initializer_list<Param> params) {
  auto changed = execute(c, sql, params);
  if (!changed.ok()) return std::move(changed).error();
  return ok_status();
}

// Runs an INSERT ... ON CONFLICT DO NOTHING: `taken` when it inserted nothing.
Status insert_new(Connection& c, const std::string& sql, std::initializer_list<Param> params, Error taken) {
  auto inserted = execute(c, sql, params);
  if (!inserted.ok()) return std::move(inserted).error();
  if (*inserted == 0) return taken;
  return ok_status();
}

Result<bool> has_row(Connection& c, const std::string& sql, std::initializer_list<Param> params) {
  auto q = prepare(c, sql, params);
  if (!q.ok()) return std::move(q).error();
  return q->step();
}

Result<int64_t> single_int(Connection& c, const std::string& sql, std::initializer_list<Param> params) {
  auto q = prepare(c, sql, params);
  if (!q.ok()) return std::move(q).error();
  auto row = q->step();
  if (!row.ok()) return std::move(row).error();
  if (!*row) return Error(ErrorCode::InternalError, "no row from: " + sql);
  return q->column_int(0);
}

// Success when the entity exists, else EntityNotExist.
Status require(Connection& c, const EntityKind& kind, const std::string& name) {
  auto found = has_row(c, exists_sql(kind), {name});
  if (!found.ok()) return std::move(found).error();
  if (!*found) return kind.missing();
  return ok_status();
}

// EntityNotExist unless the principal and (for a Custom policy) the policy exist.
Status require_attachable(Connection& c, const EntityKind& kind, const std::string& principal_name,
                          const std::string& policy_type, const std::string& policy_name) {
  if (auto st = require(c, kind, principal_name); !st) return st;
  if (is_custom_policy(policy_type)) return require(c, kPolicyKind, policy_name);
  return ok_status();
}

// Fails with `conflict` when `sql` finds a row.
Status refuse_if_found(Connection& c, const std::string& sql, std::initializer_list<Param> params, Error conflict) {
  auto found = has_row(c, sql, params);
  if (!found.ok()) return std::move(found).error();
  if (*found) return conflict;
  return ok_status();
}

// Updates a user or role: `update(new_name)` writes its row under the name it
// keeps or gets (an empty requested name keeps it). EntityNotExist when it is
// missing, EntityAlreadyExists when the new name belongs to another. Attachments
// name their principal by (type, name), which no foreign key can follow, so a
// rename moves them here, in the same transaction.
template <class Update>
Status update_principal(Connection& c, const EntityKind& kind, const std::string& name,
                        const std::string& requested_name, Update&& update) {
  if (auto st = require(c, kind, name); !st) return st;
  const std::string& new_name = name_after_update(name, requested_name);
  if (new_name != name) {
    if (auto st = refuse_if_found(c, exists_sql(kind), {new_name}, kind.taken()); !st) return st;
  }
  if (Status st = update(new_name); !st) return st;
  if (new_name == name) return ok_status();
  return run(c, kRenamePrincipal, {kind.type, name, new_name});
}

// What refers to a principal and so stops its deletion: a row `sql` finds by
// the principal's name.
struct Dependents {
  const std::string& sql;
  const DeleteConflictReason& reason;
};

// Deletes a user, group or role that exists and that neither `dependents` nor
// attached policies refer to (else EntityNotExist / DeleteConflict).
Status delete_principal(Connection& c, const EntityKind& kind, const std::string& name, const std::string& delete_sql,
                        std::initializer_list<Dependents> dependents) {
  if (auto st = require(c, kind, name); !st) return st;
  for (const Dependents& d : dependents) {
    if (auto st = refuse_if_found(c, d.sql, {name}, d.reason.error()); !st) return st;
  }
  if (auto st = refuse_if_found(c, kPrincipalHasPolicies, {kind.type, name}, principal_has_policies(kind)); !st) {
    return st;
  }
  return run(c, delete_sql, {name});
}

// ---------------------------------------------------------------- rows

void read_column(const Query& q, int column, std::string& out) { out = q.column_text(column); }
void read_column(const Query& q, int column, int64_t& out) { out = q.column_int(column); }
void read_column(const Query& q, int column, bool& out) { out = q.column_int(column) != 0; }

// A record from a row whose columns are, in order, the given members (the
// SELECTs above list the same fields in the same order).
template <class Record, class... Fields>
Record from_columns(const Query& q, Fields Record::*... members) {
  Record record;
  int column = 0;
  (read_column(q, column++, record.*members), ...);
  return record;
}

UserRecord user_from_row(const Query& q) {
  return from_columns(q, &UserRecord::name, &UserRecord::user_id, &UserRecord::display_name, &UserRecord::comments,
                      &UserRecord::created_ms, &UserRecord::updated_ms);
}

AccessKeyRecord key_from_row(const Query& q) {
  return from_columns(q, &AccessKeyRecord::access_key_id, &AccessKeyRecord::user_name, &AccessKeyRecord::secret_sealed,
                      &AccessKeyRecord::status, &AccessKeyRecord::created_ms);
}

GroupRecord group_from_row(const Query& q) {
  return from_columns(q, &GroupRecord::name, &GroupRecord::group_id, &GroupRecord::comments, &GroupRecord::created_ms,
                      &GroupRecord::updated_ms);
}

RoleRecord role_from_row(const Query& q) {
  return from_columns(q, &RoleRecord::name, &RoleRecord::role_id, &RoleRecord::description, &RoleRecord::trust_policy,
                      &RoleRecord::max_session_duration_s, &RoleRecord::created_ms, &RoleRecord::updated_ms);
}

// Stored policies are all Custom, PolicyRecord's default type.
PolicyRecord policy_from_row(const Query& q) {
  return from_columns(q, &PolicyRecord::name, &PolicyRecord::description, &PolicyRecord::default_version,
                      &PolicyRecord::document, &PolicyRecord::attachment_count, &PolicyRecord::created_ms,
                      &PolicyRecord::updated_ms);
}

PolicyVersionRecord version_from_row(const Query& q) {
  return from_columns(q, &PolicyVersionRecord::version_id, &PolicyVersionRecord::document,
                      &PolicyVersionRecord::is_default, &PolicyVersionRecord::created_ms);
}

AttachmentRecord attachment_from_row(const Query& q) {
  return from_columns(q, &AttachmentRecord::policy_name, &AttachmentRecord::policy_type,
                      &AttachmentRecord::principal_type, &AttachmentRecord::principal_name,
                      &AttachmentRecord::attached_ms);
}

TokenKeyRecord token_key_from_row(const Query& q) {
  return from_columns(q, &TokenKeyRecord::key_id, &TokenKeyRecord::key_sealed, &TokenKeyRecord::created_ms);
}

template <class T>
Result<std::vector<T>> collect(Connection& c, const std::string& sql, std::initializer_list<Param> params,
                               T (*from_row)(const Query&)) {
  auto q = prepare(c, sql, params);
  if (!q.ok()) return std::move(q).error();
  std::vector<T> rows;
  while (true) {
    auto row = q->step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) return rows;
    rows.push_back(from_row(*q));
  }
}

template <class T>
Result<std::optional<T>> find_one(Connection& c, const std::string& sql, const std::string& key,
                                  T (*from_row)(const Query&)) {
  auto q = prepare(c, sql, {key});
  if (!q.ok()) return std::move(q).error();
  auto row = q->step();
  if (!row.ok()) return std::move(row).error();
  if (!*row) return std::optional<T>();
  return std::optional<T>(from_row(*q));
}

// One page of a name-ordered listing; `sql` binds ?1 marker and ?2 limit.
template <class T>
Result<Page<T>> page_of(Connection& c, const std::string& sql, const PageQuery& query, T (*from_row)(const Query&)) {
  const int64_t capacity = page_capacity(query);
  auto rows = collect(c, sql, {query.marker, capacity + 1}, from_row);
  if (!rows.ok()) return std::move(rows).error();
  return page_from_rows(std::move(rows).value(), capacity);
}

// ---------------------------------------------------------------- the store

class SqliteIdentityStore final : public IdentityStore {
 public:
  SqliteIdentityStore(std::unique_ptr<Connection> writer, std::unique_ptr<Connection> reader)
      : writer_(std::move(writer)), reader_(std::move(reader)) {}

  Result<int64_t> generation() override {
    return read([](Connection& c) { return c.query_int(kSelectGeneration); });
  }

  // ------------------------------------------------------------ users

  Status create_user(const UserRecord& user) override {
    return write([&](Connection& c) -> Status {
      return insert_new(c, kInsertUser,
                        {user.name, user.user_id, user.display_name, user.comments, user.created_ms, user.updated_ms},
                        kUserKind.taken());
    });
  }

  Result<UserRecord> get_user(const std::string& name) override {
    return read([&](Connection& c) { return get_one(c, kSelectUser, name, user_from_row, kUserKind.missing()); });
  }

  Status update_user(const std::string& name, const UserRecord& updated) override {
    return write([&](Connection& c) {
      // Access keys and memberships follow by ON UPDATE CASCADE.
      return update_principal(c, kUserKind, name, updated.name, [&](const std::string& new_name) {
        return run(c, kUpdateUser, {name, new_name, updated.display_name, updated.comments, updated.updated_ms});
      });
    });
  }

  Result<Page<UserRecord>> list_users(const PageQuery& page) override {
    return read([&](Connection& c) { return page_of(c, kListUsers, page, user_from_row); });
  }

  Status delete_user(const std::string& name) override {
    return write([&](Connection& c) -> Status {
      return delete_principal(c, kUserKind, name, kDeleteUser,
                              {{kUserHasKeys, kUserStillHasKeys}, {kUserHasGroups, kUserStillInGroups}});
    });
  }

  // ------------------------------------------------------------ access keys

  Status create_access_key(const AccessKeyRecord& key, size_t max_per_user) override {
    return write([&](Connection& c) -> Status {
      if (auto st = require(c, kUserKind, key.user_name); !st) return st;
      auto count = single_int(c, kCountUserKeys, {key.user_name});
      if (!count.ok()) return std::move(count).error();
      if (auto st = check_access_key_limit(*count, max_per_user); !st) return st;
      return insert_new(c, kInsertKey,
                        {key.access_key_id, key.user_name, key.secret_sealed, key.status, key.created_ms},
                        access_key_taken());
    });
  }

  Result<AccessKeyRecord> get_access_key(const std::string& access_key_id) override {
    return read(
        [&](Connection& c) { return get_one(c, kSelectKey, access_key_id, key_from_row, access_key_missing()); });
  }

  Result<std::vector<AccessKeyRecord>> list_access_keys(const std::string& user_name) override {
    return read([&](Connection& c) -> Result<std::vector<AccessKeyRecord>> {
      if (auto st = require(c, kUserKind, user_name); !st) return std::move(st).error();
      return collect(c, kListUserKeys, {user_name}, key_from_row);
    });
  }

  Status set_access_key_status(const std::string& user_name, const std::string& access_key_id,
                               const std::string& status) override {
    return write([&](Connection& c) {
      return change_key(c, kSetKeyStatus, {access_key_id, user_name, status}, user_name);
    });
  }

  Status delete_access_key(const std::string& user_name, const std::string& access_key_id) override {
    return write([&](Connection& c) { return change_key(c, kDeleteKey, {access_key_id, user_name}, user_name); });
  }

  // ------------------------------------------------------------ groups

  Status create_group(const GroupRecord& group) override {
    return write([&](Connection& c) -> Status {
      return insert_new(c, kInsertGroup,
                        {group.name, group.group_id, group.comments, group.created_ms, group.updated_ms},
                        kGroupKind.taken());
    });
  }

  Result<GroupRecord> get_group(const std::string& name) override {
    return read([&](Connection& c) { return get_one(c, kSelectGroup, name, group_from_row, kGroupKind.missing()); });
  }

  Result<Page<GroupRecord>> list_groups(const PageQuery& page) override {
    return read([&](Connection& c) { return page_of(c, kListGroups, page, group_from_row); });
  }

  Status delete_group(const std::string& name) override {
    return write([&](Connection& c) -> Status {
      return delete_principal(c, kGroupKind, name, kDeleteGroup, {{kGroupHasMembers, kGroupStillHasMembers}});
    });
  }

  Status add_user_to_group(const std::string& user_name, const std::string& group_name) override {
    return write([&](Connection& c) -> Status {
      if (auto st = require(c, kUserKind, user_name); !st) return st;
      if (auto st = require(c, kGroupKind, group_name); !st) return st;
      return insert_new(c, kAddMember, {group_name, user_name}, member_taken());
    });
  }

  Status remove_user_from_group(const std::string& user_name, const std::string& group_name) override {
    return write([&](Connection& c) -> Status {
      auto removed = execute(c, kRemoveMember, {group_name, user_name});
      if (!removed.ok()) return std::move(removed).error();
      if (*removed > 0) return ok_status();
      if (auto st = require(c, kUserKind, user_name); !st) return st;
      if (auto st = require(c, kGroupKind, group_name); !st) return st;
      return member_missing();
    });
  }

  Result<std::vector<GroupRecord>> list_groups_for_user(const std::string& user_name) override {
    return read([&](Connection& c) -> Result<std::vector<GroupRecord>> {
      if (auto st = require(c, kUserKind, user_name); !st) return std::move(st).error();
      return collect(c, kGroupsOfUser, {user_name}, group_from_row);
    });
  }

  Result<std::vector<UserRecord>> list_users_for_group(const std::string& group_name) override {
    return read([&](Connection& c) -> Result<std::vector<UserRecord>> {
      if (auto st = require(c, kGroupKind, group_name); !st) return std::move(st).error();
      return collect(c, kUsersOfGroup, {group_name}, user_from_row);
    });
  }

  // ------------------------------------------------------------ roles

  Status create_role(const RoleRecord& role) override {
    return write([&](Connection& c) -> Status {
      return insert_new(c, kInsertRole,
                        {role.name, role.role_id, role.description, role.trust_policy, role.max_session_duration_s,
                         role.created_ms, role.updated_ms},
                        kRoleKind.taken());
    });
  }

  Result<RoleRecord> get_role(const std::string& name) override {
    return read([&](Connection& c) { return get_one(c, kSelectRole, name, role_from_row, kRoleKind.missing()); });
  }

  Status update_role(const std::string& name, const RoleRecord& updated) override {
    return write([&](Connection& c) {
      return update_principal(c, kRoleKind, name, updated.name, [&](const std::string& new_name) {
        return run(c, kUpdateRole,
                   {name, new_name, updated.description, updated.trust_policy, updated.max_session_duration_s,
                    updated.updated_ms});
      });
    });
  }

  Result<Page<RoleRecord>> list_roles(const PageQuery& page) override {
    return read([&](Connection& c) { return page_of(c, kListRoles, page, role_from_row); });
  }

  Status delete_role(const std::string& name) override {
    return write([&](Connection& c) -> Status { return delete_principal(c, kRoleKind, name, kDeleteRole, {}); });
  }

  // ------------------------------------------------------------ policies

  Status create_policy(const PolicyRecord& policy) override {
    return write([&](Connection& c) -> Status {
      Status inserted =
          insert_new(c, kInsertPolicy, {policy.name, policy.description, policy.created_ms, policy.updated_ms},
                     kPolicyKind.taken());
      if (!inserted) return inserted;
      return run(c, kInsertVersion, {policy.name, kFirstPolicyVersion, policy.document, policy.created_ms});
    });
  }

  Result<PolicyRecord> get_policy(const std::string& name) override {
    return read([&](Connection& c) { return get_one(c, kSelectPolicy, name, policy_from_row, kPolicyKind.missing()); });
  }

  Result<Page<PolicyRecord>> list_policies(const PageQuery& page) override {
    return read([&](Connection& c) { return page_of(c, kListPolicies, page, policy_from_row); });
  }

  Status delete_policy(const std::string& name) override {
    return write([&](Connection& c) -> Status {
      if (auto st = require(c, kPolicyKind, name); !st) return st;
      auto q = prepare(c, kPolicyAttachedTo, {name});
      if (!q.ok()) return std::move(q).error();
      auto attached = q->step();
      if (!attached.ok()) return std::move(attached).error();
      if (*attached) {
        return policy_still_attached(q->column_text(0));
      }
      // Versions go by ON DELETE CASCADE.
      return run(c, kDeletePolicy, {name});
    });
  }

  Status create_policy_version(const std::string& name, const PolicyVersionRecord& version, bool set_default) override {
    return write([&](Connection& c) -> Status {
      if (auto st = require(c, kPolicyKind, name); !st) return st;
      auto count = single_int(c, kCountVersions, {name});
      if (!count.ok()) return std::move(count).error();
      if (auto st = check_policy_version_limit(*count); !st) return st;
      std::string version_id = version.version_id;
      if (version_id.empty()) {
        auto highest = single_int(c, kHighestVersionNumber, {name});
        if (!highest.ok()) return std::move(highest).error();
        version_id = next_policy_version_id(*highest);
      }
      if (auto st = insert_new(c, kInsertVersion, {name, version_id, version.document, version.created_ms},
                               policy_version_taken());
          !st || !set_default) {
        return st;
      }
      return run(c, kSetDefaultVersion, {name, version_id, version.created_ms});
    });
  }

  Result<std::vector<PolicyVersionRecord>> list_policy_versions(const std::string& name) override {
    return read([&](Connection& c) -> Result<std::vector<PolicyVersionRecord>> {
      if (auto st = require(c, kPolicyKind, name); !st) return std::move(st).error();
      return collect(c, kListVersions, {name}, version_from_row);
    });
  }

  // ------------------------------------------------------------ attachments

  Status attach_policy(const AttachmentRecord& a) override {
    return write([&](Connection& c) -> Status {
      auto kind = attachment_principal_kind(a.principal_type, a.policy_type);
      if (!kind.ok()) return std::move(kind).error();
      if (auto st = require_attachable(c, **kind, a.principal_name, a.policy_type, a.policy_name); !st) return st;
      return insert_new(c, kInsertAttachment,
                        {a.policy_type, a.policy_name, a.principal_type, a.principal_name, a.attached_ms},
                        attachment_taken(**kind));
    });
  }

  Status detach_policy(const std::string& policy_type, const std::string& policy_name,
                       const std::string& principal_type, const std::string& principal_name) override {
    return write([&](Connection& c) -> Status {
      auto kind = attachment_principal_kind(principal_type, policy_type);
      if (!kind.ok()) return std::move(kind).error();
      auto removed = execute(c, kDeleteAttachment, {policy_type, policy_name, principal_type, principal_name});
      if (!removed.ok()) return std::move(removed).error();
      if (*removed > 0) return ok_status();
      if (auto st = require_attachable(c, **kind, principal_name, policy_type, policy_name); !st) return st;
      return attachment_missing(**kind);
    });
  }

  Result<std::vector<AttachmentRecord>> list_attachments_for(const std::string& principal_type,
                                                             const std::string& principal_name) override {
    return read([&](Connection& c) -> Result<std::vector<AttachmentRecord>> {
      auto kind = principal_kind(principal_type);
      if (!kind.ok()) return std::move(kind).error();
      if (auto st = require(c, **kind, principal_name); !st) return std::move(st).error();
      return collect(c, kAttachmentsOf, {principal_type, principal_name}, attachment_from_row);
    });
  }

  // ------------------------------------------------------------ token keys

  Status add_token_key(const TokenKeyRecord& key) override {
    return write([&](Connection& c) -> Status {
      return insert_new(c, kInsertTokenKey, {key.key_id, key.key_sealed, key.created_ms}, token_key_taken());
    });
  }

  Result<std::vector<TokenKeyRecord>> list_token_keys() override {
    return read([&](Connection& c) { return collect(c, kListTokenKeys, {}, token_key_from_row); });
  }

 private:
  // One IMMEDIATE transaction per write: the checks and the change see the
  // same state, and the generation moves with every change that commits.
  template <class Body>
  Status write(Body&& body) {
    std::lock_guard lock(writer_mutex_);
    return in_transaction(*writer_, "BEGIN IMMEDIATE", [&](Connection& c) -> Status {
      if (Status st = body(c); !st) return st;
      return run(c, kBumpGeneration, {});
    });
  }

  // One snapshot for the whole call, even across several statements.
  template <class Body>
  auto read(Body&& body) -> std::invoke_result_t<Body&, Connection&> {
    std::lock_guard lock(reader_mutex_);
    return in_transaction(*reader_, "BEGIN", body);
  }

  // Changes or deletes one of a user's keys: EntityNotExist when it changed
  // nothing, for the user or else the key.
  static Status change_key(Connection& c, const std::string& sql, std::initializer_list<Param> params,
                           const std::string& user_name) {
    auto changed = execute(c, sql, params);
    if (!changed.ok()) return std::move(changed).error();
    if (*changed > 0) return ok_status();
    if (auto st = require(c, kUserKind, user_name); !st) return st;
    return access_key_missing();
  }

  template <class T>
  static Result<T> get_one(Connection& c, const std::string& sql, const std::string& key, T (*from_row)(const Query&),
                           Error missing) {
    auto found = find_one(c, sql, key, from_row);
    if (!found.ok()) return std::move(found).error();
    if (!*found) return missing;
    return std::move(**found);
  }

  std::mutex writer_mutex_;
  std::unique_ptr<Connection> writer_;
  std::mutex reader_mutex_;
  std::unique_ptr<Connection> reader_;
};

}  // namespace

Result<std::unique_ptr<IdentityStore>> open_sqlite_identity_store(const std::filesystem::path& db_file) {
  auto writer = Connection::open(db_file);
  if (!writer.ok()) return std::move(writer).error();
  if (auto st = (*writer)->exec(kWriterPragmas); !st) return std::move(st).error();
  // Claim and migrate before switching to WAL, so a foreign file is refused
  // without its journal mode being changed.
  if (auto st = sqlite::migrate_identity_schema(**writer); !st) return std::move(st).error();
  if (auto st = (*writer)->enable_wal("identity database"); !st) return std::move(st).error();
  auto reader = Connection::open(db_file);
  if (!reader.ok()) return std::move(reader).error();
  if (auto st = (*reader)->exec(kReaderPragmas); !st) return std::move(st).error();
  return std::unique_ptr<IdentityStore>(new SqliteIdentityStore(std::move(writer).value(), std::move(reader).value()));
}

}  // namespace ossd::meta
