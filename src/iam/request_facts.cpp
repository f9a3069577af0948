#include "iam/request_facts.hpp"

#include "core/strings.hpp"
#include "core/time_format.hpp"

namespace ossd::iam {

namespace {

const std::string* find_header(const std::vector<HeaderField>* headers, std::string_view name) {
  if (!headers) return nullptr;
  for (const auto& header : *headers) {
    if (iequals(header.name, name)) return &header.value;
  }
  return nullptr;
}

const std::string* find_param(const std::vector<QueryParam>* query, std::string_view name) {
  if (!query) return nullptr;
  for (const auto& param : *query) {
    if (param.name == name) return &param.value;
  }
  return nullptr;
}

// A dual-stack listener reports IPv4 peers as "::ffff:a.b.c.d"; policies name
// them as IPv4, so acs:SourceIp carries the IPv4 form.
std::string_view plain_ip(std::string_view address) {
  constexpr std::string_view kMapped = "::ffff:";
  if (address.size() > kMapped.size() && iequals(address.substr(0, kMapped.size()), kMapped) &&
      address.find('.') != std::string_view::npos) {
    return address.substr(kMapped.size());
  }
  return address;
}

}  // namespace

std::string service_arn(std::string_view account_id) {
  std::string arn = "acs:oss:*:";
  arn += account_id;
  arn += ":*";
  return arn;
}

std::string oss_resource_arn(std::string_view account_id, std::string_view bucket, std::string_view key) {
  if (bucket.empty()) return service_arn(account_id);
  std::string arn = "acs:oss:*:";
  arn += account_id;
  arn += ':';
  arn += bucket;
  if (!key.empty()) {
    arn += '/';
    arn += key;
  }
  return arn;
}

policy::Facts oss_request_facts(const OssRequest& request) {
  policy::Facts facts;
  facts.action = std::string(request.action);
  facts.resource = oss_resource_arn(request.account_id, request.bucket, request.key);
  auto set = [&](std::string name, std::string_view value) { facts.keys[std::move(name)] = {std::string(value)}; };

  set("acs:sourceip", plain_ip(request.source_ip));
  set("acs:currenttime", format_iso8601(request.now));
  set("acs:securetransport", request.secure_transport ? "true" : "false");
  if (!request.access_key_id.empty()) set("acs:accessid", request.access_key_id);
  if (const std::string* agent = find_header(request.headers, "User-Agent")) set("acs:useragent", *agent);
  if (const std::string* referer = find_header(request.headers, "Referer")) set("acs:referer", *referer);
  if (request.listing) {
    const std::string* prefix = find_param(request.query, "prefix");
    const std::string* delimiter = find_param(request.query, "delimiter");
    set("oss:prefix", prefix ? std::string_view(*prefix) : std::string_view());
    set("oss:delimiter", delimiter ? std::string_view(*delimiter) : std::string_view());
  }
  if (const std::string* acl = find_header(request.headers, "x-oss-object-acl")) set("oss:x-oss-object-acl", *acl);
  if (const std::string* storage = find_header(request.headers, "x-oss-storage-class")) {
    set("oss:x-oss-storage-class", *storage);
  }
  return facts;
}

}  // namespace ossd::iam
