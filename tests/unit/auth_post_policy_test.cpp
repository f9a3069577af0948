// PostObject policies: every golden vector of post-policy.public.json
// (ali-oss calculatePostSignature / signPostObjectPolicyV4) signs and
// authenticates, every tampering is refused, and the policy evaluator's
// condition forms behave as tabulated.
#include <gtest/gtest.h>

#include <set>

#include "auth/post_signature.hpp"
#include "auth/v4_signature.hpp"
#include "auth_test_support.hpp"
#include "crypto/base64.hpp"

namespace ossd::auth::test {
namespace {

const SystemTime kVectorNow = parse_iso8601("2024-05-20T08:30:00Z").value();

std::vector<HeaderField> fields_of(const json& object) {
  std::vector<HeaderField> fields;
  for (const auto& [name, value] : object.items()) fields.push_back({name, value.get<std::string>()});
  return fields;
}

void set_field(std::vector<HeaderField>& fields, const std::string& name, const std::string& value) {
  for (auto& f : fields) {
    if (iequals(f.name, name)) {
      f.value = value;
      return;
    }
  }
  fields.push_back({name, value});
}

void remove_field(std::vector<HeaderField>& fields, const std::string& name) {
  std::erase_if(fields, [&](const HeaderField& f) { return iequals(f.name, name); });
}

class PostPolicyVector : public ::testing::TestWithParam<json> {
 protected:
  void SetUp() override {
    const json& c = GetParam();
    options_ = c.at("client_options");
    v4_ = c.at("version") == "v4";
    fields_ = fields_of(c.at("expected").at("form_fields"));
    if (v4_) set_field(fields_, "x-oss-signature", c.at("expected").at("signature").get<std::string>());
    credentials_ = credentials_of(options_);
    settings_ = settings_of(options_);
  }

  Result<PostAuthentication> run(const std::vector<HeaderField>& fields, SystemTime now) const {
    return authenticate_post(fields, credentials_, now, settings_);
  }
  std::string policy_b64() const { return *find_header(fields_, "policy"); }
  std::string signature_field() const { return v4_ ? "x-oss-signature" : "Signature"; }

