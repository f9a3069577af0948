// ossctl's identity commands without a server: how `admin <noun> <verb>`
// maps onto RAM actions and parameters, and the token service's pure parts
// (listen address, CORS origin, static paths, content types).
#include <gtest/gtest.h>

#include <algorithm>

#include "cli/iam_commands.hpp"
#include "cli/token_service.hpp"

namespace ossd::cli {
namespace {

std::string param(const RamCall& call, std::string_view name) {
  for (const auto& [n, v] : call.params) {
    if (n == name) return v;
  }
  return "<absent>";
}

AdminArgs args(std::string noun, std::string verb, std::string name = {}) {
  AdminArgs a;
  a.noun = std::move(noun);
  a.verb = std::move(verb);
  a.name = std::move(name);
  return a;
}

TEST(RamCallOf, Users) {
  AdminArgs create = args("user", "create", "alice");
  create.display_name = "Alice";
  create.description = "note";
  auto call = ram_call_of(create).value();
  EXPECT_EQ(call.action, "CreateUser");
  EXPECT_EQ(param(call, "UserName"), "alice");
  EXPECT_EQ(param(call, "DisplayName"), "Alice");
  EXPECT_EQ(param(call, "Comments"), "note");
  EXPECT_TRUE(call.done_line.empty());  // prints the answer

  call = ram_call_of(args("user", "list")).value();
  EXPECT_EQ(call.action, "ListUsers");
  EXPECT_EQ(call.list_path, (std::vector<std::string>{"Users", "User"}));
  EXPECT_TRUE(call.paged);

  call = ram_call_of(args("user", "delete", "alice")).value();
  EXPECT_EQ(call.action, "DeleteUser");
  EXPECT_EQ(call.done_line, "deleted user alice");

  EXPECT_EQ(ram_call_of(args("user", "get")).error().code, ErrorCode::InvalidArgument);  // no name
  EXPECT_FALSE(ram_call_of(args("user", "rename", "x")).ok());
  EXPECT_FALSE(ram_call_of(args("account", "get", "x")).ok());
}

TEST(RamCallOf, AccessKeys) {
  AdminArgs create = args("key", "create");
  create.user = "alice";
  auto call = ram_call_of(create).value();
  EXPECT_EQ(call.action, "CreateAccessKey");
  EXPECT_EQ(param(call, "UserName"), "alice");
  // Without --user: the caller's own key, as RAM does it.
  EXPECT_EQ(param(ram_call_of(args("key", "create")).value(), "UserName"), "<absent>");

  AdminArgs disable = args("key", "disable", "LTAIabc");
  disable.user = "alice";
  call = ram_call_of(disable).value();
  EXPECT_EQ(call.action, "UpdateAccessKey");
  EXPECT_EQ(param(call, "UserAccessKeyId"), "LTAIabc");
  EXPECT_EQ(param(call, "Status"), "Inactive");
  EXPECT_EQ(call.done_line, "disabled access key LTAIabc");
  EXPECT_EQ(param(ram_call_of(args("key", "enable", "LTAIabc")).value(), "Status"), "Active");
  EXPECT_EQ(ram_call_of(args("key", "delete", "LTAIabc")).value().action, "DeleteAccessKey");
  EXPECT_FALSE(ram_call_of(args("key", "delete")).ok());
  call = ram_call_of(args("key", "list")).value();
  EXPECT_EQ(call.list_path, (std::vector<std::string>{"AccessKeys", "AccessKey"}));
  EXPECT_FALSE(call.paged);
}

TEST(RamCallOf, GroupsAndRoles) {
  AdminArgs add = args("group", "add-user", "readers");
  add.member = "alice";
  auto call = ram_call_of(add).value();
  EXPECT_EQ(call.action, "AddUserToGroup");
  EXPECT_EQ(param(call, "GroupName"), "readers");
  EXPECT_EQ(param(call, "UserName"), "alice");
  EXPECT_FALSE(ram_call_of(args("group", "add-user", "readers")).ok());  // no user

  AdminArgs role = args("role", "create", "web");
  EXPECT_FALSE(ram_call_of(role).ok());  // a role needs its trust policy
  role.document = R"({"Version":"1"})";
  role.max_session_duration = 7200;
  call = ram_call_of(role).value();
  EXPECT_EQ(call.action, "CreateRole");
  EXPECT_EQ(param(call, "AssumeRolePolicyDocument"), R"({"Version":"1"})");
  EXPECT_EQ(param(call, "MaxSessionDuration"), "7200");

  AdminArgs update = args("role", "update", "web");
  EXPECT_FALSE(ram_call_of(update).ok());
  update.max_session_duration = 3600;
  call = ram_call_of(update).value();
  EXPECT_EQ(call.action, "UpdateRole");
  EXPECT_EQ(param(call, "NewMaxSessionDuration"), "3600");
  EXPECT_EQ(param(call, "NewAssumeRolePolicyDocument"), "<absent>");
}

TEST(RamCallOf, PoliciesAndAttachments) {
  AdminArgs create = args("policy", "create", "rw");
  EXPECT_FALSE(ram_call_of(create).ok());  // needs --document
  create.document = "{}";
  EXPECT_EQ(ram_call_of(create).value().action, "CreatePolicy");

  EXPECT_EQ(param(ram_call_of(args("policy", "get", "rw")).value(), "PolicyType"), "Custom");
  AdminArgs system = args("policy", "get", "AliyunOSSFullAccess");
  system.policy_type = "System";
  EXPECT_EQ(param(ram_call_of(system).value(), "PolicyType"), "System");
  // A listing without --type lists both kinds.
  EXPECT_EQ(param(ram_call_of(args("policy", "list")).value(), "PolicyType"), "<absent>");

  for (const auto& [flag, noun, parameter] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"user", "User", "UserName"}, {"group", "Group", "GroupName"}, {"role", "Role", "RoleName"}}) {
    AdminArgs attach = args("policy", "attach", "rw");
    (flag == "user" ? attach.user : flag == "group" ? attach.group : attach.role) = "x";
    auto call = ram_call_of(attach).value();
    EXPECT_EQ(call.action, "AttachPolicyTo" + noun);
    EXPECT_EQ(param(call, parameter), "x");
    EXPECT_EQ(param(call, "PolicyName"), "rw");
    EXPECT_EQ(param(call, "PolicyType"), "Custom");
    EXPECT_EQ(call.done_line, "attached policy rw to " + flag + " x");

    AdminArgs detach = attach;
    detach.verb = "detach";
    EXPECT_EQ(ram_call_of(detach).value().action, "DetachPolicyFrom" + noun);

    AdminArgs list = args("policy", "list");
    (flag == "user" ? list.user : flag == "group" ? list.group : list.role) = "x";
    EXPECT_EQ(ram_call_of(list).value().action, "ListPoliciesFor" + noun);
  }

