// Bucket CORS: the <CORSConfiguration> codec and its validation, the
// preflight / actual-request matching tables, and the route table entries.
#include <gtest/gtest.h>

#include <map>

#include "api/operation.hpp"
#include "oss/cors.hpp"

namespace ossd::oss {
namespace {

std::string rule_xml(std::string inner) { return "<CORSRule>" + inner + "</CORSRule>"; }

std::string config_xml(std::string rules, std::string tail = {}) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CORSConfiguration>" + rules + tail + "</CORSConfiguration>";
}

std::map<std::string, std::string> as_map(const std::vector<HeaderField>& headers) {
  std::map<std::string, std::string> out;
  for (const auto& h : headers) {
    EXPECT_TRUE(out.emplace(h.name, h.value).second) << "duplicate header " << h.name;
  }
  return out;
}

CorsConfiguration parse_ok(const std::string& xml) {
  auto parsed = parse_cors_configuration(xml);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message) << "\n" << xml;
  return parsed.ok() ? parsed.value() : CorsConfiguration{};
}

// ------------------------------------------------------------------ parsing

TEST(CorsConfig, ParsesWhatAliOssSends) {
  // putBucketCORS writes exactly this shape (no ResponseVary, values unescaped).
  const std::string xml = config_xml(
      rule_xml("<AllowedOrigin>https://app.example.com</AllowedOrigin><AllowedOrigin>http://*.example.org"
               "</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>put</AllowedMethod>"
               "<AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><ExposeHeader>x-oss-request-id"
               "</ExposeHeader><MaxAgeSeconds>600</MaxAgeSeconds>") +
      rule_xml("<AllowedOrigin>*</AllowedOrigin><AllowedMethod>HEAD</AllowedMethod>"));
  CorsConfiguration config = parse_ok(xml);
  ASSERT_EQ(config.rules.size(), 2u);
  const CorsRule& first = config.rules[0];
  EXPECT_EQ(first.allowed_origins, (std::vector<std::string>{"https://app.example.com", "http://*.example.org"}));
  EXPECT_EQ(first.allowed_methods, (std::vector<std::string>{"GET", "PUT"}));  // upper-cased
  EXPECT_EQ(first.allowed_headers, (std::vector<std::string>{"*"}));
  EXPECT_EQ(first.expose_headers, (std::vector<std::string>{"ETag", "x-oss-request-id"}));
  EXPECT_EQ(first.max_age_seconds, 600u);
  EXPECT_FALSE(config.rules[1].max_age_seconds.has_value());
  EXPECT_FALSE(config.response_vary);
}

TEST(CorsConfig, RenderedDocumentParsesBackUnchanged) {
  CorsConfiguration config;
  config.response_vary = true;
  config.rules.push_back(
      CorsRule{{"https://a.example", "http://*:8080"}, {"GET", "POST"}, {"x-oss-*", "authorization"}, {"ETag"}, 30});
  config.rules.push_back(CorsRule{{"*"}, {"DELETE"}, {}, {}, std::nullopt});
  const std::string xml = render_cors_configuration(config);
  EXPECT_NE(xml.find("<ResponseVary>true</ResponseVary>"), std::string::npos) << xml;
  CorsConfiguration back = parse_ok(xml);
  ASSERT_EQ(back.rules.size(), 2u);
  EXPECT_TRUE(back.response_vary);
  EXPECT_EQ(back.rules[0].allowed_origins, config.rules[0].allowed_origins);
  EXPECT_EQ(back.rules[0].allowed_methods, config.rules[0].allowed_methods);
  EXPECT_EQ(back.rules[0].allowed_headers, config.rules[0].allowed_headers);
  EXPECT_EQ(back.rules[0].expose_headers, config.rules[0].expose_headers);
  EXPECT_EQ(back.rules[0].max_age_seconds, 30u);
  EXPECT_EQ(back.rules[1].allowed_methods, (std::vector<std::string>{"DELETE"}));
  EXPECT_EQ(render_cors_configuration(back), xml);
}

