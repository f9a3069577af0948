// What authorization is built from: the System policies, the facts of an OSS
// request (action, ARN, condition keys) and the bucket-policy document rules.
#include <gtest/gtest.h>

#include "api/authorize.hpp"
#include "api/bucket_cache.hpp"
#include "core/time_format.hpp"
#include "iam/authorizer.hpp"
#include "iam/request_facts.hpp"
#include "iam/system_policies.hpp"

namespace ossd::iam {
namespace {

const std::vector<std::string>* key_of(const policy::Facts& facts, const std::string& name) {
  auto it = facts.keys.find(name);
  return it == facts.keys.end() ? nullptr : &it->second;
}

std::string single(const policy::Facts& facts, const std::string& name) {
  const auto* values = key_of(facts, name);
  if (!values) return "<absent>";
  EXPECT_EQ(values->size(), 1u) << name;
  return values->empty() ? "<empty>" : values->front();
}

TEST(SystemPolicies, EveryDocumentParsesAndNamesAreUnique) {
  ASSERT_EQ(system_policies().size(), 4u);
  for (const SystemPolicy& system : system_policies()) {
    auto parsed = policy::parse(system.document);
    EXPECT_TRUE(parsed.ok()) << system.name;
    EXPECT_FALSE(system.description.empty());
    EXPECT_EQ(find_system_policy(system.name), &system);
  }
  EXPECT_EQ(find_system_policy("aliyunossfullaccess"), nullptr) << "names are exact";
  EXPECT_EQ(find_system_policy("NoSuchPolicy"), nullptr);
}

TEST(SystemPolicies, DocumentsGrantWhatTheirNamesSay) {
  auto grants = [](std::string_view name, const std::string& action) {
    auto parsed = policy::parse(find_system_policy(name)->document);
    const policy::NamedDocument documents[] = {
        {std::string(name), std::make_shared<policy::Document>(std::move(parsed.value()))}};
    policy::Facts facts;
    facts.action = action;
    facts.resource = "acs:oss:*:1:b/k";
    return policy::evaluate(documents, facts).decision == policy::Decision::Allow;
  };
  EXPECT_TRUE(grants("AdministratorAccess", "ram:CreateUser"));
  EXPECT_TRUE(grants("AliyunOSSFullAccess", "oss:DeleteBucket"));
  EXPECT_FALSE(grants("AliyunOSSFullAccess", "ram:CreateUser"));
  EXPECT_TRUE(grants("AliyunOSSReadOnlyAccess", "oss:GetObject"));
  EXPECT_TRUE(grants("AliyunOSSReadOnlyAccess", "oss:ListObjects"));
  EXPECT_TRUE(grants("AliyunOSSReadOnlyAccess", "oss:GetBucketPolicy"));
  EXPECT_FALSE(grants("AliyunOSSReadOnlyAccess", "oss:PutObject"));
  EXPECT_TRUE(grants("AliyunSTSAssumeRoleAccess", "sts:AssumeRole"));
  EXPECT_FALSE(grants("AliyunSTSAssumeRoleAccess", "oss:GetObject"));
}

TEST(RequestFacts, ArnsForServiceBucketAndObject) {
  EXPECT_EQ(oss_resource_arn("123", "", ""), "acs:oss:*:123:*");
  EXPECT_EQ(oss_resource_arn("123", "photos", ""), "acs:oss:*:123:photos");
  EXPECT_EQ(oss_resource_arn("123", "photos", "a/b c.jpg"), "acs:oss:*:123:photos/a/b c.jpg");
  EXPECT_EQ(bucket_arn("123", "photos"), "acs:oss:*:123:photos");
  EXPECT_EQ(object_arn("123", "photos", "k"), "acs:oss:*:123:photos/k");
  EXPECT_EQ(service_arn("123"), "acs:oss:*:123:*");
}

TEST(RequestFacts, CarriesTheConditionKeysOfTheRequest) {
  const std::vector<HeaderField> headers = {{"User-Agent", "aliyun-sdk-js/6.23.0"},
                                            {"referer", "https://example.com/"},
                                            {"x-oss-object-acl", "private"},
                                            {"x-oss-storage-class", "IA"}};
  const std::vector<QueryParam> query = {{"prefix", "logs/", true}, {"delimiter", "/", true}};
  OssRequest request;
  request.action = "oss:ListObjects";
  request.account_id = "123";
  request.bucket = "photos";
  request.source_ip = "127.0.0.1";
  request.access_key_id = "LTAIabc";
  request.secure_transport = true;
  request.listing = true;
  request.query = &query;
  request.headers = &headers;
  request.now = *parse_iso8601("2024-05-20T08:30:00.123Z");
  const policy::Facts facts = oss_request_facts(request);
  EXPECT_EQ(facts.action, "oss:ListObjects");
  EXPECT_EQ(facts.resource, "acs:oss:*:123:photos");
  EXPECT_TRUE(facts.principal_ids.empty());
  EXPECT_EQ(single(facts, "acs:sourceip"), "127.0.0.1");
  EXPECT_EQ(single(facts, "acs:currenttime"), "2024-05-20T08:30:00Z");
  EXPECT_EQ(single(facts, "acs:securetransport"), "true");
  EXPECT_EQ(single(facts, "acs:accessid"), "LTAIabc");
  EXPECT_EQ(single(facts, "acs:useragent"), "aliyun-sdk-js/6.23.0");
  EXPECT_EQ(single(facts, "acs:referer"), "https://example.com/");
  EXPECT_EQ(single(facts, "oss:prefix"), "logs/");
  EXPECT_EQ(single(facts, "oss:delimiter"), "/");
  EXPECT_EQ(single(facts, "oss:x-oss-object-acl"), "private");
  EXPECT_EQ(single(facts, "oss:x-oss-storage-class"), "IA");
}

TEST(RequestFacts, AbsentThingsStayAbsent) {
  OssRequest request;
  request.action = "oss:GetObject";
  request.account_id = "123";
  request.bucket = "photos";
  request.key = "k";
  request.source_ip = "::ffff:192.168.1.9";
  const policy::Facts facts = oss_request_facts(request);
  EXPECT_EQ(single(facts, "acs:sourceip"), "192.168.1.9") << "IPv4-mapped peers appear as IPv4";
  EXPECT_EQ(single(facts, "acs:securetransport"), "false");
  for (const char* absent : {"acs:accessid", "acs:useragent", "acs:referer", "oss:prefix", "oss:delimiter",
                             "oss:x-oss-object-acl", "oss:x-oss-storage-class"}) {
    EXPECT_EQ(key_of(facts, absent), nullptr) << absent;
  }
}

TEST(RequestFacts, ListingWithoutPrefixHasEmptyPrefixAndDelimiter) {
  const std::vector<QueryParam> query;
  OssRequest request;
  request.action = "oss:ListObjects";
  request.account_id = "123";
  request.bucket = "photos";
  request.listing = true;
  request.query = &query;
  const policy::Facts facts = oss_request_facts(request);
  EXPECT_EQ(single(facts, "oss:prefix"), "");
  EXPECT_EQ(single(facts, "oss:delimiter"), "");
  EXPECT_EQ(single(facts, "acs:sourceip"), "");
}

}  // namespace
}  // namespace ossd::iam

