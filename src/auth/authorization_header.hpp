#pragma once
// Parsing of the two Authorization header forms and of the V4 credential
// string. Malformed values are InvalidArgument errors naming the argument.
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace ossd::auth {

// "OSS <AccessKeyId>:<Signature>"
struct V1Authorization {
  std::string access_key_id;
  std::string signature;
};

// "<AccessKeyId>/<yyyymmdd>/<region>/oss/aliyun_v4_request"
struct V4Credential {
  std::string access_key_id;
  std::string date;  // yyyymmdd, as written
  std::string region;
  std::string product;
  std::string terminator;
};

// "OSS4-HMAC-SHA256 Credential=...,[AdditionalHeaders=h1;h2,]Signature=<hex>"
struct V4Authorization {
  V4Credential credential;
  std::string additional_headers;  // the raw ';'-separated list, "" if absent
  std::string signature;
};

bool is_v1_authorization(std::string_view value);  // starts with "OSS "
bool is_v4_authorization(std::string_view value);  // starts with "OSS4-HMAC-SHA256 "

Result<V1Authorization> parse_v1_authorization(std::string_view value);
Result<V4Authorization> parse_v4_authorization(std::string_view value);
// `argument_name` names the carrier in the error (Authorization or
// x-oss-credential). Checks only the shape (five non-empty parts); whether
// date, region, product and terminator are acceptable is the verifier's call.
Result<V4Credential> parse_v4_credential(std::string_view text, std::string_view argument_name);

}  // namespace ossd::auth
