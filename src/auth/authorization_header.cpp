#include "auth/authorization_header.hpp"

#include "auth/auth_errors.hpp"
#include "core/strings.hpp"

namespace ossd::auth {

namespace {

constexpr std::string_view kV1Scheme = "OSS ";
constexpr std::string_view kV4Scheme = "OSS4-HMAC-SHA256 ";

Error malformed(std::string_view argument_name, std::string_view value, std::string message) {
  return invalid_argument(std::move(message), argument_name, value);
}

}  // namespace

bool is_v1_authorization(std::string_view value) { return value.starts_with(kV1Scheme); }
bool is_v4_authorization(std::string_view value) { return value.starts_with(kV4Scheme); }

Result<V1Authorization> parse_v1_authorization(std::string_view value) {
  auto invalid = [&] {
    return malformed("Authorization", value,
                     "Authorization header is invalid: expected \"OSS <AccessKeyId>:<Signature>\".");
  };
  if (!is_v1_authorization(value)) return invalid();
  std::string_view rest = trim(value.substr(kV1Scheme.size()));
  std::size_t colon = rest.find(':');
  if (colon == std::string_view::npos) return invalid();
  std::string_view id = rest.substr(0, colon);
  std::string_view signature = rest.substr(colon + 1);
  if (id.empty() || signature.empty() || signature.find(':') != std::string_view::npos) return invalid();
  return V1Authorization{std::string(id), std::string(signature)};
}

Result<V4Credential> parse_v4_credential(std::string_view text, std::string_view argument_name) {
  // The access key id is everything before the last four '/'-separated
  // parts, so the split works from the right.
  std::string_view parts[4];
  std::string_view rest = text;
  for (int i = 3; i >= 0; --i) {
    std::size_t slash = rest.rfind('/');
    if (slash == std::string_view::npos) {
      return malformed(argument_name, text,
                       "Invalid credential: expected \"<AccessKeyId>/<yyyymmdd>/<region>/oss/aliyun_v4_request\".");
    }
    parts[i] = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  if (rest.empty() || parts[0].empty() || parts[1].empty() || parts[2].empty() || parts[3].empty()) {
    return malformed(argument_name, text,
                     "Invalid credential: expected \"<AccessKeyId>/<yyyymmdd>/<region>/oss/aliyun_v4_request\".");
  }
  return V4Credential{std::string(rest), std::string(parts[0]), std::string(parts[1]), std::string(parts[2]),
                      std::string(parts[3])};
}

Result<V4Authorization> parse_v4_authorization(std::string_view value) {
  auto invalid = [&](const std::string& detail) {
    return malformed("Authorization", value,
                     "Authorization header is invalid: " + detail +
                         " Expected \"OSS4-HMAC-SHA256 Credential=<AccessKeyId>/<yyyymmdd>/<region>/oss/"
                         "aliyun_v4_request,[AdditionalHeaders=<h1;h2>,]Signature=<hex>\".");
  };
  if (!is_v4_authorization(value)) return invalid("wrong scheme.");

  std::string_view rest = value.substr(kV4Scheme.size());
  bool has_credential = false, has_additional = false, has_signature = false;
  std::string credential_text;
  V4Authorization parsed;
  while (true) {
    std::size_t comma = rest.find(',');
    std::string_view item = trim(rest.substr(0, comma));
    std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) return invalid("\"" + std::string(item) + "\" is not a Name=Value pair.");
    std::string_view name = item.substr(0, eq);
    std::string_view field = item.substr(eq + 1);
    bool* seen = nullptr;
    if (name == "Credential") {
      seen = &has_credential;
      credential_text = field;
    } else if (name == "AdditionalHeaders") {
      seen = &has_additional;
      parsed.additional_headers = field;
    } else if (name == "Signature") {
      seen = &has_signature;
      parsed.signature = field;
    } else {
      return invalid("unknown field \"" + std::string(name) + "\".");
    }
    if (*seen) return invalid("field \"" + std::string(name) + "\" appears twice.");
    *seen = true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (!has_credential) return invalid("Credential is missing.");
  if (!has_signature || parsed.signature.empty()) return invalid("Signature is missing.");

  auto credential = parse_v4_credential(credential_text, "Authorization");
  if (!credential.ok()) return std::move(credential).error();
  parsed.credential = std::move(credential).value();
  return parsed;
}

}  // namespace ossd::auth
