// Service- and bucket-level operations: buckets, their ACL, listings and
// DeleteMultipleObjects.
#include <boost/asio/awaitable.hpp>

#include "api/authorize.hpp"
#include "api/body_io.hpp"
#include "api/handlers.hpp"
#include "api/request_parsing.hpp"
#include "api/responses.hpp"
#include "core/strings.hpp"
#include "crypto/constant_time.hpp"
#include "crypto/hash.hpp"
#include "oss/names.hpp"
#include "oss/xml_requests.hpp"
#include "oss/xml_responses.hpp"

namespace ossd::api {

namespace {

// ListObjectsV2 continuation tokens are opaque to clients: the key to resume
// after, in hex, so any byte survives the round trip and URL encoding (which
// OSS applies to the token with encoding-type=url) leaves it unchanged.
std::string continuation_token_for(const std::string& key) { return hex_lower(key); }

}  // namespace

HandlerResult list_buckets(RequestContext& ctx) {
  Services& s = ctx.services;
  auto max_keys = bounded_query_number(ctx, "max-keys", 100, 1, 1000);
  if (!max_keys) co_return std::move(max_keys).error();
  const std::string* prefix = ctx.query("prefix");
  const std::string* marker = ctx.query("marker");
  oss::BucketListing listing{prefix ? *prefix : "", marker ? *marker : "", max_keys.value()};
  bool truncated = false;
  auto buckets = co_await s.read_pool.run(
      [&] { return s.meta.list_buckets(s.account_id, listing.prefix, listing.marker, listing.max_keys, &truncated); });
  if (!buckets) co_return std::move(buckets).error();
  co_return xml_response(
      oss::render_list_buckets(s.account_id, listing, buckets.value(), truncated, s.config.addressing));
}

HandlerResult put_bucket(RequestContext& ctx) {
  Services& s = ctx.services;
  meta::BucketRecord bucket;
  bucket.name = ctx.bucket_name();
  bucket.owner_id = s.account_id;
  bucket.region = s.config.addressing.region;
  bucket.created_ms = to_unix_millis(ctx.now);
  if (const std::string* acl = ctx.header("x-oss-acl")) {
    if (!is_bucket_acl(*acl)) {
      co_return Error(ErrorCode::InvalidArgument, "The ACL you provided is not valid.")
          .with("ArgumentName", "x-oss-acl")
          .with("ArgumentValue", *acl);
    }
    bucket.acl = *acl;
  }
  auto body = co_await read_small_body(ctx, s.config.max_control_body);
  if (!body) co_return std::move(body).error();
  auto configuration = oss::parse_create_bucket(body.value());
  if (!configuration) co_return std::move(configuration).error();
  if (!configuration->storage_class.empty()) bucket.storage_class = configuration->storage_class;

  auto created = co_await s.pool.run([&]() -> Status {
    auto status = s.meta.create_bucket(bucket);
    if (status || status.error().code != ErrorCode::BucketAlreadyExists) return status;
    // OSS answers a repeated PutBucket by the owner with success and keeps
    // the bucket as it is; the name is taken only for other accounts.
    auto existing = s.meta.get_bucket(bucket.name);
    if (existing && existing->owner_id == bucket.owner_id) return ok_status();
    return status;
  });
  if (!created) co_return std::move(created).error();
  http::Response response;
  response.set("Location", "/" + bucket.name);
  co_return response;
}

HandlerResult delete_bucket(RequestContext& ctx) {
  Services& s = ctx.services;
  auto deleted = co_await s.pool.run([&] { return s.meta.delete_bucket(ctx.bucket_name()); });
  s.buckets.forget(ctx.bucket_name());
  if (!deleted) co_return std::move(deleted).error();
  co_return empty_response(204);
}

HandlerResult get_bucket_info(RequestContext& ctx) {
  co_return xml_response(oss::render_bucket_info(*ctx.bucket, ctx.services.config.addressing));
}

HandlerResult get_bucket_location(RequestContext& ctx) {
  co_return xml_response(oss::render_bucket_location(ctx.bucket->region));
}

HandlerResult get_bucket_acl(RequestContext& ctx) {
  co_return xml_response(oss::render_bucket_acl(ctx.bucket->owner_id, ctx.bucket->acl));
}

HandlerResult put_bucket_acl(RequestContext& ctx) {
  Services& s = ctx.services;
  const std::string* acl = ctx.header("x-oss-acl");
  if (!acl || !is_bucket_acl(*acl)) {
    co_return Error(ErrorCode::InvalidArgument, "The ACL you provided is not valid.")
        .with("ArgumentName", "x-oss-acl")
        .with("ArgumentValue", acl ? *acl : "");
  }
  auto updated = co_await s.pool.run([&] { return s.meta.set_bucket_acl(ctx.bucket_name(), *acl); });
  s.buckets.forget(ctx.bucket_name());
  if (!updated) co_return std::move(updated).error();
  co_return empty_response();
}

HandlerResult list_objects(RequestContext& ctx) {
  Services& s = ctx.services;
  auto max_keys = bounded_query_number(ctx, "max-keys", 100, 1, 1000);
  if (!max_keys) co_return std::move(max_keys).error();
  auto url_encoded = url_encoding_requested(ctx);
  if (!url_encoded) co_return std::move(url_encoded).error();

  oss::ObjectListingV1 request;
  request.bucket = ctx.bucket_name();
  if (const std::string* v = ctx.query("prefix")) request.prefix = *v;
  if (const std::string* v = ctx.query("marker")) request.marker = *v;
  if (const std::string* v = ctx.query("delimiter")) request.delimiter = *v;
  request.max_keys = max_keys.value();
  request.url_encoded = url_encoded.value();

  meta::ListQuery query{request.prefix, request.marker, request.delimiter, request.max_keys};
  auto listed = co_await s.read_pool.run([&] { return s.meta.list_objects(ctx.bucket_name(), query); });
  if (!listed) co_return std::move(listed).error();
  co_return xml_response(oss::render_list_objects_v1(request, listed.value(), ctx.bucket->owner_id));
}

HandlerResult list_objects_v2(RequestContext& ctx) {
  Services& s = ctx.services;
  auto max_keys = bounded_query_number(ctx, "max-keys", 100, 1, 1000);
  if (!max_keys) co_return std::move(max_keys).error();
  auto url_encoded = url_encoding_requested(ctx);
  if (!url_encoded) co_return std::move(url_encoded).error();

  oss::ObjectListingV2 request;
  request.bucket = ctx.bucket_name();
  if (const std::string* v = ctx.query("prefix")) request.prefix = *v;
  if (const std::string* v = ctx.query("delimiter")) request.delimiter = *v;
  if (const std::string* v = ctx.query("start-after")) request.start_after = *v;
  if (const std::string* v = ctx.query("continuation-token")) request.continuation_token = *v;
  if (const std::string* v = ctx.query("fetch-owner")) request.fetch_owner = *v == "true";
  request.max_keys = max_keys.value();
  request.url_encoded = url_encoded.value();

  std::string resume_after = request.start_after;
  if (!request.continuation_token.empty()) {
    auto decoded = hex_decode(request.continuation_token);
    if (!decoded) {
      co_return Error(ErrorCode::InvalidArgument, "The continuation token provided is incorrect.")
          .with("ArgumentName", "continuation-token")
          .with("ArgumentValue", request.continuation_token);
    }
    resume_after = std::max(resume_after, *decoded);
  }
  meta::ListQuery query{request.prefix, resume_after, request.delimiter, request.max_keys};
  auto listed = co_await s.read_pool.run([&] { return s.meta.list_objects(ctx.bucket_name(), query); });
  if (!listed) co_return std::move(listed).error();
  if (listed->truncated) request.next_continuation_token = continuation_token_for(listed->next_marker);
  co_return xml_response(oss::render_list_objects_v2(request, listed.value(), ctx.bucket->owner_id));
}

HandlerResult delete_multiple_objects(RequestContext& ctx) {
  Services& s = ctx.services;
  auto url_encoded = url_encoding_requested(ctx);
  if (!url_encoded) co_return std::move(url_encoded).error();
  auto expected_md5 = content_md5(ctx);
  if (!expected_md5) co_return std::move(expected_md5).error();
  auto body = co_await read_small_body(ctx, s.config.max_control_body);
  if (!body) co_return std::move(body).error();
  if (expected_md5.value() && !crypto::constant_time_equal(*expected_md5.value(), crypto::md5(body.value()))) {
    co_return Error(ErrorCode::InvalidDigest, "The Content-MD5 you specified did not match what we received.");
  }
  auto request = oss::parse_delete(body.value());
  if (!request) co_return std::move(request).error();
  for (const auto& key : request->keys) {
    if (auto valid = oss::validate_object_key(key); !valid) co_return std::move(valid).error();
  }

  auto deleted = co_await s.pool.run([&]() -> Result<std::vector<std::string>> {
    // Every key is a DeleteObject of its own (spec §7); all are judged before
    // any is deleted, so a refusal leaves the bucket as it was.
    for (const auto& key : request->keys) {
      if (auto allowed = authorize_action(ctx, "oss:DeleteObject", ctx.bucket_name(), key); !allowed) {
        return std::move(allowed).error();
      }
    }
    std::vector<std::string> done;
    for (const auto& key : request->keys) {
      auto freed = s.meta.delete_object(ctx.bucket_name(), key);
      if (!freed) return std::move(freed).error();
      release_freed_blobs(s, freed.value());
      done.push_back(key);
    }
    return done;
  });
  if (!deleted) co_return std::move(deleted).error();
  co_return xml_response(oss::render_delete_result(deleted.value(), request->quiet, url_encoded.value()));
}

}  // namespace ossd::api