  json options_;
  bool v4_ = false;
  std::vector<HeaderField> fields_;
  InMemoryCredentials credentials_;
  AuthSettings settings_;
};

TEST_P(PostPolicyVector, PolicyIsTheBase64OfTheJson) {
  EXPECT_EQ(policy_b64(), crypto::base64_encode(GetParam().at("policy_json").get<std::string>()));
}

TEST_P(PostPolicyVector, SignatureMatchesTheSdk) {
  const std::string secret = options_.at("accessKeySecret");
  if (v4_) {
    const std::string region = v4_region(options_.at("region").get<std::string>());
    const std::string expected = GetParam().at("expected").at("signature");
    EXPECT_EQ(post_signature_v4(secret, "20240520", region, policy_b64()), expected);
    EXPECT_TRUE(verify_post_signature_v4(secret, "20240520", region, policy_b64(), expected));
    std::string upper = expected;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_TRUE(verify_post_signature_v4(secret, "20240520", region, policy_b64(), upper));
    EXPECT_FALSE(verify_post_signature_v4(secret, "20240521", region, policy_b64(), expected));
    EXPECT_FALSE(verify_post_signature_v4(secret, "20240520", "cn-shanghai", policy_b64(), expected));
  } else {
    const std::string expected = *find_header(fields_, "Signature");
    EXPECT_EQ(post_signature_v1(secret, policy_b64()), expected);
    EXPECT_TRUE(verify_post_signature_v1(secret, policy_b64(), expected));
    EXPECT_FALSE(verify_post_signature_v1(secret + "x", policy_b64(), expected));
  }
}

TEST_P(PostPolicyVector, AuthenticatesAndDecodesThePolicy) {
  auto result = run(fields_, kVectorNow);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->identity.method, v4_ ? AuthMethod::PostV4 : AuthMethod::PostV1);
  EXPECT_EQ(result->identity.access_key_id, options_.at("accessKeyId").get<std::string>());
  ASSERT_TRUE(result->policy.has_value());
  auto expected = parse_post_policy(GetParam().at("policy_json").get<std::string>());
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(result->policy->expiration, expected->expiration);
  EXPECT_EQ(result->policy->conditions.size(), expected->conditions.size());
}

TEST_P(PostPolicyVector, FieldNamesAreCaseInsensitive) {
  std::vector<HeaderField> fields = fields_;
  for (auto& f : fields) f.name = to_lower(f.name);
  EXPECT_TRUE(run(fields, kVectorNow).ok());
}

TEST_P(PostPolicyVector, TamperedSignatureIsRefused) {
  std::vector<HeaderField> fields = fields_;
  std::string signature = *find_header(fields, signature_field());
  signature[signature.size() / 2] = signature[signature.size() / 2] == 'a' ? 'b' : 'a';
  set_field(fields, signature_field(), signature);
  Error e = expect_error(run(fields, kVectorNow), ErrorCode::SignatureDoesNotMatch, "tampered signature");
  ASSERT_NE(detail(e, "StringToSign"), nullptr);
  EXPECT_EQ(*detail(e, "StringToSign"), policy_b64());
}

TEST_P(PostPolicyVector, TamperedPolicyIsRefused) {
  // A wider policy with the old signature.
  std::vector<HeaderField> fields = fields_;
  set_field(fields, "policy", crypto::base64_encode("{\"expiration\":\"2099-01-01T00:00:00.000Z\",\"conditions\":[]}"));
  expect_error(run(fields, kVectorNow), ErrorCode::SignatureDoesNotMatch, "tampered policy");
}

TEST_P(PostPolicyVector, ExpiredPolicyIsRefused) {
  auto expiration = parse_post_policy(GetParam().at("policy_json").get<std::string>())->expiration;
  EXPECT_TRUE(run(fields_, expiration).ok()) << "valid through the expiration instant";
  Error e = expect_error(run(fields_, expiration + std::chrono::seconds(1)), ErrorCode::AccessDenied, "expired");
  EXPECT_EQ(e.message, "Invalid according to Policy: Policy expired.");
}

TEST_P(PostPolicyVector, UnknownKeyAndWrongSecret) {
  std::vector<HeaderField> fields = fields_;
  if (v4_) {
    std::string credential = *find_header(fields, "x-oss-credential");
    set_field(fields, "x-oss-credential", "LTAI5tSomebodyElse" + credential.substr(credential.find('/')));
  } else {
    set_field(fields, "OSSAccessKeyId", "LTAI5tSomebodyElse");
  }
  expect_error(run(fields, kVectorNow), ErrorCode::InvalidAccessKeyId, "unknown key");

  InMemoryCredentials other;
  other.add(Credential{options_.at("accessKeyId"), "another-secret", "1", "root"});
  expect_error(authenticate_post(fields_, other, kVectorNow, settings_), ErrorCode::SignatureDoesNotMatch,
               "wrong secret");
}

TEST_P(PostPolicyVector, EveryRequiredFieldIsRequired) {
  const std::vector<std::string> required =
      v4_ ? std::vector<std::string>{"x-oss-signature-version", "x-oss-credential", "x-oss-date", "x-oss-signature",
                                     "policy"}
          : std::vector<std::string>{"OSSAccessKeyId", "policy", "Signature"};
  for (const auto& name : required) {
    std::vector<HeaderField> missing = fields_;
    remove_field(missing, name);
    Error e = expect_error(run(missing, kVectorNow), ErrorCode::InvalidArgument, "without " + name);
    ASSERT_NE(detail(e, "ArgumentName"), nullptr) << name;
    EXPECT_TRUE(iequals(*detail(e, "ArgumentName"), name) ||
                (name == "OSSAccessKeyId" && *detail(e, "ArgumentName") == "OSSAccessKeyId"))
        << name << " -> " << *detail(e, "ArgumentName");
    std::vector<HeaderField> empty = fields_;
    set_field(empty, name, "");
    expect_error(run(empty, kVectorNow), ErrorCode::InvalidArgument, "empty " + name);
  }
}

TEST_P(PostPolicyVector, VersionAndScopeChecks) {
  if (!v4_) {
    std::vector<HeaderField> mixed = fields_;
    set_field(mixed, "x-oss-signature-version", "OSS4-HMAC-SHA256");
    expect_error(run(mixed, kVectorNow), ErrorCode::InvalidArgument, "V1 and V4 fields");
    return;
  }
  std::vector<HeaderField> other_day = fields_;
  set_field(other_day, "x-oss-date", "20240521T083000Z");
  expect_error(run(other_day, kVectorNow), ErrorCode::InvalidArgument, "x-oss-date of another day");

  std::vector<HeaderField> other_region = fields_;
  AuthSettings elsewhere = settings_;
  elsewhere.region = "oss-cn-shanghai";
  expect_error(authenticate_post(other_region, credentials_, kVectorNow, elsewhere), ErrorCode::InvalidArgument,
               "credential of another region");

  std::vector<HeaderField> version = fields_;
  set_field(version, "x-oss-signature-version", "OSS2");
  expect_error(run(version, kVectorNow), ErrorCode::InvalidArgument, "unknown version");

  std::vector<HeaderField> mixed = fields_;
  set_field(mixed, "OSSAccessKeyId", "LTAI5tTestAccessKeyId");
  expect_error(run(mixed, kVectorNow), ErrorCode::InvalidArgument, "V1 and V4 fields");
}

INSTANTIATE_TEST_SUITE_P(Vectors, PostPolicyVector, ::testing::ValuesIn(cases_of("post-policy.public.json")),
                         case_name);

TEST(PostPolicyVectors, AllFiveCasesAreCovered) { EXPECT_EQ(cases_of("post-policy.public.json").size(), 5u); }

// ----------------------------------------------------------- authenticate_post

TEST(AuthenticatePost, UnsignedFormIsAnonymous) {
  InMemoryCredentials none;
  auto result = authenticate_post({{"key", "a"}, {"success_action_status", "201"}}, none, kVectorNow, {});
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->identity.anonymous());
  EXPECT_FALSE(result->policy);
}

