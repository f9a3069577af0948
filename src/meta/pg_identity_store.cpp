#include "meta/pg_identity_store.hpp"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "meta/identity_rules.hpp"
#include "meta/pg_codec.hpp"
#include "meta/pg_connection.hpp"
#include "meta/pg_identity_schema.hpp"

namespace ossd::meta {

namespace {

using pg::Access;
using pg::Connection;
using pg::Params;
using pg::Rows;

// ---------------------------------------------------------------- SQL text

// The generation row is the last thing a write touches, so its lock (which
// serialises identity writers' commits) is held only for the commit itself.
const std::string kBumpGeneration = "UPDATE iam_generation SET generation = generation + 1 WHERE only_row = 1";
const std::string kSelectGeneration = "SELECT generation FROM iam_generation WHERE only_row = 1";

// Each principal and the policy table have three lookups by name: a plain
// one for reads and for telling which entity an empty change was missing,
// FOR KEY SHARE before adding a reference to the row (blocks its deletion
// and renaming until commit), FOR UPDATE before renaming, deleting or
// counting against a limit under it. Paged listings bind $1 marker, $2 limit.

// Users.
const std::string kUserColumns = "name, user_id, display_name, comments, created_ms, updated_ms";
const std::string kInsertUser =
    "INSERT INTO iam_users (" + kUserColumns + ") VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING";
const std::string kSelectUser = "SELECT " + kUserColumns + " FROM iam_users WHERE name = $1";
const std::string kUserExists = "SELECT 1 FROM iam_users WHERE name = $1";
const std::string kShareUser = kUserExists + " FOR KEY SHARE";
const std::string kLockUser = kUserExists + " FOR UPDATE";
const std::string kUpdateUser =
    "UPDATE iam_users SET display_name = $2, comments = $3, updated_ms = $4 WHERE name = $1";
// A rename claims the new name with a copy of the row ($1 old name, $2 new).
const std::string kInsertRenamedUser =
    "INSERT INTO iam_users (" + kUserColumns +
    ") SELECT $2, user_id, $3, $4, created_ms, $5 FROM iam_users WHERE name = $1 ON CONFLICT (name) DO NOTHING";
const std::string kMoveUserKeys = "UPDATE iam_access_keys SET user_name = $2 WHERE user_name = $1";
const std::string kMoveUserGroups = "UPDATE iam_group_members SET user_name = $2 WHERE user_name = $1";
const std::string kListUsers = "SELECT " + kUserColumns + " FROM iam_users WHERE name > $1 ORDER BY name LIMIT $2";
const std::string kDeleteUser = "DELETE FROM iam_users WHERE name = $1";
const std::string kUserHasKeys = "SELECT 1 FROM iam_access_keys WHERE user_name = $1 LIMIT 1";
const std::string kUserHasGroups = "SELECT 1 FROM iam_group_members WHERE user_name = $1 LIMIT 1";

// Access keys.
const std::string kKeyColumns = "access_key_id, user_name, secret_sealed, status, created_ms";
const std::string kInsertKey = "INSERT INTO iam_access_keys (" + kKeyColumns +
                               ") VALUES ($1, $2, $3, $4, $5) ON CONFLICT (access_key_id) DO NOTHING";
const std::string kSelectKey = "SELECT " + kKeyColumns + " FROM iam_access_keys WHERE access_key_id = $1";
const std::string kCountUserKeys = "SELECT count(*) FROM iam_access_keys WHERE user_name = $1";
const std::string kListUserKeys =
    "SELECT " + kKeyColumns + " FROM iam_access_keys WHERE user_name = $1 ORDER BY created_ms, access_key_id";
const std::string kSetKeyStatus = "UPDATE iam_access_keys SET status = $3 WHERE access_key_id = $1 AND user_name = $2";
const std::string kDeleteKey = "DELETE FROM iam_access_keys WHERE access_key_id = $1 AND user_name = $2";

// Groups and membership.
const std::string kGroupColumns = "name, group_id, comments, created_ms, updated_ms";
const std::string kInsertGroup =
    "INSERT INTO iam_groups (" + kGroupColumns + ") VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING";
const std::string kSelectGroup = "SELECT " + kGroupColumns + " FROM iam_groups WHERE name = $1";
const std::string kGroupExists = "SELECT 1 FROM iam_groups WHERE name = $1";
const std::string kShareGroup = kGroupExists + " FOR KEY SHARE";
const std::string kLockGroup = kGroupExists + " FOR UPDATE";
const std::string kListGroups = "SELECT " + kGroupColumns + " FROM iam_groups WHERE name > $1 ORDER BY name LIMIT $2";
const std::string kDeleteGroup = "DELETE FROM iam_groups WHERE name = $1";
const std::string kGroupHasMembers = "SELECT 1 FROM iam_group_members WHERE group_name = $1 LIMIT 1";
const std::string kAddMember =
    "INSERT INTO iam_group_members (group_name, user_name) VALUES ($1, $2) ON CONFLICT DO NOTHING";
const std::string kRemoveMember = "DELETE FROM iam_group_members WHERE group_name = $1 AND user_name = $2";
const std::string kGroupsOfUser =
    "SELECT g.name, g.group_id, g.comments, g.created_ms, g.updated_ms FROM iam_group_members m"
    " JOIN iam_groups g ON g.name = m.group_name WHERE m.user_name = $1 ORDER BY g.name";
const std::string kUsersOfGroup =
    "SELECT u.name, u.user_id, u.display_name, u.comments, u.created_ms, u.updated_ms FROM iam_group_members m"
    " JOIN iam_users u ON u.name = m.user_name WHERE m.group_name = $1 ORDER BY u.name";

// Roles.
const std::string kRoleColumns =
    "name, role_id, description, trust_policy, max_session_duration_s, created_ms, updated_ms";
const std::string kInsertRole =
    "INSERT INTO iam_roles (" + kRoleColumns + ") VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name) DO NOTHING";
const std::string kSelectRole = "SELECT " + kRoleColumns + " FROM iam_roles WHERE name = $1";
const std::string kRoleExists = "SELECT 1 FROM iam_roles WHERE name = $1";
const std::string kShareRole = kRoleExists + " FOR KEY SHARE";
const std::string kLockRole = kRoleExists + " FOR UPDATE";
const std::string kUpdateRole =
    "UPDATE iam_roles SET description = $2, trust_policy = $3, max_session_duration_s = $4, updated_ms = $5"
    " WHERE name = $1";
const std::string kInsertRenamedRole =
    "INSERT INTO iam_roles (" + kRoleColumns +
    ") SELECT $2, role_id, $3, $4, $5, created_ms, $6 FROM iam_roles WHERE name = $1 ON CONFLICT (name) DO NOTHING";
const std::string kListRoles = "SELECT " + kRoleColumns + " FROM iam_roles WHERE name > $1 ORDER BY name LIMIT $2";
const std::string kDeleteRole = "DELETE FROM iam_roles WHERE name = $1";

// Policies and versions. The record joins the default version's document and
// counts the attachments.
const std::string kPolicySelect =
    "SELECT p.name, p.description, p.default_version, v.document,"
    " (SELECT count(*) FROM iam_attachments a WHERE a.policy_type = 'Custom' AND a.policy_name = p.name),"
    " p.created_ms, p.updated_ms"
    " FROM iam_policies p JOIN iam_policy_versions v ON v.policy_name = p.name AND v.version_id = p.default_version";
const std::string kSelectPolicy = kPolicySelect + " WHERE p.name = $1";
const std::string kListPolicies = kPolicySelect + " WHERE p.name > $1 ORDER BY p.name LIMIT $2";
const std::string kPolicyExists = "SELECT 1 FROM iam_policies WHERE name = $1";
const std::string kSharePolicy = kPolicyExists + " FOR KEY SHARE";
const std::string kLockPolicy = kPolicyExists + " FOR UPDATE";
const std::string kInsertPolicy =
    "INSERT INTO iam_policies (name, description, default_version, created_ms, updated_ms)"
    " VALUES ($1, $2, 'v1', $3, $4) ON CONFLICT (name) DO NOTHING";
const std::string kDeletePolicy = "DELETE FROM iam_policies WHERE name = $1";  // versions go by cascade
const std::string kPolicyAttachedTo =
    "SELECT principal_type FROM iam_attachments WHERE policy_type = 'Custom' AND policy_name = $1"
    " ORDER BY principal_type LIMIT 1";
const std::string kSetDefaultVersion = "UPDATE iam_policies SET default_version = $2, updated_ms = $3 WHERE name = $1";
const std::string kInsertVersion =
    "INSERT INTO iam_policy_versions (policy_name, version_id, document, created_ms) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (policy_name, version_id) DO NOTHING";
const std::string kCountVersions = "SELECT count(*) FROM iam_policy_versions WHERE policy_name = $1";
// Ids the store hands out are "v<n>"; the next one is one past the highest
// (numeric, so a huge given id cannot overflow the arithmetic; the result is
// capped to fit bigint).
const std::string kHighestVersionNumber =
    "SELECT least(coalesce(max(substring(version_id FROM '^v([0-9]+)')::numeric), 0), 9223372036854775806)::bigint"
    " FROM iam_policy_versions WHERE policy_name = $1";
// Ordered by the number after the first character (0 when there is none),
// then by id, as the SQLite store orders them.
const std::string kListVersions =
    "SELECT v.version_id, v.document, v.version_id = p.default_version, v.created_ms"
    " FROM iam_policy_versions v JOIN iam_policies p ON p.name = v.policy_name WHERE v.policy_name = $1"
    " ORDER BY coalesce(substring(v.version_id FROM '^.([0-9]+)')::numeric, 0), v.version_id";

// Attachments ($1 policy type, $2 policy name, $3 principal type, $4 principal name).
const std::string kAttachmentColumns = "policy_name, policy_type, principal_type, principal_name, attached_ms";
const std::string kInsertAttachment =
    "INSERT INTO iam_attachments (policy_type, policy_name, principal_type, principal_name, attached_ms)"
    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING";
const std::string kDeleteAttachment =
    "DELETE FROM iam_attachments WHERE policy_type = $1 AND policy_name = $2 AND principal_type = $3"
    " AND principal_name = $4";
const std::string kAttachmentsOf = "SELECT " + kAttachmentColumns +
                                   " FROM iam_attachments WHERE principal_type = $1 AND principal_name = $2"
                                   " ORDER BY policy_type, policy_name";
const std::string kPrincipalHasPolicies =
    "SELECT 1 FROM iam_attachments WHERE principal_type = $1 AND principal_name = $2 LIMIT 1";
const std::string kRenamePrincipal =
    "UPDATE iam_attachments SET principal_name = $3 WHERE principal_type = $1 AND principal_name = $2";

// Token keys.
const std::string kInsertTokenKey =
    "INSERT INTO iam_token_keys (key_id, key_sealed, created_ms) VALUES ($1, $2, $3) ON CONFLICT (key_id) DO NOTHING";
const std::string kListTokenKeys =
    "SELECT key_id, key_sealed, created_ms FROM iam_token_keys ORDER BY created_ms, key_id";

// ---------------------------------------------------------------- principals

// How a write holds the row it checked until it commits.
enum class Hold {
  Nothing,    // a plain read: only tells which entity is missing
  Reference,  // FOR KEY SHARE: the row stays, under its name, while a reference to it is added
  Change,     // FOR UPDATE: nobody else references, renames, deletes or counts under it meanwhile
};

// The lookup by name of a user, group, role or policy, holding its row as asked.
const std::string& lookup(const EntityKind& kind, Hold hold) {
  const auto pick = [hold](const std::string& plain, const std::string& share,
                           const std::string& lock) -> const std::string& {
    switch (hold) {
      case Hold::Nothing: return plain;
      case Hold::Reference: return share;
      case Hold::Change: return lock;
    }
    return plain;
  };
  switch (kind.entity) {
    case Entity::User: return pick(kUserExists, kShareUser, kLockUser);
    case Entity::Group: return pick(kGroupExists, kShareGroup, kLockGroup);
    case Entity::Role: return pick(kRoleExists, kShareRole, kLockRole);
    case Entity::Policy: return pick(kPolicyExists, kSharePolicy, kLockPolicy);
  }
  return kPolicyExists;
}

// ---------------------------------------------------------------- statements

// Runs a statement that yields no rows; returns the number of rows it changed.
Result<int64_t> execute(Connection& c, const std::string& sql, const Params& params) {
  auto rows = c.query(sql, params);
  if (!rows.ok()) return std::move(rows).error();
  return rows->affected();
}

Status run(Connection& c, const std::string& sql, const Params& params) { return c.execute(sql.c_str(), params); }

// Runs an INSERT ... ON CONFLICT DO NOTHING: `taken` when it inserted nothing.
// A concurrent transaction inserting the same key makes this one wait for its
// outcome, so of two racing creators exactly one gets `taken`.
Status insert_new(Connection& c, const std::string& sql, const Params& params, Error taken) {
  auto inserted = execute(c, sql, params);
  if (!inserted.ok()) return std::move(inserted).error();
  if (*inserted == 0) return taken;
  return ok_status();
}

Result<bool> has_row(Connection& c, const std::string& sql, const Params& params) {
  auto rows = c.query(sql, params);
  if (!rows.ok()) return std::move(rows).error();
  return rows->count() > 0;
}

Result<int64_t> single_int(Connection& c, const std::string& sql, const Params& params) {
  auto rows = c.query(sql, params);
  if (!rows.ok()) return std::move(rows).error();
  if (rows->count() == 0) return Error(ErrorCode::InternalError, "no row from: " + sql);
  return rows->integer(0, 0);
}

// Success when the entity exists (and is held as asked), else EntityNotExist.
Status require(Connection& c, const EntityKind& kind, const std::string& name, Hold hold) {
  auto found = has_row(c, lookup(kind, hold), Params().text(name));
  if (!found.ok()) return std::move(found).error();
  if (!*found) return kind.missing();
  return ok_status();
}

// EntityNotExist unless the principal and (for a Custom policy) the policy exist.
Status require_attachable(Connection& c, const EntityKind& kind, const std::string& principal_name,
                          const std::string& policy_type, const std::string& policy_name, Hold hold) {
  if (auto st = require(c, kind, principal_name, hold); !st) return st;
  if (is_custom_policy(policy_type)) return require(c, kPolicyKind, policy_name, hold);
  return ok_status();
}

// Fails with `conflict` when `sql` finds a row.
Status refuse_if_found(Connection& c, const std::string& sql, const Params& params, Error conflict) {
  auto found = has_row(c, sql, params);
  if (!found.ok()) return std::move(found).error();
  if (*found) return conflict;
  return ok_status();
}

// How update_user / update_role change their row.
struct PrincipalUpdate {
  const std::string* delete_sql;
  // Statements ($1 old name, $2 new name) moving what refers to the row by a
  // foreign key, run between claiming the new name and dropping the old row.
  std::vector<const std::string*> move_references;
};

// Updates a user or role, locked FOR UPDATE first: `in_place()` when it keeps
// its name (an empty requested name keeps it), else `insert_renamed(new_name)`
// claims the new name with a copy of the row, what refers to it moves over,
// and the old row goes. EntityNotExist when it is missing, EntityAlreadyExists
// when the new name belongs to another (also one created concurrently: the
// claim waits for that creator's commit and then inserts nothing).
template <class InPlace, class InsertRenamed>
Status update_principal(Connection& c, const EntityKind& kind, const std::string& name,
                        const std::string& requested_name, const PrincipalUpdate& how, InPlace&& in_place,
                        InsertRenamed&& insert_renamed) {
  if (auto st = require(c, kind, name, Hold::Change); !st) return st;
  const std::string& new_name = name_after_update(name, requested_name);
  if (new_name == name) return in_place();
  auto claimed = insert_renamed(new_name);
  if (!claimed.ok()) return std::move(claimed).error();
  if (*claimed == 0) return kind.taken();
  for (const std::string* sql : how.move_references) {
    if (auto st = run(c, *sql, Params().text(name).text(new_name)); !st) return st;
  }
  if (auto st = run(c, kRenamePrincipal, Params().text(kind.type).text(name).text(new_name)); !st) return st;
  return run(c, *how.delete_sql, Params().text(name));
}

// What refers to a principal and so stops its deletion: a row `sql` finds by
// the principal's name.
struct Dependents {
  const std::string& sql;
  const DeleteConflictReason& reason;
};

// Deletes a user, group or role that exists and that neither `dependents` nor
// attached policies refer to (else EntityNotExist / DeleteConflict). The row
// is locked FOR UPDATE first, so no reference can be added while it is checked.
Status delete_principal(Connection& c, const EntityKind& kind, const std::string& name, const std::string& delete_sql,
                        std::initializer_list<Dependents> dependents) {
  if (auto st = require(c, kind, name, Hold::Change); !st) return st;
  for (const Dependents& d : dependents) {
    if (auto st = refuse_if_found(c, d.sql, Params().text(name), d.reason.error()); !st) return st;
  }
  if (auto st =
          refuse_if_found(c, kPrincipalHasPolicies, Params().text(kind.type).text(name), principal_has_policies(kind));
      !st) {
    return st;
  }
  return run(c, delete_sql, Params().text(name));
}

// ---------------------------------------------------------------- rows

void read_column(const Rows& rows, int r, int column, std::string& out) { out = rows.text(r, column); }
void read_column(const Rows& rows, int r, int column, int64_t& out) { out = rows.integer(r, column); }
void read_column(const Rows& rows, int r, int column, bool& out) { out = rows.boolean(r, column); }

// A record from a row whose columns are, in order, the given members (the
// SELECTs above list the same fields in the same order).
template <class Record, class... Fields>
Record from_columns(const Rows& rows, int r, Fields Record::*... members) {
  Record record;
  int column = 0;
  (read_column(rows, r, column++, record.*members), ...);
  return record;
}

UserRecord user_from_row(const Rows& rows, int r) {
  return from_columns(rows, r, &UserRecord::name, &UserRecord::user_id, &UserRecord::display_name,
                      &UserRecord::comments, &UserRecord::created_ms, &UserRecord::updated_ms);
}

AccessKeyRecord key_from_row(const Rows& rows, int r) {
  return from_columns(rows, r, &AccessKeyRecord::access_key_id, &AccessKeyRecord::user_name,
                      &AccessKeyRecord::secret_sealed, &AccessKeyRecord::status, &AccessKeyRecord::created_ms);
}

GroupRecord group_from_row(const Rows& rows, int r) {
  return from_columns(rows, r, &GroupRecord::name, &GroupRecord::group_id, &GroupRecord::comments,
                      &GroupRecord::created_ms, &GroupRecord::updated_ms);
}

RoleRecord role_from_row(const Rows& rows, int r) {
  return from_columns(rows, r, &RoleRecord::name, &RoleRecord::role_id, &RoleRecord::description,
                      &RoleRecord::trust_policy, &RoleRecord::max_session_duration_s, &RoleRecord::created_ms,
                      &RoleRecord::updated_ms);
}

// Stored policies are all Custom, PolicyRecord's default type.
PolicyRecord policy_from_row(const Rows& rows, int r) {
  return from_columns(rows, r, &PolicyRecord::name, &PolicyRecord::description, &PolicyRecord::default_version,
                      &PolicyRecord::document, &PolicyRecord::attachment_count, &PolicyRecord::created_ms,
                      &PolicyRecord::updated_ms);
}

PolicyVersionRecord version_from_row(const Rows& rows, int r) {
  return from_columns(rows, r, &PolicyVersionRecord::version_id, &PolicyVersionRecord::document,
                      &PolicyVersionRecord::is_default, &PolicyVersionRecord::created_ms);
}

AttachmentRecord attachment_from_row(const Rows& rows, int r) {
  return from_columns(rows, r, &AttachmentRecord::policy_name, &AttachmentRecord::policy_type,
                      &AttachmentRecord::principal_type, &AttachmentRecord::principal_name,
                      &AttachmentRecord::attached_ms);
}

TokenKeyRecord token_key_from_row(const Rows& rows, int r) {
  return from_columns(rows, r, &TokenKeyRecord::key_id, &TokenKeyRecord::key_sealed, &TokenKeyRecord::created_ms);
}

template <class T>
using FromRow = T (*)(const Rows&, int);

template <class T>
Result<std::vector<T>> collect(Connection& c, const std::string& sql, const Params& params, FromRow<T> from_row) {
  auto rows = c.query(sql, params);
  if (!rows.ok()) return std::move(rows).error();
  std::vector<T> records;
  records.reserve(static_cast<size_t>(rows->count()));
  for (int r = 0; r < rows->count(); ++r) records.push_back(from_row(*rows, r));
  return records;
}

template <class T>
Result<T> get_one(Connection& c, const std::string& sql, const std::string& key, FromRow<T> from_row, Error missing) {
  auto rows = c.query(sql, Params().text(key));
  if (!rows.ok()) return std::move(rows).error();
  if (rows->count() == 0) return missing;
  return from_row(*rows, 0);
}

// One page of a name-ordered listing; `sql` binds $1 marker and $2 limit.
template <class T>
Result<Page<T>> page_of(Connection& c, const std::string& sql, const PageQuery& query, FromRow<T> from_row) {
  const int64_t capacity = page_capacity(query);
  auto rows = collect(c, sql, Params().text(query.marker).int64(capacity + 1), from_row);
  if (!rows.ok()) return std::move(rows).error();
  return page_from_rows(std::move(rows).value(), capacity);
}

// Changes or deletes one of a user's keys: EntityNotExist when it changed
// nothing, for the user or else the key.
Status change_key(Connection& c, const std::string& sql, const Params& params, const std::string& user_name) {
  auto changed = execute(c, sql, params);
  if (!changed.ok()) return std::move(changed).error();
  if (*changed > 0) return ok_status();
  if (auto st = require(c, kUserKind, user_name, Hold::Nothing); !st) return st;
  return access_key_missing();
}

// ---------------------------------------------------------------- the store

class PgIdentityStore final : public IdentityStore {
 public:
  PgIdentityStore(const std::string& conninfo, const PgStoreOptions& options)
      : pool_(conninfo, options.max_connections, pg::RetryPolicy{.max_attempts = options.max_transaction_attempts}) {}

