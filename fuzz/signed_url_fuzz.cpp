// libFuzzer target for signature verification as the server runs it, from
// the request head to the verdict: request-target resolution, the V1
// (OSSAccessKeyId/Expires/Signature) and V4 (x-oss-signature-version,
// x-oss-credential, x-oss-date, x-oss-expires, x-oss-signature,
// x-oss-additional-headers, x-oss-security-token) signed-URL query parameters,
// the Authorization headers, the query canonicalization (sub-resources,
// response-* overrides, x-oss-process) and the credential lookup.
//
// Input (text, so seeds are readable):
//   METHOD \n HOST \n TARGET \n (Name: value \n)* \n CONTROL
// Each input is used twice:
//   1. As received: authenticate() must answer an Identity or one of the
//      errors of spec §8, never anything else (nor crash or hang).
//   2. Re-signed: the request's method, bucket, key, query and headers are
//      signed by the C++ client's code (signed URL rendered as ali-oss does,
//      or Authorization header; V1 or V4; long-term or STS key, chosen by
//      CONTROL). The rendered URL is resolved again and must authenticate as
//      the signer. Then each signed element in turn (method, key, a signed
//      header's value, a signed sub-resource's value, the expiry, the date,
//      the signature, the credential, the security token) gets a one-byte
//      change, and every such request must be refused. Elements OSS does not
//      sign (V1: query parameters off the sub-resource whitelist, headers
//      other than Content-MD5/Content-Type/x-oss-*) are never changed.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/authenticate.hpp"
#include "auth/in_memory_credentials.hpp"
#include "auth/v1_signature.hpp"
#include "auth/v4_signature.hpp"
#include "client/url_encoding.hpp"
#include "core/time_format.hpp"
#include "fuzz_input.hpp"
#include "oss/addressing.hpp"
#include "oss/subresources.hpp"
#include "ossd/signing.hpp"

namespace {

using namespace ossd;

constexpr std::string_view kKeyId = "LTAI5tTestAccessKeyId";
constexpr std::string_view kSecret = "TestSecretKey0123456789abcdefghij";
constexpr std::string_view kTempKeyId = "STS.NUgYrLnoC37mZZCNnAbez2";
constexpr std::string_view kTempSecret = "TemporarySecret0123456789abcdefgh";
constexpr std::string_view kTempToken = "CAISfuzzSecurityToken0123456789";

const auth::InMemoryCredentials& credentials() {
  static const auth::InMemoryCredentials lookup = [] {
    auth::InMemoryCredentials c;
    c.add({std::string(kKeyId), std::string(kSecret), "1234567890123456", "root"});
    auth::Credential temporary{std::string(kTempKeyId), std::string(kTempSecret), "1234567890123456", "reader"};
    temporary.kind = auth::PrincipalKind::AssumedRole;
    c.add_temporary(std::move(temporary), std::string(kTempToken));
    return c;
  }();
  return lookup;
}

// The time of the spec vectors, so seeds made from them verify as they are.
SystemTime fixed_now() {
  static const SystemTime now = parse_iso8601("2024-05-20T08:30:00Z").value();
  return now;
}

const oss::AddressingConfig& addressing() {
  static const oss::AddressingConfig config{.domain = "localhost", .region = "oss-cn-hangzhou"};
  return config;
}

bool is_spec_auth_error(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidArgument:
    case ErrorCode::AccessDenied:
    case ErrorCode::InvalidAccessKeyId:
    case ErrorCode::RequestTimeTooSkewed:
    case ErrorCode::SignatureDoesNotMatch:
    case ErrorCode::InvalidSecurityToken:
    case ErrorCode::SecurityTokenExpired: return true;
    default: return false;
  }
}

// Query parameters and headers that carry a signature: the re-signed
// request must not inherit the input's.
bool is_auth_param(std::string_view name) {
  for (std::string_view auth_name :
       {"OSSAccessKeyId", "Expires", "Signature", "security-token", "x-oss-signature-version", "x-oss-signature",
        "x-oss-credential", "x-oss-date", "x-oss-expires", "x-oss-additional-headers", "x-oss-security-token"}) {
    if (name == auth_name) return true;
  }
  return false;
}

bool is_auth_header(std::string_view name) {
  return iequals(name, "Authorization") || iequals(name, "x-oss-date") || iequals(name, "x-oss-security-token");
}

// A different byte that neither trimming nor ASCII case folding can undo:
// c ^ 1 never changes a letter's case; whitespace is avoided so that a
// change at the end of a value is not trimmed away.
char changed(char c) {
  char r = static_cast<char>(c ^ 1);
  if (r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == '\v' || r == '\f') r = static_cast<char>(c ^ 2);
  return r;
}

// One position inside `text` without its leading and trailing blanks, or
// npos when nothing is left.
size_t inner_position(std::string_view text, uint8_t pick) {
  const std::string_view trimmed = trim(text);
  if (trimmed.empty()) return std::string_view::npos;
  return static_cast<size_t>(trimmed.data() - text.data()) + pick % trimmed.size();
}

struct Signer {
  bool v4 = false;
  bool temporary = false;
  bool url = true;
};

