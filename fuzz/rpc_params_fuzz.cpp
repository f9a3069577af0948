// libFuzzer target: the STS signature parsers and canonicalizers on arbitrary
// input. The input is split at the first newline: the first part is parsed as
// an ACS3 Authorization header, the rest as a raw query string whose decoded
// pairs feed both RPC string-to-sign encodings and the ACS3 canonical request.
//
// Build (standalone, from the repository root):
//   clang++-14 -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -Isrc
//     fuzz/rpc_params_fuzz.cpp src/auth/rpc_signature.cpp src/crypto/base64.cpp
//     src/crypto/hash.cpp src/crypto/hmac.cpp src/core/strings.cpp -lcrypto -o rpc_params_fuzz
//   ./rpc_params_fuzz fuzz/corpus/rpc_params
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/rpc_signature.hpp"
#include "core/strings.hpp"

namespace {

bool is_hex_lower(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// The string to sign is METHOD & %2F & encoded text: only unreserved
// characters, '%' and '&' (and ! ' ( ) * for the Node encoding).
bool is_encoded_output(std::string_view text, bool node) {
  for (char c : text) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                            c == '_' || c == '.' || c == '~';
    const bool node_extra = c == '!' || c == '\'' || c == '(' || c == ')' || c == '*';
    if (!unreserved && c != '%' && c != '&' && !(node && node_extra)) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ossd;
  using namespace ossd::auth;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string_view header = input.substr(0, newline);
  const std::string_view query = newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);

  std::vector<std::string> signed_headers = {"host", "x-acs-date"};
  Result<Acs3Authorization> authorization = parse_acs3_authorization(header);
  if (authorization.ok()) {
    if (authorization->access_key_id.empty() || authorization->signed_headers.empty() ||
        authorization->signature.size() != 64 || !is_hex_lower(authorization->signature)) {
      __builtin_trap();
    }
    for (const std::string& name : authorization->signed_headers) {
      if (name.empty() || to_lower(name) != name) __builtin_trap();
    }
    signed_headers = authorization->signed_headers;
  } else if (authorization.error().code != ErrorCode::InvalidArgument) {
    __builtin_trap();
  }

  std::optional<std::vector<QueryParam>> decoded = parse_query(query);
  if (!decoded) return 0;
  RpcParams params;
  std::vector<HeaderField> headers;
  for (const QueryParam& p : *decoded) {
    params.emplace_back(p.name, p.value);
    headers.push_back({p.name, p.value});
  }
  for (RpcEncoding encoding : {RpcEncoding::Rfc3986, RpcEncoding::NodeQuerystring}) {
    const std::string string_to_sign = rpc_string_to_sign("POST", params, encoding);
    if (!string_to_sign.starts_with("POST&%2F&") ||
        !is_encoded_output(std::string_view(string_to_sign).substr(9), encoding == RpcEncoding::NodeQuerystring)) {
      __builtin_trap();
    }
    if (rpc_signature("secret", string_to_sign).size() != 28) __builtin_trap();
  }
  const std::string canonical = acs3_canonical_request("POST", "/", params, headers, signed_headers, "hash");
  const std::string string_to_sign = acs3_string_to_sign(canonical);
  if (acs3_signature("secret", string_to_sign).size() != 64) __builtin_trap();
  return 0;
}