  void adopt(std::unique_ptr<Connection> connection) { pool_.adopt(std::move(connection)); }

  Result<int64_t> generation() override {
    return pool_.transact(Access::ReadStatement,
                          [](Connection& c) { return single_int(c, kSelectGeneration, Params()); });
  }

  // ------------------------------------------------------------ users

  Status create_user(const UserRecord& user) override {
    return write([&](Connection& c) {
      return insert_new(c, kInsertUser,
                        Params()
                            .text(user.name)
                            .text(user.user_id)
                            .text(user.display_name)
                            .text(user.comments)
                            .int64(user.created_ms)
                            .int64(user.updated_ms),
                        kUserKind.taken());
    });
  }

  Result<UserRecord> get_user(const std::string& name) override {
    return pool_.transact(Access::ReadStatement, [&](Connection& c) {
      return get_one(c, kSelectUser, name, user_from_row, kUserKind.missing());
    });
  }

  Status update_user(const std::string& name, const UserRecord& updated) override {
    static const PrincipalUpdate kHow{&kDeleteUser, {&kMoveUserKeys, &kMoveUserGroups}};
    return write([&](Connection& c) {
      return update_principal(
          c, kUserKind, name, updated.name, kHow,
          [&] {
            return run(c, kUpdateUser,
                       Params().text(name).text(updated.display_name).text(updated.comments).int64(updated.updated_ms));
          },
          [&](const std::string& new_name) {
            return execute(c, kInsertRenamedUser,
                           Params()
                               .text(name)
                               .text(new_name)
                               .text(updated.display_name)
                               .text(updated.comments)
                               .int64(updated.updated_ms));
          });
    });
  }

