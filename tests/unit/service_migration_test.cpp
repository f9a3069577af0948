// The copy core of `ossd migrate` (service/migration.hpp), on real stores:
// SQLite and PostgreSQL metadata and identity stores (the latter on the
// binary's throwaway cluster, pg_test_cluster.hpp) and filesystem blob stores,
// in every direction the command is used for.
#include "service/migration.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "blob/fs_blob_store.hpp"
#include "core/strings.hpp"
#include "crypto/hash.hpp"
#include "crypto/secure_random.hpp"
#include "meta/pg_identity_store.hpp"
#include "meta/pg_store.hpp"
#include "meta/sqlite_identity_store.hpp"
#include "meta/sqlite_store.hpp"
#include "pg_test_cluster.hpp"
#include "store_test_support.hpp"
#include "temp_dir.hpp"

namespace ossd::service {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// One deployment's stores, opened under a directory of its own.
struct Stores {
  std::unique_ptr<meta::MetadataStore> metadata;
  std::unique_ptr<meta::IdentityStore> identity;
  std::unique_ptr<blob::BlobStore> blobs;
  Deployment deployment() { return {*metadata, *identity, *blobs}; }
};

struct Backend {
  std::string name;
  bool postgres = false;
};

struct Direction {
  Backend from;
  Backend to;
};

void PrintTo(const Direction& d, std::ostream* out) { *out << d.from.name << "To" << d.to.name; }

class MigrationTest : public ::testing::TestWithParam<Direction> {
 protected:
  void SetUp() override {
    if (GetParam().from.postgres || GetParam().to.postgres) {
      if (auto why = ossd::test::postgres_skip_reason()) GTEST_SKIP() << *why;
    }
    source_ = open(GetParam().from, source_dir_.path());
    target_ = open(GetParam().to, target_dir_.path());
  }

  Stores open(const Backend& backend, const fs::path& dir) {
    Stores stores;
    if (backend.postgres) {
      auto conninfo = ossd::test::pg_test_conninfo_for(dir);
      EXPECT_TRUE(conninfo.ok()) << conninfo.error().message;
      auto metadata = meta::open_pg_metadata_store(*conninfo);
      EXPECT_TRUE(metadata.ok()) << metadata.error().message;
      stores.metadata = std::move(metadata).value();
      auto identity = meta::open_pg_identity_store(*conninfo);
      EXPECT_TRUE(identity.ok()) << identity.error().message;
      stores.identity = std::move(identity).value();
    } else {
      auto metadata = meta::open_sqlite_store(dir / "meta.db");
      EXPECT_TRUE(metadata.ok()) << metadata.error().message;
      stores.metadata = std::move(metadata).value();
      auto identity = meta::open_sqlite_identity_store(dir / "identity.db");
      EXPECT_TRUE(identity.ok()) << identity.error().message;
      stores.identity = std::move(identity).value();
    }
    auto blobs = blob::open_fs_blob_store(dir / "objects", random_);
    EXPECT_TRUE(blobs.ok()) << blobs.error().message;
    stores.blobs = std::move(blobs).value();
    return stores;
  }

  static std::string write_blob(blob::BlobStore& store, const std::string& bytes) {
    auto writer = store.create();
    EXPECT_TRUE(writer.ok());
    EXPECT_TRUE((*writer)->write(bytes).ok());
    auto id = (*writer)->commit();
    EXPECT_TRUE(id.ok());
    return *id;
  }

  static std::string read_blobs(blob::BlobStore& store, const meta::ObjectRecord& o) {
    std::string bytes;
    for (const auto& segment : o.segments) {
      auto reader = store.open(segment.blob_id);
      EXPECT_TRUE(reader.ok()) << reader.error().message;
      std::string chunk((*reader)->size(), '\0');
      auto got = (*reader)->read_at(0, chunk);
      EXPECT_TRUE(got.ok());
      chunk.resize(*got);
      bytes += chunk;
    }
    return bytes;
  }

  static std::string md5_etag(const std::string& bytes) { return hex_upper(crypto::md5(bytes)); }

  meta::ObjectRecord simple_object(const std::string& bucket, const std::string& key, const std::string& bytes) {
    meta::ObjectRecord o;
    o.bucket = bucket;
    o.key = key;
    o.size = bytes.size();
    o.etag = md5_etag(bytes);
    o.crc64 = 0x8000000000000001ULL;
    o.last_modified_ms = 1600000000123;
    o.content_type = "text/plain";
    if (!bytes.empty()) o.segments.push_back({write_blob(*source_.blobs, bytes), bytes.size()});
    return o;
  }

