// The RAM API on a real identity store: shapes of the responses (as
// @alicloud/ram20150501 reads them), parameter rules, error codes, and who
// may call.
#include "iam/rpc_error.hpp"
#include "iam_test_support.hpp"

namespace ossd::iam::test {
namespace {

using json = nlohmann::ordered_json;

std::string code_of(const Error& error) {
  std::string code(rpc_code_detail(error));
  if (code.empty()) {
    for (const auto& [name, value] : error.details) {
      if (name == "RamCode") code = value;
    }
  }
  return code;
}

struct RamTest : IamFixture {
  std::string refusal(std::string action, RpcParams params, const auth::Identity& who = root_identity()) {
    auto result = ram->call(call(std::move(action), std::move(params), who));
    if (result) return "(accepted)";
    return code_of(result.error());
  }
  static std::string allow_all_oss() {
    return R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:*","Resource":"*"}]})";
  }
};

TEST_F(RamTest, KnowsItsActions) {
  for (const char* action : {"CreateUser",
                             "GetUser",
                             "UpdateUser",
                             "ListUsers",
                             "DeleteUser",
                             "CreateAccessKey",
                             "ListAccessKeys",
                             "UpdateAccessKey",
                             "DeleteAccessKey",
                             "CreateGroup",
                             "GetGroup",
                             "ListGroups",
                             "DeleteGroup",
                             "AddUserToGroup",
                             "RemoveUserFromGroup",
                             "ListGroupsForUser",
                             "CreateRole",
                             "GetRole",
                             "ListRoles",
                             "UpdateRole",
                             "DeleteRole",
                             "CreatePolicy",
                             "GetPolicy",
                             "ListPolicies",
                             "DeletePolicy",
                             "CreatePolicyVersion",
                             "AttachPolicyToUser",
                             "AttachPolicyToGroup",
                             "AttachPolicyToRole",
                             "DetachPolicyFromUser",
                             "DetachPolicyFromGroup",
                             "DetachPolicyFromRole",
                             "ListPoliciesForUser",
                             "ListPoliciesForGroup",
                             "ListPoliciesForRole"}) {
    EXPECT_TRUE(IdentityService::handles(action)) << action;
  }
  EXPECT_FALSE(IdentityService::handles("AssumeRole"));
  EXPECT_TRUE(IdentityService::is_read_only("ListUsers"));
  EXPECT_FALSE(IdentityService::is_read_only("CreateUser"));
  EXPECT_EQ(refusal("NoSuchAction", {}), "InvalidAction.NotFound");
}

TEST_F(RamTest, CreateGetUpdateListDeleteUser) {
  json created = ram_ok("CreateUser", {{"UserName", "alice"}, {"DisplayName", "Alice A"}, {"Comments", "first"}});
  const json& user = created["User"];
  EXPECT_EQ(user["UserName"], "alice");
  EXPECT_EQ(user["DisplayName"], "Alice A");
  EXPECT_EQ(user["Comments"], "first");
  EXPECT_EQ(user["CreateDate"], "2024-05-20T08:30:00Z");
  const std::string id = user["UserId"];
  EXPECT_EQ(id.size(), 16u);

  json got = ram_ok("GetUser", {{"UserName", "alice"}});
  EXPECT_EQ(got["User"]["UserId"], id);
  EXPECT_EQ(got["User"]["UpdateDate"], "2024-05-20T08:30:00Z");

  clock.advance(std::chrono::seconds(60));
  json updated = ram_ok("UpdateUser", {{"UserName", "alice"}, {"NewUserName", "alice2"}, {"NewComments", "second"}});
  EXPECT_EQ(updated["User"]["UserName"], "alice2");
  EXPECT_EQ(updated["User"]["UserId"], id);
  EXPECT_EQ(updated["User"]["Comments"], "second");
  EXPECT_EQ(updated["User"]["DisplayName"], "Alice A");
  EXPECT_EQ(updated["User"]["UpdateDate"], "2024-05-20T08:31:00Z");
  EXPECT_EQ(refusal("GetUser", {{"UserName", "alice"}}), "EntityNotExist.User");

  ram_ok("DeleteUser", {{"UserName", "alice2"}});
  EXPECT_EQ(refusal("GetUser", {{"UserName", "alice2"}}), "EntityNotExist.User");
  EXPECT_EQ(refusal("DeleteUser", {{"UserName", "alice2"}}), "EntityNotExist.User");
}

TEST_F(RamTest, UserParameterRules) {
  EXPECT_EQ(refusal("CreateUser", {}), "MissingParameter");
  EXPECT_EQ(refusal("CreateUser", {{"UserName", std::string(65, 'a')}}), "InvalidParameter.UserName.Length");
  EXPECT_EQ(refusal("CreateUser", {{"UserName", "bad name"}}), "InvalidParameter.UserName.InvalidChars");
  EXPECT_EQ(refusal("CreateUser", {{"UserName", "a/b"}}), "InvalidParameter.UserName.InvalidChars");
  EXPECT_EQ(refusal("CreateUser", {{"UserName", "ok"}, {"DisplayName", std::string(129, 'd')}}),
            "InvalidParameter.DisplayName.Length");
  EXPECT_EQ(refusal("CreateUser", {{"UserName", std::string(64, 'a')}}), "(accepted)");
  EXPECT_EQ(refusal("CreateUser", {{"UserName", "x.y@z_w-1"}}), "(accepted)");
  EXPECT_EQ(refusal("CreateUser", {{"UserName", "x.y@z_w-1"}}), "EntityAlreadyExists.User");
  EXPECT_EQ(refusal("UpdateUser", {{"UserName", "x.y@z_w-1"}, {"NewUserName", "no way"}}),
            "InvalidParameter.NewUserName.InvalidChars");
}

TEST_F(RamTest, ListUsersPagesByMarker) {
  for (const char* name : {"u1", "u2", "u3", "u4", "u5"}) ram_ok("CreateUser", {{"UserName", name}});
  json first = ram_ok("ListUsers", {{"MaxItems", "2"}});
  ASSERT_EQ(first["Users"]["User"].size(), 2u);
  EXPECT_EQ(first["Users"]["User"][0]["UserName"], "u1");
  EXPECT_EQ(first["IsTruncated"], true);
  const std::string marker = first["Marker"];
  json second = ram_ok("ListUsers", {{"MaxItems", "2"}, {"Marker", marker}});
  EXPECT_EQ(second["Users"]["User"][0]["UserName"], "u3");
  json all = ram_ok("ListUsers");
  EXPECT_EQ(all["Users"]["User"].size(), 5u);
  EXPECT_EQ(all["IsTruncated"], false);
  EXPECT_FALSE(all.contains("Marker"));
  EXPECT_EQ(refusal("ListUsers", {{"MaxItems", "0"}}), "InvalidParameter.MaxItems");
  EXPECT_EQ(refusal("ListUsers", {{"MaxItems", "1001"}}), "InvalidParameter.MaxItems");
}

TEST_F(RamTest, AccessKeysAtMostTwoSecretShownOnce) {
  ram_ok("CreateUser", {{"UserName", "alice"}});
  json first = ram_ok("CreateAccessKey", {{"UserName", "alice"}});
  const json& key = first["AccessKey"];
  const std::string id = key["AccessKeyId"];
  EXPECT_TRUE(id.starts_with("LTAI"));
  EXPECT_EQ(id.size(), 24u);
  EXPECT_EQ(key["AccessKeySecret"].get<std::string>().size(), 30u);
  EXPECT_EQ(key["Status"], "Active");
  ram_ok("CreateAccessKey", {{"UserName", "alice"}});
  EXPECT_EQ(refusal("CreateAccessKey", {{"UserName", "alice"}}), "LimitExceeded.User.AccessKey");
  EXPECT_EQ(refusal("CreateAccessKey", {{"UserName", "nobody"}}), "EntityNotExist.User");

  // Both keys were made in the same millisecond: find ours by id.
  auto status_of = [&](const std::string& key_id) -> std::string {
    json listed = ram_ok("ListAccessKeys", {{"UserName", "alice"}});
    EXPECT_EQ(listed["AccessKeys"]["AccessKey"].size(), 2u);
    for (const auto& entry : listed["AccessKeys"]["AccessKey"]) {
      EXPECT_FALSE(entry.contains("AccessKeySecret"));
      if (entry["AccessKeyId"] == key_id) return entry["Status"];
    }
    return "(missing)";
  };
  EXPECT_EQ(status_of(id), "Active");

  EXPECT_EQ(refusal("UpdateAccessKey", {{"UserName", "alice"}, {"UserAccessKeyId", id}, {"Status", "Disabled"}}),
            "InvalidParameter.Status");
  ram_ok("UpdateAccessKey", {{"UserName", "alice"}, {"UserAccessKeyId", id}, {"Status", "Inactive"}});
  EXPECT_EQ(status_of(id), "Inactive");
  EXPECT_EQ(refusal("DeleteUser", {{"UserName", "alice"}}), "DeleteConflict.User.AccessKey");
  EXPECT_EQ(
      refusal("DeleteAccessKey", {{"UserName", "alice"}, {"UserAccessKeyId", "LTAInope"}}).rfind("EntityNotExist", 0),
      0u);
}

TEST_F(RamTest, RootNeedsAUserNameForKeysButAUserMayManageItsOwn) {
  EXPECT_EQ(refusal("CreateAccessKey", {}), "MissingParameter");
  ram_ok("CreateUser", {{"UserName", "self"}});
  auto key = ram_ok("CreateAccessKey", {{"UserName", "self"}});
  ram_ok("AttachPolicyToUser", {{"PolicyType", "System"}, {"PolicyName", "AdministratorAccess"}, {"UserName", "self"}});
  auto credential = credentials->find(key["AccessKey"]["AccessKeyId"].get<std::string>());
  ASSERT_TRUE(credential);
  auto listed = ram->call(call("ListAccessKeys", {}, identity_of(*credential)));
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_EQ((*listed)["AccessKeys"]["AccessKey"].size(), 1u);
}

TEST_F(RamTest, GroupsAndMembership) {
  json group = ram_ok("CreateGroup", {{"GroupName", "devs"}, {"Comments", "developers"}});
  EXPECT_EQ(group["Group"]["GroupName"], "devs");
  EXPECT_EQ(group["Group"]["Comments"], "developers");
  EXPECT_FALSE(group["Group"]["GroupId"].get<std::string>().empty());
  EXPECT_EQ(refusal("CreateGroup", {{"GroupName", "devs"}}), "EntityAlreadyExists.Group");
  ram_ok("CreateUser", {{"UserName", "alice"}});
  ram_ok("AddUserToGroup", {{"UserName", "alice"}, {"GroupName", "devs"}});
  json groups = ram_ok("ListGroupsForUser", {{"UserName", "alice"}});
  ASSERT_EQ(groups["Groups"]["Group"].size(), 1u);
  EXPECT_EQ(groups["Groups"]["Group"][0]["GroupName"], "devs");
  EXPECT_EQ(ram_ok("ListUsersForGroup", {{"GroupName", "devs"}})["Users"]["User"][0]["UserName"], "alice");
  EXPECT_EQ(ram_ok("ListGroups")["Groups"]["Group"].size(), 1u);
  EXPECT_EQ(ram_ok("GetGroup", {{"GroupName", "devs"}})["Group"]["GroupName"], "devs");
  EXPECT_EQ(refusal("DeleteGroup", {{"GroupName", "devs"}}).rfind("DeleteConflict", 0), 0u);
  ram_ok("RemoveUserFromGroup", {{"UserName", "alice"}, {"GroupName", "devs"}});
  EXPECT_EQ(ram_ok("ListGroupsForUser", {{"UserName", "alice"}})["Groups"]["Group"].size(), 0u);
  ram_ok("DeleteGroup", {{"GroupName", "devs"}});
  EXPECT_EQ(refusal("GetGroup", {{"GroupName", "devs"}}), "EntityNotExist.Group");
  EXPECT_EQ(refusal("ListGroupsForUser", {{"UserName", "ghost"}}), "EntityNotExist.User");
}

TEST_F(RamTest, RolesShapeAndRules) {
  json created = ram_ok(
      "CreateRole",
      {{"RoleName", "oss-writer"}, {"AssumeRolePolicyDocument", trust_account_root()}, {"Description", "writes"}});
  const json& role = created["Role"];
  EXPECT_EQ(role["RoleName"], "oss-writer");
  EXPECT_EQ(role["Arn"], std::string("acs:ram::") + kAccount + ":role/oss-writer");
  EXPECT_EQ(role["MaxSessionDuration"], 3600);
  EXPECT_TRUE(role["MaxSessionDuration"].is_number());
  EXPECT_EQ(role["AssumeRolePolicyDocument"], trust_account_root());
  EXPECT_EQ(role["Description"], "writes");
  EXPECT_FALSE(role["RoleId"].get<std::string>().empty());

  EXPECT_EQ(ram_ok("GetRole", {{"RoleName", "oss-writer"}})["Role"]["RoleId"], role["RoleId"]);
  json listed = ram_ok("ListRoles");
  ASSERT_EQ(listed["Roles"]["Role"].size(), 1u);
  EXPECT_FALSE(listed["Roles"]["Role"][0].contains("AssumeRolePolicyDocument"));

  EXPECT_EQ(refusal("CreateRole", {{"RoleName", "oss-writer"}, {"AssumeRolePolicyDocument", trust_account_root()}}),
            "EntityAlreadyExists.Role");
  EXPECT_EQ(refusal("CreateRole", {{"RoleName", "r2"}}), "MissingParameter");
  EXPECT_EQ(refusal("CreateRole", {{"RoleName", "r2"}, {"AssumeRolePolicyDocument", "{oops"}}),
            "MalformedPolicyDocument");
  for (const char* duration : {"3599", "43201", "abc"}) {
    EXPECT_EQ(refusal("CreateRole", {{"RoleName", "r2"},
                                     {"AssumeRolePolicyDocument", trust_account_root()},
                                     {"MaxSessionDuration", duration}}),
              "InvalidParameter.MaxSessionDuration")
        << duration;
  }
  EXPECT_EQ(refusal("CreateRole", {{"RoleName", "bad role"}, {"AssumeRolePolicyDocument", trust_account_root()}}),
            "InvalidParameter.RoleName.InvalidChars");

  json updated = ram_ok("UpdateRole",
                        {{"RoleName", "oss-writer"}, {"NewMaxSessionDuration", "43200"}, {"NewDescription", "more"}});
  EXPECT_EQ(updated["Role"]["MaxSessionDuration"], 43200);
  EXPECT_EQ(updated["Role"]["Description"], "more");
  EXPECT_EQ(updated["Role"]["AssumeRolePolicyDocument"], trust_account_root());
  EXPECT_EQ(refusal("UpdateRole", {{"RoleName", "oss-writer"}, {"NewMaxSessionDuration", "100"}}),
            "InvalidParameter.NewMaxSessionDuration");
  EXPECT_EQ(refusal("UpdateRole", {{"RoleName", "oss-writer"}, {"NewAssumeRolePolicyDocument", "[1"}}),
            "MalformedPolicyDocument");
  EXPECT_EQ(refusal("UpdateRole", {{"RoleName", "ghost"}, {"NewDescription", "x"}}), "EntityNotExist.Role");

  ram_ok("AttachPolicyToRole",
         {{"PolicyType", "System"}, {"PolicyName", "AliyunOSSFullAccess"}, {"RoleName", "oss-writer"}});
  EXPECT_EQ(refusal("DeleteRole", {{"RoleName", "oss-writer"}}).rfind("DeleteConflict", 0), 0u);
  ram_ok("DetachPolicyFromRole",
         {{"PolicyType", "System"}, {"PolicyName", "AliyunOSSFullAccess"}, {"RoleName", "oss-writer"}});
  ram_ok("DeleteRole", {{"RoleName", "oss-writer"}});
  EXPECT_EQ(refusal("GetRole", {{"RoleName", "oss-writer"}}), "EntityNotExist.Role");
}

TEST_F(RamTest, CustomAndSystemPolicies) {
  json created = ram_ok(
      "CreatePolicy", {{"PolicyName", "oss-all"}, {"PolicyDocument", allow_all_oss()}, {"Description", "everything"}});
  EXPECT_EQ(created["Policy"]["PolicyName"], "oss-all");
  EXPECT_EQ(created["Policy"]["PolicyType"], "Custom");
  EXPECT_EQ(created["Policy"]["DefaultVersion"], "v1");

  json got = ram_ok("GetPolicy", {{"PolicyName", "oss-all"}, {"PolicyType", "Custom"}});
  EXPECT_EQ(got["Policy"]["PolicyDocument"], allow_all_oss());
  EXPECT_EQ(got["DefaultPolicyVersion"]["VersionId"], "v1");
  EXPECT_EQ(got["DefaultPolicyVersion"]["IsDefaultVersion"], true);

  json system = ram_ok("GetPolicy", {{"PolicyName", "AliyunOSSReadOnlyAccess"}, {"PolicyType", "System"}});
  EXPECT_EQ(system["Policy"]["PolicyType"], "System");
  EXPECT_FALSE(system["Policy"]["PolicyDocument"].get<std::string>().empty());
  EXPECT_EQ(refusal("GetPolicy", {{"PolicyName", "NoSuchSystem"}, {"PolicyType", "System"}}), "EntityNotExist.Policy");
  EXPECT_EQ(refusal("GetPolicy", {{"PolicyName", "oss-all"}, {"PolicyType", "Weird"}}), "InvalidParameter.PolicyType");

  EXPECT_EQ(refusal("CreatePolicy", {{"PolicyName", "oss-all"}, {"PolicyDocument", allow_all_oss()}}),
            "EntityAlreadyExists.Policy");
  EXPECT_EQ(refusal("CreatePolicy", {{"PolicyName", "AliyunOSSFullAccess"}, {"PolicyDocument", allow_all_oss()}}),
            "EntityAlreadyExists.Policy");
  EXPECT_EQ(refusal("CreatePolicy", {{"PolicyName", "under_score"}, {"PolicyDocument", allow_all_oss()}}),
            "InvalidParameter.PolicyName.InvalidChars");
  EXPECT_EQ(refusal("CreatePolicy", {{"PolicyName", std::string(129, 'p')}, {"PolicyDocument", allow_all_oss()}}),
            "InvalidParameter.PolicyName.Length");
  EXPECT_EQ(refusal("CreatePolicy", {{"PolicyName", "p2"}, {"PolicyDocument", std::string(6145, ' ')}}),
            "InvalidParameter.PolicyDocument.Length");
  EXPECT_EQ(refusal("CreatePolicy", {{"PolicyName", "p2"}, {"PolicyDocument", R"({"Statement":"x"})"}}),
            "MalformedPolicyDocument");

  json all = ram_ok("ListPolicies");
  std::vector<std::string> names;
  for (const auto& policy : all["Policies"]["Policy"]) names.push_back(policy["PolicyName"]);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_NE(std::find(names.begin(), names.end(), "oss-all"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "AliyunOSSFullAccess"), names.end());
  EXPECT_EQ(ram_ok("ListPolicies", {{"PolicyType", "Custom"}})["Policies"]["Policy"].size(), 1u);
  json paged = ram_ok("ListPolicies", {{"MaxItems", "2"}});
  EXPECT_EQ(paged["Policies"]["Policy"].size(), 2u);
  EXPECT_EQ(paged["IsTruncated"], true);
  json rest = ram_ok("ListPolicies", {{"Marker", paged["Marker"].get<std::string>()}});
  EXPECT_EQ(rest["Policies"]["Policy"].size() + 2, names.size());
}

TEST_F(RamTest, AttachDetachAndListPoliciesFor) {
  ram_ok("CreatePolicy", {{"PolicyName", "oss-all"}, {"PolicyDocument", allow_all_oss()}, {"Description", "d"}});
  ram_ok("CreateUser", {{"UserName", "alice"}});
  ram_ok("CreateGroup", {{"GroupName", "devs"}});
  ram_ok("AttachPolicyToUser", {{"PolicyType", "Custom"}, {"PolicyName", "oss-all"}, {"UserName", "alice"}});
  ram_ok("AttachPolicyToUser",
         {{"PolicyType", "System"}, {"PolicyName", "AliyunSTSAssumeRoleAccess"}, {"UserName", "alice"}});
  ram_ok("AttachPolicyToGroup", {{"PolicyType", "Custom"}, {"PolicyName", "oss-all"}, {"GroupName", "devs"}});
  EXPECT_EQ(refusal("AttachPolicyToUser", {{"PolicyType", "Custom"}, {"PolicyName", "oss-all"}, {"UserName", "alice"}})
                .rfind("EntityAlreadyExists", 0),
            0u);
  EXPECT_EQ(refusal("AttachPolicyToUser", {{"PolicyType", "System"}, {"PolicyName", "Nope"}, {"UserName", "alice"}}),
            "EntityNotExist.Policy");
  EXPECT_EQ(refusal("AttachPolicyToUser", {{"PolicyType", "Custom"}, {"PolicyName", "nope"}, {"UserName", "alice"}})
                .rfind("EntityNotExist", 0),
            0u);
  EXPECT_EQ(refusal("AttachPolicyToUser", {{"PolicyName", "oss-all"}, {"UserName", "alice"}}), "MissingParameter");

  json listed = ram_ok("ListPoliciesForUser", {{"UserName", "alice"}});
  ASSERT_EQ(listed["Policies"]["Policy"].size(), 2u);
  for (const auto& policy : listed["Policies"]["Policy"]) {
    EXPECT_TRUE(policy.contains("AttachDate"));
    EXPECT_TRUE(policy.contains("DefaultVersion"));
    if (policy["PolicyName"] == "oss-all") {
      EXPECT_EQ(policy["Description"], "d");
    }
  }
  EXPECT_EQ(ram_ok("ListPoliciesForGroup", {{"GroupName", "devs"}})["Policies"]["Policy"].size(), 1u);
  EXPECT_EQ(refusal("ListPoliciesForRole", {{"RoleName", "ghost"}}), "EntityNotExist.Role");

  EXPECT_EQ(refusal("DeletePolicy", {{"PolicyName", "oss-all"}}).rfind("DeleteConflict", 0), 0u);
  ram_ok("DetachPolicyFromUser", {{"PolicyType", "Custom"}, {"PolicyName", "oss-all"}, {"UserName", "alice"}});
  ram_ok("DetachPolicyFromGroup", {{"PolicyType", "Custom"}, {"PolicyName", "oss-all"}, {"GroupName", "devs"}});
  EXPECT_EQ(
      refusal("DetachPolicyFromUser", {{"PolicyType", "Custom"}, {"PolicyName", "oss-all"}, {"UserName", "alice"}})
          .rfind("EntityNotExist", 0),
      0u);
  ram_ok("DeletePolicy", {{"PolicyName", "oss-all"}});
  EXPECT_EQ(refusal("DeletePolicy", {{"PolicyName", "AliyunOSSFullAccess"}}), "NoPermission");
}

TEST_F(RamTest, PolicyVersions) {
  ram_ok("CreatePolicy", {{"PolicyName", "p"}, {"PolicyDocument", allow_all_oss()}});
  const std::string read_only =
      R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:Get*","Resource":"*"}]})";
  json v2 =
      ram_ok("CreatePolicyVersion", {{"PolicyName", "p"}, {"PolicyDocument", read_only}, {"SetAsDefault", "true"}});
  EXPECT_EQ(v2["PolicyVersion"]["VersionId"], "v2");
  EXPECT_EQ(v2["PolicyVersion"]["IsDefaultVersion"], true);
  json got = ram_ok("GetPolicy", {{"PolicyName", "p"}, {"PolicyType", "Custom"}});
  EXPECT_EQ(got["Policy"]["DefaultVersion"], "v2");
  EXPECT_EQ(got["Policy"]["PolicyDocument"], read_only);
  EXPECT_EQ(ram_ok("ListPolicyVersions", {{"PolicyName", "p"}})["PolicyVersions"]["PolicyVersion"].size(), 2u);
  EXPECT_EQ(ram_ok("GetPolicyVersion", {{"PolicyName", "p"}, {"VersionId", "v1"}})["PolicyVersion"]["PolicyDocument"],
            allow_all_oss());
  EXPECT_EQ(refusal("CreatePolicyVersion", {{"PolicyName", "p"}, {"PolicyDocument", "nope"}}),
            "MalformedPolicyDocument");
}

TEST_F(RamTest, OnlyTheRootOrAUserAllowedByPolicyMayCall) {
  ram_ok("CreateUser", {{"UserName", "clerk"}});
  auto key = ram_ok("CreateAccessKey", {{"UserName", "clerk"}});
  auto credential = credentials->find(key["AccessKey"]["AccessKeyId"].get<std::string>());
  ASSERT_TRUE(credential);
  const auth::Identity clerk = identity_of(*credential);
  EXPECT_EQ(refusal("ListUsers", {}, clerk), "NoPermission");
  EXPECT_EQ(refusal("CreateUser", {{"UserName", "mallory"}}, clerk), "NoPermission");

  // May read users, nothing else.
  const std::string readers =
      R"({"Version":"1","Statement":[{"Effect":"Allow","Action":["ram:GetUser","ram:ListUsers"],"Resource":"*"}]})";
  ram_ok("CreatePolicy", {{"PolicyName", "user-readers"}, {"PolicyDocument", readers}});
  ram_ok("AttachPolicyToUser", {{"PolicyType", "Custom"}, {"PolicyName", "user-readers"}, {"UserName", "clerk"}});
  EXPECT_EQ(refusal("ListUsers", {}, clerk), "(accepted)") << "the attachment counts at once";
  EXPECT_EQ(refusal("GetUser", {{"UserName", "clerk"}}, clerk), "(accepted)");
  EXPECT_EQ(refusal("CreateUser", {{"UserName", "mallory"}}, clerk), "NoPermission");
  EXPECT_EQ(refusal("AttachPolicyToUser",
                    {{"PolicyType", "System"}, {"PolicyName", "AdministratorAccess"}, {"UserName", "clerk"}}, clerk),
            "NoPermission")
      << "no escalation";

  auth::Identity anonymous;
  EXPECT_EQ(refusal("ListUsers", {}, anonymous), "NoPermission");
}

TEST_F(RamTest, AResourceScopedPolicyLimitsWhichUsers) {
  ram_ok("CreateUser", {{"UserName", "helper"}});
  auto key = ram_ok("CreateAccessKey", {{"UserName", "helper"}});
  const auth::Identity helper = identity_of(*credentials->find(key["AccessKey"]["AccessKeyId"].get<std::string>()));
  const std::string scoped = std::string(R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"ram:*",)") +
                             R"("Resource":"acs:ram:*:)" + kAccount + R"(:user/team-*"}]})";
  ram_ok("CreatePolicy", {{"PolicyName", "team-admin"}, {"PolicyDocument", scoped}});
  ram_ok("AttachPolicyToUser", {{"PolicyType", "Custom"}, {"PolicyName", "team-admin"}, {"UserName", "helper"}});
  EXPECT_EQ(refusal("CreateUser", {{"UserName", "team-a"}}, helper), "(accepted)");
  EXPECT_EQ(refusal("CreateUser", {{"UserName", "boss"}}, helper), "NoPermission");
}

}  // namespace
}  // namespace ossd::iam::test
