// What only the filesystem store does: its layout on disk, the order of its
// durability steps and their failures, and its id handling. What every
// BlobStore promises is in blob_store_conformance_test.cpp, run on this store too.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "blob/fs_blob_store.hpp"

namespace ossd::blob {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAreArray;

// Deterministic ids: a counter spread over the bytes, so every call differs.
class CountingRandom final : public Random {
 public:
  void fill(std::span<unsigned char> out) override {
    std::lock_guard lock(mutex_);
    ++counter_;
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<unsigned char>((counter_ >> (8 * (i % 8))) + i);
  }

 private:
  std::mutex mutex_;
  uint64_t counter_ = 0;
};

// Plays back a fixed list of byte values, one per call (the last repeats).
class ScriptedRandom final : public Random {
 public:
  explicit ScriptedRandom(std::vector<unsigned char> script) : script_(std::move(script)) {}
  void fill(std::span<unsigned char> out) override {
    unsigned char b = script_[std::min(next_, script_.size() - 1)];
    ++next_;
    std::fill(out.begin(), out.end(), b);
  }

 private:
  std::vector<unsigned char> script_;
  size_t next_ = 0;
};

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::path(::testing::TempDir()) / "ossd-blob-XXXXXX").string();
    char* made = ::mkdtemp(pattern.data());
    if (made == nullptr) std::abort();
    path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string read_all(BlobReader& reader) {
  std::string out(reader.size(), '\0');
  auto n = reader.read_at(0, {out.data(), out.size()});
  EXPECT_TRUE(n.ok());
  out.resize(n.ok() ? *n : 0);
  return out;
}

size_t count_entries(const fs::path& dir) {
  return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

class FsBlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = open_store(); }

  std::unique_ptr<BlobStore> open_store(FsBlobStoreOptions options = {}) {
    auto store = open_fs_blob_store(root(), random_, std::move(options));
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().message);
    return store.ok() ? std::move(store).value() : nullptr;
  }

  BlobId put(std::string_view content) {
    auto writer = store_->create();
    EXPECT_TRUE(writer.ok());
    EXPECT_TRUE((*writer)->write({content.data(), content.size()}).ok());
    auto id = (*writer)->commit();
    EXPECT_TRUE(id.ok()) << (id.ok() ? "" : id.error().message);
    return id.ok() ? *id : BlobId();
  }

  fs::path root() const { return dir_.path() / "store"; }
  fs::path blob_path(const BlobId& id) const { return root() / "blobs" / id.substr(0, 2) / id; }

  TempDir dir_;
  CountingRandom random_;
  std::unique_ptr<BlobStore> store_;
};

TEST_F(FsBlobStoreTest, OpenCreatesPrivateLayoutWith256FanOutDirectories) {
  EXPECT_EQ(count_entries(root() / "blobs"), 256u);
  EXPECT_TRUE(fs::is_directory(root() / "blobs" / "00"));
  EXPECT_TRUE(fs::is_directory(root() / "blobs" / "ff"));
  EXPECT_TRUE(fs::is_directory(root() / "tmp"));
  for (const fs::path& dir : {root(), root() / "blobs", root() / "tmp", root() / "blobs" / "a7"}) {
    struct stat info {};
    ASSERT_EQ(::stat(dir.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0700u) << dir;
  }
}

TEST_F(FsBlobStoreTest, CommittedBlobReadsBackWholeAndInRanges) {
  auto writer = store_->create();
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->write(std::string_view("hello ")).ok());
  ASSERT_TRUE((*writer)->write(std::string_view("")).ok());
  ASSERT_TRUE((*writer)->write(std::string_view("world")).ok());
  EXPECT_EQ((*writer)->bytes_written(), 11u);
  auto id = (*writer)->commit();
  ASSERT_TRUE(id.ok());
  EXPECT_TRUE(is_valid_blob_id(*id));

  auto reader = store_->open(*id);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->size(), 11u);
  EXPECT_GE((*reader)->native_handle(), 0);
  EXPECT_EQ(read_all(**reader), "hello world");

  char buf[5];
  auto n = (*reader)->read_at(3, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(buf, *n), "lo wo");
  n = (*reader)->read_at(8, buf);  // runs past the end: short count
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(buf, *n), "rld");
  n = (*reader)->read_at(11, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
  n = (*reader)->read_at(1000, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
}

TEST_F(FsBlobStoreTest, LargeBlobRoundTripsAndLandsAtItsFanOutPathPrivately) {
  std::string content(3 * 1024 * 1024 + 17, '\0');
  for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>((i * 131) ^ (i >> 9));
  BlobId id = put(content);
  EXPECT_TRUE(fs::is_regular_file(blob_path(id)));
  struct stat info {};
  ASSERT_EQ(::stat(blob_path(id).c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto reader = store_->open(id);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(read_all(**reader), content);
}

TEST_F(FsBlobStoreTest, EmptyBlobIsValid) {
  BlobId id = put("");
  auto reader = store_->open(id);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->size(), 0u);
}

TEST_F(FsBlobStoreTest, BlobIsVisibleOnlyAfterCommit) {
  auto writer = store_->create();
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->write(std::string_view("pending")).ok());
  EXPECT_EQ(count_entries(root() / "tmp"), 1u);
  auto listed = store_->list();
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());

  auto id = (*writer)->commit();
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(count_entries(root() / "tmp"), 0u);
  listed = store_->list();
  ASSERT_TRUE(listed.ok());
  EXPECT_THAT(*listed, ElementsAre(*id));
}

