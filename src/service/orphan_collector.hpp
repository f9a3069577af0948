#pragma once
// Start-up collection of blobs that no metadata refers to: what a crash leaves
// between "blob committed" and "metadata committed" (DESIGN rule 5), and
// between "metadata freed a blob" and "blob removed".
//
// Run it before the server accepts requests: a PUT in flight has a committed
// blob that its metadata does not reference yet, and would lose it.
#include <cstddef>

#include "blob/blob_store.hpp"
#include "core/result.hpp"
#include "meta/metadata_store.hpp"

namespace ossd::service {

struct OrphanReport {
  size_t temporaries_removed = 0;  // uncommitted writer files
  size_t blobs_checked = 0;        // committed blobs looked up in the metadata
  size_t orphans_removed = 0;      // committed blobs no object or part refers to
};

// How many ids one blobs_referenced call checks.
inline constexpr size_t kOrphanBatchSize = 1000;

Result<OrphanReport> collect_orphans(meta::MetadataStore& metadata, blob::BlobStore& blobs);

}  // namespace ossd::service
