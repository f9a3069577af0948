// What every BlobStore promises, run against the filesystem store and the
// RADOS store. The RADOS cases need a cluster: ctest starts a throwaway one
// (the ceph_cluster fixture in blob.cmake) and passes its ceph.conf in
// OSSD_TEST_CEPH_CONF; OSSD_SKIP_CEPH=1 is the explicit opt-out. Each RADOS
// test works in a namespace of its own, so tests and runs never see each
// other's objects.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "blob/fs_blob_store.hpp"
#include "blob/rados_blob_store.hpp"

namespace ossd::blob {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAreArray;

// RADOS tests use the smallest chunk, so a few hundred KiB span many chunks.
constexpr uint64_t kChunk = uint64_t{64} << 10;

class CountingRandom final : public Random {
 public:
  explicit CountingRandom(uint64_t seed) : counter_(seed) {}
  void fill(std::span<unsigned char> out) override {
    std::lock_guard lock(mutex_);
    ++counter_;
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<unsigned char>((counter_ >> (8 * (i % 8))) + i);
  }

 private:
  std::mutex mutex_;
  uint64_t counter_;
};

// Every call gives the same bytes: every id is the same.
class ConstantRandom final : public Random {
 public:
  void fill(std::span<unsigned char> out) override { std::fill(out.begin(), out.end(), 0x5a); }
};

// Writers a "crash" abandoned: never destroyed, so they cannot clean up, and
// reachable from here so the leak checker knows they are meant.
std::vector<BlobWriter*>& abandoned_writers() {
  // Never destroyed: the leak checker runs after static destructors.
  static auto* writers = new std::vector<BlobWriter*>();
  return *writers;
}

uint64_t unique_seed() {
  return static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
         (static_cast<uint64_t>(::getpid()) << 40);
}

// One kind of store: `open` makes a store over the same backing place each
// time it is called within one test (so reopening sees the same blobs).
struct Backend {
  std::string name;
  std::function<std::string()> skip_reason;  // empty string: runnable
  std::function<Result<std::unique_ptr<BlobStore>>(const std::string& place, Random& random)> open;
  std::function<std::string()> new_place;
  std::function<void(const std::string& place)> drop_place;
};

Backend filesystem_backend() {
  Backend b;
  b.name = "fs";
  b.skip_reason = [] { return std::string(); };
  b.open = [](const std::string& place, Random& random) { return open_fs_blob_store(place, random); };
  b.new_place = [] {
    std::string pattern = (fs::path(::testing::TempDir()) / "ossd-blobconf-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    return (fs::path(pattern) / "store").string();
  };
  b.drop_place = [](const std::string& place) {
    std::error_code ec;
    fs::remove_all(fs::path(place).parent_path(), ec);
  };
  return b;
}

Backend rados_backend() {
  Backend b;
  b.name = "rados";
  b.skip_reason = [] {
    const char* skip = std::getenv("OSSD_SKIP_CEPH");
    if (skip != nullptr && std::string(skip) == "1") return std::string("OSSD_SKIP_CEPH=1");
    return std::string();
  };
  b.open = [](const std::string& place, Random& random) -> Result<std::unique_ptr<BlobStore>> {
    const char* conf = std::getenv("OSSD_TEST_CEPH_CONF");
    if (conf == nullptr) {
      return Error(ErrorCode::InternalError,
                   "OSSD_TEST_CEPH_CONF is not set: run through ctest (it starts a cluster), or set "
                   "OSSD_SKIP_CEPH=1 to skip the RADOS cases");
    }
    RadosBlobStoreOptions options;
    options.conf_file = conf;
    options.pool = "ossd";
    options.rados_namespace = place;
    options.chunk_bytes = kChunk;
    options.op_timeout = std::chrono::seconds(30);
    return open_rados_blob_store(options, random);
  };
  b.new_place = [] { return "conformance-" + std::to_string(unique_seed()); };
  b.drop_place = [](const std::string&) {};  // each namespace is used once
  return b;
}

std::string read_all(BlobReader& reader) {
  std::string out(reader.size(), '\0');
  auto n = reader.read_at(0, {out.data(), out.size()});
  EXPECT_TRUE(n.ok()) << (n.ok() ? "" : n.error().message);
  out.resize(n.ok() ? *n : 0);
  return out;
}

std::string pattern_bytes(size_t size, unsigned salt) {
  std::string out(size, '\0');
  uint32_t x = 2463534242u ^ salt;
  for (char& c : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x);
  }
  return out;
}

class BlobStoreConformance : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (std::string why = GetParam().skip_reason(); !why.empty()) GTEST_SKIP() << why;
    place_ = GetParam().new_place();
    store_ = open_store(random_);
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override {
    store_.reset();
    if (!place_.empty()) GetParam().drop_place(place_);
  }

