// The route table: every operation has a RAM action, and each request shape
// OSS defines lands on the operation ali-oss means by it.
#include <gtest/gtest.h>

#include <set>

#include "api/operation.hpp"

namespace ossd::api {
namespace {

std::vector<QueryParam> q(std::initializer_list<const char*> names) {
  std::vector<QueryParam> out;
  for (const char* n : names) out.push_back({n, "", false});
  return out;
}

Operation route(std::string_view method, bool bucket, bool key, std::vector<QueryParam> query = {},
                std::vector<HeaderField> headers = {}) {
  auto op = classify(method, bucket, key, query, headers);
  EXPECT_TRUE(op.ok()) << method;
  return op.ok() ? op.value() : Operation::ListBuckets;
}

TEST(RouteTable, EveryOperationNamesAnOssAction) {
  std::set<std::string_view> names;
  for (Operation op : all_operations()) {
    EXPECT_TRUE(ram_action(op).starts_with("oss:")) << operation_name(op);
    EXPECT_TRUE(names.insert(operation_name(op)).second) << "duplicate name " << operation_name(op);
  }
  EXPECT_EQ(names.size(), all_operations().size());
}

TEST(RouteTable, ServiceLevel) {
  EXPECT_EQ(route("GET", false, false), Operation::ListBuckets);
  auto put = classify("PUT", false, false, {}, {});
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.error().code, ErrorCode::MethodNotAllowed);
}

TEST(RouteTable, BucketLevel) {
  EXPECT_EQ(route("PUT", true, false), Operation::PutBucket);
  EXPECT_EQ(route("DELETE", true, false), Operation::DeleteBucket);
  EXPECT_EQ(route("GET", true, false), Operation::ListObjects);
  EXPECT_EQ(route("GET", true, false, {{"list-type", "2", true}}), Operation::ListObjectsV2);
  EXPECT_EQ(route("GET", true, false, {{"list-type", "1", true}}), Operation::ListObjects);
  EXPECT_EQ(route("GET", true, false, q({"acl"})), Operation::GetBucketAcl);
  EXPECT_EQ(route("PUT", true, false, q({"acl"})), Operation::PutBucketAcl);
  EXPECT_EQ(route("GET", true, false, q({"bucketInfo"})), Operation::GetBucketInfo);
  EXPECT_EQ(route("GET", true, false, q({"location"})), Operation::GetBucketLocation);
  EXPECT_EQ(route("GET", true, false, q({"uploads"})), Operation::ListMultipartUploads);
  EXPECT_EQ(route("POST", true, false, q({"delete"})), Operation::DeleteMultipleObjects);
  EXPECT_EQ(route("PUT", true, false, q({"policy"})), Operation::PutBucketPolicy);
  EXPECT_EQ(route("GET", true, false, q({"policy"})), Operation::GetBucketPolicy);
  EXPECT_EQ(route("DELETE", true, false, q({"policy"})), Operation::DeleteBucketPolicy);
  EXPECT_EQ(ram_action(Operation::PutBucketPolicy), "oss:PutBucketPolicy");
  EXPECT_EQ(ram_action(Operation::GetBucketPolicy), "oss:GetBucketPolicy");
  EXPECT_EQ(ram_action(Operation::DeleteBucketPolicy), "oss:DeleteBucketPolicy");
  auto post_policy = classify("POST", true, false, q({"policy"}), {});
  ASSERT_FALSE(post_policy.ok());
  EXPECT_EQ(post_policy.error().code, ErrorCode::MethodNotAllowed);
}

TEST(RouteTable, UnservedBucketResourcesAreNotMistakenForListings) {
  auto website = classify("GET", true, false, q({"website"}), {});
  ASSERT_FALSE(website.ok());
  EXPECT_EQ(website.error().code, ErrorCode::NotImplemented);
  auto lifecycle = classify("PUT", true, false, q({"lifecycle"}), {});
  ASSERT_FALSE(lifecycle.ok());
  EXPECT_EQ(lifecycle.error().code, ErrorCode::NotImplemented);
}

TEST(RouteTable, ObjectLevel) {
  const std::vector<HeaderField> copy = {{"x-oss-copy-source", "/b/k"}};
  EXPECT_EQ(route("PUT", true, true), Operation::PutObject);
  EXPECT_EQ(route("PUT", true, true, {}, copy), Operation::CopyObject);
  EXPECT_EQ(route("PUT", true, true, {}, {{"X-OSS-COPY-SOURCE", "/b/k"}}), Operation::CopyObject);
  EXPECT_EQ(route("GET", true, true), Operation::GetObject);
  EXPECT_EQ(route("HEAD", true, true), Operation::HeadObject);
  EXPECT_EQ(route("HEAD", true, true, q({"objectMeta"})), Operation::GetObjectMeta);
  EXPECT_EQ(route("DELETE", true, true), Operation::DeleteObject);
  EXPECT_EQ(route("POST", true, true, q({"append", "position"})), Operation::AppendObject);
  EXPECT_EQ(route("GET", true, true, q({"acl"})), Operation::GetObjectAcl);
  EXPECT_EQ(route("PUT", true, true, q({"acl"})), Operation::PutObjectAcl);
  EXPECT_EQ(route("GET", true, true, q({"tagging"})), Operation::GetObjectTagging);
  EXPECT_EQ(route("PUT", true, true, q({"tagging"})), Operation::PutObjectTagging);
  EXPECT_EQ(route("DELETE", true, true, q({"tagging"})), Operation::DeleteObjectTagging);
  EXPECT_EQ(route("POST", true, true, q({"uploads"})), Operation::InitiateMultipartUpload);
  EXPECT_EQ(route("PUT", true, true, q({"partNumber", "uploadId"})), Operation::UploadPart);
  EXPECT_EQ(route("PUT", true, true, q({"partNumber", "uploadId"}), copy), Operation::UploadPartCopy);
  EXPECT_EQ(route("POST", true, true, q({"uploadId"})), Operation::CompleteMultipartUpload);
  EXPECT_EQ(route("DELETE", true, true, q({"uploadId"})), Operation::AbortMultipartUpload);
  EXPECT_EQ(route("GET", true, true, q({"uploadId"})), Operation::ListParts);
}

TEST(RouteTable, UnknownMethodsAreRejected) {
  for (const char* method : {"PATCH", "TRACE", "CONNECT", "FOO"}) {
    auto op = classify(method, true, true, {}, {});
    ASSERT_FALSE(op.ok()) << method;
    EXPECT_EQ(op.error().code, ErrorCode::MethodNotAllowed);
  }
}

}  // namespace
}  // namespace ossd::api