TEST(AuthenticatePost, PolicyWithoutSignatureIsRefused) {
  InMemoryCredentials none;
  expect_error(authenticate_post({{"key", "a"}, {"policy", "e30="}}, none, kVectorNow, {}), ErrorCode::InvalidArgument,
               "policy alone");
}

TEST(AuthenticatePost, SignedGarbagePolicyIsAnInvalidPolicyDocument) {
  InMemoryCredentials credentials;
  credentials.add(Credential{"AK", "secret", "1", "root"});
  for (std::string policy :
       {std::string("not base64!"), crypto::base64_encode("not json"), crypto::base64_encode("{\"conditions\":[]}")}) {
    std::vector<HeaderField> fields{
        {"OSSAccessKeyId", "AK"}, {"policy", policy}, {"Signature", post_signature_v1("secret", policy)}};
    expect_error(authenticate_post(fields, credentials, kVectorNow, {}), ErrorCode::InvalidPolicyDocument, policy);
  }
}

TEST(AuthenticatePost, SecurityTokenReachesTheLookup) {
  // Until STS exists an STS key id is unknown whatever the token says.
  InMemoryCredentials credentials;
  const std::string policy = crypto::base64_encode("{\"expiration\":\"2099-01-01T00:00:00Z\",\"conditions\":[]}");
  std::vector<HeaderField> fields{{"OSSAccessKeyId", "STS.NTestTemporaryKey"},
                                  {"policy", policy},
                                  {"Signature", post_signature_v1("whatever", policy)},
                                  {"x-oss-security-token", "CAIS-token"}};
  expect_error(authenticate_post(fields, credentials, kVectorNow, {}), ErrorCode::InvalidAccessKeyId, "sts");
}

// ------------------------------------------------------------ policy parsing

TEST(PostPolicyParse, EveryConditionForm) {
  auto policy = parse_post_policy(R"({"expiration":"2024-05-20T09:30:00.000Z","conditions":[
      {"bucket":"examplebucket"},
      {"x-oss-meta-a":"1","Content-Type":"text/plain"},
      ["eq","$success_action_status","201"],
      ["starts-with","$key","user/"],
      ["content-length-range",1,"1024"],
      ["in","$content-type",["image/jpeg","image/png"]],
      ["not-in","$x-oss-object-acl",["public-read-write"]],
      ["EQ","$Cache-Control",7]]})");
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(policy->expiration, parse_iso8601("2024-05-20T09:30:00Z").value());
  using Kind = PostPolicyCondition::Kind;
  const auto& c = policy->conditions;
  ASSERT_EQ(c.size(), 9u);
  EXPECT_EQ(c[0].kind, Kind::Eq);
  EXPECT_EQ(c[0].field, "bucket");
  // One condition per member of a multi-member object; names lower-cased.
  EXPECT_EQ((std::set<std::string>{c[1].field, c[2].field}), (std::set<std::string>{"x-oss-meta-a", "content-type"}));
  EXPECT_EQ(c[3].values, std::vector<std::string>{"201"});
  EXPECT_EQ(c[4].kind, Kind::StartsWith);
  EXPECT_EQ(c[4].field, "key");
  EXPECT_EQ(c[5].kind, Kind::ContentLengthRange);
  EXPECT_EQ(c[5].min, 1u);
  EXPECT_EQ(c[5].max, 1024u);
  EXPECT_EQ(c[6].kind, Kind::In);
  EXPECT_EQ(c[6].values, (std::vector<std::string>{"image/jpeg", "image/png"}));
  EXPECT_EQ(c[7].kind, Kind::NotIn);
  EXPECT_EQ(c[8].values, std::vector<std::string>{"7"});
}

