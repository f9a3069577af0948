#include "iam/identity_service.hpp"

#include <algorithm>
#include <array>

#include "core/strings.hpp"
#include "core/time_format.hpp"
#include "iam/authorizer.hpp"
#include "iam/random_text.hpp"
#include "iam/rpc_error.hpp"
#include "iam/system_policies.hpp"
#include "policy/policy.hpp"

namespace ossd::iam {
namespace {

using json = nlohmann::ordered_json;

// System policies have no stored creation date; RAM shows a fixed one.
constexpr std::string_view kSystemPolicyDate = "2015-04-28T16:00:00Z";
constexpr uint32_t kDefaultMaxItems = 100;
constexpr uint32_t kLargestMaxItems = 1000;

bool is_ascii_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// Characters, not bytes: RAM limits count what people type.
size_t utf8_length(std::string_view text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

Error too_long(std::string_view param) {
  return invalid_parameter("InvalidParameter." + std::string(param) + ".Length",
                           "The parameter - \"" + std::string(param) + "\" beyond the length limit.");
}

Error invalid_chars(std::string_view param) {
  return invalid_parameter("InvalidParameter." + std::string(param) + ".InvalidChars",
                           "The parameter - \"" + std::string(param) + "\" contains invalid chars.");
}

// The kinds of entity the RAM API names, with their name rules.
struct EntityKind {
  std::string_view type;        // "User": RAM codes, JSON keys, attachments' principal_type
  std::string_view name_param;  // "UserName"
  std::string_view arn_kind;    // "user", as in acs:ram::<account>:user/<name>
  size_t max_name_chars;
  std::string_view extra_chars;  // allowed in names besides ASCII letters and digits
};

constexpr EntityKind kUser{"User", "UserName", "user", 64, ".@_-"};
constexpr EntityKind kGroup{"Group", "GroupName", "group", 64, ".@_-"};
constexpr EntityKind kRole{"Role", "RoleName", "role", 64, "._-"};
constexpr EntityKind kPolicy{"Policy", "PolicyName", "policy", 128, "-"};

// A name of `kind` given in `param`: 1..max characters, letters, digits and
// the kind's extra characters.
Status check_name(const EntityKind& kind, std::string_view param, std::string_view value) {
  if (value.empty() || value.size() > kind.max_name_chars) return too_long(param);
  for (char c : value) {
    if (!is_ascii_alnum(c) && kind.extra_chars.find(c) == std::string_view::npos) return invalid_chars(param);
  }
  return ok_status();
}

// Free text (display names, comments, descriptions): valid UTF-8 without
// control characters, at most `max` characters.
Status check_text(std::string_view param, std::string_view value, size_t max) {
  if (!is_valid_utf8(value)) return invalid_chars(param);
  for (char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') return invalid_chars(param);
  }
  if (utf8_length(value) > max) return too_long(param);
  return ok_status();
}

// A policy document: within the size limit (InvalidParameter.<param>.Length)
// and grammatical (MalformedPolicyDocument, with the parser's reason).
Status check_policy_document(std::string_view param, std::string_view document, size_t max_chars) {
  if (document.empty() || utf8_length(document) > max_chars) return too_long(param);
  policy::ParseLimits limits;
  limits.max_bytes = document.size();
  auto parsed = policy::parse(document, limits);
  if (!parsed) {
    return rpc_error(ErrorCode::InvalidPolicyDocument, "MalformedPolicyDocument",
                     "The policy document is malformed: " + parsed.error().message);
  }
  return ok_status();
}

std::string date_text(int64_t ms) { return format_iso8601(from_unix_millis(ms)); }

// Store errors mostly carry the RAM code already (detail "RamCode"); this
// names the entity for those that do not.
Error store_error(Error error, std::string_view entity) {
  if (!rpc_code_detail(error).empty()) return error;
  for (const auto& [name, value] : error.details) {
    if (name == "RamCode") return error;
  }
  std::string code;
  switch (error.code) {
    case ErrorCode::EntityNotExist: code = "EntityNotExist."; break;
    case ErrorCode::EntityAlreadyExists: code = "EntityAlreadyExists."; break;
    case ErrorCode::DeleteConflict: code = "DeleteConflict."; break;
    case ErrorCode::LimitExceeded: code = "LimitExceeded."; break;
    default: return error;
  }
  code += entity;
  return std::move(error).with(std::string(kRpcCodeDetail), std::move(code));
}

json user_json(const meta::UserRecord& user, bool with_update_date) {
  json out = {{"UserId", user.user_id},
              {"UserName", user.name},
              {"DisplayName", user.display_name},
              {"Comments", user.comments},
              {"CreateDate", date_text(user.created_ms)}};
  if (with_update_date) out["UpdateDate"] = date_text(user.updated_ms);
  return out;
}

json group_json(const meta::GroupRecord& group, bool with_update_date) {
  json out = {{"GroupId", group.group_id},
              {"GroupName", group.name},
              {"Comments", group.comments},
              {"CreateDate", date_text(group.created_ms)}};
  if (with_update_date) out["UpdateDate"] = date_text(group.updated_ms);
  return out;
}

json policy_version_json(const meta::PolicyVersionRecord& version) {
  return {{"VersionId", version.version_id},
          {"IsDefaultVersion", version.is_default},
          {"PolicyDocument", version.document},
          {"CreateDate", date_text(version.created_ms)}};
}

// A System policy has one version, v1.
json system_policy_version_json(const SystemPolicy& policy) {
  return {{"VersionId", "v1"},
          {"IsDefaultVersion", true},
          {"PolicyDocument", policy.document},
          {"CreateDate", kSystemPolicyDate}};
}

json system_policy_json(const SystemPolicy& policy, bool with_document) {
  json out = {{"PolicyName", policy.name},      {"PolicyType", "System"}, {"Description", policy.description},
              {"DefaultVersion", "v1"},         {"AttachmentCount", 0},   {"CreateDate", kSystemPolicyDate},
              {"UpdateDate", kSystemPolicyDate}};
  if (with_document) out["PolicyDocument"] = policy.document;
  return out;
}

json custom_policy_json(const meta::PolicyRecord& policy, bool with_document) {
  json out = {{"PolicyName", policy.name},
              {"PolicyType", "Custom"},
              {"Description", policy.description},
              {"DefaultVersion", policy.default_version},
              {"AttachmentCount", policy.attachment_count},
              {"CreateDate", date_text(policy.created_ms)},
              {"UpdateDate", date_text(policy.updated_ms)}};
  if (with_document) out["PolicyDocument"] = policy.document;
  return out;
}

template <class T, class Render>
json page_json(std::string_view list_name, std::string_view item_name, const meta::Page<T>& page, Render render) {
  json items = json::array();
  for (const auto& item : page.items) items.push_back(render(item));
  json out = {{std::string(list_name), {{std::string(item_name), std::move(items)}}}, {"IsTruncated", page.truncated}};
  if (page.truncated) out["Marker"] = page.next_marker;
  return out;
}

}  // namespace

struct IdentityService::Impl {
  meta::IdentityStore& store;
  const SecretBox& box;
  Random& random;
  std::string account_id;
  Authorizer* authorizer;
  std::function<void()> on_change;