  std::unique_ptr<BlobStore> open_store(Random& random) {
    auto store = GetParam().open(place_, random);
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().message);
    return store.ok() ? std::move(store).value() : nullptr;
  }

  BlobId put(std::string_view content, BlobStore* store = nullptr) {
    if (store == nullptr) store = store_.get();
    auto writer = store->create();
    EXPECT_TRUE(writer.ok());
    if (!writer.ok()) return {};
    // Written in uneven pieces, so the chunking sees writes that straddle chunks.
    size_t at = 0;
    size_t piece = 1;
    while (at < content.size()) {
      const size_t n = std::min(piece, content.size() - at);
      EXPECT_TRUE((*writer)->write(content.substr(at, n)).ok());
      at += n;
      piece = piece * 3 + 7;
    }
    EXPECT_EQ((*writer)->bytes_written(), content.size());
    auto id = (*writer)->commit();
    EXPECT_TRUE(id.ok()) << (id.ok() ? "" : id.error().message);
    return id.ok() ? *id : BlobId();
  }

  CountingRandom random_{unique_seed()};
  std::string place_;
  std::unique_ptr<BlobStore> store_;
};

TEST_P(BlobStoreConformance, BlobsOfEverySizeReadBackWhole) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{100}, size_t{kChunk - 1}, size_t{kChunk}, size_t{kChunk + 1},
                      size_t{3 * kChunk + 17}, size_t{(1u << 20) + 5}}) {
    const std::string content = pattern_bytes(size, static_cast<unsigned>(size));
    BlobId id = put(content);
    auto reader = store_->open(id);
    ASSERT_TRUE(reader.ok()) << size << ": " << reader.error().message;
    EXPECT_EQ((*reader)->size(), size);
    EXPECT_TRUE(read_all(**reader) == content) << "size " << size;
  }
}

TEST_P(BlobStoreConformance, RangesAcrossChunkBoundariesAndPastTheEnd) {
  const std::string content = pattern_bytes(4 * kChunk + 333, 7);
  BlobId id = put(content);
  auto reader = store_->open(id);
  ASSERT_TRUE(reader.ok());
  for (auto [offset, length] : std::vector<std::pair<uint64_t, size_t>>{{0, 10},
                                                                        {kChunk - 5, 10},
                                                                        {kChunk, kChunk},
                                                                        {kChunk - 1, 2 * kChunk + 2},
                                                                        {3 * kChunk + 1, kChunk + 332},
                                                                        {4 * kChunk + 300, 100},
                                                                        {content.size(), 10},
                                                                        {content.size() + 50, 10}}) {
    std::string out(length, '\0');
    auto n = (*reader)->read_at(offset, {out.data(), out.size()});
    ASSERT_TRUE(n.ok()) << offset << ": " << n.error().message;
    const size_t expected = offset >= content.size() ? 0 : std::min<size_t>(length, content.size() - offset);
    ASSERT_EQ(*n, expected) << "offset " << offset;
    EXPECT_TRUE(out.substr(0, *n) == content.substr(std::min<size_t>(offset, content.size()), expected))
        << "offset " << offset;
  }
}

TEST_P(BlobStoreConformance, NothingIsVisibleBeforeCommit) {
  auto writer = store_->create();
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->write(pattern_bytes(2 * kChunk + 9, 1)).ok());
  EXPECT_THAT(*store_->list(), IsEmpty());
  auto id = (*writer)->commit();
  ASSERT_TRUE(id.ok());
  EXPECT_THAT(*store_->list(), ElementsAre(*id));
}

TEST_P(BlobStoreConformance, DestroyingAnUncommittedWriterLeavesNothing) {
  {
    auto writer = store_->create();
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->write(pattern_bytes(3 * kChunk, 2)).ok());
  }
  EXPECT_THAT(*store_->list(), IsEmpty());
  auto removed = store_->remove_temporaries();
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 0u);
}

TEST_P(BlobStoreConformance, RemoveTemporariesClearsWhatACrashLeftAndSparesCommittedBlobs) {
  const std::string big = pattern_bytes(3 * kChunk + 1, 3);
  BlobId committed = put(big);
  BlobId small = put("small");
  for (int i = 0; i < 2; ++i) {
    auto writer = store_->create();
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->write(pattern_bytes(2 * kChunk + 5, 4)).ok());
    abandoned_writers().push_back(writer->release());  // the process "died" here
  }
  auto removed = store_->remove_temporaries();
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  EXPECT_GE(*removed, 2u);
  EXPECT_THAT(*store_->list(), UnorderedElementsAreArray({committed, small}));
  auto reader = store_->open(committed);
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE(read_all(**reader) == big);
  removed = store_->remove_temporaries();
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 0u);
}

TEST_P(BlobStoreConformance, CommitTwiceIsAnError) {
  auto writer = store_->create();
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->commit().ok());
  EXPECT_FALSE((*writer)->commit().ok());
  EXPECT_FALSE((*writer)->write(std::string_view("late")).ok());
}

