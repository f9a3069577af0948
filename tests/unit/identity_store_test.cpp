// IdentityStore conformance: written against the interface only, run against
// every implementation (SQLite, PostgreSQL) listed in identity_store_factories()
// below. A new store joins by adding a factory there. The SQLite-only promises
// (file format, schema versioning) are at the end; the PostgreSQL-only ones are
// in identity_pg_store_test.cpp.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "meta/identity_store.hpp"
#include "meta/pg_identity_store.hpp"
#include "meta/sqlite_connection.hpp"
#include "meta/sqlite_identity_schema.hpp"
#include "meta/sqlite_identity_store.hpp"
#include "meta/sqlite_store.hpp"
#include "pg_test_cluster.hpp"
#include "store_test_support.hpp"

namespace ossd::meta {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

using IdentityStoreFactory = test::StoreFactory<IdentityStore>;

std::vector<IdentityStoreFactory> identity_store_factories() {
  return {
      {"Sqlite", [](const fs::path& dir) { return open_sqlite_identity_store(dir / "identity.db"); }},
      // One database per test directory on the binary's throwaway cluster.
      {"Postgres",
       [](const fs::path& dir) -> Result<std::unique_ptr<IdentityStore>> {
         auto conninfo = ossd::test::pg_test_conninfo_for(dir);
         if (!conninfo.ok()) return std::move(conninfo).error();
         return open_pg_identity_store(*conninfo);
       },
       ossd::test::postgres_skip_reason},
  };
}

// The RAM API code an error carries ("" when none).
std::string ram_code(const Error& error) {
  for (const auto& [name, value] : error.details) {
    if (name == "RamCode") return value;
  }
  return {};
}

template <class T>
std::string ram_code_of(const Result<T>& result) {
  return result.ok() ? std::string("<ok>") : ram_code(result.error());
}

template <class T>
std::string message_of(const Result<T>& result) {
  return result.ok() ? std::string("<ok>") : result.error().message;
}

UserRecord user(const std::string& name, int64_t created_ms = 1700000000000) {
  UserRecord u;
  u.user_id = "2087654321" + std::to_string(name.size());
  u.name = name;
  u.display_name = "Display " + name;
  u.comments = "comments of " + name;
  u.created_ms = created_ms;
  u.updated_ms = created_ms;
  return u;
}

AccessKeyRecord access_key(const std::string& id, const std::string& user_name, int64_t created_ms = 1700000000000) {
  AccessKeyRecord k;
  k.access_key_id = id;
  k.user_name = user_name;
  k.secret_sealed = "sealed-" + id;
  k.created_ms = created_ms;
  return k;
}

GroupRecord group(const std::string& name) {
  GroupRecord g;
  g.group_id = "g-" + name;
  g.name = name;
  g.comments = "group " + name;
  g.created_ms = 1700000000000;
  g.updated_ms = 1700000000000;
  return g;
}

RoleRecord role(const std::string& name) {
  RoleRecord r;
  r.role_id = "3000000000" + std::to_string(name.size());
  r.name = name;
  r.description = "role " + name;
  r.trust_policy = R"({"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow"}],"Version":"1"})";
  r.max_session_duration_s = 7200;
  r.created_ms = 1700000000000;
  r.updated_ms = 1700000000000;
  return r;
}

std::string document(const std::string& tag) {
  return R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:)" + tag + R"(","Resource":"*"}]})";
}

PolicyRecord policy(const std::string& name, const std::string& tag = "GetObject") {
  PolicyRecord p;
  p.name = name;
  p.description = "policy " + name;
  p.document = document(tag);
  p.created_ms = 1700000000000;
  p.updated_ms = 1700000000000;
  return p;
}

PolicyVersionRecord version(const std::string& tag, int64_t created_ms, const std::string& id = "") {
  PolicyVersionRecord v;
  v.version_id = id;
  v.document = document(tag);
  v.created_ms = created_ms;
  return v;
}

AttachmentRecord attachment(const std::string& policy_type, const std::string& policy_name,
                            const std::string& principal_type, const std::string& principal_name) {
  AttachmentRecord a;
  a.policy_type = policy_type;
  a.policy_name = policy_name;
  a.principal_type = principal_type;
  a.principal_name = principal_name;
  a.attached_ms = 1700000005000;
  return a;
}

// prefix + n, built by appending (GCC 12 warns falsely on "literal" + std::string at -O2).
std::string numbered(const char* prefix, int n) { return std::string(prefix).append(std::to_string(n)); }

template <class T>
std::vector<std::string> names_of(const std::vector<T>& records) {
  std::vector<std::string> names;
  for (const T& r : records) names.push_back(r.name);
  return names;
}

class IdentityStoreConformance : public test::StoreConformance<IdentityStore> {
 protected:
  int64_t generation() {
    auto g = store().generation();
    EXPECT_TRUE(g.ok()) << message_of(g);
    return g.ok() ? *g : -1;
  }

  std::vector<std::string> attached_policies(const std::string& principal_type, const std::string& principal_name) {
    auto listed = store().list_attachments_for(principal_type, principal_name);
    EXPECT_TRUE(listed.ok()) << message_of(listed);
    std::vector<std::string> names;
    if (listed.ok()) {
      for (const auto& a : *listed) names.push_back(a.policy_type + ":" + a.policy_name);
    }
    return names;
  }