TEST(CorsConfig, ResponseVaryAndBlanksAroundValues) {
  CorsConfiguration config = parse_ok(config_xml(
      rule_xml("<AllowedOrigin>\n  https://x.example \n</AllowedOrigin><AllowedMethod> GET </AllowedMethod>"),
      "<ResponseVary>TRUE</ResponseVary>"));
  EXPECT_TRUE(config.response_vary);
  EXPECT_EQ(config.rules.at(0).allowed_origins.at(0), "https://x.example");
  EXPECT_EQ(config.rules.at(0).allowed_methods.at(0), "GET");
}

TEST(CorsConfig, TenRulesAllowedElevenNot) {
  std::string ten;
  for (int i = 0; i < 10; ++i) ten += rule_xml("<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>");
  EXPECT_EQ(parse_ok(config_xml(ten)).rules.size(), 10u);
  auto eleven = parse_cors_configuration(
      config_xml(ten + rule_xml("<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>")));
  ASSERT_FALSE(eleven.ok());
  EXPECT_EQ(eleven.error().code, ErrorCode::InvalidArgument);
}

TEST(CorsConfig, InvalidDocumentsAreRejected) {
  const std::string ok_rule = "<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>";
  struct Row {
    const char* what;
    std::string body;
    ErrorCode code;
  };
  const Row rows[] = {
      {"not xml", "<CORSConfiguration><CORSRule>", ErrorCode::MalformedXML},
      {"wrong root", "<Cors>" + rule_xml(ok_rule) + "</Cors>", ErrorCode::MalformedXML},
      {"doctype", "<!DOCTYPE x [<!ENTITY e \"y\">]>" + config_xml(rule_xml(ok_rule)).substr(39),
       ErrorCode::MalformedXML},
      {"no rules", config_xml(""), ErrorCode::MalformedXML},
      {"no origin", config_xml(rule_xml("<AllowedMethod>GET</AllowedMethod>")), ErrorCode::MalformedXML},
      {"no method", config_xml(rule_xml("<AllowedOrigin>*</AllowedOrigin>")), ErrorCode::MalformedXML},
      {"unknown method", config_xml(rule_xml("<AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod>")),
       ErrorCode::InvalidArgument},
      {"options is not a rule method",
       config_xml(rule_xml("<AllowedOrigin>*</AllowedOrigin><AllowedMethod>OPTIONS</AllowedMethod>")),
       ErrorCode::InvalidArgument},
      {"two stars in origin",
       config_xml(rule_xml("<AllowedOrigin>http://*.*.example</AllowedOrigin><AllowedMethod>GET</AllowedMethod>")),
       ErrorCode::InvalidArgument},
      {"two stars in header", config_xml(rule_xml(ok_rule + "<AllowedHeader>x-*-*</AllowedHeader>")),
       ErrorCode::InvalidArgument},
      {"star in expose header", config_xml(rule_xml(ok_rule + "<ExposeHeader>x-oss-*</ExposeHeader>")),
       ErrorCode::InvalidArgument},
      {"empty origin", config_xml(rule_xml("<AllowedOrigin></AllowedOrigin><AllowedMethod>GET</AllowedMethod>")),
       ErrorCode::InvalidArgument},
      {"control character in expose header",
       config_xml(rule_xml(ok_rule + "<ExposeHeader>ETag&#13;&#10;Set-Cookie: a=b</ExposeHeader>")),
       ErrorCode::InvalidArgument},
      {"space inside a value", config_xml(rule_xml(ok_rule + "<AllowedHeader>a b</AllowedHeader>")),
       ErrorCode::InvalidArgument},
      {"non-ascii origin",
       config_xml(rule_xml("<AllowedOrigin>http://\xc3\xa9.example</AllowedOrigin><AllowedMethod>GET</AllowedMethod>")),
       ErrorCode::InvalidArgument},
      {"max age not a number", config_xml(rule_xml(ok_rule + "<MaxAgeSeconds>-1</MaxAgeSeconds>")),
       ErrorCode::InvalidArgument},
      {"two max ages",
       config_xml(rule_xml(ok_rule + "<MaxAgeSeconds>1</MaxAgeSeconds><MaxAgeSeconds>2</MaxAgeSeconds>")),
       ErrorCode::InvalidArgument},
      {"bad response vary", config_xml(rule_xml(ok_rule), "<ResponseVary>yes</ResponseVary>"),
       ErrorCode::InvalidArgument},
  };
  for (const Row& row : rows) {
    auto parsed = parse_cors_configuration(row.body);
    ASSERT_FALSE(parsed.ok()) << row.what;
    EXPECT_EQ(parsed.error().code, row.code) << row.what << ": " << parsed.error().message;
  }
}