  Result<Page<UserRecord>> list_users(const PageQuery& page) override {
    return pool_.transact(Access::ReadStatement,
                          [&](Connection& c) { return page_of(c, kListUsers, page, user_from_row); });
  }

  Status delete_user(const std::string& name) override {
    return write([&](Connection& c) {
      return delete_principal(c, kUserKind, name, kDeleteUser,
                              {{kUserHasKeys, kUserStillHasKeys}, {kUserHasGroups, kUserStillInGroups}});
    });
  }

  // ------------------------------------------------------------ access keys

  Status create_access_key(const AccessKeyRecord& key, size_t max_per_user) override {
    return write([&](Connection& c) -> Status {
      // FOR UPDATE on the user: concurrent creators for one user count one
      // after the other, so the limit holds across gateways.
      if (auto st = require(c, kUserKind, key.user_name, Hold::Change); !st) return st;
      auto count = single_int(c, kCountUserKeys, Params().text(key.user_name));
      if (!count.ok()) return std::move(count).error();
      if (auto st = check_access_key_limit(*count, max_per_user); !st) return st;
      return insert_new(c, kInsertKey,
                        Params()
                            .text(key.access_key_id)
                            .text(key.user_name)
                            .bytes(key.secret_sealed)
                            .text(key.status)
                            .int64(key.created_ms),
                        access_key_taken());
    });
  }

