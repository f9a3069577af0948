#include "ossd/signing.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "auth/post_signature.hpp"
#include "auth/signed_request.hpp"
#include "auth/v1_signature.hpp"
#include "auth/v4_signature.hpp"
#include "client/url_encoding.hpp"
#include "core/time_format.hpp"
#include "crypto/base64.hpp"

namespace ossd::client {

namespace {

using ordered_json = nlohmann::ordered_json;

void remove_header(std::vector<HeaderField>& headers, std::string_view name) {
  std::erase_if(headers, [&](const HeaderField& h) { return iequals(h.name, name); });
}

// Math.round(Date.now() / 1000), which ali-oss's utility.timestamp() is.
int64_t js_rounded_seconds(SystemTime now) {
  int64_t ms = to_unix_millis(now);
  int64_t seconds = ms / 1000;
  int64_t rest = ms % 1000;
  if (rest < 0) {
    rest += 1000;
    seconds -= 1;
  }
  return rest >= 500 ? seconds + 1 : seconds;
}

// JSON.stringify prints an integral double without a fraction ("1", not
// "1.0"); nlohmann keeps the fraction, so such numbers become integers.
void js_number_forms(ordered_json& value) {
  if (value.is_structured()) {
    for (auto& child : value) js_number_forms(child);
  } else if (value.is_number_float()) {
    double d = value.get<double>();
    if (d == static_cast<double>(static_cast<int64_t>(d)) && d > -9.0e15 && d < 9.0e15) {
      value = static_cast<int64_t>(d);
    }
  }
}

// JSON.stringify(JSON.parse(text)): key order kept, no whitespace.
Result<std::string> normalize_policy(std::string_view text) {
  try {
    ordered_json policy = ordered_json::parse(text.begin(), text.end());
    js_number_forms(policy);
    return policy.dump();
  } catch (const nlohmann::json::exception& e) {
    return Error(ErrorCode::InvalidArgument, std::string("policy must be JSON: ") + e.what());
  }
}

// base64(JSON.stringify(object)) as ali-oss builds callback and callback-var.
Result<std::string> base64_json(const ordered_json& object) {
  try {
    return crypto::base64_encode(object.dump());
  } catch (const nlohmann::json::exception& e) {
    return Error(ErrorCode::InvalidArgument, std::string("callback must be valid UTF-8: ") + e.what());
  }
}

std::string yyyymmdd(SystemTime t) { return format_iso8601_basic(t).substr(0, 8); }

}  // namespace

void sign_request(RequestToSign& request, const Credentials& credentials, SignatureVersion version,
                  std::string_view region, SystemTime now, const std::vector<std::string>& additional_headers) {
  auto& headers = request.headers;
  remove_header(headers, "Authorization");
  remove_header(headers, "x-oss-date");
  remove_header(headers, "x-oss-security-token");
  if (version == SignatureVersion::V1) {
    headers.push_back({"x-oss-date", format_rfc1123(now)});
  } else {
    headers.push_back({"x-oss-date", format_iso8601_basic(now)});
    if (!auth::find_header(headers, "x-oss-content-sha256")) {
      headers.push_back({"x-oss-content-sha256", std::string(auth::kUnsignedPayload)});
    }
  }
  if (credentials.temporary()) headers.push_back({"x-oss-security-token", credentials.security_token});

  const auth::SignedRequest view{request.method, request.bucket, request.key, &request.query, &headers};
  std::string authorization =
      version == SignatureVersion::V1
          ? auth::sign_v1_authorization(view, credentials.access_key_id, credentials.access_key_secret)
          : auth::sign_v4_authorization(view, credentials.access_key_id, credentials.access_key_secret,
                                        auth::v4_region(region), additional_headers);
  headers.push_back({"Authorization", std::move(authorization)});
}

Result<std::string> signature_url(const UrlSigningConfig& config, std::string_view bucket, std::string_view key,
                                  const SignUrlOptions& options, SystemTime now) {
  if (key.starts_with('?')) return Error(ErrorCode::InvalidArgument, "Invalid object name " + std::string(key));
  while (key.starts_with('/')) key.remove_prefix(1);
  auto url = object_url(config.endpoint, config.style, bucket, key);
  if (!url) return url.error();

  // The order below is the order ali-oss's _signatureForURL fills its
  // subResource object in, which is the order they appear in the URL.
  std::vector<QueryParam> sub_resources;
  for (const auto& param : options.sub_resources) detail::set_param(sub_resources, param.name, param.value);
  if (!options.process.empty()) detail::set_param(sub_resources, "x-oss-process", options.process);
  if (options.traffic_limit != 0) {
    detail::set_param(sub_resources, "x-oss-traffic-limit", std::to_string(options.traffic_limit));
  }
  for (const auto& [name, value] : options.response) {
    detail::set_param(sub_resources, "response-" + to_lower(name), value);
  }
  if (config.credentials.temporary()) {
    detail::set_param(sub_resources, "security-token", config.credentials.security_token);
  }
  if (const auto& callback = options.callback) {
    ordered_json body;
    body["callbackUrl"] = detail::encode_uri(callback->url);
    body["callbackBody"] = callback->body;
    if (!callback->host.empty()) body["callbackHost"] = callback->host;
    if (!callback->content_type.empty()) body["callbackBodyType"] = callback->content_type;
    if (callback->sni) body["callbackSNI"] = true;
    auto encoded = base64_json(body);
    if (!encoded) return encoded.error();
    detail::set_param(sub_resources, "callback", *encoded);
    if (!callback->custom_values.empty()) {
      ordered_json vars = ordered_json::object();
      for (const auto& [name, value] : callback->custom_values) vars["x:" + name] = value;
      auto encoded_vars = base64_json(vars);
      if (!encoded_vars) return encoded_vars.error();
      detail::set_param(sub_resources, "callback-var", *encoded_vars);
    }
  }

  std::vector<HeaderField> headers;
  if (!options.content_md5.empty()) headers.push_back({"Content-MD5", options.content_md5});
  if (!options.content_type.empty()) headers.push_back({"Content-Type", options.content_type});
  for (const auto& header : options.headers) {
    if (istarts_with(header.name, "x-oss-")) headers.push_back({to_lower(header.name), header.value});
  }

  const std::string method = options.method.empty() ? std::string("GET") : options.method;
  const int64_t expires = js_rounded_seconds(now) + (options.expires != 0 ? options.expires : 1800);
  const auth::SignedRequest view{method, bucket, key, &sub_resources, &headers};
  std::vector<QueryParam> query =
      auth::presign_v1_query(view, config.credentials.access_key_id, config.credentials.access_key_secret, expires);
  query.insert(query.end(), sub_resources.begin(), sub_resources.end());
  return *url + "?" + detail::node_query_string(query);
}

Result<std::string> signature_url_v4(const UrlSigningConfig& config, std::string_view bucket, std::string_view method,
                                     std::chrono::seconds expires, const SignUrlV4Request& request,
                                     std::string_view key, const std::vector<std::string>& additional_headers,
                                     SystemTime now) {
  auto url = object_url(config.endpoint, config.style, bucket, key);
  if (!url) return url.error();
  for (const auto& name : auth::v4_normalize_additional_headers(additional_headers)) {
    if (!auth::find_header(request.headers, name)) {
      return Error(ErrorCode::InvalidArgument, "Can't find additional header " + name + " in request headers.");
    }
  }
  const auth::SignedRequest view{method, bucket, key, &request.queries, &request.headers};
  std::vector<QueryParam> auth_params = auth::presign_v4_query(
      view, config.credentials.access_key_id, config.credentials.access_key_secret, auth::v4_region(config.region), now,
      expires, config.credentials.security_token, additional_headers);
  std::vector<QueryParam> query = request.queries;
  query.insert(query.end(), auth_params.begin(), auth_params.end());
  return *url + "?" + detail::node_query_string(query);
}

Result<PostSignatureV1> calculate_post_signature(const Credentials& credentials, std::string_view policy_json) {
  auto normalized = normalize_policy(policy_json);
  if (!normalized) return normalized.error();
  PostSignatureV1 out;
  out.access_key_id = credentials.access_key_id;
  out.policy = crypto::base64_encode(*normalized);
  out.signature = auth::post_signature_v1(credentials.access_key_secret, out.policy);
  out.security_token = credentials.security_token;
  return out;
}

std::string post_policy_v4_credential(const Credentials& credentials, std::string_view region, SystemTime date) {
  return credentials.access_key_id + "/" + auth::v4_scope(yyyymmdd(date), auth::v4_region(region));
}

Result<std::string> sign_post_object_policy_v4(const Credentials& credentials, std::string_view region,
                                               std::string_view policy_json, SystemTime date) {
  auto form = post_form_v4(credentials, region, policy_json, date);
  if (!form) return form.error();
  return std::move(form->signature);
}

Result<PostFormV4> post_form_v4(const Credentials& credentials, std::string_view region, std::string_view policy_json,
                                SystemTime date) {
  auto normalized = normalize_policy(policy_json);
  if (!normalized) return normalized.error();
  PostFormV4 out;
  out.policy = crypto::base64_encode(*normalized);
  out.signature_version = std::string(auth::kV4Algorithm);
  out.credential = post_policy_v4_credential(credentials, region, date);
  out.date = format_iso8601_basic(date);
  out.signature =
      auth::post_signature_v4(credentials.access_key_secret, yyyymmdd(date), auth::v4_region(region), out.policy);
  out.security_token = credentials.security_token;
  return out;
}

}  // namespace ossd::client
