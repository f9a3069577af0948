#include "api/cors.hpp"

#include <exception>

#include "oss/names.hpp"

namespace ossd::api {

boost::asio::awaitable<Result<std::optional<oss::CorsConfiguration>>> load_bucket_cors(RequestContext& ctx) {
  Services& s = ctx.services;
  auto stored = co_await s.read_pool.run(
      [&] { return s.meta.get_bucket_config(ctx.bucket_name(), std::string(kCorsConfigName)); });
  if (!stored) co_return std::move(stored).error();
  if (!stored.value()) co_return std::optional<oss::CorsConfiguration>();
  auto config = oss::parse_cors_configuration(*stored.value());
  if (!config) co_return std::move(config).error();
  co_return std::optional<oss::CorsConfiguration>(std::move(config.value()));
}

boost::asio::awaitable<void> add_cors_headers(RequestContext& ctx, http::Response& response) {
  const std::string* origin = ctx.header("Origin");
  if (!origin || origin->empty() || ctx.bucket_name().empty()) co_return;
  if (!oss::validate_bucket_name(ctx.bucket_name())) co_return;
  std::optional<std::vector<HeaderField>> headers;
  try {
    auto config = co_await load_bucket_cors(ctx);
    if (!config || !config.value()) co_return;
    headers = oss::match_cors_request(*config.value(), *origin, ctx.http.method);
  } catch (const std::exception&) {
    co_return;  // the response stands as it is, just without CORS headers
  }
  if (!headers) co_return;
  for (auto& header : *headers) response.set(std::move(header.name), std::move(header.value));
}

}  // namespace ossd::api
