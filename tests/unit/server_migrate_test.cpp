// `ossd migrate` as the command runs it (server/migrate_command.hpp): the
// subcommand's flags, and whole runs between SQLite data directories (the
// PostgreSQL directions are covered by service_migration_test.cpp and
// tests/integration/migrate.test.mjs).
#include "server/migrate_command.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/secure_random.hpp"
#include "iam/master_key.hpp"
#include "meta/sqlite_identity_store.hpp"
#include "meta/sqlite_store.hpp"
#include "server/config.hpp"
#include "server/root_key.hpp"
#include "temp_dir.hpp"

namespace ossd::server {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

Result<ServerConfig> parse(std::vector<const char*> args) {
  args.insert(args.begin(), "ossd");
  return parse_config(static_cast<int>(args.size()), args.data());
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

class MigrateFlagsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v :
         {"OSSD_CONFIG", "OSSD_DATA_DIR", "OSSD_META", "OSSD_BLOB", "OSSD_MIGRATE_TO_META", "OSSD_MIGRATE_TO_BLOB"}) {
      ::unsetenv(v);
    }
  }
};

TEST_F(MigrateFlagsTest, SubcommandTakesTheSourceFromTheMainFlagsAndTheTargetFromItsOwn) {
  auto config = parse({"migrate", "--data-dir", "/srv/old", "--meta", "sqlite", "--to-data-dir", "/srv/new",
                       "--to-meta", "postgres://ossd:pw@127.0.0.1/ossd", "--to-blob", "fs:/mnt/blobs"});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_TRUE(config->migrate);
  EXPECT_FALSE(config->migrate_verify_only);
  EXPECT_EQ(config->data_dir, fs::path("/srv/old"));
  EXPECT_EQ(config->meta, "sqlite");
  EXPECT_EQ(config->migrate_to_data_dir, fs::path("/srv/new"));
  EXPECT_EQ(config->migrate_to_meta, "postgres://ossd:pw@127.0.0.1/ossd");
  EXPECT_EQ(config->migrate_to_blob, "fs:/mnt/blobs");

  auto plain = parse({"--data-dir", "/srv/old"});
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->migrate);
}

TEST_F(MigrateFlagsTest, TargetMetaMayComeFromTheEnvironment) {
  ::setenv("OSSD_MIGRATE_TO_META", "pg:host=db password=pw", 1);
  auto config = parse({"migrate", "--to-data-dir", "/srv/new", "--verify-only"});
  ::unsetenv("OSSD_MIGRATE_TO_META");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->migrate_to_meta, "pg:host=db password=pw");
  EXPECT_TRUE(config->migrate_verify_only);
}

TEST_F(MigrateFlagsTest, RefusesAMissingTargetAndBadSpecsWithoutEchoingPasswords) {
  auto missing = parse({"migrate", "--data-dir", "/srv/old"});
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error().message, HasSubstr("--to-data-dir"));

  auto bad_meta = parse({"migrate", "--to-data-dir", "/srv/new", "--to-meta", "pg:password=hunter2 oops"});
  ASSERT_FALSE(bad_meta.ok());
  EXPECT_THAT(bad_meta.error().message, HasSubstr("--to-meta"));
  EXPECT_THAT(bad_meta.error().message, Not(HasSubstr("hunter2")));
  EXPECT_NE(config_exit_code(bad_meta.error()), 0);

  auto bad_blob = parse({"migrate", "--to-data-dir", "/srv/new", "--to-blob", "s3:bucket"});
  ASSERT_FALSE(bad_blob.ok());
  EXPECT_THAT(bad_blob.error().message, HasSubstr("--to-blob"));
}

