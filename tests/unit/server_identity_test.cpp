// The identity side of the composition root: the new flags, and open_identity
// building the store, master key and key ring that survive a restart.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "auth/session_token.hpp"
#include "core/clock.hpp"
#include "crypto/secure_random.hpp"
#include "server/config.hpp"
#include "server/identity_setup.hpp"
#include "server/offset_clock.hpp"

namespace ossd::server {
namespace {

namespace fs = std::filesystem;

class IdentityConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"OSSD_CONFIG", "OSSD_MASTER_KEY_FILE", "OSSD_STS_ADDRESS", "OSSD_TEST_CLOCK_OFFSET"}) {
      ::unsetenv(name);
    }
  }
  void TearDown() override { SetUp(); }

  static Result<ServerConfig> parse(std::vector<const char*> args) {
    args.insert(args.begin(), "ossd");
    return parse_config(static_cast<int>(args.size()), args.data());
  }
};

TEST_F(IdentityConfigTest, DefaultsAreOff) {
  auto c = parse({});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE(c->master_key_file.empty());
  EXPECT_TRUE(c->sts_address.empty());
  EXPECT_EQ(c->test_clock_offset, 0);
  EXPECT_FALSE(c->rotate_sts_key);
}

TEST_F(IdentityConfigTest, FlagsAndEnvironment) {
  auto c = parse({"--sts-address", "127.0.0.1:9001", "--master-key-file", "/k", "--test-clock-offset", "-60"});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->sts_address, "127.0.0.1:9001");
  EXPECT_EQ(c->master_key_file, "/k");
  EXPECT_EQ(c->test_clock_offset, -60);
  ::setenv("OSSD_TEST_CLOCK_OFFSET", "1000", 1);
  ::setenv("OSSD_STS_ADDRESS", "[::1]:9002", 1);
  auto e = parse({});
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->test_clock_offset, 1000);
  EXPECT_EQ(e->sts_address, "[::1]:9002");
}

TEST_F(IdentityConfigTest, BadValuesAreRefused) {
  EXPECT_FALSE(parse({"--sts-address", "nowhere"}));
  EXPECT_FALSE(parse({"--test-clock-offset", "soon"}));
  EXPECT_FALSE(parse({"--test-clock-offset", "999999999999"}));
}

TEST_F(IdentityConfigTest, RotateStsKeySubcommandOnEitherSideOfTheOptions) {
  auto before = parse({"rotate-sts-key", "--data-dir", "/d"});
  ASSERT_TRUE(before) << before.error().message;
  EXPECT_TRUE(before->rotate_sts_key);
  EXPECT_EQ(before->data_dir, "/d");
  auto after = parse({"--data-dir", "/d", "rotate-sts-key"});
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_TRUE(after->rotate_sts_key);
}

TEST(OffsetClock, ShiftsTheBaseClock) {
  struct Fixed final : Clock {
    SystemTime now() const override { return from_unix_seconds(1000); }
  } base;
  EXPECT_EQ(OffsetClock(base, std::chrono::seconds(500)).now(), from_unix_seconds(1500));
  EXPECT_EQ(OffsetClock(base, std::chrono::seconds(-500)).now(), from_unix_seconds(500));
}

class OpenIdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::path(::testing::TempDir()) / "ossd-ident-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  crypto::SecureRandom random_;
  SystemClock clock_;
  RootAccount root_{"1234567890123456", "LTAI5tTestRootKeyId00", "TestRootSecret0123456789abcdefghij", false};
};

