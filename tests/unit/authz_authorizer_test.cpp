// The Authorizer against a real SQLite identity store: which policies apply
// to users, groups and role sessions, how the bucket policy joins in, that
// explicit Deny wins wherever it is written, that conditions see the
// request's facts, and that changes reach decisions (invalidate, poll).
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "core/time_format.hpp"
#include "iam/authorizer.hpp"
#include "iam/request_facts.hpp"
#include "meta/sqlite_identity_store.hpp"

namespace ossd::iam {
namespace {

namespace fs = std::filesystem;

constexpr const char* kAccount = "1234567890123456";
constexpr auto kNoPoll = std::chrono::hours(1);  // caches live until invalidate()

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("ossd-authz-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

std::string allow(const std::string& actions, const std::string& resources, const std::string& extra = "") {
  return R"({"Version":"1","Statement":[{"Effect":"Allow","Action":)" + actions + R"(,"Resource":)" + resources +
         extra + "}]}";
}

std::string deny(const std::string& actions, const std::string& resources, const std::string& extra = "") {
  return R"({"Version":"1","Statement":[{"Effect":"Deny","Action":)" + actions + R"(,"Resource":)" + resources + extra +
         "}]}";
}

std::shared_ptr<const policy::Document> doc(const std::string& json) {
  auto parsed = policy::parse(json, policy::ParseLimits{.max_bytes = 16384});
  EXPECT_TRUE(parsed.ok()) << json << ": " << (parsed.ok() ? "" : parsed.error().message);
  if (!parsed.ok()) return nullptr;
  return std::make_shared<policy::Document>(std::move(parsed.value()));
}

struct Request {
  std::string action = "oss:GetObject";
  std::string bucket = "photos";
  std::string key = "a.jpg";
  std::string source_ip = "10.0.0.5";
  bool secure = false;
  bool listing = false;
  std::vector<QueryParam> query;
  std::vector<HeaderField> headers;
  SystemTime now = *parse_iso8601("2024-05-20T08:30:00Z");
};

policy::Facts facts_of(const Request& r) {
  OssRequest request;
  request.action = r.action;
  request.account_id = kAccount;
  request.bucket = r.bucket;
  request.key = r.key;
  request.source_ip = r.source_ip;
  request.access_key_id = "LTAItest";
  request.secure_transport = r.secure;
  request.listing = r.listing;
  request.query = &r.query;
  request.headers = &r.headers;
  request.now = r.now;
  return oss_request_facts(request);
}

auth::Identity root() {
  auth::Identity id;
  id.method = auth::AuthMethod::V4Header;
  id.access_key_id = "LTAIroot";
  id.account_id = kAccount;
  id.principal = "root";
  id.kind = auth::PrincipalKind::Account;
  return id;
}

auth::Identity user(const std::string& name, const std::string& user_id) {
  auth::Identity id = root();
  id.access_key_id = "LTAI" + name;
  id.principal = name;
  id.kind = auth::PrincipalKind::RamUser;
  id.principal_id = user_id;
  return id;
}

auth::Identity role_session(const std::string& role, const std::string& role_id, const std::string& session,
                            const std::string& session_policy = "") {
  auth::Identity id = root();
  id.access_key_id = "STS.temp";
  id.principal = role;
  id.kind = auth::PrincipalKind::AssumedRole;
  id.principal_id = role_id;
  id.session_name = session;
  id.session_policy = session_policy;
  return id;
}

auth::Identity anonymous() { return auth::Identity{}; }

class AuthorizerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = meta::open_sqlite_identity_store(dir_.path() / "identity.db");
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened.value());
    authorizer_ = std::make_unique<Authorizer>(*store_, kAccount, kNoPoll);
  }

