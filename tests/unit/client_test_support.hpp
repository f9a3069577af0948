#pragma once
// Shared by the client tests: the golden vectors, read with key order kept
// (ali-oss puts parameters in URLs in the order its option objects list
// them, so the order is part of the expected bytes).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "core/time_format.hpp"
#include "ossd/signing.hpp"

namespace ossd::client::test {

using ordered_json = nlohmann::ordered_json;

inline ordered_json load_vectors(const std::string& file) {
  std::ifstream in(std::string(OSSD_VECTORS_DIR) + "/" + file);
  if (!in) throw std::runtime_error("cannot open vector file " + file);
  return ordered_json::parse(in);
}

inline std::string case_name(const ::testing::TestParamInfo<ordered_json>& info) {
  std::string name = info.param.at("id").get<std::string>();
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

inline std::vector<ordered_json> cases_of(const std::string& file) {
  std::vector<ordered_json> cases;
  const ordered_json vectors = load_vectors(file);  // named: a range-for over a temporary's member dangles
  for (const auto& c : vectors.at("cases")) cases.push_back(c);
  return cases;
}

inline Credentials credentials_of(const ordered_json& options) {
  return Credentials{options.at("accessKeyId").get<std::string>(), options.at("accessKeySecret").get<std::string>(),
                     options.value("stsToken", std::string{})};
}

// The UrlSigningConfig that corresponds to an ali-oss client's options.
// Without sldEnable or cname ali-oss always puts the bucket in the host, so
// that is VirtualHosted, not Auto.
inline UrlSigningConfig url_config_of(const ordered_json& options) {
  UrlSigningConfig config;
  config.region = options.value("region", std::string("oss-cn-hangzhou"));
  auto endpoint =
      parse_endpoint(options.value("endpoint", std::string{}), config.region, options.value("secure", false));
  EXPECT_TRUE(endpoint.ok());
  if (endpoint) config.endpoint = *endpoint;
  config.style = options.value("cname", false)       ? AddressingStyle::Cname
                 : options.value("sldEnable", false) ? AddressingStyle::Path
                                                     : AddressingStyle::VirtualHosted;
  config.credentials = credentials_of(options);
  return config;
}

inline SystemTime time_of(const ordered_json& text) { return parse_iso8601(text.get<std::string>()).value(); }

}  // namespace ossd::client::test
