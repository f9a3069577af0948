#pragma once
// The IdentityStore rules both stores (SQLite and PostgreSQL) share: the RAM
// error codes and messages they answer with, the kinds of entity and
// principal, the limits, version ids and paging. Pure values and functions;
// the SQL and everything database-specific stay in each store.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "meta/identity_records.hpp"

namespace ossd::meta {

// ---------------------------------------------------------------- errors

// An error with the RAM API code it stands for, so src/iam can answer with it.
Error ram_error(ErrorCode code, std::string ram_code, std::string message);

// entity: the RAM code's suffix ("User", "User.AccessKey"); noun: the same in words.
Error not_exist(const std::string& entity, const std::string& noun);
Error already_exists(const std::string& entity, const std::string& noun);
Error delete_conflict(const std::string& which, std::string message);

Error access_key_missing();
Error access_key_taken();
Error policy_version_taken();
Error token_key_taken();
Error member_taken();    // the user is already in the group
Error member_missing();  // the user is not in the group

// ---------------------------------------------------------------- entities

// The entities a store looks up by name (each store maps them to its SQL).
enum class Entity { User, Group, Role, Policy };

// One kind of named entity and how errors name it.
struct EntityKind {
  Entity entity;
  std::string_view type;  // "User" as in attachments.principal_type and RAM codes
  std::string_view noun;  // "user"

  Error missing() const;  // EntityNotExist.<type>
  Error taken() const;    // EntityAlreadyExists.<type>
};

inline constexpr EntityKind kUserKind{Entity::User, "User", "user"};
inline constexpr EntityKind kGroupKind{Entity::Group, "Group", "group"};
inline constexpr EntityKind kRoleKind{Entity::Role, "Role", "role"};
inline constexpr EntityKind kPolicyKind{Entity::Policy, "Policy", "policy"};

// The principal kind (user, group or role) named by `type`; InvalidArgument otherwise.
Result<const EntityKind*> principal_kind(const std::string& type);
// Success for the policy types RAM knows ("Custom", "System").
Status check_policy_type(const std::string& type);
// The principal kind of an attachment, once both its types are known ones.
Result<const EntityKind*> attachment_principal_kind(const std::string& principal_type, const std::string& policy_type);
// Only Custom policies live in the store (System ones are built in).
bool is_custom_policy(const std::string& policy_type);

// A principal already has / has not this policy attached.
Error attachment_taken(const EntityKind& principal);
Error attachment_missing(const EntityKind& principal);

// ---------------------------------------------------------------- deletion

// Why a principal cannot be deleted yet.
struct DeleteConflictReason {
  std::string_view which;  // the RAM code's suffix after "DeleteConflict."
  std::string_view message;

  Error error() const;
};

inline constexpr DeleteConflictReason kUserStillHasKeys{"User.AccessKey",
                                                        "The user still has access keys; delete them first."};
inline constexpr DeleteConflictReason kUserStillInGroups{
    "User.Group", "The user still belongs to groups; remove it from them first."};
inline constexpr DeleteConflictReason kGroupStillHasMembers{"Group.User",
                                                            "The group still has members; remove them first."};

// The principal still has policies attached.
Error principal_has_policies(const EntityKind& principal);
// The policy is still attached to a principal of `principal_type` ("User").
Error policy_still_attached(const std::string& principal_type);

// ---------------------------------------------------------------- updates

// The name a user or role has after an update: an empty requested name keeps it.
const std::string& name_after_update(const std::string& name, const std::string& requested_name);

// ---------------------------------------------------------------- limits and versions

// RAM allows at most five versions of a policy; there is no setting for it.
inline constexpr int64_t kMaxPolicyVersions = 5;
// The version create_policy makes the default.
inline constexpr std::string_view kFirstPolicyVersion = "v1";

// LimitExceeded when a user with `existing` keys may not have another.
Status check_access_key_limit(int64_t existing, size_t max_per_user);
// LimitExceeded when a policy with `existing` versions may not have another.
Status check_policy_version_limit(int64_t existing);
// Ids the store hands out are "v<n>"; the next one is one past the highest number in use.
std::string next_policy_version_id(int64_t highest_number);

// ---------------------------------------------------------------- paging

// How many items one page holds: the number asked for, at least one. Stores
// fetch one row more, which tells whether the listing is truncated.
int64_t page_capacity(const PageQuery& query);

// A page of name-ordered `rows`, fetched with a limit of `capacity` + 1.
template <class T>
Page<T> page_from_rows(std::vector<T> rows, int64_t capacity) {
  Page<T> page;
  page.items = std::move(rows);
  if (static_cast<int64_t>(page.items.size()) > capacity) {
    page.items.resize(static_cast<size_t>(capacity));
    page.truncated = true;
    page.next_marker = page.items.back().name;
  }
  return page;
}

}  // namespace ossd::meta