TEST(PostPolicyParse, InvalidDocuments) {
  const char* rows[] = {
      "",
      "[]",
      "not json",
      R"({"conditions":[]})",
      R"({"expiration":"tomorrow","conditions":[]})",
      R"({"expiration":20240520,"conditions":[]})",
      R"({"expiration":"2024-05-20T09:30:00Z"})",
      R"({"expiration":"2024-05-20T09:30:00Z","conditions":{}})",
      R"({"expiration":"2024-05-20T09:30:00Z","conditions":["key"]})",
      R"({"expiration":"2024-05-20T09:30:00Z","conditions":[[]]})",
      R"({"expiration":"2024-05-20T09:30:00Z","conditions":[["matches","$key","a.*"]]})",
      R"({"expiration":"2024-05-20T09:30:00Z","conditions":[["eq","$key"]]})",
      R"({"expiration":"2024-05-20T09:30:00Z","conditions":[["eq","$key","a","b"]]})",
      R"({"expiration":"2024-05-20T09:30:00Z","conditions":[["eq","$","a"]]})",
      R"({"expiration":"2024-05-20T09:30:00Z","conditions":[["eq","$key",["a"]]]})",
      R"({"expiration":"2024-05-20T09:30:00Z","conditions":[["in","$key","a"]]})",
      R"({"expiration":"2024-05-20T09:30:00Z","conditions":[["in","$key",[{"a":1}]]]})",
      R"({"expiration":"2024-05-20T09:30:00Z","conditions":[["content-length-range",10,1]]})",
      R"({"expiration":"2024-05-20T09:30:00Z","conditions":[["content-length-range",-1,1]]})",
      R"({"expiration":"2024-05-20T09:30:00Z","conditions":[["content-length-range",0]]})",
      R"({"expiration":"2024-05-20T09:30:00Z","conditions":[["content-length-range","a",1]]})",
      R"({"expiration":"2024-05-20T09:30:00Z","conditions":[{"key":null}]})",
      R"({"expiration":"2024-05-20T09:30:00Z","conditions":[{"":"x"}]})",
  };
  for (const char* row : rows) {
    auto policy = parse_post_policy(row);
    ASSERT_FALSE(policy.ok()) << row;
    EXPECT_EQ(policy.error().code, ErrorCode::InvalidPolicyDocument) << row;
    EXPECT_TRUE(policy.error().message.starts_with("Invalid Policy: ")) << policy.error().message;
  }
}

// --------------------------------------------------------- policy evaluation