  // Pages through a listing with max_items per page; returns every name and
  // the number of pages it took.
  template <class List>
  std::vector<std::string> all_names(List list, uint32_t max_items, int* pages = nullptr) {
    std::vector<std::string> names;
    PageQuery query;
    query.max_items = max_items;
    int count = 0;
    while (true) {
      auto page = list(query);
      EXPECT_TRUE(page.ok()) << message_of(page);
      if (!page.ok() || ++count > 10000) break;
      EXPECT_LE(page->items.size(), std::max<uint32_t>(max_items, 1));
      for (const auto& item : page->items) names.push_back(item.name);
      if (!page->truncated) {
        EXPECT_EQ(page->next_marker, "");
        break;
      }
      EXPECT_EQ(page->next_marker, page->items.back().name);
      query.marker = page->next_marker;
    }
    if (pages != nullptr) *pages = count;
    return names;
  }
};

// ================================================================== users

TEST_P(IdentityStoreConformance, CreateAndGetUserRoundTrips) {
  UserRecord alice = user("alice");
  alice.updated_ms = 1700000000123;
  ASSERT_OK(store().create_user(alice));
  auto got = store().get_user("alice");
  ASSERT_OK(got);
  EXPECT_EQ(got->name, "alice");
  EXPECT_EQ(got->user_id, alice.user_id);
  EXPECT_EQ(got->display_name, "Display alice");
  EXPECT_EQ(got->comments, "comments of alice");
  EXPECT_EQ(got->created_ms, 1700000000000);
  EXPECT_EQ(got->updated_ms, 1700000000123);
}

TEST_P(IdentityStoreConformance, CreateUserTwiceIsEntityAlreadyExistsAndKeepsTheFirst) {
  ASSERT_OK(store().create_user(user("alice")));
  UserRecord again = user("alice");
  again.display_name = "Impostor";
  auto created = store().create_user(again);
  EXPECT_ERROR(created, EntityAlreadyExists);
  EXPECT_EQ(message_of(created), "The user already exists.");
  EXPECT_EQ(ram_code_of(created), "EntityAlreadyExists.User");
  EXPECT_EQ(store().get_user("alice")->display_name, "Display alice");
}

TEST_P(IdentityStoreConformance, GetMissingUserIsEntityNotExist) {
  auto got = store().get_user("nobody");
  EXPECT_ERROR(got, EntityNotExist);
  EXPECT_EQ(message_of(got), "The user does not exist.");
  EXPECT_EQ(ram_code_of(got), "EntityNotExist.User");
}

TEST_P(IdentityStoreConformance, UserNamesAreCaseSensitive) {
  ASSERT_OK(store().create_user(user("Alice")));
  EXPECT_OK(store().create_user(user("alice")));
  EXPECT_ERROR(store().get_user("ALICE"), EntityNotExist);
  EXPECT_EQ(store().get_user("Alice")->name, "Alice");
}

TEST_P(IdentityStoreConformance, UpdateUserChangesFieldsButNotIdOrCreation) {
  ASSERT_OK(store().create_user(user("alice")));
  UserRecord changed = user("alice");
  changed.user_id = "999";
  changed.display_name = "Alice A.";
  changed.comments = "new comments";
  changed.created_ms = 1;
  changed.updated_ms = 1700000009000;
  ASSERT_OK(store().update_user("alice", changed));
  auto got = store().get_user("alice");
  ASSERT_OK(got);
  EXPECT_EQ(got->display_name, "Alice A.");
  EXPECT_EQ(got->comments, "new comments");
  EXPECT_EQ(got->updated_ms, 1700000009000);
  EXPECT_EQ(got->user_id, user("alice").user_id);
  EXPECT_EQ(got->created_ms, 1700000000000);
}

TEST_P(IdentityStoreConformance, UpdateUserWithEmptyNameKeepsTheName) {
  ASSERT_OK(store().create_user(user("alice")));
  UserRecord changed;
  changed.display_name = "Renamed display";
  ASSERT_OK(store().update_user("alice", changed));
  EXPECT_EQ(store().get_user("alice")->display_name, "Renamed display");
}

TEST_P(IdentityStoreConformance, UpdateMissingUserIsEntityNotExist) {
  EXPECT_ERROR(store().update_user("nobody", user("nobody")), EntityNotExist);
  EXPECT_ERROR(store().get_user("nobody"), EntityNotExist);
}

TEST_P(IdentityStoreConformance, RenameUserCarriesKeysGroupsAndPolicies) {
  ASSERT_OK(store().create_user(user("alice")));
  ASSERT_OK(store().create_group(group("devs")));
  ASSERT_OK(store().create_policy(policy("read")));
  ASSERT_OK(store().create_access_key(access_key("LTAIalice1", "alice"), 2));
  ASSERT_OK(store().add_user_to_group("alice", "devs"));
  ASSERT_OK(store().attach_policy(attachment("Custom", "read", "User", "alice")));
  ASSERT_OK(store().attach_policy(attachment("System", "AliyunOSSFullAccess", "User", "alice")));

  ASSERT_OK(store().update_user("alice", user("alicia")));

  EXPECT_ERROR(store().get_user("alice"), EntityNotExist);
  EXPECT_EQ(store().get_user("alicia")->display_name, "Display alicia");
  EXPECT_EQ(store().get_access_key("LTAIalice1")->user_name, "alicia");
  auto keys = store().list_access_keys("alicia");
  ASSERT_OK(keys);
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ(names_of(*store().list_groups_for_user("alicia")), std::vector<std::string>{"devs"});
  EXPECT_EQ(names_of(*store().list_users_for_group("devs")), std::vector<std::string>{"alicia"});
  EXPECT_THAT(attached_policies("User", "alicia"), ElementsAre("Custom:read", "System:AliyunOSSFullAccess"));
  EXPECT_ERROR(store().list_attachments_for("User", "alice"), EntityNotExist);
  EXPECT_EQ(store().get_policy("read")->attachment_count, 1);
}

TEST_P(IdentityStoreConformance, RenameUserOntoATakenNameIsEntityAlreadyExists) {
  ASSERT_OK(store().create_user(user("alice")));
  ASSERT_OK(store().create_user(user("bob")));
  auto renamed = store().update_user("alice", user("bob"));
  EXPECT_ERROR(renamed, EntityAlreadyExists);
  EXPECT_EQ(ram_code_of(renamed), "EntityAlreadyExists.User");
  EXPECT_EQ(store().get_user("alice")->display_name, "Display alice");
  EXPECT_EQ(store().get_user("bob")->display_name, "Display bob");
}

TEST_P(IdentityStoreConformance, ListUsersPagesInNameOrder) {
  for (const char* name : {"mallory", "alice", "eve", "bob", "zed", "carol", "Dave"}) {
    ASSERT_OK(store().create_user(user(name)));
  }
  int pages = 0;
  auto names = all_names([&](const PageQuery& q) { return store().list_users(q); }, 3, &pages);
  EXPECT_THAT(names, ElementsAre("Dave", "alice", "bob", "carol", "eve", "mallory", "zed"));
  EXPECT_EQ(pages, 3);

  PageQuery first;
  first.max_items = 3;
  auto page = store().list_users(first);
  ASSERT_OK(page);
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_marker, "bob");
  EXPECT_EQ(page->items[1].display_name, "Display alice");  // whole records, not just names

  // Exactly max_items left: not truncated.
  PageQuery tail;
  tail.marker = "carol";
  tail.max_items = 3;
  page = store().list_users(tail);
  ASSERT_OK(page);
  EXPECT_THAT(names_of(page->items), ElementsAre("eve", "mallory", "zed"));
  EXPECT_FALSE(page->truncated);
  EXPECT_EQ(page->next_marker, "");
}

TEST_P(IdentityStoreConformance, ListUsersMarkerNeedNotBeAName) {
  for (const char* name : {"alice", "bob", "carol"}) ASSERT_OK(store().create_user(user(name)));
  PageQuery query;
  query.marker = "b";
  auto page = store().list_users(query);
  ASSERT_OK(page);
  EXPECT_THAT(names_of(page->items), ElementsAre("bob", "carol"));
  query.marker = "zzz";
  page = store().list_users(query);
  ASSERT_OK(page);
  EXPECT_THAT(page->items, IsEmpty());
  EXPECT_FALSE(page->truncated);
}

TEST_P(IdentityStoreConformance, ListingsOfAnEmptyStoreAreEmpty) {
  PageQuery query;
  auto users = store().list_users(query);
  ASSERT_OK(users);
  EXPECT_THAT(users->items, IsEmpty());
  EXPECT_FALSE(users->truncated);
  EXPECT_EQ(users->next_marker, "");
  EXPECT_THAT(store().list_groups(query)->items, IsEmpty());
  EXPECT_THAT(store().list_roles(query)->items, IsEmpty());
  EXPECT_THAT(store().list_policies(query)->items, IsEmpty());
  EXPECT_THAT(*store().list_token_keys(), IsEmpty());
}

TEST_P(IdentityStoreConformance, MaxItemsZeroStillAdvances) {
  for (const char* name : {"alice", "bob"}) ASSERT_OK(store().create_user(user(name)));
  EXPECT_THAT(all_names([&](const PageQuery& q) { return store().list_users(q); }, 0), ElementsAre("alice", "bob"));
}

TEST_P(IdentityStoreConformance, DeleteUserRemovesIt) {
  ASSERT_OK(store().create_user(user("alice")));
  ASSERT_OK(store().create_user(user("bob")));
  ASSERT_OK(store().delete_user("alice"));
  EXPECT_ERROR(store().get_user("alice"), EntityNotExist);
  EXPECT_THAT(names_of(store().list_users({})->items), ElementsAre("bob"));
  auto again = store().delete_user("alice");
  EXPECT_ERROR(again, EntityNotExist);
  EXPECT_EQ(ram_code_of(again), "EntityNotExist.User");
  // The name is free again.
  EXPECT_OK(store().create_user(user("alice")));
}

TEST_P(IdentityStoreConformance, DeleteUserWithAccessKeysIsDeleteConflict) {
  ASSERT_OK(store().create_user(user("alice")));
  ASSERT_OK(store().create_access_key(access_key("LTAI1", "alice"), 2));
  auto deleted = store().delete_user("alice");
  EXPECT_ERROR(deleted, DeleteConflict);
  EXPECT_EQ(ram_code_of(deleted), "DeleteConflict.User.AccessKey");
  EXPECT_THAT(message_of(deleted), HasSubstr("access keys"));
  EXPECT_OK(store().get_user("alice"));
  EXPECT_OK(store().get_access_key("LTAI1"));
  ASSERT_OK(store().delete_access_key("alice", "LTAI1"));
  EXPECT_OK(store().delete_user("alice"));
}