  void add_user(const std::string& name, const std::string& user_id) {
    meta::UserRecord record;
    record.name = name;
    record.user_id = user_id;
    ASSERT_TRUE(store_->create_user(record).ok());
  }
  void add_group(const std::string& name, const std::vector<std::string>& members) {
    meta::GroupRecord record;
    record.name = name;
    record.group_id = "g-" + name;
    ASSERT_TRUE(store_->create_group(record).ok());
    for (const auto& member : members) ASSERT_TRUE(store_->add_user_to_group(member, name).ok());
  }
  void add_role(const std::string& name, const std::string& role_id) {
    meta::RoleRecord record;
    record.name = name;
    record.role_id = role_id;
    record.trust_policy =
        R"({"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:root"]}}],"Version":"1"})";
    ASSERT_TRUE(store_->create_role(record).ok());
  }
  void add_policy(const std::string& name, const std::string& document) {
    meta::PolicyRecord record;
    record.name = name;
    record.document = document;
    auto created = store_->create_policy(record);
    ASSERT_TRUE(created.ok()) << created.error().message;
  }
  void attach(const std::string& policy, const std::string& principal_type, const std::string& principal,
              const std::string& policy_type = "Custom") {
    meta::AttachmentRecord record;
    record.policy_name = policy;
    record.policy_type = policy_type;
    record.principal_type = principal_type;
    record.principal_name = principal;
    auto attached = store_->attach_policy(record);
    ASSERT_TRUE(attached.ok()) << attached.error().message;
  }

  AccessDecision decide(const auth::Identity& who, const Request& request,
                        const std::shared_ptr<const policy::Document>& bucket_policy = nullptr) {
    auto decision = authorizer_->decide(who, facts_of(request), bucket_policy.get());
    EXPECT_TRUE(decision.ok()) << (decision.ok() ? "" : decision.error().message);
    return decision.ok() ? decision.value() : AccessDecision{};
  }
  bool allowed(const auth::Identity& who, const Request& request,
               const std::shared_ptr<const policy::Document>& bucket_policy = nullptr) {
    return decide(who, request, bucket_policy).allowed;
  }

  TempDir dir_;
  std::unique_ptr<meta::IdentityStore> store_;
  std::unique_ptr<Authorizer> authorizer_;
};

Request req(std::string action, std::string key = "a.jpg", std::string bucket = "photos") {
  Request r;
  r.action = std::move(action);
  r.key = std::move(key);
  r.bucket = std::move(bucket);
  return r;
}

// ---- RAM users and groups ----

TEST_F(AuthorizerTest, UserWithoutPoliciesIsImplicitlyDenied) {
  add_user("alice", "2001");
  const AccessDecision decision = decide(user("alice", "2001"), req("oss:GetObject"));
  EXPECT_FALSE(decision.allowed);
  EXPECT_FALSE(decision.explicit_deny);
  EXPECT_EQ(decision.policy, "");
}

TEST_F(AuthorizerTest, SystemReadOnlyPolicyAllowsReadsOnly) {
  add_user("alice", "2001");
  attach("AliyunOSSReadOnlyAccess", "User", "alice", "System");
  const AccessDecision get = decide(user("alice", "2001"), req("oss:GetObject"));
  EXPECT_TRUE(get.allowed);
  EXPECT_EQ(get.policy, "AliyunOSSReadOnlyAccess");
  EXPECT_EQ(get.statement, "#0");
  EXPECT_TRUE(allowed(user("alice", "2001"), req("oss:ListObjects", "")));
  EXPECT_TRUE(allowed(user("alice", "2001"), req("oss:ListBuckets", "", "")));
  EXPECT_FALSE(allowed(user("alice", "2001"), req("oss:PutObject")));
  EXPECT_FALSE(allowed(user("alice", "2001"), req("oss:DeleteObject")));
}

TEST_F(AuthorizerTest, FullAccessAndAdministratorAccessAllowEverythingInOss) {
  add_user("ops", "2002");
  add_user("admin", "2003");
  attach("AliyunOSSFullAccess", "User", "ops", "System");
  attach("AdministratorAccess", "User", "admin", "System");
  for (const char* action : {"oss:PutObject", "oss:DeleteBucket", "oss:PutBucketPolicy"}) {
    EXPECT_TRUE(allowed(user("ops", "2002"), req(action))) << action;
    EXPECT_TRUE(allowed(user("admin", "2003"), req(action))) << action;
  }
  EXPECT_FALSE(allowed(user("ops", "2002"), req("sts:AssumeRole")));
  EXPECT_TRUE(allowed(user("admin", "2003"), req("sts:AssumeRole")));
}

