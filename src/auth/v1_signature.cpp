#include "auth/v1_signature.hpp"

#include <algorithm>

#include "auth/canonical_headers.hpp"
#include "crypto/base64.hpp"
#include "crypto/hmac.hpp"
#include "oss/subresources.hpp"

namespace ossd::auth {

namespace {

std::string ascii_upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string_view header_or_empty(const std::vector<HeaderField>& headers, std::string_view name) {
  const std::string* value = find_header(headers, name);
  return value ? trim(*value) : std::string_view{};
}

}  // namespace

std::string v1_canonical_resource(std::string_view bucket, std::string_view key, const std::vector<QueryParam>& query) {
  std::string resource = "/";
  if (!bucket.empty()) {
    resource.append(bucket);
    resource.push_back('/');
    resource.append(key);
  }

  std::vector<const QueryParam*> signed_params;
  for (const auto& param : query) {
    if (oss::is_v1_subresource(param.name)) signed_params.push_back(&param);
  }
  std::stable_sort(signed_params.begin(), signed_params.end(),
                   [](const QueryParam* a, const QueryParam* b) { return a->name < b->name; });

  char separator = '?';
  for (const QueryParam* param : signed_params) {
    resource.push_back(separator);
    resource.append(param->name);
    if (!param->value.empty()) {
      resource.push_back('=');
      resource.append(param->value);
    }
    separator = '&';
  }
  return resource;
}

std::string v1_canonical_oss_headers(const std::vector<HeaderField>& headers) {
  std::string out;
  for (const auto& line :
       canonical_header_lines(headers, [](std::string_view name) { return name.starts_with("x-oss-"); })) {
    out.append(line.name);
    out.push_back(':');
    out.append(line.value);
    out.push_back('\n');
  }
  return out;
}

std::string v1_string_to_sign(std::string_view method, std::string_view content_md5, std::string_view content_type,
                              std::string_view date_line, const std::vector<HeaderField>& headers,
                              std::string_view canonical_resource) {
  std::string out = ascii_upper(method);
  out.push_back('\n');
  out.append(content_md5);
  out.push_back('\n');
  out.append(content_type);
  out.push_back('\n');
  out.append(date_line);
  out.push_back('\n');
  out.append(v1_canonical_oss_headers(headers));
  out.append(canonical_resource);
  return out;
}

std::string v1_signature(std::string_view secret, std::string_view string_to_sign) {
  return crypto::base64_encode(crypto::hmac_sha1(secret, string_to_sign));
}

std::string v1_request_string_to_sign(const SignedRequest& request, std::string_view date_line) {
  const auto& headers = request.header_fields();
  return v1_string_to_sign(request.method, header_or_empty(headers, "Content-MD5"),
                           header_or_empty(headers, "Content-Type"), date_line, headers,
                           v1_canonical_resource(request.bucket, request.key, request.query_params()));
}

std::string_view v1_date_line(const std::vector<HeaderField>& headers) {
  if (const std::string* oss_date = find_header(headers, "x-oss-date")) return trim(*oss_date);
  if (const std::string* date = find_header(headers, "Date")) return trim(*date);
  return {};
}

std::string sign_v1_authorization(const SignedRequest& request, std::string_view access_key_id,
                                  std::string_view secret) {
  std::string string_to_sign = v1_request_string_to_sign(request, v1_date_line(request.header_fields()));
  std::string out = "OSS ";
  out.append(access_key_id);
  out.push_back(':');
  out.append(v1_signature(secret, string_to_sign));
  return out;
}

std::vector<QueryParam> presign_v1_query(const SignedRequest& request, std::string_view access_key_id,
                                         std::string_view secret, int64_t expires_unix_seconds) {
  std::string expires = std::to_string(expires_unix_seconds);
  std::string signature = v1_signature(secret, v1_request_string_to_sign(request, expires));
  return {
      {"OSSAccessKeyId", std::string(access_key_id), true},
      {"Expires", std::move(expires), true},
      {"Signature", std::move(signature), true},
  };
}

}  // namespace ossd::auth
