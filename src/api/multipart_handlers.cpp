// Multipart upload operations.
#include <boost/asio/awaitable.hpp>
#include <cctype>

#include "api/authorize.hpp"
#include "api/body_io.hpp"
#include "api/handlers.hpp"
#include "api/request_parsing.hpp"
#include "api/responses.hpp"
#include "core/strings.hpp"
#include "core/time_format.hpp"
#include "oss/preconditions.hpp"
#include "oss/range.hpp"
#include "oss/xml_requests.hpp"
#include "oss/xml_responses.hpp"
#include "service/multipart.hpp"
#include "service/object_copy.hpp"

namespace ossd::api {

namespace {

// Upload ids: 32 upper-case hex characters, as OSS issues them.
std::string new_upload_id(Random& random) {
  std::string id = random.hex(16);
  for (char& c : id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return id;
}

const std::string& upload_id_of(const RequestContext& ctx) {
  static const std::string none;
  const std::string* id = ctx.query("uploadId");
  return id ? *id : none;
}

Result<uint32_t> part_number_of(const RequestContext& ctx) {
  return bounded_query_number(ctx, "partNumber", 0, 1, service::kMaxPartNumber);
}

meta::PartRecord part_from_blob(uint32_t number, const service::WrittenBlob& blob, SystemTime now) {
  meta::PartRecord part;
  part.part_number = number;
  part.etag = service::etag_of_md5(blob.md5);
  part.md5_hex = hex_lower(blob.md5);
  part.crc64 = blob.crc64;
  part.size = blob.size;
  part.last_modified_ms = to_unix_millis(now);
  part.blob_id = blob.blob_id;
  return part;
}

// Records a part whose blob is committed; the blob goes if recording fails,
// a replaced part's blob goes if it succeeds.
Status record_part(Services& s, const std::string& upload_id, const meta::PartRecord& part) {
  auto freed = s.meta.put_part(upload_id, part);
  if (!freed) {
    discard_unrecorded_blobs(s.blobs, {part.blob_id});
    return std::move(freed).error();
  }
  release_freed_blobs(s, freed.value());
  return ok_status();
}

}  // namespace

HandlerResult initiate_multipart_upload(RequestContext& ctx) {
  Services& s = ctx.services;
  auto object = object_record_from_request(ctx);
  if (!object) co_return std::move(object).error();
  meta::UploadRecord upload;
  upload.upload_id = new_upload_id(s.random);
  upload.bucket = ctx.bucket_name();
  upload.key = ctx.key();
  upload.initiated_ms = to_unix_millis(ctx.now);
  upload.object = std::move(object.value());
  auto created = co_await s.pool.run([&] { return s.meta.create_upload(upload); });
  if (!created) co_return std::move(created).error();
  auto url_encoded = url_encoding_requested(ctx);
  co_return xml_response(oss::render_initiate_multipart(upload.bucket, upload.key, upload.upload_id,
                                                        url_encoded.ok() && url_encoded.value()));
}

HandlerResult upload_part(RequestContext& ctx) {
  Services& s = ctx.services;
  auto number = part_number_of(ctx);
  if (!number) co_return std::move(number).error();
  const std::string& upload_id = upload_id_of(ctx);
  // Refuse before reading a body that could never be recorded.
  auto upload = co_await s.pool.run([&] { return s.meta.get_upload(ctx.bucket_name(), ctx.key(), upload_id); });
  if (!upload) co_return std::move(upload).error();
  auto blob = co_await receive_body_into_blob(ctx);
  if (!blob) co_return std::move(blob).error();
  meta::PartRecord part = part_from_blob(number.value(), blob.value(), ctx.now);
  auto recorded = co_await s.pool.run([&] { return record_part(s, upload_id, part); });
  if (!recorded) co_return std::move(recorded).error();
  http::Response response;
  response.set("ETag", oss::quote_etag(part.etag));
  response.set("x-oss-hash-crc64ecma", std::to_string(part.crc64));
  co_return response;
}

HandlerResult upload_part_copy(RequestContext& ctx) {
  Services& s = ctx.services;
  auto number = part_number_of(ctx);
  if (!number) co_return std::move(number).error();
  auto source_name = copy_source(ctx);
  if (!source_name) co_return std::move(source_name).error();
  if (ctx.identity.anonymous()) co_return Error(ErrorCode::AccessDenied, "Anonymous callers cannot copy objects.");
  const std::string& upload_id = upload_id_of(ctx);
  const std::string* range_header = ctx.header("x-oss-copy-source-range");

  auto copied = co_await s.pool.run([&]() -> Result<meta::PartRecord> {
    auto upload = s.meta.get_upload(ctx.bucket_name(), ctx.key(), upload_id);
    if (!upload) return std::move(upload).error();
    auto source_bucket = s.meta.get_bucket(source_name->first);
    if (!source_bucket) return std::move(source_bucket).error();
    if (source_bucket->owner_id != s.account_id) {
      return Error(ErrorCode::AccessDenied, "You have no right to access the source object.");
    }
    // Reading the source is a GetObject of its own (spec §7).
    if (auto allowed = authorize_action(ctx, "oss:GetObject", source_name->first, source_name->second); !allowed) {
      return std::move(allowed).error();
    }
    auto source = s.meta.get_object(source_name->first, source_name->second);
    if (!source) return std::move(source).error();
    const oss::Preconditions conditions{
        ctx.header("x-oss-copy-source-if-match"), ctx.header("x-oss-copy-source-if-none-match"),
        ctx.header("x-oss-copy-source-if-modified-since"), ctx.header("x-oss-copy-source-if-unmodified-since")};
    if (auto st = oss::evaluate_copy_source_preconditions(conditions, source->etag,
                                                          from_unix_millis(source->last_modified_ms));
        !st) {
      return std::move(st).error();
    }
    uint64_t first = 0;
    uint64_t length = source->size;
    if (range_header) {
      auto range = oss::parse_range(*range_header, source->size);
      if (!range) return std::move(range).error();
      // A copy range that does not parse would otherwise copy the whole source.
      if (!range.value()) {
        return Error(ErrorCode::InvalidArgument, "The x-oss-copy-source-range value is not valid.")
            .with("ArgumentName", "x-oss-copy-source-range")
            .with("ArgumentValue", *range_header);
      }
      first = range.value()->first;
      length = range.value()->length();
    }
    auto blob = service::copy_object_bytes(s.blobs, source->segments, first, length, s.config.transfer_chunk);
    if (!blob) return std::move(blob).error();
    meta::PartRecord part = part_from_blob(number.value(), blob.value(), ctx.now);
    if (auto st = record_part(s, upload_id, part); !st) return std::move(st).error();
    return part;
  });
  if (!copied) co_return std::move(copied).error();
  http::Response response = xml_response(oss::render_copy_part_result(copied->etag, copied->last_modified_ms));
  response.set("ETag", oss::quote_etag(copied->etag));
  co_return response;
}

HandlerResult complete_multipart_upload(RequestContext& ctx) {
  Services& s = ctx.services;
  const std::string& upload_id = upload_id_of(ctx);
  auto url_encoded = url_encoding_requested(ctx);
  if (!url_encoded) co_return std::move(url_encoded).error();
  auto body = co_await read_small_body(ctx, s.config.max_control_body);
  if (!body) co_return std::move(body).error();
  const std::string* complete_all = ctx.header("x-oss-complete-all");
  const bool use_all_parts = complete_all && iequals(*complete_all, "yes");
  std::vector<service::RequestedPart> requested;
  if (!use_all_parts) {
    auto parsed = oss::parse_complete_multipart(body.value());
    if (!parsed) co_return std::move(parsed).error();
    for (auto& part : parsed.value()) requested.push_back({part.part_number, std::move(part.etag)});
  }
  meta::PutConditions conditions{forbid_overwrite(ctx)};

  auto completed = co_await s.pool.run([&]() -> Result<meta::ObjectRecord> {
    auto upload = s.meta.get_upload(ctx.bucket_name(), ctx.key(), upload_id);
    if (!upload) return std::move(upload).error();
    std::vector<meta::PartRecord> stored;
    uint32_t marker = 0;
    for (bool truncated = true; truncated;) {
      auto page = s.meta.list_parts(upload_id, marker, 1000, &truncated);
      if (!page) return std::move(page).error();
      if (page->empty()) break;
      marker = page->back().part_number;
      stored.insert(stored.end(), page->begin(), page->end());
    }
    if (use_all_parts) {
      for (const auto& part : stored) requested.push_back({part.part_number, part.etag});
    }
    auto assembled = service::assemble_multipart(upload.value(), stored, requested, to_unix_millis(ctx.now));
    if (!assembled) return std::move(assembled).error();
    auto freed = s.meta.complete_upload(upload_id, assembled->used_parts, assembled->object, conditions);
    if (!freed) return std::move(freed).error();
    release_freed_blobs(s, freed.value());
    return std::move(assembled->object);
  });
  if (!completed) co_return std::move(completed).error();
  const std::string location = "http://" + ctx.bucket_name() + "." + s.config.addressing.domain + "/" + ctx.key();
  http::Response response = xml_response(oss::render_complete_multipart(location, completed->bucket, completed->key,
                                                                        completed->etag, url_encoded.value()));
  response.set("ETag", oss::quote_etag(completed->etag));
  response.set("x-oss-hash-crc64ecma", std::to_string(completed->crc64));
  co_return response;
}

HandlerResult abort_multipart_upload(RequestContext& ctx) {
  Services& s = ctx.services;
  const std::string& upload_id = upload_id_of(ctx);
  auto aborted = co_await s.pool.run([&]() -> Status {
    auto freed = s.meta.abort_upload(ctx.bucket_name(), ctx.key(), upload_id);
    if (!freed) return std::move(freed).error();
    release_freed_blobs(s, freed.value());
    return ok_status();
  });
  if (!aborted) co_return std::move(aborted).error();
  http::Response response;
  response.status = 204;
  co_return response;
}

HandlerResult list_parts(RequestContext& ctx) {
  Services& s = ctx.services;
  const std::string& upload_id = upload_id_of(ctx);
  auto max_parts = bounded_query_number(ctx, "max-parts", 1000, 1, 1000);
  if (!max_parts) co_return std::move(max_parts).error();
  auto marker = bounded_query_number(ctx, "part-number-marker", 0, 0, service::kMaxPartNumber);
  if (!marker) co_return std::move(marker).error();
  bool truncated = false;
  auto parts = co_await s.read_pool.run([&]() -> Result<std::vector<meta::PartRecord>> {
    auto upload = s.meta.get_upload(ctx.bucket_name(), ctx.key(), upload_id);
    if (!upload) return std::move(upload).error();
    return s.meta.list_parts(upload_id, marker.value(), max_parts.value(), &truncated);
  });
  if (!parts) co_return std::move(parts).error();
  oss::PartListing listing{ctx.bucket_name(), ctx.key(), upload_id, marker.value(), max_parts.value(), false};
  co_return xml_response(oss::render_list_parts(listing, parts.value(), truncated));
}

HandlerResult list_multipart_uploads(RequestContext& ctx) {
  Services& s = ctx.services;
  auto max_uploads = bounded_query_number(ctx, "max-uploads", 1000, 1, 1000);
  if (!max_uploads) co_return std::move(max_uploads).error();
  auto url_encoded = url_encoding_requested(ctx);
  if (!url_encoded) co_return std::move(url_encoded).error();
  meta::UploadListQuery query;
  if (const std::string* v = ctx.query("prefix")) query.prefix = *v;
  if (const std::string* v = ctx.query("delimiter")) query.delimiter = *v;
  if (const std::string* v = ctx.query("key-marker")) query.key_marker = *v;
  if (const std::string* v = ctx.query("upload-id-marker")) query.upload_id_marker = *v;
  query.max_uploads = max_uploads.value();
  auto listed = co_await s.read_pool.run([&] { return s.meta.list_uploads(ctx.bucket_name(), query); });
  if (!listed) co_return std::move(listed).error();
  oss::UploadListing listing{ctx.bucket_name(), query, url_encoded.value()};
  co_return xml_response(oss::render_list_uploads(listing, listed.value()));
}

}  // namespace ossd::api
