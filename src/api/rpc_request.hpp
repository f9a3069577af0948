#pragma once
// Calls of the RPC-style APIs (STS 2015-04-01 and RAM 2015-05-01) arriving
// at the OSS endpoint: recognising them, collecting their parameters and
// verifying their signatures (spec §6.1, §6.2). Pure: the request's parts,
// the credential lookup and the time are parameters; the handler
// (rpc_handler.cpp) does the I/O.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "auth/credential.hpp"
#include "auth/identity.hpp"
#include "auth/rpc_signature.hpp"
#include "core/header_field.hpp"
#include "core/result.hpp"
#include "http/exchange.hpp"
#include "iam/rpc_call.hpp"
#include "oss/addressing.hpp"

namespace ossd::api {

// Largest form body read for an RPC call (a 6144-character policy
// percent-encoded three times over still fits).
inline constexpr size_t kMaxRpcBody = size_t{64} * 1024;

// By its head: addressed to the service root (no bucket, path "/") and
// carrying `Action` in the query, an `x-acs-action` header, or a POST with a
// form-urlencoded body (ali-oss's STS client sends only that).
bool is_rpc_request(const http::Request& request, const oss::Resource& resource);

// The parameters, decoded ('+' is a space, as in any form encoding).
struct RpcParameters {
  auth::RpcParams query;  // from the URL, in order
  auth::RpcParams form;   // from a form-urlencoded body, in order
  iam::RpcParams all;     // both; a name given twice is refused
};

// InvalidParameter for a bad escape or a name given twice.
Result<RpcParameters> collect_rpc_parameters(std::string_view raw_query, std::string_view content_type,
                                             std::string_view body);

// Format=XML (any case) asks for XML; everything else gets JSON.
bool wants_xml(const iam::RpcParams& params);

enum class RpcSigning { V1, Acs3 };

// What signs the call and when, from the common parameters (V1) or the
// x-acs-* headers (ACS3).
struct RpcEnvelope {
  RpcSigning signing = RpcSigning::V1;
  std::string action;
  std::string version;
  std::string access_key_id;
  std::string security_token;  // "" when none
  std::string nonce;
  std::string timestamp_text;
  SystemTime timestamp;
  std::string signature;                    // V1: base64; ACS3: hex
  std::vector<std::string> signed_headers;  // ACS3
  std::string content_sha256;               // ACS3: x-acs-content-sha256
};

// Errors (RPC codes): IncompleteSignature (no signature, malformed ACS3
// Authorization, a required x-acs header not signed), MissingParameter,
// UnsupportedSignatureMethod, UnsupportedSignatureVersion,
// InvalidTimeStamp.Format.
Result<RpcEnvelope> parse_rpc_envelope(const RpcParameters& params, const std::vector<HeaderField>& headers);

struct RpcVerifySettings {
  std::chrono::seconds max_skew{900};
};

// Checks the time window and the signature, and resolves the signer.
// Errors: InvalidTimeStamp.Expired, InvalidAccessKeyId.NotFound (404),
// MissingSecurityToken, InvalidSecurityToken.* (temporary keys),
// SignatureDoesNotMatch (the message carries the server's string to sign).
// V1 signatures are accepted in either percent-encoding clients produce
// (RFC 3986, Node querystring); ACS3 also checks x-acs-content-sha256
// against the body. The nonce is the caller's to check (after this).
Result<auth::Identity> verify_rpc_request(const RpcEnvelope& envelope, const RpcParameters& params,
                                          std::string_view method, std::string_view path,
                                          const std::vector<HeaderField>& headers, std::string_view body,
                                          const auth::CredentialLookup& credentials, SystemTime now,
                                          const RpcVerifySettings& settings);

}  // namespace ossd::api
