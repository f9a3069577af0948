// MetadataStore conformance: written against the interface only, run against
// every implementation listed in INSTANTIATE_TEST_SUITE_P at the bottom (SQLite,
// and PostgreSQL on a throwaway cluster, pg_test_cluster.hpp).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "crypto/crc64.hpp"
#include "meta/metadata_store.hpp"
#include "meta/pg_store.hpp"
#include "meta/sqlite_store.hpp"
#include "pg_test_cluster.hpp"
#include "store_test_support.hpp"

namespace ossd::meta {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

using StoreFactory = test::StoreFactory<MetadataStore>;

std::string blob(int n) {
  char text[33];
  std::snprintf(text, sizeof text, "%032x", n);
  return text;
}

const std::string* find_detail(const Error& error, const std::string& name) {
  for (const auto& [key, value] : error.details) {
    if (key == name) return &value;
  }
  return nullptr;
}

const std::string* find_header(const Error& error, const std::string& name) {
  for (const auto& [key, value] : error.headers) {
    if (key == name) return &value;
  }
  return nullptr;
}

class MetadataStoreConformance : public test::StoreConformance<MetadataStore> {
 protected:
  void make_bucket(const std::string& name, const std::string& owner = "owner-1") {
    BucketRecord bucket;
    bucket.name = name;
    bucket.owner_id = owner;
    bucket.region = "oss-cn-hangzhou";
    bucket.created_ms = 1700000000000;
    ASSERT_OK(store().create_bucket(bucket));
  }

  static ObjectRecord object(const std::string& bucket, const std::string& key, std::vector<int> blobs = {},
                             uint64_t each = 10) {
    ObjectRecord o;
    o.bucket = bucket;
    o.key = key;
    o.etag = "5EB63BBBE01EEED093CB22BB8F5ACDC3";
    o.last_modified_ms = 1700000001000;
    o.content_type = "text/plain";
    for (int b : blobs) {
      o.segments.push_back({blob(b), each});
      o.size += each;
    }
    return o;
  }

  BlobIds put(const ObjectRecord& o, PutConditions conditions = {}) {
    auto freed = store().put_object(o, conditions);
    EXPECT_TRUE(freed.ok()) << freed.error().message;
    return freed.ok() ? *freed : BlobIds{};
  }

  std::vector<bool> referenced(std::vector<int> blobs) {
    std::vector<std::string> ids;
    for (int b : blobs) ids.push_back(blob(b));
    auto result = store().blobs_referenced(ids);
    EXPECT_TRUE(result.ok());
    return result.ok() ? *result : std::vector<bool>{};
  }

  UploadRecord upload(const std::string& bucket, const std::string& key, const std::string& id,
                      int64_t initiated_ms = 1700000002000) {
    UploadRecord u;
    u.upload_id = id;
    u.bucket = bucket;
    u.key = key;
    u.initiated_ms = initiated_ms;
    u.object = object(bucket, key);
    u.object.content_type = "application/x-template";
    u.object.user_meta = {{"origin", "multipart"}};
    u.object.acl = "public-read";
    return u;
  }

  static PartRecord part(uint32_t number, int blob_number, uint64_t size = 100) {
    PartRecord p;
    p.part_number = number;
    p.etag = "ETAG" + std::to_string(number);
    p.md5_hex = "md5-" + std::to_string(number);
    p.crc64 = 0xF000000000000000ULL + number;
    p.size = size;
    p.last_modified_ms = 1700000003000 + number;
    p.blob_id = blob(blob_number);
    return p;
  }
};

// ------------------------------------------------------------------ buckets

TEST_P(MetadataStoreConformance, CreatedBucketReadsBack) {
  BucketRecord bucket{"photos", "owner-9", "public-read", "IA", "oss-cn-shanghai", 1700000000123};
  ASSERT_OK(store().create_bucket(bucket));
  auto got = store().get_bucket("photos");
  ASSERT_OK(got);
  EXPECT_EQ(got->name, "photos");
  EXPECT_EQ(got->owner_id, "owner-9");
  EXPECT_EQ(got->acl, "public-read");
  EXPECT_EQ(got->storage_class, "IA");
  EXPECT_EQ(got->region, "oss-cn-shanghai");
  EXPECT_EQ(got->created_ms, 1700000000123);
}

TEST_P(MetadataStoreConformance, DuplicateBucketIsBucketAlreadyExists) {
  make_bucket("photos", "owner-1");
  BucketRecord again{"photos", "owner-2"};
  auto created = store().create_bucket(again);
  EXPECT_ERROR(created, BucketAlreadyExists);
  ASSERT_NE(find_detail(created.error(), "BucketName"), nullptr);
  EXPECT_EQ(*find_detail(created.error(), "BucketName"), "photos");
  EXPECT_EQ(store().get_bucket("photos")->owner_id, "owner-1");
}

TEST_P(MetadataStoreConformance, MissingBucketIsNoSuchBucketWithName) {
  auto got = store().get_bucket("nope");
  EXPECT_ERROR(got, NoSuchBucket);
  ASSERT_NE(find_detail(got.error(), "BucketName"), nullptr);
  EXPECT_EQ(*find_detail(got.error(), "BucketName"), "nope");
}

TEST_P(MetadataStoreConformance, ListBucketsFiltersByOwnerPrefixAndMarker) {
  for (const char* name : {"alpha", "beta-1", "beta-2", "beta-3", "gamma"}) make_bucket(name, "me");
  make_bucket("beta-x", "someone-else");

  bool truncated = true;
  auto all = store().list_buckets("me", "", "", 100, &truncated);
  ASSERT_OK(all);
  std::vector<std::string> names;
  for (const auto& b : *all) names.push_back(b.name);
  EXPECT_THAT(names, ElementsAre("alpha", "beta-1", "beta-2", "beta-3", "gamma"));
  EXPECT_FALSE(truncated);

  auto page = store().list_buckets("me", "beta", "", 2, &truncated);
  ASSERT_OK(page);
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].name, "beta-1");
  EXPECT_EQ((*page)[1].name, "beta-2");
  EXPECT_TRUE(truncated);

  page = store().list_buckets("me", "beta", "beta-2", 2, &truncated);
  ASSERT_OK(page);
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].name, "beta-3");
  EXPECT_FALSE(truncated);

  page = store().list_buckets("me", "", "beta-3", 10, nullptr);
  ASSERT_OK(page);
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].name, "gamma");

  page = store().list_buckets("nobody", "", "", 10, &truncated);
  ASSERT_OK(page);
  EXPECT_TRUE(page->empty());
  EXPECT_FALSE(truncated);
}

TEST_P(MetadataStoreConformance, DeleteBucketOnlyWhenEmpty) {
  EXPECT_ERROR(store().delete_bucket("ghost"), NoSuchBucket);

  make_bucket("b");
  put(object("b", "k", {1}));
  auto refused = store().delete_bucket("b");
  EXPECT_ERROR(refused, BucketNotEmpty);
  EXPECT_NE(find_detail(refused.error(), "BucketName"), nullptr);

  ASSERT_OK(store().delete_object("b", "k"));
  ASSERT_OK(store().create_upload(upload("b", "k", "u1")));
  EXPECT_ERROR(store().delete_bucket("b"), BucketNotEmpty);

  ASSERT_OK(store().abort_upload("b", "k", "u1"));
  ASSERT_OK(store().set_bucket_config("b", "cors", std::string("<CORSConfiguration/>")));
  ASSERT_OK(store().delete_bucket("b"));
  EXPECT_ERROR(store().get_bucket("b"), NoSuchBucket);

  make_bucket("b");  // the name is free again, and nothing of the old bucket remains
  auto config = store().get_bucket_config("b", "cors");
  ASSERT_OK(config);
  EXPECT_FALSE(config->has_value());
}

