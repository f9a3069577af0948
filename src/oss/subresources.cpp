#include "oss/subresources.hpp"

#include <algorithm>
#include <array>

namespace ossd::oss {

namespace {

// Union of the Python and Go SDK lists (spec §1), sorted for binary search.
// A name missing here makes SDK-signed requests using it fail with
// SignatureDoesNotMatch; an extra name makes unsigned parameters mismatch.
constexpr std::array<std::string_view, 73> kSubresources = [] {
  std::array<std::string_view, 73> names = {
      "acl",
      "append",
      "asyncFetch",
      "bucketInfo",
      "callback",
      "callback-var",
      "cname",
      "comp",
      "continuation-token",
      "cors",
      "delete",
      "encryption",
      "endTime",
      "group",
      "img",
      "inventory",
      "inventoryId",
      "lifecycle",
      "link",
      "live",
      "location",
      "logging",
      "metaQuery",
      "objectInfo",
      "objectMeta",
      "partNumber",
      "policy",
      "position",
      "qos",
      "qosInfo",
      "referer",
      "replication",
      "replicationLocation",
      "replicationProgress",
      "requestPayment",
      "resourceGroup",
      "response-cache-control",
      "response-content-disposition",
      "response-content-encoding",
      "response-content-language",
      "response-content-type",
      "response-expires",
      "restore",
      "security-token",
      "sequential",
      "startTime",
      "stat",
      "status",
      "style",
      "styleName",
      "symlink",
      "tagging",
      "transferAcceleration",
      "udf",
      "udfApplication",
      "udfApplicationLog",
      "udfId",
      "udfImage",
      "udfImageDesc",
      "udfName",
      "uploadId",
      "uploads",
      "versionId",
      "versioning",
      "versions",
      "vod",
      "website",
      "worm",
      "wormExtend",
      "wormId",
      "x-oss-process",
      "x-oss-request-payer",
      "x-oss-traffic-limit",
  };
  std::sort(names.begin(), names.end());
  return names;
}();

}  // namespace

bool is_v1_subresource(std::string_view name) {
  return std::binary_search(kSubresources.begin(), kSubresources.end(), name);
}

}  // namespace ossd::oss