  using Handler = Result<json> (Impl::*)(const RpcCall&);
  struct Action {
    std::string_view name;
    bool read_only;
    Handler handler;
  };
  static const std::array<Action, 41> kActions;

  static const Action* find_action(std::string_view name) {
    for (const Action& action : kActions) {
      if (action.name == name) return &action;
    }
    return nullptr;
  }

  void changed() {
    if (on_change) on_change();
  }

  // ---- parameters ----

  static Result<std::string> required(const RpcCall& call, std::string_view name) {
    const std::string* value = call.param(name);
    if (value == nullptr || value->empty()) return missing_parameter(name);
    return *value;
  }

  static std::string optional(const RpcCall& call, std::string_view name) {
    const std::string* value = call.param(name);
    return value ? *value : std::string();
  }

  // The name of an entity to create: present and well-formed.
  static Result<std::string> new_entity_name(const RpcCall& call, const EntityKind& kind) {
    auto name = required(call, kind.name_param);
    if (!name) return name.error();
    if (auto valid = check_name(kind, kind.name_param, *name); !valid) return valid.error();
    return name;
  }

  // Free text that may be absent (then "").
  static Result<std::string> optional_text(const RpcCall& call, std::string_view name, size_t max_chars) {
    std::string value = optional(call, name);
    if (auto valid = check_text(name, value, max_chars); !valid) return valid.error();
    return value;
  }

  // Free text that replaces a field when given: null when absent, so the
  // field keeps its value (an empty text clears it).
  static Result<const std::string*> replacement_text(const RpcCall& call, std::string_view name, size_t max_chars) {
    const std::string* value = call.param(name);
    if (value) {
      if (auto valid = check_text(name, *value, max_chars); !valid) return valid.error();
    }
    return value;
  }

  static Result<meta::PageQuery> page_query(const RpcCall& call) {
    meta::PageQuery query;
    query.marker = optional(call, "Marker");
    query.max_items = kDefaultMaxItems;
    if (const std::string* max = call.param("MaxItems")) {
      auto value = parse_rpc_integer(*max);
      if (!value || *value < 1 || *value > kLargestMaxItems) {
        return invalid_parameter("InvalidParameter.MaxItems",
                                 "The parameter - \"MaxItems\" must be between 1 and 1000.");
      }
      query.max_items = static_cast<uint32_t>(*value);
    }
    return query;
  }

  static Result<std::string> policy_type(const RpcCall& call, bool required_param) {
    const std::string* type = call.param("PolicyType");
    if (type == nullptr || type->empty()) {
      if (required_param) return missing_parameter("PolicyType");
      return std::string();
    }
    if (*type != "Custom" && *type != "System") {
      return invalid_parameter("InvalidParameter.PolicyType",
                               "The parameter - \"PolicyType\" must be Custom or System.");
    }
    return *type;
  }

  // The user a key operation is about: UserName, or the calling RAM user.
  static Result<std::string> key_owner(const RpcCall& call) {
    if (const std::string* name = call.param("UserName"); name && !name->empty()) {
      if (auto valid = check_name(kUser, "UserName", *name); !valid) return valid.error();
      return *name;
    }
    if (call.caller.kind == auth::PrincipalKind::RamUser) return call.caller.principal;
    return missing_parameter("UserName");
  }

  // ---- permission ----