  // A deployment with one of everything the stores can hold.
  void fill_source() {
    meta::MetadataStore& m = *source_.metadata;
    ASSERT_OK(m.create_bucket({"photos", "1111222233334444", "public-read", "IA", "oss-cn-shanghai", 1500000000001}));
    ASSERT_OK(m.create_bucket({"other-owner", "9999", "private", "Standard", "oss-cn-hangzhou", 1500000000002}));
    ASSERT_OK(m.set_bucket_config("photos", "cors", std::string("<CORSConfiguration><CORSRule/></CORSConfiguration>")));
    ASSERT_OK(m.set_bucket_config("photos", "policy", std::string(R"({"Version":"1","Statement":[]})")));
    ASSERT_OK(m.set_bucket_config("photos", "style:thumb", std::string("image/resize,w_100")));

    meta::ObjectRecord described = simple_object("photos", "dir/\xC3\xA9t\xC3\xA9 +%?#.txt", "hello, migration");
    described.acl = "public-read";
    described.storage_class = "IA";
    described.content_type = "text/markdown; charset=utf-8";
    described.headers = {{"Cache-Control", "no-cache"}, {"Content-Disposition", "attachment"}};
    described.user_meta = {{"author", "\xE5\xBC\xA0\xE4\xB8\x89"}, {"empty", ""}};
    described.tags = {{"z", "1"}, {"a", "2"}};
    ASSERT_OK(m.put_object(described, {}));
    ASSERT_OK(m.put_object(simple_object("photos", "empty", ""), {}));

    // Two objects on one blob (as a copy leaves them): copied once, still shared.
    meta::ObjectRecord original = simple_object("photos", "shared/a", std::string(3 << 20, 'x'));
    meta::ObjectRecord copy = original;
    copy.key = "shared/b";
    ASSERT_OK(m.put_object(original, {}));
    ASSERT_OK(m.put_object(copy, {}));

    meta::ObjectRecord multipart;
    multipart.bucket = "other-owner";
    multipart.key = "big";
    multipart.object_type = "Multipart";
    multipart.etag = "0123456789ABCDEF0123456789ABCDEF-2";
    multipart.last_modified_ms = 1600000000999;
    for (std::string part : {"first part ", "second part"}) {
      multipart.segments.push_back({write_blob(*source_.blobs, part), part.size()});
      multipart.size += part.size();
    }
    ASSERT_OK(m.put_object(multipart, {}));

    meta::UploadRecord upload;
    upload.upload_id = "0004B9894A22E5B1888A1E29F8236E2D";
    upload.bucket = "photos";
    upload.key = "in progress";
    upload.initiated_ms = 1600000001000;
    upload.object.bucket = "photos";
    upload.object.key = "in progress";
    upload.object.content_type = "video/mp4";
    upload.object.user_meta = {{"origin", "multipart"}};
    upload.object.acl = "private";
    ASSERT_OK(m.create_upload(upload));
    for (uint32_t number : {1u, 3u}) {
      const std::string bytes = "part number " + std::to_string(number);
      meta::PartRecord part;
      part.part_number = number;
      part.md5_hex = hex_lower(crypto::md5(bytes));
      part.etag = md5_etag(bytes);
      part.crc64 = 0xF00000000000000FULL + number;
      part.size = bytes.size();
      part.last_modified_ms = 1600000002000 + number;
      part.blob_id = write_blob(*source_.blobs, bytes);
      ASSERT_OK(m.put_part(upload.upload_id, part));
    }

    meta::IdentityStore& id = *source_.identity;
    ASSERT_OK(id.create_user({"20000000000000001", "alice", "Alice", "first", 1400000000001, 1400000000002}));
    ASSERT_OK(id.create_user({"20000000000000002", "bob", "", "", 1400000000003, 1400000000003}));
    ASSERT_OK(id.create_access_key({"LTAIalice1", "alice", "sealed-secret-1", "Active", 1400000000010}, 2));
    ASSERT_OK(id.create_access_key({"LTAIalice2", "alice", "sealed-secret-2", "Inactive", 1400000000011}, 2));
    ASSERT_OK(id.create_group({"30000000000000001", "readers", "who reads", 1400000000020, 1400000000021}));
    ASSERT_OK(id.add_user_to_group("alice", "readers"));
    ASSERT_OK(id.add_user_to_group("bob", "readers"));
    ASSERT_OK(id.create_role(
        {"40000000000000001", "uploader", "uploads", R"({"Statement":[]})", 7200, 1400000000030, 1400000000031}));
    meta::PolicyRecord policy;
    policy.name = "read-photos";
    policy.description = "reads";
    policy.document = R"({"v":1})";
    policy.created_ms = 1400000000040;
    policy.updated_ms = 1400000000040;
    ASSERT_OK(id.create_policy(policy));
    ASSERT_OK(id.create_policy_version("read-photos", {"v2", R"({"v":2})", false, 1400000000041}, true));
    ASSERT_OK(id.create_policy_version("read-photos", {"v3", R"({"v":3})", false, 1400000000042}, false));
    ASSERT_OK(id.attach_policy({"read-photos", "Custom", "User", "alice", 1400000000050}));
    ASSERT_OK(id.attach_policy({"read-photos", "Custom", "Group", "readers", 1400000000051}));
    ASSERT_OK(id.attach_policy({"AliyunOSSFullAccess", "System", "Role", "uploader", 1400000000052}));
    ASSERT_OK(id.add_token_key({"k1", "sealed-token-key-1", 1400000000060}));
    ASSERT_OK(id.add_token_key({"k2", "sealed-token-key-2", 1400000000061}));
  }

