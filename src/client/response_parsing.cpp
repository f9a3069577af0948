#include "client/response_parsing.hpp"

#include <algorithm>
#include <optional>

#include "core/strings.hpp"
#include "core/time_format.hpp"
#include "crypto/base64.hpp"
#include "oss/error_table.hpp"
#include "oss/xml_responses.hpp"
#include "oss/xml_util.hpp"

namespace ossd::client::detail {

namespace {

constexpr std::size_t kMaxDocument = 64 << 20;

Error bad_document(std::string_view what) {
  return Error(ErrorCode::InternalError, "unexpected " + std::string(what) + " document in the response");
}

// ali-oss requestError's names for bodiless answers.
std::string_view fallback_code(unsigned status) {
  switch (status) {
    case 304: return "NotModified";
    case 404: return "NoSuchKey";
    case 412: return "PreconditionFailed";
    default: return "";
  }
}

std::string child_text(pugi::xml_node node, const char* name) { return oss::detail::text_of(node.child(name)); }

std::string maybe_decode(std::string text, bool url_encoded) {
  if (!url_encoded) return text;
  auto decoded = percent_decode(text);
  return decoded ? *decoded : text;
}

std::optional<SystemTime> iso_time(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return parse_iso8601(text);
}

uint64_t number_or_zero(const std::string& text) { return parse_uint64(text).value_or(0); }

}  // namespace

std::optional<ErrorCode> error_code_named(std::string_view code) {
  // The error table is the one place that knows each code's OSS name.
  for (ErrorCode candidate : kAllErrorCodes) {
    if (oss::describe(candidate).code == code) return candidate;
  }
  return std::nullopt;
}

ErrorCode error_code_for_status(unsigned status) {
  switch (status) {
    case 304: return ErrorCode::NotModified;
    case 400: return ErrorCode::InvalidRequest;
    case 401:
    case 403: return ErrorCode::AccessDenied;
    case 404: return ErrorCode::NoSuchKey;
    case 405: return ErrorCode::MethodNotAllowed;
    case 408: return ErrorCode::RequestTimeout;
    case 411: return ErrorCode::MissingContentLength;
    case 412: return ErrorCode::PreconditionFailed;
    case 416: return ErrorCode::InvalidRange;
    case 501: return ErrorCode::NotImplemented;
    case 503: return ErrorCode::ServiceUnavailable;
    default: return status >= 500 ? ErrorCode::InternalError : ErrorCode::InvalidRequest;
  }
}

const std::string* find_header(const std::vector<HeaderField>& headers, std::string_view name) {
  for (const auto& h : headers) {
    if (iequals(h.name, name)) return &h.value;
  }
  return nullptr;
}

Error error_from_response(unsigned status, const std::vector<HeaderField>& headers, std::string_view body) {
  std::string document(body);
  if (document.empty()) {
    if (const std::string* encoded = find_header(headers, "x-oss-err")) {
      if (auto xml = crypto::base64_decode(trim(*encoded))) document = std::move(*xml);
    }
  }

  std::vector<std::pair<std::string, std::string>> details;
  std::string code;
  std::string message;
  pugi::xml_document doc;
  if (!document.empty() && oss::detail::load_document(doc, document, kMaxDocument, "Error").ok()) {
    for (pugi::xml_node element : doc.document_element().children()) {
      if (element.type() != pugi::node_element) continue;
      std::string name = element.name();
      std::string value = oss::detail::text_of(element);
      if (name == "Code") code = value;
      if (name == "Message") message = value;
      details.emplace_back(std::move(name), std::move(value));
    }
  }
  if (code.empty()) {
    code = fallback_code(status);
    if (!code.empty()) details.emplace_back("Code", code);
  }
  const bool has_request_id =
      std::any_of(details.begin(), details.end(), [](const auto& d) { return d.first == "RequestId"; });
  if (!has_request_id) {
    if (const std::string* id = find_header(headers, "x-oss-request-id")) details.emplace_back("RequestId", *id);
  }
  details.emplace_back(kHttpStatusDetail, std::to_string(status));

  ErrorCode mapped = error_code_for_status(status);
  if (auto named = error_code_named(code)) mapped = *named;
  if (message.empty()) message = code.empty() ? "HTTP " + std::to_string(status) : code;
  Error error(mapped, std::move(message));
  error.details = std::move(details);
  return error;
}

std::string unquote_etag(std::string_view etag) {
  etag = trim(etag);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return std::string(etag);
}

ObjectMeta object_meta_from_headers(const std::vector<HeaderField>& headers) {
  ObjectMeta meta;
  meta.headers = headers;
  for (const auto& [name, value] : headers) {
    std::string lower = to_lower(name);
    if (lower == "content-length") {
      meta.size = number_or_zero(value);
    } else if (lower == "etag") {
      meta.etag = unquote_etag(value);
    } else if (lower == "content-type") {
      meta.content_type = value;
    } else if (lower == "last-modified") {
      meta.last_modified = parse_http_date(value);
    } else if (lower == "x-oss-hash-crc64ecma") {
      meta.crc64 = parse_uint64(value);
    } else if (lower == "x-oss-object-type") {
      meta.object_type = value;
    } else if (lower == "x-oss-storage-class") {
      meta.storage_class = value;
    } else if (lower == "x-oss-request-id") {
      meta.request_id = value;
    } else if (lower.starts_with("x-oss-meta-")) {
      meta.user_meta[lower.substr(11)] = value;
    }
  }
  return meta;
}

Result<ListObjectsPage> parse_list_objects(std::string_view body) {
  pugi::xml_document doc;
  if (!oss::detail::load_document(doc, body, kMaxDocument, "ListBucketResult").ok()) {
    return bad_document("ListBucketResult");
  }
  pugi::xml_node root = doc.document_element();
  const bool url = child_text(root, "EncodingType") == "url";
  ListObjectsPage page;
  page.truncated = child_text(root, "IsTruncated") == "true";
  page.next_marker = maybe_decode(child_text(root, "NextMarker"), url);
  page.next_continuation_token = maybe_decode(child_text(root, "NextContinuationToken"), url);
  for (pugi::xml_node contents : root.children("Contents")) {
    ObjectSummary object;
    object.key = maybe_decode(child_text(contents, "Key"), url);
    object.size = number_or_zero(child_text(contents, "Size"));
    object.etag = unquote_etag(child_text(contents, "ETag"));
    object.last_modified = iso_time(child_text(contents, "LastModified"));
    object.type = child_text(contents, "Type");
    object.storage_class = child_text(contents, "StorageClass");
    page.objects.push_back(std::move(object));
  }
  for (pugi::xml_node prefixes : root.children("CommonPrefixes")) {
    page.common_prefixes.push_back(maybe_decode(child_text(prefixes, "Prefix"), url));
  }
  return page;
}

Result<BucketPage> parse_list_buckets(std::string_view body) {
  pugi::xml_document doc;
  if (!oss::detail::load_document(doc, body, kMaxDocument, "ListAllMyBucketsResult").ok()) {
    return bad_document("ListAllMyBucketsResult");
  }
  pugi::xml_node root = doc.document_element();
  BucketPage page;
  page.truncated = child_text(root, "IsTruncated") == "true";
  page.next_marker = child_text(root, "NextMarker");
  for (pugi::xml_node bucket : root.child("Buckets").children("Bucket")) {
    BucketSummary summary;
    summary.name = child_text(bucket, "Name");
    summary.location = child_text(bucket, "Location");
    summary.creation_date = iso_time(child_text(bucket, "CreationDate"));
    summary.storage_class = child_text(bucket, "StorageClass");
    page.buckets.push_back(std::move(summary));
  }
  return page;
}

Result<std::string> parse_initiate_multipart(std::string_view body) {
  pugi::xml_document doc;
  if (!oss::detail::load_document(doc, body, kMaxDocument, "InitiateMultipartUploadResult").ok()) {
    return bad_document("InitiateMultipartUploadResult");
  }
  std::string upload_id = child_text(doc.document_element(), "UploadId");
  if (upload_id.empty()) return bad_document("InitiateMultipartUploadResult");
  return upload_id;
}

Result<std::string> parse_complete_multipart(std::string_view body) {
  pugi::xml_document doc;
  if (!oss::detail::load_document(doc, body, kMaxDocument, "CompleteMultipartUploadResult").ok()) {
    return bad_document("CompleteMultipartUploadResult");
  }
  return unquote_etag(child_text(doc.document_element(), "ETag"));
}

std::string render_complete_multipart(const std::vector<CompletedPart>& parts) {
  pugi::xml_document doc;
  pugi::xml_node root = oss::detail::start_document(doc, "CompleteMultipartUpload");
  for (const auto& part : parts) {
    pugi::xml_node node = root.append_child("Part");
    oss::detail::add_uint(node, "PartNumber", part.part_number);
    oss::detail::add_text(node, "ETag", oss::quote_etag(part.etag));
  }
  return oss::detail::save_document(doc);
}

}  // namespace ossd::client::detail
