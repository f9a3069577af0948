// policy::parse(): what a well-formed document becomes, every malformed shape
// refused with a message naming the problem, and hostile sizes refused before
// a full parse.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policy/policy.hpp"

namespace ossd::policy {
namespace {

TEST(PolicyParse, FullDocumentLandsInTheRightFields) {
  auto parsed = parse(R"({
    "Version": "1",
    "Statement": [
      {"Sid": "read", "Effect": "Allow", "Action": ["oss:GetObject", "oss:ListObjects"],
       "Resource": ["acs:oss:*:*:b", "acs:oss:*:*:b/*"],
       "Condition": {"IpAddress": {"acs:SourceIp": ["10.0.0.0/8", "::1"]},
                     "NumericLessThanEquals": {"oss:max-keys": 100},
                     "Bool": {"acs:SecureTransport": true}}},
      {"Effect": "Deny", "NotAction": "oss:Get*", "NotResource": "acs:oss:*:*:b/public/*",
       "Principal": {"RAM": ["acs:ram::1:root", "acs:ram::2:root"], "Service": "ecs.aliyuncs.com"}}
    ]})");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const Document& doc = *parsed;
  EXPECT_EQ(doc.version, "1");
  ASSERT_EQ(doc.statements.size(), 2u);

  const Statement& read = doc.statements[0];
  EXPECT_EQ(read.sid, "read");
  EXPECT_EQ(read.effect, Effect::Allow);
  EXPECT_FALSE(read.not_action);
  EXPECT_EQ(read.actions, (std::vector<std::string>{"oss:GetObject", "oss:ListObjects"}));
  EXPECT_EQ(read.resources, (std::vector<std::string>{"acs:oss:*:*:b", "acs:oss:*:*:b/*"}));
  EXPECT_TRUE(read.principals.empty());
  ASSERT_EQ(read.conditions.size(), 3u);
  // nlohmann objects iterate in key order.
  EXPECT_EQ(read.conditions[0].op, Operator::Bool);
  EXPECT_EQ(read.conditions[0].key, "acs:SecureTransport");
  EXPECT_EQ(read.conditions[0].values, (std::vector<std::string>{"true"}));
  EXPECT_EQ(read.conditions[1].op, Operator::IpAddress);
  EXPECT_EQ(read.conditions[1].values, (std::vector<std::string>{"10.0.0.0/8", "::1"}));
  EXPECT_EQ(read.conditions[2].op, Operator::NumericLessThanEquals);
  EXPECT_EQ(read.conditions[2].key, "oss:max-keys");
  EXPECT_EQ(read.conditions[2].values, (std::vector<std::string>{"100"}));

  const Statement& deny = doc.statements[1];
  EXPECT_EQ(deny.effect, Effect::Deny);
  EXPECT_TRUE(deny.not_action);
  EXPECT_EQ(deny.actions, (std::vector<std::string>{"oss:Get*"}));
  EXPECT_TRUE(deny.not_resource);
  EXPECT_EQ(deny.resources, (std::vector<std::string>{"acs:oss:*:*:b/public/*"}));
  ASSERT_EQ(deny.principals.size(), 2u);
  EXPECT_EQ(deny.principals[0].kind, "RAM");
  EXPECT_EQ(deny.principals[0].ids, (std::vector<std::string>{"acs:ram::1:root", "acs:ram::2:root"}));
  EXPECT_EQ(deny.principals[1].kind, "Service");
  EXPECT_EQ(deny.principals[1].ids, (std::vector<std::string>{"ecs.aliyuncs.com"}));
}

TEST(PolicyParse, SingleStatementObjectAndBarePrincipals) {
  auto parsed = parse(
      R"({"Statement":{"Effect":"Allow","Action":"oss:GetObject","Principal":"*","Resource":"*"},"Version":"1"})");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->statements.size(), 1u);
  ASSERT_EQ(parsed->statements[0].principals.size(), 1u);
  EXPECT_EQ(parsed->statements[0].principals[0].kind, "");
  EXPECT_EQ(parsed->statements[0].principals[0].ids, (std::vector<std::string>{"*"}));

