// Health probes: which requests are probes (never an OSS request a client
// could mean) and what they answer.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/health.hpp"

namespace ossd::api {
namespace {

oss::Resource path_style(std::string bucket, std::string key, std::string raw_query = "") {
  oss::Resource resource;
  resource.bucket = std::move(bucket);
  resource.key = std::move(key);
  resource.raw_query = std::move(raw_query);
  return resource;
}

nlohmann::json body_of(const http::Response& response) { return nlohmann::json::parse(response.body); }

const std::string* header(const http::Response& response, std::string_view name) {
  for (const auto& h : response.headers) {
    if (h.name == name) return &h.value;
  }
  return nullptr;
}

TEST(HealthProbeOf, ReservedPathsOnGetAndHead) {
  EXPECT_EQ(health_probe_of("GET", path_style("-", "health/live")), HealthProbe::Live);
  EXPECT_EQ(health_probe_of("HEAD", path_style("-", "health/live")), HealthProbe::Live);
  EXPECT_EQ(health_probe_of("GET", path_style("-", "health/ready")), HealthProbe::Ready);
  EXPECT_EQ(health_probe_of("HEAD", path_style("-", "health/ready")), HealthProbe::Ready);
}

TEST(HealthProbeOf, OtherMethodsPathsAndQueriesAreNotProbes) {
  for (const char* method : {"PUT", "POST", "DELETE", "OPTIONS", "get"}) {
    EXPECT_FALSE(health_probe_of(method, path_style("-", "health/live"))) << method;
  }
  EXPECT_FALSE(health_probe_of("GET", path_style("-", "health/live/")));
  EXPECT_FALSE(health_probe_of("GET", path_style("-", "health")));
  EXPECT_FALSE(health_probe_of("GET", path_style("-", "")));
  EXPECT_FALSE(health_probe_of("GET", path_style("-", "health/live", "x=1")));
  EXPECT_FALSE(health_probe_of("GET", path_style("-", "health/ready", "acl")));
}

TEST(HealthProbeOf, ABucketNamedHealthKeepsItsObjects) {
  // /health/live path-style is object "live" of bucket "health".
  EXPECT_FALSE(health_probe_of("GET", path_style("health", "live")));
  EXPECT_FALSE(health_probe_of("GET", path_style("health", "ready")));
}

TEST(HealthProbeOf, VirtualHostedPathsAreObjectKeys) {
  // bucket.localhost/-/health/live is the key "-/health/live" of that bucket;
  // the resolver reports the bucket from Host, never "-", but even a Host
  // mapped to "-" must not turn an object request into a probe.
  oss::Resource resource = path_style("-", "health/live");
  resource.virtual_hosted = true;
  EXPECT_FALSE(health_probe_of("GET", resource));
}

TEST(RenderHealth, LiveIsAlwaysOk) {
  const Readiness failing{Error(ErrorCode::ServiceUnavailable, "x"), Error(ErrorCode::InternalError, "y")};
  auto response = render_health(HealthProbe::Live, failing);
  EXPECT_EQ(response.status, 200u);
  EXPECT_EQ(body_of(response), nlohmann::json({{"status", "ok"}}));
  ASSERT_NE(header(response, "Content-Type"), nullptr);
  EXPECT_EQ(*header(response, "Content-Type"), "application/json");
  ASSERT_NE(header(response, "Cache-Control"), nullptr);
  EXPECT_EQ(*header(response, "Cache-Control"), "no-store");
}

TEST(RenderHealth, ReadyWhenBothStoresAnswer) {
  auto response = render_health(HealthProbe::Ready, Readiness{ok_status(), ok_status()});
  EXPECT_EQ(response.status, 200u);
  EXPECT_EQ(body_of(response), nlohmann::json({{"status", "ok"}, {"metadata", "ok"}, {"blobs", "ok"}}));
}

TEST(RenderHealth, NotReadyNamesTheFailedStoreButNotItsError) {
  const Readiness metadata_down{
      Error(ErrorCode::ServiceUnavailable, "cannot connect to PostgreSQL: server at \"db.internal\" failed"),
      ok_status()};
  auto response = render_health(HealthProbe::Ready, metadata_down);
  EXPECT_EQ(response.status, 503u);
  EXPECT_EQ(body_of(response),
            nlohmann::json({{"status", "unavailable"}, {"metadata", "unavailable"}, {"blobs", "ok"}}));
  EXPECT_EQ(response.body.find("db.internal"), std::string::npos);

  const Readiness blobs_down{ok_status(), Error(ErrorCode::InternalError, "stat /srv/data/objects/blobs: gone")};
  auto blobs = render_health(HealthProbe::Ready, blobs_down);
  EXPECT_EQ(blobs.status, 503u);
  EXPECT_EQ(body_of(blobs), nlohmann::json({{"status", "unavailable"}, {"metadata", "ok"}, {"blobs", "unavailable"}}));
  EXPECT_EQ(blobs.body.find("/srv"), std::string::npos);
}

}  // namespace
}  // namespace ossd::api
