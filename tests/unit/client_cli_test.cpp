// ossctl's pieces that need no server: oss:// arguments, where settings
// come from, and how sign maps its flags onto the signing options.
#include <gtest/gtest.h>

#include <map>

#include "cli/commands.hpp"
#include "cli/oss_uri.hpp"
#include "cli/settings.hpp"

namespace ossd::cli {
namespace {

TEST(OssUri, SplitsBucketAndKey) {
  auto uri = parse_oss_uri("oss://bkt/dir/a b.txt").value();
  EXPECT_EQ(uri.bucket, "bkt");
  EXPECT_EQ(uri.key, "dir/a b.txt");
  EXPECT_EQ(parse_oss_uri("oss://bkt").value().key, "");
  EXPECT_EQ(parse_oss_uri("OSS://bkt/").value().key, "");
  EXPECT_FALSE(parse_oss_uri("s3://bkt/k").ok());
  EXPECT_FALSE(parse_oss_uri("oss:///k").ok());
}

struct FakeEnv {
  std::map<std::string, std::string, std::less<>> vars;
  std::optional<std::string> operator()(std::string_view name) const {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  }
};

TEST(ResolveSettings, FlagsBeatEnvironmentWhichBeatsTheConfigFile) {
  FakeEnv env{{{"OSS_ACCESS_KEY_ID", "env-id"}, {"OSS_ENDPOINT", "http://env:1"}, {"OSS_SESSION_TOKEN", "env-token"}}};
  std::vector<ConfigEntry> config = {{"", "endpoint", "http://file:1"},
                                     {"default", "access_key_id", "file-id"},
                                     {"Credentials", "accessKeySecret", "file-secret"},
                                     {"default", "region", "oss-cn-beijing"},
                                     {"other", "bogus", "ignored: other sections are not ossctl's"}};
  auto settings = resolve_settings({{"--endpoint", "http://flag:1"}}, env, config).value();
  EXPECT_EQ(settings.endpoint, "http://flag:1");
  EXPECT_EQ(settings.access_key_id, "env-id");
  EXPECT_EQ(settings.access_key_secret, "file-secret");
  EXPECT_EQ(settings.sts_token, "env-token");
  EXPECT_EQ(settings.region, "oss-cn-beijing");
  EXPECT_FALSE(settings.path_style);
}

TEST(ResolveSettings, RejectsUnknownKeysAndBadValues) {
  FakeEnv env;
  EXPECT_FALSE(resolve_settings({}, env, {{"", "endpiont", "x"}}).ok());
  EXPECT_FALSE(resolve_settings({}, env, {{"", "path-style", "maybe"}}).ok());
  EXPECT_FALSE(resolve_settings({{"--signature-version", "3"}}, env, {}).ok());
  EXPECT_FALSE(resolve_settings({{"--path-style", "true"}, {"--cname", "true"}}, env, {}).ok());
  EXPECT_TRUE(resolve_settings({}, env, {{"Credentials", "language", "EN"}}).ok());
}

TEST(ClientOptionsOfSettings, ChoosesTheAddressingStyle) {
  Settings settings;
  EXPECT_EQ(client_options(settings).style, client::AddressingStyle::Auto);
  settings.path_style = true;
  EXPECT_EQ(client_options(settings).style, client::AddressingStyle::Path);
  settings.signature_version = 4;
  EXPECT_EQ(client_options(settings).signature_version, client::SignatureVersion::V4);
}

Settings signer() {
  Settings settings;
  settings.endpoint = "http://localhost:9000";
  settings.access_key_id = "id";
  settings.access_key_secret = "secret";
  return settings;
}

TEST(SignUrl, V1BindsOnlyOssHeaders) {
  SignArgs args;
  args.uri = "oss://bkt/k";
  args.headers = {"x-oss-meta-a=b"};
  EXPECT_TRUE(sign_url(signer(), args, from_unix_seconds(1716193800)).ok());
  args.headers = {"Cache-Control=no-cache"};
  auto refused = sign_url(signer(), args, from_unix_seconds(1716193800));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::InvalidArgument);
}

TEST(SignUrl, V4SignsOtherHeadersAsAdditionalHeaders) {
  SignArgs args;
  args.uri = "oss://bkt/k";
  args.v4 = true;
  args.headers = {"Cache-Control: no-cache", "x-oss-meta-a=b"};
  auto url = sign_url(signer(), args, from_unix_seconds(1716193800));
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_TRUE(url->starts_with("http://bkt.localhost:9000/k?x-oss-additional-headers=cache-control&")) << *url;
}

TEST(SignUrl, NeedsCredentialsAndAPositiveExpiry) {
  SignArgs args;
  args.uri = "oss://bkt/k";
  EXPECT_FALSE(sign_url(Settings{}, args, from_unix_seconds(0)).ok());
  args.expires = 0;
  EXPECT_FALSE(sign_url(signer(), args, from_unix_seconds(0)).ok());
}

}  // namespace
}  // namespace ossd::cli