TEST(PostPolicyConditions, Table) {
  const std::vector<HeaderField> form = {{"bucket", "examplebucket"},
                                         {"key", "user/alice/photo.jpg"},
                                         {"Content-Type", "image/png"},
                                         {"success_action_status", "201"},
                                         {"x-oss-meta-Owner", "alice"}};
  struct Row {
    const char* condition;
    bool passes;
  };
  const Row rows[] = {
      {R"({"bucket":"examplebucket"})", true},
      {R"({"bucket":"otherbucket"})", false},
      {R"({"BUCKET":"examplebucket"})", true},
      {R"(["eq","$key","user/alice/photo.jpg"])", true},
      {R"(["eq","$key","user/alice/PHOTO.jpg"])", false},  // values are case-sensitive
      {R"(["eq","$success_action_status",201])", true},
      {R"(["starts-with","$key","user/alice/"])", true},
      {R"(["starts-with","$key","user/bob/"])", false},
      {R"(["starts-with","$key",""])", true},
      {R"(["starts-with","$content-type","image/"])", true},
      {R"(["in","$content-type",["image/jpeg","image/png"]])", true},
      {R"(["in","$content-type",["image/jpeg"]])", false},
      {R"(["in","$content-type",[]])", false},
      {R"(["not-in","$content-type",["text/html"]])", true},
      {R"(["not-in","$content-type",["image/png"]])", false},
      {R"(["eq","$x-oss-meta-owner","alice"])", true},
      // A field the form lacks counts as empty.
      {R"(["eq","$cache-control",""])", true},
      {R"(["eq","$cache-control","no-cache"])", false},
      {R"(["starts-with","$success_action_redirect","https://app/"])", false},
      {R"(["in","$x-oss-object-acl",["private"]])", false},
      {R"(["not-in","$x-oss-object-acl",["public-read-write"]])", true},
      // Checked elsewhere: never fails here.
      {R"(["content-length-range",0,1])", true},
  };
  for (const Row& row : rows) {
    auto policy =
        parse_post_policy(std::string(R"({"expiration":"2099-01-01T00:00:00Z","conditions":[)") + row.condition + "]}");
    ASSERT_TRUE(policy.ok()) << row.condition << ": " << policy.error().message;
    Status checked = check_post_policy_conditions(*policy, form);
    EXPECT_EQ(checked.ok(), row.passes) << row.condition;
    if (!checked.ok()) {
      EXPECT_EQ(checked.error().code, ErrorCode::AccessDenied);
      EXPECT_TRUE(checked.error().message.starts_with("Invalid according to Policy: Policy Condition failed: "))
          << checked.error().message;
    }
  }
}

TEST(PostPolicyConditions, EveryConditionIsEnforcedNotJustTheFirst) {
  auto policy = parse_post_policy(R"({"expiration":"2099-01-01T00:00:00Z","conditions":[
      {"bucket":"b"},["starts-with","$key","a/"],["eq","$x-oss-object-acl","private"]]})");
  ASSERT_TRUE(policy.ok());
  EXPECT_TRUE(
      check_post_policy_conditions(*policy, {{"bucket", "b"}, {"key", "a/1"}, {"x-oss-object-acl", "private"}}));
  auto third =
      check_post_policy_conditions(*policy, {{"bucket", "b"}, {"key", "a/1"}, {"x-oss-object-acl", "public-read"}});
  ASSERT_FALSE(third.ok());
  EXPECT_NE(third.error().message.find("x-oss-object-acl"), std::string::npos) << third.error().message;
}

TEST(PostPolicyContentLength, RangesIntersectAndBoundsAreInclusive) {
  auto policy = parse_post_policy(R"({"expiration":"2099-01-01T00:00:00Z","conditions":[
      ["content-length-range",10,1000],["content-length-range",5,100]]})");
  ASSERT_TRUE(policy.ok());
  auto range = post_content_length_range(*policy);
  ASSERT_TRUE(range);
  EXPECT_EQ(range->first, 10u);
  EXPECT_EQ(range->second, 100u);
  EXPECT_TRUE(check_post_content_length(*policy, 10));
  EXPECT_TRUE(check_post_content_length(*policy, 100));
  auto small = check_post_content_length(*policy, 9);
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(small.error().code, ErrorCode::EntityTooSmall);
  auto large = check_post_content_length(*policy, 101);
  ASSERT_FALSE(large.ok());
  EXPECT_EQ(large.error().code, ErrorCode::EntityTooLarge);

  auto none = parse_post_policy(R"({"expiration":"2099-01-01T00:00:00Z","conditions":[]})");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(post_content_length_range(*none));
  EXPECT_TRUE(check_post_content_length(*none, UINT64_MAX));
}

TEST(PostPolicyExpiration, ExpiredOnlyAfterTheInstant) {
  auto policy = parse_post_policy(R"({"expiration":"2024-05-20T09:30:00.000Z","conditions":[]})");
  ASSERT_TRUE(policy.ok());
  const SystemTime at = parse_iso8601("2024-05-20T09:30:00Z").value();
  EXPECT_TRUE(check_post_policy_expiration(*policy, at - std::chrono::hours(1)));
  EXPECT_TRUE(check_post_policy_expiration(*policy, at));
  auto expired = check_post_policy_expiration(*policy, at + std::chrono::milliseconds(1));
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, ErrorCode::AccessDenied);
  EXPECT_EQ(expired.error().message, "Invalid according to Policy: Policy expired.");
}

}  // namespace
}  // namespace ossd::auth::test
