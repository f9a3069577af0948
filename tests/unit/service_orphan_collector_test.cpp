#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>

#include "blob/fs_blob_store.hpp"
#include "meta/sqlite_store.hpp"
#include "service/orphan_collector.hpp"
#include "service/shared_orphan_collector.hpp"

namespace ossd::service {
namespace {

namespace fs = std::filesystem;
using ::testing::UnorderedElementsAre;

class CountingRandom final : public Random {
 public:
  void fill(std::span<unsigned char> out) override {
    std::lock_guard lock(mutex_);
    ++counter_;
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<unsigned char>((counter_ >> (8 * (i % 8))) * 7 + i);
  }

 private:
  std::mutex mutex_;
  uint64_t counter_ = 0;
};

class OrphanCollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::path(::testing::TempDir()) / "ossd-orphans-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto metadata = meta::open_sqlite_store(dir_ / "meta.db");
    ASSERT_TRUE(metadata.ok());
    metadata_ = std::move(metadata).value();
    auto blobs = blob::open_fs_blob_store(dir_ / "blobs", random_);
    ASSERT_TRUE(blobs.ok());
    blobs_ = std::move(blobs).value();
    meta::BucketRecord bucket;
    bucket.name = "b";
    ASSERT_TRUE(metadata_->create_bucket(bucket).ok());
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string commit_blob(std::string_view content) {
    auto writer = blobs_->create();
    EXPECT_TRUE(writer.ok());
    EXPECT_TRUE((*writer)->write({content.data(), content.size()}).ok());
    auto id = (*writer)->commit();
    EXPECT_TRUE(id.ok());
    return *id;
  }

  meta::ObjectRecord object(const std::string& key, const std::string& blob_id) {
    meta::ObjectRecord o;
    o.bucket = "b";
    o.key = key;
    o.size = 1;
    o.segments = {{blob_id, 1}};
    return o;
  }

  fs::path dir_;
  CountingRandom random_;
  std::unique_ptr<meta::MetadataStore> metadata_;
  std::unique_ptr<blob::BlobStore> blobs_;
};

TEST_F(OrphanCollectorTest, RemovesExactlyTheUnreferencedBlobsAndTemporaries) {
  const std::string in_object = commit_blob("object");
  const std::string in_part = commit_blob("part");
  const std::string never_recorded = commit_blob("crash before metadata commit");
  const std::string replaced = commit_blob("old version");
  const std::string replacement = commit_blob("new version");

  ASSERT_TRUE(metadata_->put_object(object("k", in_object), {}).ok());
  ASSERT_TRUE(metadata_->put_object(object("v", replaced), {}).ok());
  auto freed = metadata_->put_object(object("v", replacement), {});  // "crash" before removing what it freed
  ASSERT_TRUE(freed.ok());
  ASSERT_THAT(*freed, UnorderedElementsAre(replaced));
  meta::UploadRecord upload;
  upload.upload_id = "u1";
  upload.bucket = "b";
  upload.key = "big";
  ASSERT_TRUE(metadata_->create_upload(upload).ok());
  meta::PartRecord part;
  part.part_number = 1;
  part.blob_id = in_part;
  ASSERT_TRUE(metadata_->put_part("u1", part).ok());
  std::ofstream(dir_ / "blobs" / "tmp" / "00000000000000000000000000000001.tmp") << "torn write";

  auto report = collect_orphans(*metadata_, *blobs_);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->temporaries_removed, 1u);
  EXPECT_EQ(report->blobs_checked, 5u);
  EXPECT_EQ(report->orphans_removed, 2u);

  auto left = blobs_->list();
  ASSERT_TRUE(left.ok());
  EXPECT_THAT(*left, UnorderedElementsAre(in_object, in_part, replacement));
  EXPECT_TRUE(blobs_->open(in_object).ok());

  report = collect_orphans(*metadata_, *blobs_);  // a second run finds nothing more
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->temporaries_removed, 0u);
  EXPECT_EQ(report->blobs_checked, 3u);
  EXPECT_EQ(report->orphans_removed, 0u);
}

