#include "service/orphan_collector.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace ossd::service {

Result<OrphanReport> collect_orphans(meta::MetadataStore& metadata, blob::BlobStore& blobs) {
  OrphanReport report;
  auto temporaries = blobs.remove_temporaries();
  if (!temporaries.ok()) return std::move(temporaries).error();
  report.temporaries_removed = *temporaries;

  auto ids = blobs.list();
  if (!ids.ok()) return std::move(ids).error();
  report.blobs_checked = ids->size();

  for (size_t start = 0; start < ids->size(); start += kOrphanBatchSize) {
    const size_t end = std::min(ids->size(), start + kOrphanBatchSize);
    std::vector<std::string> batch(ids->begin() + static_cast<std::ptrdiff_t>(start),
                                   ids->begin() + static_cast<std::ptrdiff_t>(end));
    auto referenced = metadata.blobs_referenced(batch);
    if (!referenced.ok()) return std::move(referenced).error();
    if (referenced->size() != batch.size()) {
      return Error(ErrorCode::InternalError, "blobs_referenced answered for a different number of blobs");
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      if ((*referenced)[i]) continue;
      if (auto st = blobs.remove(batch[i]); !st) return std::move(st).error();
      ++report.orphans_removed;
    }
  }
  return report;
}

}  // namespace ossd::service