TEST_F(OpenIdentityTest, CreatesTheKeyAndStoreAndWiresTheServices) {
  auto parts = open_identity({dir_, ""}, root_, random_, clock_);
  ASSERT_TRUE(parts) << parts.error().message;
  EXPECT_TRUE(fs::exists(dir_ / "master.key"));
  EXPECT_TRUE(fs::exists(dir_ / kIdentityDbFile));
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "master.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto root = parts.value()->credentials->find(root_.access_key_id);
  ASSERT_TRUE(root);
  EXPECT_EQ(root->secret, root_.access_key_secret);
  EXPECT_EQ(root->kind, auth::PrincipalKind::Account);
  ASSERT_TRUE(parts.value()->keys->ring());
  EXPECT_EQ(parts.value()->keys->ring()->keys.size(), 1u);
  EXPECT_TRUE(parts.value()->authorizer && parts.value()->identity && parts.value()->sts && parts.value()->nonces);
}

TEST_F(OpenIdentityTest, ARestartKeepsTheRingAndARotationAddsToIt) {
  std::string first_key;
  {
    auto parts = open_identity({dir_, ""}, root_, random_, clock_);
    ASSERT_TRUE(parts);
    first_key = parts.value()->keys->ring()->current_id;
  }
  auto rotated = rotate_sts_key({dir_, ""}, random_, clock_);
  ASSERT_TRUE(rotated) << rotated.error().message;
  auto parts = open_identity({dir_, ""}, root_, random_, clock_);
  ASSERT_TRUE(parts);
  const auto ring = parts.value()->keys->ring();
  EXPECT_EQ(ring->keys.size(), 2u);
  EXPECT_EQ(ring->current_id, rotated.value());
  EXPECT_NE(ring->find(first_key), nullptr);
}

TEST_F(OpenIdentityTest, AnExplicitKeyFileMustExistAndMatchTheStore) {
  EXPECT_FALSE(open_identity({dir_, dir_ / "absent.key"}, root_, random_, clock_));
  ASSERT_TRUE(open_identity({dir_, ""}, root_, random_, clock_));  // store sealed under master.key
  const fs::path other = dir_ / "other.key";
  {
    std::ofstream out(other);
    out << std::string(64, 'b') << "\n";
  }
  fs::permissions(other, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  auto wrong = open_identity({dir_, other}, root_, random_, clock_);
  EXPECT_FALSE(wrong) << "the ring does not open under another master key";
}

TEST(DescribeIdentityStoreTest, NamesTheSqliteFileOrTheRedactedDatabase) {
  EXPECT_EQ(describe_identity_store({"/d", "", {}}), "sqlite /d/identity.db");
  const IdentitySettings pg{"/d", "", {MetadataBackend::Postgres, "postgres://ossd:s3cret-pw@db.example:5432/meta"}};
  EXPECT_EQ(describe_identity_store(pg), "postgresql postgres://ossd:***@db.example:5432/meta");
}

// On PostgreSQL metadata the identity store is that database, never
// identity.db: an unreachable database fails the start-up (naming the store
// without its password) instead of falling back to a private SQLite file.
TEST_F(OpenIdentityTest, PostgresMetadataMeansThePostgresIdentityStore) {
  const std::string conninfo = "postgres://ossd:s3cret-pw@127.0.0.1:1/postgres?connect_timeout=2";
  const IdentitySettings settings{dir_, "", {MetadataBackend::Postgres, conninfo}};
  auto parts = open_identity(settings, root_, random_, clock_);
  ASSERT_FALSE(parts);
  EXPECT_EQ(parts.error().code, ErrorCode::ServiceUnavailable) << parts.error().message;
  EXPECT_NE(parts.error().message.find("postgres://ossd:***@127.0.0.1:1/postgres"), std::string::npos)
      << parts.error().message;
  EXPECT_EQ(parts.error().message.find("s3cret-pw"), std::string::npos) << parts.error().message;
  EXPECT_FALSE(fs::exists(dir_ / kIdentityDbFile));

  auto rotated = rotate_sts_key(settings, random_, clock_);
  ASSERT_FALSE(rotated);
  EXPECT_FALSE(fs::exists(dir_ / kIdentityDbFile));
}

}  // namespace
}  // namespace ossd::server
