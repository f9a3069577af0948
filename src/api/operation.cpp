#include "api/operation.hpp"

#include <algorithm>

namespace ossd::api {

std::string_view operation_name(Operation op) {
  switch (op) {
#define OSSD_CASE(name, action, level) \
  case Operation::name: return #name;
    OSSD_OPERATIONS(OSSD_CASE)
#undef OSSD_CASE
  }
  return "Unknown";
}

std::string_view ram_action(Operation op) {
  switch (op) {
#define OSSD_CASE(name, action, level) \
  case Operation::name: return action;
    OSSD_OPERATIONS(OSSD_CASE)  // NOLINT(bugprone-branch-clone): one case per operation, equal values are by design
#undef OSSD_CASE
  }
  return "";
}

Level operation_level(Operation op) {
  switch (op) {
#define OSSD_CASE(name, action, level) \
  case Operation::name: return Level::level;
    OSSD_OPERATIONS(OSSD_CASE)  // NOLINT(bugprone-branch-clone): one case per operation, equal values are by design
#undef OSSD_CASE
  }
  return Level::Object;
}

std::vector<Operation> all_operations() {
  return {
#define OSSD_ITEM(name, action, level) Operation::name,
      OSSD_OPERATIONS(OSSD_ITEM)
#undef OSSD_ITEM
  };
}

namespace {

bool has_param(const std::vector<QueryParam>& query, std::string_view name) {
  return std::any_of(query.begin(), query.end(), [&](const QueryParam& p) { return p.name == name; });
}

const std::string* param_value(const std::vector<QueryParam>& query, std::string_view name) {
  for (const auto& p : query) {
    if (p.name == name) return &p.value;
  }
  return nullptr;
}

bool has_header(const std::vector<HeaderField>& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(), [&](const HeaderField& h) { return iequals(h.name, name); });
}

// Bucket sub-resources OSS defines that ossd does not serve yet: answered
// with NotImplemented rather than being mistaken for a listing.
constexpr std::string_view kUnservedBucketResources[] = {
    "lifecycle", "logging", "website",   "referer",      "replication", "encryption",     "versioning",
    "versions",  "worm",    "inventory", "tagging",      "qos",         "requestPayment", "transferAcceleration",
    "stat",      "cname",   "metaQuery", "resourceGroup"};

Error not_allowed(std::string_view method) {
  return Error(ErrorCode::MethodNotAllowed, "The specified method is not allowed against this resource.")
      .with("Method", std::string(method));
}

Result<Operation> classify_service(std::string_view method) {
  if (method == "GET") return Operation::ListBuckets;
  return not_allowed(method);
}

Result<Operation> classify_bucket(std::string_view method, const std::vector<QueryParam>& q) {
  if (method == "OPTIONS") return Operation::OptionObject;
  for (auto name : kUnservedBucketResources) {
    if (has_param(q, name)) {
      return Error(ErrorCode::NotImplemented,
                   "ossd does not implement the " + std::string(name) + " sub-resource yet.");
    }
  }
  if (has_param(q, "style")) {
    // PutStyle/GetStyle/DeleteStyle name one style; GET without a name lists them.
    const bool named = has_param(q, "styleName");
    if (method == "PUT" && named) return Operation::PutStyle;
    if (method == "GET") return named ? Operation::GetStyle : Operation::ListStyle;
    if (method == "DELETE" && named) return Operation::DeleteStyle;
    if (!named && (method == "PUT" || method == "DELETE")) {
      return Error(ErrorCode::MissingArgument, "The styleName parameter is required.")
          .with("ArgumentName", "styleName");
    }
    return not_allowed(method);
  }
  if (has_param(q, "policy")) {
    if (method == "PUT") return Operation::PutBucketPolicy;
    if (method == "GET") return Operation::GetBucketPolicy;
    if (method == "DELETE") return Operation::DeleteBucketPolicy;
    return not_allowed(method);
  }
  if (has_param(q, "cors")) {
    if (method == "PUT") return Operation::PutBucketCors;
    if (method == "GET") return Operation::GetBucketCors;
    if (method == "DELETE") return Operation::DeleteBucketCors;
    return not_allowed(method);
  }
  if (method == "GET") {
    if (has_param(q, "acl")) return Operation::GetBucketAcl;
    if (has_param(q, "bucketInfo")) return Operation::GetBucketInfo;
    if (has_param(q, "location")) return Operation::GetBucketLocation;
    if (has_param(q, "uploads")) return Operation::ListMultipartUploads;
    const std::string* list_type = param_value(q, "list-type");
    if (list_type && *list_type == "2") return Operation::ListObjectsV2;
    return Operation::ListObjects;
  }
  if (method == "PUT") {
    if (has_param(q, "acl")) return Operation::PutBucketAcl;
    return Operation::PutBucket;
  }
  if (method == "DELETE") return Operation::DeleteBucket;
  if (method == "POST") {
    if (has_param(q, "delete")) return Operation::DeleteMultipleObjects;
    // A browser form posts to the bucket itself, without sub-resources.
    if (q.empty()) return Operation::PostObject;
  }
  return not_allowed(method);
}

Result<Operation> classify_object(std::string_view method, const std::vector<QueryParam>& q,
                                  const std::vector<HeaderField>& headers) {
  const bool upload_id = has_param(q, "uploadId");
  if (method == "OPTIONS") return Operation::OptionObject;
  if (method == "GET") {
    if (has_param(q, "acl")) return Operation::GetObjectAcl;
    if (has_param(q, "tagging")) return Operation::GetObjectTagging;
    if (upload_id) return Operation::ListParts;
    return Operation::GetObject;
  }
  if (method == "HEAD") {
    if (has_param(q, "objectMeta")) return Operation::GetObjectMeta;
    return Operation::HeadObject;
  }
  if (method == "PUT") {
    if (has_param(q, "acl")) return Operation::PutObjectAcl;
    if (has_param(q, "tagging")) return Operation::PutObjectTagging;
    const bool copy = has_header(headers, "x-oss-copy-source");
    if (upload_id || has_param(q, "partNumber")) return copy ? Operation::UploadPartCopy : Operation::UploadPart;
    return copy ? Operation::CopyObject : Operation::PutObject;
  }
  if (method == "DELETE") {
    if (has_param(q, "tagging")) return Operation::DeleteObjectTagging;
    if (upload_id) return Operation::AbortMultipartUpload;
    return Operation::DeleteObject;
  }
  if (method == "POST") {
    if (has_param(q, "append")) return Operation::AppendObject;
    if (has_param(q, "uploads")) return Operation::InitiateMultipartUpload;
    if (upload_id) return Operation::CompleteMultipartUpload;
    // sys/saveas: the process text travels in the form body.
    if (has_param(q, "x-oss-process")) return Operation::ProcessObject;
    if (has_param(q, "restore") || has_param(q, "symlink")) {
      return Error(ErrorCode::NotImplemented, "ossd does not implement this object operation yet.");
    }
  }
  return not_allowed(method);
}

}  // namespace

Result<Operation> classify(std::string_view method, bool has_bucket, bool has_key, const std::vector<QueryParam>& query,
                           const std::vector<HeaderField>& headers) {
  if (!has_bucket) return classify_service(method);
  if (!has_key) return classify_bucket(method, query);
  return classify_object(method, query, headers);
}

}  // namespace ossd::api