  auto uids = parse(
      R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Principal":["111","222"],"Resource":"*"}]})");
  ASSERT_TRUE(uids.ok()) << uids.error().message;
  EXPECT_EQ(uids->statements[0].principals[0].ids, (std::vector<std::string>{"111", "222"}));
}

TEST(PolicyParse, TrustPolicyWithoutResource) {
  auto parsed = parse(R"({"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow",
      "Principal":{"RAM":["acs:ram::1234567890:root"]},"Condition":{"StringEquals":{"sts:ExternalId":"x"}}}],"Version":"1"})");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_TRUE(parsed->statements[0].resources.empty());
  EXPECT_FALSE(parsed->statements[0].not_resource);
}

TEST(PolicyParse, EveryOperatorNameIsAccepted) {
  const std::vector<std::pair<std::string, std::string>> operators = {
      {"StringEquals", "\"a\""},
      {"StringNotEquals", "\"a\""},
      {"StringEqualsIgnoreCase", "\"a\""},
      {"StringNotEqualsIgnoreCase", "\"a\""},
      {"StringLike", "\"a*\""},
      {"StringNotLike", "\"a?\""},
      {"NumericEquals", "1"},
      {"NumericNotEquals", "\"2\""},
      {"NumericLessThan", "3.5"},
      {"NumericLessThanEquals", "-4"},
      {"NumericGreaterThan", "\"5e2\""},
      {"NumericGreaterThanEquals", "6"},
      {"DateEquals", "\"2024-05-20T08:30:00Z\""},
      {"DateNotEquals", "\"2024-05-20\""},
      {"DateLessThan", "\"2024-05-20T08:30:00.123Z\""},
      {"DateLessThanEquals", "1716193800"},
      {"DateGreaterThan", "\"2024-05-20T16:30:00+08:00\""},
      {"DateGreaterThanEquals", "\"1716193800\""},
      {"Bool", "true"},
      {"IpAddress", "\"10.0.0.0/8\""},
      {"NotIpAddress", "[\"::1\", \"fe80::/10\"]"},
  };
  for (const auto& [name, value] : operators) {
    const std::string text =
        R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{")" + name +
        R"(":{"k":)" + value + "}}}]}";
    auto parsed = parse(text);
    ASSERT_TRUE(parsed.ok()) << name << ": " << parsed.error().message;
    ASSERT_EQ(parsed->statements[0].conditions.size(), 1u);
    EXPECT_EQ(operator_name(parsed->statements[0].conditions[0].op), name);
    EXPECT_EQ(operator_from_name(name), parsed->statements[0].conditions[0].op);
  }
  EXPECT_EQ(operator_from_name("stringequals"), std::nullopt);
  EXPECT_EQ(operator_from_name("StringEqualsIfExists"), std::nullopt);
}

TEST(PolicyParse, EmptyStatementListAndEmptyConditionAreAccepted) {
  auto empty = parse(R"({"Version":"1","Statement":[]})");
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_TRUE(empty->statements.empty());
  auto no_conditions =
      parse(R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{}}]})");
  ASSERT_TRUE(no_conditions.ok()) << no_conditions.error().message;
  EXPECT_TRUE(no_conditions->statements[0].conditions.empty());
}

struct BadCase {
  std::string name;
  std::string json;
  std::string message_part;  // the error message must contain this
};

// A statement wrapper so each case shows only what is wrong.
std::string with_statement(const std::string& statement) {
  return R"({"Version":"1","Statement":[)" + statement + "]}";
}