TEST_P(IdentityStoreConformance, DeleteUserInAGroupIsDeleteConflict) {
  ASSERT_OK(store().create_user(user("alice")));
  ASSERT_OK(store().create_group(group("devs")));
  ASSERT_OK(store().add_user_to_group("alice", "devs"));
  auto deleted = store().delete_user("alice");
  EXPECT_ERROR(deleted, DeleteConflict);
  EXPECT_EQ(ram_code_of(deleted), "DeleteConflict.User.Group");
  EXPECT_THAT(message_of(deleted), HasSubstr("groups"));
  ASSERT_OK(store().remove_user_from_group("alice", "devs"));
  EXPECT_OK(store().delete_user("alice"));
}

TEST_P(IdentityStoreConformance, DeleteUserWithPoliciesIsDeleteConflict) {
  ASSERT_OK(store().create_user(user("alice")));
  // A System policy is enough: it is an attachment all the same.
  ASSERT_OK(store().attach_policy(attachment("System", "AliyunOSSReadOnlyAccess", "User", "alice")));
  auto deleted = store().delete_user("alice");
  EXPECT_ERROR(deleted, DeleteConflict);
  EXPECT_EQ(ram_code_of(deleted), "DeleteConflict.User.Policy");
  EXPECT_THAT(message_of(deleted), HasSubstr("policies"));
  ASSERT_OK(store().detach_policy("System", "AliyunOSSReadOnlyAccess", "User", "alice"));
  EXPECT_OK(store().delete_user("alice"));
}

TEST_P(IdentityStoreConformance, DeleteUserNamesTheFirstConflictInTheOrderKeysGroupsPolicies) {
  ASSERT_OK(store().create_user(user("alice")));
  ASSERT_OK(store().create_group(group("devs")));
  ASSERT_OK(store().add_user_to_group("alice", "devs"));
  ASSERT_OK(store().attach_policy(attachment("System", "AliyunOSSReadOnlyAccess", "User", "alice")));
  ASSERT_OK(store().create_access_key(access_key("LTAI1", "alice"), 2));
  EXPECT_EQ(ram_code_of(store().delete_user("alice")), "DeleteConflict.User.AccessKey");
  ASSERT_OK(store().delete_access_key("alice", "LTAI1"));
  EXPECT_EQ(ram_code_of(store().delete_user("alice")), "DeleteConflict.User.Group");
  ASSERT_OK(store().remove_user_from_group("alice", "devs"));
  EXPECT_EQ(ram_code_of(store().delete_user("alice")), "DeleteConflict.User.Policy");
}

// ================================================================== access keys

TEST_P(IdentityStoreConformance, CreateAndGetAccessKeyKeepsEveryByte) {
  ASSERT_OK(store().create_user(user("alice")));
  AccessKeyRecord key = access_key("LTAI5tAbCdEf", "alice", 1700000001000);
  key.secret_sealed = std::string("v1\0\x01\xff\xfe sealed", 13);
  key.status = "Inactive";
  ASSERT_OK(store().create_access_key(key, 2));
  auto got = store().get_access_key("LTAI5tAbCdEf");
  ASSERT_OK(got);
  EXPECT_EQ(got->access_key_id, "LTAI5tAbCdEf");
  EXPECT_EQ(got->user_name, "alice");
  EXPECT_EQ(got->secret_sealed, key.secret_sealed);
  EXPECT_EQ(got->secret_sealed.size(), 13u);
  EXPECT_EQ(got->status, "Inactive");
  EXPECT_EQ(got->created_ms, 1700000001000);
}

TEST_P(IdentityStoreConformance, GetMissingAccessKeyIsEntityNotExist) {
  auto got = store().get_access_key("LTAInothere");
  EXPECT_ERROR(got, EntityNotExist);
  EXPECT_EQ(ram_code_of(got), "EntityNotExist.User.AccessKey");
  EXPECT_EQ(message_of(got), "The access key does not exist.");
}

TEST_P(IdentityStoreConformance, AccessKeyOfAMissingUserIsEntityNotExist) {
  auto created = store().create_access_key(access_key("LTAI1", "nobody"), 2);
  EXPECT_ERROR(created, EntityNotExist);
  EXPECT_EQ(ram_code_of(created), "EntityNotExist.User");
  EXPECT_ERROR(store().get_access_key("LTAI1"), EntityNotExist);
}

TEST_P(IdentityStoreConformance, AccessKeyIdsAreUniqueAcrossUsers) {
  ASSERT_OK(store().create_user(user("alice")));
  ASSERT_OK(store().create_user(user("bob")));
  ASSERT_OK(store().create_access_key(access_key("LTAI1", "alice"), 2));
  auto created = store().create_access_key(access_key("LTAI1", "bob"), 2);
  EXPECT_ERROR(created, EntityAlreadyExists);
  EXPECT_EQ(ram_code_of(created), "EntityAlreadyExists.User.AccessKey");
  EXPECT_EQ(store().get_access_key("LTAI1")->user_name, "alice");
  EXPECT_THAT(*store().list_access_keys("bob"), IsEmpty());
}

TEST_P(IdentityStoreConformance, ThirdAccessKeyIsLimitExceeded) {
  ASSERT_OK(store().create_user(user("alice")));
  ASSERT_OK(store().create_user(user("bob")));
  ASSERT_OK(store().create_access_key(access_key("LTAI1", "alice"), 2));
  ASSERT_OK(store().create_access_key(access_key("LTAI2", "alice"), 2));
  auto third = store().create_access_key(access_key("LTAI3", "alice"), 2);
  EXPECT_ERROR(third, LimitExceeded);
  EXPECT_EQ(ram_code_of(third), "LimitExceeded.User.AccessKey");
  EXPECT_THAT(message_of(third), HasSubstr("2 access keys"));
  EXPECT_ERROR(store().get_access_key("LTAI3"), EntityNotExist);
  // The limit is per user.
  EXPECT_OK(store().create_access_key(access_key("LTAI3", "bob"), 2));
  // Deleting one makes room again.
  ASSERT_OK(store().delete_access_key("alice", "LTAI1"));
  EXPECT_OK(store().create_access_key(access_key("LTAI4", "alice"), 2));
  EXPECT_EQ(store().list_access_keys("alice")->size(), 2u);
}

TEST_P(IdentityStoreConformance, AccessKeyLimitIsTheCallersNumber) {
  ASSERT_OK(store().create_user(user("alice")));
  ASSERT_OK(store().create_access_key(access_key("LTAI1", "alice"), 1));
  EXPECT_ERROR(store().create_access_key(access_key("LTAI2", "alice"), 1), LimitExceeded);
  EXPECT_OK(store().create_access_key(access_key("LTAI2", "alice"), 3));
  EXPECT_OK(store().create_access_key(access_key("LTAI3", "alice"), 3));
  EXPECT_ERROR(store().create_access_key(access_key("LTAI4", "alice"), 3), LimitExceeded);
  EXPECT_ERROR(store().create_access_key(access_key("LTAI4", "alice"), 0), LimitExceeded);
}

TEST_P(IdentityStoreConformance, ListAccessKeysOldestFirst) {
  ASSERT_OK(store().create_user(user("alice")));
  ASSERT_OK(store().create_user(user("bob")));
  EXPECT_THAT(*store().list_access_keys("alice"), IsEmpty());
  ASSERT_OK(store().create_access_key(access_key("LTAIzzz", "alice", 1000), 5));
  ASSERT_OK(store().create_access_key(access_key("LTAIaaa", "alice", 2000), 5));
  ASSERT_OK(store().create_access_key(access_key("LTAIbob", "bob", 1500), 5));
  auto keys = store().list_access_keys("alice");
  ASSERT_OK(keys);
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].access_key_id, "LTAIzzz");
  EXPECT_EQ((*keys)[1].access_key_id, "LTAIaaa");
  EXPECT_EQ((*keys)[1].secret_sealed, "sealed-LTAIaaa");
  auto missing = store().list_access_keys("nobody");
  EXPECT_ERROR(missing, EntityNotExist);
  EXPECT_EQ(ram_code_of(missing), "EntityNotExist.User");
}

