#pragma once
// What the client reads out of OSS responses: the typed error of a failed
// call, object metadata from headers, and the XML result documents. Pure,
// so tests can feed recorded responses.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/header_field.hpp"
#include "core/result.hpp"
#include "ossd/client.hpp"

namespace ossd::client::detail {

// The Error detail holding the HTTP status ("404"); the other details use
// the names of the OSS error document's elements.
inline constexpr const char* kHttpStatusDetail = "HttpStatus";

const std::string* find_header(const std::vector<HeaderField>& headers, std::string_view name);

// The ErrorCode whose OSS name (error table) is `code`, if any.
std::optional<ErrorCode> error_code_named(std::string_view code);
// The nearest ErrorCode for an HTTP status without a known Code.
ErrorCode error_code_for_status(unsigned status);

// The error a non-2xx response stands for. The document is the <Error>
// body, or for bodiless answers (HEAD) the base64 XML of the x-oss-err
// header; without either, ali-oss's fallbacks apply (404 NoSuchKey, 412
// PreconditionFailed...). The OSS Code is mapped onto ErrorCode when it is
// one of ours, else onto the nearest code for the status; the text of the
// Code is always kept in the "Code" detail.
Error error_from_response(unsigned status, const std::vector<HeaderField>& headers, std::string_view body);

// Headers of a GET/HEAD object response.
ObjectMeta object_meta_from_headers(const std::vector<HeaderField>& headers);

// "\"ABC\"" -> "ABC"
std::string unquote_etag(std::string_view etag);

// ListBucketResult of ListObjects v1 or v2, url-decoding what the server
// encoded (EncodingType url).
Result<ListObjectsPage> parse_list_objects(std::string_view body);

struct BucketPage {
  std::vector<BucketSummary> buckets;
  bool truncated = false;
  std::string next_marker;
};
Result<BucketPage> parse_list_buckets(std::string_view body);

// InitiateMultipartUploadResult -> UploadId.
Result<std::string> parse_initiate_multipart(std::string_view body);
// CompleteMultipartUploadResult -> ETag (unquoted).
Result<std::string> parse_complete_multipart(std::string_view body);
std::string render_complete_multipart(const std::vector<CompletedPart>& parts);

}  // namespace ossd::client::detail
