#pragma once
// Health probes for load balancers and orchestrators, answered before OSS
// routing and without authentication:
//
//   GET|HEAD /-/health/live   200 {"status":"ok"} whenever the process serves HTTP
//   GET|HEAD /-/health/ready  200 when the metadata store and the blob store
//                             answer, else 503 naming which one failed
//
// Why "/-/": "health" is a valid bucket name, so /health/live path-style is
// object "live" of bucket "health". A bucket name cannot start with '-'
// (oss/names.cpp), so no path-style request to /-/... is an OSS request. With
// the bucket in the Host (virtual-hosted or CNAME) the path is an object key
// ("-/health/live" is a valid one), so probes are only answered path-style.
#include <optional>
#include <string_view>

#include "api/context.hpp"
#include "core/result.hpp"
#include "http/exchange.hpp"
#include "oss/addressing.hpp"

namespace ossd::api {

enum class HealthProbe { Live, Ready };

// Pure: the probe a resolved request asks for, if any. Only GET and HEAD,
// only path-style, only the exact paths with no query.
std::optional<HealthProbe> health_probe_of(std::string_view method, const oss::Resource& resource);

// What the readiness check found (ok or the store's error).
struct Readiness {
  Status metadata;
  Status blobs;
};

// Pure: the probe's response. The body names the failed store only, never
// its error text (which may name hosts, users or paths).
http::Response render_health(HealthProbe probe, const Readiness& readiness);

// Answers a probe; for readiness asks both stores on the read pool (a
// one-bucket listing and BlobStore::ping) and logs what failed.
HandlerResult answer_health_probe(RequestContext& ctx, HealthProbe probe);

}  // namespace ossd::api