TEST(CorsConfig, OversizedBodyIsMalformed) {
  std::string huge =
      config_xml(rule_xml("<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"
                          "<AllowedHeader>" +
                          std::string(70000, 'a') + "</AllowedHeader>"));
  auto parsed = parse_cors_configuration(huge);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::MalformedXML);
}

// ----------------------------------------------------------------- wildcards

TEST(CorsWildcard, Table) {
  struct Row {
    const char* pattern;
    const char* text;
    bool case_insensitive;
    bool match;
  };
  const Row rows[] = {
      {"*", "", false, true},
      {"*", "https://anything", false, true},
      {"https://a.example", "https://a.example", false, true},
      {"https://a.example", "https://a.example.evil", false, false},
      {"https://a.example", "https://A.example", false, false},
      {"https://*.example", "https://x.example", false, true},
      {"https://*.example", "https://x.y.example", false, true},
      {"https://*.example", "https://.example", false, true},
      {"https://*.example", "https://example", false, false},  // prefix and suffix overlap
      {"https://*.example", "http://x.example", false, false},
      {"https://*.example", "https://x.example.evil", false, false},
      {"http://localhost:*", "http://localhost:3000", false, true},
      {"*.example", "evil-example", false, false},
      {"x-oss-*", "X-OSS-Meta-A", true, true},
      {"x-oss-*", "X-OSS-Meta-A", false, false},
      {"Content-Type", "content-type", true, true},
      {"a*", "a", true, true},
      {"*a", "ba", true, true},
      {"*a", "ab", true, false},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(cors_wildcard_match(row.pattern, row.text, row.case_insensitive), row.match)
        << row.pattern << " vs " << row.text;
  }
}

// ------------------------------------------------------------------ matching

CorsConfiguration sample_config() {
  CorsConfiguration config;
  // 0: one app origin, uploads with the headers the browser SDK sends
  config.rules.push_back(CorsRule{{"https://app.example.com"},
                                  {"GET", "PUT", "POST", "DELETE", "HEAD"},
                                  {"authorization", "content-type", "content-md5", "x-oss-*", "range"},
                                  {"ETag", "x-oss-request-id"},
                                  600});
  // 1: any subdomain of example.org may read, any header
  config.rules.push_back(CorsRule{{"https://*.example.org"}, {"GET"}, {"*"}, {}, std::nullopt});
  // 2: anyone may HEAD
  config.rules.push_back(CorsRule{{"*"}, {"HEAD"}, {}, {"Content-Length"}, 5});
  return config;
}