  crypto::SecureRandom random_;
  ossd::test::TempDir source_dir_{"ossd-migrate-source"};
  ossd::test::TempDir target_dir_{"ossd-migrate-target"};
  Stores source_;
  Stores target_;
};

TEST_P(MigrationTest, CopiesEverythingAndVerifiesClean) {
  fill_source();
  Deployment from = source_.deployment();
  Deployment to = target_.deployment();
  ASSERT_OK(check_target_empty(to));

  auto copied = copy_deployment(from, to);
  ASSERT_OK(copied);
  EXPECT_EQ(copied->buckets, 2u);
  EXPECT_EQ(copied->bucket_configs, 3u);
  EXPECT_EQ(copied->objects, 5u);
  EXPECT_EQ(copied->object_bytes, 16u + 0u + 2 * (3u << 20) + 22u);
  EXPECT_EQ(copied->uploads, 1u);
  EXPECT_EQ(copied->parts, 2u);
  EXPECT_EQ(copied->blobs, 1u + 1u + 2u + 2u);  // the shared blob once
  EXPECT_EQ(copied->users, 2u);
  EXPECT_EQ(copied->access_keys, 2u);
  EXPECT_EQ(copied->groups, 1u);
  EXPECT_EQ(copied->group_memberships, 2u);
  EXPECT_EQ(copied->roles, 1u);
  EXPECT_EQ(copied->policies, 1u);
  EXPECT_EQ(copied->policy_versions, 3u);
  EXPECT_EQ(copied->attachments, 3u);
  EXPECT_EQ(copied->token_keys, 2u);

  auto report = verify_deployment(from, to);
  ASSERT_OK(report);
  EXPECT_THAT(report->mismatches, IsEmpty());
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->source, *copied);
  EXPECT_EQ(report->target, *copied);

  // Spot checks through the target's own interfaces, independent of verify.
  auto object = target_.metadata->get_object("photos", "dir/\xC3\xA9t\xC3\xA9 +%?#.txt");
  ASSERT_OK(object);
  EXPECT_EQ(object->last_modified_ms, 1600000000123);
  EXPECT_EQ(object->user_meta, (meta::Pairs{{"author", "\xE5\xBC\xA0\xE4\xB8\x89"}, {"empty", ""}}));
  ASSERT_NE(object->segments[0].blob_id, "");
  EXPECT_EQ(read_blobs(*target_.blobs, *object), "hello, migration");
  auto a = target_.metadata->get_object("photos", "shared/a");
  auto b = target_.metadata->get_object("photos", "shared/b");
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_EQ(a->segments[0].blob_id, b->segments[0].blob_id);
  auto cors = target_.metadata->get_bucket_config("photos", "cors");
  ASSERT_OK(cors);
  EXPECT_EQ(**cors, "<CORSConfiguration><CORSRule/></CORSConfiguration>");
  EXPECT_EQ(target_.metadata->get_bucket("photos")->acl, "public-read");
  auto key = target_.identity->get_access_key("LTAIalice2");
  ASSERT_OK(key);
  EXPECT_EQ(key->secret_sealed, "sealed-secret-2");
  EXPECT_EQ(key->status, "Inactive");
  auto policy = target_.identity->get_policy("read-photos");
  ASSERT_OK(policy);
  EXPECT_EQ(policy->default_version, "v2");
  EXPECT_EQ(policy->document, R"({"v":2})");
  EXPECT_EQ(policy->attachment_count, 2);
  auto parts = target_.metadata->list_parts("0004B9894A22E5B1888A1E29F8236E2D", 0, 100, nullptr);
  ASSERT_OK(parts);
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[1].part_number, 3u);
  EXPECT_EQ((*parts)[1].last_modified_ms, 1600000002003);

  // The target is no longer empty: a second run is refused.
  auto again = check_target_empty(to);
  EXPECT_ERROR(again, InvalidArgument);
  EXPECT_THAT(again.error().message, HasSubstr("bucket other-owner"));
}