TEST_P(MetadataStoreConformance, SetBucketAcl) {
  make_bucket("b");
  ASSERT_OK(store().set_bucket_acl("b", "public-read-write"));
  EXPECT_EQ(store().get_bucket("b")->acl, "public-read-write");
  EXPECT_ERROR(store().set_bucket_acl("ghost", "private"), NoSuchBucket);
}

TEST_P(MetadataStoreConformance, BucketConfigsSetReplaceDelete) {
  make_bucket("b");
  auto missing = store().get_bucket_config("b", "cors");
  ASSERT_OK(missing);
  EXPECT_FALSE(missing->has_value());

  ASSERT_OK(store().set_bucket_config("b", "cors", std::string("v1")));
  ASSERT_OK(store().set_bucket_config("b", "style:thumb", std::string("image/resize,w_100")));
  EXPECT_EQ(**store().get_bucket_config("b", "cors"), "v1");
  ASSERT_OK(store().set_bucket_config("b", "cors", std::string("v2")));
  EXPECT_EQ(**store().get_bucket_config("b", "cors"), "v2");
  EXPECT_EQ(**store().get_bucket_config("b", "style:thumb"), "image/resize,w_100");

  ASSERT_OK(store().set_bucket_config("b", "cors", std::nullopt));
  EXPECT_FALSE(store().get_bucket_config("b", "cors")->has_value());
  ASSERT_OK(store().set_bucket_config("b", "cors", std::nullopt));  // deleting nothing is fine

  EXPECT_ERROR(store().set_bucket_config("ghost", "cors", std::string("x")), NoSuchBucket);
  EXPECT_ERROR(store().get_bucket_config("ghost", "cors"), NoSuchBucket);
}

TEST_P(MetadataStoreConformance, GetBucketWithConfigReadsBothAtOnce) {
  make_bucket("b", "owner-7");
  auto bare = store().get_bucket_with_config("b", "policy");
  ASSERT_OK(bare);
  EXPECT_EQ(bare->bucket.name, "b");
  EXPECT_EQ(bare->bucket.owner_id, "owner-7");
  EXPECT_FALSE(bare->config.has_value());
  ASSERT_OK(store().set_bucket_config("b", "policy", std::string("{\"Version\":\"1\"}")));
  ASSERT_OK(store().set_bucket_config("b", "cors", std::string("<CORSConfiguration/>")));
  auto with = store().get_bucket_with_config("b", "policy");
  ASSERT_OK(with);
  EXPECT_EQ(with->config, std::optional<std::string>("{\"Version\":\"1\"}"));
  EXPECT_EQ(store().get_bucket_with_config("b", "cors")->config, std::optional<std::string>("<CORSConfiguration/>"));
  EXPECT_ERROR(store().get_bucket_with_config("ghost", "policy"), NoSuchBucket);
}

// The bucket and the object share column names (acl, storage_class): each
// is given values the other lacks, so a mixed-up column shows.
TEST_P(MetadataStoreConformance, GetBucketConfigAndObjectReadsAllThreeAtOnce) {
  BucketRecord bucket;
  bucket.name = "b";
  bucket.owner_id = "owner-3";
  bucket.acl = "public-read-write";
  bucket.storage_class = "IA";
  bucket.region = "oss-cn-shanghai";
  bucket.created_ms = 1700000000456;
  ASSERT_OK(store().create_bucket(bucket));
  ASSERT_OK(store().set_bucket_config("b", "policy", std::string("{\"Version\":\"1\"}")));
  ObjectRecord o = object("b", "a/\xC3\xA9 \xFF.bin", {4, 5}, 300);
  o.crc64 = 0x8000000000000001ULL;
  o.object_type = "Appendable";
  o.storage_class = "Archive";
  o.acl = "private";
  o.headers = {{"Cache-Control", "max-age=9"}};
  o.user_meta = {{"who", "me"}};
  o.tags = {{"t", "1"}};
  put(o);

  auto got = store().get_bucket_config_and_object("b", "policy", o.key);
  ASSERT_OK(got);
  EXPECT_EQ(got->bucket.bucket.owner_id, "owner-3");
  EXPECT_EQ(got->bucket.bucket.acl, "public-read-write");
  EXPECT_EQ(got->bucket.bucket.storage_class, "IA");
  EXPECT_EQ(got->bucket.bucket.region, "oss-cn-shanghai");
  EXPECT_EQ(got->bucket.bucket.created_ms, 1700000000456);
  EXPECT_EQ(got->bucket.config, std::optional<std::string>("{\"Version\":\"1\"}"));
  ASSERT_TRUE(got->object.has_value());
  EXPECT_EQ(got->object->bucket, "b");
  EXPECT_EQ(got->object->key, o.key);
  EXPECT_EQ(got->object->size, 600u);
  EXPECT_EQ(got->object->etag, o.etag);
  EXPECT_EQ(got->object->crc64, o.crc64);
  EXPECT_EQ(got->object->last_modified_ms, o.last_modified_ms);
  EXPECT_EQ(got->object->object_type, "Appendable");
  EXPECT_EQ(got->object->storage_class, "Archive");
  EXPECT_EQ(got->object->acl, "private");
  EXPECT_EQ(got->object->content_type, "text/plain");
  EXPECT_EQ(got->object->headers, o.headers);
  EXPECT_EQ(got->object->user_meta, o.user_meta);
  EXPECT_EQ(got->object->tags, o.tags);
  EXPECT_EQ(got->object->segments, o.segments);

  auto missing_key = store().get_bucket_config_and_object("b", "cors", "absent");
  ASSERT_OK(missing_key);
  EXPECT_EQ(missing_key->bucket.bucket.name, "b");
  EXPECT_FALSE(missing_key->bucket.config.has_value());
  EXPECT_FALSE(missing_key->object.has_value());
  EXPECT_ERROR(store().get_bucket_config_and_object("ghost", "policy", o.key), NoSuchBucket);
}

TEST_P(MetadataStoreConformance, ReplaceBucketConfigSwapsOnlyWhatItExpects) {
  make_bucket("b");
  const std::optional<std::string> absent;
  EXPECT_FALSE(*store().replace_bucket_config("b", "styles", std::string("[]"), std::string("x")));
  EXPECT_TRUE(*store().replace_bucket_config("b", "styles", absent, std::string("[\"a\"]")));
  EXPECT_FALSE(*store().replace_bucket_config("b", "styles", absent, std::string("[\"b\"]")));
  EXPECT_EQ(**store().get_bucket_config("b", "styles"), "[\"a\"]");
  EXPECT_TRUE(*store().replace_bucket_config("b", "styles", std::string("[\"a\"]"), std::string("[\"a\",\"b\"]")));
  EXPECT_FALSE(*store().replace_bucket_config("b", "styles", std::string("[\"a\"]"), absent));
  EXPECT_EQ(**store().get_bucket_config("b", "styles"), "[\"a\",\"b\"]");
  EXPECT_TRUE(*store().replace_bucket_config("b", "styles", std::string("[\"a\",\"b\"]"), absent));
  EXPECT_FALSE(store().get_bucket_config("b", "styles")->has_value());
  EXPECT_ERROR(store().replace_bucket_config("ghost", "styles", absent, std::string("x")), NoSuchBucket);
}

TEST_P(MetadataStoreConformance, ConcurrentReplaceBucketConfigLosesNoIncrement) {
  make_bucket("b");
  constexpr int kThreads = 4;
  constexpr int kIncrementsPerThread = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrementsPerThread; ++i) {
        bool done = false;
        for (int attempt = 0; attempt < 10000 && !done; ++attempt) {
          auto current = store().get_bucket_config("b", "counter");
          if (!current.ok()) break;
          const int value = current->has_value() ? std::stoi(**current) : 0;
          auto swapped = store().replace_bucket_config("b", "counter", *current, std::to_string(value + 1));
          if (!swapped.ok()) break;
          done = *swapped;
        }
        if (!done) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(**store().get_bucket_config("b", "counter"), std::to_string(kThreads * kIncrementsPerThread));
}

