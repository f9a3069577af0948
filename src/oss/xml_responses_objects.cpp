// Multipart, copy, delete and tagging bodies.
#include "core/strings.hpp"
#include "oss/error_table.hpp"
#include "oss/xml_responses.hpp"
#include "oss/xml_util.hpp"

namespace ossd::oss {

namespace {

using detail::add_bool;
using detail::add_text;
using detail::add_time_ms;
using detail::add_uint;

using detail::maybe_url_encode;

std::string render_copy_result(const char* root_name, std::string_view etag, int64_t last_modified_ms,
                               bool etag_first) {
  pugi::xml_document doc;
  pugi::xml_node root = detail::start_document(doc, root_name);
  if (etag_first) add_text(root, "ETag", quote_etag(etag));
  add_time_ms(root, "LastModified", last_modified_ms);
  if (!etag_first) add_text(root, "ETag", quote_etag(etag));
  return detail::save_document(doc);
}

}  // namespace

std::string render_initiate_multipart(std::string_view bucket, std::string_view key, std::string_view upload_id,
                                      bool url_encoded) {
  pugi::xml_document doc;
  pugi::xml_node root = detail::start_document(doc, "InitiateMultipartUploadResult");
  if (url_encoded) add_text(root, "EncodingType", "url");
  add_text(root, "Bucket", bucket);
  add_text(root, "Key", maybe_url_encode(key, url_encoded));
  add_text(root, "UploadId", upload_id);
  return detail::save_document(doc);
}

std::string render_complete_multipart(std::string_view location, std::string_view bucket, std::string_view key,
                                      std::string_view etag, bool url_encoded) {
  pugi::xml_document doc;
  pugi::xml_node root = detail::start_document(doc, "CompleteMultipartUploadResult");
  if (url_encoded) add_text(root, "EncodingType", "url");
  add_text(root, "Location", location);
  add_text(root, "Bucket", bucket);
  add_text(root, "Key", maybe_url_encode(key, url_encoded));
  add_text(root, "ETag", quote_etag(etag));
  return detail::save_document(doc);
}

std::string render_list_parts(const PartListing& request, const std::vector<meta::PartRecord>& parts, bool truncated) {
  pugi::xml_document doc;
  pugi::xml_node root = detail::start_document(doc, "ListPartsResult");
  if (request.url_encoded) add_text(root, "EncodingType", "url");
  add_text(root, "Bucket", request.bucket);
  add_text(root, "Key", maybe_url_encode(request.key, request.url_encoded));
  add_text(root, "UploadId", request.upload_id);
  add_uint(root, "PartNumberMarker", request.part_number_marker);
  add_uint(root, "NextPartNumberMarker", parts.empty() ? request.part_number_marker : parts.back().part_number);
  add_uint(root, "MaxParts", request.max_parts);
  add_bool(root, "IsTruncated", truncated);
  for (const meta::PartRecord& part : parts) {
    pugi::xml_node node = root.append_child("Part");
    add_uint(node, "PartNumber", part.part_number);
    add_time_ms(node, "LastModified", part.last_modified_ms);
    add_text(node, "ETag", quote_etag(part.etag));
    add_uint(node, "HashCrc64ecma", part.crc64);
    add_uint(node, "Size", part.size);
  }
  return detail::save_document(doc);
}

std::string render_list_uploads(const UploadListing& request, const meta::UploadListResult& result) {
  const bool url = request.url_encoded;
  const meta::UploadListQuery& query = request.query;
  pugi::xml_document doc;
  pugi::xml_node root = detail::start_document(doc, "ListMultipartUploadsResult");
  if (url) add_text(root, "EncodingType", "url");
  add_text(root, "Bucket", request.bucket);
  add_text(root, "KeyMarker", maybe_url_encode(query.key_marker, url));
  add_text(root, "UploadIdMarker", query.upload_id_marker);
  add_text(root, "NextKeyMarker", maybe_url_encode(result.next_key_marker, url));
  add_text(root, "NextUploadIdMarker", result.next_upload_id_marker);
  add_text(root, "Delimiter", maybe_url_encode(query.delimiter, url));
  add_text(root, "Prefix", maybe_url_encode(query.prefix, url));
  add_uint(root, "MaxUploads", query.max_uploads);
  add_bool(root, "IsTruncated", result.truncated);
  for (const meta::UploadRecord& upload : result.uploads) {
    pugi::xml_node node = root.append_child("Upload");
    add_text(node, "Key", maybe_url_encode(upload.key, url));
    add_text(node, "UploadId", upload.upload_id);
    add_text(node, "StorageClass",
             upload.object.storage_class.empty() ? std::string_view("Standard") : upload.object.storage_class);
    add_time_ms(node, "Initiated", upload.initiated_ms);
  }
  for (const std::string& prefix : result.common_prefixes) {
    add_text(root.append_child("CommonPrefixes"), "Prefix", maybe_url_encode(prefix, url));
  }
  return detail::save_document(doc);
}

std::string render_copy_object_result(std::string_view etag, int64_t last_modified_ms) {
  return render_copy_result("CopyObjectResult", etag, last_modified_ms, true);
}

std::string render_copy_part_result(std::string_view etag, int64_t last_modified_ms) {
  return render_copy_result("CopyPartResult", etag, last_modified_ms, false);
}

std::string render_delete_result(const std::vector<std::string>& deleted, bool quiet, bool url_encoded,
                                 const std::vector<DeleteFailure>& failures) {
  pugi::xml_document doc;
  pugi::xml_node root = detail::start_document(doc, "DeleteResult");
  if (url_encoded) add_text(root, "EncodingType", "url");
  if (!quiet) {
    for (const std::string& key : deleted) {
      add_text(root.append_child("Deleted"), "Key", maybe_url_encode(key, url_encoded));
    }
  }
  for (const DeleteFailure& failure : failures) {
    const ErrorInfo info = describe(failure.code);
    pugi::xml_node node = root.append_child("Error");
    add_text(node, "Key", maybe_url_encode(failure.key, url_encoded));
    add_text(node, "Code", info.code);
    add_text(node, "Message", failure.message.empty() ? info.default_message : std::string_view(failure.message));
  }
  return detail::save_document(doc);
}

std::string render_tagging(const meta::Pairs& tags) {
  pugi::xml_document doc;
  pugi::xml_node root = detail::start_document(doc, "Tagging");
  pugi::xml_node tag_set = root.append_child("TagSet");
  for (const auto& [key, value] : tags) {
    pugi::xml_node tag = tag_set.append_child("Tag");
    add_text(tag, "Key", key);
    add_text(tag, "Value", value);
  }
  return detail::save_document(doc);
}

}  // namespace ossd::oss