  EXPECT_FALSE(ram_call_of(args("policy", "attach", "rw")).ok());  // to whom?
  AdminArgs two = args("policy", "attach", "rw");
  two.user = "a";
  two.role = "b";
  EXPECT_FALSE(ram_call_of(two).ok());
  AdminArgs stray = args("policy", "delete", "rw");
  stray.user = "a";
  EXPECT_FALSE(ram_call_of(stray).ok());
}

TEST(AssumeRoleArgs, BecomeTheRequest) {
  AssumeRoleArgs a;
  a.role_arn = "acs:ram::1:role/r";
  a.session_name = "s";
  a.duration_seconds = 1200;
  a.policy = "{}";
  a.external_id = "e";
  const auto request = assume_role_request(a);
  EXPECT_EQ(request.role_arn, "acs:ram::1:role/r");
  EXPECT_EQ(request.session_name, "s");
  EXPECT_EQ(request.duration.count(), 1200);
  EXPECT_EQ(request.policy, "{}");
  EXPECT_EQ(request.external_id, "e");
}

TEST(RpcClientOptionsOfSettings, EndpointCredentialsAndMethod) {
  Settings settings;
  settings.endpoint = "http://127.0.0.1:9000";
  settings.access_key_id = "id";
  settings.access_key_secret = "secret";
  settings.sts_token = "token";
  auto options = rpc_client_options(settings, "", "POST").value();
  EXPECT_EQ(options.endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(options.credentials.security_token, "token");
  EXPECT_EQ(options.method, client::RpcMethod::Post);
  EXPECT_EQ(rpc_client_options(settings, "http://127.0.0.1:9100", "get").value().endpoint, "http://127.0.0.1:9100");
  EXPECT_EQ(rpc_client_options(settings, "", "get").value().method, client::RpcMethod::Get);
  EXPECT_FALSE(rpc_client_options(settings, "", "PUT").ok());
  Settings no_endpoint = settings;
  no_endpoint.endpoint.clear();
  EXPECT_FALSE(rpc_client_options(no_endpoint, "", "POST").ok());
  Settings no_secret = settings;
  no_secret.access_key_secret.clear();
  EXPECT_FALSE(rpc_client_options(no_secret, "", "POST").ok());
}

TEST(TokenService, ListenAddresses) {
  auto v4 = parse_listen_address("127.0.0.1:8080").value();
  EXPECT_EQ(v4.host, "127.0.0.1");
  EXPECT_EQ(v4.port, 8080);
  auto v6 = parse_listen_address("[::1]:0").value();
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 0);
  for (const char* bad : {"127.0.0.1", ":80", "host:", "host:99999", "::1:80", "[::1]80", "h:8x"}) {
    EXPECT_FALSE(parse_listen_address(bad).ok()) << bad;
  }
}

