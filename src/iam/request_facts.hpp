#pragma once
// The facts of one OSS request that RAM policies judge (spec §7): the action,
// the resource ARN and the condition keys. Pure: every input is a value.
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/header_field.hpp"
#include "core/strings.hpp"
#include "policy/policy.hpp"

namespace ossd::iam {

struct OssRequest {
  std::string_view action;         // "oss:GetObject"
  std::string_view account_id;     // the account owning the bucket
  std::string_view bucket;         // "" for service-level actions (ListBuckets)
  std::string_view key;            // "" for bucket-level actions
  std::string_view source_ip;      // the peer's address, without port
  std::string_view access_key_id;  // "" when anonymous
  bool secure_transport = false;   // arrived over TLS
  // ListObjects / ListObjectsV2: oss:Prefix and oss:Delimiter come from the
  // query ("" when absent, so `StringEquals oss:Prefix ""` means "no prefix").
  bool listing = false;
  const std::vector<QueryParam>* query = nullptr;
  const std::vector<HeaderField>* headers = nullptr;
  SystemTime now;
};

// Facts with action, resource and the keys (lower-cased names):
//   acs:sourceip, acs:currenttime ("2024-05-20T08:30:00Z"), acs:securetransport
//   ("true"/"false"), acs:accessid (when signed), acs:useragent and acs:referer
//   (when sent), oss:prefix and oss:delimiter (listings), oss:x-oss-object-acl
//   and oss:x-oss-storage-class (when those headers are sent).
// principal_ids is left empty: the Authorizer fills it from the identity.
policy::Facts oss_request_facts(const OssRequest& request);

// Resource ARNs (spec §7). Region is "*": ossd serves one region, and
// policies name it with "*" (acs:oss:*:*:bucket/key*).
//   service: acs:oss:*:<account>:*
//   bucket:  acs:oss:*:<account>:<bucket>
//   object:  acs:oss:*:<account>:<bucket>/<key>
std::string service_arn(std::string_view account_id);
std::string oss_resource_arn(std::string_view account_id, std::string_view bucket, std::string_view key);

}  // namespace ossd::iam