TEST_P(IdentityStoreConformance, SetAccessKeyStatus) {
  ASSERT_OK(store().create_user(user("alice")));
  ASSERT_OK(store().create_user(user("bob")));
  ASSERT_OK(store().create_access_key(access_key("LTAI1", "alice"), 2));
  ASSERT_OK(store().set_access_key_status("alice", "LTAI1", "Inactive"));
  EXPECT_EQ(store().get_access_key("LTAI1")->status, "Inactive");
  ASSERT_OK(store().set_access_key_status("alice", "LTAI1", "Active"));
  EXPECT_EQ(store().get_access_key("LTAI1")->status, "Active");
  // Setting the status it already has is fine.
  EXPECT_OK(store().set_access_key_status("alice", "LTAI1", "Active"));

  auto foreign = store().set_access_key_status("bob", "LTAI1", "Inactive");
  EXPECT_ERROR(foreign, EntityNotExist);
  EXPECT_EQ(ram_code_of(foreign), "EntityNotExist.User.AccessKey");
  EXPECT_EQ(store().get_access_key("LTAI1")->status, "Active");
  EXPECT_EQ(ram_code_of(store().set_access_key_status("alice", "LTAInone", "Inactive")),
            "EntityNotExist.User.AccessKey");
  EXPECT_EQ(ram_code_of(store().set_access_key_status("nobody", "LTAI1", "Inactive")), "EntityNotExist.User");
}

TEST_P(IdentityStoreConformance, DeleteAccessKeyOnlyByItsOwner) {
  ASSERT_OK(store().create_user(user("alice")));
  ASSERT_OK(store().create_user(user("bob")));
  ASSERT_OK(store().create_access_key(access_key("LTAI1", "alice"), 2));
  auto foreign = store().delete_access_key("bob", "LTAI1");
  EXPECT_ERROR(foreign, EntityNotExist);
  EXPECT_EQ(ram_code_of(foreign), "EntityNotExist.User.AccessKey");
  EXPECT_OK(store().get_access_key("LTAI1"));
  EXPECT_EQ(ram_code_of(store().delete_access_key("nobody", "LTAI1")), "EntityNotExist.User");
  ASSERT_OK(store().delete_access_key("alice", "LTAI1"));
  EXPECT_ERROR(store().get_access_key("LTAI1"), EntityNotExist);
  EXPECT_ERROR(store().delete_access_key("alice", "LTAI1"), EntityNotExist);
}

// ================================================================== groups

TEST_P(IdentityStoreConformance, CreateGetAndDuplicateGroup) {
  ASSERT_OK(store().create_group(group("devs")));
  auto got = store().get_group("devs");
  ASSERT_OK(got);
  EXPECT_EQ(got->name, "devs");
  EXPECT_EQ(got->group_id, "g-devs");
  EXPECT_EQ(got->comments, "group devs");
  EXPECT_EQ(got->created_ms, 1700000000000);
  EXPECT_EQ(got->updated_ms, 1700000000000);
  auto again = store().create_group(group("devs"));
  EXPECT_ERROR(again, EntityAlreadyExists);
  EXPECT_EQ(message_of(again), "The group already exists.");
  EXPECT_EQ(ram_code_of(again), "EntityAlreadyExists.Group");
  auto missing = store().get_group("ops");
  EXPECT_ERROR(missing, EntityNotExist);
  EXPECT_EQ(ram_code_of(missing), "EntityNotExist.Group");
}

TEST_P(IdentityStoreConformance, UsersAndGroupsHaveSeparateNames) {
  ASSERT_OK(store().create_user(user("same")));
  EXPECT_OK(store().create_group(group("same")));
  EXPECT_OK(store().create_role(role("same")));
  EXPECT_OK(store().create_policy(policy("same")));
}

TEST_P(IdentityStoreConformance, ListGroupsPages) {
  for (const char* name : {"qa", "devs", "ops", "admins", "sre"}) ASSERT_OK(store().create_group(group(name)));
  int pages = 0;
  EXPECT_THAT(all_names([&](const PageQuery& q) { return store().list_groups(q); }, 2, &pages),
              ElementsAre("admins", "devs", "ops", "qa", "sre"));
  EXPECT_EQ(pages, 3);
}

TEST_P(IdentityStoreConformance, GroupMembershipBothWays) {
  for (const char* name : {"carol", "alice", "bob"}) ASSERT_OK(store().create_user(user(name)));
  for (const char* name : {"ops", "devs"}) ASSERT_OK(store().create_group(group(name)));
  ASSERT_OK(store().add_user_to_group("carol", "devs"));
  ASSERT_OK(store().add_user_to_group("alice", "devs"));
  ASSERT_OK(store().add_user_to_group("alice", "ops"));
  EXPECT_THAT(names_of(*store().list_users_for_group("devs")), ElementsAre("alice", "carol"));
  EXPECT_THAT(names_of(*store().list_users_for_group("ops")), ElementsAre("alice"));
  EXPECT_THAT(names_of(*store().list_groups_for_user("alice")), ElementsAre("devs", "ops"));
  EXPECT_THAT(*store().list_groups_for_user("bob"), IsEmpty());
  auto members = store().list_users_for_group("devs");
  EXPECT_EQ((*members)[0].display_name, "Display alice");
  EXPECT_EQ((*store().list_groups_for_user("alice"))[0].comments, "group devs");

  ASSERT_OK(store().remove_user_from_group("alice", "devs"));
  EXPECT_THAT(names_of(*store().list_users_for_group("devs")), ElementsAre("carol"));
  EXPECT_THAT(names_of(*store().list_groups_for_user("alice")), ElementsAre("ops"));
}

TEST_P(IdentityStoreConformance, AddUserToGroupErrors) {
  ASSERT_OK(store().create_user(user("alice")));
  ASSERT_OK(store().create_group(group("devs")));
  EXPECT_EQ(ram_code_of(store().add_user_to_group("nobody", "devs")), "EntityNotExist.User");
  EXPECT_EQ(ram_code_of(store().add_user_to_group("alice", "none")), "EntityNotExist.Group");
  ASSERT_OK(store().add_user_to_group("alice", "devs"));
  auto again = store().add_user_to_group("alice", "devs");
  EXPECT_ERROR(again, EntityAlreadyExists);
  EXPECT_EQ(ram_code_of(again), "EntityAlreadyExists.User.Group");
  EXPECT_EQ(store().list_users_for_group("devs")->size(), 1u);
}

TEST_P(IdentityStoreConformance, RemoveUserFromGroupErrors) {
  ASSERT_OK(store().create_user(user("alice")));
  ASSERT_OK(store().create_group(group("devs")));
  auto not_member = store().remove_user_from_group("alice", "devs");
  EXPECT_ERROR(not_member, EntityNotExist);
  EXPECT_EQ(ram_code_of(not_member), "EntityNotExist.User.Group");
  EXPECT_EQ(ram_code_of(store().remove_user_from_group("nobody", "devs")), "EntityNotExist.User");
  EXPECT_EQ(ram_code_of(store().remove_user_from_group("alice", "none")), "EntityNotExist.Group");
}

TEST_P(IdentityStoreConformance, MembershipListsOfMissingEntities) {
  EXPECT_EQ(ram_code_of(store().list_groups_for_user("nobody")), "EntityNotExist.User");
  EXPECT_EQ(ram_code_of(store().list_users_for_group("none")), "EntityNotExist.Group");
}

TEST_P(IdentityStoreConformance, DeleteGroupConflicts) {
  ASSERT_OK(store().create_user(user("alice")));
  ASSERT_OK(store().create_group(group("devs")));
  ASSERT_OK(store().add_user_to_group("alice", "devs"));
  ASSERT_OK(store().attach_policy(attachment("System", "AliyunOSSFullAccess", "Group", "devs")));

  auto deleted = store().delete_group("devs");
  EXPECT_ERROR(deleted, DeleteConflict);
  EXPECT_EQ(ram_code_of(deleted), "DeleteConflict.Group.User");
  EXPECT_THAT(message_of(deleted), HasSubstr("members"));
  ASSERT_OK(store().remove_user_from_group("alice", "devs"));

  deleted = store().delete_group("devs");
  EXPECT_ERROR(deleted, DeleteConflict);
  EXPECT_EQ(ram_code_of(deleted), "DeleteConflict.Group.Policy");
  EXPECT_THAT(message_of(deleted), HasSubstr("policies"));
  ASSERT_OK(store().detach_policy("System", "AliyunOSSFullAccess", "Group", "devs"));

  ASSERT_OK(store().delete_group("devs"));
  EXPECT_ERROR(store().get_group("devs"), EntityNotExist);
  EXPECT_EQ(ram_code_of(store().delete_group("devs")), "EntityNotExist.Group");
}

