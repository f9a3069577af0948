#include "cli/iam_app.hpp"

#include <CLI/CLI.hpp>

#include "cli/iam_commands.hpp"
#include "cli/token_service.hpp"
#include "ossd/error.hpp"

namespace ossd::cli {

namespace {

int report(const Error& error, std::ostream& err) {
  err << "ossctl: " << client::describe(error) << '\n';
  const client::ServiceError typed = client::service_error(error);
  return typed.http_status == 0 && error.code == ErrorCode::InvalidArgument ? 2 : 1;
}

// One `admin <noun> <verb>` subcommand.
struct AdminVerb {
  CLI::App* command;
  std::string noun;
  std::string verb;
};

}  // namespace

struct IamCommands::State {
  CLI::App* admin = nullptr;
  CLI::App* sts = nullptr;
  CLI::App* assume = nullptr;
  CLI::App* caller = nullptr;
  CLI::App* serve = nullptr;

  // Shared by admin and sts.
  std::string rpc_endpoint;
  std::string rpc_method = "POST";

  AdminArgs admin_args;
  std::string document_file;  // --trust or --document
  std::vector<AdminVerb> verbs;

  AssumeRoleArgs assume_args;
  std::string policy_file;
  TokenServiceOptions serve_options;
  std::vector<std::string> static_dirs;

  void add_rpc_options(CLI::App* command) {
    command->add_option("--rpc-endpoint", rpc_endpoint,
                        "Where STS and RAM answer (default: --endpoint; ossd serves them on its port)");
    command->add_option("--rpc-method", rpc_method, "GET (parameters in the query) or POST (a form)")
        ->check(CLI::IsMember({"GET", "POST"}, CLI::ignore_case))
        ->capture_default_str();
  }

  CLI::App* verb(CLI::App* noun_command, const std::string& noun, const std::string& name, const std::string& help) {
    CLI::App* command = noun_command->add_subcommand(name, help);
    command->fallthrough();
    verbs.push_back({command, noun, name});
    return command;
  }

  void add_name(CLI::App* command, const std::string& what) {
    command->add_option("name", admin_args.name, what)->required();
  }

  void add_principal_options(CLI::App* command) {
    command->add_option("--user", admin_args.user, "RAM user");
    command->add_option("--group", admin_args.group, "RAM group");
    command->add_option("--role", admin_args.role, "RAM role");
  }

  void add_type_option(CLI::App* command) {
    command->add_option("--type", admin_args.policy_type, "Policy type: Custom (default) or System")
        ->check(CLI::IsMember({"Custom", "System"}));
  }

  void add_admin(CLI::App& app) {
    admin = app.add_subcommand("admin", "Manage RAM users, access keys, groups, roles and policies (RAM 2015-05-01)");
    admin->require_subcommand(1);
    admin->fallthrough();
    add_rpc_options(admin);

    CLI::App* user = admin->add_subcommand("user", "RAM users");
    CLI::App* cmd = verb(user, "user", "create", "Create a user");
    add_name(cmd, "User name");
    cmd->add_option("--display-name", admin_args.display_name, "Display name");
    cmd->add_option("--comments", admin_args.description, "Comments");
    add_name(verb(user, "user", "get", "Show a user"), "User name");
    verb(user, "user", "list", "List every user");
    add_name(verb(user, "user", "delete", "Delete a user"), "User name");

    CLI::App* key = admin->add_subcommand("key", "Access keys of RAM users");
    cmd = verb(key, "key", "create", "Create an access key (the secret is shown once)");
    cmd->add_option("--user", admin_args.user, "The user the key belongs to");
    cmd = verb(key, "key", "list", "List a user's access keys");
    cmd->add_option("--user", admin_args.user, "The user the keys belong to");
    for (const char* name : {"enable", "disable", "delete"}) {
      cmd = verb(key, "key", name,
                 std::string(name) == "delete"
                     ? "Delete an access key"
                     : std::string("Make an access key ") + (std::string(name) == "enable" ? "Active" : "Inactive"));
      add_name(cmd, "AccessKeyId");
      cmd->add_option("--user", admin_args.user, "The user the key belongs to");
    }

    CLI::App* group = admin->add_subcommand("group", "RAM groups");
    cmd = verb(group, "group", "create", "Create a group");
    add_name(cmd, "Group name");
    cmd->add_option("--comments", admin_args.description, "Comments");
    cmd = verb(group, "group", "add-user", "Add a user to a group");
    add_name(cmd, "Group name");
    cmd->add_option("user", admin_args.member, "User name")->required();

    CLI::App* role = admin->add_subcommand("role", "RAM roles (what STS AssumeRole hands out)");
    cmd = verb(role, "role", "create", "Create a role");
    add_name(cmd, "Role name");
    cmd->add_option("--trust", document_file, "File with the trust policy (AssumeRolePolicyDocument)")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--max-session-duration", admin_args.max_session_duration,
                    "Longest session in seconds, 3600 to 43200");
    cmd->add_option("--description", admin_args.description, "Description");
    cmd = verb(role, "role", "update", "Change a role's trust policy or maximum session");
    add_name(cmd, "Role name");
    cmd->add_option("--trust", document_file, "File with the new trust policy")->check(CLI::ExistingFile);
    cmd->add_option("--max-session-duration", admin_args.max_session_duration, "New longest session in seconds");
    add_name(verb(role, "role", "get", "Show a role"), "Role name");
    verb(role, "role", "list", "List every role");
    add_name(verb(role, "role", "delete", "Delete a role"), "Role name");