  Result<AccessKeyRecord> get_access_key(const std::string& access_key_id) override {
    return pool_.transact(Access::ReadStatement, [&](Connection& c) {
      return get_one(c, kSelectKey, access_key_id, key_from_row, access_key_missing());
    });
  }

  Result<std::vector<AccessKeyRecord>> list_access_keys(const std::string& user_name) override {
    return pool_.transact(Access::ReadSnapshot, [&](Connection& c) -> Result<std::vector<AccessKeyRecord>> {
      if (auto st = require(c, kUserKind, user_name, Hold::Nothing); !st) return std::move(st).error();
      return collect(c, kListUserKeys, Params().text(user_name), key_from_row);
    });
  }

  Status set_access_key_status(const std::string& user_name, const std::string& access_key_id,
                               const std::string& status) override {
    return write([&](Connection& c) {
      return change_key(c, kSetKeyStatus, Params().text(access_key_id).text(user_name).text(status), user_name);
    });
  }

  Status delete_access_key(const std::string& user_name, const std::string& access_key_id) override {
    return write([&](Connection& c) {
      return change_key(c, kDeleteKey, Params().text(access_key_id).text(user_name), user_name);
    });
  }

  // ------------------------------------------------------------ groups

  Status create_group(const GroupRecord& group) override {
    return write([&](Connection& c) {
      return insert_new(c, kInsertGroup,
                        Params()
                            .text(group.name)
                            .text(group.group_id)
                            .text(group.comments)
                            .int64(group.created_ms)
                            .int64(group.updated_ms),
                        kGroupKind.taken());
    });
  }