// ================================================================== roles

TEST_P(IdentityStoreConformance, CreateGetAndDuplicateRole) {
  ASSERT_OK(store().create_role(role("uploader")));
  auto got = store().get_role("uploader");
  ASSERT_OK(got);
  EXPECT_EQ(got->name, "uploader");
  EXPECT_EQ(got->role_id, role("uploader").role_id);
  EXPECT_EQ(got->description, "role uploader");
  EXPECT_EQ(got->trust_policy, role("uploader").trust_policy);
  EXPECT_EQ(got->max_session_duration_s, 7200);
  EXPECT_EQ(got->created_ms, 1700000000000);
  auto again = store().create_role(role("uploader"));
  EXPECT_ERROR(again, EntityAlreadyExists);
  EXPECT_EQ(message_of(again), "The role already exists.");
  EXPECT_EQ(ram_code_of(again), "EntityAlreadyExists.Role");
  EXPECT_EQ(ram_code_of(store().get_role("reader")), "EntityNotExist.Role");
}

TEST_P(IdentityStoreConformance, UpdateRole) {
  ASSERT_OK(store().create_role(role("uploader")));
  RoleRecord changed = role("uploader");
  changed.role_id = "other";
  changed.description = "uploads things";
  changed.trust_policy = R"({"Statement":[],"Version":"1"})";
  changed.max_session_duration_s = 43200;
  changed.created_ms = 5;
  changed.updated_ms = 1700000009000;
  ASSERT_OK(store().update_role("uploader", changed));
  auto got = store().get_role("uploader");
  ASSERT_OK(got);
  EXPECT_EQ(got->description, "uploads things");
  EXPECT_EQ(got->trust_policy, changed.trust_policy);
  EXPECT_EQ(got->max_session_duration_s, 43200);
  EXPECT_EQ(got->updated_ms, 1700000009000);
  EXPECT_EQ(got->role_id, role("uploader").role_id);
  EXPECT_EQ(got->created_ms, 1700000000000);
  EXPECT_EQ(ram_code_of(store().update_role("reader", changed)), "EntityNotExist.Role");
}

TEST_P(IdentityStoreConformance, RenameRoleCarriesAttachments) {
  ASSERT_OK(store().create_role(role("uploader")));
  ASSERT_OK(store().create_role(role("taken")));
  ASSERT_OK(store().create_policy(policy("write")));
  ASSERT_OK(store().attach_policy(attachment("Custom", "write", "Role", "uploader")));
  EXPECT_EQ(ram_code_of(store().update_role("uploader", role("taken"))), "EntityAlreadyExists.Role");
  ASSERT_OK(store().update_role("uploader", role("writer")));
  EXPECT_ERROR(store().get_role("uploader"), EntityNotExist);
  EXPECT_OK(store().get_role("writer"));
  EXPECT_THAT(attached_policies("Role", "writer"), ElementsAre("Custom:write"));
}

TEST_P(IdentityStoreConformance, ListRolesPages) {
  for (const char* name : {"b", "a", "d", "c"}) ASSERT_OK(store().create_role(role(name)));
  int pages = 0;
  EXPECT_THAT(all_names([&](const PageQuery& q) { return store().list_roles(q); }, 1, &pages),
              ElementsAre("a", "b", "c", "d"));
  EXPECT_EQ(pages, 4);
  PageQuery all;
  all.max_items = 1000;
  auto page = store().list_roles(all);
  ASSERT_OK(page);
  EXPECT_EQ(page->items.size(), 4u);
  EXPECT_FALSE(page->truncated);
  EXPECT_EQ(page->items[0].max_session_duration_s, 7200);
}

TEST_P(IdentityStoreConformance, DeleteRoleWithPoliciesIsDeleteConflict) {
  ASSERT_OK(store().create_role(role("uploader")));
  ASSERT_OK(store().attach_policy(attachment("System", "AliyunOSSFullAccess", "Role", "uploader")));
  auto deleted = store().delete_role("uploader");
  EXPECT_ERROR(deleted, DeleteConflict);
  EXPECT_EQ(ram_code_of(deleted), "DeleteConflict.Role.Policy");
  EXPECT_THAT(message_of(deleted), HasSubstr("policies"));
  ASSERT_OK(store().detach_policy("System", "AliyunOSSFullAccess", "Role", "uploader"));
  ASSERT_OK(store().delete_role("uploader"));
  EXPECT_ERROR(store().get_role("uploader"), EntityNotExist);
  EXPECT_EQ(ram_code_of(store().delete_role("uploader")), "EntityNotExist.Role");
}

// ================================================================== policies

TEST_P(IdentityStoreConformance, CreatePolicyMakesV1TheDefault) {
  PolicyRecord p = policy("read");
  p.default_version = "v7";  // ignored: the first version is always v1
  p.updated_ms = 1700000000500;
  ASSERT_OK(store().create_policy(p));
  auto got = store().get_policy("read");
  ASSERT_OK(got);
  EXPECT_EQ(got->name, "read");
  EXPECT_EQ(got->policy_type, "Custom");
  EXPECT_EQ(got->description, "policy read");
  EXPECT_EQ(got->default_version, "v1");
  EXPECT_EQ(got->document, document("GetObject"));
  EXPECT_EQ(got->attachment_count, 0);
  EXPECT_EQ(got->created_ms, 1700000000000);
  EXPECT_EQ(got->updated_ms, 1700000000500);
  auto versions = store().list_policy_versions("read");
  ASSERT_OK(versions);
  ASSERT_EQ(versions->size(), 1u);
  EXPECT_EQ((*versions)[0].version_id, "v1");
  EXPECT_TRUE((*versions)[0].is_default);
  EXPECT_EQ((*versions)[0].document, document("GetObject"));
  EXPECT_EQ((*versions)[0].created_ms, 1700000000000);
}

TEST_P(IdentityStoreConformance, CreatePolicyTwiceAndGetMissing) {
  ASSERT_OK(store().create_policy(policy("read")));
  auto again = store().create_policy(policy("read", "PutObject"));
  EXPECT_ERROR(again, EntityAlreadyExists);
  EXPECT_EQ(message_of(again), "The policy already exists.");
  EXPECT_EQ(ram_code_of(again), "EntityAlreadyExists.Policy");
  EXPECT_EQ(store().get_policy("read")->document, document("GetObject"));
  EXPECT_EQ(store().list_policy_versions("read")->size(), 1u);
  auto missing = store().get_policy("write");
  EXPECT_ERROR(missing, EntityNotExist);
  EXPECT_EQ(ram_code_of(missing), "EntityNotExist.Policy");
}

TEST_P(IdentityStoreConformance, PolicyVersionsAndTheDefault) {
  ASSERT_OK(store().create_policy(policy("read")));
  ASSERT_OK(store().create_policy_version("read", version("PutObject", 1700000002000), false));
  auto got = store().get_policy("read");
  EXPECT_EQ(got->default_version, "v1");
  EXPECT_EQ(got->document, document("GetObject"));
  EXPECT_EQ(got->updated_ms, 1700000000000);

  ASSERT_OK(store().create_policy_version("read", version("DeleteObject", 1700000003000), true));
  got = store().get_policy("read");
  EXPECT_EQ(got->default_version, "v3");
  EXPECT_EQ(got->document, document("DeleteObject"));
  EXPECT_EQ(got->updated_ms, 1700000003000);

  auto versions = store().list_policy_versions("read");
  ASSERT_OK(versions);
  ASSERT_EQ(versions->size(), 3u);
  EXPECT_EQ((*versions)[0].version_id, "v1");
  EXPECT_EQ((*versions)[1].version_id, "v2");
  EXPECT_EQ((*versions)[2].version_id, "v3");
  EXPECT_FALSE((*versions)[0].is_default);
  EXPECT_FALSE((*versions)[1].is_default);
  EXPECT_TRUE((*versions)[2].is_default);
  EXPECT_EQ((*versions)[1].document, document("PutObject"));
  EXPECT_EQ((*versions)[1].created_ms, 1700000002000);
}

