#pragma once
// Shared by the auth tests: loading the golden vectors and turning a vector's
// URL into what the server would see (bucket, decoded key, decoded query).
#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "auth/authenticate.hpp"
#include "auth/in_memory_credentials.hpp"
#include "core/header_field.hpp"
#include "core/strings.hpp"
#include "core/time_format.hpp"

namespace ossd::auth::test {

using nlohmann::json;

inline json load_vectors(const std::string& file) {
  std::ifstream in(std::string(OSSD_VECTORS_DIR) + "/" + file);
  if (!in) throw std::runtime_error("cannot open vector file " + file);
  return json::parse(in);
}

// A request as the server sees it after addressing; owns its strings so
// tests can tamper with any part and take a SignedRequest view.
struct ServerRequest {
  std::string method;
  std::string bucket;
  std::string key;
  std::vector<QueryParam> query;
  std::vector<HeaderField> headers;

  SignedRequest view() const { return SignedRequest{method, bucket, key, &query, &headers}; }

  void set_header(const std::string& name, const std::string& value) {
    for (auto& h : headers) {
      if (iequals(h.name, name)) {
        h.value = value;
        return;
      }
    }
    headers.push_back({name, value});
  }
  void remove_header(const std::string& name) {
    std::erase_if(headers, [&](const HeaderField& h) { return iequals(h.name, name); });
  }
  QueryParam* query_param(const std::string& name) {
    for (auto& p : query) {
      if (p.name == name) return &p;
    }
    return nullptr;
  }
  void remove_query(const std::string& name) {
    std::erase_if(query, [&](const QueryParam& p) { return p.name == name; });
  }
};

struct UrlParts {
  std::string host;  // without port
  std::string path;  // raw, starts with '/'
  std::string raw_query;
};

inline UrlParts split_url(const std::string& url) {
  UrlParts parts;
  std::size_t scheme_end = url.find("://");
  std::size_t host_start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  std::size_t path_start = url.find('/', host_start);
  std::string authority = url.substr(host_start, path_start - host_start);
  parts.host = authority.substr(0, authority.find(':'));
  std::string rest = path_start == std::string::npos ? "/" : url.substr(path_start);
  std::size_t question = rest.find('?');
  parts.path = rest.substr(0, question);
  if (question != std::string::npos) parts.raw_query = rest.substr(question + 1);
  return parts;
}

// Addressing as the client configured it: cname -> the configured bucket;
// sldEnable -> path style; otherwise "<bucket>.<endpoint>" in the Host
// header (node's IP-endpoint override) or the URL host.
inline ServerRequest resolve(const json& client_options, const std::string& url, const std::string& method,
                             std::vector<HeaderField> headers) {
  ServerRequest request;
  request.method = method;
  request.headers = std::move(headers);
  UrlParts parts = split_url(url);
  for (const auto& h : request.headers) {
    if (iequals(h.name, "host")) parts.host = h.value.substr(0, h.value.find(':'));
  }

  auto query = parse_query(parts.raw_query);
  EXPECT_TRUE(query.has_value()) << url;
  if (query) request.query = std::move(*query);

  std::string path = parts.path.substr(1);
  const std::string region = client_options.value("region", "oss-cn-hangzhou");
  const std::vector<std::string> vhost_suffixes = {"." + region + ".aliyuncs.com", ".localhost"};

  if (client_options.value("cname", false)) {
    request.bucket = client_options.at("bucket").get<std::string>();
    request.key = percent_decode(path).value();
    return request;
  }
  if (!client_options.value("sldEnable", false)) {
    for (const auto& suffix : vhost_suffixes) {
      if (parts.host.size() > suffix.size() && parts.host.ends_with(suffix)) {
        request.bucket = parts.host.substr(0, parts.host.size() - suffix.size());
        request.key = percent_decode(path).value();
        return request;
      }
    }
  }
  std::size_t slash = path.find('/');
  request.bucket = percent_decode(path.substr(0, slash)).value();
  if (slash != std::string::npos) request.key = percent_decode(path.substr(slash + 1)).value();
  return request;
}

inline std::vector<HeaderField> headers_from(const json& object) {
  std::vector<HeaderField> headers;
  for (const auto& [name, value] : object.items()) headers.push_back({name, value.get<std::string>()});
  return headers;
}

inline SystemTime vector_now(const json& c) { return parse_iso8601(c.at("now").get<std::string>()).value(); }

// The vector's key; a temporary ("STS.") key is valid only with the
// vector's own stsToken, so a tampered token is refused.
inline InMemoryCredentials credentials_of(const json& client_options) {
  InMemoryCredentials credentials;
  Credential credential{client_options.at("accessKeyId").get<std::string>(),
                        client_options.at("accessKeySecret").get<std::string>(), "1234567890123456", "root"};
  if (client_options.contains("stsToken")) {
    credential.kind = PrincipalKind::AssumedRole;
    credentials.add_temporary(std::move(credential), client_options.at("stsToken").get<std::string>());
  } else {
    credentials.add(std::move(credential));
  }
  return credentials;
}

inline AuthSettings settings_of(const json& client_options) {
  AuthSettings settings;
  settings.region = client_options.value("region", "oss-cn-hangzhou");
  return settings;
}

inline const std::string* detail(const Error& error, const std::string& name) {
  for (const auto& [n, v] : error.details) {
    if (n == name) return &v;
  }
  return nullptr;
}

// Asserts `result` failed with `code`; returns the error for further checks.
template <class T>
Error expect_error(const Result<T>& result, ErrorCode code, const std::string& context) {
  EXPECT_FALSE(result.ok()) << context << ": expected an error";
  if (result.ok()) return Error{};
  EXPECT_EQ(static_cast<int>(result.error().code), static_cast<int>(code))
      << context << ": got message \"" << result.error().message << "\"";
  return result.error();
}

// The cases of a vector file; skip_throwing drops those whose expected
// outcome is a client-side exception (nothing to verify on the server).
inline std::vector<json> cases_of(const std::string& file, bool skip_throwing = false) {
  std::vector<json> cases;
  const json vectors = load_vectors(file);
  for (const auto& c : vectors.at("cases")) {
    if (skip_throwing && c.at("expected").contains("throws")) continue;
    cases.push_back(c);
  }
  return cases;
}

// A GoogleTest-safe name from a vector case's id.
inline std::string case_name(const ::testing::TestParamInfo<json>& info) {
  std::string name = info.param.at("id").get<std::string>();
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

}  // namespace ossd::auth::test