  Status allow(const RpcCall& call, std::string_view action, std::string_view resource_suffix) {
    const auth::Identity& who = call.caller;
    if (who.anonymous() || who.account_id != account_id) return no_permission();
    if (who.kind == auth::PrincipalKind::Account) return ok_status();
    if (authorizer == nullptr) return no_permission();
    auto decision = authorizer->decide(
        who, rpc_call_facts(call, "ram:" + std::string(action), ram_arn(account_id, resource_suffix)), nullptr);
    if (!decision) return decision.error();
    if (!decision->allowed) return no_permission();
    return ok_status();
  }

  // `name` "*" stands for every entity of the kind (listings).
  Status allow_on(const RpcCall& call, std::string_view action, const EntityKind& kind, std::string_view name) {
    return allow(call, action, std::string(kind.arn_kind) + "/" + std::string(name));
  }

  // The entity an action is about (its name parameter), once the caller may
  // act on it.
  Result<std::string> permitted_target(const RpcCall& call, std::string_view action, const EntityKind& kind) {
    auto name = required(call, kind.name_param);
    if (!name) return name.error();
    if (auto allowed = allow_on(call, action, kind, *name); !allowed) return allowed.error();
    return name;
  }

  // ---- store ----

  // A write's outcome: a failure names `entity` in its RAM code; a success
  // runs on_change.
  Status stored(Status written, std::string_view entity) {
    if (!written) return store_error(std::move(written).error(), entity);
    changed();
    return ok_status();
  }

  // The answer to a write that returns nothing but success.
  Result<json> empty_answer(Status written, std::string_view entity) {
    if (auto done = stored(std::move(written), entity); !done) return done.error();
    return json::object();
  }

  // EntityNotExist.<Type> unless the user, group or role exists.
  Status require_principal(const EntityKind& kind, const std::string& name) {
    Status found = ok_status();
    if (kind.type == kUser.type) {
      if (auto user = store.get_user(name); !user) found = user.error();
    } else if (kind.type == kGroup.type) {
      if (auto group = store.get_group(name); !group) found = group.error();
    } else if (auto role = store.get_role(name); !role) {
      found = role.error();
    }
    if (!found) return store_error(found.error(), kind.type);
    return ok_status();
  }

  // Get<Type>: {"<Type>": render(record)}.
  template <class Record, class Render>
  Result<json> get_entity(const RpcCall& call, std::string_view action, const EntityKind& kind,
                          Result<Record> (meta::IdentityStore::*get)(const std::string&), Render render) {
    auto name = permitted_target(call, action, kind);
    if (!name) return name.error();
    auto record = (store.*get)(*name);
    if (!record) return store_error(record.error(), kind.type);
    return json{{std::string(kind.type), render(record.value())}};
  }

  // List<Type>s: one page in name order, {"<list_name>": {"<Type>": [...]}, "IsTruncated", "Marker"}.
  template <class Record, class Render>
  Result<json> list_entities(const RpcCall& call, std::string_view action, const EntityKind& kind,
                             std::string_view list_name,
                             Result<meta::Page<Record>> (meta::IdentityStore::*list)(const meta::PageQuery&),
                             Render render) {
    auto query = page_query(call);
    if (!query) return query.error();
    if (auto allowed = allow_on(call, action, kind, "*"); !allowed) return allowed.error();
    auto page = (store.*list)(query.value());
    if (!page) return store_error(page.error(), kind.type);
    return page_json(list_name, kind.type, page.value(), render);
  }

  // Delete<Type>.
  Result<json> delete_entity(const RpcCall& call, std::string_view action, const EntityKind& kind,
                             Status (meta::IdentityStore::*remove)(const std::string&)) {
    auto name = permitted_target(call, action, kind);
    if (!name) return name.error();
    return empty_answer((store.*remove)(*name), kind.type);
  }

  // ---- users ----

  Result<json> create_user(const RpcCall& call) {
    auto name = new_entity_name(call, kUser);
    if (!name) return name.error();
    auto display_name = optional_text(call, "DisplayName", 128);
    if (!display_name) return display_name.error();
    auto comments = optional_text(call, "Comments", 128);
    if (!comments) return comments.error();
    if (auto allowed = allow_on(call, "CreateUser", kUser, *name); !allowed) return allowed.error();

    meta::UserRecord user;
    user.user_id = random_numeric_id(random, 16);
    user.name = *name;
    user.display_name = *display_name;
    user.comments = *comments;
    user.created_ms = user.updated_ms = to_unix_millis(call.now);
    if (auto done = stored(store.create_user(user), kUser.type); !done) return done.error();
    return json{{"User", user_json(user, false)}};
  }

  Result<json> get_user(const RpcCall& call) {
    return get_entity(call, "GetUser", kUser, &meta::IdentityStore::get_user,
                      [](const meta::UserRecord& user) { return user_json(user, true); });
  }