TEST_P(IdentityStoreConformance, SixthPolicyVersionIsLimitExceeded) {
  ASSERT_OK(store().create_policy(policy("read")));
  for (int i = 2; i <= 5; ++i)
    ASSERT_OK(store().create_policy_version("read", version("Get", 1700000000000 + i), false));
  auto sixth = store().create_policy_version("read", version("Put", 1700000000006), true);
  EXPECT_ERROR(sixth, LimitExceeded);
  EXPECT_EQ(ram_code_of(sixth), "LimitExceeded.Policy.Version");
  EXPECT_THAT(message_of(sixth), HasSubstr("5 versions"));
  EXPECT_EQ(store().list_policy_versions("read")->size(), 5u);
  EXPECT_EQ(store().get_policy("read")->default_version, "v1");
}

TEST_P(IdentityStoreConformance, GivenVersionIdsMustBeUnused) {
  ASSERT_OK(store().create_policy(policy("read")));
  auto duplicate = store().create_policy_version("read", version("Put", 1700000002000, "v1"), true);
  EXPECT_ERROR(duplicate, EntityAlreadyExists);
  EXPECT_EQ(ram_code_of(duplicate), "EntityAlreadyExists.Policy.Version");
  EXPECT_EQ(store().get_policy("read")->document, document("GetObject"));
  ASSERT_OK(store().create_policy_version("read", version("Put", 1700000002000, "v4"), false));
  // An id the store picks follows the highest one.
  ASSERT_OK(store().create_policy_version("read", version("List", 1700000003000), true));
  EXPECT_EQ(store().get_policy("read")->default_version, "v5");
  auto versions = store().list_policy_versions("read");
  ASSERT_OK(versions);
  std::vector<std::string> ids;
  for (const auto& v : *versions) ids.push_back(v.version_id);
  EXPECT_THAT(ids, ElementsAre("v1", "v4", "v5"));
}

TEST_P(IdentityStoreConformance, VersionsOfAMissingPolicy) {
  EXPECT_EQ(ram_code_of(store().create_policy_version("none", version("Get", 1), false)), "EntityNotExist.Policy");
  EXPECT_EQ(ram_code_of(store().list_policy_versions("none")), "EntityNotExist.Policy");
}

TEST_P(IdentityStoreConformance, ListPoliciesPagesWithDocumentsAndCounts) {
  ASSERT_OK(store().create_user(user("alice")));
  for (const char* name : {"write", "admin", "read"}) ASSERT_OK(store().create_policy(policy(name, name)));
  ASSERT_OK(store().create_policy_version("read", version("ListObjects", 1700000002000), true));
  ASSERT_OK(store().attach_policy(attachment("Custom", "read", "User", "alice")));
  int pages = 0;
  EXPECT_THAT(all_names([&](const PageQuery& q) { return store().list_policies(q); }, 2, &pages),
              ElementsAre("admin", "read", "write"));
  EXPECT_EQ(pages, 2);
  auto page = store().list_policies({});
  ASSERT_OK(page);
  ASSERT_EQ(page->items.size(), 3u);
  EXPECT_EQ(page->items[1].document, document("ListObjects"));
  EXPECT_EQ(page->items[1].default_version, "v2");
  EXPECT_EQ(page->items[1].attachment_count, 1);
  EXPECT_EQ(page->items[2].attachment_count, 0);
  EXPECT_EQ(page->items[2].policy_type, "Custom");
}

TEST_P(IdentityStoreConformance, DeletePolicyWhileAttachedIsDeleteConflict) {
  ASSERT_OK(store().create_role(role("uploader")));
  ASSERT_OK(store().create_group(group("devs")));
  ASSERT_OK(store().create_policy(policy("write")));
  ASSERT_OK(store().attach_policy(attachment("Custom", "write", "Role", "uploader")));
  auto deleted = store().delete_policy("write");
  EXPECT_ERROR(deleted, DeleteConflict);
  EXPECT_EQ(ram_code_of(deleted), "DeleteConflict.Policy.Role");
  EXPECT_THAT(message_of(deleted), HasSubstr("role"));
  ASSERT_OK(store().attach_policy(attachment("Custom", "write", "Group", "devs")));
  ASSERT_OK(store().detach_policy("Custom", "write", "Role", "uploader"));
  EXPECT_EQ(ram_code_of(store().delete_policy("write")), "DeleteConflict.Policy.Group");
  EXPECT_OK(store().get_policy("write"));
  ASSERT_OK(store().detach_policy("Custom", "write", "Group", "devs"));
  ASSERT_OK(store().delete_policy("write"));
  EXPECT_ERROR(store().get_policy("write"), EntityNotExist);
}

TEST_P(IdentityStoreConformance, DeletePolicyDropsItsVersions) {
  ASSERT_OK(store().create_policy(policy("read")));
  ASSERT_OK(store().create_policy_version("read", version("Put", 1700000002000), true));
  ASSERT_OK(store().delete_policy("read"));
  EXPECT_ERROR(store().list_policy_versions("read"), EntityNotExist);
  ASSERT_OK(store().create_policy(policy("read", "List")));
  auto versions = store().list_policy_versions("read");
  ASSERT_OK(versions);
  ASSERT_EQ(versions->size(), 1u);
  EXPECT_EQ((*versions)[0].document, document("List"));
  EXPECT_EQ(store().get_policy("read")->default_version, "v1");
  EXPECT_EQ(ram_code_of(store().delete_policy("none")), "EntityNotExist.Policy");
}

// ================================================================== attachments

TEST_P(IdentityStoreConformance, AttachToEveryKindOfPrincipal) {
  ASSERT_OK(store().create_user(user("alice")));
  ASSERT_OK(store().create_group(group("devs")));
  ASSERT_OK(store().create_role(role("uploader")));
  ASSERT_OK(store().create_policy(policy("read")));
  ASSERT_OK(store().create_policy(policy("audit")));
  ASSERT_OK(store().attach_policy(attachment("Custom", "read", "User", "alice")));
  ASSERT_OK(store().attach_policy(attachment("System", "AliyunOSSFullAccess", "User", "alice")));
  ASSERT_OK(store().attach_policy(attachment("Custom", "audit", "User", "alice")));
  ASSERT_OK(store().attach_policy(attachment("Custom", "read", "Group", "devs")));
  ASSERT_OK(store().attach_policy(attachment("Custom", "read", "Role", "uploader")));

  EXPECT_THAT(attached_policies("User", "alice"),
              ElementsAre("Custom:audit", "Custom:read", "System:AliyunOSSFullAccess"));
  EXPECT_THAT(attached_policies("Group", "devs"), ElementsAre("Custom:read"));
  EXPECT_THAT(attached_policies("Role", "uploader"), ElementsAre("Custom:read"));
  auto listed = store().list_attachments_for("User", "alice");
  ASSERT_OK(listed);
  EXPECT_EQ((*listed)[0].principal_type, "User");
  EXPECT_EQ((*listed)[0].principal_name, "alice");
  EXPECT_EQ((*listed)[0].attached_ms, 1700000005000);
  EXPECT_EQ(store().get_policy("read")->attachment_count, 3);
  EXPECT_EQ(store().get_policy("audit")->attachment_count, 1);
}

TEST_P(IdentityStoreConformance, AttachNeedsThePrincipalAndACustomPolicy) {
  ASSERT_OK(store().create_user(user("alice")));
  ASSERT_OK(store().create_policy(policy("read")));
  EXPECT_EQ(ram_code_of(store().attach_policy(attachment("Custom", "read", "User", "nobody"))), "EntityNotExist.User");
  EXPECT_EQ(ram_code_of(store().attach_policy(attachment("Custom", "read", "Group", "none"))), "EntityNotExist.Group");
  EXPECT_EQ(ram_code_of(store().attach_policy(attachment("Custom", "read", "Role", "none"))), "EntityNotExist.Role");
  auto missing_policy = store().attach_policy(attachment("Custom", "write", "User", "alice"));
  EXPECT_ERROR(missing_policy, EntityNotExist);
  EXPECT_EQ(ram_code_of(missing_policy), "EntityNotExist.Policy");
  // System policies are not stored, so only the principal is checked.
  EXPECT_OK(store().attach_policy(attachment("System", "AnyNameAtAll", "User", "alice")));
  EXPECT_EQ(ram_code_of(store().attach_policy(attachment("System", "AnyNameAtAll", "User", "nobody"))),
            "EntityNotExist.User");
  EXPECT_THAT(attached_policies("User", "alice"), ElementsAre("System:AnyNameAtAll"));
}

