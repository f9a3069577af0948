#pragma once
// Orphan collection for gateways that share their stores: a thread that,
// every `interval`, asks the leader election whether this gateway leads and,
// if it does, runs one SharedOrphanCollector scan. Only the leader scans, so
// the collector's memory of suspects is one process's; losing the lead
// forgets it.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "blob/blob_store.hpp"
#include "core/clock.hpp"
#include "meta/leader_election.hpp"
#include "meta/metadata_store.hpp"
#include "service/shared_orphan_collector.hpp"

namespace ossd::server {

class OrphanScanJob {
 public:
  OrphanScanJob(meta::LeaderElection& election, meta::MetadataStore& metadata, blob::BlobStore& blobs,
                const Clock& clock, std::chrono::milliseconds interval, std::chrono::milliseconds grace);
  ~OrphanScanJob();  // stops the thread and waits for it
  OrphanScanJob(const OrphanScanJob&) = delete;
  OrphanScanJob& operator=(const OrphanScanJob&) = delete;

 private:
  void run();
  void scan_once();

  meta::LeaderElection& election_;
  meta::MetadataStore& metadata_;
  blob::BlobStore& blobs_;
  const Clock& clock_;
  const std::chrono::milliseconds interval_;
  service::SharedOrphanCollector collector_;
  bool leading_ = false;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once everything above is ready
};

}  // namespace ossd::server