TEST(CorsPreflight, MatchingTable) {
  const CorsConfiguration config = sample_config();
  struct Row {
    const char* what;
    const char* origin;
    const char* method;
    const char* headers;
    std::optional<const char*> allow_origin;  // nullopt = refused
  };
  const Row rows[] = {
      {"exact origin, plain GET", "https://app.example.com", "GET", "", "https://app.example.com"},
      {"exact origin, SDK headers", "https://app.example.com", "PUT",
       "authorization, content-type, x-oss-date, x-oss-meta-a", "https://app.example.com"},
      {"header names are case-insensitive", "https://app.example.com", "PUT", "Authorization,X-OSS-Date",
       "https://app.example.com"},
      {"a header the rule does not allow", "https://app.example.com", "PUT", "authorization, x-evil", std::nullopt},
      {"method not in any matching rule", "https://app.example.com", "PATCH", "", std::nullopt},
      {"origin differs by scheme", "http://app.example.com", "GET", "", std::nullopt},
      {"origin with a suffix", "https://app.example.com.evil.net", "GET", "", std::nullopt},
      {"wildcard origin, star headers", "https://cdn.example.org", "GET", "x-anything, y", "https://cdn.example.org"},
      {"wildcard origin, method not allowed", "https://cdn.example.org", "PUT", "", std::nullopt},
      {"star rule answers star", "https://elsewhere.net", "HEAD", "", "*"},
      {"star rule has no headers", "https://elsewhere.net", "HEAD", "authorization", std::nullopt},
      {"method is case-sensitive", "https://app.example.com", "get", "", std::nullopt},
      {"empty origin", "", "GET", "", std::nullopt},
      {"empty items in the header list", "https://app.example.com", "GET", " , range,, ", "https://app.example.com"},
  };
  for (const Row& row : rows) {
    auto headers = match_cors_preflight(config, CorsPreflight{row.origin, row.method, row.headers});
    ASSERT_EQ(headers.has_value(), row.allow_origin.has_value()) << row.what;
    if (!headers) continue;
    auto map = as_map(*headers);
    EXPECT_EQ(map["Access-Control-Allow-Origin"], *row.allow_origin) << row.what;
  }
}

TEST(CorsPreflight, ResponseHeadersOfTheFirstMatchingRule) {
  const CorsConfiguration config = sample_config();
  auto headers =
      match_cors_preflight(config, CorsPreflight{"https://app.example.com", "PUT", "Content-Type, x-oss-date"});
  ASSERT_TRUE(headers);
  auto map = as_map(*headers);
  EXPECT_EQ(map["Access-Control-Allow-Origin"], "https://app.example.com");
  EXPECT_EQ(map["Access-Control-Allow-Methods"], "GET, PUT, POST, DELETE, HEAD");
  EXPECT_EQ(map["Access-Control-Allow-Headers"], "Content-Type, x-oss-date");  // echoed as requested
  EXPECT_EQ(map["Access-Control-Expose-Headers"], "ETag, x-oss-request-id");
  EXPECT_EQ(map["Access-Control-Max-Age"], "600");
  EXPECT_EQ(map.count("Vary"), 0u);

  auto plain = match_cors_preflight(config, CorsPreflight{"https://cdn.example.org", "GET", ""});
  ASSERT_TRUE(plain);
  auto plain_map = as_map(*plain);
  EXPECT_EQ(plain_map.count("Access-Control-Allow-Headers"), 0u);
  EXPECT_EQ(plain_map.count("Access-Control-Expose-Headers"), 0u);
  EXPECT_EQ(plain_map.count("Access-Control-Max-Age"), 0u);
}

TEST(CorsPreflight, FirstRuleWinsEvenIfALaterOneIsBroader) {
  CorsConfiguration config;
  config.rules.push_back(CorsRule{{"*"}, {"GET"}, {}, {"A"}, 1});
  config.rules.push_back(CorsRule{{"*"}, {"GET"}, {"*"}, {"B"}, 2});
  // No requested headers: the first rule fits.
  auto first = as_map(*match_cors_preflight(config, CorsPreflight{"https://x", "GET", ""}));
  EXPECT_EQ(first["Access-Control-Expose-Headers"], "A");
  // A requested header only the second allows: the second.
  auto second = as_map(*match_cors_preflight(config, CorsPreflight{"https://x", "GET", "x-y"}));
  EXPECT_EQ(second["Access-Control-Expose-Headers"], "B");
}

