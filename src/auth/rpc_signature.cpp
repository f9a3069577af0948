#include "auth/rpc_signature.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include "core/strings.hpp"
#include "crypto/base64.hpp"
#include "crypto/hash.hpp"
#include "crypto/hmac.hpp"

namespace ossd::auth {

namespace {

constexpr std::string_view kAcs3Algorithm = "ACS3-HMAC-SHA256";

bool is_rfc3986_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

// Node's querystring.escape (and encodeURIComponent) also leave these alone.
bool is_node_extra_unreserved(unsigned char c) { return c == '!' || c == '\'' || c == '(' || c == ')' || c == '*'; }

bool is_hex_digit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

Error incomplete_signature(std::string message) { return Error(ErrorCode::InvalidArgument, std::move(message)); }

}  // namespace

std::string rpc_percent_encode(std::string_view text, RpcEncoding encoding) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_rfc3986_unreserved(c) || (encoding == RpcEncoding::NodeQuerystring && is_node_extra_unreserved(c))) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 15]);
    }
  }
  return out;
}

std::string rpc_string_to_sign(std::string_view method, const RpcParams& params, RpcEncoding encoding) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(params.size());
  for (const auto& [name, value] : params) {
    if (name == "Signature") continue;
    encoded.emplace_back(rpc_percent_encode(name, encoding), rpc_percent_encode(value, encoding));
  }
  // By encoded name; the value breaks ties so a repeated name still gives
  // one answer whatever order the pairs arrived in.
  std::sort(encoded.begin(), encoded.end());

  std::string canonical;
  for (const auto& [name, value] : encoded) {
    if (!canonical.empty()) canonical.push_back('&');
    canonical += name;
    canonical.push_back('=');
    canonical += value;
  }
  std::string out(method);
  out += "&%2F&";
  // The same encoder again over the whole string: pop-core's strict encode
  // twice, sts-sdk's encodeURIComponent over querystring.stringify.
  out += rpc_percent_encode(canonical, encoding);
  return out;
}

std::string rpc_signature(std::string_view secret, std::string_view string_to_sign) {
  std::string key(secret);
  key.push_back('&');
  return crypto::base64_encode(crypto::hmac_sha1(key, string_to_sign));
}

Result<Acs3Authorization> parse_acs3_authorization(std::string_view header) {
  header = trim(header);
  if (!header.starts_with(kAcs3Algorithm)) return incomplete_signature("Authorization does not use ACS3-HMAC-SHA256");
  std::string_view rest = header.substr(kAcs3Algorithm.size());
  if (rest.empty() || (rest.front() != ' ' && rest.front() != '\t')) {
    return incomplete_signature("Authorization does not use ACS3-HMAC-SHA256");
  }
  rest = trim(rest);

  std::optional<std::string_view> credential, signed_headers, signature;
  bool more = true;
  while (more) {
    const size_t comma = rest.find(',');
    const std::string_view item = trim(rest.substr(0, comma));
    more = comma != std::string_view::npos;
    rest = more ? rest.substr(comma + 1) : std::string_view{};
    const size_t equals = item.find('=');
    if (equals == std::string_view::npos) return incomplete_signature("Authorization field without '=': malformed");
    const std::string_view name = item.substr(0, equals);
    const std::string_view value = item.substr(equals + 1);
    std::optional<std::string_view>* slot = name == "Credential"      ? &credential
                                            : name == "SignedHeaders" ? &signed_headers
                                            : name == "Signature"     ? &signature
                                                                      : nullptr;
    if (slot == nullptr) return incomplete_signature("Authorization has an unknown field " + std::string(name));
    if (slot->has_value()) return incomplete_signature("Authorization repeats the field " + std::string(name));
    *slot = value;
  }
  if (!credential || credential->empty()) return incomplete_signature("Authorization is missing Credential");
  if (!signed_headers || signed_headers->empty()) return incomplete_signature("Authorization is missing SignedHeaders");
  if (!signature || signature->empty()) return incomplete_signature("Authorization is missing Signature");
  // A SHA-256 HMAC in hex: exactly 64 digits.
  if (signature->size() != 64 || !std::all_of(signature->begin(), signature->end(), is_hex_digit)) {
    return incomplete_signature("Authorization Signature is not 64 hex digits");
  }

  Acs3Authorization out;
  out.access_key_id = std::string(*credential);
  out.signature = to_lower(*signature);
  std::string_view names = *signed_headers;
  while (true) {
    const size_t semicolon = names.find(';');
    const std::string_view name = names.substr(0, semicolon);
    if (name.empty()) return incomplete_signature("Authorization SignedHeaders has an empty name");
    out.signed_headers.push_back(to_lower(name));
    if (semicolon == std::string_view::npos) break;
    names.remove_prefix(semicolon + 1);
  }
  return out;
}

std::string acs3_canonical_request(std::string_view method, std::string_view path, const RpcParams& query,
                                   const std::vector<HeaderField>& headers,
                                   const std::vector<std::string>& signed_headers, std::string_view payload_hash) {
  std::vector<std::pair<std::string, std::string>> encoded_query;
  encoded_query.reserve(query.size());
  for (const auto& [name, value] : query) {
    encoded_query.emplace_back(rpc_percent_encode(name, RpcEncoding::Rfc3986),
                               rpc_percent_encode(value, RpcEncoding::Rfc3986));
  }
  std::sort(encoded_query.begin(), encoded_query.end());

  // Signed names, lower-cased, sorted, once each. Each gets the trimmed
  // values of every header of that name, sorted and joined with ',' (what
  // openapi-core does with repeated headers); a signed name the request does
  // not carry gets an empty value, so its signature cannot match a client
  // that sent one.
  std::map<std::string, std::vector<std::string>> values_by_name;
  for (const std::string& name : signed_headers) values_by_name[to_lower(name)];
  for (const HeaderField& header : headers) {
    auto it = values_by_name.find(to_lower(header.name));
    if (it != values_by_name.end()) it->second.emplace_back(trim(header.value));
  }

  std::string out(method);
  out.push_back('\n');
  out += path;
  out.push_back('\n');
  for (size_t i = 0; i < encoded_query.size(); ++i) {
    if (i > 0) out.push_back('&');
    out += encoded_query[i].first;
    out.push_back('=');
    out += encoded_query[i].second;
  }
  out.push_back('\n');
  std::string signed_list;
  for (auto& [name, values] : values_by_name) {
    std::sort(values.begin(), values.end());
    out += name;
    out.push_back(':');
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out.push_back(',');
      out += values[i];
    }
    out.push_back('\n');
    if (!signed_list.empty()) signed_list.push_back(';');
    signed_list += name;
  }
  out.push_back('\n');
  out += signed_list;
  out.push_back('\n');
  out += payload_hash;
  return out;
}

std::string acs3_string_to_sign(std::string_view canonical_request) {
  std::string out(kAcs3Algorithm);
  out.push_back('\n');
  out += hex_lower(crypto::sha256(canonical_request));
  return out;
}

std::string acs3_signature(std::string_view secret, std::string_view string_to_sign) {
  return hex_lower(crypto::hmac_sha256(secret, string_to_sign));
}

}  // namespace ossd::auth
