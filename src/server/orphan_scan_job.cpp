#include "server/orphan_scan_job.hpp"

#include <spdlog/spdlog.h>

namespace ossd::server {

OrphanScanJob::OrphanScanJob(meta::LeaderElection& election, meta::MetadataStore& metadata, blob::BlobStore& blobs,
                             const Clock& clock, std::chrono::milliseconds interval, std::chrono::milliseconds grace)
    : election_(election),
      metadata_(metadata),
      blobs_(blobs),
      clock_(clock),
      interval_(interval),
      collector_(grace),
      thread_([this] { run(); }) {}

OrphanScanJob::~OrphanScanJob() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void OrphanScanJob::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    scan_once();
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

void OrphanScanJob::scan_once() {
  auto leading = election_.lead();
  const bool now_leading = leading.ok() && *leading;
  if (!leading.ok()) spdlog::warn("orphan collection: the leader election failed: {}", leading.error().message);
  if (now_leading != leading_) {
    spdlog::info(now_leading ? "orphan collection: this gateway leads"
                             : "orphan collection: this gateway lost the lead");
    // What this process saw while it led says nothing about the time since.
    if (!now_leading) collector_.forget();
    leading_ = now_leading;
  }
  if (!now_leading) return;
  auto report = collector_.scan(metadata_, blobs_, clock_.now());
  if (!report) {
    spdlog::warn("orphan collection failed: {}", report.error().message);
    return;
  }
  spdlog::info("orphan collection: {} blobs checked, {} orphans removed, {} suspects spared for now",
               report->blobs_checked, report->orphans_removed, report->suspects);
}

}  // namespace ossd::server
