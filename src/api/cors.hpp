#pragma once
// CORS in the pipeline: the stored rules of a bucket, and the
// Access-Control-* headers an actual browser request (not a preflight) earns.
#include <optional>
#include <string>

#include "api/context.hpp"
#include "oss/cors.hpp"

namespace ossd::api {

// The name of the bucket configuration document holding the rules (as the
// canonical <CORSConfiguration> XML).
inline constexpr std::string_view kCorsConfigName = "cors";

// The bucket's CORS rules, nullopt when it has none. NoSuchBucket.
boost::asio::awaitable<Result<std::optional<oss::CorsConfiguration>>> load_bucket_cors(RequestContext& ctx);

// For a request with an Origin header to a bucket whose rules allow that
// origin and method: adds the rule's headers to `response`, whatever its
// status, so a browser script can read error documents, ETag and
// x-oss-request-id too. Does nothing otherwise; never fails the request.
boost::asio::awaitable<void> add_cors_headers(RequestContext& ctx, http::Response& response);

}  // namespace ossd::api
