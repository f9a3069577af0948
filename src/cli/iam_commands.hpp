#pragma once
// ossctl's identity commands, free of CLI11: `admin ...` (users, access
// keys, groups, roles, policies through the RAM 2015-05-01 API) and
// `sts assume-role` / `sts get-caller-identity` (STS 2015-04-01), all over
// the RPC client at the service root of ossd.
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/settings.hpp"
#include "core/result.hpp"
#include "ossd/rpc_client.hpp"

namespace ossd::cli {

// One `admin <noun> <verb>` invocation, as parsed.
struct AdminArgs {
  std::string noun;    // user, key, group, role, policy
  std::string verb;    // create, get, list, delete, enable, disable, add-user, update, attach, detach
  std::string name;    // the positional name: user, key id, group, role or policy
  std::string member;  // group add-user <group> <user>: the user
  std::string user;    // --user
  std::string group;   // --group
  std::string role;    // --role
  std::string display_name;
  std::string description;  // --description (roles, policies) or --comments (users, groups)
  std::string document;     // contents of --trust FILE (roles) or --document FILE (policies)
  std::optional<int64_t> max_session_duration;
  std::string policy_type;  // Custom or System; empty: Custom where the API needs one, any in listings
};

// The RAM request an invocation stands for. `list_path` names the array of
// a listing answer ({"Users":{"User":[...]}} -> {"Users","User"}) so pages
// can be merged; empty for single answers.
struct RamCall {
  std::string action;
  client::RpcParameters params;
  std::vector<std::string> list_path;
  bool paged = false;     // Marker / IsTruncated
  std::string done_line;  // printed instead of the JSON answer ("deleted user alice"); empty prints JSON
};

// InvalidArgument for a missing name or a contradictory flag.
Result<RamCall> ram_call_of(const AdminArgs& args);

// Runs the call (every page of a listing), then prints the done line or the
// answer as indented JSON (pages merged into one list, RequestId dropped).
Status run_admin(client::RpcClient& rpc, const AdminArgs& args, std::ostream& out);

struct AssumeRoleArgs {
  std::string role_arn;
  std::string session_name = "ossctl";
  int64_t duration_seconds = 900;
  std::string policy;  // contents of --policy FILE
  std::string external_id;
};

client::AssumeRoleRequest assume_role_request(const AssumeRoleArgs& args);

// Prints {"AccessKeyId","AccessKeySecret","SecurityToken","Expiration"}, the
// token service's shape, so the output can be handed on as it is.
Status assume_role(client::RpcClient& rpc, const AssumeRoleArgs& args, std::ostream& out);
Status get_caller_identity(client::RpcClient& rpc, std::ostream& out);

// The RPC client for these commands: the endpoint is `rpc_endpoint` or else
// the OSS endpoint setting (ossd serves both on one port), the credentials
// are the settings' (a temporary key included).
Result<client::RpcClientOptions> rpc_client_options(const Settings& settings, const std::string& rpc_endpoint,
                                                    const std::string& rpc_method);

// The whole file, for --trust, --document and --policy.
Result<std::string> read_text_file(const std::string& path);

}  // namespace ossd::cli
