// Bucket CORS operations (Put/Get/DeleteBucketCors) and the preflight
// (OptionObject), which the pipeline runs without authentication.
#include <boost/asio/awaitable.hpp>

#include "api/body_io.hpp"
#include "api/cors.hpp"
#include "api/handlers.hpp"
#include "api/responses.hpp"

namespace ossd::api {

namespace {

Error forbidden(std::string message) { return Error(ErrorCode::AccessForbidden, std::move(message)); }

}  // namespace

HandlerResult put_bucket_cors(RequestContext& ctx) {
  Services& s = ctx.services;
  auto body = co_await read_small_body(ctx, s.config.max_control_body);
  if (!body) co_return std::move(body).error();
  auto config = oss::parse_cors_configuration(body.value());
  if (!config) co_return std::move(config).error();
  const std::string stored = oss::render_cors_configuration(config.value());
  auto saved = co_await s.pool.run(
      [&] { return s.meta.set_bucket_config(ctx.bucket_name(), std::string(kCorsConfigName), stored); });
  if (!saved) co_return std::move(saved).error();
  co_return http::Response{};
}

HandlerResult get_bucket_cors(RequestContext& ctx) {
  auto config = co_await load_bucket_cors(ctx);
  if (!config) co_return std::move(config).error();
  if (!config.value()) {
    co_return Error(ErrorCode::NoSuchCORSConfiguration, "The CORS configuration does not exist.")
        .with("BucketName", ctx.bucket_name());
  }
  co_return xml_response(oss::render_cors_configuration(*config.value()));
}

HandlerResult delete_bucket_cors(RequestContext& ctx) {
  Services& s = ctx.services;
  auto deleted = co_await s.pool.run(
      [&] { return s.meta.set_bucket_config(ctx.bucket_name(), std::string(kCorsConfigName), std::nullopt); });
  if (!deleted) co_return std::move(deleted).error();
  http::Response response;
  response.status = 204;
  co_return response;
}

HandlerResult option_object(RequestContext& ctx) {
  const std::string* origin = ctx.header("Origin");
  const std::string* method = ctx.header("Access-Control-Request-Method");
  if (!origin || origin->empty() || !method || method->empty()) {
    co_return forbidden(
        "CORSResponse: a preflight request needs the Origin and Access-Control-Request-Method headers.");
  }
  auto config = co_await load_bucket_cors(ctx);
  if (!config) co_return std::move(config).error();
  if (!config.value()) co_return forbidden("CORSResponse: CORS is not enabled for this bucket.");
  const std::string* requested = ctx.header("Access-Control-Request-Headers");
  auto headers = oss::match_cors_preflight(
      *config.value(), oss::CorsPreflight{*origin, *method, requested ? std::string_view(*requested) : ""});
  if (!headers) co_return forbidden({});
  http::Response response;
  for (auto& header : *headers) response.set(std::move(header.name), std::move(header.value));
  co_return response;
}

}  // namespace ossd::api
