#pragma once
// Orphan collection while other gateways write to the same stores. A
// committed blob that no record names may be an orphan (a crash between the
// blob's commit and its record's), or the blob of a PUT in flight on another
// gateway, whose record follows within that request. So a blob is removed
// only once it has been unreferenced at every scan for at least `grace`:
// far longer than any request takes between the two commits.
//
// Temporaries (writers that never committed) are left alone here: on a
// shared store they cannot be told from another gateway's upload in progress.
#include <chrono>
#include <string>
#include <unordered_map>

#include "blob/blob_store.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "meta/metadata_store.hpp"
#include "service/orphan_collector.hpp"

namespace ossd::service {

struct SharedOrphanReport {
  size_t blobs_checked = 0;
  size_t suspects = 0;         // unreferenced, not yet for `grace`
  size_t orphans_removed = 0;  // unreferenced for `grace` or longer
};

class SharedOrphanCollector {
 public:
  explicit SharedOrphanCollector(std::chrono::milliseconds grace) : grace_(grace) {}

  // One scan at `now`. Suspects are remembered between scans, so one
  // collector should serve every scan (the elected leader's).
  Result<SharedOrphanReport> scan(meta::MetadataStore& metadata, blob::BlobStore& blobs, SystemTime now);

  // Forgets every suspect: after the lead was lost, another process may have
  // scanned since, and this one's memory of when it saw them no longer counts.
  void forget() { first_unreferenced_.clear(); }

 private:
  std::chrono::milliseconds grace_;
  std::unordered_map<std::string, SystemTime> first_unreferenced_;
};

}  // namespace ossd::service
