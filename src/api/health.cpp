#include "api/health.hpp"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace ossd::api {

namespace {

// The bucket part of the path: '-' never starts a bucket name.
constexpr std::string_view kReservedBucket = "-";

}  // namespace

std::optional<HealthProbe> health_probe_of(std::string_view method, const oss::Resource& resource) {
  if (method != "GET" && method != "HEAD") return std::nullopt;
  if (resource.virtual_hosted || resource.bucket != kReservedBucket || !resource.raw_query.empty()) {
    return std::nullopt;
  }
  if (resource.key == "health/live") return HealthProbe::Live;
  if (resource.key == "health/ready") return HealthProbe::Ready;
  return std::nullopt;
}

http::Response render_health(HealthProbe probe, const Readiness& readiness) {
  http::Response response;
  nlohmann::json body = {{"status", "ok"}};
  if (probe == HealthProbe::Ready) {
    const bool metadata_ok = readiness.metadata.ok();
    const bool blobs_ok = readiness.blobs.ok();
    body["metadata"] = metadata_ok ? "ok" : "unavailable";
    body["blobs"] = blobs_ok ? "ok" : "unavailable";
    if (!metadata_ok || !blobs_ok) {
      response.status = 503;
      body["status"] = "unavailable";
    }
  }
  response.set("Content-Type", "application/json");
  // A probe's answer is about this moment; a cache in between must not keep it.
  response.set("Cache-Control", "no-store");
  response.body = body.dump();
  return response;
}

HandlerResult answer_health_probe(RequestContext& ctx, HealthProbe probe) {
  Readiness readiness{ok_status(), ok_status()};
  if (probe == HealthProbe::Ready) {
    Services& s = ctx.services;
    readiness = co_await s.read_pool.run([&s] {
      // The cheapest read every store has: one bucket of the account, an
      // index probe that also proves the connection (or pool) works.
      bool truncated = false;
      auto buckets = s.meta.list_buckets(s.account_id, "", "", 1, &truncated);
      Status metadata = buckets ? ok_status() : Status(std::move(buckets).error());
      return Readiness{std::move(metadata), s.blobs.ping()};
    });
    if (!readiness.metadata) {
      spdlog::warn("request {}: not ready: metadata store: {}", ctx.request_id, readiness.metadata.error().message);
    }
    if (!readiness.blobs) {
      spdlog::warn("request {}: not ready: blob store: {}", ctx.request_id, readiness.blobs.error().message);
    }
  }
  co_return render_health(probe, readiness);
}

}  // namespace ossd::api