TEST_P(MetadataStoreConformance, ListAllBucketsCoversEveryOwnerInNameOrder) {
  make_bucket("gamma", "owner-2");
  make_bucket("alpha", "owner-1");
  make_bucket("beta", "owner-3");

  bool truncated = true;
  auto all = store().list_all_buckets("", 100, &truncated);
  ASSERT_OK(all);
  std::vector<std::string> names;
  for (const auto& b : *all) names.push_back(b.name + "/" + b.owner_id);
  EXPECT_THAT(names, ElementsAre("alpha/owner-1", "beta/owner-3", "gamma/owner-2"));
  EXPECT_FALSE(truncated);
  EXPECT_EQ((*all)[0].created_ms, 1700000000000);

  auto first = store().list_all_buckets("", 2, &truncated);
  ASSERT_OK(first);
  ASSERT_EQ(first->size(), 2u);
  EXPECT_TRUE(truncated);
  auto rest = store().list_all_buckets(first->back().name, 2, &truncated);
  ASSERT_OK(rest);
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].name, "gamma");
  EXPECT_FALSE(truncated);
}

TEST_P(MetadataStoreConformance, ListBucketConfigsReturnsEveryDocumentByName) {
  make_bucket("b");
  make_bucket("other");
  auto none = store().list_bucket_configs("b");
  ASSERT_OK(none);
  EXPECT_THAT(*none, IsEmpty());

  const std::string binary = "<x>\xFF\xC3\xA9</x>";  // not valid UTF-8: kept byte for byte
  ASSERT_OK(store().set_bucket_config("b", "style:thumb", std::string("image/resize,w_100")));
  ASSERT_OK(store().set_bucket_config("b", "cors", binary));
  ASSERT_OK(store().set_bucket_config("b", "policy", std::string("{}")));
  ASSERT_OK(store().set_bucket_config("other", "cors", std::string("elsewhere")));
  ASSERT_OK(store().set_bucket_config("b", "policy", std::nullopt));

  auto configs = store().list_bucket_configs("b");
  ASSERT_OK(configs);
  EXPECT_THAT(*configs, ElementsAre(Pair("cors", binary), Pair("style:thumb", "image/resize,w_100")));
  EXPECT_ERROR(store().list_bucket_configs("ghost"), NoSuchBucket);
}

// ------------------------------------------------------------------ objects

TEST_P(MetadataStoreConformance, ObjectRoundTripsEveryField) {
  make_bucket("b");
  ObjectRecord o = object("b", "dir/\xC3\xA9t\xC3\xA9 \xFF\x80.txt", {1, 2, 3}, 1000);
  o.size = (1ULL << 40) + 7;        // sizes beyond 32 bits
  o.crc64 = 0xFEDCBA9876543210ULL;  // top bit set: must survive signed storage
  o.etag = "ABCDEF0123456789ABCDEF0123456789-3";
  o.object_type = "Multipart";
  o.storage_class = "Archive";
  o.acl = "public-read";
  o.content_type = "image/jpeg";
  o.headers = {{"Cache-Control", "no-cache"}, {"Content-Disposition", "attachment; filename=\"\xE5\x9B\xBE.jpg\""}};
  o.user_meta = {{"author", "\xFF\xFE raw bytes"}, {"empty", ""}, {"author", "duplicate name kept"}};
  o.tags = {{"z", "last"}, {"a", "first"}};
  EXPECT_THAT(put(o), IsEmpty());

  auto got = store().get_object("b", o.key);
  ASSERT_OK(got);
  EXPECT_EQ(got->bucket, "b");
  EXPECT_EQ(got->key, o.key);
  EXPECT_EQ(got->size, o.size);
  EXPECT_EQ(got->etag, o.etag);
  EXPECT_EQ(got->crc64, o.crc64);
  EXPECT_EQ(got->last_modified_ms, o.last_modified_ms);
  EXPECT_EQ(got->object_type, "Multipart");
  EXPECT_EQ(got->storage_class, "Archive");
  EXPECT_EQ(got->acl, "public-read");
  EXPECT_EQ(got->content_type, "image/jpeg");
  EXPECT_EQ(got->headers, o.headers);
  EXPECT_EQ(got->user_meta, o.user_meta);
  EXPECT_EQ(got->tags, o.tags);
  EXPECT_EQ(got->segments, o.segments);
  EXPECT_THAT(referenced({1, 2, 3, 4}), ElementsAre(true, true, true, false));
}

TEST_P(MetadataStoreConformance, EmptyObjectWithoutSegments) {
  make_bucket("b");
  put(object("b", "empty"));
  auto got = store().get_object("b", "empty");
  ASSERT_OK(got);
  EXPECT_EQ(got->size, 0u);
  EXPECT_TRUE(got->segments.empty());
}

TEST_P(MetadataStoreConformance, PutIntoMissingBucketIsNoSuchBucket) {
  auto put_result = store().put_object(object("ghost", "k", {1}), {});
  EXPECT_ERROR(put_result, NoSuchBucket);
  EXPECT_THAT(referenced({1}), ElementsAre(false));
}

TEST_P(MetadataStoreConformance, GetMissingKeyIsNoSuchKeyWithKey) {
  make_bucket("b");
  auto got = store().get_object("b", "no/such");
  EXPECT_ERROR(got, NoSuchKey);
  ASSERT_NE(find_detail(got.error(), "Key"), nullptr);
  EXPECT_EQ(*find_detail(got.error(), "Key"), "no/such");
  EXPECT_ERROR(store().get_object("ghost", "k"), NoSuchBucket);
}

TEST_P(MetadataStoreConformance, OverwriteFreesOnlyBlobsNotReused) {
  make_bucket("b");
  put(object("b", "k", {1, 2}));
  EXPECT_THAT(put(object("b", "k", {2, 3})), ElementsAre(blob(1)));
  EXPECT_EQ(store().get_object("b", "k")->segments, object("b", "k", {2, 3}).segments);
  EXPECT_THAT(referenced({1, 2, 3}), ElementsAre(false, true, true));
  EXPECT_THAT(put(object("b", "k", {})), UnorderedElementsAre(blob(2), blob(3)));
  EXPECT_THAT(referenced({2, 3}), ElementsAre(false, false));
}

TEST_P(MetadataStoreConformance, SameKeyInTwoBucketsAreDistinctObjects) {
  make_bucket("b1");
  make_bucket("b2");
  put(object("b1", "k", {1}));
  put(object("b2", "k", {2}));
  EXPECT_EQ(store().get_object("b1", "k")->segments[0].blob_id, blob(1));
  EXPECT_EQ(store().get_object("b2", "k")->segments[0].blob_id, blob(2));
  EXPECT_THAT(*store().delete_object("b1", "k"), ElementsAre(blob(1)));
  EXPECT_OK(store().get_object("b2", "k"));
}

TEST_P(MetadataStoreConformance, ForbidOverwriteRefusesExistingKeyOnly) {
  make_bucket("b");
  auto first = store().put_object(object("b", "k", {1}), PutConditions{true});
  ASSERT_OK(first);
  EXPECT_THAT(*first, IsEmpty());

  auto second = store().put_object(object("b", "k", {2}), PutConditions{true});
  EXPECT_ERROR(second, FileAlreadyExists);
  EXPECT_EQ(store().get_object("b", "k")->segments[0].blob_id, blob(1));
  EXPECT_THAT(referenced({1, 2}), ElementsAre(true, false));
}