  Result<json> update_user(const RpcCall& call) {
    auto name = required(call, "UserName");
    if (!name) return name.error();
    const std::string* new_name = call.param("NewUserName");
    if (new_name && !new_name->empty()) {
      if (auto valid = check_name(kUser, "NewUserName", *new_name); !valid) return valid.error();
    }
    auto new_display = replacement_text(call, "NewDisplayName", 128);
    if (!new_display) return new_display.error();
    auto new_comments = replacement_text(call, "NewComments", 128);
    if (!new_comments) return new_comments.error();
    if (auto allowed = allow_on(call, "UpdateUser", kUser, *name); !allowed) return allowed.error();

    auto user = store.get_user(*name);
    if (!user) return store_error(user.error(), kUser.type);
    meta::UserRecord updated = user.value();
    if (new_name && !new_name->empty()) updated.name = *new_name;
    if (*new_display) updated.display_name = **new_display;
    if (*new_comments) updated.comments = **new_comments;
    updated.updated_ms = to_unix_millis(call.now);
    if (auto done = stored(store.update_user(*name, updated), kUser.type); !done) return done.error();
    return json{{"User", user_json(updated, true)}};
  }

  Result<json> list_users(const RpcCall& call) {
    return list_entities(call, "ListUsers", kUser, "Users", &meta::IdentityStore::list_users,
                         [](const meta::UserRecord& user) { return user_json(user, true); });
  }

  Result<json> delete_user(const RpcCall& call) {
    return delete_entity(call, "DeleteUser", kUser, &meta::IdentityStore::delete_user);
  }

  // ---- access keys ----

  Result<json> create_access_key(const RpcCall& call) {
    auto owner = key_owner(call);
    if (!owner) return owner.error();
    if (auto allowed = allow_on(call, "CreateAccessKey", kUser, *owner); !allowed) return allowed.error();

    const std::string secret = random_text(random, kAlphanumeric, 30);
    meta::AccessKeyRecord key;
    key.access_key_id = "LTAI" + random_text(random, kAlphanumeric, 20);
    key.user_name = *owner;
    key.secret_sealed = box.seal(secret, access_key_secret_context(key.access_key_id), random);
    key.status = "Active";
    key.created_ms = to_unix_millis(call.now);
    if (auto done = stored(store.create_access_key(key, kMaxAccessKeysPerUser), "User.AccessKey"); !done) {
      return done.error();
    }
    return json{{"AccessKey",
                 {{"AccessKeyId", key.access_key_id},
                  {"AccessKeySecret", secret},
                  {"Status", key.status},
                  {"CreateDate", date_text(key.created_ms)}}}};
  }

  Result<json> list_access_keys(const RpcCall& call) {
    auto owner = key_owner(call);
    if (!owner) return owner.error();
    if (auto allowed = allow_on(call, "ListAccessKeys", kUser, *owner); !allowed) return allowed.error();
    if (auto found = require_principal(kUser, *owner); !found) return found.error();
    auto keys = store.list_access_keys(*owner);
    if (!keys) return store_error(keys.error(), kUser.type);
    json items = json::array();
    for (const auto& key : keys.value()) {
      items.push_back(
          {{"AccessKeyId", key.access_key_id}, {"Status", key.status}, {"CreateDate", date_text(key.created_ms)}});
    }
    return json{{"AccessKeys", {{"AccessKey", std::move(items)}}}};
  }

  Result<json> update_access_key(const RpcCall& call) {
    auto key_id = required(call, "UserAccessKeyId");
    if (!key_id) return key_id.error();
    auto status = required(call, "Status");
    if (!status) return status.error();
    if (*status != "Active" && *status != "Inactive") {
      return invalid_parameter("InvalidParameter.Status", "The parameter - \"Status\" must be Active or Inactive.");
    }
    auto owner = key_owner(call);
    if (!owner) return owner.error();
    if (auto allowed = allow_on(call, "UpdateAccessKey", kUser, *owner); !allowed) return allowed.error();
    return empty_answer(store.set_access_key_status(*owner, *key_id, *status), "AccessKey");
  }

  Result<json> delete_access_key(const RpcCall& call) {
    auto key_id = required(call, "UserAccessKeyId");
    if (!key_id) return key_id.error();
    auto owner = key_owner(call);
    if (!owner) return owner.error();
    if (auto allowed = allow_on(call, "DeleteAccessKey", kUser, *owner); !allowed) return allowed.error();
    return empty_answer(store.delete_access_key(*owner, *key_id), "AccessKey");
  }

  // ---- groups ----

  Result<json> create_group(const RpcCall& call) {
    auto name = new_entity_name(call, kGroup);
    if (!name) return name.error();
    auto comments = optional_text(call, "Comments", 128);
    if (!comments) return comments.error();
    if (auto allowed = allow_on(call, "CreateGroup", kGroup, *name); !allowed) return allowed.error();

    meta::GroupRecord group;
    group.group_id = random_numeric_id(random, 16);
    group.name = *name;
    group.comments = *comments;
    group.created_ms = group.updated_ms = to_unix_millis(call.now);
    if (auto done = stored(store.create_group(group), kGroup.type); !done) return done.error();
    return json{{"Group", group_json(group, false)}};
  }

  Result<json> get_group(const RpcCall& call) {
    return get_entity(call, "GetGroup", kGroup, &meta::IdentityStore::get_group,
                      [](const meta::GroupRecord& group) { return group_json(group, true); });
  }

  Result<json> list_groups(const RpcCall& call) {
    return list_entities(call, "ListGroups", kGroup, "Groups", &meta::IdentityStore::list_groups,
                         [](const meta::GroupRecord& group) { return group_json(group, true); });
  }

