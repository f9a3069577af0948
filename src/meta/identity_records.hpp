#pragma once
// The identity model of one account (issue #4): RAM users and their access
// keys, groups, roles, custom policies with versions, policy attachments,
// and the STS token key ring. Plain values; times are Unix milliseconds.
#include <cstdint>
#include <string>
#include <vector>

namespace ossd::meta {

struct UserRecord {
  std::string user_id;  // numeric-looking random id, e.g. "20876543210987654"
  std::string name;     // 1-64 chars [A-Za-z0-9.@_-], unique
  std::string display_name;
  std::string comments;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

struct AccessKeyRecord {
  std::string access_key_id;      // "LTAI…", unique across the account
  std::string user_name;          // owner
  std::string secret_sealed;      // secret encrypted under the master key (iam/secret_box)
  std::string status = "Active";  // "Active" | "Inactive"
  int64_t created_ms = 0;
};

struct GroupRecord {
  std::string group_id;
  std::string name;
  std::string comments;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

struct RoleRecord {
  std::string role_id;
  std::string name;
  std::string description;
  std::string trust_policy;               // AssumeRolePolicyDocument JSON
  int64_t max_session_duration_s = 3600;  // 3600..43200
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

struct PolicyRecord {
  std::string name;
  std::string policy_type = "Custom";  // stored policies are Custom; System ones are built in (iam)
  std::string description;
  std::string default_version = "v1";
  std::string document;  // the default version's document
  int64_t attachment_count = 0;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

struct PolicyVersionRecord {
  std::string version_id;  // "v1", "v2"...
  std::string document;
  bool is_default = false;
  int64_t created_ms = 0;
};

// principal_type: "User" | "Group" | "Role".
struct AttachmentRecord {
  std::string policy_name;
  std::string policy_type;  // "Custom" | "System"
  std::string principal_type;
  std::string principal_name;
  int64_t attached_ms = 0;
};

struct TokenKeyRecord {
  std::string key_id;
  std::string key_sealed;  // 32-byte key encrypted under the master key
  int64_t created_ms = 0;
};

struct PageQuery {
  std::string marker;  // names > marker
  uint32_t max_items = 100;
};

template <class T>
struct Page {
  std::vector<T> items;
  bool truncated = false;
  std::string next_marker;  // last returned name when truncated
};

}  // namespace ossd::meta