TEST_F(AuthorizerTest, CustomPolicyWithWildcardsLimitsToItsResources) {
  add_user("alice", "2001");
  add_policy("uploads", allow(R"(["oss:Put*","oss:GetObject"])", R"("acs:oss:*:*:photos/users/alice/*")"));
  attach("uploads", "User", "alice");
  const auth::Identity alice = user("alice", "2001");
  const AccessDecision decision = decide(alice, req("oss:PutObject", "users/alice/x.png"));
  EXPECT_TRUE(decision.allowed);
  EXPECT_EQ(decision.policy, "uploads");
  EXPECT_TRUE(allowed(alice, req("OSS:putobjecttagging", "users/alice/x.png"))) << "actions are case-insensitive";
  EXPECT_FALSE(allowed(alice, req("oss:PutObject", "users/bob/x.png")));
  EXPECT_FALSE(allowed(alice, req("oss:PutObject", "users/alice/x.png", "other")));
  EXPECT_FALSE(allowed(alice, req("oss:DeleteObject", "users/alice/x.png")));
}

TEST_F(AuthorizerTest, GroupPoliciesApplyToMembersOnly) {
  add_user("alice", "2001");
  add_user("bob", "2002");
  add_group("readers", {"alice"});
  attach("AliyunOSSReadOnlyAccess", "Group", "readers", "System");
  EXPECT_TRUE(allowed(user("alice", "2001"), req("oss:GetObject")));
  EXPECT_FALSE(allowed(user("bob", "2002"), req("oss:GetObject")));
}

TEST_F(AuthorizerTest, GroupDenyBeatsUserAllow) {
  add_user("alice", "2001");
  add_group("no-deletes", {"alice"});
  attach("AliyunOSSFullAccess", "User", "alice", "System");
  add_policy("deny-delete", deny(R"("oss:DeleteObject")", R"("*")"));
  attach("deny-delete", "Group", "no-deletes");
  const AccessDecision decision = decide(user("alice", "2001"), req("oss:DeleteObject"));
  EXPECT_FALSE(decision.allowed);
  EXPECT_TRUE(decision.explicit_deny);
  EXPECT_EQ(decision.policy, "deny-delete");
  EXPECT_TRUE(allowed(user("alice", "2001"), req("oss:PutObject")));
}

TEST_F(AuthorizerTest, StatementSidNamesTheDecision) {
  add_user("alice", "2001");
  add_policy("named", R"({"Version":"1","Statement":[
      {"Sid":"ReadPhotos","Effect":"Allow","Action":"oss:GetObject","Resource":"acs:oss:*:*:photos/*"}]})");
  attach("named", "User", "alice");
  const AccessDecision decision = decide(user("alice", "2001"), req("oss:GetObject"));
  EXPECT_TRUE(decision.allowed);
  EXPECT_EQ(decision.statement, "ReadPhotos");
}

TEST_F(AuthorizerTest, UnreadableStoredPolicyDeniesEverything) {
  add_user("alice", "2001");
  attach("AliyunOSSFullAccess", "User", "alice", "System");
  add_policy("broken", R"({"Version":"1","Statement":[{"Effect":"Maybe"}]})");
  attach("broken", "User", "alice");
  const AccessDecision decision = decide(user("alice", "2001"), req("oss:GetObject"));
  EXPECT_FALSE(decision.allowed);
  EXPECT_TRUE(decision.explicit_deny);
  EXPECT_EQ(decision.policy, "broken");
}

// ---- Role sessions: role policies AND session policy ----

TEST_F(AuthorizerTest, RoleSessionWithoutSessionPolicyGetsTheRolesRights) {
  add_role("uploader", "3001");
  add_policy("role-put", allow(R"("oss:PutObject")", R"("acs:oss:*:*:photos/*")"));
  attach("role-put", "Role", "uploader");
  EXPECT_TRUE(allowed(role_session("uploader", "3001", "s1"), req("oss:PutObject")));
  EXPECT_FALSE(allowed(role_session("uploader", "3001", "s1"), req("oss:GetObject")));
}

TEST_F(AuthorizerTest, SessionPolicyNarrowsToTheIntersection) {
  add_role("uploader", "3001");
  attach("AliyunOSSFullAccess", "Role", "uploader", "System");
  const std::string session = allow(R"("oss:GetObject")", R"("acs:oss:*:*:photos/public/*")");
  const auth::Identity who = role_session("uploader", "3001", "browser", session);
  const AccessDecision inside = decide(who, req("oss:GetObject", "public/a.jpg"));
  EXPECT_TRUE(inside.allowed);
  EXPECT_EQ(inside.policy, "AliyunOSSFullAccess") << "the role's statement grants; the session only narrows";
  EXPECT_FALSE(allowed(who, req("oss:GetObject", "private/a.jpg")));
  EXPECT_FALSE(allowed(who, req("oss:PutObject", "public/a.jpg")));
  EXPECT_FALSE(allowed(who, req("oss:DeleteObject", "public/a.jpg")));
}

TEST_F(AuthorizerTest, SessionPolicyCannotWidenTheRole) {
  add_role("reader", "3002");
  attach("AliyunOSSReadOnlyAccess", "Role", "reader", "System");
  const std::string session = allow(R"("oss:*")", R"("*")");
  const auth::Identity who = role_session("reader", "3002", "s", session);
  EXPECT_TRUE(allowed(who, req("oss:GetObject")));
  EXPECT_FALSE(allowed(who, req("oss:PutObject")));
}

TEST_F(AuthorizerTest, SessionDenyWins) {
  add_role("uploader", "3001");
  attach("AliyunOSSFullAccess", "Role", "uploader", "System");
  const std::string session = R"({"Version":"1","Statement":[
      {"Effect":"Allow","Action":"oss:*","Resource":"*"},
      {"Sid":"NoDelete","Effect":"Deny","Action":"oss:DeleteObject","Resource":"*"}]})";
  const AccessDecision decision = decide(role_session("uploader", "3001", "s", session), req("oss:DeleteObject"));
  EXPECT_FALSE(decision.allowed);
  EXPECT_TRUE(decision.explicit_deny);
  EXPECT_EQ(decision.policy, "session-policy");
  EXPECT_EQ(decision.statement, "NoDelete");
}

TEST_F(AuthorizerTest, UnparsableSessionPolicyDenies) {
  add_role("uploader", "3001");
  attach("AliyunOSSFullAccess", "Role", "uploader", "System");
  const AccessDecision decision = decide(role_session("uploader", "3001", "s", "{not json"), req("oss:GetObject"));
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.policy, "session-policy");
}

TEST_F(AuthorizerTest, RoleWithoutPoliciesIsDeniedEvenWithAnAllowingSession) {
  add_role("empty", "3003");
  const auth::Identity who = role_session("empty", "3003", "s", allow(R"("oss:*")", R"("*")"));
  EXPECT_FALSE(allowed(who, req("oss:GetObject")));
}

TEST_F(AuthorizerTest, BucketPolicyCanStandInForTheRoleButNotForTheSession) {
  add_role("empty", "3003");
  auto bucket_policy = doc(allow(R"("oss:GetObject")", R"("acs:oss:*:*:photos/*")", R"(,"Principal":["3003"])"));
  EXPECT_TRUE(allowed(role_session("empty", "3003", "s"), req("oss:GetObject"), bucket_policy));
  const auth::Identity narrowed = role_session("empty", "3003", "s", allow(R"("oss:PutObject")", R"("*")"));
  EXPECT_FALSE(allowed(narrowed, req("oss:GetObject"), bucket_policy));
}

TEST_F(AuthorizerTest, BucketPolicyCanNameOneRoleSession) {
  add_role("empty", "3003");
  auto bucket_policy = doc(allow(R"("oss:GetObject")", R"("*")",
                                 R"(,"Principal":["arn:sts::1234567890123456:assumed-role/empty/alice-*"])"));
  EXPECT_TRUE(allowed(role_session("empty", "3003", "alice-phone"), req("oss:GetObject"), bucket_policy));
  EXPECT_FALSE(allowed(role_session("empty", "3003", "bob"), req("oss:GetObject"), bucket_policy));
}

// ---- Bucket policies for RAM users ----

TEST_F(AuthorizerTest, BucketPolicyAllowsARamUserByUid) {
  add_user("alice", "2001");
  add_user("bob", "2002");
  auto bucket_policy =
      doc(allow(R"(["oss:GetObject","oss:PutObject"])", R"("acs:oss:*:*:photos/*")", R"(,"Principal":["2001"])"));
  const AccessDecision decision = decide(user("alice", "2001"), req("oss:PutObject"), bucket_policy);
  EXPECT_TRUE(decision.allowed);
  EXPECT_EQ(decision.policy, "bucket-policy");
  EXPECT_FALSE(allowed(user("bob", "2002"), req("oss:PutObject"), bucket_policy));
  EXPECT_FALSE(allowed(user("alice", "2001"), req("oss:DeleteObject"), bucket_policy));
}

TEST_F(AuthorizerTest, BucketPolicyDenyBeatsIdentityAllow) {
  add_user("alice", "2001");
  attach("AliyunOSSFullAccess", "User", "alice", "System");
  auto bucket_policy = doc(deny(R"("oss:DeleteObject")", R"("acs:oss:*:*:photos/*")", R"(,"Principal":["*"])"));
  const AccessDecision decision = decide(user("alice", "2001"), req("oss:DeleteObject"), bucket_policy);
  EXPECT_FALSE(decision.allowed);
  EXPECT_TRUE(decision.explicit_deny);
  EXPECT_EQ(decision.policy, "bucket-policy");
  EXPECT_TRUE(allowed(user("alice", "2001"), req("oss:PutObject"), bucket_policy));
}

TEST_F(AuthorizerTest, IdentityDenyBeatsBucketPolicyAllow) {
  add_user("alice", "2001");
  add_policy("deny-put", deny(R"("oss:PutObject")", R"("*")"));
  attach("deny-put", "User", "alice");
  auto bucket_policy = doc(allow(R"("oss:*")", R"("*")", R"(,"Principal":["*"])"));
  const AccessDecision decision = decide(user("alice", "2001"), req("oss:PutObject"), bucket_policy);
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.policy, "deny-put");
}

TEST_F(AuthorizerTest, BucketPolicyDenyBeatsRoleAndSessionAllow) {
  add_role("uploader", "3001");
  attach("AliyunOSSFullAccess", "Role", "uploader", "System");
  auto bucket_policy = doc(deny(R"("oss:PutObject")", R"("*")", R"(,"Principal":["3001"])"));
  const auth::Identity who = role_session("uploader", "3001", "s", allow(R"("oss:*")", R"("*")"));
  const AccessDecision decision = decide(who, req("oss:PutObject"), bucket_policy);
  EXPECT_TRUE(decision.explicit_deny);
  EXPECT_EQ(decision.policy, "bucket-policy");
}

// ---- Anonymous callers and the account root ----

TEST_F(AuthorizerTest, AnonymousCallersOnlyGetWhatTheBucketPolicyGrants) {
  EXPECT_FALSE(allowed(anonymous(), req("oss:GetObject")));
  auto public_read = doc(allow(R"("oss:GetObject")", R"("acs:oss:*:*:photos/public/*")", R"(,"Principal":["*"])"));
  const AccessDecision decision = decide(anonymous(), req("oss:GetObject", "public/a.jpg"), public_read);
  EXPECT_TRUE(decision.allowed);
  EXPECT_EQ(decision.policy, "bucket-policy");
  const AccessDecision outside = decide(anonymous(), req("oss:GetObject", "private/a.jpg"), public_read);
  EXPECT_FALSE(outside.allowed);
  EXPECT_FALSE(outside.explicit_deny) << "an implicit deny leaves the ACLs to decide";
  auto uid_only = doc(allow(R"("oss:GetObject")", R"("*")", R"(,"Principal":["2001"])"));
  EXPECT_FALSE(allowed(anonymous(), req("oss:GetObject"), uid_only));
  auto denied = doc(deny(R"("oss:GetObject")", R"("*")", R"(,"Principal":["*"])"));
  EXPECT_TRUE(decide(anonymous(), req("oss:GetObject"), denied).explicit_deny);
}

TEST_F(AuthorizerTest, RootIsAllowedUnlessABucketPolicyDenyAppliesToTheOwner) {
  EXPECT_TRUE(allowed(root(), req("oss:DeleteBucket", "")));
  // Principal "*" without a Condition is meant for everyone else (as on OSS).
  auto everyone = doc(deny(R"("oss:*")", R"("*")", R"(,"Principal":["*"])"));
  EXPECT_TRUE(allowed(root(), req("oss:DeleteObject"), everyone));
  // With a Condition, "*" includes the owner.
  auto outside_office =
      doc(deny(R"("oss:*")", R"("*")",
               R"(,"Principal":["*"],"Condition":{"NotIpAddress":{"acs:SourceIp":["192.168.0.0/16"]}})"));
  const AccessDecision decision = decide(root(), req("oss:DeleteObject"), outside_office);
  EXPECT_FALSE(decision.allowed);
  EXPECT_TRUE(decision.explicit_deny);
  EXPECT_EQ(decision.policy, "bucket-policy");
  Request in_office = req("oss:DeleteObject");
  in_office.source_ip = "192.168.1.20";
  EXPECT_TRUE(allowed(root(), in_office, outside_office));
  // Naming the account itself applies too.
  auto account = doc(deny(R"("oss:PutObject")", R"("*")", R"(,"Principal":["1234567890123456"])"));
  EXPECT_FALSE(allowed(root(), req("oss:PutObject"), account));
  EXPECT_TRUE(allowed(root(), req("oss:GetObject"), account));
}

TEST_F(AuthorizerTest, RootCanAlwaysManageTheBucketPolicy) {
  auto everything =
      doc(deny(R"("oss:*")", R"("*")", R"(,"Principal":["*"],"Condition":{"Bool":{"acs:SecureTransport":["false"]}})"));
  EXPECT_FALSE(allowed(root(), req("oss:GetObject"), everything));
  for (const char* action : {"oss:PutBucketPolicy", "oss:GetBucketPolicy", "oss:DeleteBucketPolicy"}) {
    EXPECT_TRUE(allowed(root(), req(action, ""), everything)) << action;
  }
}

TEST_F(AuthorizerTest, BucketPolicyDenyIndexRefersToTheWholeDocument) {
  auto policy = doc(R"({"Version":"1","Statement":[
      {"Effect":"Allow","Action":"oss:GetObject","Resource":"*","Principal":["*"]},
      {"Effect":"Deny","Action":"oss:PutObject","Resource":"*","Principal":["1234567890123456"]}]})");
  const AccessDecision decision = decide(root(), req("oss:PutObject"), policy);
  EXPECT_EQ(decision.statement, "#1");
}

// ---- Conditions from the request's facts ----

TEST_F(AuthorizerTest, ConditionsSeeTheRequestFacts) {
  add_user("alice", "2001");
  const auth::Identity alice = user("alice", "2001");
  auto with = [&](const std::string& name, const std::string& condition) {
    add_policy(name, allow(R"("oss:*")", R"("*")", R"(,"Condition":)" + condition));
    attach(name, "User", "alice");
    authorizer_->invalidate();
  };
  auto detach = [&](const std::string& name) {
    ASSERT_TRUE(store_->detach_policy("Custom", name, "User", "alice").ok());
    authorizer_->invalidate();
  };

  with("ip", R"({"IpAddress":{"acs:SourceIp":["10.0.0.0/8"]}})");
  Request from_inside = req("oss:GetObject");
  Request from_outside = req("oss:GetObject");
  from_outside.source_ip = "203.0.113.9";
  EXPECT_TRUE(allowed(alice, from_inside));
  EXPECT_FALSE(allowed(alice, from_outside));
  Request mapped = from_inside;
  mapped.source_ip = "::ffff:10.1.2.3";
  EXPECT_TRUE(allowed(alice, mapped));
  detach("ip");

  with("time", R"({"DateLessThan":{"acs:CurrentTime":"2024-06-01T00:00:00Z"}})");
  Request before = req("oss:GetObject");
  Request after = req("oss:GetObject");
  after.now = *parse_iso8601("2024-06-02T00:00:00Z");
  EXPECT_TRUE(allowed(alice, before));
  EXPECT_FALSE(allowed(alice, after));
  detach("time");

  with("tls", R"({"Bool":{"acs:SecureTransport":"true"}})");
  Request plain = req("oss:GetObject");
  Request tls = plain;
  tls.secure = true;
  EXPECT_FALSE(allowed(alice, plain));
  EXPECT_TRUE(allowed(alice, tls));
  detach("tls");

  with("agent", R"({"StringLike":{"acs:UserAgent":"aliyun-sdk-js/*"}})");
  Request sdk = req("oss:GetObject");
  sdk.headers = {{"user-agent", "aliyun-sdk-js/6.23.0 Node.js"}};
  Request curl = req("oss:GetObject");
  curl.headers = {{"User-Agent", "curl/8.0"}};
  EXPECT_TRUE(allowed(alice, sdk));
  EXPECT_FALSE(allowed(alice, curl));
  EXPECT_FALSE(allowed(alice, req("oss:GetObject"))) << "no User-Agent: a positive operator fails";
  detach("agent");

  with("referer", R"({"StringLike":{"acs:Referer":["https://*.example.com/*"]}})");
  Request site = req("oss:GetObject");
  site.headers = {{"Referer", "https://www.example.com/gallery"}};
  Request elsewhere = req("oss:GetObject");
  elsewhere.headers = {{"Referer", "https://evil.test/"}};
  EXPECT_TRUE(allowed(alice, site));
  EXPECT_FALSE(allowed(alice, elsewhere));
  detach("referer");
}

TEST_F(AuthorizerTest, PrefixAndDelimiterConditionsJudgeListings) {
  add_user("alice", "2001");
  add_policy("list-own", allow(R"("oss:ListObjects")", R"("acs:oss:*:*:photos")",
                               R"(,"Condition":{"StringLike":{"oss:Prefix":["users/alice/*"]},)"
                               R"("StringEquals":{"oss:Delimiter":"/"}})"));
  attach("list-own", "User", "alice");
  const auth::Identity alice = user("alice", "2001");
  auto listing = [](std::vector<QueryParam> query) {
    Request r = req("oss:ListObjects", "");
    r.listing = true;
    r.query = std::move(query);
    return r;
  };
  EXPECT_TRUE(allowed(alice, listing({{"prefix", "users/alice/2024/", true}, {"delimiter", "/", true}})));
  EXPECT_FALSE(allowed(alice, listing({{"prefix", "users/bob/", true}, {"delimiter", "/", true}})));
  EXPECT_FALSE(allowed(alice, listing({{"prefix", "users/alice/", true}})));
  EXPECT_FALSE(allowed(alice, listing({})));
}

TEST_F(AuthorizerTest, ObjectAclAndStorageClassHeadersAreConditionKeys) {
  add_user("alice", "2001");
  add_policy("no-public", R"({"Version":"1","Statement":[
      {"Effect":"Allow","Action":"oss:PutObject","Resource":"*"},
      {"Effect":"Deny","Action":"oss:PutObject","Resource":"*",
       "Condition":{"StringEquals":{"oss:x-oss-object-acl":["public-read","public-read-write"]}}},
      {"Effect":"Deny","Action":"oss:PutObject","Resource":"*",
       "Condition":{"StringEquals":{"oss:x-oss-storage-class":"Archive"}}}]})");
  attach("no-public", "User", "alice");
  const auth::Identity alice = user("alice", "2001");
  Request plain = req("oss:PutObject");
  Request public_object = plain;
  public_object.headers = {{"x-oss-object-acl", "public-read"}};
  Request archive = plain;
  archive.headers = {{"X-Oss-Storage-Class", "Archive"}};
  EXPECT_TRUE(allowed(alice, plain));
  EXPECT_FALSE(allowed(alice, public_object));
  EXPECT_FALSE(allowed(alice, archive));
}

// ---- Caching and change ----

TEST_F(AuthorizerTest, InvalidateMakesAChangeEffectiveAtOnce) {
  add_user("alice", "2001");
  const auth::Identity alice = user("alice", "2001");
  EXPECT_FALSE(allowed(alice, req("oss:GetObject")));
  attach("AliyunOSSReadOnlyAccess", "User", "alice", "System");
  // Within the poll interval the cached (empty) policy set still answers...
  EXPECT_FALSE(allowed(alice, req("oss:GetObject")));
  authorizer_->invalidate();
  EXPECT_TRUE(allowed(alice, req("oss:GetObject")));
  ASSERT_TRUE(store_->detach_policy("System", "AliyunOSSReadOnlyAccess", "User", "alice").ok());
  authorizer_->invalidate();
  EXPECT_FALSE(allowed(alice, req("oss:GetObject")));
}

TEST_F(AuthorizerTest, ChangesByAnotherWriterAreSeenAfterThePoll) {
  Authorizer polling(*store_, kAccount, std::chrono::milliseconds(50));
  add_user("alice", "2001");
  const auth::Identity alice = user("alice", "2001");
  auto decide_now = [&] {
    auto decision = polling.decide(alice, facts_of(req("oss:GetObject")), nullptr);
    EXPECT_TRUE(decision.ok());
    return decision.ok() && decision->allowed;
  };
  EXPECT_FALSE(decide_now());
  attach("AliyunOSSReadOnlyAccess", "User", "alice", "System");
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
  EXPECT_TRUE(decide_now());
}

TEST_F(AuthorizerTest, UpdatedCustomPolicyVersionTakesEffect) {
  add_user("alice", "2001");
  add_policy("p", allow(R"("oss:GetObject")", R"("*")"));
  attach("p", "User", "alice");
  const auth::Identity alice = user("alice", "2001");
  EXPECT_FALSE(allowed(alice, req("oss:PutObject")));
  meta::PolicyVersionRecord v2;
  v2.document = allow(R"("oss:PutObject")", R"("*")");
  ASSERT_TRUE(store_->create_policy_version("p", v2, true).ok());
  authorizer_->invalidate();
  EXPECT_TRUE(allowed(alice, req("oss:PutObject")));
  EXPECT_FALSE(allowed(alice, req("oss:GetObject")));
}

TEST_F(AuthorizerTest, ConcurrentDecisionsAgree) {
  add_user("alice", "2001");
  attach("AliyunOSSReadOnlyAccess", "User", "alice", "System");
  Authorizer polling(*store_, kAccount, std::chrono::milliseconds(0));
  std::atomic<int> allowed_count{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        auto decision = polling.decide(user("alice", "2001"), facts_of(req("oss:GetObject")), nullptr);
        if (decision.ok() && decision->allowed) allowed_count.fetch_add(1);
        if (i % 10 == 0) polling.invalidate();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(allowed_count.load(), 200);
}

}  // namespace
}  // namespace ossd::iam