TEST_P(MetadataStoreConformance, DeleteObjectFreesItsBlobs) {
  make_bucket("b");
  put(object("b", "k", {1, 2}));
  auto freed = store().delete_object("b", "k");
  ASSERT_OK(freed);
  EXPECT_THAT(*freed, UnorderedElementsAre(blob(1), blob(2)));
  EXPECT_ERROR(store().get_object("b", "k"), NoSuchKey);
  EXPECT_THAT(referenced({1, 2}), ElementsAre(false, false));

  freed = store().delete_object("b", "k");  // already gone: success, nothing freed
  ASSERT_OK(freed);
  EXPECT_THAT(*freed, IsEmpty());
  EXPECT_ERROR(store().delete_object("ghost", "k"), NoSuchBucket);
}

TEST_P(MetadataStoreConformance, ObjectAclAndTagsChangeInPlace) {
  make_bucket("b");
  ObjectRecord o = object("b", "k", {1});
  o.user_meta = {{"keep", "me"}};
  put(o);
  ASSERT_OK(store().set_object_acl("b", "k", "private"));
  ASSERT_OK(store().set_object_tags("b", "k", {{"team", "storage"}, {"env", "\xFF"}}));
  auto got = store().get_object("b", "k");
  ASSERT_OK(got);
  EXPECT_EQ(got->acl, "private");
  EXPECT_THAT(got->tags, ElementsAre(Pair("team", "storage"), Pair("env", "\xFF")));
  EXPECT_EQ(got->user_meta, o.user_meta);
  EXPECT_EQ(got->segments, o.segments);

  ASSERT_OK(store().set_object_tags("b", "k", {}));
  EXPECT_TRUE(store().get_object("b", "k")->tags.empty());

  auto missing = store().set_object_acl("b", "nope", "private");
  EXPECT_ERROR(missing, NoSuchKey);
  EXPECT_NE(find_detail(missing.error(), "Key"), nullptr);
  EXPECT_ERROR(store().set_object_tags("b", "nope", {}), NoSuchKey);
  EXPECT_ERROR(store().set_object_acl("ghost", "k", "private"), NoSuchBucket);
  EXPECT_ERROR(store().set_object_tags("ghost", "k", {}), NoSuchBucket);
}

// ------------------------------------------------------------------ listing

// The listing every store must produce, computed the obvious way: entries are
// keys without the delimiter after the prefix and the common prefixes of the
// rest, in byte order, each > start_after.
ListResult reference_listing(const std::set<std::string>& keys, const ListQuery& q) {
  std::set<std::pair<std::string, bool>> entries;  // (text, is common prefix)
  for (const std::string& key : keys) {
    if (key.compare(0, q.prefix.size(), q.prefix) != 0 || key <= q.start_after) continue;
    size_t at = q.delimiter.empty() ? std::string::npos : key.find(q.delimiter, q.prefix.size());
    if (at == std::string::npos) {
      entries.insert({key, false});
    } else {
      std::string group = key.substr(0, at + q.delimiter.size());
      if (group > q.start_after) entries.insert({group, true});
    }
  }
  ListResult r;
  size_t taken = 0;
  for (const auto& [text, is_prefix] : entries) {
    if (taken == q.max_keys) {
      r.truncated = true;
      break;
    }
    if (is_prefix) {
      r.common_prefixes.push_back(text);
    } else {
      r.objects.push_back({text});
    }
    r.next_marker = text;
    ++taken;
  }
  if (!r.truncated) r.next_marker.clear();
  return r;
}

std::vector<std::string> keys_of(const ListResult& r) {
  std::vector<std::string> keys;
  for (const auto& o : r.objects) keys.push_back(o.key);
  return keys;
}

std::string describe(const ListQuery& q) {
  auto show = [](const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
      if (c >= 0x20 && c < 0x7F) {
        out += static_cast<char>(c);
      } else {
        char hex[5];
        std::snprintf(hex, sizeof hex, "\\x%02X", c);
        out += hex;
      }
    }
    return out;
  };
  return "prefix='" + show(q.prefix) + "' start_after='" + show(q.start_after) + "' delimiter='" + show(q.delimiter) +
         "' max_keys=" + std::to_string(q.max_keys);
}

const std::vector<std::string> kTrickyKeys = {
    "a",
    "a/",
    "a/b",
    "a/b/c",
    "a//x",
    "a/../b",
    "a/./c",
    "ab",
    "a0",
    "a.",
    "b",
    "b/",
    "/leading",
    "//double",
    "\x7F",
    "\x7F/x",
    "\x80",
    "\xC3\xA9t\xC3\xA9/\xE2\x82\xAC",
    "\xE6\x97\xA5\xE6\x9C\xAC/\xE8\xAA\x9E",
    "\xFF",
    "\xFF/\xFF",
    "\xFF\xFF",
    "z/\xFF",
    "z/\xFF\xFF/q",
    "space key",
    "a b/c",
    "%2F",
    "tab\there",
    "x/y/z/",
    "x/y/",
    "x/",
    "x",
    "\x01"
    "ctl",
    "../../etc/passwd",
};

class ListingConformance : public MetadataStoreConformance {
 protected:
  void SetUp() override {
    MetadataStoreConformance::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    make_bucket("b");
    make_bucket("other");
    put(object("other", "a/b"));  // never listed from b
    int n = 0;
    for (const std::string& key : kTrickyKeys) {
      ++n;
      ObjectRecord o = object("b", key, {n}, static_cast<uint64_t>(n));
      put(o);
      keys_.insert(key);
    }
  }
  std::set<std::string> keys_;
};

TEST_P(ListingConformance, MatchesTheReferenceForEveryQuery) {
  const std::vector<std::string> prefixes = {"",     "a",    "a/",     "a/b",     "x/y/",
                                             "\xFF", "\x7F", "z/\xFF", "nomatch", "\xE6\x97\xA5\xE6\x9C\xAC/"};
  const std::vector<std::string> delimiters = {"", "/", "/b", "\xFF"};
  const std::vector<std::string> markers = {"", "a", "a/", "a/b", "\x7F", "zzz", "\xFF\xFF\xFF", "x/y/"};
  const std::vector<uint32_t> sizes = {1, 2, 3, 1000};
  for (const auto& prefix : prefixes) {
    for (const auto& delimiter : delimiters) {
      for (const auto& marker : markers) {
        for (uint32_t size : sizes) {
          ListQuery q{prefix, marker, delimiter, size};
          auto got = store().list_objects("b", q);
          ASSERT_OK(got);
          ListResult want = reference_listing(keys_, q);
          ASSERT_EQ(keys_of(*got), keys_of(want)) << describe(q);
          ASSERT_EQ(got->common_prefixes, want.common_prefixes) << describe(q);
          ASSERT_EQ(got->truncated, want.truncated) << describe(q);
          ASSERT_EQ(got->next_marker, want.next_marker) << describe(q);
        }
      }
    }
  }
}

TEST_P(ListingConformance, PagingWithNextMarkerVisitsEveryEntryOnce) {
  for (const std::string prefix : {"", "a", "a/", "x/", "\xFF"}) {
    for (const std::string delimiter : {"", "/", "\xFF"}) {
      for (uint32_t size : {1u, 2u, 5u}) {
        ListResult whole = reference_listing(keys_, {prefix, "", delimiter, 1000});
        std::vector<std::string> keys, prefixes;
        std::string marker;
        for (int guard = 0; guard < 100; ++guard) {
          auto page = store().list_objects("b", {prefix, marker, delimiter, size});
          ASSERT_OK(page);
          ASSERT_LE(page->objects.size() + page->common_prefixes.size(), size);
          for (const auto& o : page->objects) keys.push_back(o.key);
          for (const auto& p : page->common_prefixes) prefixes.push_back(p);
          if (!page->truncated) break;
          ASSERT_GT(page->next_marker, marker);
          marker = page->next_marker;
        }
        EXPECT_EQ(keys, keys_of(whole)) << describe({prefix, "", delimiter, size});
        EXPECT_EQ(prefixes, whole.common_prefixes) << describe({prefix, "", delimiter, size});
      }
    }
  }
}

