#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "server/root_key.hpp"

namespace ossd::server {
namespace {

namespace fs = std::filesystem;

// Deterministic randomness so failures reproduce.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed) : engine_(seed) {}
  void fill(std::span<unsigned char> out) override {
    for (auto& b : out) b = static_cast<unsigned char>(engine_());
  }

 private:
  std::mt19937_64 engine_;
};

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool all_of(const std::string& s, std::string_view alphabet) {
  return s.find_first_not_of(alphabet) == std::string::npos;
}

constexpr std::string_view kAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

class RootKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::path(::testing::TempDir()) / ("ossd-rootkey-" + std::to_string(::getpid()) + "-" +
                                              ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    fs::create_directories(base_);
    dir_ = base_ / "nested" / "data";
  }
  void TearDown() override { fs::remove_all(base_); }

  fs::path file() const { return dir_ / kRootAccountFile; }

  fs::path base_, dir_;
  SeededRandom random_{42};
  const std::map<std::string, std::string> no_env_{};
};

TEST_F(RootKeyTest, GeneratesAndStoresAnAccountOnFirstStart) {
  auto a = load_or_create_root_account(dir_, no_env_, random_);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_TRUE(a->generated_now);
  ASSERT_EQ(a->account_id.size(), 16u);
  EXPECT_TRUE(all_of(a->account_id, "0123456789"));
  EXPECT_NE(a->account_id[0], '0');
  ASSERT_EQ(a->access_key_id.size(), 24u);
  EXPECT_EQ(a->access_key_id.substr(0, 4), "LTAI");
  EXPECT_TRUE(all_of(a->access_key_id, kAlnum));
  ASSERT_EQ(a->access_key_secret.size(), 30u);
  EXPECT_TRUE(all_of(a->access_key_secret, kAlnum));

  EXPECT_EQ(mode_of(dir_), 0700u);
  EXPECT_EQ(mode_of(file()), 0600u);
  std::string text = slurp(file());
  EXPECT_NE(text.find(a->access_key_secret), std::string::npos);
  EXPECT_NE(text.find(a->account_id), std::string::npos);
  // Only the file itself: no temporary left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(RootKeyTest, ReloadGivesTheSameAccount) {
  auto first = load_or_create_root_account(dir_, no_env_, random_);
  ASSERT_TRUE(first.ok());
  SeededRandom other(7);
  auto second = load_or_create_root_account(dir_, no_env_, other);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_FALSE(second->generated_now);
  EXPECT_EQ(second->account_id, first->account_id);
  EXPECT_EQ(second->access_key_id, first->access_key_id);
  EXPECT_EQ(second->access_key_secret, first->access_key_secret);
}

TEST_F(RootKeyTest, DifferentRandomnessGivesDifferentKeys) {
  auto a = load_or_create_root_account(base_ / "a", no_env_, random_);
  SeededRandom other(43);
  auto b = load_or_create_root_account(base_ / "b", no_env_, other);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->access_key_id, b->access_key_id);
  EXPECT_NE(a->access_key_secret, b->access_key_secret);
  EXPECT_NE(a->account_id, b->account_id);
}

TEST_F(RootKeyTest, EnvironmentKeysWinOverTheFile) {
  auto stored = load_or_create_root_account(dir_, no_env_, random_);
  ASSERT_TRUE(stored.ok());
  std::string before = slurp(file());
  std::map<std::string, std::string> env{{"OSSD_ROOT_ACCESS_KEY_ID", "LTAI5tTestAccessKeyId"},
                                         {"OSSD_ROOT_ACCESS_KEY_SECRET", "TestSecretKey0123456789abcdefghij"}};
  auto a = load_or_create_root_account(dir_, env, random_);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->access_key_id, "LTAI5tTestAccessKeyId");
  EXPECT_EQ(a->access_key_secret, "TestSecretKey0123456789abcdefghij");
  EXPECT_EQ(a->account_id, stored->account_id);  // stable across the switch
  EXPECT_FALSE(a->generated_now);
  EXPECT_EQ(slurp(file()), before);
}