  Result<json> delete_group(const RpcCall& call) {
    return delete_entity(call, "DeleteGroup", kGroup, &meta::IdentityStore::delete_group);
  }

  Result<json> add_user_to_group(const RpcCall& call) {
    auto user = required(call, "UserName");
    if (!user) return user.error();
    auto group = permitted_target(call, "AddUserToGroup", kGroup);
    if (!group) return group.error();
    return empty_answer(store.add_user_to_group(*user, *group), "Group.User");
  }

  Result<json> remove_user_from_group(const RpcCall& call) {
    auto user = required(call, "UserName");
    if (!user) return user.error();
    auto group = permitted_target(call, "RemoveUserFromGroup", kGroup);
    if (!group) return group.error();
    return empty_answer(store.remove_user_from_group(*user, *group), "Group.User");
  }

  Result<json> list_groups_for_user(const RpcCall& call) {
    auto user = permitted_target(call, "ListGroupsForUser", kUser);
    if (!user) return user.error();
    if (auto found = require_principal(kUser, *user); !found) return found.error();
    auto groups = store.list_groups_for_user(*user);
    if (!groups) return store_error(groups.error(), kUser.type);
    json items = json::array();
    for (const auto& group : groups.value()) {
      items.push_back({{"GroupId", group.group_id}, {"GroupName", group.name}, {"Comments", group.comments}});
    }
    return json{{"Groups", {{"Group", std::move(items)}}}};
  }

  Result<json> list_users_for_group(const RpcCall& call) {
    auto group = permitted_target(call, "ListUsersForGroup", kGroup);
    if (!group) return group.error();
    if (auto found = require_principal(kGroup, *group); !found) return found.error();
    auto users = store.list_users_for_group(*group);
    if (!users) return store_error(users.error(), kGroup.type);
    json items = json::array();
    for (const auto& user : users.value()) {
      items.push_back({{"UserId", user.user_id}, {"UserName", user.name}, {"DisplayName", user.display_name}});
    }
    return json{{"Users", {{"User", std::move(items)}}}, {"IsTruncated", false}};
  }

  // ---- roles ----

  json role_json(const meta::RoleRecord& role, bool with_document, bool with_update_date) const {
    json out = {{"RoleId", role.role_id},
                {"RoleName", role.name},
                {"Arn", ram_arn(account_id, "role/" + role.name)},
                {"Description", role.description}};
    if (with_document) out["AssumeRolePolicyDocument"] = role.trust_policy;
    out["MaxSessionDuration"] = role.max_session_duration_s;
    out["CreateDate"] = date_text(role.created_ms);
    if (with_update_date) out["UpdateDate"] = date_text(role.updated_ms);
    return out;
  }

  static Result<int64_t> session_duration(std::string_view param, const std::string& text) {
    auto value = parse_rpc_integer(text);
    if (!value || *value < kMinRoleSessionDuration || *value > kMaxRoleSessionDuration) {
      return invalid_parameter("InvalidParameter." + std::string(param),
                               "The parameter - \"" + std::string(param) + "\" must be between 3600 and 43200.");
    }
    return *value;
  }

  Result<json> create_role(const RpcCall& call) {
    auto name = new_entity_name(call, kRole);
    if (!name) return name.error();
    auto trust = required(call, "AssumeRolePolicyDocument");
    if (!trust) return trust.error();
    if (auto valid = check_policy_document("AssumeRolePolicyDocument", *trust, kMaxTrustPolicyChars); !valid) {
      return valid.error();
    }
    auto description = optional_text(call, "Description", 1024);
    if (!description) return description.error();
    int64_t max_duration = kMinRoleSessionDuration;
    if (const std::string* text = call.param("MaxSessionDuration"); text && !text->empty()) {
      auto duration = session_duration("MaxSessionDuration", *text);
      if (!duration) return duration.error();
      max_duration = *duration;
    }
    if (auto allowed = allow_on(call, "CreateRole", kRole, *name); !allowed) return allowed.error();

    meta::RoleRecord role;
    role.role_id = random_numeric_id(random, 18);
    role.name = *name;
    role.description = *description;
    role.trust_policy = *trust;
    role.max_session_duration_s = max_duration;
    role.created_ms = role.updated_ms = to_unix_millis(call.now);
    if (auto done = stored(store.create_role(role), kRole.type); !done) return done.error();
    return json{{"Role", role_json(role, true, false)}};
  }

  Result<json> get_role(const RpcCall& call) {
    return get_entity(call, "GetRole", kRole, &meta::IdentityStore::get_role,
                      [this](const meta::RoleRecord& role) { return role_json(role, true, true); });
  }

  Result<json> list_roles(const RpcCall& call) {
    return list_entities(call, "ListRoles", kRole, "Roles", &meta::IdentityStore::list_roles,
                         [this](const meta::RoleRecord& role) { return role_json(role, false, true); });
  }