TEST_P(ListingConformance, SummariesCarryTheObjectScalars) {
  auto got = store().list_objects("b", {"a/b/", "", "", 10});
  ASSERT_OK(got);
  ASSERT_EQ(got->objects.size(), 1u);
  const ObjectSummary& s = got->objects[0];
  EXPECT_EQ(s.key, "a/b/c");
  EXPECT_EQ(s.size, 4u);  // fourth key inserted
  EXPECT_EQ(s.etag, "5EB63BBBE01EEED093CB22BB8F5ACDC3");
  EXPECT_EQ(s.last_modified_ms, 1700000001000);
  EXPECT_EQ(s.object_type, "Normal");
  EXPECT_EQ(s.storage_class, "Standard");
}

TEST_P(ListingConformance, KeyEqualToThePrefixIsListedAsAKey) {
  auto got = store().list_objects("b", {"a/", "", "/", 100});
  ASSERT_OK(got);
  EXPECT_THAT(keys_of(*got), ElementsAre("a/", "a/b"));
  EXPECT_THAT(got->common_prefixes, ElementsAre("a/../", "a/./", "a//", "a/b/"));
  EXPECT_FALSE(got->truncated);
}

TEST_P(ListingConformance, ByteOrderPutsHighBytesLast) {
  auto got = store().list_objects("b", {"", "x/y/z/", "", 100});
  ASSERT_OK(got);
  EXPECT_THAT(keys_of(*got),
              ElementsAre("z/\xFF", "z/\xFF\xFF/q", "\x7F", "\x7F/x", "\x80", "\xC3\xA9t\xC3\xA9/\xE2\x82\xAC",
                          "\xE6\x97\xA5\xE6\x9C\xAC/\xE8\xAA\x9E", "\xFF", "\xFF/\xFF", "\xFF\xFF"));
}

TEST_P(MetadataStoreConformance, ListingOfMissingBucketIsNoSuchBucket) {
  EXPECT_ERROR(store().list_objects("ghost", {}), NoSuchBucket);
}

TEST_P(MetadataStoreConformance, EmptyBucketListsNothing) {
  make_bucket("b");
  auto got = store().list_objects("b", {"", "", "/", 100});
  ASSERT_OK(got);
  EXPECT_TRUE(got->objects.empty());
  EXPECT_TRUE(got->common_prefixes.empty());
  EXPECT_FALSE(got->truncated);
  EXPECT_TRUE(got->next_marker.empty());
}

// The s3-tests pagination case: a marker equal to a common prefix continues
// after that whole group.
TEST_P(MetadataStoreConformance, DelimiterPagingOneEntryAtATime) {
  make_bucket("b");
  for (const char* key : {"asdf", "boo/bar", "boo/baz/xyzzy", "cquux/thud", "cquux/bla"}) put(object("b", key));

  auto page = store().list_objects("b", {"", "", "/", 1});
  ASSERT_OK(page);
  EXPECT_THAT(keys_of(*page), ElementsAre("asdf"));
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_marker, "asdf");

  page = store().list_objects("b", {"", "asdf", "/", 1});
  ASSERT_OK(page);
  EXPECT_THAT(page->common_prefixes, ElementsAre("boo/"));
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_marker, "boo/");

  page = store().list_objects("b", {"", "boo/", "/", 1});
  ASSERT_OK(page);
  EXPECT_THAT(page->common_prefixes, ElementsAre("cquux/"));
  EXPECT_FALSE(page->truncated);

  page = store().list_objects("b", {"boo/", "", "/", 1});
  ASSERT_OK(page);
  EXPECT_THAT(keys_of(*page), ElementsAre("boo/bar"));
  EXPECT_TRUE(page->truncated);
  page = store().list_objects("b", {"boo/", "boo/bar", "/", 1});
  ASSERT_OK(page);
  EXPECT_THAT(page->common_prefixes, ElementsAre("boo/baz/"));
  EXPECT_FALSE(page->truncated);
}

TEST_P(MetadataStoreConformance, LargeGroupsCollapseToOneCommonPrefix) {
  make_bucket("b");
  // 120 keys hidden in one group between two plain keys, and a second group.
  put(object("b", "a-first"));
  for (int i = 0; i < 120; ++i) put(object("b", "big/" + std::to_string(1000 + i)));
  put(object("b", "big0"));
  for (int i = 0; i < 5; ++i) put(object("b", "small/" + std::to_string(i)));
  put(object("b", "zz-last"));

  auto got = store().list_objects("b", {"", "", "/", 100});
  ASSERT_OK(got);
  EXPECT_THAT(keys_of(*got), ElementsAre("a-first", "big0", "zz-last"));
  EXPECT_THAT(got->common_prefixes, ElementsAre("big/", "small/"));
  EXPECT_FALSE(got->truncated);

  got = store().list_objects("b", {"", "", "/", 2});
  ASSERT_OK(got);
  EXPECT_THAT(keys_of(*got), ElementsAre("a-first"));
  EXPECT_THAT(got->common_prefixes, ElementsAre("big/"));
  EXPECT_TRUE(got->truncated);
  EXPECT_EQ(got->next_marker, "big/");

  got = store().list_objects("b", {"", "big/1050", "/", 2});  // a marker inside a group skips the rest of it
  ASSERT_OK(got);
  EXPECT_THAT(keys_of(*got), ElementsAre("big0"));
  EXPECT_THAT(got->common_prefixes, ElementsAre("small/"));
  EXPECT_TRUE(got->truncated);

  got = store().list_objects("b", {"big/", "big/1117", "", 5});
  ASSERT_OK(got);
  EXPECT_THAT(keys_of(*got), ElementsAre("big/1118", "big/1119"));
  EXPECT_FALSE(got->truncated);
}

// ------------------------------------------------------------------ append

TEST_P(MetadataStoreConformance, AppendCreatesThenExtendsWithCombinedCrc) {
  make_bucket("b");
  const std::string part1 = "hello ";
  const std::string part2 = "appendable world";
  const uint64_t crc1 = crypto::crc64_update(0, part1);
  const uint64_t crc2 = crypto::crc64_update(0, part2);
  const uint64_t whole = crypto::crc64_update(0, part1 + part2);

  ObjectRecord initial = object("b", "log");
  initial.content_type = "text/x-log";
  initial.user_meta = {{"origin", "first"}};
  initial.last_modified_ms = 1000;
  auto first = store().append_object(initial, 0, {blob(1), part1.size()}, crc1);
  ASSERT_OK(first);
  EXPECT_EQ(first->object_type, "Appendable");
  EXPECT_EQ(first->size, part1.size());
  EXPECT_EQ(first->crc64, crc1);
  char expected_etag[17];
  std::snprintf(expected_etag, sizeof expected_etag, "%016llX", static_cast<unsigned long long>(crc1));
  EXPECT_EQ(first->etag, expected_etag);
  EXPECT_EQ(first->last_modified_ms, 1000);
  EXPECT_THAT(first->segments, ElementsAre(Segment{blob(1), part1.size()}));

  ObjectRecord later = object("b", "log");
  later.content_type = "ignored/after-creation";
  later.user_meta = {{"origin", "second"}};
  later.last_modified_ms = 2000;
  auto second = store().append_object(later, part1.size(), {blob(2), part2.size()}, crc2);
  ASSERT_OK(second);
  EXPECT_EQ(second->size, part1.size() + part2.size());
  EXPECT_EQ(second->crc64, whole);
  std::snprintf(expected_etag, sizeof expected_etag, "%016llX", static_cast<unsigned long long>(whole));
  EXPECT_EQ(second->etag, expected_etag);
  EXPECT_EQ(second->last_modified_ms, 2000);
  EXPECT_EQ(second->content_type, "text/x-log");
  EXPECT_EQ(second->user_meta, initial.user_meta);
  EXPECT_THAT(second->segments, ElementsAre(Segment{blob(1), part1.size()}, Segment{blob(2), part2.size()}));

  auto stored = store().get_object("b", "log");
  ASSERT_OK(stored);
  EXPECT_EQ(stored->crc64, whole);
  EXPECT_EQ(stored->segments, second->segments);
  EXPECT_THAT(referenced({1, 2}), ElementsAre(true, true));
}