  Result<GroupRecord> get_group(const std::string& name) override {
    return pool_.transact(Access::ReadStatement, [&](Connection& c) {
      return get_one(c, kSelectGroup, name, group_from_row, kGroupKind.missing());
    });
  }

  Result<Page<GroupRecord>> list_groups(const PageQuery& page) override {
    return pool_.transact(Access::ReadStatement,
                          [&](Connection& c) { return page_of(c, kListGroups, page, group_from_row); });
  }

  Status delete_group(const std::string& name) override {
    return write([&](Connection& c) {
      return delete_principal(c, kGroupKind, name, kDeleteGroup, {{kGroupHasMembers, kGroupStillHasMembers}});
    });
  }

  Status add_user_to_group(const std::string& user_name, const std::string& group_name) override {
    return write([&](Connection& c) -> Status {
      if (auto st = require(c, kUserKind, user_name, Hold::Reference); !st) return st;
      if (auto st = require(c, kGroupKind, group_name, Hold::Reference); !st) return st;
      return insert_new(c, kAddMember, Params().text(group_name).text(user_name), member_taken());
    });
  }

  Status remove_user_from_group(const std::string& user_name, const std::string& group_name) override {
    return write([&](Connection& c) -> Status {
      auto removed = execute(c, kRemoveMember, Params().text(group_name).text(user_name));
      if (!removed.ok()) return std::move(removed).error();
      if (*removed > 0) return ok_status();
      if (auto st = require(c, kUserKind, user_name, Hold::Nothing); !st) return st;
      if (auto st = require(c, kGroupKind, group_name, Hold::Nothing); !st) return st;
      return member_missing();
    });
  }

