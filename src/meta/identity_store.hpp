#pragma once
// IdentityStore: where the account's RAM identities live. Every call is one
// transaction; all calls block (run them on a work pool). Implementations are
// safe to call from many threads. Validation of names, limits of the RAM API
// and secrets' encryption belong to src/iam; the store enforces only what
// needs a transaction to be right (uniqueness, the per-user key limit,
// references).
//
// Errors (core ErrorCode): EntityAlreadyExists (name taken), EntityNotExist
// (missing user/group/role/policy/key/attachment; message says which),
// DeleteConflict (deleting something still referenced: a user with keys,
// groups or policies; a group with members or policies; a role or policy with
// attachments), LimitExceeded (a third access key for one user), InternalError.
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "meta/identity_records.hpp"

namespace ossd::meta {

class IdentityStore {
 public:
  virtual ~IdentityStore() = default;

  // Bumped by every successful write; caches compare it to notice changes
  // made by this or (with a shared database) another gateway.
  virtual Result<int64_t> generation() = 0;

  // Users.
  virtual Status create_user(const UserRecord& user) = 0;
  virtual Result<UserRecord> get_user(const std::string& name) = 0;
  virtual Status update_user(const std::string& name, const UserRecord& updated) = 0;  // may rename
  virtual Result<Page<UserRecord>> list_users(const PageQuery& page) = 0;
  virtual Status delete_user(const std::string& name) = 0;

  // Access keys of RAM users. create: LimitExceeded beyond max_per_user.
  virtual Status create_access_key(const AccessKeyRecord& key, size_t max_per_user) = 0;
  virtual Result<AccessKeyRecord> get_access_key(const std::string& access_key_id) = 0;
  virtual Result<std::vector<AccessKeyRecord>> list_access_keys(const std::string& user_name) = 0;
  virtual Status set_access_key_status(const std::string& user_name, const std::string& access_key_id,
                                       const std::string& status) = 0;
  virtual Status delete_access_key(const std::string& user_name, const std::string& access_key_id) = 0;

  // Groups and membership.
  virtual Status create_group(const GroupRecord& group) = 0;
  virtual Result<GroupRecord> get_group(const std::string& name) = 0;
  virtual Result<Page<GroupRecord>> list_groups(const PageQuery& page) = 0;
  virtual Status delete_group(const std::string& name) = 0;
  virtual Status add_user_to_group(const std::string& user_name, const std::string& group_name) = 0;
  virtual Status remove_user_from_group(const std::string& user_name, const std::string& group_name) = 0;
  virtual Result<std::vector<GroupRecord>> list_groups_for_user(const std::string& user_name) = 0;
  virtual Result<std::vector<UserRecord>> list_users_for_group(const std::string& group_name) = 0;

  // Roles.
  virtual Status create_role(const RoleRecord& role) = 0;
  virtual Result<RoleRecord> get_role(const std::string& name) = 0;
  virtual Status update_role(const std::string& name, const RoleRecord& updated) = 0;
  virtual Result<Page<RoleRecord>> list_roles(const PageQuery& page) = 0;
  virtual Status delete_role(const std::string& name) = 0;

  // Custom policies (create makes version v1 the default).
  virtual Status create_policy(const PolicyRecord& policy) = 0;
  virtual Result<PolicyRecord> get_policy(const std::string& name) = 0;
  virtual Result<Page<PolicyRecord>> list_policies(const PageQuery& page) = 0;
  virtual Status delete_policy(const std::string& name) = 0;  // DeleteConflict while attached
  // Adds a version; `set_default` makes it the default. LimitExceeded past 5 versions.
  virtual Status create_policy_version(const std::string& name, const PolicyVersionRecord& version,
                                       bool set_default) = 0;
  virtual Result<std::vector<PolicyVersionRecord>> list_policy_versions(const std::string& name) = 0;

  // Attachments. attach: EntityNotExist when the principal (or a Custom
  // policy) is missing; EntityAlreadyExists when already attached.
  virtual Status attach_policy(const AttachmentRecord& attachment) = 0;
  virtual Status detach_policy(const std::string& policy_type, const std::string& policy_name,
                               const std::string& principal_type, const std::string& principal_name) = 0;
  virtual Result<std::vector<AttachmentRecord>> list_attachments_for(const std::string& principal_type,
                                                                     const std::string& principal_name) = 0;

  // STS token keys (sealed under the master key).
  virtual Status add_token_key(const TokenKeyRecord& key) = 0;
  virtual Result<std::vector<TokenKeyRecord>> list_token_keys() = 0;
};

}  // namespace ossd::meta
