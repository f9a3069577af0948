#include "service/shared_orphan_collector.hpp"

#include <algorithm>
#include <unordered_set>
#include <vector>

namespace ossd::service {

Result<SharedOrphanReport> SharedOrphanCollector::scan(meta::MetadataStore& metadata, blob::BlobStore& blobs,
                                                       SystemTime now) {
  SharedOrphanReport report;
  auto ids = blobs.list();
  if (!ids) return std::move(ids).error();
  report.blobs_checked = ids->size();

  std::unordered_set<std::string> unreferenced;
  for (size_t start = 0; start < ids->size(); start += kOrphanBatchSize) {
    const size_t end = std::min(ids->size(), start + kOrphanBatchSize);
    std::vector<std::string> batch(ids->begin() + static_cast<std::ptrdiff_t>(start),
                                   ids->begin() + static_cast<std::ptrdiff_t>(end));
    auto referenced = metadata.blobs_referenced(batch);
    if (!referenced) return std::move(referenced).error();
    if (referenced->size() != batch.size()) {
      return Error(ErrorCode::InternalError, "blobs_referenced answered for a different number of blobs");
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!(*referenced)[i]) unreferenced.insert(std::move(batch[i]));
    }
  }

  // A suspect that is referenced now, or gone, is no suspect any more.
  std::erase_if(first_unreferenced_, [&](const auto& entry) { return unreferenced.count(entry.first) == 0; });
  for (const std::string& id : unreferenced) {
    auto [it, fresh] = first_unreferenced_.emplace(id, now);
    if (fresh || now - it->second < grace_) {
      ++report.suspects;
      continue;
    }
    if (auto st = blobs.remove(id); !st) return std::move(st).error();
    first_unreferenced_.erase(it);
    ++report.orphans_removed;
  }
  return report;
}

}  // namespace ossd::service