TEST_F(FsBlobStoreTest, DestroyingAnUncommittedWriterLeavesNothing) {
  {
    auto writer = store_->create();
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->write(std::string_view("abandoned")).ok());
  }
  EXPECT_EQ(count_entries(root() / "tmp"), 0u);
  auto listed = store_->list();
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
}

TEST_F(FsBlobStoreTest, CommitSyncsDataBeforeRenameAndDirectoryAfter) {
  struct Seen {
    SyncStep step;
    fs::path path;
    size_t temporaries;
    size_t committed;
  };
  std::vector<Seen> seen;
  FsBlobStoreOptions options;
  std::unique_ptr<BlobStore>* store_ref = &store_;
  options.before_sync = [&](SyncStep step, const fs::path& path) -> Status {
    auto listed = (*store_ref)->list();
    seen.push_back({step, path, count_entries(root() / "tmp"), listed.ok() ? listed->size() : 99});
    return ok_status();
  };
  store_ = open_store(std::move(options));

  BlobId id = put("durable");
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].step, SyncStep::FileData);
  EXPECT_EQ(seen[0].path, root() / "tmp" / (id + ".tmp"));
  EXPECT_EQ(seen[0].temporaries, 1u);
  EXPECT_EQ(seen[0].committed, 0u);  // not yet at its final path while the data is synced
  EXPECT_EQ(seen[1].step, SyncStep::Directory);
  EXPECT_EQ(seen[1].path, root() / "blobs" / id.substr(0, 2));
  EXPECT_EQ(seen[1].temporaries, 0u);
  EXPECT_EQ(seen[1].committed, 1u);  // renamed before its directory is synced
}

TEST_F(FsBlobStoreTest, FailedDataSyncFailsCommitAndLeavesNothing) {
  FsBlobStoreOptions options;
  options.before_sync = [](SyncStep step, const fs::path&) -> Status {
    if (step == SyncStep::FileData) return Error(ErrorCode::InternalError, "fdatasync: injected");
    return ok_status();
  };
  store_ = open_store(std::move(options));
  {
    auto writer = store_->create();
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->write(std::string_view("x")).ok());
    auto id = (*writer)->commit();
    ASSERT_FALSE(id.ok());
    EXPECT_EQ(id.error().code, ErrorCode::InternalError);
    EXPECT_FALSE((*writer)->commit().ok());
    EXPECT_FALSE((*writer)->write(std::string_view("more")).ok());
  }
  EXPECT_EQ(count_entries(root() / "tmp"), 0u);
  EXPECT_TRUE(store_->list()->empty());
}

TEST_F(FsBlobStoreTest, FailedDirectorySyncFailsCommitAndWithdrawsTheBlob) {
  FsBlobStoreOptions options;
  options.before_sync = [](SyncStep step, const fs::path&) -> Status {
    if (step == SyncStep::Directory) return Error(ErrorCode::InternalError, "fsync: injected");
    return ok_status();
  };
  store_ = open_store(std::move(options));
  {
    auto writer = store_->create();
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->write(std::string_view("x")).ok());
    EXPECT_FALSE((*writer)->commit().ok());
  }
  EXPECT_EQ(count_entries(root() / "tmp"), 0u);
  EXPECT_TRUE(store_->list()->empty());
}

TEST_F(FsBlobStoreTest, RemoveDeletesAndToleratesMissing) {
  BlobId keep = put("keep");
  BlobId drop = put("drop");
  ASSERT_TRUE(store_->remove(drop).ok());
  EXPECT_FALSE(fs::exists(blob_path(drop)));
  EXPECT_FALSE(store_->open(drop).ok());
  EXPECT_TRUE(store_->remove(drop).ok());
  EXPECT_TRUE(store_->remove(std::string(32, 'a')).ok());
  EXPECT_THAT(*store_->list(), ElementsAre(keep));
}

