// The headers the client signs its own requests with must equal ali-oss's
// for every v1-header and v4-header vector: given the request ali-oss sent
// (without the headers signing adds), sign_request must add the same
// x-oss-date and Authorization.
#include <gtest/gtest.h>

#include "auth_test_support.hpp"
#include "client_test_support.hpp"
#include "ossd/signing.hpp"

namespace ossd::client::test {
namespace {

using auth::test::ServerRequest;

// The parameter: file name and case.
using Case = std::pair<std::string, ordered_json>;

std::vector<Case> header_cases() {
  std::vector<Case> cases;
  for (const std::string file : {"v1-header.public.json", "v4-header.public.json"}) {
    for (const auto& c : cases_of(file)) cases.emplace_back(file, c);
  }
  return cases;
}

std::string header_case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string name = info.param.first.substr(0, 2) + "_" + info.param.second.at("id").get<std::string>();
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

class HeaderVector : public ::testing::TestWithParam<Case> {};

TEST_P(HeaderVector, SignRequestAddsTheSdkHeaders) {
  const ordered_json& c = GetParam().second;
  const ordered_json& options = c.at("client_options");
  const ordered_json& sent = c.at("request");

  // What the caller hands to sign_request: everything but the headers it adds.
  std::vector<HeaderField> headers;
  std::string sdk_date;
  for (const auto& [name, value] : sent.at("headers").items()) {
    const std::string lower = to_lower(name);
    if (lower == "x-oss-date") sdk_date = value.get<std::string>();
    if (lower == "authorization" || lower == "x-oss-date" || lower == "x-oss-security-token" ||
        lower == "x-oss-content-sha256") {
      continue;
    }
    headers.push_back({name, value.get<std::string>()});
  }
  // The Host header (node's override for IP endpoints) names the bucket;
  // it is not signed.
  ServerRequest resolved = auth::test::resolve(nlohmann::json::parse(options.dump()), sent.at("url").get<std::string>(),
                                               sent.at("method").get<std::string>(), headers);
  resolved.remove_header("host");
  RequestToSign request{resolved.method, resolved.bucket, resolved.key, resolved.query, resolved.headers};

  const SignatureVersion version =
      options.value("authorizationV4", false) ? SignatureVersion::V4 : SignatureVersion::V1;
  sign_request(request, credentials_of(options), version, options.value("region", std::string("oss-cn-hangzhou")),
               time_of(c.at("now")));

  auto value_of = [&](std::string_view name) -> std::string {
    const std::string* value = auth::find_header(request.headers, name);
    return value ? *value : "<missing>";
  };
  EXPECT_EQ(value_of("Authorization"), c.at("expected").at("authorization").get<std::string>());
  EXPECT_EQ(value_of("x-oss-date"), sdk_date);
  if (options.contains("stsToken")) {
    EXPECT_EQ(value_of("x-oss-security-token"), options.at("stsToken").get<std::string>());
  }
  if (version == SignatureVersion::V4) {
    EXPECT_EQ(value_of("x-oss-content-sha256"), "UNSIGNED-PAYLOAD");
  }
}

INSTANTIATE_TEST_SUITE_P(Vectors, HeaderVector, ::testing::ValuesIn(header_cases()), header_case_name);

TEST(SignRequest, ReplacesStaleSigningHeaders) {
  RequestToSign request{"GET", "b", "k", {}, {{"authorization", "old"}, {"X-OSS-Date", "old"}}};
  sign_request(request, {"id", "secret", ""}, SignatureVersion::V1, "oss-cn-hangzhou", from_unix_seconds(1716193800));
  int dates = 0, authorizations = 0;
  for (const auto& h : request.headers) {
    dates += iequals(h.name, "x-oss-date");
    authorizations += iequals(h.name, "authorization");
  }
  EXPECT_EQ(dates, 1);
  EXPECT_EQ(authorizations, 1);
  EXPECT_EQ(*auth::find_header(request.headers, "x-oss-date"), "Mon, 20 May 2024 08:30:00 GMT");
}

}  // namespace
}  // namespace ossd::client::test
