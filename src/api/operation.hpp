#pragma once
// The route table: which OSS operation a request is, and the RAM action that
// authorizes it. Every operation names its action, so authorization runs in
// the pipeline before any handler (DESIGN "life of a request").
#include <string_view>
#include <vector>

#include "core/header_field.hpp"
#include "core/result.hpp"
#include "core/strings.hpp"

namespace ossd::api {

#define OSSD_OPERATIONS(X) \
  X(ListBuckets, "oss:ListBuckets", Service) \
  X(PutBucket, "oss:PutBucket", Bucket) \
  X(DeleteBucket, "oss:DeleteBucket", Bucket) \
  X(GetBucketInfo, "oss:GetBucketInfo", Bucket) \
  X(GetBucketLocation, "oss:GetBucketLocation", Bucket) \
  X(GetBucketAcl, "oss:GetBucketAcl", Bucket) \
  X(PutBucketAcl, "oss:PutBucketAcl", Bucket) \
  X(ListObjects, "oss:ListObjects", Bucket) \
  X(ListObjectsV2, "oss:ListObjects", Bucket) \
  X(ListMultipartUploads, "oss:ListMultipartUploads", Bucket) \
  X(DeleteMultipleObjects, "oss:DeleteObject", Bucket) \
  X(PutBucketCors, "oss:PutBucketCors", Bucket) \
  X(GetBucketCors, "oss:GetBucketCors", Bucket) \
  X(DeleteBucketCors, "oss:DeleteBucketCors", Bucket) \
  X(PutBucketPolicy, "oss:PutBucketPolicy", Bucket) \
  X(GetBucketPolicy, "oss:GetBucketPolicy", Bucket) \
  X(DeleteBucketPolicy, "oss:DeleteBucketPolicy", Bucket) \
  X(PutStyle, "oss:PutStyle", Bucket) \
  X(GetStyle, "oss:GetStyle", Bucket) \
  X(ListStyle, "oss:ListStyle", Bucket) \
  X(DeleteStyle, "oss:DeleteStyle", Bucket) \
  X(OptionObject, "oss:OptionObject", Bucket) \
  X(PostObject, "oss:PutObject", Bucket) \
  X(PutObject, "oss:PutObject", Object) \
  X(CopyObject, "oss:PutObject", Object) \
  X(GetObject, "oss:GetObject", Object) \
  X(HeadObject, "oss:GetObject", Object) \
  X(GetObjectMeta, "oss:GetObject", Object) \
  X(ProcessObject, "oss:GetObject", Object) \
  X(DeleteObject, "oss:DeleteObject", Object) \
  X(AppendObject, "oss:PutObject", Object) \
  X(GetObjectAcl, "oss:GetObjectAcl", Object) \
  X(PutObjectAcl, "oss:PutObjectAcl", Object) \
  X(GetObjectTagging, "oss:GetObjectTagging", Object) \
  X(PutObjectTagging, "oss:PutObjectTagging", Object) \
  X(DeleteObjectTagging, "oss:DeleteObjectTagging", Object) \
  X(InitiateMultipartUpload, "oss:PutObject", Object) \
  X(UploadPart, "oss:PutObject", Object) \
  X(UploadPartCopy, "oss:PutObject", Object) \
  X(CompleteMultipartUpload, "oss:PutObject", Object) \
  X(AbortMultipartUpload, "oss:AbortMultipartUpload", Object) \
  X(ListParts, "oss:ListParts", Object)

enum class Operation {
#define OSSD_ENUM(name, action, level) name,
  OSSD_OPERATIONS(OSSD_ENUM)
#undef OSSD_ENUM
};

enum class Level { Service, Bucket, Object };

std::string_view operation_name(Operation op);
std::string_view ram_action(Operation op);
Level operation_level(Operation op);
std::vector<Operation> all_operations();

// OptionObject (a CORS preflight, on a bucket or an object path) is never
// authenticated or authorized: browsers cannot sign it, and it reveals only
// the bucket's CORS rules for the asking origin. PostObject (a form POST to
// the bucket) authenticates from the form's fields, not from the request head.
//
// Classifies a request by method, whether it names a bucket and a key, its
// sub-resources and (for copies) headers. MethodNotAllowed / NotImplemented
// for anything OSS does not define or ossd does not serve yet.
Result<Operation> classify(std::string_view method, bool has_bucket, bool has_key, const std::vector<QueryParam>& query,
                           const std::vector<HeaderField>& headers);

}  // namespace ossd::api
