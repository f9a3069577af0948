#include "meta/identity_rules.hpp"

#include <algorithm>

namespace ossd::meta {

Error ram_error(ErrorCode code, std::string ram_code, std::string message) {
  return Error(code, std::move(message)).with("RamCode", std::move(ram_code));
}

Error not_exist(const std::string& entity, const std::string& noun) {
  return ram_error(ErrorCode::EntityNotExist, "EntityNotExist." + entity, "The " + noun + " does not exist.");
}

Error already_exists(const std::string& entity, const std::string& noun) {
  return ram_error(ErrorCode::EntityAlreadyExists, "EntityAlreadyExists." + entity, "The " + noun + " already exists.");
}

Error delete_conflict(const std::string& which, std::string message) {
  return ram_error(ErrorCode::DeleteConflict, "DeleteConflict." + which, std::move(message));
}

Error access_key_missing() { return not_exist("User.AccessKey", "access key"); }
Error access_key_taken() { return already_exists("User.AccessKey", "access key"); }
Error policy_version_taken() { return already_exists("Policy.Version", "policy version"); }
Error token_key_taken() { return already_exists("TokenKey", "token key"); }

Error member_taken() {
  return ram_error(ErrorCode::EntityAlreadyExists, "EntityAlreadyExists.User.Group",
                   "The user is already a member of the group.");
}

Error member_missing() {
  return ram_error(ErrorCode::EntityNotExist, "EntityNotExist.User.Group", "The user is not a member of the group.");
}

Error EntityKind::missing() const { return not_exist(std::string(type), std::string(noun)); }
Error EntityKind::taken() const { return already_exists(std::string(type), std::string(noun)); }

Result<const EntityKind*> principal_kind(const std::string& type) {
  for (const EntityKind* kind : {&kUserKind, &kGroupKind, &kRoleKind}) {
    if (kind->type == type) return kind;
  }
  return Error(ErrorCode::InvalidArgument, "unknown principal type '" + type + "' (User, Group or Role)");
}

Status check_policy_type(const std::string& type) {
  if (type == "Custom" || type == "System") return ok_status();
  return Error(ErrorCode::InvalidArgument, "unknown policy type '" + type + "' (Custom or System)");
}

Result<const EntityKind*> attachment_principal_kind(const std::string& principal_type, const std::string& policy_type) {
  auto kind = principal_kind(principal_type);
  if (!kind.ok()) return kind;
  if (auto st = check_policy_type(policy_type); !st) return std::move(st).error();
  return kind;
}

bool is_custom_policy(const std::string& policy_type) { return policy_type == "Custom"; }

Error attachment_taken(const EntityKind& principal) {
  return ram_error(ErrorCode::EntityAlreadyExists, "EntityAlreadyExists." + std::string(principal.type) + ".Policy",
                   "The policy is already attached to the " + std::string(principal.noun) + ".");
}

Error attachment_missing(const EntityKind& principal) {
  return ram_error(ErrorCode::EntityNotExist, "EntityNotExist." + std::string(principal.type) + ".Policy",
                   "The policy is not attached to the " + std::string(principal.noun) + ".");
}

Error DeleteConflictReason::error() const { return delete_conflict(std::string(which), std::string(message)); }

Error principal_has_policies(const EntityKind& principal) {
  return delete_conflict(std::string(principal.type) + ".Policy",
                         "The " + std::string(principal.noun) + " still has policies attached; detach them first.");
}

Error policy_still_attached(const std::string& principal_type) {
  std::string noun = principal_type;
  noun[0] = static_cast<char>(noun[0] - 'A' + 'a');
  return delete_conflict("Policy." + principal_type,
                         "The policy is still attached to a " + noun + "; detach it first.");
}

const std::string& name_after_update(const std::string& name, const std::string& requested_name) {
  return requested_name.empty() ? name : requested_name;
}

Status check_access_key_limit(int64_t existing, size_t max_per_user) {
  if (static_cast<uint64_t>(existing) < max_per_user) return ok_status();
  return ram_error(ErrorCode::LimitExceeded, "LimitExceeded.User.AccessKey",
                   "The user already has " + std::to_string(existing) + " access keys, the most allowed.");
}

Status check_policy_version_limit(int64_t existing) {
  if (existing < kMaxPolicyVersions) return ok_status();
  return ram_error(ErrorCode::LimitExceeded, "LimitExceeded.Policy.Version",
                   "The policy already has " + std::to_string(kMaxPolicyVersions) + " versions, the most allowed.");
}

std::string next_policy_version_id(int64_t highest_number) { return "v" + std::to_string(highest_number + 1); }

int64_t page_capacity(const PageQuery& query) { return std::max<int64_t>(query.max_items, 1); }

}  // namespace ossd::meta