namespace ossd::api {
namespace {

TEST(BucketPolicyDocument, NeedsAPrincipalInEveryStatement) {
  auto ok = parse_bucket_policy(
      R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Principal":["*"],"Resource":"acs:oss:*:*:b/*"}]})");
  EXPECT_TRUE(ok.ok());
  auto missing = parse_bucket_policy(
      R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Resource":"acs:oss:*:*:b/*"}]})");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::InvalidPolicyDocument);
  EXPECT_NE(missing.error().message.find("Principal"), std::string::npos);
}

TEST(BucketPolicyDocument, BadJsonAndOversizedDocumentsAreInvalid) {
  for (const std::string& bad : {std::string("{"), std::string(""), std::string("[]"),
                                 std::string(R"({"Version":"1","Statement":[{"Effect":"Allow"}]})")}) {
    auto parsed = parse_bucket_policy(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().code, ErrorCode::InvalidPolicyDocument) << bad;
  }
  std::string statements;
  for (int i = 0; statements.size() < kMaxBucketPolicyBytes; ++i) {
    if (i) statements += ",";
    statements += R"({"Effect":"Allow","Action":"oss:GetObject","Principal":["*"],"Resource":"acs:oss:*:*:b/)" +
                  std::to_string(i) + R"("})";
  }
  auto big = parse_bucket_policy(R"({"Version":"1","Statement":[)" + statements + "]}");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, ErrorCode::InvalidPolicyDocument);
}

TEST(BucketCacheWithPolicy, OnlyEntriesLoadedWithTheirPolicyAnswer) {
  BucketCache cache;
  const auto t0 = BucketCache::Clock::time_point{} + std::chrono::hours(1);
  meta::BucketRecord record;
  record.name = "b";
  cache.store(record, t0);
  EXPECT_TRUE(cache.find("b", t0));
  EXPECT_FALSE(cache.find_with_policy("b", t0)) << "stored without its policy: unknown, not 'none'";
  auto policy = std::make_shared<const policy::Document>();
  cache.store_with_policy(BucketWithPolicy{record, policy}, t0);
  auto found = cache.find_with_policy("b", t0);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->policy, policy);
  cache.store_with_policy(BucketWithPolicy{record, nullptr}, t0);
  found = cache.find_with_policy("b", t0);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->policy, nullptr);
  cache.forget("b");
  EXPECT_FALSE(cache.find_with_policy("b", t0));
  cache.store_with_policy(BucketWithPolicy{record, policy}, t0);
  EXPECT_FALSE(cache.find_with_policy("b", t0 + std::chrono::seconds(5))) << "expires like the record";
}

}  // namespace
}  // namespace ossd::api