  Result<json> update_role(const RpcCall& call) {
    auto name = required(call, "RoleName");
    if (!name) return name.error();
    const std::string* new_trust = call.param("NewAssumeRolePolicyDocument");
    if (new_trust) {
      if (auto valid = check_policy_document("NewAssumeRolePolicyDocument", *new_trust, kMaxTrustPolicyChars); !valid) {
        return valid.error();
      }
    }
    auto new_description = replacement_text(call, "NewDescription", 1024);
    if (!new_description) return new_description.error();
    std::optional<int64_t> new_duration;
    if (const std::string* text = call.param("NewMaxSessionDuration"); text && !text->empty()) {
      auto duration = session_duration("NewMaxSessionDuration", *text);
      if (!duration) return duration.error();
      new_duration = *duration;
    }
    if (auto allowed = allow_on(call, "UpdateRole", kRole, *name); !allowed) return allowed.error();

    auto role = store.get_role(*name);
    if (!role) return store_error(role.error(), kRole.type);
    meta::RoleRecord updated = role.value();
    if (new_trust) updated.trust_policy = *new_trust;
    if (*new_description) updated.description = **new_description;
    if (new_duration) updated.max_session_duration_s = *new_duration;
    updated.updated_ms = to_unix_millis(call.now);
    if (auto done = stored(store.update_role(*name, updated), kRole.type); !done) return done.error();
    return json{{"Role", role_json(updated, true, true)}};
  }

  Result<json> delete_role(const RpcCall& call) {
    return delete_entity(call, "DeleteRole", kRole, &meta::IdentityStore::delete_role);
  }

  // ---- policies ----

  Result<json> create_policy(const RpcCall& call) {
    auto name = new_entity_name(call, kPolicy);
    if (!name) return name.error();
    auto document = required(call, "PolicyDocument");
    if (!document) return document.error();
    if (auto valid = check_policy_document("PolicyDocument", *document, kMaxPolicyDocumentChars); !valid) {
      return valid.error();
    }
    auto description = optional_text(call, "Description", 1024);
    if (!description) return description.error();
    if (auto allowed = allow_on(call, "CreatePolicy", kPolicy, *name); !allowed) return allowed.error();
    // One name, one policy: attachments and listings name policies by name.
    if (find_system_policy(*name) != nullptr) {
      return rpc_error(ErrorCode::EntityAlreadyExists, "EntityAlreadyExists.Policy",
                       "The policy already exists: " + *name + " is a System policy.");
    }

    meta::PolicyRecord policy;
    policy.name = *name;
    policy.policy_type = "Custom";
    policy.description = *description;
    policy.default_version = "v1";
    policy.document = *document;
    policy.created_ms = policy.updated_ms = to_unix_millis(call.now);
    if (auto done = stored(store.create_policy(policy), kPolicy.type); !done) return done.error();
    return json{{"Policy",
                 {{"PolicyName", policy.name},
                  {"PolicyType", "Custom"},
                  {"Description", policy.description},
                  {"DefaultVersion", "v1"},
                  {"CreateDate", date_text(policy.created_ms)}}}};
  }

  static Error no_such_policy(const std::string& name) {
    return rpc_error(ErrorCode::EntityNotExist, "EntityNotExist.Policy", "The policy does not exist: " + name);
  }

  Result<json> get_policy(const RpcCall& call) {
    auto name = required(call, "PolicyName");
    if (!name) return name.error();
    auto type = policy_type(call, false);
    if (!type) return type.error();
    if (auto allowed = allow_on(call, "GetPolicy", kPolicy, *name); !allowed) return allowed.error();
    if (*type != "Custom") {
      if (const SystemPolicy* system = find_system_policy(*name)) {
        return json{{"Policy", system_policy_json(*system, true)},
                    {"DefaultPolicyVersion", system_policy_version_json(*system)}};
      }
      if (*type == "System") return no_such_policy(*name);
    }
    auto policy = store.get_policy(*name);
    if (!policy) return store_error(policy.error(), kPolicy.type);
    json version = {{"VersionId", policy->default_version},
                    {"IsDefaultVersion", true},
                    {"PolicyDocument", policy->document},
                    {"CreateDate", date_text(policy->updated_ms)}};
    if (auto versions = store.list_policy_versions(*name)) {
      for (const auto& v : versions.value()) {
        if (v.version_id == policy->default_version) version = policy_version_json(v);
      }
    }
    return json{{"Policy", custom_policy_json(policy.value(), true)}, {"DefaultPolicyVersion", std::move(version)}};
  }