// Whole runs of the command between two SQLite data directories.
class MigrateRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = dir_.path() / "source";
    target_ = dir_.path() / "target";
    fs::create_directories(source_);
    ASSERT_TRUE(iam::load_or_create_master_key(source_ / iam::kMasterKeyFile, true, random_).ok());
    ASSERT_TRUE(load_or_create_root_account(source_, {}, random_).ok());
    auto metadata = meta::open_sqlite_store(source_ / "meta.db");
    ASSERT_TRUE(metadata.ok());
    ASSERT_TRUE((*metadata)->create_bucket({"kept", "1234567890123456", "private", "Standard", "r", 42}).ok());
    auto identity = meta::open_sqlite_identity_store(source_ / "identity.db");
    ASSERT_TRUE(identity.ok());
    ASSERT_TRUE((*identity)->create_user({"1", "ram-user", "", "", 1, 1}).ok());
    config_.data_dir = source_;
    config_.migrate = true;
    config_.migrate_to_data_dir = target_;
  }

  // The exit code; what went to `out` in output_, to stderr in errors_.
  int run() {
    std::FILE* out = std::tmpfile();
    ::testing::internal::CaptureStderr();
    const int code = run_migrate(config_, open_blob_store_by_spec, random_, out);
    errors_ = ::testing::internal::GetCapturedStderr();
    std::rewind(out);
    output_.clear();
    char buffer[4096];
    for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, out)) > 0;) output_.append(buffer, n);
    std::fclose(out);
    return code;
  }

  crypto::SecureRandom random_;
  ossd::test::TempDir dir_{"ossd-migrate-run"};
  fs::path source_;
  fs::path target_;
  ServerConfig config_;
  std::string output_;
  std::string errors_;
};

TEST_F(MigrateRunTest, CopiesVerifiesAndCarriesTheAccountFiles) {
  ASSERT_EQ(run(), 0) << output_ << errors_;
  EXPECT_THAT(output_, HasSubstr("copied: buckets 1 (0 settings)"));
  EXPECT_THAT(output_, HasSubstr("users 1"));
  EXPECT_THAT(output_, HasSubstr("migration verified"));
  EXPECT_EQ(read_file(target_ / iam::kMasterKeyFile), read_file(source_ / iam::kMasterKeyFile));
  EXPECT_EQ(read_file(target_ / kRootAccountFile), read_file(source_ / kRootAccountFile));
  EXPECT_EQ(fs::status(target_ / iam::kMasterKeyFile).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);

  auto copied = meta::open_sqlite_store(target_ / "meta.db");
  ASSERT_TRUE(copied.ok());
  auto bucket = (*copied)->get_bucket("kept");
  ASSERT_TRUE(bucket.ok());
  EXPECT_EQ(bucket->created_ms, 42);

  // Verifying again finds nothing; copying again is refused.
  config_.migrate_verify_only = true;
  EXPECT_EQ(run(), 0) << output_ << errors_;
  config_.migrate_verify_only = false;
  EXPECT_EQ(run(), 1);
  EXPECT_THAT(errors_, HasSubstr("the target is not empty (it holds bucket kept, user ram-user"));
}

TEST_F(MigrateRunTest, RefusesATargetWithAnotherMasterKey) {
  fs::create_directories(target_);
  ASSERT_TRUE(iam::load_or_create_master_key(target_ / iam::kMasterKeyFile, true, random_).ok());
  EXPECT_EQ(run(), 1);
  EXPECT_THAT(errors_, HasSubstr("already has a different master key"));
}

TEST_F(MigrateRunTest, RefusesAMissingSourceAndTheSourceAsItsOwnTarget) {
  config_.data_dir = dir_.path() / "absent";
  EXPECT_EQ(run(), 1);
  EXPECT_THAT(errors_, HasSubstr("does not exist"));
  EXPECT_FALSE(fs::exists(dir_.path() / "absent"));

  config_.data_dir = source_;
  config_.migrate_to_data_dir = source_;
  EXPECT_EQ(run(), 1);
  EXPECT_THAT(errors_, HasSubstr("the source and the target are the same metadata store"));
}

TEST_F(MigrateRunTest, VerifyOnlyAgainstAnEmptyTargetReportsMismatches) {
  config_.migrate_verify_only = true;
  EXPECT_EQ(run(), 1);
  EXPECT_THAT(output_, HasSubstr("MISMATCH bucket kept is missing from the target"));
  EXPECT_THAT(output_, HasSubstr("MISMATCH user ram-user is missing from the target"));
  EXPECT_THAT(errors_, HasSubstr("mismatches between the source and the target"));
}

}  // namespace
}  // namespace ossd::server