struct Request {
  std::string method;
  std::string bucket;
  std::string key;
  std::vector<QueryParam> query;
  std::vector<HeaderField> headers;
};

Result<auth::Identity> verify(const Request& request) {
  const auth::SignedRequest view{request.method, request.bucket, request.key, &request.query, &request.headers};
  return auth::authenticate(view, credentials(), fixed_now(), auth::AuthSettings{});
}

size_t count_header(const std::vector<HeaderField>& headers, std::string_view name) {
  size_t n = 0;
  for (const auto& h : headers) n += iequals(h.name, name) ? 1 : 0;
  return n;
}

// Names V4 signs besides the always-signed ones; only token characters, so
// the ';'-separated list round-trips.
std::vector<std::string> additional_header_names(const std::vector<HeaderField>& headers) {
  std::vector<std::string> names;
  for (const auto& h : headers) {
    if (h.name.empty() || h.name.size() > 40) continue;
    bool token = true;
    for (char c : h.name) {
      token = token && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-');
    }
    if (token) names.push_back(h.name);
  }
  return names;
}

// Signs `base` with the client's code and returns the request as the server
// sees it after parsing the rendered target.
Request sign(const Request& base, const Signer& signer) {
  const std::string_view key_id = signer.temporary ? kTempKeyId : kKeyId;
  const std::string_view secret = signer.temporary ? kTempSecret : kSecret;
  const std::vector<std::string> additional =
      signer.v4 ? additional_header_names(base.headers) : std::vector<std::string>{};
  Request out = base;

  if (!signer.url) {
    client::RequestToSign request{base.method, base.bucket, base.key, base.query, base.headers};
    client::Credentials creds{std::string(key_id), std::string(secret),
                              signer.temporary ? std::string(kTempToken) : std::string()};
    client::sign_request(request, creds, signer.v4 ? client::SignatureVersion::V4 : client::SignatureVersion::V1,
                         "oss-cn-hangzhou", fixed_now(), additional);
    out.headers = std::move(request.headers);
    return out;
  }

  std::vector<QueryParam> query = base.query;
  std::vector<QueryParam> auth_params;
  if (signer.v4) {
    const auth::SignedRequest view{base.method, base.bucket, base.key, &query, &base.headers};
    auth_params = auth::presign_v4_query(view, key_id, secret, "cn-hangzhou", fixed_now(), std::chrono::seconds(60),
                                         signer.temporary ? kTempToken : std::string_view(), additional);
  } else {
    if (signer.temporary) query.push_back({"security-token", std::string(kTempToken), true});
    const auth::SignedRequest view{base.method, base.bucket, base.key, &query, &base.headers};
    auth_params = auth::presign_v1_query(view, key_id, secret, to_unix_seconds(fixed_now()) + 60);
  }
  query.insert(query.end(), auth_params.begin(), auth_params.end());

  // Rendered as ali-oss renders it (path style on the bare domain), then
  // parsed back the way the server parses every request.
  std::string target = "/";
  if (!base.bucket.empty()) {
    target += client::detail::encode_uri_component(base.bucket) + "/" + client::detail::escape_object_path(base.key);
  }
  target += "?" + client::detail::node_query_string(query);
  auto resource = oss::resolve_resource("localhost", target, addressing());
  if (!resource || resource->bucket != base.bucket || resource->key != base.key) __builtin_trap();
  out.query = std::move(resource->query);
  return out;
}