TEST(CorsPreflight, ResponseVaryAddsVaryOrigin) {
  CorsConfiguration config = sample_config();
  config.response_vary = true;
  auto map = as_map(*match_cors_preflight(config, CorsPreflight{"https://app.example.com", "GET", ""}));
  EXPECT_EQ(map["Vary"], "Origin");
}

TEST(CorsActualRequest, MatchesOriginAndMethodOnly) {
  const CorsConfiguration config = sample_config();
  auto put = match_cors_request(config, "https://app.example.com", "PUT");
  ASSERT_TRUE(put);
  auto map = as_map(*put);
  EXPECT_EQ(map["Access-Control-Allow-Origin"], "https://app.example.com");
  EXPECT_EQ(map["Access-Control-Expose-Headers"], "ETag, x-oss-request-id");
  EXPECT_EQ(map.count("Access-Control-Allow-Headers"), 0u);

  EXPECT_EQ(as_map(*match_cors_request(config, "https://other.net", "HEAD"))["Access-Control-Allow-Origin"], "*");
  EXPECT_FALSE(match_cors_request(config, "https://other.net", "GET"));
  EXPECT_FALSE(match_cors_request(config, "https://cdn.example.org", "DELETE"));
  EXPECT_FALSE(match_cors_request(config, "", "GET"));
  EXPECT_FALSE(match_cors_request(CorsConfiguration{}, "https://app.example.com", "GET"));
}

}  // namespace
}  // namespace ossd::oss

namespace ossd::api {
namespace {

std::vector<QueryParam> q(const char* name) { return {{name, "", true}}; }

TEST(CorsRoutes, BucketCorsOperationsAndPreflight) {
  EXPECT_EQ(classify("PUT", true, false, q("cors"), {}).value(), Operation::PutBucketCors);
  EXPECT_EQ(classify("GET", true, false, q("cors"), {}).value(), Operation::GetBucketCors);
  EXPECT_EQ(classify("DELETE", true, false, q("cors"), {}).value(), Operation::DeleteBucketCors);
  auto post = classify("POST", true, false, q("cors"), {});
  ASSERT_FALSE(post.ok());
  EXPECT_EQ(post.error().code, ErrorCode::MethodNotAllowed);
  EXPECT_EQ(ram_action(Operation::PutBucketCors), "oss:PutBucketCors");
  EXPECT_EQ(ram_action(Operation::GetBucketCors), "oss:GetBucketCors");
  EXPECT_EQ(ram_action(Operation::DeleteBucketCors), "oss:DeleteBucketCors");

  // A preflight is OptionObject on a bucket or any object path, whatever the query.
  EXPECT_EQ(classify("OPTIONS", true, false, {}, {}).value(), Operation::OptionObject);
  EXPECT_EQ(classify("OPTIONS", true, true, {}, {}).value(), Operation::OptionObject);
  EXPECT_EQ(classify("OPTIONS", true, true, q("uploads"), {}).value(), Operation::OptionObject);
  EXPECT_EQ(classify("OPTIONS", true, false, q("lifecycle"), {}).value(), Operation::OptionObject);
}

TEST(CorsRoutes, PostToTheBucketIsPostObject) {
  EXPECT_EQ(classify("POST", true, false, {}, {}).value(), Operation::PostObject);
  EXPECT_EQ(ram_action(Operation::PostObject), "oss:PutObject");
  EXPECT_EQ(classify("POST", true, false, q("delete"), {}).value(), Operation::DeleteMultipleObjects);
  auto other = classify("POST", true, false, q("acl"), {});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::MethodNotAllowed);
  // An object path is never a form upload.
  auto object = classify("POST", true, true, {}, {});
  ASSERT_FALSE(object.ok());
  EXPECT_EQ(object.error().code, ErrorCode::MethodNotAllowed);
}

}  // namespace
}  // namespace ossd::api