  // System and Custom policies in one name order, paged by name.
  Result<json> list_policies(const RpcCall& call) {
    auto type = policy_type(call, false);
    if (!type) return type.error();
    auto query = page_query(call);
    if (!query) return query.error();
    if (auto allowed = allow_on(call, "ListPolicies", kPolicy, "*"); !allowed) return allowed.error();

    std::vector<std::pair<std::string, json>> merged;
    bool more = false;
    if (*type != "Custom") {
      for (const SystemPolicy& policy : system_policies()) {
        if (policy.name > query->marker)
          merged.emplace_back(std::string(policy.name), system_policy_json(policy, false));
      }
    }
    if (*type != "System") {
      auto page = store.list_policies(query.value());
      if (!page) return store_error(page.error(), kPolicy.type);
      more = page->truncated;
      for (const auto& policy : page->items) merged.emplace_back(policy.name, custom_policy_json(policy, false));
    }
    std::stable_sort(merged.begin(), merged.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    if (merged.size() > query->max_items) {
      merged.resize(query->max_items);
      more = true;
    }
    json items = json::array();
    for (auto& [name, item] : merged) items.push_back(std::move(item));
    json out = {{"Policies", {{"Policy", std::move(items)}}}, {"IsTruncated", more}};
    if (more && !merged.empty()) out["Marker"] = merged.back().first;
    return out;
  }

  Result<json> delete_policy(const RpcCall& call) {
    auto name = permitted_target(call, "DeletePolicy", kPolicy);
    if (!name) return name.error();
    if (find_system_policy(*name) != nullptr) return no_permission("System policies cannot be deleted.");
    return empty_answer(store.delete_policy(*name), kPolicy.type);
  }

  Result<json> create_policy_version(const RpcCall& call) {
    auto name = required(call, "PolicyName");
    if (!name) return name.error();
    auto document = required(call, "PolicyDocument");
    if (!document) return document.error();
    if (auto valid = check_policy_document("PolicyDocument", *document, kMaxPolicyDocumentChars); !valid) {
      return valid.error();
    }
    const std::string set_default_text = optional(call, "SetAsDefault");
    if (!set_default_text.empty() && set_default_text != "true" && set_default_text != "false") {
      return invalid_parameter("InvalidParameter.SetAsDefault",
                               "The parameter - \"SetAsDefault\" must be true or false.");
    }
    const bool set_default = set_default_text == "true";
    if (auto allowed = allow_on(call, "CreatePolicyVersion", kPolicy, *name); !allowed) return allowed.error();

    auto versions = store.list_policy_versions(*name);
    if (!versions) return store_error(versions.error(), kPolicy.type);
    int64_t highest = 0;
    for (const auto& v : versions.value()) {
      if (v.version_id.size() > 1 && v.version_id[0] == 'v') {
        highest = std::max(highest, parse_rpc_integer(std::string_view(v.version_id).substr(1)).value_or(0));
      }
    }
    meta::PolicyVersionRecord version;
    version.version_id = "v" + std::to_string(highest + 1);
    version.document = *document;
    version.is_default = set_default;
    version.created_ms = to_unix_millis(call.now);
    if (auto done = stored(store.create_policy_version(*name, version, set_default), "Policy.Version"); !done) {
      return done.error();
    }
    return json{{"PolicyVersion", policy_version_json(version)}};
  }

  Result<json> list_policy_versions(const RpcCall& call) {
    auto name = required(call, "PolicyName");
    if (!name) return name.error();
    auto type = policy_type(call, false);
    if (!type) return type.error();
    if (auto allowed = allow_on(call, "ListPolicyVersions", kPolicy, *name); !allowed) return allowed.error();
    json items = json::array();
    if (const SystemPolicy* system = find_system_policy(*name); system && *type != "Custom") {
      items.push_back(system_policy_version_json(*system));
    } else {
      auto versions = store.list_policy_versions(*name);
      if (!versions) return store_error(versions.error(), kPolicy.type);
      for (const auto& v : versions.value()) items.push_back(policy_version_json(v));
    }
    return json{{"PolicyVersions", {{"PolicyVersion", std::move(items)}}}};
  }

  Result<json> get_policy_version(const RpcCall& call) {
    auto name = required(call, "PolicyName");
    if (!name) return name.error();
    auto version_id = required(call, "VersionId");
    if (!version_id) return version_id.error();
    auto listed = list_policy_versions(call);
    if (!listed) return listed.error();
    for (auto& version : listed.value()["PolicyVersions"]["PolicyVersion"]) {
      if (version["VersionId"] == *version_id) return json{{"PolicyVersion", std::move(version)}};
    }
    return rpc_error(ErrorCode::EntityNotExist, "EntityNotExist.Policy.Version",
                     "The policy version does not exist: " + *version_id);
  }

  // ---- attachments (one of each per principal kind: User, Group, Role) ----

  // The attachment an Attach or Detach call names (attached now), once the
  // caller may act on the principal.
  Result<meta::AttachmentRecord> named_attachment(const RpcCall& call, std::string_view action,
                                                  const EntityKind& principal) {
    auto type = policy_type(call, true);
    if (!type) return type.error();
    auto policy_name = required(call, "PolicyName");
    if (!policy_name) return policy_name.error();
    auto principal_name = permitted_target(call, action, principal);
    if (!principal_name) return principal_name.error();
    meta::AttachmentRecord attachment;
    attachment.policy_name = std::move(policy_name).value();
    attachment.policy_type = std::move(type).value();
    attachment.principal_type = principal.type;
    attachment.principal_name = std::move(principal_name).value();
    attachment.attached_ms = to_unix_millis(call.now);
    return attachment;
  }

  template <const EntityKind& principal>
  Result<json> attach_policy(const RpcCall& call) {
    auto attachment = named_attachment(call, "AttachPolicyTo" + std::string(principal.type), principal);
    if (!attachment) return attachment.error();
    if (attachment->policy_type == "System" && find_system_policy(attachment->policy_name) == nullptr) {
      return no_such_policy(attachment->policy_name);
    }
    return empty_answer(store.attach_policy(*attachment), "Policy." + std::string(principal.type));
  }

  template <const EntityKind& principal>
  Result<json> detach_policy(const RpcCall& call) {
    auto attachment = named_attachment(call, "DetachPolicyFrom" + std::string(principal.type), principal);
    if (!attachment) return attachment.error();
    return empty_answer(store.detach_policy(attachment->policy_type, attachment->policy_name,
                                            attachment->principal_type, attachment->principal_name),
                        "Attachment");
  }

  template <const EntityKind& principal>
  Result<json> list_policies_for(const RpcCall& call) {
    auto name = permitted_target(call, "ListPoliciesFor" + std::string(principal.type), principal);
    if (!name) return name.error();
    if (auto found = require_principal(principal, *name); !found) return found.error();
    auto attachments = store.list_attachments_for(std::string(principal.type), *name);
    if (!attachments) return store_error(attachments.error(), principal.type);
    json items = json::array();
    for (const auto& attachment : attachments.value()) {
      std::string description;
      std::string default_version = "v1";
      if (attachment.policy_type == "System") {
        if (const SystemPolicy* system = find_system_policy(attachment.policy_name)) description = system->description;
      } else if (auto policy = store.get_policy(attachment.policy_name)) {
        description = policy->description;
        default_version = policy->default_version;
      }
      items.push_back({{"PolicyName", attachment.policy_name},
                       {"PolicyType", attachment.policy_type},
                       {"Description", description},
                       {"DefaultVersion", default_version},
                       {"AttachDate", date_text(attachment.attached_ms)}});
    }
    return json{{"Policies", {{"Policy", std::move(items)}}}};
  }
};

const std::array<IdentityService::Impl::Action, 41> IdentityService::Impl::kActions = {{
    {"CreateUser", false, &Impl::create_user},
    {"GetUser", true, &Impl::get_user},
    {"UpdateUser", false, &Impl::update_user},
    {"ListUsers", true, &Impl::list_users},
    {"DeleteUser", false, &Impl::delete_user},
    {"CreateAccessKey", false, &Impl::create_access_key},
    {"ListAccessKeys", true, &Impl::list_access_keys},
    {"UpdateAccessKey", false, &Impl::update_access_key},
    {"DeleteAccessKey", false, &Impl::delete_access_key},
    {"CreateGroup", false, &Impl::create_group},
    {"GetGroup", true, &Impl::get_group},
    {"ListGroups", true, &Impl::list_groups},
    {"DeleteGroup", false, &Impl::delete_group},
    {"AddUserToGroup", false, &Impl::add_user_to_group},
    {"RemoveUserFromGroup", false, &Impl::remove_user_from_group},
    {"ListGroupsForUser", true, &Impl::list_groups_for_user},
    {"ListUsersForGroup", true, &Impl::list_users_for_group},
    {"CreateRole", false, &Impl::create_role},
    {"GetRole", true, &Impl::get_role},
    {"ListRoles", true, &Impl::list_roles},
    {"UpdateRole", false, &Impl::update_role},
    {"DeleteRole", false, &Impl::delete_role},
    {"CreatePolicy", false, &Impl::create_policy},
    {"GetPolicy", true, &Impl::get_policy},
    {"ListPolicies", true, &Impl::list_policies},
    {"DeletePolicy", false, &Impl::delete_policy},
    {"CreatePolicyVersion", false, &Impl::create_policy_version},
    {"ListPolicyVersions", true, &Impl::list_policy_versions},
    {"GetPolicyVersion", true, &Impl::get_policy_version},
    {"AttachPolicyToUser", false, &Impl::attach_policy<kUser>},
    {"AttachPolicyToGroup", false, &Impl::attach_policy<kGroup>},
    {"AttachPolicyToRole", false, &Impl::attach_policy<kRole>},
    {"DetachPolicyFromUser", false, &Impl::detach_policy<kUser>},
    {"DetachPolicyFromGroup", false, &Impl::detach_policy<kGroup>},
    {"DetachPolicyFromRole", false, &Impl::detach_policy<kRole>},
    {"ListPoliciesForUser", true, &Impl::list_policies_for<kUser>},
    {"ListPoliciesForGroup", true, &Impl::list_policies_for<kGroup>},
    {"ListPoliciesForRole", true, &Impl::list_policies_for<kRole>},
    // Present in the SDK, absent from the store interface: refused plainly.
    {"UpdateGroup", false, nullptr},
    {"SetDefaultPolicyVersion", false, nullptr},
    {"DeletePolicyVersion", false, nullptr},
}};

IdentityService::IdentityService(meta::IdentityStore& store, const SecretBox& box, Random& random,
                                 std::string account_id, Authorizer* authorizer, std::function<void()> on_change)
    : impl_(std::make_unique<Impl>(Impl{store, box, random, std::move(account_id), authorizer, std::move(on_change)})) {
}

IdentityService::~IdentityService() = default;

bool IdentityService::handles(std::string_view action) { return Impl::find_action(action) != nullptr; }

bool IdentityService::is_read_only(std::string_view action) {
  const Impl::Action* found = Impl::find_action(action);
  return found != nullptr && found->read_only;
}

Result<nlohmann::ordered_json> IdentityService::call(const RpcCall& call) {
  const Impl::Action* action = Impl::find_action(call.action);
  if (action == nullptr) {
    return rpc_error(ErrorCode::InvalidArgument, "InvalidAction.NotFound",
                     "Specified api is not found, please check your url and method.");
  }
  if (action->handler == nullptr) {
    return rpc_error(ErrorCode::NotImplemented, "InvalidAction.NotSupported",
                     "The action " + call.action + " is not supported by this server.");
  }
  return (impl_.get()->*(action->handler))(call);
}

}  // namespace ossd::iam
