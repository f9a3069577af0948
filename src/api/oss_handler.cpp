#include "api/oss_handler.hpp"

#include <spdlog/logger.h>
#include <spdlog/spdlog.h>
#include <chrono>
#include <exception>
#include <nlohmann/json.hpp>

#include "api/authorize.hpp"
#include "api/cors.hpp"
#include "api/handlers.hpp"
#include "api/health.hpp"
#include "api/post_object.hpp"
#include "api/responses.hpp"
#include "api/rpc_handler.hpp"
#include "api/rpc_request.hpp"
#include "blob/blob_store.hpp"
#include "core/time_format.hpp"
#include "oss/names.hpp"

namespace ossd::api {

namespace {

// A full data volume, as the stores report it: the blob store ends the message
// with blob::kNoSpaceLeft, SQLite says "database or disk is full" (SQLITE_FULL).
bool is_out_of_space(const Error& error) {
  return error.code == ErrorCode::InternalError &&
         (error.message.ends_with(blob::kNoSpaceLeft) || error.message.ends_with("database or disk is full"));
}

constexpr const char* kInternalErrorMessage = "We encountered an internal error. Please try again.";

// OSS has no code for a full disk (its clients know InternalError, 500, as "the
// server failed, the request may be retried"), so the Message says what failed.
constexpr const char* kNoSpaceMessage =
    "The server has no space left to store the data. Delete objects or try again later.";

// What a client is told of a server-side failure. The detail (store messages
// that name server paths, errno texts) goes to the server log only.
Error public_view_of_internal_error(const Error& error) {
  return Error(ErrorCode::InternalError, is_out_of_space(error) ? kNoSpaceMessage : kInternalErrorMessage);
}

// /metrics on the bare endpoint, unsigned and path-style. A bucket named
// "metrics" stays reachable with signed or virtual-hosted requests.
bool is_metrics_request(const RequestContext& ctx) {
  return ctx.http.method == "GET" && !ctx.resource.virtual_hosted && ctx.resource.bucket == "metrics" &&
         ctx.resource.key.empty() && ctx.resource.query.empty() && ctx.header("Authorization") == nullptr;
}

constexpr const char* kUnavailableMessage = "The service is temporarily unavailable. Please try again later.";

// An error whose message is for the log only (Error::message_for_log_only),
// as the client sees it.
Error public_view_of_log_only(const Error& error) {
  return Error(error.code, error.code == ErrorCode::ServiceUnavailable ? kUnavailableMessage : "");
}

std::string_view principal_of(const auth::Identity& identity) {
  return identity.anonymous() ? std::string_view("anonymous") : std::string_view(identity.access_key_id);
}

std::string_view principal_type_of(const auth::Identity& identity) {
  if (identity.anonymous()) return "Anonymous";
  switch (identity.kind) {
    case auth::PrincipalKind::Account: return "Account";
    case auth::PrincipalKind::RamUser: return "RamUser";
    case auth::PrincipalKind::AssumedRole: return "AssumedRole";
  }
  return "-";
}

// The operations whose handler starts by reading their object's record.
bool reads_object_record(Operation operation) {
  return operation == Operation::GetObject || operation == Operation::HeadObject ||
         operation == Operation::GetObjectMeta;
}

}  // namespace

OssHandler::OssHandler(Services& services, RequestIds& ids, std::shared_ptr<spdlog::logger> access_log)
    : services_(services), ids_(ids), access_log_(std::move(access_log)) {}

http::Response OssHandler::render_transport_error(ErrorCode code, const std::string& message) {
  std::string request_id = ids_.next();
  http::Response response = error_response(Error(code, message), request_id, "", false);
  response.set("x-oss-request-id", request_id);
  response.set("Server", "AliyunOSS");
  services_.metrics.record(std::nullopt, response.status, 0, response.body.size(), 0);
  return response;
}

boost::asio::awaitable<http::Response> OssHandler::handle(const http::Request& request, http::BodyReader& body) {
  const auto started = std::chrono::steady_clock::now();
  RequestContext ctx{request, body, services_, ids_.next(), services_.clock.now(), {}, {}, false, {}, {}};

  Result<http::Response> result = Error(ErrorCode::InternalError);
  std::string failure;
  try {
    result = co_await process(ctx);
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "unknown exception";
  }
  if (!failure.empty()) {
    result = Error(ErrorCode::InternalError, failure);
  }

  http::Response response;
  if (result) {
    response = std::move(result.value());
  } else if (result.error().code == ErrorCode::InternalError) {
    spdlog::error("request {} failed: {}", ctx.request_id, result.error().message);
    const std::string* host = request.find("Host");
    response = error_response(public_view_of_internal_error(result.error()), ctx.request_id, host ? *host : "",
                              request.method == "HEAD");
  } else if (result.error().message_for_log_only) {
    spdlog::warn("request {} failed: {}", ctx.request_id, result.error().message);
    const std::string* host = request.find("Host");
    response = error_response(public_view_of_log_only(result.error()), ctx.request_id, host ? *host : "",
                              request.method == "HEAD");
  } else {
    const std::string* host = request.find("Host");
    response = error_response(result.error(), ctx.request_id, host ? *host : "", request.method == "HEAD");
  }
  // A preflight carries its own Access-Control-* headers (or none, when refused).
  if (ctx.http.method != "OPTIONS") co_await add_cors_headers(ctx, response);
  response.set("x-oss-request-id", ctx.request_id);
  response.set("Server", "AliyunOSS");
  response.set("Date", format_rfc1123(ctx.now));

  const auto latency_us = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count());
  const uint64_t bytes_in = request.content_length.value_or(0);
  const uint64_t bytes_out = response.stream ? response.content_length.value_or(0) : response.body.size();
  services_.metrics.record(ctx.routed ? std::optional<Operation>(ctx.operation) : std::nullopt, response.status,
                           bytes_in, bytes_out, latency_us);
  if (access_log_) {
    nlohmann::json line = {
        {"request_id", ctx.request_id},
        {"principal", principal_of(ctx.identity)},
        {"principal_type", principal_type_of(ctx.identity)},
        {"principal_name", ctx.identity.anonymous() ? std::string() : ctx.identity.principal},
        {"session", ctx.identity.session_name},
        {"decided_by", ctx.decided_by},
        {"operation", ctx.routed                ? operation_name(ctx.operation)
                      : !ctx.rpc_action.empty() ? std::string_view(ctx.rpc_action)
                                                : std::string_view("-")},
        {"bucket", ctx.resource.bucket},
        {"key", ctx.resource.key},
        {"status", response.status},
        {"bytes_in", bytes_in},
        {"bytes_out", bytes_out},
        {"latency_us", latency_us},
        {"remote", request.remote_address},
    };
    access_log_->info(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  co_return response;
}

boost::asio::awaitable<Result<http::Response>> OssHandler::process(RequestContext& ctx) {
  Services& s = services_;
  const std::string* host = ctx.header("Host");
  auto resource = oss::resolve_resource(host ? *host : std::string_view(), ctx.http.target, s.config.addressing);
  if (!resource) co_return std::move(resource).error();
  ctx.resource = std::move(resource.value());
  // Health probes: unauthenticated, on a path no bucket can have (api/health.hpp).
  if (auto probe = health_probe_of(ctx.http.method, ctx.resource)) co_return co_await answer_health_probe(ctx, *probe);
  // STS and RAM calls (service root + Action) have their own signatures and rendering.
  if (is_rpc_request(ctx.http, ctx.resource)) co_return co_await handle_rpc(ctx);

  if (is_metrics_request(ctx)) {
    http::Response response;
    response.set("Content-Type", "text/plain; version=0.0.4");
    response.body = s.metrics.render_prometheus();
    co_return response;
  }

  auto operation = classify(ctx.http.method, !ctx.resource.bucket.empty(), !ctx.resource.key.empty(),
                            ctx.resource.query, ctx.http.headers);
  if (!operation) co_return std::move(operation).error();
  ctx.operation = operation.value();
  ctx.routed = true;
  const Level level = operation_level(ctx.operation);
  if (level != Level::Service) {
    if (auto valid = oss::validate_bucket_name(ctx.resource.bucket); !valid) co_return std::move(valid).error();
  }
  if (level == Level::Object) {
    if (auto valid = oss::validate_object_key(ctx.resource.key); !valid) co_return std::move(valid).error();
  }

  // Browsers send preflights unsigned; the bucket's CORS rules are the only gate.
  if (ctx.operation == Operation::OptionObject) co_return co_await dispatch(ctx);

  if (ctx.operation == Operation::PostObject) {
    auto identity = co_await authenticate_post_form(ctx);
    if (!identity) co_return std::move(identity).error();
    ctx.identity = std::move(identity.value());
  } else {
    auth::SignedRequest signed_request{ctx.http.method, ctx.resource.bucket, ctx.resource.key, &ctx.resource.query,
                                       &ctx.http.headers};
    auto identity = auth::authenticate(signed_request, s.credentials, ctx.now, s.config.auth);
    if (!identity) co_return std::move(identity).error();
    ctx.identity = std::move(identity.value());
  }

  if (level != Level::Service && ctx.operation != Operation::PutBucket) {
    // The record and the bucket policy travel together (one hop on a miss).
    const auto now = BucketCache::Clock::now();
    auto cached = s.buckets.find_with_policy(ctx.resource.bucket, now);
    if (!cached && reads_object_record(ctx.operation)) {
      auto loaded = co_await s.read_pool.run(
          [&] { return load_bucket_policy_and_object(s, ctx.resource.bucket, ctx.resource.key); });
      if (!loaded) co_return std::move(loaded).error();
      s.buckets.store_with_policy(loaded->bucket, now);
      cached = std::move(loaded->bucket);
      ctx.prefetched_object = RequestContext::PrefetchedObject{std::move(loaded->object)};
    } else if (!cached) {
      auto loaded = co_await s.read_pool.run([&] { return load_bucket_with_policy(s, ctx.resource.bucket); });
      if (!loaded) co_return std::move(loaded).error();
      s.buckets.store_with_policy(loaded.value(), now);
      cached = std::move(loaded.value());
    }
    ctx.bucket = std::move(cached->bucket);
    ctx.bucket_policy = std::move(cached->policy);
  }
  if (auto allowed = co_await authorize(ctx); !allowed) co_return std::move(allowed).error();

  co_return co_await dispatch(ctx);
}

}  // namespace ossd::api