TEST_F(RootKeyTest, EnvironmentKeysAreNeverWrittenButTheAccountIdIs) {
  std::map<std::string, std::string> env{{"OSSD_ROOT_ACCESS_KEY_ID", "LTAI5tTestAccessKeyId"},
                                         {"OSSD_ROOT_ACCESS_KEY_SECRET", "TestSecretKey0123456789abcdefghij"}};
  auto a = load_or_create_root_account(dir_, env, random_);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_FALSE(a->generated_now);
  ASSERT_TRUE(fs::exists(file()));
  EXPECT_EQ(mode_of(file()), 0600u);
  std::string text = slurp(file());
  EXPECT_EQ(text.find("TestSecretKey"), std::string::npos);
  EXPECT_EQ(text.find("LTAI5tTestAccessKeyId"), std::string::npos);
  EXPECT_NE(text.find(a->account_id), std::string::npos);

  auto again = load_or_create_root_account(dir_, env, random_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->account_id, a->account_id);

  // Later without the variables: keys are generated, the account id stays.
  auto own = load_or_create_root_account(dir_, no_env_, random_);
  ASSERT_TRUE(own.ok()) << own.error().message;
  EXPECT_TRUE(own->generated_now);
  EXPECT_EQ(own->account_id, a->account_id);
  EXPECT_NE(own->access_key_id, "LTAI5tTestAccessKeyId");
}

TEST_F(RootKeyTest, AccountIdFromTheEnvironment) {
  std::map<std::string, std::string> env{{"OSSD_ROOT_ACCOUNT_ID", "1234567890123456"}};
  auto a = load_or_create_root_account(dir_, env, random_);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->account_id, "1234567890123456");
  auto b = load_or_create_root_account(dir_, no_env_, random_);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->account_id, "1234567890123456");  // persisted on first start
  EXPECT_EQ(b->access_key_id, a->access_key_id);

  env["OSSD_ROOT_ACCOUNT_ID"] = "12345";
  EXPECT_FALSE(load_or_create_root_account(dir_, env, random_).ok());
}

TEST_F(RootKeyTest, OnlyOneEnvironmentKeyIsAnError) {
  for (const char* name : {"OSSD_ROOT_ACCESS_KEY_ID", "OSSD_ROOT_ACCESS_KEY_SECRET"}) {
    std::map<std::string, std::string> env{{name, "value"}};
    auto a = load_or_create_root_account(dir_, env, random_);
    ASSERT_FALSE(a.ok()) << name;
    EXPECT_NE(a.error().message.find("together"), std::string::npos);
  }
  EXPECT_FALSE(fs::exists(file()));
}

TEST_F(RootKeyTest, FileReadableByOthersIsRefused) {
  ASSERT_TRUE(load_or_create_root_account(dir_, no_env_, random_).ok());
  for (auto mode : {fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read,
                    fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read,
                    fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_write}) {
    fs::permissions(file(), mode, fs::perm_options::replace);
    auto a = load_or_create_root_account(dir_, no_env_, random_);
    ASSERT_FALSE(a.ok());
    EXPECT_NE(a.error().message.find("chmod 600"), std::string::npos) << a.error().message;
  }
  fs::permissions(file(), fs::perms::owner_read, fs::perm_options::replace);  // 0400 is fine
  EXPECT_TRUE(load_or_create_root_account(dir_, no_env_, random_).ok());
}

TEST_F(RootKeyTest, MalformedFilesAreRefused) {
  fs::create_directories(dir_);
  for (const char* text :
       {"not json", "[]", "{}", R"({"account_id": 1234567890123456})", R"({"account_id": "123"})",
        R"({"account_id": "123456789012345x"})", R"({"account_id": "1234567890123456", "access_key_id": "LTAIx"})"}) {
    { std::ofstream(file()) << text; }
    fs::permissions(file(), fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
    auto a = load_or_create_root_account(dir_, no_env_, random_);
    EXPECT_FALSE(a.ok()) << text;
    EXPECT_EQ(slurp(file()), text);  // never overwritten when unreadable
  }
}

TEST_F(RootKeyTest, ExistingDataDirKeepsItsMode) {
  fs::create_directories(dir_);
  fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec,
                  fs::perm_options::replace);
  ASSERT_TRUE(load_or_create_root_account(dir_, no_env_, random_).ok());
  EXPECT_EQ(mode_of(dir_), 0750u);
  EXPECT_EQ(mode_of(file()), 0600u);
}

TEST_F(RootKeyTest, DataDirThatIsAFileIsAnError) {
  fs::create_directories(dir_.parent_path());
  std::ofstream(dir_) << "x";
  EXPECT_FALSE(load_or_create_root_account(dir_, no_env_, random_).ok());
}

TEST_F(RootKeyTest, GeneratedCharactersCoverTheAlphabet) {
  // Rejection sampling keeps every character possible; with 40 accounts
  // (2000 characters) all 62 appear unless the mapping is broken.
  std::string seen;
  for (int i = 0; i < 40; ++i) {
    auto a = load_or_create_root_account(base_ / std::to_string(i), no_env_, random_);
    ASSERT_TRUE(a.ok());
    seen += a->access_key_id.substr(4) + a->access_key_secret;
  }
  for (char c : kAlnum) EXPECT_NE(seen.find(c), std::string::npos) << c;
}

}  // namespace
}  // namespace ossd::server