TEST_P(MetadataStoreConformance, AppendAtTheWrongPositionReportsTheLength) {
  make_bucket("b");
  auto missing = store().append_object(object("b", "log"), 5, {blob(1), 3}, 0);
  EXPECT_ERROR(missing, PositionNotEqualToLength);
  ASSERT_NE(find_header(missing.error(), "x-oss-next-append-position"), nullptr);
  EXPECT_EQ(*find_header(missing.error(), "x-oss-next-append-position"), "0");
  EXPECT_ERROR(store().get_object("b", "log"), NoSuchKey);

  ASSERT_OK(store().append_object(object("b", "log"), 0, {blob(2), 7}, 0));
  auto wrong = store().append_object(object("b", "log"), 3, {blob(3), 3}, 0);
  EXPECT_ERROR(wrong, PositionNotEqualToLength);
  ASSERT_NE(find_header(wrong.error(), "x-oss-next-append-position"), nullptr);
  EXPECT_EQ(*find_header(wrong.error(), "x-oss-next-append-position"), "7");
  EXPECT_EQ(store().get_object("b", "log")->size, 7u);
  EXPECT_THAT(referenced({1, 2, 3}), ElementsAre(false, true, false));
}

TEST_P(MetadataStoreConformance, AppendToNormalOrMultipartObjectIsRefused) {
  make_bucket("b");
  put(object("b", "normal", {1}));
  ObjectRecord multipart = object("b", "multi", {2});
  multipart.object_type = "Multipart";
  put(multipart);
  EXPECT_ERROR(store().append_object(object("b", "normal"), 10, {blob(3), 1}, 0), ObjectNotAppendable);
  EXPECT_ERROR(store().append_object(object("b", "normal"), 0, {blob(3), 1}, 0), ObjectNotAppendable);
  EXPECT_ERROR(store().append_object(object("b", "multi"), 10, {blob(3), 1}, 0), ObjectNotAppendable);
  EXPECT_ERROR(store().append_object(object("ghost", "k"), 0, {blob(3), 1}, 0), NoSuchBucket);
  EXPECT_THAT(referenced({3}), ElementsAre(false));
}

TEST_P(MetadataStoreConformance, PutOverAnAppendableObjectFreesItsSegments) {
  make_bucket("b");
  ASSERT_OK(store().append_object(object("b", "log"), 0, {blob(1), 1}, 0));
  ASSERT_OK(store().append_object(object("b", "log"), 1, {blob(2), 1}, 0));
  EXPECT_THAT(put(object("b", "log", {3})), UnorderedElementsAre(blob(1), blob(2)));
  EXPECT_EQ(store().get_object("b", "log")->object_type, "Normal");
}

// ------------------------------------------------------------------ multipart

TEST_P(MetadataStoreConformance, UploadIsCreatedAndFoundOnlyUnderItsKey) {
  EXPECT_ERROR(store().create_upload(upload("ghost", "k", "u1")), NoSuchBucket);
  make_bucket("b");
  ASSERT_OK(store().create_upload(upload("b", "video.mp4", "u1", 42)));
  auto got = store().get_upload("b", "video.mp4", "u1");
  ASSERT_OK(got);
  EXPECT_EQ(got->upload_id, "u1");
  EXPECT_EQ(got->bucket, "b");
  EXPECT_EQ(got->key, "video.mp4");
  EXPECT_EQ(got->initiated_ms, 42);
  EXPECT_EQ(got->object.content_type, "application/x-template");
  EXPECT_EQ(got->object.acl, "public-read");
  EXPECT_THAT(got->object.user_meta, ElementsAre(Pair("origin", "multipart")));

  auto wrong_key = store().get_upload("b", "other.mp4", "u1");
  EXPECT_ERROR(wrong_key, NoSuchUpload);
  ASSERT_NE(find_detail(wrong_key.error(), "UploadId"), nullptr);
  EXPECT_EQ(*find_detail(wrong_key.error(), "UploadId"), "u1");
  EXPECT_ERROR(store().get_upload("b", "video.mp4", "u2"), NoSuchUpload);
}

TEST_P(MetadataStoreConformance, PutPartReplacesTheSameNumberAndFreesTheOldBlob) {
  make_bucket("b");
  ASSERT_OK(store().create_upload(upload("b", "k", "u1")));
  auto freed = store().put_part("u1", part(1, 10));
  ASSERT_OK(freed);
  EXPECT_THAT(*freed, IsEmpty());
  freed = store().put_part("u1", part(1, 11));
  ASSERT_OK(freed);
  EXPECT_THAT(*freed, ElementsAre(blob(10)));
  freed = store().put_part("u1", part(1, 11));  // the same blob again frees nothing
  ASSERT_OK(freed);
  EXPECT_THAT(*freed, IsEmpty());
  EXPECT_THAT(referenced({10, 11}), ElementsAre(false, true));

  auto missing = store().put_part("u-none", part(1, 12));
  EXPECT_ERROR(missing, NoSuchUpload);
  EXPECT_NE(find_detail(missing.error(), "UploadId"), nullptr);
  EXPECT_THAT(referenced({12}), ElementsAre(false));
}

TEST_P(MetadataStoreConformance, ListPartsPagesInNumberOrder) {
  make_bucket("b");
  ASSERT_OK(store().create_upload(upload("b", "k", "u1")));
  for (uint32_t n : {5u, 1u, 3u, 2u, 10000u}) ASSERT_OK(store().put_part("u1", part(n, static_cast<int>(n) + 100)));

  bool truncated = false;
  auto page = store().list_parts("u1", 0, 2, &truncated);
  ASSERT_OK(page);
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].part_number, 1u);
  EXPECT_EQ((*page)[1].part_number, 2u);
  EXPECT_TRUE(truncated);
  const PartRecord& first = (*page)[0];
  EXPECT_EQ(first.etag, "ETAG1");
  EXPECT_EQ(first.md5_hex, "md5-1");
  EXPECT_EQ(first.crc64, 0xF000000000000001ULL);
  EXPECT_EQ(first.size, 100u);
  EXPECT_EQ(first.last_modified_ms, 1700000003001);
  EXPECT_EQ(first.blob_id, blob(101));

  page = store().list_parts("u1", 2, 2, &truncated);
  ASSERT_OK(page);
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].part_number, 3u);
  EXPECT_EQ((*page)[1].part_number, 5u);
  EXPECT_TRUE(truncated);

  page = store().list_parts("u1", 5, 2, &truncated);
  ASSERT_OK(page);
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].part_number, 10000u);
  EXPECT_FALSE(truncated);

  page = store().list_parts("u1", 0, 1000, nullptr);
  ASSERT_OK(page);
  EXPECT_EQ(page->size(), 5u);

  EXPECT_ERROR(store().list_parts("u-none", 0, 10, &truncated), NoSuchUpload);
}