TEST_P(IdentityStoreConformance, AttachTwiceIsEntityAlreadyExists) {
  ASSERT_OK(store().create_user(user("alice")));
  ASSERT_OK(store().create_policy(policy("AliyunOSSFullAccess")));
  ASSERT_OK(store().attach_policy(attachment("Custom", "AliyunOSSFullAccess", "User", "alice")));
  auto again = store().attach_policy(attachment("Custom", "AliyunOSSFullAccess", "User", "alice"));
  EXPECT_ERROR(again, EntityAlreadyExists);
  EXPECT_EQ(ram_code_of(again), "EntityAlreadyExists.User.Policy");
  // A System policy of the same name is a different policy.
  EXPECT_OK(store().attach_policy(attachment("System", "AliyunOSSFullAccess", "User", "alice")));
  EXPECT_EQ(store().get_policy("AliyunOSSFullAccess")->attachment_count, 1);
  EXPECT_THAT(attached_policies("User", "alice"),
              ElementsAre("Custom:AliyunOSSFullAccess", "System:AliyunOSSFullAccess"));
}

TEST_P(IdentityStoreConformance, DetachPolicy) {
  ASSERT_OK(store().create_user(user("alice")));
  ASSERT_OK(store().create_group(group("devs")));
  ASSERT_OK(store().create_policy(policy("read")));
  ASSERT_OK(store().attach_policy(attachment("Custom", "read", "User", "alice")));
  ASSERT_OK(store().attach_policy(attachment("Custom", "read", "Group", "devs")));
  ASSERT_OK(store().detach_policy("Custom", "read", "User", "alice"));
  EXPECT_THAT(attached_policies("User", "alice"), IsEmpty());
  EXPECT_THAT(attached_policies("Group", "devs"), ElementsAre("Custom:read"));
  EXPECT_EQ(store().get_policy("read")->attachment_count, 1);

  auto again = store().detach_policy("Custom", "read", "User", "alice");
  EXPECT_ERROR(again, EntityNotExist);
  EXPECT_EQ(ram_code_of(again), "EntityNotExist.User.Policy");
  EXPECT_EQ(ram_code_of(store().detach_policy("System", "read", "Group", "devs")), "EntityNotExist.Group.Policy");
  EXPECT_EQ(ram_code_of(store().detach_policy("Custom", "read", "User", "nobody")), "EntityNotExist.User");
  EXPECT_EQ(ram_code_of(store().detach_policy("Custom", "none", "User", "alice")), "EntityNotExist.Policy");
}

TEST_P(IdentityStoreConformance, UnknownTypesAreInvalidArgument) {
  ASSERT_OK(store().create_user(user("alice")));
  ASSERT_OK(store().create_policy(policy("read")));
  EXPECT_ERROR(store().attach_policy(attachment("Custom", "read", "Account", "alice")), InvalidArgument);
  EXPECT_ERROR(store().attach_policy(attachment("Builtin", "read", "User", "alice")), InvalidArgument);
  EXPECT_ERROR(store().detach_policy("Custom", "read", "user", "alice"), InvalidArgument);
  EXPECT_ERROR(store().list_attachments_for("Users", "alice"), InvalidArgument);
  EXPECT_THAT(attached_policies("User", "alice"), IsEmpty());
}

TEST_P(IdentityStoreConformance, AttachmentsOfMissingPrincipals) {
  EXPECT_EQ(ram_code_of(store().list_attachments_for("User", "nobody")), "EntityNotExist.User");
  EXPECT_EQ(ram_code_of(store().list_attachments_for("Group", "none")), "EntityNotExist.Group");
  EXPECT_EQ(ram_code_of(store().list_attachments_for("Role", "none")), "EntityNotExist.Role");
}

// ================================================================== token keys

TEST_P(IdentityStoreConformance, TokenKeysOldestFirst) {
  TokenKeyRecord newer{"k2", std::string("\x00\x01sealed-two", 12), 1700000002000};
  TokenKeyRecord older{"k9", "sealed-nine", 1700000001000};
  ASSERT_OK(store().add_token_key(newer));
  ASSERT_OK(store().add_token_key(older));
  auto keys = store().list_token_keys();
  ASSERT_OK(keys);
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].key_id, "k9");
  EXPECT_EQ((*keys)[0].key_sealed, "sealed-nine");
  EXPECT_EQ((*keys)[0].created_ms, 1700000001000);
  EXPECT_EQ((*keys)[1].key_id, "k2");
  EXPECT_EQ((*keys)[1].key_sealed, newer.key_sealed);
  auto again = store().add_token_key({"k2", "other", 1700000003000});
  EXPECT_ERROR(again, EntityAlreadyExists);
  EXPECT_EQ(store().list_token_keys()->size(), 2u);
  EXPECT_EQ((*store().list_token_keys())[1].key_sealed, newer.key_sealed);
}

// ================================================================== generation

TEST_P(IdentityStoreConformance, EverySuccessfulWriteBumpsTheGenerationByOne) {
  int64_t expected = generation();
  auto step = [&](const Status& st, const char* what) {
    ASSERT_TRUE(st.ok()) << what << ": " << message_of(st);
    ++expected;
    EXPECT_EQ(generation(), expected) << what;
  };
  step(store().create_user(user("alice")), "create_user");
  step(store().update_user("alice", user("alice")), "update_user");
  step(store().create_access_key(access_key("LTAI1", "alice"), 2), "create_access_key");
  step(store().set_access_key_status("alice", "LTAI1", "Inactive"), "set_access_key_status");
  step(store().delete_access_key("alice", "LTAI1"), "delete_access_key");
  step(store().create_group(group("devs")), "create_group");
  step(store().add_user_to_group("alice", "devs"), "add_user_to_group");
  step(store().remove_user_from_group("alice", "devs"), "remove_user_from_group");
  step(store().create_role(role("uploader")), "create_role");
  step(store().update_role("uploader", role("uploader")), "update_role");
  step(store().create_policy(policy("read")), "create_policy");
  step(store().create_policy_version("read", version("Put", 1700000002000), true), "create_policy_version");
  step(store().attach_policy(attachment("Custom", "read", "Role", "uploader")), "attach_policy");
  step(store().detach_policy("Custom", "read", "Role", "uploader"), "detach_policy");
  step(store().add_token_key({"k1", "sealed", 1}), "add_token_key");
  step(store().delete_policy("read"), "delete_policy");
  step(store().delete_role("uploader"), "delete_role");
  step(store().delete_group("devs"), "delete_group");
  step(store().delete_user("alice"), "delete_user");
}

TEST_P(IdentityStoreConformance, FailedWritesAndReadsLeaveTheGenerationAlone) {
  ASSERT_OK(store().create_user(user("alice")));
  ASSERT_OK(store().create_access_key(access_key("LTAI1", "alice"), 1));
  ASSERT_OK(store().create_policy(policy("read")));
  const int64_t before = generation();

  EXPECT_FALSE(store().create_user(user("alice")).ok());
  EXPECT_FALSE(store().create_access_key(access_key("LTAI2", "alice"), 1).ok());
  EXPECT_FALSE(store().delete_user("alice").ok());
  EXPECT_FALSE(store().delete_group("none").ok());
  EXPECT_FALSE(store().attach_policy(attachment("Custom", "none", "User", "alice")).ok());
  EXPECT_FALSE(store().detach_policy("Custom", "read", "User", "alice").ok());
  EXPECT_FALSE(store().update_role("none", role("none")).ok());
  EXPECT_FALSE(store().create_policy_version("none", version("Get", 1), true).ok());

  EXPECT_OK(store().get_user("alice"));
  EXPECT_OK(store().list_users({}));
  EXPECT_OK(store().get_access_key("LTAI1"));
  EXPECT_OK(store().list_access_keys("alice"));
  EXPECT_OK(store().list_policies({}));
  EXPECT_OK(store().get_policy("read"));
  EXPECT_OK(store().list_policy_versions("read"));
  EXPECT_OK(store().list_attachments_for("User", "alice"));
  EXPECT_OK(store().list_groups_for_user("alice"));
  EXPECT_OK(store().list_token_keys());
  EXPECT_FALSE(store().get_group("none").ok());

  EXPECT_EQ(generation(), before);
}

