#include "auth/v4_signature.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "auth/canonical_headers.hpp"
#include "core/time_format.hpp"
#include "crypto/hash.hpp"
#include "crypto/hmac.hpp"

namespace ossd::auth {

namespace {

bool always_signed(std::string_view lower_name) {
  return lower_name == "content-type" || lower_name == "content-md5" || lower_name.starts_with("x-oss-");
}

std::string ascii_upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string join(const std::vector<std::string>& items, char separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i != 0) out.push_back(separator);
    out.append(items[i]);
  }
  return out;
}

}  // namespace

std::string v4_region(std::string_view configured_region) {
  constexpr std::string_view prefix = "oss-";
  if (configured_region.starts_with(prefix)) configured_region.remove_prefix(prefix.size());
  return std::string(configured_region);
}

std::string v4_canonical_uri(std::string_view bucket, std::string_view key) {
  std::string path = "/";
  if (!bucket.empty()) {
    path.append(bucket);
    path.push_back('/');
    path.append(key);
  }
  return uri_encode(path, /*keep_slash=*/true);
}

std::string v4_canonical_query(const std::vector<QueryParam>& query, EmptyQueryValue empty_style) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& param : query) {
    if (param.name == "x-oss-signature") continue;
    encoded.emplace_back(uri_encode(param.name), uri_encode(param.value));
  }
  std::sort(encoded.begin(), encoded.end());

  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out.append(name);
    if (!value.empty() || empty_style == EmptyQueryValue::NameEquals) {
      out.push_back('=');
      out.append(value);
    }
  }
  return out;
}

std::vector<std::string> v4_normalize_additional_headers(const std::vector<std::string>& names) {
  std::set<std::string> unique;
  for (const auto& name : names) {
    std::string lower = to_lower(name);
    if (!always_signed(lower)) unique.insert(std::move(lower));
  }
  return {unique.begin(), unique.end()};
}

std::vector<std::string> v4_split_additional_headers(std::string_view list) {
  std::vector<std::string> names;
  if (list.empty()) return names;
  while (true) {
    std::size_t semicolon = list.find(';');
    names.emplace_back(list.substr(0, semicolon));
    if (semicolon == std::string_view::npos) break;
    list.remove_prefix(semicolon + 1);
  }
  return names;
}

std::string v4_canonical_headers(const std::vector<HeaderField>& headers,
                                 const std::vector<std::string>& additional_headers) {
  std::set<std::string, std::less<>> additional;
  for (const auto& name : additional_headers) additional.insert(to_lower(name));

  std::string out;
  for (const auto& line : canonical_header_lines(
           headers, [&](std::string_view name) { return always_signed(name) || additional.contains(name); })) {
    out.append(line.name);
    out.push_back(':');
    out.append(line.value);
    out.push_back('\n');
  }
  return out;
}

std::string v4_payload_hash(const std::vector<HeaderField>& headers) {
  const std::string* declared = find_header(headers, "x-oss-content-sha256");
  return declared ? std::string(trim(*declared)) : std::string(kUnsignedPayload);
}

std::string v4_canonical_request(std::string_view method, std::string_view bucket, std::string_view key,
                                 const std::vector<QueryParam>& query, const std::vector<HeaderField>& headers,
                                 const std::vector<std::string>& additional_headers, EmptyQueryValue empty_style) {
  std::string out = ascii_upper(method);
  out.push_back('\n');
  out.append(v4_canonical_uri(bucket, key));
  out.push_back('\n');
  out.append(v4_canonical_query(query, empty_style));
  out.push_back('\n');
  out.append(v4_canonical_headers(headers, additional_headers));
  out.push_back('\n');
  out.append(join(additional_headers, ';'));
  out.push_back('\n');
  out.append(v4_payload_hash(headers));
  return out;
}

std::string v4_scope(std::string_view yyyymmdd, std::string_view region) {
  std::string out(yyyymmdd);
  out.push_back('/');
  out.append(region);
  out.push_back('/');
  out.append(kV4Product);
  out.push_back('/');
  out.append(kV4Terminator);
  return out;
}