TEST(TokenService, OnlyAllowedOriginsGetCors) {
  const std::vector<std::string> allowed = {"http://127.0.0.1:8080"};
  EXPECT_EQ(allowed_origin(allowed, "http://127.0.0.1:8080"), "http://127.0.0.1:8080");
  EXPECT_EQ(allowed_origin(allowed, "http://127.0.0.1:8081"), std::nullopt);
  EXPECT_EQ(allowed_origin(allowed, ""), std::nullopt);
  EXPECT_EQ(allowed_origin({}, "http://a"), std::nullopt);
  // "*" allows any origin, which is echoed back.
  EXPECT_EQ(allowed_origin({"*"}, "http://a.test"), "http://a.test");
}

TEST(TokenService, StaticPathsStayInsideTheDirectory) {
  EXPECT_EQ(static_file_path("/"), std::filesystem::path("index.html"));
  EXPECT_EQ(static_file_path(""), std::filesystem::path("index.html"));
  EXPECT_EQ(static_file_path("/app.js"), std::filesystem::path("app.js"));
  EXPECT_EQ(static_file_path("/img/a%20b.png"), std::filesystem::path("img/a b.png"));
  EXPECT_EQ(static_file_path("/docs/"), std::filesystem::path("docs/index.html"));
  EXPECT_EQ(static_file_path("//./x.js"), std::filesystem::path("x.js"));
  for (const char* escape : {"/../etc/passwd", "/a/../../b", "/%2e%2e/x", "/..%2fx", "/a%5c..%5cb", "/a%00b", "/%zz"}) {
    EXPECT_EQ(static_file_path(escape), std::nullopt) << escape;
  }
}

TEST(TokenService, ContentTypes) {
  EXPECT_EQ(content_type_of("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_of("aliyun-oss-sdk.min.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_of("a.PNG"), "image/png");
  EXPECT_EQ(content_type_of("blob"), "application/octet-stream");
}

}  // namespace
}  // namespace ossd::cli