TEST_F(FsBlobStoreTest, ListReturnsEveryCommittedIdAndIgnoresForeignFiles) {
  std::vector<BlobId> ids;
  for (int i = 0; i < 40; ++i) ids.push_back(put("blob " + std::to_string(i)));
  std::ofstream(root() / "blobs" / "00" / "notes.txt") << "x";
  std::ofstream(root() / "blobs" / "00" / "ffffffffffffffffffffffffffffffff") << "wrong fan-out directory";
  auto listed = store_->list();
  ASSERT_TRUE(listed.ok());
  EXPECT_THAT(*listed, UnorderedElementsAreArray(ids));
}

TEST_F(FsBlobStoreTest, RemoveTemporariesClearsLeftoversFromACrash) {
  std::ofstream(root() / "tmp" / "0123456789abcdef0123456789abcdef.tmp") << "half written";
  std::ofstream(root() / "tmp" / "fedcba9876543210fedcba9876543210.tmp") << "";
  BlobId committed = put("survives");
  auto removed = store_->remove_temporaries();
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 2u);
  EXPECT_EQ(count_entries(root() / "tmp"), 0u);
  EXPECT_THAT(*store_->list(), ElementsAre(committed));
  removed = store_->remove_temporaries();
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 0u);
}

TEST_F(FsBlobStoreTest, InvalidIdsNeverBecomePaths) {
  std::ofstream(root() / "secret") << "outside";
  for (const std::string& bad :
       {std::string("../../secret"), std::string("../secret"), std::string(""), std::string(31, 'a'),
        std::string(33, 'a'), std::string(32, 'A'), std::string("0123456789abcdef0123456789abcdeg"),
        std::string("0123456789abcdef/123456789abcdef"),
        std::string("0123456789abcdef\0"
                    "23456789abcdef",
                    32)}) {
    auto reader = store_->open(bad);
    ASSERT_FALSE(reader.ok()) << bad;
    EXPECT_EQ(reader.error().code, ErrorCode::InvalidArgument);
    auto removed = store_->remove(bad);
    ASSERT_FALSE(removed.ok()) << bad;
    EXPECT_EQ(removed.error().code, ErrorCode::InvalidArgument);
  }
  EXPECT_TRUE(fs::exists(root() / "secret"));
}

TEST_F(FsBlobStoreTest, OpeningAMissingBlobIsAnInternalError) {
  auto reader = store_->open(std::string(32, 'c'));
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.error().code, ErrorCode::InternalError);
  EXPECT_THAT(reader.error().message, ::testing::HasSubstr("No such file"));
}

TEST_F(FsBlobStoreTest, IdCollisionWithAPendingWriterPicksAnotherId) {
  ScriptedRandom scripted({0x11, 0x11, 0x22});
  auto store = open_fs_blob_store(root(), scripted);
  ASSERT_TRUE(store.ok());
  auto first = (*store)->create();
  ASSERT_TRUE(first.ok());
  auto second = (*store)->create();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*(*first)->commit(), std::string(32, '1'));
  EXPECT_EQ(*(*second)->commit(), std::string(32, '2'));
}

TEST_F(FsBlobStoreTest, ReaderStaysValidAfterRemove) {
  BlobId id = put("still readable");
  auto reader = store_->open(id);
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE(store_->remove(id).ok());
  EXPECT_EQ(read_all(**reader), "still readable");
}

TEST_F(FsBlobStoreTest, WriterMayOutliveItsStore) {
  auto writer = store_->create();
  ASSERT_TRUE(writer.ok());
  store_.reset();
  ASSERT_TRUE((*writer)->write(std::string_view("late")).ok());
  auto id = (*writer)->commit();
  ASSERT_TRUE(id.ok());
  EXPECT_TRUE(fs::exists(blob_path(*id)));
}

TEST(BlobIdTest, AcceptsExactly32LowerCaseHex) {
  EXPECT_TRUE(is_valid_blob_id("0123456789abcdef0123456789abcdef"));
  EXPECT_FALSE(is_valid_blob_id("0123456789ABCDEF0123456789abcdef"));
  EXPECT_FALSE(is_valid_blob_id("0123456789abcdef0123456789abcde"));
  EXPECT_FALSE(is_valid_blob_id("0123456789abcdef0123456789abcdef0"));
  EXPECT_FALSE(is_valid_blob_id("0123456789abcdef0123456789abcde."));
}

}  // namespace
}  // namespace ossd::blob