TEST_P(MetadataStoreConformance, CompleteWritesTheObjectAndFreesUnusedPartsAndOldBlobs) {
  make_bucket("b");
  put(object("b", "k", {1}));  // the object the upload replaces
  ASSERT_OK(store().create_upload(upload("b", "k", "u1")));
  ASSERT_OK(store().put_part("u1", part(1, 11)));
  ASSERT_OK(store().put_part("u1", part(2, 12)));
  ASSERT_OK(store().put_part("u1", part(3, 13)));

  ObjectRecord done = object("b", "k");
  done.object_type = "Multipart";
  done.etag = "0123456789ABCDEF0123456789ABCDEF-2";
  done.segments = {{blob(11), 100}, {blob(13), 100}};
  done.size = 200;
  auto freed = store().complete_upload("u1", {part(1, 11), part(3, 13)}, done, {});
  ASSERT_OK(freed);
  EXPECT_THAT(*freed, UnorderedElementsAre(blob(1), blob(12)));

  auto got = store().get_object("b", "k");
  ASSERT_OK(got);
  EXPECT_EQ(got->object_type, "Multipart");
  EXPECT_EQ(got->etag, done.etag);
  EXPECT_EQ(got->segments, done.segments);
  EXPECT_THAT(referenced({1, 11, 12, 13}), ElementsAre(false, true, false, true));
  EXPECT_ERROR(store().get_upload("b", "k", "u1"), NoSuchUpload);
  EXPECT_ERROR(store().list_parts("u1", 0, 10, nullptr), NoSuchUpload);
  EXPECT_ERROR(store().complete_upload("u1", {}, done, {}), NoSuchUpload);
}

TEST_P(MetadataStoreConformance, CompleteRefusesAPartWhoseBlobChanged) {
  make_bucket("b");
  ASSERT_OK(store().create_upload(upload("b", "k", "u1")));
  ASSERT_OK(store().put_part("u1", part(1, 11)));
  ASSERT_OK(store().put_part("u1", part(2, 12)));
  ASSERT_OK(store().put_part("u1", part(2, 22)));  // re-uploaded after the caller read the parts

  ObjectRecord done = object("b", "k", {11, 12});
  auto refused = store().complete_upload("u1", {part(1, 11), part(2, 12)}, done, {});
  EXPECT_ERROR(refused, InvalidPart);
  EXPECT_ERROR(store().complete_upload("u1", {part(1, 11), part(7, 17)}, object("b", "k", {11, 17}), {}), InvalidPart);

  // Nothing changed: the upload and its parts are intact, no object appeared.
  EXPECT_OK(store().get_upload("b", "k", "u1"));
  EXPECT_EQ(store().list_parts("u1", 0, 10, nullptr)->size(), 2u);
  EXPECT_ERROR(store().get_object("b", "k"), NoSuchKey);
  EXPECT_THAT(referenced({11, 12, 22}), ElementsAre(true, false, true));
}

TEST_P(MetadataStoreConformance, CompleteHonoursForbidOverwrite) {
  make_bucket("b");
  put(object("b", "k", {1}));
  ASSERT_OK(store().create_upload(upload("b", "k", "u1")));
  ASSERT_OK(store().put_part("u1", part(1, 11)));
  auto refused = store().complete_upload("u1", {part(1, 11)}, object("b", "k", {11}), PutConditions{true});
  EXPECT_ERROR(refused, FileAlreadyExists);
  EXPECT_OK(store().get_upload("b", "k", "u1"));
  EXPECT_EQ(store().get_object("b", "k")->segments[0].blob_id, blob(1));
  EXPECT_THAT(referenced({1, 11}), ElementsAre(true, true));

  ASSERT_OK(store().delete_object("b", "k"));
  auto freed = store().complete_upload("u1", {part(1, 11)}, object("b", "k", {11}), PutConditions{true});
  ASSERT_OK(freed);
  EXPECT_THAT(*freed, IsEmpty());
}

TEST_P(MetadataStoreConformance, AbortFreesEveryPart) {
  make_bucket("b");
  ASSERT_OK(store().create_upload(upload("b", "k", "u1")));
  ASSERT_OK(store().put_part("u1", part(1, 11)));
  ASSERT_OK(store().put_part("u1", part(2, 12)));
  EXPECT_ERROR(store().abort_upload("b", "other", "u1"), NoSuchUpload);
  EXPECT_ERROR(store().abort_upload("ghost", "k", "u1"), NoSuchBucket);

  auto freed = store().abort_upload("b", "k", "u1");
  ASSERT_OK(freed);
  EXPECT_THAT(*freed, UnorderedElementsAre(blob(11), blob(12)));
  EXPECT_THAT(referenced({11, 12}), ElementsAre(false, false));
  EXPECT_ERROR(store().get_upload("b", "k", "u1"), NoSuchUpload);
  EXPECT_ERROR(store().abort_upload("b", "k", "u1"), NoSuchUpload);
}

std::vector<std::string> upload_ids(const UploadListResult& r) {
  std::vector<std::string> ids;
  for (const auto& u : r.uploads) ids.push_back(u.upload_id);
  return ids;
}

TEST_P(MetadataStoreConformance, ListUploadsOrdersByKeyThenInitiation) {
  make_bucket("b");
  make_bucket("other");
  ASSERT_OK(store().create_upload(upload("other", "a", "x0", 1)));
  ASSERT_OK(store().create_upload(upload("b", "photos/2.jpg", "u-late", 300)));
  ASSERT_OK(store().create_upload(upload("b", "photos/2.jpg", "u-early", 100)));
  ASSERT_OK(store().create_upload(upload("b", "photos/2.jpg", "u-mid", 200)));
  ASSERT_OK(store().create_upload(upload("b", "photos/1.jpg", "u-one", 500)));
  ASSERT_OK(store().create_upload(upload("b", "video/big.mp4", "u-video", 50)));
  ASSERT_OK(store().create_upload(upload("b", "readme", "u-readme", 60)));

  auto all = store().list_uploads("b", {});
  ASSERT_OK(all);
  EXPECT_THAT(upload_ids(*all), ElementsAre("u-one", "u-early", "u-mid", "u-late", "u-readme", "u-video"));
  EXPECT_FALSE(all->truncated);
  EXPECT_EQ(all->uploads[0].key, "photos/1.jpg");
  EXPECT_EQ(all->uploads[0].object.content_type, "application/x-template");

  auto grouped = store().list_uploads("b", {"", "", "", "/", 1000});
  ASSERT_OK(grouped);
  EXPECT_THAT(upload_ids(*grouped), ElementsAre("u-readme"));
  EXPECT_THAT(grouped->common_prefixes, ElementsAre("photos/", "video/"));

  auto prefixed = store().list_uploads("b", {"photos/2", "", "", "", 1000});
  ASSERT_OK(prefixed);
  EXPECT_THAT(upload_ids(*prefixed), ElementsAre("u-early", "u-mid", "u-late"));

  auto after_key = store().list_uploads("b", {"", "photos/2.jpg", "", "", 1000});
  ASSERT_OK(after_key);
  EXPECT_THAT(upload_ids(*after_key), ElementsAre("u-readme", "u-video"));

  auto after_upload = store().list_uploads("b", {"", "photos/2.jpg", "u-early", "", 1000});
  ASSERT_OK(after_upload);
  EXPECT_THAT(upload_ids(*after_upload), ElementsAre("u-mid", "u-late", "u-readme", "u-video"));

  EXPECT_ERROR(store().list_uploads("ghost", {}), NoSuchBucket);
}