const std::vector<BadCase> kBadCases = {
    {"empty text", "", "not valid JSON"},
    {"not JSON", "Version=1", "not valid JSON"},
    {"truncated", R"({"Version":"1","Statement":[)", "not valid JSON"},
    {"trailing garbage", R"({"Version":"1","Statement":[]} x)", "not valid JSON"},
    {"comments are not JSON", R"({"Version":"1", /* c */ "Statement":[]})", "not valid JSON"},
    {"invalid UTF-8", "{\"Version\":\"1\",\"Statement\":[],\"\xff\":1}", "not valid JSON"},
    {"array at top", R"([{"Version":"1"}])", "must be a JSON object"},
    {"string at top", R"("policy")", "must be a JSON object"},
    {"unknown top-level field", R"({"Version":"1","Statement":[],"Id":"x"})", "unknown field \"Id\""},
    {"lower-case top-level field", R"({"version":"1","Statement":[]})", "unknown field \"version\""},
    {"duplicate top-level field", R"({"Version":"1","Statement":[],"Statement":[]})",
     "repeats the field \"Statement\""},
    {"missing Version", R"({"Statement":[]})", "\"Version\": \"1\""},
    {"Version 2012", R"({"Version":"2012-10-17","Statement":[]})", "\"Version\": \"1\""},
    {"Version as number", R"({"Version":1,"Statement":[]})", "\"Version\": \"1\""},
    {"missing Statement", R"({"Version":"1"})", "no Statement"},
    {"Statement a string", R"({"Version":"1","Statement":"Allow"})", "Statement must be an object or an array"},
    {"Statement array of strings", R"({"Version":"1","Statement":["Allow"]})", "Statement[0] must be an object"},
    {"unknown statement field", with_statement(R"({"Effect":"Allow","Action":"*","Resource":"*","Actions":"*"})"),
     "unknown field \"Actions\""},
    {"NotPrincipal not supported",
     with_statement(R"({"Effect":"Allow","Action":"*","Resource":"*","NotPrincipal":"*"})"),
     "unknown field \"NotPrincipal\""},
    {"duplicate Effect", with_statement(R"({"Effect":"Deny","Action":"*","Resource":"*","Effect":"Allow"})"),
     "repeats the field \"Effect\""},
    {"missing Effect", with_statement(R"({"Action":"*","Resource":"*"})"), "has no Effect"},
    {"Effect lower case", with_statement(R"({"Effect":"allow","Action":"*","Resource":"*"})"), "Effect must be"},
    {"Effect not a string", with_statement(R"({"Effect":true,"Action":"*","Resource":"*"})"), "Effect must be"},
    {"missing Action", with_statement(R"({"Effect":"Allow","Resource":"*"})"), "exactly one of Action and NotAction"},
    {"Action and NotAction", with_statement(R"({"Effect":"Allow","Action":"*","NotAction":"oss:Get*","Resource":"*"})"),
     "exactly one of Action and NotAction"},
    {"empty Action list", with_statement(R"({"Effect":"Allow","Action":[],"Resource":"*"})"),
     "Action must not be an empty list"},
    {"empty NotAction list", with_statement(R"({"Effect":"Allow","NotAction":[],"Resource":"*"})"),
     "NotAction must not be an empty list"},
    {"empty Action string", with_statement(R"({"Effect":"Allow","Action":"","Resource":"*"})"), "empty string"},
    {"Action number", with_statement(R"({"Effect":"Allow","Action":5,"Resource":"*"})"),
     "must be a string or an array of strings"},
    {"Action list with number", with_statement(R"({"Effect":"Allow","Action":["oss:GetObject",5],"Resource":"*"})"),
     "only strings"},
    {"Action without service", with_statement(R"({"Effect":"Allow","Action":"GetObject","Resource":"*"})"),
     "<service>:<action>"},
    {"Action with empty service", with_statement(R"({"Effect":"Allow","Action":":GetObject","Resource":"*"})"),
     "<service>:<action>"},
    {"Action with empty name", with_statement(R"({"Effect":"Allow","Action":"oss:","Resource":"*"})"),
     "<service>:<action>"},
    {"Resource and NotResource", with_statement(R"({"Effect":"Allow","Action":"*","Resource":"*","NotResource":"x"})"),
     "both Resource and NotResource"},
    {"empty Resource list", with_statement(R"({"Effect":"Allow","Action":"*","Resource":[]})"),
     "Resource must not be an empty list"},
    {"Resource object", with_statement(R"({"Effect":"Allow","Action":"*","Resource":{"a":1}})"),
     "Resource must be a string or an array"},
    {"empty Resource string", with_statement(R"({"Effect":"Allow","Action":"*","Resource":""})"), "empty string"},
    {"Sid not a string", with_statement(R"({"Sid":1,"Effect":"Allow","Action":"*","Resource":"*"})"),
     "Sid must be a string"},
    {"Principal number", with_statement(R"({"Effect":"Allow","Action":"*","Resource":"*","Principal":1})"),
     "Principal must be"},
    {"Principal empty list", with_statement(R"({"Effect":"Allow","Action":"*","Resource":"*","Principal":[]})"),
     "Principal must not be an empty list"},
    {"Principal empty object", with_statement(R"({"Effect":"Allow","Action":"*","Resource":"*","Principal":{}})"),
     "at least one principal"},
    {"Principal unknown kind",
     with_statement(R"({"Effect":"Allow","Action":"*","Resource":"*","Principal":{"AWS":"*"}})"),
     "unknown kind \"AWS\""},
    {"Principal kind value number",
     with_statement(R"({"Effect":"Allow","Action":"*","Resource":"*","Principal":{"RAM":1}})"),
     "Principal.RAM must be"},
    {"Principal kind empty list",
     with_statement(R"({"Effect":"Allow","Action":"*","Resource":"*","Principal":{"RAM":[]}})"),
     "Principal.RAM must not be an empty list"},
    {"Condition a list", with_statement(R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":[]})"),
     "Condition must be an object"},
    {"unknown operator",
     with_statement(R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualz":{"k":"v"}}})"),
     "unknown operator \"StringEqualz\""},
    {"operator wrong case",
     with_statement(R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"stringequals":{"k":"v"}}})"),
     "unknown operator \"stringequals\""},
    {"IfExists not supported",
     with_statement(R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualsIfExists":{"k":"v"}}})"),
     "unknown operator"},
    {"operator block a string",
     with_statement(R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":"v"}})"),
     "must be an object of keys and values"},
    {"operator block empty",
     with_statement(R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{}}})"),
     "at least one key"},
    {"condition empty key",
     with_statement(R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"":"v"}}})"),
     "empty key"},
    {"condition value null",
     with_statement(R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":null}}})"),
     "strings, numbers or booleans"},
    {"condition value object",
     with_statement(R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":{"a":"b"}}}})"),
     "strings, numbers or booleans"},
    {"condition value nested list",
     with_statement(R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":[["a"]]}}})"),
     "strings, numbers or booleans"},
    {"condition empty value list",
     with_statement(R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":[]}}})"),
     "must not be an empty list"},
    {"numeric value not a number",
     with_statement(R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"k":"ten"}}})"),
     "not valid for NumericLessThan"},
    {"date value not a date",
     with_statement(
         R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"acs:CurrentTime":"tomorrow"}}})"),
     "not valid for DateLessThan"},
    {"date value bad month",
     with_statement(
         R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"acs:CurrentTime":"2024-13-01T00:00:00Z"}}})"),
     "not valid for DateLessThan"},
    {"bool value not a bool",
     with_statement(
         R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"acs:SecureTransport":"yes"}}})"),
     "not valid for Bool"},
    {"ip value not an address",
     with_statement(
         R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"acs:SourceIp":"10.0.0.0/33"}}})"),
     "not valid for IpAddress"},
    {"ip value host name",
     with_statement(
         R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"acs:SourceIp":"localhost"}}})"),
     "not valid for NotIpAddress"},
    {"second statement bad",
     R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Maybe","Action":"*","Resource":"*"}]})",
     "Statement[1].Effect"},
};