// Every one-byte change of a signed element of `good` must be refused.
void check_mutations(const Request& good, const Signer& signer, std::string_view control) {
  size_t pick_index = 0;
  auto pick = [&]() -> uint8_t {
    if (control.empty()) return static_cast<uint8_t>(pick_index++ * 7);
    return static_cast<uint8_t>(control[pick_index++ % control.size()]);
  };
  auto must_refuse = [&](const Request& mutated) {
    auto result = verify(mutated);
    if (result.ok() || !is_spec_auth_error(result.error().code)) __builtin_trap();
  };
  auto mutate_string = [&](std::string& text, bool inner_only) -> bool {
    const size_t at =
        inner_only ? inner_position(text, pick()) : (text.empty() ? std::string::npos : pick() % text.size());
    if (at == std::string::npos) return false;
    text[at] = changed(text[at]);
    return true;
  };

  {  // the method
    Request m = good;
    if (mutate_string(m.method, false)) must_refuse(m);
  }
  {  // the key (a bucket-level request has none)
    Request m = good;
    if (mutate_string(m.key, false)) must_refuse(m);
  }
  if (!good.bucket.empty()) {  // the bucket
    Request m = good;
    if (mutate_string(m.bucket, false)) must_refuse(m);
  }

  // Signed headers: V1 and V4 sign Content-MD5, Content-Type and x-oss-*;
  // V4 also the names in its additional list. A name sent twice is skipped:
  // the canonical forms read the first Content-Type / Content-MD5 only.
  std::vector<std::string> additional;
  if (signer.v4) {
    if (signer.url) {
      if (auto* list = auth::find_query_param(good.query, "x-oss-additional-headers")) {
        additional = auth::v4_split_additional_headers(list->value);
      }
    } else if (auto* authorization = auth::find_header(good.headers, "Authorization")) {
      const size_t at = authorization->find("AdditionalHeaders=");
      if (at != std::string::npos) {
        const size_t end = authorization->find(',', at);
        additional = auth::v4_split_additional_headers(std::string_view(*authorization).substr(at + 18, end - at - 18));
      }
    }
  }
  auto is_signed_header = [&](std::string_view name) {
    const std::string lower = to_lower(name);
    if (lower == "content-md5" || lower == "content-type" || lower.starts_with("x-oss-")) return true;
    for (const auto& a : additional) {
      if (a == lower) return true;
    }
    return false;
  };
  for (size_t i = 0; i < good.headers.size(); ++i) {
    const auto& header = good.headers[i];
    if (iequals(header.name, "Authorization") || !is_signed_header(header.name)) continue;
    if (count_header(good.headers, header.name) != 1) continue;
    Request m = good;
    if (mutate_string(m.headers[i].value, true)) must_refuse(m);
  }
  if (auto* authorization = auth::find_header(good.headers, "Authorization")) {
    // The signature at the end of the header, and the key id / credential.
    Request m = good;
    for (auto& h : m.headers) {
      if (!iequals(h.name, "Authorization")) continue;
      const size_t sig = h.value.rfind(signer.v4 ? '=' : ':');
      const size_t at = sig + 1 + pick() % (h.value.size() - sig - 1);
      h.value[at] = changed(h.value[at]);
    }
    must_refuse(m);
    Request c = good;
    for (auto& h : c.headers) {
      if (!iequals(h.name, "Authorization")) continue;
      const size_t start = signer.v4 ? h.value.find("Credential=") + 11 : 4;
      const size_t end = signer.v4 ? h.value.find(',', start) : h.value.find(':');
      const size_t at = start + pick() % (end - start);
      h.value[at] = changed(h.value[at]);
    }
    must_refuse(c);
    (void)authorization;
  }

  // Query parameters: every one for V4 (except the signature itself, which
  // is changed like the others anyway); for V1 only the whitelisted
  // sub-resources and the three signature parameters.
  for (size_t i = 0; i < good.query.size(); ++i) {
    const auto& param = good.query[i];
    const bool v1_signature_param =
        signer.url && (param.name == "OSSAccessKeyId" || param.name == "Expires" || param.name == "Signature");
    const bool is_signed = signer.v4 || oss::is_v1_subresource(param.name) || v1_signature_param;
    if (!is_signed || auth::count_query_param(good.query, param.name) != 1) continue;
    Request m = good;
    if (mutate_string(m.query[i].value, false)) must_refuse(m);
  }
}

void round_trip(const Request& received, std::string_view control) {
  Request base;
  base.method = received.method.empty() ? "GET" : received.method;
  base.bucket = received.bucket;
  base.key = base.bucket.empty() ? std::string() : received.key;
  for (const auto& param : received.query) {
    if (!is_auth_param(param.name)) base.query.push_back(param);
  }
  for (const auto& header : received.headers) {
    if (!is_auth_header(header.name)) base.headers.push_back(header);
  }
  const uint8_t flags = control.empty() ? 0 : static_cast<uint8_t>(control[0]);
  for (int variant = 0; variant < 2; ++variant) {
    // Two of the eight signers per input, chosen by CONTROL's first byte.
    const uint8_t bits = static_cast<uint8_t>(variant == 0 ? flags : flags >> 3);
    const Signer signer{.v4 = (bits & 1) != 0, .temporary = (bits & 2) != 0, .url = (bits & 4) == 0};
    Request good = sign(base, signer);
    auto accepted = verify(good);
    if (!accepted.ok()) __builtin_trap();
    const std::string_view expected_id = signer.temporary ? kTempKeyId : kKeyId;
    const auth::AuthMethod expected_method =
        signer.v4 ? (signer.url ? auth::AuthMethod::V4Query : auth::AuthMethod::V4Header)
                  : (signer.url ? auth::AuthMethod::V1Query : auth::AuthMethod::V1Header);
    if (accepted->access_key_id != expected_id || accepted->method != expected_method) __builtin_trap();
    check_mutations(good, signer, control.size() > 1 ? control.substr(1) : std::string_view());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16384) return 0;  // a request head is limited long before this
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  Request received;
  received.method = std::string(fuzz::next_line(rest));
  const std::string_view host = fuzz::next_line(rest);
  const std::string_view target = fuzz::next_line(rest);
  while (!rest.empty()) {
    const std::string_view line = fuzz::next_line(rest);
    if (line.empty()) break;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    received.headers.push_back({std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1)))});
  }
  const std::string_view control = rest;

  auto resource = oss::resolve_resource(host, target, addressing());
  if (!resource) return 0;
  received.bucket = resource->bucket;
  received.key = resource->key;
  received.query = resource->query;

  auto result = verify(received);
  if (!result.ok() && !is_spec_auth_error(result.error().code)) __builtin_trap();

  round_trip(received, control);
  return 0;
}
