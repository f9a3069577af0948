#pragma once
// Signatures of Alibaba Cloud's RPC-style APIs (STS 2015-04-01, RAM
// 2015-05-01), spec §6.1 and §6.2. Pure: values in, strings out. Used by the
// server to verify and by the C++ client to sign.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/header_field.hpp"
#include "core/result.hpp"

namespace ossd::auth {

using RpcParams = std::vector<std::pair<std::string, std::string>>;  // decoded name/value pairs

// RFC 3986 strict (what pop-core and the real service use) or Node
// `querystring.escape`, which leaves ! ' ( ) * unescaped (sts-sdk quirk, §6.1).
enum class RpcEncoding { Rfc3986, NodeQuerystring };

std::string rpc_percent_encode(std::string_view text, RpcEncoding encoding);

// "<METHOD>&%2F&" + percentEncode(sorted name=value pairs joined by &),
// every param except "Signature".
std::string rpc_string_to_sign(std::string_view method, const RpcParams& params, RpcEncoding encoding);

// Base64(HMAC-SHA1(secret + "&", string_to_sign)).
std::string rpc_signature(std::string_view secret, std::string_view string_to_sign);

// ACS3-HMAC-SHA256 (spec §6.2).
struct Acs3Authorization {
  std::string access_key_id;
  std::vector<std::string> signed_headers;  // lower-case, as listed
  std::string signature;                    // lower-case hex
};

// Parses "ACS3-HMAC-SHA256 Credential=<AK>,SignedHeaders=a;b,Signature=<hex>".
// IncompleteSignature-style errors are InvalidArgument with a message.
Result<Acs3Authorization> parse_acs3_authorization(std::string_view header);

// The canonical request: METHOD \n path \n sorted query (RFC 3986 values,
// "k=" for empty) \n canonical headers (the named signed headers, lower-case,
// trimmed, sorted) \n signed header list \n hashed payload (x-acs-content-sha256).
std::string acs3_canonical_request(std::string_view method, std::string_view path, const RpcParams& query,
                                   const std::vector<HeaderField>& headers,
                                   const std::vector<std::string>& signed_headers, std::string_view payload_hash);

// "ACS3-HMAC-SHA256\n" + hex(SHA-256(canonical_request)).
std::string acs3_string_to_sign(std::string_view canonical_request);

// hex(HMAC-SHA256(secret, string_to_sign)).
std::string acs3_signature(std::string_view secret, std::string_view string_to_sign);

}  // namespace ossd::auth