TEST_P(MigrationTest, EachKindOfLeftoverMakesTheTargetNotEmpty) {
  Deployment to = target_.deployment();
  ASSERT_OK(check_target_empty(to));
  write_blob(*target_.blobs, "stray");
  auto refused = check_target_empty(to);
  EXPECT_ERROR(refused, InvalidArgument);
  EXPECT_THAT(refused.error().message, HasSubstr("1 blobs"));

  ASSERT_OK(target_.identity->create_user({"1", "carol", "", "", 1, 1}));
  ASSERT_OK(target_.identity->add_token_key({"k9", "sealed", 1}));
  refused = check_target_empty(to);
  EXPECT_ERROR(refused, InvalidArgument);
  EXPECT_THAT(refused.error().message, HasSubstr("user carol"));
  EXPECT_THAT(refused.error().message, HasSubstr("1 STS token keys"));
}

TEST_P(MigrationTest, VerifyReportsEveryKindOfDifference) {
  fill_source();
  Deployment from = source_.deployment();
  Deployment to = target_.deployment();
  ASSERT_OK(copy_deployment(from, to));

  // A changed field, different bytes under the same record, a lost key, a
  // changed setting and an extra bucket the source does not have.
  ASSERT_OK(target_.metadata->set_object_acl("photos", "empty", "private"));
  auto object = target_.metadata->get_object("other-owner", "big");
  ASSERT_OK(object);
  object->segments[1].blob_id = write_blob(*target_.blobs, "SECOND PART");
  ASSERT_OK(target_.metadata->put_object(*object, {}));
  ASSERT_OK(target_.identity->delete_access_key("alice", "LTAIalice1"));
  ASSERT_OK(target_.metadata->set_bucket_config("photos", "cors", std::string("<CORSConfiguration/>")));
  ASSERT_OK(target_.metadata->create_bucket({"extra", "1111222233334444", "private", "Standard", "r", 1}));

  auto report = verify_deployment(from, to);
  ASSERT_OK(report);
  EXPECT_FALSE(report->ok());
  auto has = [&](const std::string& text) {
    return std::any_of(report->mismatches.begin(), report->mismatches.end(),
                       [&](const std::string& m) { return m.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(has("object photos/empty: acl 'default' != 'private'"));
  EXPECT_TRUE(has("object other-owner/big: bytes differ"));
  EXPECT_TRUE(has("access key LTAIalice1 is missing from the target"));
  EXPECT_TRUE(has("bucket photos: settings"));
  EXPECT_TRUE(has("counts differ"));
  EXPECT_EQ(report->mismatch_count, 5u) << ::testing::PrintToString(report->mismatches);
  EXPECT_EQ(report->target.buckets, report->source.buckets + 1);
}

TEST_P(MigrationTest, AMissingSourceBlobStopsTheCopyNamingIt) {
  ASSERT_OK(source_.metadata->create_bucket({"b", "o", "private", "Standard", "r", 1}));
  meta::ObjectRecord o = simple_object("b", "k", "bytes");
  const std::string lost = o.segments[0].blob_id;
  ASSERT_OK(source_.metadata->put_object(o, {}));
  ASSERT_OK(source_.blobs->remove(lost));

  Deployment from = source_.deployment();
  Deployment to = target_.deployment();
  auto copied = copy_deployment(from, to);
  ASSERT_FALSE(copied.ok());
  EXPECT_THAT(copied.error().message, HasSubstr("object b/k"));
  EXPECT_THAT(copied.error().message, HasSubstr(lost));
}

TEST(MigrationCounts, DescribeNamesEveryCount) {
  DeploymentCounts c;
  c.buckets = 2;
  c.object_bytes = 1234;
  c.access_keys = 3;
  const std::string text = describe_counts(c);
  EXPECT_THAT(text, HasSubstr("buckets 2"));
  EXPECT_THAT(text, HasSubstr("(1234 bytes)"));
  EXPECT_THAT(text, HasSubstr("access keys 3"));
  EXPECT_THAT(text, Not(HasSubstr("password")));
}

const Backend kSqlite{"Sqlite", false};
const Backend kPostgres{"Postgres", true};

INSTANTIATE_TEST_SUITE_P(Directions, MigrationTest,
                         ::testing::Values(Direction{kSqlite, kSqlite}, Direction{kSqlite, kPostgres},
                                           Direction{kPostgres, kSqlite}),
                         [](const ::testing::TestParamInfo<Direction>& info) {
                           return info.param.from.name + "To" + info.param.to.name;
                         });

}  // namespace
}  // namespace ossd::service
