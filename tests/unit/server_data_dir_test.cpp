#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "server/data_dir.hpp"

namespace ossd::server {
namespace {

namespace fs = std::filesystem;

class DataDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::path(::testing::TempDir()) / ("ossd-datadir-" + std::to_string(::getpid()) + "-" +
                                              ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    fs::create_directories(base_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(base_ / "locked", fs::perms::owner_all, fs::perm_options::replace, ec);
    fs::remove_all(base_);
  }

  static unsigned mode_of(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 07777;
  }

  fs::path base_;
};

TEST_F(DataDirTest, AcceptsAnExistingWritableDirectoryAndLeavesNoProbe) {
  ASSERT_TRUE(check_data_dir(base_).ok());
  EXPECT_TRUE(fs::is_empty(base_));
}

TEST_F(DataDirTest, CreatesAMissingDirectoryWhoseParentExists) {
  const fs::path dir = base_ / "data";
  auto st = check_data_dir(dir);
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_TRUE(fs::is_directory(dir));
  EXPECT_EQ(mode_of(dir), 0700u);
  EXPECT_TRUE(fs::is_empty(dir));
}

TEST_F(DataDirTest, RefusesAMissingParentAndCreatesNothing) {
  for (const fs::path& dir : {base_ / "unmounted" / "data", base_ / "unmounted" / "data" / ""}) {
    auto st = check_data_dir(dir);
    ASSERT_FALSE(st.ok()) << dir;
    EXPECT_NE(st.error().message.find(dir.string()), std::string::npos) << st.error().message;
    EXPECT_NE(st.error().message.find("does not exist and neither does its parent " + (base_ / "unmounted").string()),
              std::string::npos)
        << st.error().message;
    EXPECT_FALSE(fs::exists(base_ / "unmounted"));
  }
}

TEST_F(DataDirTest, RefusesARegularFileAndAPathBelowOne) {
  const fs::path file = base_ / "file";
  std::ofstream(file) << "not a directory";
  auto st = check_data_dir(file);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message, "data dir " + file.string() + " is not a directory");
  auto below = check_data_dir(file / "data");
  ASSERT_FALSE(below.ok());
  EXPECT_NE(below.error().message.find((file / "data").string()), std::string::npos);
  EXPECT_NE(below.error().message.find("Not a directory"), std::string::npos) << below.error().message;
}

TEST_F(DataDirTest, RefusesADirectoryWithoutWritePermission) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores permission bits (tests/faults covers it with a read-only mount)";
  const fs::path dir = base_ / "locked";
  fs::create_directory(dir);
  fs::permissions(dir, fs::perms::owner_read | fs::perms::owner_exec, fs::perm_options::replace);
  auto st = check_data_dir(dir);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message, "data dir " + dir.string() + " is not writable: Permission denied");
}

}  // namespace
}  // namespace ossd::server