std::string v4_string_to_sign(std::string_view timestamp, std::string_view scope, std::string_view canonical_request) {
  std::string out(kV4Algorithm);
  out.push_back('\n');
  out.append(timestamp);
  out.push_back('\n');
  out.append(scope);
  out.push_back('\n');
  out.append(hex_lower(crypto::sha256(canonical_request)));
  return out;
}

std::string v4_signing_key(std::string_view secret, std::string_view yyyymmdd, std::string_view region) {
  std::string date_key = crypto::hmac_sha256(std::string("aliyun_v4").append(secret), yyyymmdd);
  std::string region_key = crypto::hmac_sha256(date_key, region);
  std::string product_key = crypto::hmac_sha256(region_key, kV4Product);
  return crypto::hmac_sha256(product_key, kV4Terminator);
}

std::string v4_signature(std::string_view signing_key, std::string_view string_to_sign) {
  return hex_lower(crypto::hmac_sha256(signing_key, string_to_sign));
}

std::string sign_v4_authorization(const SignedRequest& request, std::string_view access_key_id, std::string_view secret,
                                  std::string_view region, const std::vector<std::string>& additional_headers) {
  const auto& headers = request.header_fields();
  const std::string* oss_date = find_header(headers, "x-oss-date");
  std::string timestamp = oss_date ? std::string(trim(*oss_date)) : std::string{};
  std::string day = timestamp.substr(0, 8);
  std::vector<std::string> additional = v4_normalize_additional_headers(additional_headers);

  std::string canonical_request =
      v4_canonical_request(request.method, request.bucket, request.key, request.query_params(), headers, additional);
  std::string string_to_sign = v4_string_to_sign(timestamp, v4_scope(day, region), canonical_request);
  std::string signature = v4_signature(v4_signing_key(secret, day, region), string_to_sign);

  std::string out(kV4Algorithm);
  out.append(" Credential=");
  out.append(access_key_id);
  out.push_back('/');
  out.append(v4_scope(day, region));
  out.push_back(',');
  if (!additional.empty()) {
    out.append("AdditionalHeaders=");
    out.append(join(additional, ';'));
    out.push_back(',');
  }
  out.append("Signature=");
  out.append(signature);
  return out;
}

std::vector<QueryParam> presign_v4_query(const SignedRequest& request, std::string_view access_key_id,
                                         std::string_view secret, std::string_view region, SystemTime now,
                                         std::chrono::seconds expires, std::string_view security_token,
                                         const std::vector<std::string>& additional_headers) {
  std::string timestamp = format_iso8601_basic(now);
  std::string day = timestamp.substr(0, 8);
  std::vector<std::string> additional = v4_normalize_additional_headers(additional_headers);

  std::vector<QueryParam> auth_params;
  if (!additional.empty()) auth_params.push_back({"x-oss-additional-headers", join(additional, ';'), true});
  auth_params.push_back({"x-oss-credential", std::string(access_key_id) + "/" + v4_scope(day, region), true});
  auth_params.push_back({"x-oss-date", timestamp, true});
  auth_params.push_back({"x-oss-expires", std::to_string(expires.count()), true});
  auth_params.push_back({"x-oss-signature-version", std::string(kV4Algorithm), true});
  if (!security_token.empty()) auth_params.push_back({"x-oss-security-token", std::string(security_token), true});

  std::vector<QueryParam> signed_query = request.query_params();
  signed_query.insert(signed_query.end(), auth_params.begin(), auth_params.end());
  std::string canonical_request = v4_canonical_request(request.method, request.bucket, request.key, signed_query,
                                                       request.header_fields(), additional);
  std::string string_to_sign = v4_string_to_sign(timestamp, v4_scope(day, region), canonical_request);
  auth_params.push_back({"x-oss-signature", v4_signature(v4_signing_key(secret, day, region), string_to_sign), true});
  return auth_params;
}

}  // namespace ossd::auth