TEST_P(BlobStoreConformance, RemoveDeletesEverythingAndToleratesMissing) {
  BlobId keep = put("keep");
  BlobId drop = put(pattern_bytes(3 * kChunk + 2, 5));
  ASSERT_TRUE(store_->remove(drop).ok());
  EXPECT_FALSE(store_->open(drop).ok());
  EXPECT_TRUE(store_->remove(drop).ok());
  EXPECT_TRUE(store_->remove(std::string(32, 'a')).ok());
  EXPECT_THAT(*store_->list(), ElementsAre(keep));
  // Nothing of the removed blob is left for the collector either.
  auto removed = store_->remove_temporaries();
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 0u);
}

TEST_P(BlobStoreConformance, ListReturnsEveryCommittedId) {
  std::vector<BlobId> ids;
  for (int i = 0; i < 30; ++i) ids.push_back(put("blob " + std::to_string(i)));
  ids.push_back(put(pattern_bytes(2 * kChunk + 1, 6)));
  auto listed = store_->list();
  ASSERT_TRUE(listed.ok());
  EXPECT_THAT(*listed, UnorderedElementsAreArray(ids));
}

TEST_P(BlobStoreConformance, InvalidIdsAreRefused) {
  for (const std::string& bad : {std::string("../secret"), std::string(""), std::string(31, 'a'), std::string(32, 'A'),
                                 std::string("0123456789abcdef0123456789abcdef.0")}) {
    auto reader = store_->open(bad);
    ASSERT_FALSE(reader.ok()) << bad;
    EXPECT_EQ(reader.error().code, ErrorCode::InvalidArgument);
    auto removed = store_->remove(bad);
    ASSERT_FALSE(removed.ok()) << bad;
    EXPECT_EQ(removed.error().code, ErrorCode::InvalidArgument);
  }
}

TEST_P(BlobStoreConformance, OpeningAMissingBlobIsAnInternalError) {
  auto reader = store_->open(std::string(32, 'c'));
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.error().code, ErrorCode::InternalError);
  EXPECT_THAT(reader.error().message, ::testing::HasSubstr("No such file"));
}

TEST_P(BlobStoreConformance, IdCollisionWithACommittedBlobNeverOverwritesIt) {
  ConstantRandom constant;
  auto store = open_store(constant);
  ASSERT_NE(store, nullptr);
  BlobId id = put("original", store.get());
  ASSERT_FALSE(id.empty());
  auto second = store->create();
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE((*second)->write(std::string_view("intruder")).ok());
  EXPECT_FALSE((*second)->commit().ok());
  auto reader = store->open(id);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(read_all(**reader), "original");
}

TEST_P(BlobStoreConformance, BlobsSurviveReopen) {
  const std::string content = pattern_bytes(2 * kChunk + 77, 8);
  BlobId id = put(content);
  store_.reset();
  store_ = open_store(random_);
  ASSERT_NE(store_, nullptr);
  EXPECT_THAT(*store_->list(), ElementsAre(id));
  auto reader = store_->open(id);
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE(read_all(**reader) == content);
}

TEST_P(BlobStoreConformance, WriterAndReaderMayOutliveTheirStore) {
  BlobId id = put("written before");
  auto writer = store_->create();
  ASSERT_TRUE(writer.ok());
  auto reader = store_->open(id);
  ASSERT_TRUE(reader.ok());
  store_.reset();
  ASSERT_TRUE((*writer)->write(std::string_view("late")).ok());
  ASSERT_TRUE((*writer)->commit().ok());
  EXPECT_EQ(read_all(**reader), "written before");
}

TEST_P(BlobStoreConformance, ConcurrentWritersGetDistinctBlobs) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10;
  std::mutex mutex;
  std::vector<std::pair<BlobId, std::string>> written;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string content = pattern_bytes(static_cast<size_t>(i) * kChunk / 3, static_cast<unsigned>(t * 100 + i));
        auto writer = store_->create();
        if (!writer.ok() || !(*writer)->write({content.data(), content.size()}).ok()) continue;
        auto id = (*writer)->commit();
        if (!id.ok()) continue;
        std::lock_guard lock(mutex);
        written.emplace_back(*id, content);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(written.size(), static_cast<size_t>(kThreads * kPerThread));
  std::set<BlobId> distinct;
  for (const auto& [id, content] : written) {
    distinct.insert(id);
    auto reader = store_->open(id);
    ASSERT_TRUE(reader.ok());
    EXPECT_TRUE(read_all(**reader) == content);
  }
  EXPECT_EQ(distinct.size(), written.size());
  EXPECT_EQ(store_->list()->size(), written.size());
}

TEST_P(BlobStoreConformance, PingAnswersWhileTheStoreIsUp) {
  auto st = store_->ping();
  EXPECT_TRUE(st.ok()) << st.error().message;
}

INSTANTIATE_TEST_SUITE_P(Stores, BlobStoreConformance, ::testing::Values(filesystem_backend(), rados_backend()),
                         [](const ::testing::TestParamInfo<Backend>& info) { return info.param.name; });

}  // namespace
}  // namespace ossd::blob
