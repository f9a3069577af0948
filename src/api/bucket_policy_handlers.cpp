// Bucket policies (Put/Get/DeleteBucketPolicy, `?policy`): a RAM policy
// document with Principal, kept as the bucket's "policy" configuration and
// judged by the pipeline's authorization (authorize.hpp).
#include <boost/asio/awaitable.hpp>

#include "api/authorize.hpp"
#include "api/body_io.hpp"
#include "api/handlers.hpp"
#include "api/responses.hpp"

namespace ossd::api {

HandlerResult put_bucket_policy(RequestContext& ctx) {
  Services& s = ctx.services;
  auto body = co_await read_small_body(ctx, s.config.max_control_body);
  if (!body) co_return std::move(body).error();
  // Validated now so a stored policy always parses; kept byte for byte, as
  // GetBucketPolicy returns what was put.
  if (auto parsed = parse_bucket_policy(body.value()); !parsed) co_return std::move(parsed).error();
  auto saved = co_await s.pool.run(
      [&] { return s.meta.set_bucket_config(ctx.bucket_name(), std::string(kBucketPolicyConfigName), body.value()); });
  s.buckets.forget(ctx.bucket_name());
  if (!saved) co_return std::move(saved).error();
  co_return empty_response();
}

HandlerResult get_bucket_policy(RequestContext& ctx) {
  Services& s = ctx.services;
  auto stored = co_await s.read_pool.run(
      [&] { return s.meta.get_bucket_config(ctx.bucket_name(), std::string(kBucketPolicyConfigName)); });
  if (!stored) co_return std::move(stored).error();
  if (!stored.value()) {
    co_return Error(ErrorCode::NoSuchBucketPolicy, "The bucket policy does not exist.")
        .with("BucketName", ctx.bucket_name());
  }
  http::Response response;
  response.set("Content-Type", "application/json");
  response.body = std::move(*stored.value());
  co_return response;
}

HandlerResult delete_bucket_policy(RequestContext& ctx) {
  Services& s = ctx.services;
  auto deleted = co_await s.pool.run(
      [&] { return s.meta.set_bucket_config(ctx.bucket_name(), std::string(kBucketPolicyConfigName), std::nullopt); });
  s.buckets.forget(ctx.bucket_name());
  if (!deleted) co_return std::move(deleted).error();
  co_return empty_response(204);
}

}  // namespace ossd::api
