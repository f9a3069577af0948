#pragma once
// Which bucket and key a request names: virtual-hosted (bucket in Host),
// CNAME (Host mapped to a bucket) or path style (/<bucket>/<key>). See
// DESIGN.md "Addressing" and OSS-PROTOCOL.md section 0.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "core/strings.hpp"

namespace ossd::oss {

struct AddressingConfig {
  std::string domain = "localhost";  // <bucket>.<domain> is virtual-hosted
  std::string region = "oss-cn-hangzhou";
  std::vector<std::pair<std::string, std::string>> cnames;  // host -> bucket
  // What GetBucketInfo/ListBuckets advertise; empty = domain.
  std::string extranet_endpoint;
  std::string intranet_endpoint;
};

struct Resource {
  std::string bucket;             // decoded; empty = service level
  std::string key;                // decoded; empty = bucket level
  std::string raw_query;          // as received, without '?'
  std::vector<QueryParam> query;  // decoded
  bool virtual_hosted = false;    // bucket came from Host (vhost or CNAME)
  std::string host;               // Host (or absolute-form authority) lower-cased, port removed
};

// Resolution order:
//   1. Host is a configured CNAME                       -> that bucket
//   2. Host is <bucket>.<domain>, or
//      <bucket>.oss-<region>[-internal].aliyuncs.com    -> bucket from Host
//   3. anything else (bare domain, IP, [IPv6], unknown)  -> path style
// With the bucket in Host the whole path after the leading '/' is the key,
// even when it starts with the bucket's own name. In path style "/" is the
// service, "/<bucket>" and "/<bucket>/" the bucket, "/<bucket>/<key>" an
// object. The bucket and key are percent-decoded separately ("%2F" becomes
// '/' inside the key; '+' stays '+'). An absolute-form target
// (http://host/path) takes its host from the target, as RFC 7230 requires.
// Names are not validated here (see names.hpp), except that a path-style
// "//..." (empty bucket segment) is InvalidBucketName. A target that is not
// origin- or absolute-form, or a bad %-escape, is InvalidArgument.
Result<Resource> resolve_resource(std::string_view host_header, std::string_view request_target,
                                  const AddressingConfig& config);

// "Host" without its port and lower-cased: "a.b:80" -> "a.b", "[::1]:9000" -> "[::1]".
std::string normalize_host(std::string_view host);

}  // namespace ossd::oss
