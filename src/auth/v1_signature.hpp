#pragma once
// OSS signature V1 (spec §1, §2): HMAC-SHA1 over a newline-joined
// StringToSign. One canonicalizer for the server's verification and for
// clients and tests that sign (DESIGN rule 1).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "auth/signed_request.hpp"
#include "core/header_field.hpp"
#include "core/strings.hpp"

namespace ossd::auth {

// "/" (no bucket), "/<bucket>/" (no key) or "/<bucket>/<key>" with the raw
// decoded key, then "?" + the whitelisted sub-resources of `query` sorted by
// name, "name=value" or just "name" when the value is empty, joined by '&'.
std::string v1_canonical_resource(std::string_view bucket, std::string_view key, const std::vector<QueryParam>& query);

// One "name:value\n" line per x-oss-* header (lower-cased name, trimmed
// value), sorted by name; "" when there are none.
std::string v1_canonical_oss_headers(const std::vector<HeaderField>& headers);

// VERB \n Content-MD5 \n Content-Type \n date_line \n <x-oss-* lines> resource.
// date_line is the x-oss-date (else Date) header for header signatures and
// the Expires number for signed URLs.
std::string v1_string_to_sign(std::string_view method, std::string_view content_md5, std::string_view content_type,
                              std::string_view date_line, const std::vector<HeaderField>& headers,
                              std::string_view canonical_resource);

// Base64(HMAC-SHA1(secret, string_to_sign)).
std::string v1_signature(std::string_view secret, std::string_view string_to_sign);

// v1_string_to_sign with method, Content-MD5, Content-Type, x-oss-* headers
// and resource taken from the request.
std::string v1_request_string_to_sign(const SignedRequest& request, std::string_view date_line);

// The x-oss-date header if present, else the Date header, else "".
std::string_view v1_date_line(const std::vector<HeaderField>& headers);

// "OSS <id>:<signature>" for a request that already carries its x-oss-date
// (or Date) header.
std::string sign_v1_authorization(const SignedRequest& request, std::string_view access_key_id,
                                  std::string_view secret);

// The query parameters that turn the request into a V1 signed URL:
// OSSAccessKeyId, Expires, Signature (decoded values, in that order). The
// request's own query carries the sub-resources to bind (x-oss-process,
// response-*, security-token...); its Content-Type, Content-MD5 and x-oss-*
// headers are signed and must be sent by whoever uses the URL.
std::vector<QueryParam> presign_v1_query(const SignedRequest& request, std::string_view access_key_id,
                                         std::string_view secret, int64_t expires_unix_seconds);

}  // namespace ossd::auth