  Result<std::vector<GroupRecord>> list_groups_for_user(const std::string& user_name) override {
    return pool_.transact(Access::ReadSnapshot, [&](Connection& c) -> Result<std::vector<GroupRecord>> {
      if (auto st = require(c, kUserKind, user_name, Hold::Nothing); !st) return std::move(st).error();
      return collect(c, kGroupsOfUser, Params().text(user_name), group_from_row);
    });
  }

  Result<std::vector<UserRecord>> list_users_for_group(const std::string& group_name) override {
    return pool_.transact(Access::ReadSnapshot, [&](Connection& c) -> Result<std::vector<UserRecord>> {
      if (auto st = require(c, kGroupKind, group_name, Hold::Nothing); !st) return std::move(st).error();
      return collect(c, kUsersOfGroup, Params().text(group_name), user_from_row);
    });
  }

  // ------------------------------------------------------------ roles

  Status create_role(const RoleRecord& role) override {
    return write([&](Connection& c) {
      return insert_new(c, kInsertRole,
                        Params()
                            .text(role.name)
                            .text(role.role_id)
                            .text(role.description)
                            .text(role.trust_policy)
                            .int64(role.max_session_duration_s)
                            .int64(role.created_ms)
                            .int64(role.updated_ms),
                        kRoleKind.taken());
    });
  }