    CLI::App* policy = admin->add_subcommand("policy", "Custom policies and their attachments");
    cmd = verb(policy, "policy", "create", "Create a custom policy");
    add_name(cmd, "Policy name");
    cmd->add_option("--document", document_file, "File with the policy document")->required()->check(CLI::ExistingFile);
    cmd->add_option("--description", admin_args.description, "Description");
    cmd = verb(policy, "policy", "get", "Show a policy");
    add_name(cmd, "Policy name");
    add_type_option(cmd);
    cmd = verb(policy, "policy", "list", "List policies, or those attached to --user, --group or --role");
    add_type_option(cmd);
    add_principal_options(cmd);
    add_name(verb(policy, "policy", "delete", "Delete a custom policy"), "Policy name");
    for (const char* name : {"attach", "detach"}) {
      cmd = verb(policy, "policy", name,
                 std::string(name) == "attach" ? "Attach a policy to a user, group or role"
                                               : "Detach a policy from a user, group or role");
      add_name(cmd, "Policy name");
      add_type_option(cmd);
      add_principal_options(cmd);
    }
    for (CLI::App* noun : {user, key, group, role, policy}) {
      noun->require_subcommand(1);
      noun->fallthrough();
    }
  }

  void add_sts(CLI::App& app) {
    sts = app.add_subcommand("sts", "Temporary credentials (STS 2015-04-01)");
    sts->require_subcommand(1);
    sts->fallthrough();
    add_rpc_options(sts);

    assume = sts->add_subcommand("assume-role", "AssumeRole; prints the temporary credential as JSON");
    assume->fallthrough();
    assume->add_option("--role-arn", assume_args.role_arn, "acs:ram::<account-id>:role/<name>")->required();
    assume->add_option("--session", assume_args.session_name, "RoleSessionName")->capture_default_str();
    assume->add_option("--duration", assume_args.duration_seconds, "Validity in seconds (900 up to the role's maximum)")
        ->capture_default_str();
    assume->add_option("--policy", policy_file, "File with a session policy that narrows the role's rights")
        ->check(CLI::ExistingFile);
    assume->add_option("--external-id", assume_args.external_id, "ExternalId the trust policy asks for");

    caller = sts->add_subcommand("get-caller-identity", "Who the configured credentials are");
    caller->fallthrough();

    serve = sts->add_subcommand(
        "serve", "Token service for browsers: GET <token-path> answers a fresh AssumeRole credential as JSON");
    serve->fallthrough();
    serve->add_option("--role-arn", assume_args.role_arn, "acs:ram::<account-id>:role/<name>")->required();
    serve->add_option("--session", assume_args.session_name, "RoleSessionName of the credentials handed out")
        ->capture_default_str();
    serve->add_option("--duration", assume_args.duration_seconds, "Validity in seconds")->capture_default_str();
    serve->add_option("--policy", policy_file, "File with a session policy for every credential handed out")
        ->check(CLI::ExistingFile);
    serve->add_option("--external-id", assume_args.external_id, "ExternalId the trust policy asks for");
    serve->add_option("--address", serve_options.address, "host:port to listen on (port 0: any free one)")
        ->capture_default_str();
    serve->add_option("--allow-origin", serve_options.allowed_origins,
                      "Origin allowed to fetch tokens cross-origin (repeatable; * for any)");
    serve->add_option("--static", static_dirs, "Also serve the files of this directory, / as index.html (repeatable)");
    serve->add_option("--token-path", serve_options.token_path, "Path of the token")->capture_default_str();
  }
};

IamCommands::IamCommands(CLI::App& app) : state_(std::make_unique<State>()) {
  state_->assume_args.session_name = "ossctl";
  state_->add_admin(app);
  state_->add_sts(app);
}

IamCommands::~IamCommands() = default;

bool IamCommands::parsed() const { return state_->admin->parsed() || state_->sts->parsed(); }

int IamCommands::run(const Settings& settings, const Environment& env) {
  State& s = *state_;
  auto options = rpc_client_options(settings, s.rpc_endpoint, s.rpc_method);
  if (!options) return report(options.error(), env.err);
  if (auto valid = client::RpcClient(*options).validate(); !valid) return report(valid.error(), env.err);

  if (s.admin->parsed()) {
    for (const AdminVerb& v : s.verbs) {
      if (!v.command->parsed()) continue;
      s.admin_args.noun = v.noun;
      s.admin_args.verb = v.verb;
    }
    if (!s.document_file.empty()) {
      auto document = read_text_file(s.document_file);
      if (!document) return report(document.error(), env.err);
      s.admin_args.document = std::move(*document);
    }
    client::RpcClient rpc(*options);
    if (auto status = run_admin(rpc, s.admin_args, env.out); !status) return report(status.error(), env.err);
    return 0;
  }

  if (!s.policy_file.empty()) {
    auto policy = read_text_file(s.policy_file);
    if (!policy) return report(policy.error(), env.err);
    s.assume_args.policy = std::move(*policy);
  }
  if (s.assume->parsed() || s.caller->parsed()) {
    client::RpcClient rpc(*options);
    const Status status =
        s.assume->parsed() ? assume_role(rpc, s.assume_args, env.out) : get_caller_identity(rpc, env.out);
    if (!status) return report(status.error(), env.err);
    return 0;
  }

  // sts serve: one RpcClient per credential, since requests run concurrently.
  for (const auto& dir : s.static_dirs) s.serve_options.static_dirs.emplace_back(dir);
  const client::RpcClientOptions rpc_options = *options;
  const client::AssumeRoleRequest request = assume_role_request(s.assume_args);
  CredentialVendor vendor = [rpc_options, request]() -> Result<client::StsCredentials> {
    client::RpcClient rpc(rpc_options);
    auto result = rpc.assume_role(request);
    if (!result) return result.error();
    return result->credentials;
  };
  return serve_tokens(s.serve_options, std::move(vendor), env.out, env.err);
}

}  // namespace ossd::cli