TEST_P(IdentityStoreConformance, GenerationSurvivesReopen) {
  ASSERT_OK(store().create_user(user("alice")));
  ASSERT_OK(store().create_user(user("bob")));
  const int64_t before = generation();
  reopen();
  EXPECT_EQ(generation(), before);
  ASSERT_OK(store().create_user(user("carol")));
  EXPECT_EQ(generation(), before + 1);
}

// ================================================================== persistence

TEST_P(IdentityStoreConformance, ReopenKeepsEverything) {
  ASSERT_OK(store().create_user(user("alice")));
  ASSERT_OK(store().create_access_key(access_key("LTAI1", "alice"), 2));
  ASSERT_OK(store().create_group(group("devs")));
  ASSERT_OK(store().add_user_to_group("alice", "devs"));
  ASSERT_OK(store().create_role(role("uploader")));
  ASSERT_OK(store().create_policy(policy("read")));
  ASSERT_OK(store().create_policy_version("read", version("Put", 1700000002000), true));
  ASSERT_OK(store().attach_policy(attachment("Custom", "read", "Role", "uploader")));
  ASSERT_OK(store().add_token_key({"k1", "sealed", 1}));

  reopen();

  EXPECT_EQ(store().get_user("alice")->display_name, "Display alice");
  EXPECT_EQ(store().get_access_key("LTAI1")->secret_sealed, "sealed-LTAI1");
  EXPECT_THAT(names_of(*store().list_users_for_group("devs")), ElementsAre("alice"));
  EXPECT_EQ(store().get_role("uploader")->max_session_duration_s, 7200);
  auto read = store().get_policy("read");
  ASSERT_OK(read);
  EXPECT_EQ(read->default_version, "v2");
  EXPECT_EQ(read->document, document("Put"));
  EXPECT_EQ(read->attachment_count, 1);
  EXPECT_EQ(store().list_policy_versions("read")->size(), 2u);
  EXPECT_THAT(attached_policies("Role", "uploader"), ElementsAre("Custom:read"));
  EXPECT_EQ(store().list_token_keys()->size(), 1u);
  // The rules still hold after a reopen.
  EXPECT_ERROR(store().create_user(user("alice")), EntityAlreadyExists);
  EXPECT_ERROR(store().delete_user("alice"), DeleteConflict);
}

// ================================================================== concurrency

TEST_P(IdentityStoreConformance, ConcurrentWritersLoseNothing) {
  constexpr int kThreads = 8;
  constexpr int kUsersEach = 50;
  const int64_t before = generation();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kUsersEach; ++i) {
        if (!store().create_user(user(numbered("u", t * 1000 + i))).ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  auto names = all_names([&](const PageQuery& q) { return store().list_users(q); }, 100);
  EXPECT_EQ(names.size(), static_cast<size_t>(kThreads * kUsersEach));
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
  EXPECT_EQ(generation(), before + kThreads * kUsersEach);
}

TEST_P(IdentityStoreConformance, ConcurrentKeyCreationKeepsTheLimit) {
  ASSERT_OK(store().create_user(user("alice")));
  constexpr int kThreads = 8;
  std::atomic<int> created{0};
  std::atomic<int> limited{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto st = store().create_access_key(access_key("LTAI" + std::to_string(t), "alice"), 2);
      if (st.ok()) {
        ++created;
      } else if (st.error().code == ErrorCode::LimitExceeded) {
        ++limited;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(created.load(), 2);
  EXPECT_EQ(limited.load(), kThreads - 2);
  EXPECT_EQ(store().list_access_keys("alice")->size(), 2u);
}

TEST_P(IdentityStoreConformance, ReadersSeeAGenerationThatOnlyGrows) {
  std::atomic<bool> done{false};
  std::atomic<int> problems{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      int64_t last = -1;
      while (!done.load()) {
        auto g = store().generation();
        auto page = store().list_users({});
        if (!g.ok() || !page.ok() || *g < last) ++problems;
        if (g.ok()) last = *g;
      }
    });
  }
  std::thread writer([&] {
    for (int i = 0; i < 100; ++i) {
      if (!store().create_user(user(numbered("w", i))).ok()) ++problems;
    }
    done = true;
  });
  writer.join();
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(problems.load(), 0);
  EXPECT_EQ(all_names([&](const PageQuery& q) { return store().list_users(q); }, 1000).size(), 100u);
}

INSTANTIATE_TEST_SUITE_P(Stores, IdentityStoreConformance, ::testing::ValuesIn(identity_store_factories()),
                         test::factory_name<IdentityStore>);

// ================================================================== SQLite only

class SqliteIdentityStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<sqlite::Connection> raw(const fs::path& file) {
    auto connection = sqlite::Connection::open(file);
    EXPECT_TRUE(connection.ok());
    return std::move(connection).value();
  }

  ossd::test::TempDir dir_{"ossd-identity-sqlite"};
  fs::path db_ = dir_.path() / "identity.db";
};

TEST_F(SqliteIdentityStoreTest, OpensInWalModeAtTheLatestSchemaVersion) {
  const auto latest = static_cast<int64_t>(sqlite::identity_schema_migrations().size());
  { ASSERT_OK(open_sqlite_identity_store(db_)); }
  auto c = raw(db_);
  {
    auto mode = c->query("PRAGMA journal_mode");
    ASSERT_OK(mode);
    ASSERT_TRUE(*mode->step());
    EXPECT_EQ(mode->column_text(0), "wal");
  }
  EXPECT_EQ(*c->query_int("PRAGMA user_version"), latest);
  EXPECT_EQ(*c->query_int("PRAGMA application_id"), sqlite::kIdentityApplicationId);
  { ASSERT_OK(open_sqlite_identity_store(db_)); }  // reopening applies nothing twice
  EXPECT_EQ(*c->query_int("PRAGMA user_version"), latest);
}

TEST_F(SqliteIdentityStoreTest, RefusesASchemaFromANewerBuild) {
  { ASSERT_OK(open_sqlite_identity_store(db_)); }
  ASSERT_OK(raw(db_)->exec("PRAGMA user_version = 99"));
  auto store = open_sqlite_identity_store(db_);
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(store.error().message, HasSubstr("newer"));
}

TEST_F(SqliteIdentityStoreTest, RefusesTheObjectMetadataDatabase) {
  const fs::path meta = dir_.path() / "meta.db";
  { ASSERT_OK(open_sqlite_store(meta)); }
  auto store = open_sqlite_identity_store(meta);
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(store.error().message, HasSubstr("not an ossd identity database"));
  // And the metadata database is left as it was.
  EXPECT_OK(open_sqlite_store(meta));
  EXPECT_EQ(*raw(meta)->query_int("PRAGMA application_id"), 0);
}

TEST_F(SqliteIdentityStoreTest, RefusesAFileOfAnotherApplication) {
  ASSERT_OK(raw(db_)->exec("PRAGMA application_id = 1234"));
  auto store = open_sqlite_identity_store(db_);
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(store.error().message, HasSubstr("application_id 1234"));
}

TEST_F(SqliteIdentityStoreTest, TwoStoresOnOneFileSeeEachOthersWrites) {
  auto first = open_sqlite_identity_store(db_);
  auto second = open_sqlite_identity_store(db_);
  ASSERT_OK(first);
  ASSERT_OK(second);
  const int64_t before = *(*second)->generation();
  ASSERT_OK((*first)->create_user(user("alice")));
  EXPECT_EQ(*(*second)->generation(), before + 1);
  EXPECT_OK((*second)->get_user("alice"));
  EXPECT_ERROR((*second)->create_user(user("alice")), EntityAlreadyExists);
}

}  // namespace
}  // namespace ossd::meta