  Result<RoleRecord> get_role(const std::string& name) override {
    return pool_.transact(Access::ReadStatement, [&](Connection& c) {
      return get_one(c, kSelectRole, name, role_from_row, kRoleKind.missing());
    });
  }

  Status update_role(const std::string& name, const RoleRecord& updated) override {
    static const PrincipalUpdate kHow{&kDeleteRole, {}};
    return write([&](Connection& c) {
      return update_principal(
          c, kRoleKind, name, updated.name, kHow,
          [&] {
            return run(c, kUpdateRole,
                       Params()
                           .text(name)
                           .text(updated.description)
                           .text(updated.trust_policy)
                           .int64(updated.max_session_duration_s)
                           .int64(updated.updated_ms));
          },
          [&](const std::string& new_name) {
            return execute(c, kInsertRenamedRole,
                           Params()
                               .text(name)
                               .text(new_name)
                               .text(updated.description)
                               .text(updated.trust_policy)
                               .int64(updated.max_session_duration_s)
                               .int64(updated.updated_ms));
          });
    });
  }

  Result<Page<RoleRecord>> list_roles(const PageQuery& page) override {
    return pool_.transact(Access::ReadStatement,
                          [&](Connection& c) { return page_of(c, kListRoles, page, role_from_row); });
  }

  Status delete_role(const std::string& name) override {
    return write([&](Connection& c) { return delete_principal(c, kRoleKind, name, kDeleteRole, {}); });
  }

  // ------------------------------------------------------------ policies

  Status create_policy(const PolicyRecord& policy) override {
    return write([&](Connection& c) -> Status {
      Status inserted = insert_new(
          c, kInsertPolicy,
          Params().text(policy.name).text(policy.description).int64(policy.created_ms).int64(policy.updated_ms),
          kPolicyKind.taken());
      if (!inserted) return inserted;
      return run(c, kInsertVersion,
                 Params().text(policy.name).text(kFirstPolicyVersion).text(policy.document).int64(policy.created_ms));
    });
  }

  Result<PolicyRecord> get_policy(const std::string& name) override {
    return pool_.transact(Access::ReadStatement, [&](Connection& c) {
      return get_one(c, kSelectPolicy, name, policy_from_row, kPolicyKind.missing());
    });
  }

  Result<Page<PolicyRecord>> list_policies(const PageQuery& page) override {
    return pool_.transact(Access::ReadStatement,
                          [&](Connection& c) { return page_of(c, kListPolicies, page, policy_from_row); });
  }

  Status delete_policy(const std::string& name) override {
    return write([&](Connection& c) -> Status {
      // FOR UPDATE: an attach_policy holds the policy FOR KEY SHARE, so it
      // either committed before this check or finds the policy gone.
      if (auto st = require(c, kPolicyKind, name, Hold::Change); !st) return st;
      auto attached = c.query(kPolicyAttachedTo, Params().text(name));
      if (!attached.ok()) return std::move(attached).error();
      if (attached->count() > 0) {
        return policy_still_attached(attached->text(0, 0));
      }
      return run(c, kDeletePolicy, Params().text(name));
    });
  }