TEST(PolicyParse, MalformedDocumentsTable) {
  for (const BadCase& c : kBadCases) {
    auto parsed = parse(c.json);
    ASSERT_FALSE(parsed.ok()) << c.name << " was accepted";
    EXPECT_EQ(parsed.error().code, ErrorCode::InvalidPolicyDocument) << c.name;
    EXPECT_NE(parsed.error().message.find(c.message_part), std::string::npos)
        << c.name << ": message was \"" << parsed.error().message << "\"";
  }
}

std::string many_statements(size_t count) {
  std::string text = R"({"Version":"1","Statement":[)";
  for (size_t i = 0; i < count; ++i) {
    if (i) text += ',';
    text += R"({"Effect":"Allow","Action":"oss:GetObject","Resource":"*"})";
  }
  return text + "]}";
}

TEST(PolicyParse, OversizedDocumentIsRefusedWithItsSize) {
  std::string text = many_statements(200);
  ASSERT_GT(text.size(), 6144u);
  auto parsed = parse(text);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::InvalidPolicyDocument);
  EXPECT_NE(parsed.error().message.find(std::to_string(text.size()) + " bytes"), std::string::npos)
      << parsed.error().message;
  EXPECT_NE(parsed.error().message.find("6144"), std::string::npos) << parsed.error().message;
  // The same text within a larger limit parses.
  EXPECT_TRUE(parse(text, ParseLimits{.max_bytes = 1 << 20}).ok());
}

