// Every case of post-policy (ali-oss@6.23.0 calculatePostSignature and
// signPostObjectPolicyV4): identical form fields and signatures.
#include <gtest/gtest.h>

#include "client_test_support.hpp"
#include "ossd/signing.hpp"

namespace ossd::client::test {
namespace {

class PostPolicy : public ::testing::TestWithParam<ordered_json> {};

TEST_P(PostPolicy, MatchesAliOss) {
  const ordered_json& c = GetParam();
  const ordered_json& options = c.at("client_options");
  const Credentials credentials = credentials_of(options);
  const std::string policy = c.at("policy_json").get<std::string>();
  const ordered_json& expected = c.at("expected");
  const ordered_json& fields = expected.at("form_fields");

  // ali-oss re-serializes the policy (JSON.stringify(JSON.parse(...))), so
  // the same policy laid out differently must sign identically.
  const std::string reformatted = ordered_json::parse(policy).dump(2);
  ASSERT_NE(reformatted, policy);

  if (c.at("version") == "v1") {
    for (const std::string& text : {policy, reformatted}) {
      auto signed_policy = calculate_post_signature(credentials, text);
      ASSERT_TRUE(signed_policy.ok()) << signed_policy.error().message;
      EXPECT_EQ(signed_policy->access_key_id, fields.at("OSSAccessKeyId").get<std::string>());
      EXPECT_EQ(signed_policy->policy, fields.at("policy").get<std::string>());
      EXPECT_EQ(signed_policy->signature, fields.at("Signature").get<std::string>());
      EXPECT_EQ(signed_policy->security_token, "");
    }
    return;
  }

  const std::string region = options.at("region").get<std::string>();
  const SystemTime date = time_of(c.at("date"));
  for (const std::string& text : {policy, reformatted}) {
    auto signature = sign_post_object_policy_v4(credentials, region, text, date);
    ASSERT_TRUE(signature.ok()) << signature.error().message;
    EXPECT_EQ(*signature, expected.at("signature").get<std::string>());

    auto form = post_form_v4(credentials, region, text, date);
    ASSERT_TRUE(form.ok()) << form.error().message;
    EXPECT_EQ(form->policy, fields.at("policy").get<std::string>());
    EXPECT_EQ(form->signature, fields.at("x-oss-signature").get<std::string>());
    EXPECT_EQ(form->credential, fields.at("x-oss-credential").get<std::string>());
    EXPECT_EQ(form->date, fields.at("x-oss-date").get<std::string>());
    EXPECT_EQ(form->signature_version, fields.at("x-oss-signature-version").get<std::string>());
  }
  EXPECT_EQ(post_policy_v4_credential(credentials, region, date), fields.at("x-oss-credential").get<std::string>());
}

INSTANTIATE_TEST_SUITE_P(Vectors, PostPolicy, ::testing::ValuesIn(cases_of("post-policy.public.json")), case_name);

TEST(PostPolicyJson, NumbersAndTextAreSerializedLikeJsonStringify) {
  const Credentials credentials{"id", "secret", "token"};
  // JSON.stringify(JSON.parse('{"a": 1.0, "b": "é\\n", "c": [1e3]}')) === '{"a":1,"b":"é\\n","c":[1000]}'
  auto from_text = calculate_post_signature(credentials, R"({"a": 1.0, "b": "é\n", "c": [1e3]})");
  auto canonical = calculate_post_signature(credentials, R"({"a":1,"b":"é\n","c":[1000]})");
  ASSERT_TRUE(from_text.ok() && canonical.ok());
  EXPECT_EQ(from_text->policy, canonical->policy);
  EXPECT_EQ(from_text->signature, canonical->signature);
  EXPECT_EQ(from_text->security_token, "token");
}

TEST(PostPolicyJson, TextThatIsNotJsonIsRejected) {
  auto result = calculate_post_signature({"id", "secret", ""}, "{\"expiration\":");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::InvalidArgument);
  EXPECT_FALSE(sign_post_object_policy_v4({"id", "secret", ""}, "oss-cn-hangzhou", "nope", from_unix_seconds(0)).ok());
}

}  // namespace
}  // namespace ossd::client::test
