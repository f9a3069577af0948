#include "cli/iam_commands.hpp"

#include <fstream>
#include <sstream>

#include "core/strings.hpp"

namespace ossd::cli {

namespace {

Error usage(std::string message) { return Error(ErrorCode::InvalidArgument, std::move(message)); }

// A listing has no end marker in a broken server; stop rather than loop forever.
constexpr int kMaxPages = 10000;

Status need_name(const AdminArgs& args, std::string_view what) {
  if (args.name.empty()) return usage("admin " + args.noun + " " + args.verb + " needs the " + std::string(what));
  return ok_status();
}

Result<RamCall> user_call(const AdminArgs& args) {
  RamCall call;
  if (args.verb == "list") {
    call.action = "ListUsers";
    call.list_path = {"Users", "User"};
    call.paged = true;
    return call;
  }
  if (auto named = need_name(args, "user name"); !named) return named.error();
  call.params = {{"UserName", args.name}};
  if (args.verb == "create") {
    call.action = "CreateUser";
    if (!args.display_name.empty()) call.params.emplace_back("DisplayName", args.display_name);
    if (!args.description.empty()) call.params.emplace_back("Comments", args.description);
  } else if (args.verb == "get") {
    call.action = "GetUser";
  } else if (args.verb == "delete") {
    call.action = "DeleteUser";
    call.done_line = "deleted user " + args.name;
  } else {
    return usage("unknown command: admin user " + args.verb);
  }
  return call;
}

Result<RamCall> key_call(const AdminArgs& args) {
  RamCall call;
  if (!args.user.empty()) call.params.emplace_back("UserName", args.user);
  if (args.verb == "create") {
    call.action = "CreateAccessKey";
    return call;
  }
  if (args.verb == "list") {
    call.action = "ListAccessKeys";
    call.list_path = {"AccessKeys", "AccessKey"};
    return call;
  }
  if (auto named = need_name(args, "AccessKeyId"); !named) return named.error();
  call.params.emplace_back("UserAccessKeyId", args.name);
  if (args.verb == "enable" || args.verb == "disable") {
    call.action = "UpdateAccessKey";
    call.params.emplace_back("Status", args.verb == "enable" ? "Active" : "Inactive");
    call.done_line = (args.verb == "enable" ? "enabled access key " : "disabled access key ") + args.name;
  } else if (args.verb == "delete") {
    call.action = "DeleteAccessKey";
    call.done_line = "deleted access key " + args.name;
  } else {
    return usage("unknown command: admin key " + args.verb);
  }
  return call;
}

Result<RamCall> group_call(const AdminArgs& args) {
  RamCall call;
  if (auto named = need_name(args, "group name"); !named) return named.error();
  call.params = {{"GroupName", args.name}};
  if (args.verb == "create") {
    call.action = "CreateGroup";
    if (!args.description.empty()) call.params.emplace_back("Comments", args.description);
  } else if (args.verb == "add-user") {
    if (args.member.empty()) return usage("admin group add-user needs the group and the user name");
    call.action = "AddUserToGroup";
    call.params.emplace_back("UserName", args.member);
    call.done_line = "added user " + args.member + " to group " + args.name;
  } else {
    return usage("unknown command: admin group " + args.verb);
  }
  return call;
}

Result<RamCall> role_call(const AdminArgs& args) {
  RamCall call;
  if (args.verb == "list") {
    call.action = "ListRoles";
    call.list_path = {"Roles", "Role"};
    call.paged = true;
    return call;
  }
  if (auto named = need_name(args, "role name"); !named) return named.error();
  call.params = {{"RoleName", args.name}};
  if (args.verb == "create") {
    if (args.document.empty()) return usage("admin role create needs --trust FILE (the trust policy)");
    call.action = "CreateRole";
    call.params.emplace_back("AssumeRolePolicyDocument", args.document);
    if (args.max_session_duration) {
      call.params.emplace_back("MaxSessionDuration", std::to_string(*args.max_session_duration));
    }
    if (!args.description.empty()) call.params.emplace_back("Description", args.description);
  } else if (args.verb == "update") {
    if (args.document.empty() && !args.max_session_duration) {
      return usage("admin role update needs --trust FILE or --max-session-duration");
    }
    call.action = "UpdateRole";
    if (!args.document.empty()) call.params.emplace_back("NewAssumeRolePolicyDocument", args.document);
    if (args.max_session_duration) {
      call.params.emplace_back("NewMaxSessionDuration", std::to_string(*args.max_session_duration));
    }
  } else if (args.verb == "get") {
    call.action = "GetRole";
  } else if (args.verb == "delete") {
    call.action = "DeleteRole";
    call.done_line = "deleted role " + args.name;
  } else {
    return usage("unknown command: admin role " + args.verb);
  }
  return call;
}

// The one principal of --user/--group/--role, as (noun, parameter name, value).
struct Principal {
  std::string noun;
  std::string parameter;
  std::string value;
};

Result<std::optional<Principal>> principal_of(const AdminArgs& args) {
  std::vector<Principal> given;
  if (!args.user.empty()) given.push_back({"User", "UserName", args.user});
  if (!args.group.empty()) given.push_back({"Group", "GroupName", args.group});
  if (!args.role.empty()) given.push_back({"Role", "RoleName", args.role});
  if (given.size() > 1) return usage("give only one of --user, --group and --role");
  if (given.empty()) return std::optional<Principal>{};
  return std::optional<Principal>(given.front());
}

// RAM's default where the API requires a type.
std::string policy_type_or_custom(const AdminArgs& args) {
  return args.policy_type.empty() ? std::string("Custom") : args.policy_type;
}

Result<RamCall> policy_call(const AdminArgs& args) {
  auto principal = principal_of(args);
  if (!principal) return principal.error();
  RamCall call;
  if (args.verb == "list") {
    call.list_path = {"Policies", "Policy"};
    if (*principal) {
      call.action = "ListPoliciesFor" + (*principal)->noun;
      call.params = {{(*principal)->parameter, (*principal)->value}};
    } else {
      call.action = "ListPolicies";
      call.paged = true;
      if (!args.policy_type.empty()) call.params = {{"PolicyType", args.policy_type}};
    }
    return call;
  }
  if (auto named = need_name(args, "policy name"); !named) return named.error();
  if (args.verb == "attach" || args.verb == "detach") {
    if (!*principal) return usage("admin policy " + args.verb + " needs --user, --group or --role");
    const bool attach = args.verb == "attach";
    call.action = (attach ? "AttachPolicyTo" : "DetachPolicyFrom") + (*principal)->noun;
    call.params = {{"PolicyType", policy_type_or_custom(args)},
                   {"PolicyName", args.name},
                   {(*principal)->parameter, (*principal)->value}};
    call.done_line = (attach ? "attached policy " : "detached policy ") + args.name + (attach ? " to " : " from ") +
                     to_lower((*principal)->noun) + " " + (*principal)->value;
    return call;
  }
  if (*principal) return usage("--user, --group and --role belong to attach, detach and list");
  call.params = {{"PolicyName", args.name}};
  if (args.verb == "create") {
    if (args.document.empty()) return usage("admin policy create needs --document FILE");
    call.action = "CreatePolicy";
    call.params.emplace_back("PolicyDocument", args.document);
    if (!args.description.empty()) call.params.emplace_back("Description", args.description);
  } else if (args.verb == "get") {
    call.action = "GetPolicy";
    call.params.emplace_back("PolicyType", policy_type_or_custom(args));
  } else if (args.verb == "delete") {
    call.action = "DeletePolicy";
    call.done_line = "deleted policy " + args.name;
  } else {
    return usage("unknown command: admin policy " + args.verb);
  }
  return call;
}

// The array at `path`; a single element where the API collapses a list of
// one (XML-to-JSON converters do) is taken as a list.
nlohmann::json items_at(const nlohmann::json& document, const std::vector<std::string>& path) {
  const nlohmann::json* node = &document;
  for (const auto& step : path) {
    if (!node->is_object() || !node->contains(step)) return nlohmann::json::array();
    node = &node->at(step);
  }
  if (node->is_array()) return *node;
  if (node->is_null()) return nlohmann::json::array();
  return nlohmann::json::array({*node});
}

void set_items(nlohmann::json& document, const std::vector<std::string>& path, nlohmann::json items) {
  nlohmann::json* node = &document;
  for (const auto& step : path) node = &(*node)[step];
  *node = std::move(items);
}

void print_json(std::ostream& out, nlohmann::json document) {
  if (document.is_object()) document.erase("RequestId");
  out << document.dump(2) << '\n';
}

}  // namespace

Result<RamCall> ram_call_of(const AdminArgs& args) {
  if (args.noun == "user") return user_call(args);
  if (args.noun == "key") return key_call(args);
  if (args.noun == "group") return group_call(args);
  if (args.noun == "role") return role_call(args);
  if (args.noun == "policy") return policy_call(args);
  return usage("unknown command: admin " + args.noun);
}

Status run_admin(client::RpcClient& rpc, const AdminArgs& args, std::ostream& out) {
  auto call = ram_call_of(args);
  if (!call) return call.error();
  if (call->list_path.empty()) {
    auto answer = rpc.call(call->action, client::kRamApiVersion, call->params);
    if (!answer) return answer.error();
    if (!call->done_line.empty()) {
      out << call->done_line << '\n';
    } else {
      print_json(out, std::move(*answer));
    }
    return ok_status();
  }

  nlohmann::json merged;
  nlohmann::json items = nlohmann::json::array();
  std::string marker;
  for (int page = 0; page < kMaxPages; ++page) {
    client::RpcParameters params = call->params;
    if (!marker.empty()) params.emplace_back("Marker", marker);
    auto answer = rpc.call(call->action, client::kRamApiVersion, params);
    if (!answer) return answer.error();
    for (auto& item : items_at(*answer, call->list_path)) items.push_back(std::move(item));
    if (merged.is_null()) merged = *answer;
    const bool truncated = answer->is_object() && answer->value("IsTruncated", false);
    marker = answer->is_object() ? answer->value("Marker", std::string{}) : std::string{};
    if (!call->paged || !truncated || marker.empty()) break;
  }
  if (!merged.is_object()) merged = nlohmann::json::object();
  merged.erase("IsTruncated");
  merged.erase("Marker");
  set_items(merged, call->list_path, std::move(items));
  print_json(out, std::move(merged));
  return ok_status();
}

client::AssumeRoleRequest assume_role_request(const AssumeRoleArgs& args) {
  client::AssumeRoleRequest request;
  request.role_arn = args.role_arn;
  request.session_name = args.session_name;
  request.duration = std::chrono::seconds(args.duration_seconds);
  request.policy = args.policy;
  request.external_id = args.external_id;
  return request;
}

Status assume_role(client::RpcClient& rpc, const AssumeRoleArgs& args, std::ostream& out) {
  if (args.role_arn.empty()) return usage("sts assume-role needs --role-arn");
  auto result = rpc.assume_role(assume_role_request(args));
  if (!result) return result.error();
  out << client::to_json(result->credentials).dump(2) << '\n';
  return ok_status();
}

Status get_caller_identity(client::RpcClient& rpc, std::ostream& out) {
  auto answer = rpc.get_caller_identity();
  if (!answer) return answer.error();
  print_json(out, std::move(*answer));
  return ok_status();
}

Result<client::RpcClientOptions> rpc_client_options(const Settings& settings, const std::string& rpc_endpoint,
                                                    const std::string& rpc_method) {
  client::RpcClientOptions options;
  options.endpoint = rpc_endpoint.empty() ? settings.endpoint : rpc_endpoint;
  if (options.endpoint.empty()) {
    return usage(
        "STS and RAM calls need --rpc-endpoint or --endpoint (ossd serves both on its port, e.g. "
        "http://127.0.0.1:9000)");
  }
  if (settings.access_key_id.empty() || settings.access_key_secret.empty()) {
    return usage(
        "STS and RAM calls need --access-key-id and --access-key-secret (or OSS_ACCESS_KEY_ID and "
        "OSS_ACCESS_KEY_SECRET)");
  }
  options.credentials = {settings.access_key_id, settings.access_key_secret, settings.sts_token};
  const std::string method = to_lower(rpc_method);
  if (method == "get") {
    options.method = client::RpcMethod::Get;
  } else if (method == "post" || method.empty()) {
    options.method = client::RpcMethod::Post;
  } else {
    return usage("--rpc-method must be GET or POST");
  }
  options.user_agent = "ossctl/0.1";
  return options;
}

Result<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return usage("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return usage("cannot read " + path);
  return text.str();
}

}  // namespace ossd::cli