TEST_P(MetadataStoreConformance, ListUploadsPagesWithBothMarkers) {
  make_bucket("b");
  std::vector<std::string> expected;
  for (const char* key : {"a", "b/1", "b/2", "c"}) {
    for (int i = 0; i < 3; ++i) {
      std::string id = std::string("up-") + key + "-" + std::to_string(i);
      ASSERT_OK(store().create_upload(upload("b", key, id, 1000 - i)));  // later ids initiated earlier
    }
    for (int i = 2; i >= 0; --i) expected.push_back(std::string("up-") + key + "-" + std::to_string(i));
  }
  for (uint32_t size : {1u, 2u, 4u}) {
    std::vector<std::string> seen;
    UploadListQuery q;
    q.max_uploads = size;
    for (int guard = 0; guard < 50; ++guard) {
      auto page = store().list_uploads("b", q);
      ASSERT_OK(page);
      ASSERT_LE(page->uploads.size(), size);
      for (const auto& id : upload_ids(*page)) seen.push_back(id);
      if (!page->truncated) break;
      EXPECT_EQ(page->next_key_marker, page->uploads.back().key);
      EXPECT_EQ(page->next_upload_id_marker, page->uploads.back().upload_id);
      q.key_marker = page->next_key_marker;
      q.upload_id_marker = page->next_upload_id_marker;
    }
    EXPECT_EQ(seen, expected) << "page size " << size;
  }

  // With a delimiter the b/ group is one entry, and its marker skips the group.
  UploadListQuery q{"", "", "", "/", 2};
  auto page = store().list_uploads("b", q);
  ASSERT_OK(page);
  EXPECT_THAT(upload_ids(*page), ElementsAre("up-a-2", "up-a-1"));
  EXPECT_TRUE(page->truncated);
  q.key_marker = page->next_key_marker;
  q.upload_id_marker = page->next_upload_id_marker;
  page = store().list_uploads("b", q);
  ASSERT_OK(page);
  EXPECT_THAT(upload_ids(*page), ElementsAre("up-a-0"));
  EXPECT_THAT(page->common_prefixes, ElementsAre("b/"));
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_key_marker, "b/");
  EXPECT_EQ(page->next_upload_id_marker, "");
  q.key_marker = page->next_key_marker;
  q.upload_id_marker = page->next_upload_id_marker;
  page = store().list_uploads("b", q);
  ASSERT_OK(page);
  EXPECT_THAT(upload_ids(*page), ElementsAre("up-c-2", "up-c-1"));
  EXPECT_TRUE(page->truncated);
}

TEST_P(MetadataStoreConformance, ListUploadsResumesWhenTheMarkerUploadIsGone) {
  make_bucket("b");
  ASSERT_OK(store().create_upload(upload("b", "k", "u1", 1)));
  ASSERT_OK(store().create_upload(upload("b", "k", "u2", 2)));
  ASSERT_OK(store().create_upload(upload("b", "z", "u3", 3)));
  ASSERT_OK(store().abort_upload("b", "k", "u1"));
  auto page = store().list_uploads("b", {"", "k", "u1", "", 10});
  ASSERT_OK(page);
  EXPECT_THAT(upload_ids(*page), ElementsAre("u2", "u3"));  // nothing skipped
}

// ------------------------------------------------------------------ blobs, persistence

TEST_P(MetadataStoreConformance, BlobsReferencedCoversObjectsAndParts) {
  make_bucket("b");
  auto none = store().blobs_referenced({});
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
  put(object("b", "k", {1}));
  ASSERT_OK(store().create_upload(upload("b", "k", "u1")));
  ASSERT_OK(store().put_part("u1", part(1, 2)));
  EXPECT_THAT(referenced({1, 2, 3}), ElementsAre(true, true, false));
  auto odd = store().blobs_referenced({"not-a-blob-id", ""});
  ASSERT_OK(odd);
  EXPECT_THAT(*odd, ElementsAre(false, false));
}

TEST_P(MetadataStoreConformance, EverythingSurvivesReopen) {
  make_bucket("b", "owner-7");
  ASSERT_OK(store().set_bucket_config("b", "policy", std::string("{\"Version\":\"1\"}")));
  ObjectRecord o = object("b", "k\xFF", {1, 2});
  o.user_meta = {{"m", "v"}};
  put(o);
  ASSERT_OK(store().create_upload(upload("b", "up", "u1")));
  ASSERT_OK(store().put_part("u1", part(1, 3)));

  reopen();
  EXPECT_EQ(store().get_bucket("b")->owner_id, "owner-7");
  EXPECT_EQ(**store().get_bucket_config("b", "policy"), "{\"Version\":\"1\"}");
  auto got = store().get_object("b", "k\xFF");
  ASSERT_OK(got);
  EXPECT_EQ(got->user_meta, o.user_meta);
  EXPECT_EQ(got->segments, o.segments);
  EXPECT_OK(store().get_upload("b", "up", "u1"));
  EXPECT_EQ(store().list_parts("u1", 0, 10, nullptr)->size(), 1u);
  EXPECT_THAT(referenced({1, 2, 3, 4}), ElementsAre(true, true, true, false));
}

// ------------------------------------------------------------------ concurrency

TEST_P(MetadataStoreConformance, ConcurrentAppendsAndPutsLoseNothing) {
  make_bucket("b");
  constexpr int kThreads = 4;
  constexpr int kAppendsPerThread = 12;
  constexpr int kPutsPerThread = 8;
  std::atomic<int> next_blob{1000};
  std::atomic<int> failures{0};
  std::atomic<bool> stop_readers{false};

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAppendsPerThread; ++i) {
        const int b = next_blob++;
        for (int attempt = 0; attempt < 1000; ++attempt) {
          auto current = store().get_object("b", "shared-log");
          const uint64_t position = current.ok() ? current->size : 0;
          auto appended = store().append_object(object("b", "shared-log"), position, {blob(b), 3}, 0);
          if (appended.ok()) break;
          if (appended.error().code != ErrorCode::PositionNotEqualToLength) {
            ++failures;
            break;
          }
        }
      }
      for (int i = 0; i < kPutsPerThread; ++i) {
        if (!store()
                 .put_object(object("b", "t" + std::to_string(t) + "/" + std::to_string(i), {next_blob++}), {})
                 .ok()) {
          ++failures;
        }
      }
    });
  }
  std::thread reader([&] {
    while (!stop_readers) {
      auto listed = store().list_objects("b", {"", "", "/", 1000});
      if (!listed.ok()) ++failures;
    }
  });
  for (auto& thread : threads) thread.join();
  stop_readers = true;
  reader.join();

  EXPECT_EQ(failures.load(), 0);
  auto log = store().get_object("b", "shared-log");
  ASSERT_OK(log);
  EXPECT_EQ(log->segments.size(), static_cast<size_t>(kThreads * kAppendsPerThread));
  EXPECT_EQ(log->size, 3u * kThreads * kAppendsPerThread);
  std::set<std::string> distinct;
  for (const auto& s : log->segments) distinct.insert(s.blob_id);
  EXPECT_EQ(distinct.size(), log->segments.size());
  auto listed = store().list_objects("b", {"", "", "/", 1000});
  ASSERT_OK(listed);
  EXPECT_EQ(listed->common_prefixes.size(), static_cast<size_t>(kThreads));
  for (int t = 0; t < kThreads; ++t) {
    auto page = store().list_objects("b", {"t" + std::to_string(t) + "/", "", "", 1000});
    ASSERT_OK(page);
    EXPECT_EQ(page->objects.size(), static_cast<size_t>(kPutsPerThread));
  }
  std::vector<std::string> all_ids;
  for (int b = 1000; b < next_blob; ++b) all_ids.push_back(blob(b));
  auto refs = store().blobs_referenced(all_ids);
  ASSERT_OK(refs);
  EXPECT_EQ(std::count(refs->begin(), refs->end(), true), static_cast<long>(all_ids.size()));
}

// ------------------------------------------------------------------ implementations

std::vector<StoreFactory> store_factories() {
  return {
      {"Sqlite", [](const fs::path& dir) { return open_sqlite_store(dir / "meta.db"); }},
      // One database per test directory on the binary's throwaway cluster.
      {"Postgres",
       [](const fs::path& dir) -> Result<std::unique_ptr<MetadataStore>> {
         auto conninfo = ossd::test::pg_test_conninfo_for(dir);
         if (!conninfo.ok()) return std::move(conninfo).error();
         return open_pg_metadata_store(*conninfo);
       },
       ossd::test::postgres_skip_reason},
  };
}

INSTANTIATE_TEST_SUITE_P(Stores, MetadataStoreConformance, ::testing::ValuesIn(store_factories()),
                         test::factory_name<MetadataStore>);
INSTANTIATE_TEST_SUITE_P(Stores, ListingConformance, ::testing::ValuesIn(store_factories()),
                         test::factory_name<MetadataStore>);

}  // namespace
}  // namespace ossd::meta