TEST(PolicyParse, SizeLimitIsInclusive) {
  std::string text = R"({"Version":"1","Statement":[]})";
  EXPECT_TRUE(parse(text, ParseLimits{.max_bytes = text.size()}).ok());
  EXPECT_FALSE(parse(text, ParseLimits{.max_bytes = text.size() - 1}).ok());
}

TEST(PolicyParse, MillionStatementsAreRefused) {
  std::string text = R"({"Version":"1","Statement":[)";
  text.reserve(3'000'100);
  for (int i = 0; i < 1'000'000; ++i) text += i ? ",{}" : "{}";
  text += "]}";
  auto by_size = parse(text);
  ASSERT_FALSE(by_size.ok());
  EXPECT_NE(by_size.error().message.find("bytes"), std::string::npos) << by_size.error().message;
}

TEST(PolicyParse, StatementCountLimit) {
  ParseLimits limits{.max_bytes = 1 << 20, .max_statements = 10};
  EXPECT_TRUE(parse(many_statements(10), limits).ok());
  auto parsed = parse(many_statements(11), limits);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("11 statements"), std::string::npos) << parsed.error().message;
}

TEST(PolicyParse, ValueCountLimit) {
  ParseLimits limits{.max_values = 3};
  auto ok = parse(with_statement(R"({"Effect":"Allow","Action":["a:1","a:2","a:3"],"Resource":"*"})"), limits);
  EXPECT_TRUE(ok.ok()) << ok.error().message;
  for (
      const std::string& statement :
      {std::string(R"({"Effect":"Allow","Action":["a:1","a:2","a:3","a:4"],"Resource":"*"})"),
       std::string(R"({"Effect":"Allow","Action":"*","Resource":["1","2","3","4"]})"),
       std::string(R"({"Effect":"Allow","Action":"*","Resource":"*","Principal":["1","2","3","4"]})"),
       std::string(
           R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":["1","2","3","4"]}}})")}) {
    auto parsed = parse(with_statement(statement), limits);
    ASSERT_FALSE(parsed.ok()) << statement;
    EXPECT_NE(parsed.error().message.find("more than the 3 allowed"), std::string::npos) << parsed.error().message;
  }
}

TEST(PolicyParse, DeepNestingIsRefusedBeforeParsing) {
  // A megabyte of brackets: refused by the pre-scan (the size limit is lifted
  // so the nesting check is what answers).
  const ParseLimits big{.max_bytes = 4 << 20};
  auto brackets = parse(std::string(1 << 20, '['), big);
  ASSERT_FALSE(brackets.ok());
  EXPECT_NE(brackets.error().message.find("nests deeper than 10"), std::string::npos) << brackets.error().message;

  auto objects = parse(
      R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":[[[[[["x"]]]]]]}}}]})");
  ASSERT_FALSE(objects.ok());
  EXPECT_NE(objects.error().message.find("nests deeper"), std::string::npos) << objects.error().message;
}

TEST(PolicyParse, NestingLimitIsExactAndIgnoresBracketsInStrings) {
  // Depth 6 is what the deepest legal policy needs (condition value lists).
  const std::string deepest =
      R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":["v"]}}}]})";
  EXPECT_TRUE(parse(deepest, ParseLimits{.max_depth = 6}).ok());
  auto refused = parse(deepest, ParseLimits{.max_depth = 5});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("deeper than 5"), std::string::npos);

  // Brackets and escaped quotes inside strings do not count.
  const std::string in_strings =
      R"({"Version":"1","Statement":[{"Sid":"[[[[{{{{\"[[[[","Effect":"Allow","Action":"*","Resource":"acs:oss:*:*:b/[[[[[[[[[[[[[["}]})";
  auto parsed = parse(in_strings, ParseLimits{.max_depth = 3});
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->statements[0].sid, "[[[[{{{{\"[[[[");
}

}  // namespace
}  // namespace ossd::policy
