#include "fileio/durable_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "temp_dir.hpp"

namespace ossd::fileio {
namespace {

namespace fs = std::filesystem;

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

unsigned mode_of(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st.st_mode & 07777;
}

// Restores the process umask when a test ends.
class PermissiveUmask {
 public:
  PermissiveUmask() : previous_(::umask(0)) {}
  ~PermissiveUmask() { ::umask(previous_); }

 private:
  mode_t previous_;
};

TEST(CreatePrivateFile, WritesTheContentWithMode0600WhateverTheUmask) {
  test::TempDir dir("fileio");
  PermissiveUmask umask;
  auto created = create_private_file(dir.path() / "key", "secret\n");
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_TRUE(*created);
  EXPECT_EQ(read_all(dir.path() / "key"), "secret\n");
  EXPECT_EQ(mode_of(dir.path() / "key"), 0600u);
}

TEST(CreatePrivateFile, LeavesAnExistingFileAloneAndSaysSo) {
  test::TempDir dir("fileio");
  ASSERT_TRUE(create_private_file(dir.path() / "key", "first"));
  auto again = create_private_file(dir.path() / "key", "second");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_FALSE(*again);
  EXPECT_EQ(read_all(dir.path() / "key"), "first");
}

TEST(CreatePrivateFile, NamesThePathWhenTheDirectoryIsMissing) {
  test::TempDir dir("fileio");
  auto created = create_private_file(dir.path() / "missing" / "key", "x");
  ASSERT_FALSE(created);
  EXPECT_NE(created.error().message.find((dir.path() / "missing" / "key").string()), std::string::npos)
      << created.error().message;
}

TEST(ReplacePrivateFile, ReplacesTheContentAndLeavesNoTemporaryFile) {
  test::TempDir dir("fileio");
  PermissiveUmask umask;
  ASSERT_TRUE(replace_private_file(dir.path() / "account.json", "old", ".tmp-1"));
  auto replaced = replace_private_file(dir.path() / "account.json", "new", ".tmp-2");
  ASSERT_TRUE(replaced) << replaced.error().message;
  EXPECT_EQ(read_all(dir.path() / "account.json"), "new");
  EXPECT_EQ(mode_of(dir.path() / "account.json"), 0600u);
  size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path())) ++entries;
  EXPECT_EQ(entries, 1u);
}

TEST(ReplacePrivateFile, RefusesToReuseAnExistingTemporaryName) {
  test::TempDir dir("fileio");
  std::ofstream(dir.path() / "account.json.tmp-1") << "someone else's";
  auto replaced = replace_private_file(dir.path() / "account.json", "new", ".tmp-1");
  ASSERT_FALSE(replaced);
  EXPECT_EQ(read_all(dir.path() / "account.json.tmp-1"), "someone else's");
  EXPECT_FALSE(fs::exists(dir.path() / "account.json"));
}

TEST(SyncDirectory, FailsClearlyOnAMissingDirectory) {
  test::TempDir dir("fileio");
  auto synced = sync_directory(dir.path() / "gone");
  ASSERT_FALSE(synced);
  EXPECT_NE(synced.error().message.find("gone"), std::string::npos);
}

}  // namespace
}  // namespace ossd::fileio
