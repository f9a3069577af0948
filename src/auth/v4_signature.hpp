#pragma once
// OSS signature V4, OSS4-HMAC-SHA256 (spec §3): canonical request ->
// string to sign -> HMAC-SHA256 with a key derived per secret, day and
// region. One canonicalizer for server verification and for signing
// clients and tests (DESIGN rule 1).
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "auth/signed_request.hpp"
#include "core/clock.hpp"
#include "core/header_field.hpp"
#include "core/strings.hpp"

namespace ossd::auth {

inline constexpr std::string_view kV4Algorithm = "OSS4-HMAC-SHA256";
inline constexpr std::string_view kV4Terminator = "aliyun_v4_request";
inline constexpr std::string_view kV4Product = "oss";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

// The scope region: "oss-cn-hangzhou" -> "cn-hangzhou" (a name without the
// prefix is returned unchanged).
std::string v4_region(std::string_view configured_region);

// "/<bucket>/<key>", "/<bucket>/" or "/", RFC 3986-encoded with '/' kept.
std::string v4_canonical_uri(std::string_view bucket, std::string_view key);

// How a parameter with an empty value is rendered. ali-oss renders a null
// value as "k" and an empty string as "k=", but both travel as "k=" in the
// URL, so a verifier cannot tell them apart: it tries NameOnly (what the
// SDK does for every sub-resource) and falls back to NameEquals.
enum class EmptyQueryValue { NameOnly, NameEquals };

// Every parameter except x-oss-signature, name and value RFC 3986-encoded,
// sorted by encoded name then value (byte order), "k=v" joined by '&'.
std::string v4_canonical_query(const std::vector<QueryParam>& query,
                               EmptyQueryValue empty_style = EmptyQueryValue::NameOnly);

// What a client does to its additional-header list before signing:
// lower-case, de-duplicate, drop the always-signed names (content-type,
// content-md5, x-oss-*), sort.
std::vector<std::string> v4_normalize_additional_headers(const std::vector<std::string>& names);

// Splits a received "h1;h2" list as-is (the verifier signs what the client
// listed, in the client's order).
std::vector<std::string> v4_split_additional_headers(std::string_view list);

// "name:value\n" for content-type, content-md5, every x-oss-* header and each
// additional header present in the request; sorted by name.
std::string v4_canonical_headers(const std::vector<HeaderField>& headers,
                                 const std::vector<std::string>& additional_headers);

// The x-oss-content-sha256 header, or UNSIGNED-PAYLOAD.
std::string v4_payload_hash(const std::vector<HeaderField>& headers);

// VERB \n URI \n query \n headers \n additional-list \n payload-hash.
std::string v4_canonical_request(std::string_view method, std::string_view bucket, std::string_view key,
                                 const std::vector<QueryParam>& query, const std::vector<HeaderField>& headers,
                                 const std::vector<std::string>& additional_headers,
                                 EmptyQueryValue empty_style = EmptyQueryValue::NameOnly);

// "<yyyymmdd>/<region>/oss/aliyun_v4_request"
std::string v4_scope(std::string_view yyyymmdd, std::string_view region);

// "OSS4-HMAC-SHA256\n<timestamp>\n<scope>\n<hex sha256(canonical request)>";
// timestamp is the ISO 8601 basic form ("20240520T083000Z").
std::string v4_string_to_sign(std::string_view timestamp, std::string_view scope, std::string_view canonical_request);

// The raw 32-byte signing key. It depends only on secret, day and region, so
// a caller may cache it per access key and day.
std::string v4_signing_key(std::string_view secret, std::string_view yyyymmdd, std::string_view region);

// Lower-case hex HMAC-SHA256(signing_key, string_to_sign).
std::string v4_signature(std::string_view signing_key, std::string_view string_to_sign);

// The Authorization header value for a request that already carries its
// x-oss-date header (ISO 8601 basic) and, usually, x-oss-content-sha256.
// `region` is the scope region ("cn-hangzhou"); additional_headers are
// normalized as the SDK does.
std::string sign_v4_authorization(const SignedRequest& request, std::string_view access_key_id, std::string_view secret,
                                  std::string_view region, const std::vector<std::string>& additional_headers = {});

// The query parameters that turn the request into a V4 signed URL, in
// ali-oss order: [x-oss-additional-headers], x-oss-credential, x-oss-date,
// x-oss-expires, x-oss-signature-version, [x-oss-security-token],
// x-oss-signature (decoded values). The request's own query is signed with
// them; its Content-Type, Content-MD5, x-oss-* and additional headers must
// be sent by whoever uses the URL.
std::vector<QueryParam> presign_v4_query(const SignedRequest& request, std::string_view access_key_id,
                                         std::string_view secret, std::string_view region, SystemTime now,
                                         std::chrono::seconds expires, std::string_view security_token = {},
                                         const std::vector<std::string>& additional_headers = {});

}  // namespace ossd::auth
