#pragma once
// BlobStore on Ceph RADOS through librados, for several gateways sharing one
// store. Objects in the pool (and namespace) the options name:
//
//   <id>              the head: written once, at commit, with an exclusive
//                     create. Its existence is what "committed" means. It
//                     holds the bytes themselves when they fit in one chunk
//                     (one RADOS write per small blob), else nothing, and
//                     its xattrs give the size and the chunk count.
//   <id>.<n>          chunk n (decimal, from 0) of a larger blob, each
//                     `chunk_bytes` long but the last, far under RADOS's
//                     128 MiB object limit.
//
// A chunk without a head is a writer that never committed (a crash) or a blob
// whose head was removed first (remove() deletes the head, then the chunks),
// so remove_temporaries() may delete any chunk whose head is missing.
// RADOS acknowledges a write once it is durable on every replica, so a
// commit is durable when it returns.
//
// Every librados call has a deadline (`op_timeout`): a cluster that stops
// answering fails calls with ServiceUnavailable instead of holding threads.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "blob/blob_store.hpp"
#include "core/random.hpp"
#include "core/result.hpp"

namespace ossd::blob {

struct RadosBlobStoreOptions {
  std::string pool = "ossd";
  std::string conf_file;  // a ceph.conf; empty = librados's default search
  std::string user = "client.admin";
  std::string rados_namespace;  // empty = the pool's default namespace
  uint64_t chunk_bytes = uint64_t{4} << 20;
  std::chrono::seconds op_timeout{10};
};

// Pure. Parses what follows "rados:" in `--blob rados:pool=p,conf=/etc/ceph/ceph.conf,...`:
// comma-separated key=value pairs with the keys pool, conf, user, namespace,
// chunk (bytes, optionally with a K or M suffix, 64K to 64M) and timeout
// (seconds, 1 to 300). InvalidArgument names the offending pair.
Result<RadosBlobStoreOptions> parse_rados_options(std::string_view text);

// Connects to the cluster and opens the pool (which must exist). `random`
// names the blobs and must outlive the store; the store serialises its use.
// A cluster that does not answer within op_timeout is ServiceUnavailable.
Result<std::unique_ptr<BlobStore>> open_rados_blob_store(const RadosBlobStoreOptions& options, Random& random);

}  // namespace ossd::blob
