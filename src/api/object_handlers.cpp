// Object-level operations: put, get, head, delete, copy, append, ACL, tagging.
#include <boost/asio/awaitable.hpp>

#include "api/authorize.hpp"
#include "api/body_io.hpp"
#include "api/handlers.hpp"
#include "api/object_body_source.hpp"
#include "api/object_commit.hpp"
#include "api/request_object.hpp"
#include "api/request_parsing.hpp"
#include "api/responses.hpp"
#include "api/throttle.hpp"
#include "core/strings.hpp"
#include "core/time_format.hpp"
#include "crypto/base64.hpp"
#include "oss/preconditions.hpp"
#include "oss/range.hpp"
#include "oss/xml_requests.hpp"
#include "oss/xml_responses.hpp"
#include "service/object_copy.hpp"
#include "service/object_reader.hpp"
#include "service/object_writer.hpp"

namespace ossd::api {

namespace {

oss::Preconditions read_preconditions(const RequestContext& ctx) {
  return oss::Preconditions{ctx.header("If-Match"), ctx.header("If-None-Match"), ctx.header("If-Modified-Since"),
                            ctx.header("If-Unmodified-Since")};
}

oss::Preconditions copy_source_preconditions(const RequestContext& ctx) {
  return oss::Preconditions{ctx.header("x-oss-copy-source-if-match"), ctx.header("x-oss-copy-source-if-none-match"),
                            ctx.header("x-oss-copy-source-if-modified-since"),
                            ctx.header("x-oss-copy-source-if-unmodified-since")};
}

// response-* query parameters and the header each one overrides.
constexpr std::pair<std::string_view, std::string_view> kResponseOverrides[] = {
    {"response-content-type", "Content-Type"},
    {"response-content-language", "Content-Language"},
    {"response-expires", "Expires"},
    {"response-cache-control", "Cache-Control"},
    {"response-content-disposition", "Content-Disposition"},
    {"response-content-encoding", "Content-Encoding"},
};

bool has_control_characters(std::string_view value) {
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

Status apply_response_overrides(const RequestContext& ctx, http::Response& response) {
  for (const auto& [param, header] : kResponseOverrides) {
    const std::string* value = ctx.query(param);
    if (!value) continue;
    if (ctx.identity.anonymous()) {
      return Error(ErrorCode::InvalidRequest, "Response header overrides need a signed request.")
          .with("ArgumentName", std::string(param));
    }
    // A header value can never carry a line break from the query string.
    if (has_control_characters(*value)) {
      return Error(ErrorCode::InvalidArgument, "The override value contains control characters.")
          .with("ArgumentName", std::string(param));
    }
    // `header` captured by an init-capture: clang 14 cannot capture a structured binding.
    std::erase_if(response.headers, [name = header](const http::Header& h) { return iequals(h.name, name); });
    response.set(std::string(header), *value);
  }
  return ok_status();
}

struct ReadPlan {
  meta::ObjectRecord object;
  std::optional<oss::ByteRange> range;
  std::optional<std::string> inline_body;  // set when the bytes were read in the same hop
};

// Loads the record, checks preconditions and the range, and for small reads
// fetches the bytes too: one work-pool hop for the common small GET.
Result<ReadPlan> plan_read(Services& s, const RequestContext& ctx, bool want_body) {
  auto object = request_object(ctx);
  if (!object) return std::move(object).error();
  ReadPlan plan{std::move(object.value()), std::nullopt, std::nullopt};
  const SystemTime modified = from_unix_millis(plan.object.last_modified_ms);
  if (auto st = oss::evaluate_preconditions(read_preconditions(ctx), plan.object.etag, modified); !st) {
    return std::move(st).error();
  }
  if (const std::string* range_header = ctx.header("Range")) {
    // OSS ignores a range that is not wholly inside the object unless the
    // client asks for standard (clamping, 416) semantics.
    const std::string* behavior = ctx.header("x-oss-range-behavior");
    const auto range_behavior =
        behavior && iequals(*behavior, "standard") ? oss::RangeBehavior::standard : oss::RangeBehavior::lenient;
    auto range = oss::parse_range(*range_header, plan.object.size, range_behavior);
    if (!range) return std::move(range).error();
    plan.range = range.value();
  }
  const uint64_t first = plan.range ? plan.range->first : 0;
  const uint64_t length = plan.range ? plan.range->length() : plan.object.size;
  if (want_body && length <= s.config.inline_read_limit) {
    std::string bytes(length, '\0');
    service::ObjectReader reader(s.blobs, plan.object.segments, first, length);
    size_t filled = 0;
    while (filled < length) {
      auto got = reader.read(std::span<char>(bytes.data() + filled, length - filled));
      if (!got) return std::move(got).error();
      if (got.value() == 0) return Error(ErrorCode::InternalError, "object data ended early");
      filled += got.value();
    }
    plan.inline_body = std::move(bytes);
  }
  return plan;
}

HandlerResult read_object(RequestContext& ctx, bool want_body) {
  Services& s = ctx.services;
  std::optional<uint64_t> pace;
  if (want_body) {
    auto limit = traffic_limit(ctx);
    if (!limit) co_return std::move(limit).error();
    pace = limit.value();
  }
  // A paced body is always streamed: the inline path would send it at once.
  auto plan = co_await s.read_pool.run([&] { return plan_read(s, ctx, want_body && !pace); });
  if (!plan) {
    Error error = std::move(plan).error();
    co_return error;
  }
  const meta::ObjectRecord& object = plan->object;
  http::Response response;
  add_object_headers(response, object);
  if (auto st = apply_response_overrides(ctx, response); !st) co_return std::move(st).error();

  uint64_t first = 0;
  uint64_t length = object.size;
  if (plan->range) {
    response.status = 206;
    first = plan->range->first;
    length = plan->range->length();
    response.set("Content-Range", oss::content_range(*plan->range, object.size));
  }
  response.content_length = length;
  if (!want_body) co_return response;
  if (plan->inline_body) {
    response.body = std::move(*plan->inline_body);
    response.content_length.reset();
  } else {
    service::ObjectReader reader(s.blobs, object.segments, first, length);
    if (auto opened = co_await s.read_pool.run([&] { return reader.open_first(); }); !opened) {
      co_return std::move(opened).error();
    }
    response.stream = std::make_unique<ObjectBodySource>(s.read_pool, std::move(reader));
    if (pace) response.stream = std::make_unique<ThrottledSource>(std::move(response.stream), *pace);
  }
  co_return response;
}

}  // namespace

HandlerResult put_object(RequestContext& ctx) {
  Services& s = ctx.services;
  auto record = object_record_from_request(ctx);
  if (!record) co_return std::move(record).error();
  auto blob = co_await receive_body_into_blob(ctx);
  if (!blob) co_return std::move(blob).error();
  fill_from_blob(record.value(), blob.value(), ctx.now);
  meta::PutConditions conditions{forbid_overwrite(ctx)};
  auto committed = co_await s.pool.run([&] { return commit_object(s, record.value(), conditions, {blob->blob_id}); });
  if (!committed) co_return std::move(committed).error();

  http::Response response;
  response.set("ETag", oss::quote_etag(record->etag));
  response.set("x-oss-hash-crc64ecma", std::to_string(record->crc64));
  response.set("Content-MD5", crypto::base64_encode(blob->md5));
  co_return response;
}

HandlerResult get_object(RequestContext& ctx) {
  // x-oss-process is a signed sub-resource: by now the signature covered it,
  // so a tampered process string was already refused.
  if (ctx.has_query("x-oss-process")) return get_processed_image(ctx, true);
  return read_object(ctx, true);
}

HandlerResult head_object(RequestContext& ctx) {
  if (ctx.has_query("x-oss-process")) return get_processed_image(ctx, false);
  return read_object(ctx, false);
}

HandlerResult get_object_meta(RequestContext& ctx) {
  Services& s = ctx.services;
  auto object = co_await s.read_pool.run([&] { return request_object(ctx); });
  if (!object) co_return std::move(object).error();
  http::Response response;
  response.set("ETag", oss::quote_etag(object->etag));
  response.set("Last-Modified", format_rfc1123(from_unix_millis(object->last_modified_ms)));
  response.set("x-oss-hash-crc64ecma", std::to_string(object->crc64));
  response.content_length = object->size;
  co_return response;
}

HandlerResult delete_object(RequestContext& ctx) {
  Services& s = ctx.services;
  auto deleted = co_await s.pool.run([&]() -> Status {
    auto freed = s.meta.delete_object(ctx.bucket_name(), ctx.key());
    if (!freed) return std::move(freed).error();
    release_freed_blobs(s, freed.value());
    return ok_status();
  });
  if (!deleted) co_return std::move(deleted).error();
  co_return empty_response(204);
}

HandlerResult append_object(RequestContext& ctx) {
  Services& s = ctx.services;
  const std::string* raw_position = ctx.query("position");
  auto position = raw_position ? parse_uint64(*raw_position) : std::nullopt;
  if (!position) {
    co_return Error(ErrorCode::InvalidArgument, "Append needs a valid position argument.")
        .with("ArgumentName", "position")
        .with("ArgumentValue", raw_position ? *raw_position : "");
  }
  auto initial = object_record_from_request(ctx);
  if (!initial) co_return std::move(initial).error();
  initial->object_type = "Appendable";
  initial->last_modified_ms = to_unix_millis(ctx.now);
  auto blob = co_await receive_body_into_blob(ctx);
  if (!blob) co_return std::move(blob).error();

  auto appended = co_await s.pool.run([&]() -> Result<meta::ObjectRecord> {
    auto result =
        s.meta.append_object(initial.value(), *position, meta::Segment{blob->blob_id, blob->size}, blob->crc64);
    if (!result) discard_unrecorded_blobs(s.blobs, {blob->blob_id});
    return result;
  });
  if (!appended) co_return std::move(appended).error();
  http::Response response;
  response.set("ETag", oss::quote_etag(appended->etag));
  response.set("x-oss-next-append-position", std::to_string(appended->size));
  response.set("x-oss-hash-crc64ecma", std::to_string(appended->crc64));
  co_return response;
}

HandlerResult copy_object(RequestContext& ctx) {
  Services& s = ctx.services;
  auto source_name = copy_source(ctx);
  if (!source_name) co_return std::move(source_name).error();
  // Named references, not a structured binding: clang 14 (clang-tidy, the fuzz and sanitizer
  // builds) cannot capture structured bindings in the lambdas below.
  const std::string& source_bucket = source_name.value().first;
  const std::string& source_key = source_name.value().second;
  if (ctx.identity.anonymous()) {
    co_return Error(ErrorCode::AccessDenied, "Anonymous callers cannot copy objects.");
  }
  const std::string* directive = ctx.header("x-oss-metadata-directive");
  const bool replace = directive && iequals(*directive, "REPLACE");
  if (directive && !replace && !iequals(*directive, "COPY")) {
    co_return Error(ErrorCode::InvalidArgument, "x-oss-metadata-directive must be COPY or REPLACE.")
        .with("ArgumentName", "x-oss-metadata-directive")
        .with("ArgumentValue", *directive);
  }
  const std::string* tagging_directive = ctx.header("x-oss-tagging-directive");
  const bool replace_tags = tagging_directive && iequals(*tagging_directive, "Replace");
  auto requested = object_record_from_request(ctx);
  if (!requested) co_return std::move(requested).error();
  const bool same_object = source_bucket == ctx.bucket_name() && source_key == ctx.key();
  meta::PutConditions conditions{forbid_overwrite(ctx)};

  auto copied = co_await s.pool.run([&]() -> Result<meta::ObjectRecord> {
    auto source_bucket_record = s.meta.get_bucket(source_bucket);
    if (!source_bucket_record) return std::move(source_bucket_record).error();
    if (source_bucket_record->owner_id != s.account_id) {
      return Error(ErrorCode::AccessDenied, "You have no right to access the source object.");
    }
    // Reading the source is a GetObject of its own (spec §7).
    if (auto allowed = authorize_action(ctx, "oss:GetObject", source_bucket, source_key); !allowed) {
      return std::move(allowed).error();
    }
    auto source = s.meta.get_object(source_bucket, source_key);
    if (!source) return std::move(source).error();
    const SystemTime modified = from_unix_millis(source->last_modified_ms);
    if (auto st = oss::evaluate_copy_source_preconditions(copy_source_preconditions(ctx), source->etag, modified,
                                                          oss::CopyNotModified::not_modified);
        !st) {
      return std::move(st).error();
    }
    meta::ObjectRecord target = source.value();
    target.bucket = ctx.bucket_name();
    target.key = ctx.key();
    target.last_modified_ms = to_unix_millis(ctx.now);
    target.acl = requested->acl;
    target.storage_class = requested->storage_class;
    if (replace) {
      auto replaced = replace_metadata_from_request(ctx, std::move(target));
      if (!replaced) return std::move(replaced).error();
      target = std::move(replaced.value());
    }
    if (replace_tags) target.tags = requested->tags;
    std::vector<std::string> new_blobs;
    if (!same_object) {
      auto blob = service::copy_object_bytes(s.blobs, source->segments, 0, source->size, s.config.transfer_chunk);
      if (!blob) return std::move(blob).error();
      target.segments = {meta::Segment{blob->blob_id, blob->size}};
      new_blobs.push_back(blob->blob_id);
    }
    auto committed = commit_object(s, target, conditions, new_blobs);
    if (!committed) return std::move(committed).error();
    return target;
  });
  if (!copied) co_return std::move(copied).error();
  http::Response response = xml_response(oss::render_copy_object_result(copied->etag, copied->last_modified_ms));
  response.set("ETag", oss::quote_etag(copied->etag));
  response.set("x-oss-hash-crc64ecma", std::to_string(copied->crc64));
  co_return response;
}

HandlerResult get_object_acl(RequestContext& ctx) {
  Services& s = ctx.services;
  auto object = co_await s.read_pool.run([&] { return request_object(ctx); });
  if (!object) co_return std::move(object).error();
  co_return xml_response(oss::render_object_acl(ctx.bucket->owner_id, object->acl));
}

HandlerResult put_object_acl(RequestContext& ctx) {
  Services& s = ctx.services;
  const std::string* acl = ctx.header("x-oss-object-acl");
  if (!acl || !is_object_acl(*acl)) {
    co_return Error(ErrorCode::InvalidArgument, "The ACL you provided is not valid.")
        .with("ArgumentName", "x-oss-object-acl")
        .with("ArgumentValue", acl ? *acl : "");
  }
  auto updated = co_await s.pool.run([&] { return s.meta.set_object_acl(ctx.bucket_name(), ctx.key(), *acl); });
  if (!updated) co_return std::move(updated).error();
  co_return empty_response();
}

HandlerResult get_object_tagging(RequestContext& ctx) {
  Services& s = ctx.services;
  auto object = co_await s.read_pool.run([&] { return request_object(ctx); });
  if (!object) co_return std::move(object).error();
  co_return xml_response(oss::render_tagging(object->tags));
}

HandlerResult put_object_tagging(RequestContext& ctx) {
  Services& s = ctx.services;
  auto body = co_await read_small_body(ctx, s.config.max_control_body);
  if (!body) co_return std::move(body).error();
  auto tags = oss::parse_tagging(body.value());
  if (!tags) co_return std::move(tags).error();
  auto updated =
      co_await s.pool.run([&] { return s.meta.set_object_tags(ctx.bucket_name(), ctx.key(), tags.value()); });
  if (!updated) co_return std::move(updated).error();
  co_return empty_response();
}

HandlerResult delete_object_tagging(RequestContext& ctx) {
  Services& s = ctx.services;
  auto updated = co_await s.pool.run([&] { return s.meta.set_object_tags(ctx.bucket_name(), ctx.key(), {}); });
  if (!updated) co_return std::move(updated).error();
  co_return empty_response(204);
}

}  // namespace ossd::api
