#pragma once
// What every operation handler gets: the services (stores, pool, clock) and
// the request, already resolved, routed, authenticated and authorized.
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "api/bucket_cache.hpp"
#include "api/operation.hpp"
#include "auth/authenticate.hpp"
#include "blob/blob_store.hpp"
#include "core/buffer_pool.hpp"
#include "core/clock.hpp"
#include "core/random.hpp"
#include "http/exchange.hpp"
#include "http/work_pool.hpp"
#include "image/process_spec.hpp"
#include "meta/metadata_store.hpp"
#include "oss/addressing.hpp"

namespace ossd::iam {
class Authorizer;
class IdentityService;
class StsService;
}  // namespace ossd::iam

namespace ossd::meta {
class NonceLedger;
}

namespace ossd::http {
class BoundedWorkPool;
}
namespace ossd::image {
class ImageProcessor;
class DerivedCache;
}  // namespace ossd::image

namespace ossd::api {

class Metrics;
struct PostUpload;

struct ApiConfig {
  oss::AddressingConfig addressing;
  auth::AuthSettings auth;
  uint64_t max_object_size = 5ULL << 30;  // single PUT / append / part
  size_t max_control_body = 2 << 20;      // XML request bodies
  size_t transfer_chunk = 1 << 20;        // bytes per work-pool hop when copying objects
  size_t inline_read_limit = 256 << 10;   // objects up to this are read in one hop
  // Blobs of overwritten or deleted objects stay for the orphan collector
  // (after its grace) instead of going at once, so a GET already streaming
  // them from another gateway, or from a store without open-file semantics
  // (RADOS), finishes. Set when the stores are shared or the store is RADOS.
  bool defer_freed_blob_removal = false;
  image::ProcessLimits process_limits;  // x-oss-process text (length, action count)
};

struct Services {
  meta::MetadataStore& meta;
  blob::BlobStore& blobs;
  http::WorkPool& pool;       // writes: blob writes, fsync, metadata commits
  http::WorkPool& read_pool;  // reads (metadata, object bytes), so GETs never queue behind fsyncs
  const Clock& clock;
  Random& random;  // upload ids
  const auth::CredentialLookup& credentials;
  const ApiConfig& config;
  Metrics& metrics;
  BucketCache& buckets;                   // bucket records, so most requests skip a store round trip
  std::string account_id;                 // the account that owns every bucket (single-account server)
  image::ImageProcessor& images;          // x-oss-process (blocking: run it on image_pool only)
  http::BoundedWorkPool& image_pool;      // image work; full -> 503, so GETs never wait behind images
  image::DerivedCache& derived_images;    // processed results by (bucket, key, ETag, spec)
  BufferPool& transfer_buffers;           // request bodies stream into blobs through these, a work-pool hop each
  iam::Authorizer* authorizer = nullptr;  // RAM and bucket policies; null: only the account owner is allowed
  // The RPC APIs on the service root (api/rpc_handler.cpp); null: such calls are refused.
  iam::IdentityService* identity = nullptr;  // RAM 2015-05-01
  iam::StsService* sts = nullptr;            // STS 2015-04-01
  meta::NonceLedger* nonces = nullptr;       // SignatureNonce replay window (blocks(): on the write pool)
};

struct RequestContext {
  const http::Request& http;
  http::BodyReader& body;
  Services& services;
  std::string request_id;
  SystemTime now;
  oss::Resource resource;
  Operation operation = Operation::ListBuckets;
  bool routed = false;  // operation is meaningful
  auth::Identity identity;
  std::optional<meta::BucketRecord> bucket;               // loaded for bucket and object operations
  std::shared_ptr<PostUpload> post_upload;                // PostObject: the form, once authenticated
  std::shared_ptr<const policy::Document> bucket_policy;  // loaded with `bucket` (null: none)
  // GET and HEAD read their object with `bucket` when the bucket was not
  // cached (always, on a store shared by gateways): one round trip, not two.
  // Unset: not read yet (request_object reads it); record empty: no such key.
  struct PrefetchedObject {
    std::optional<meta::ObjectRecord> record;
  };
  std::optional<PrefetchedObject> prefetched_object;
  std::string decided_by;  // what allowed or refused it, for the access log
  std::string rpc_action;  // STS/RAM calls: the Action, for the access log

  const std::string& bucket_name() const { return resource.bucket; }
  const std::string& key() const { return resource.key; }
  const std::string* header(std::string_view name) const { return http.find(name); }
  const std::string* query(std::string_view name) const {
    for (const auto& p : resource.query) {
      if (p.name == name) return &p.value;
    }
    return nullptr;
  }
  bool has_query(std::string_view name) const { return query(name) != nullptr; }
};

using HandlerResult = boost::asio::awaitable<Result<http::Response>>;

}  // namespace ossd::api