TEST_F(OrphanCollectorTest, WorksAcrossManyBatches) {
  // Blob files laid down directly (no per-file fsync), more than two batches' worth.
  const size_t total = 2 * kOrphanBatchSize + 37;
  std::set<std::string> kept;
  for (size_t i = 0; i < total; ++i) {
    char id[33];
    std::snprintf(id, sizeof id, "%08zx%024x", i * 2654435761u % 0xFFFFFFFFu, 0);
    std::string name(id);
    std::ofstream(dir_ / "blobs" / "blobs" / name.substr(0, 2) / name) << "x";
    if (i % 500 == 0) {
      ASSERT_TRUE(metadata_->put_object(object("k" + std::to_string(i), name), {}).ok());
      kept.insert(name);
    }
  }
  auto report = collect_orphans(*metadata_, *blobs_);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->blobs_checked, total);
  EXPECT_EQ(report->orphans_removed, total - kept.size());
  auto left = blobs_->list();
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(std::set<std::string>(left->begin(), left->end()), kept);
}

TEST_F(OrphanCollectorTest, EmptyStoresReportNothing) {
  auto report = collect_orphans(*metadata_, *blobs_);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->temporaries_removed, 0u);
  EXPECT_EQ(report->blobs_checked, 0u);
  EXPECT_EQ(report->orphans_removed, 0u);
}

TEST_F(OrphanCollectorTest, SharedCollectorRemovesOnlyBlobsUnreferencedForTheGrace) {
  using namespace std::chrono_literals;
  const SystemTime t0 = from_unix_seconds(1716193800);
  const std::string referenced = commit_blob("object");
  ASSERT_TRUE(metadata_->put_object(object("k", referenced), {}).ok());
  const std::string orphan = commit_blob("crash leftover");
  const std::string in_flight = commit_blob("another gateway's PUT, record not yet committed");
  SharedOrphanCollector collector(1h);

  auto first = collector.scan(*metadata_, *blobs_, t0);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->blobs_checked, 3u);
  EXPECT_EQ(first->suspects, 2u);
  EXPECT_EQ(first->orphans_removed, 0u);

  // The PUT in flight commits its record; a scan before the grace removes nothing.
  ASSERT_TRUE(metadata_->put_object(object("late", in_flight), {}).ok());
  auto early = collector.scan(*metadata_, *blobs_, t0 + 59min);
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early->suspects, 1u);
  EXPECT_EQ(early->orphans_removed, 0u);

  auto late = collector.scan(*metadata_, *blobs_, t0 + 61min);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->orphans_removed, 1u);
  auto left = blobs_->list();
  ASSERT_TRUE(left.ok());
  EXPECT_THAT(*left, UnorderedElementsAre(referenced, in_flight));
}

TEST_F(OrphanCollectorTest, SharedCollectorStartsTheGraceAgainWhenABlobWasReferencedInBetween) {
  using namespace std::chrono_literals;
  const SystemTime t0 = from_unix_seconds(1716193800);
  const std::string blob = commit_blob("referenced for a while");
  SharedOrphanCollector collector(1h);
  ASSERT_EQ(collector.scan(*metadata_, *blobs_, t0)->suspects, 1u);
  ASSERT_TRUE(metadata_->put_object(object("k", blob), {}).ok());
  ASSERT_EQ(collector.scan(*metadata_, *blobs_, t0 + 30min)->suspects, 0u);
  ASSERT_TRUE(metadata_->delete_object("b", "k").ok());
  // Unreferenced at t0 and again now, but not all along: a fresh suspect.
  auto again = collector.scan(*metadata_, *blobs_, t0 + 90min);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->orphans_removed, 0u);
  EXPECT_EQ(again->suspects, 1u);
  // A collector that lost the lead forgets what it saw.
  collector.forget();
  EXPECT_EQ(collector.scan(*metadata_, *blobs_, t0 + 200min)->orphans_removed, 0u);
  EXPECT_EQ(collector.scan(*metadata_, *blobs_, t0 + 261min)->orphans_removed, 1u);
}

}  // namespace
}  // namespace ossd::service