  Status create_policy_version(const std::string& name, const PolicyVersionRecord& version, bool set_default) override {
    return write([&](Connection& c) -> Status {
      // FOR UPDATE on the policy: concurrent creators count and number one
      // after the other.
      if (auto st = require(c, kPolicyKind, name, Hold::Change); !st) return st;
      auto count = single_int(c, kCountVersions, Params().text(name));
      if (!count.ok()) return std::move(count).error();
      if (auto st = check_policy_version_limit(*count); !st) return st;
      std::string version_id = version.version_id;
      if (version_id.empty()) {
        auto highest = single_int(c, kHighestVersionNumber, Params().text(name));
        if (!highest.ok()) return std::move(highest).error();
        version_id = next_policy_version_id(*highest);
      }
      if (auto st = insert_new(c, kInsertVersion,
                               Params().text(name).text(version_id).text(version.document).int64(version.created_ms),
                               policy_version_taken());
          !st || !set_default) {
        return st;
      }
      return run(c, kSetDefaultVersion, Params().text(name).text(version_id).int64(version.created_ms));
    });
  }

  Result<std::vector<PolicyVersionRecord>> list_policy_versions(const std::string& name) override {
    return pool_.transact(Access::ReadSnapshot, [&](Connection& c) -> Result<std::vector<PolicyVersionRecord>> {
      if (auto st = require(c, kPolicyKind, name, Hold::Nothing); !st) return std::move(st).error();
      return collect(c, kListVersions, Params().text(name), version_from_row);
    });
  }

  // ------------------------------------------------------------ attachments

  Status attach_policy(const AttachmentRecord& a) override {
    return write([&](Connection& c) -> Status {
      auto kind = attachment_principal_kind(a.principal_type, a.policy_type);
      if (!kind.ok()) return std::move(kind).error();
      if (auto st = require_attachable(c, **kind, a.principal_name, a.policy_type, a.policy_name, Hold::Reference);
          !st) {
        return st;
      }
      return insert_new(c, kInsertAttachment,
                        Params()
                            .text(a.policy_type)
                            .text(a.policy_name)
                            .text(a.principal_type)
                            .text(a.principal_name)
                            .int64(a.attached_ms),
                        attachment_taken(**kind));
    });
  }

  Status detach_policy(const std::string& policy_type, const std::string& policy_name,
                       const std::string& principal_type, const std::string& principal_name) override {
    return write([&](Connection& c) -> Status {
      auto kind = attachment_principal_kind(principal_type, policy_type);
      if (!kind.ok()) return std::move(kind).error();
      auto removed = execute(c, kDeleteAttachment,
                             Params().text(policy_type).text(policy_name).text(principal_type).text(principal_name));
      if (!removed.ok()) return std::move(removed).error();
      if (*removed > 0) return ok_status();
      if (auto st = require_attachable(c, **kind, principal_name, policy_type, policy_name, Hold::Nothing); !st) {
        return st;
      }
      return attachment_missing(**kind);
    });
  }

  Result<std::vector<AttachmentRecord>> list_attachments_for(const std::string& principal_type,
                                                             const std::string& principal_name) override {
    auto kind = principal_kind(principal_type);
    if (!kind.ok()) return std::move(kind).error();
    return pool_.transact(Access::ReadSnapshot, [&](Connection& c) -> Result<std::vector<AttachmentRecord>> {
      if (auto st = require(c, **kind, principal_name, Hold::Nothing); !st) return std::move(st).error();
      return collect(c, kAttachmentsOf, Params().text(principal_type).text(principal_name), attachment_from_row);
    });
  }

  // ------------------------------------------------------------ token keys

  Status add_token_key(const TokenKeyRecord& key) override {
    return write([&](Connection& c) {
      return insert_new(c, kInsertTokenKey, Params().text(key.key_id).bytes(key.key_sealed).int64(key.created_ms),
                        token_key_taken());
    });
  }

  Result<std::vector<TokenKeyRecord>> list_token_keys() override {
    return pool_.transact(Access::ReadStatement,
                          [](Connection& c) { return collect(c, kListTokenKeys, Params(), token_key_from_row); });
  }

 private:
  // One READ COMMITTED transaction per write; the generation moves in the
  // same transaction as every change that commits, and not at all for a
  // write that fails.
  template <class Body>
  Status write(Body&& body) {
    return pool_.transact(Access::Write, [&](Connection& c) -> Status {
      if (Status st = body(c); !st) return st;
      return run(c, kBumpGeneration, Params());
    });
  }

  pg::ConnectionPool pool_;
};

}  // namespace

Result<std::unique_ptr<IdentityStore>> open_pg_identity_store(const std::string& conninfo, PgStoreOptions options) {
  auto first = Connection::open(conninfo);
  if (!first.ok()) return std::move(first).error();
  if (auto st = pg::migrate_identity(**first); !st) return std::move(st).error();
  auto store = std::make_unique<PgIdentityStore>(conninfo, options);
  store->adopt(std::move(first).value());
  return std::unique_ptr<IdentityStore>(std::move(store));
}

}  // namespace ossd::meta
