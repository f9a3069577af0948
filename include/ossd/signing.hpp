#pragma once
// Pure signing, byte-compatible with ali-oss@6.23.0: request headers (V1 and
// V4), signed URLs (signatureUrl and signatureUrlV4) and PostObject policies
// (calculatePostSignature and signPostObjectPolicyV4). Every function takes
// the time as a parameter; the canonical forms come from src/auth, the same
// code the server verifies with (DESIGN rule 1).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/header_field.hpp"
#include "core/result.hpp"
#include "core/strings.hpp"
#include "ossd/credentials.hpp"
#include "ossd/endpoint.hpp"

namespace ossd::client {

enum class SignatureVersion { V1, V4 };

// ---------------------------------------------------------------- headers

struct RequestToSign {
  std::string method;
  std::string bucket;  // "" for service-level requests
  std::string key;     // decoded; "" for bucket-level requests
  std::vector<QueryParam> query;
  std::vector<HeaderField> headers;
};

// What ali-oss adds before sending: x-oss-date (V1: RFC 1123, V4: ISO 8601
// basic), x-oss-security-token for temporary credentials,
// x-oss-content-sha256: UNSIGNED-PAYLOAD for V4, then Authorization.
// Existing headers of those names are replaced. `region` is the configured
// one ("oss-cn-hangzhou"); V4 scopes it without the "oss-" prefix.
// `additional_headers` (V4 only) are signed besides the always-signed ones.
void sign_request(RequestToSign& request, const Credentials& credentials, SignatureVersion version,
                  std::string_view region, SystemTime now, const std::vector<std::string>& additional_headers = {});

// ---------------------------------------------------------------- signed URLs

// The client options a signed URL depends on.
struct UrlSigningConfig {
  Endpoint endpoint;
  AddressingStyle style = AddressingStyle::Auto;
  std::string region = "oss-cn-hangzhou";
  Credentials credentials;
};

// ali-oss signatureUrl's options.callback.
struct UrlCallback {
  std::string url;
  std::string body;
  std::string host;                                                // callbackHost, omitted when empty
  std::string content_type;                                        // callbackBodyType, omitted when empty
  bool sni = false;                                                // callbackSNI, omitted when false
  std::vector<std::pair<std::string, std::string>> custom_values;  // become callback-var "x:<name>"
};

// ali-oss signatureUrl(name, options). Vectors keep the caller's order
// because ali-oss puts parameters in the URL in insertion order.
struct SignUrlOptions {
  std::string method = "GET";
  int64_t expires = 0;  // seconds after `now`; 0 means ali-oss's default of 1800
  std::string content_type;
  std::string content_md5;
  // x-oss-* headers to bind (ali-oss: option keys starting with "x-oss-").
  // Other names are ignored, as ali-oss ignores them.
  std::vector<HeaderField> headers;
  // ("content-disposition", "attachment") -> response-content-disposition.
  std::vector<std::pair<std::string, std::string>> response;
  std::string process;         // x-oss-process, e.g. "image/resize,w_200"
  uint64_t traffic_limit = 0;  // x-oss-traffic-limit in bit/s; 0 = none
  // options.subResource: more sub-resources, put first. Only names on the
  // server's whitelist are signed (ali-oss signs every one, so it and the
  // server disagree about the others anyway).
  std::vector<QueryParam> sub_resources;
  std::optional<UrlCallback> callback;
};

// A V1 signed URL. Expires = round(now) + (expires or 1800), rounded like
// ali-oss's Math.round(Date.now() / 1000). The object name loses leading
// '/' like ali-oss's _objectName; one starting with '?' is rejected.
Result<std::string> signature_url(const UrlSigningConfig& config, std::string_view bucket, std::string_view key,
                                  const SignUrlOptions& options, SystemTime now);

// signatureUrlV4's `request` argument.
struct SignUrlV4Request {
  std::vector<HeaderField> headers;  // signed; the requester must send them
  std::vector<QueryParam> queries;   // signed and put in the URL first
};

// ali-oss signatureUrlV4(method, expires, request, objectName,
// additionalHeaders) at `now` (second precision). An empty key signs a
// bucket-level URL. A name in additional_headers that is not among the
// request headers is InvalidArgument, as in ali-oss.
Result<std::string> signature_url_v4(const UrlSigningConfig& config, std::string_view bucket, std::string_view method,
                                     std::chrono::seconds expires, const SignUrlV4Request& request,
                                     std::string_view key, const std::vector<std::string>& additional_headers,
                                     SystemTime now);

// ---------------------------------------------------------------- PostObject

// Form fields of a V1 PostObject (calculatePostSignature).
struct PostSignatureV1 {
  std::string access_key_id;   // OSSAccessKeyId
  std::string signature;       // Signature
  std::string policy;          // policy: base64 of the normalized JSON
  std::string security_token;  // x-oss-security-token, for temporary credentials
};

// `policy_json` is JSON text; like ali-oss it is re-serialized compactly
// (JSON.stringify(JSON.parse(text))) before base64. Not JSON: InvalidArgument.
Result<PostSignatureV1> calculate_post_signature(const Credentials& credentials, std::string_view policy_json);

// "<AccessKeyId>/<yyyymmdd>/<region>/oss/aliyun_v4_request": the value the V4
// policy's x-oss-credential condition and form field carry.
std::string post_policy_v4_credential(const Credentials& credentials, std::string_view region, SystemTime date);

// signPostObjectPolicyV4(policy, date): hex HMAC-SHA256 of the base64
// policy with the V4 signing key of `date` and `region`.
Result<std::string> sign_post_object_policy_v4(const Credentials& credentials, std::string_view region,
                                               std::string_view policy_json, SystemTime date);

// Every form field of a V4 PostObject except key and file.
struct PostFormV4 {
  std::string policy;             // policy
  std::string signature_version;  // x-oss-signature-version
  std::string credential;         // x-oss-credential
  std::string date;               // x-oss-date
  std::string signature;          // x-oss-signature
  std::string security_token;     // x-oss-security-token, for temporary credentials
};
Result<PostFormV4> post_form_v4(const Credentials& credentials, std::string_view region, std::string_view policy_json,
                                SystemTime date);

}  // namespace ossd::client
