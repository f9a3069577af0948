#include "oss/addressing.hpp"

#include <optional>

namespace ossd::oss {

namespace {

constexpr std::string_view kAliyunSuffix = ".aliyuncs.com";

Error bad_uri(std::string_view target, const char* why) {
  return Error(ErrorCode::InvalidArgument, why).with("ArgumentName", "URI").with("ArgumentValue", std::string(target));
}

bool all_digits(std::string_view text) {
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// The bucket named by the Host, if the Host is one of ours.
std::optional<std::string> bucket_from_host(std::string_view host, const AddressingConfig& config) {
  if (host.empty() || host.front() == '[') return std::nullopt;
  for (const auto& [name, bucket] : config.cnames) {
    if (normalize_host(name) == host) return bucket;
  }
  const std::string domain = normalize_host(config.domain);
  if (!domain.empty() && host.size() > domain.size() + 1 && ends_with(host, domain) &&
      host[host.size() - domain.size() - 1] == '.') {
    return std::string(host.substr(0, host.size() - domain.size() - 1));
  }
  // <bucket>.oss-<region>[-internal].aliyuncs.com, which the node SDK sends
  // as Host whenever its endpoint is an IP address.
  if (ends_with(host, kAliyunSuffix)) {
    std::string_view rest = host.substr(0, host.size() - kAliyunSuffix.size());
    const std::size_t dot = rest.rfind('.');
    if (dot != std::string_view::npos && dot > 0 && rest.substr(dot + 1).starts_with("oss-")) {
      return std::string(rest.substr(0, dot));
    }
  }
  return std::nullopt;
}

}  // namespace

std::string normalize_host(std::string_view host) {
  host = trim(host);
  if (!host.empty() && host.front() == '[') {
    const std::size_t close = host.find(']');
    if (close != std::string_view::npos) return to_lower(host.substr(0, close + 1));
    return to_lower(host);
  }
  const std::size_t colon = host.rfind(':');
  if (colon != std::string_view::npos && all_digits(host.substr(colon + 1))) host = host.substr(0, colon);
  // "example.com." names the same host as "example.com".
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  return to_lower(host);
}

Result<Resource> resolve_resource(std::string_view host_header, std::string_view request_target,
                                  const AddressingConfig& config) {
  std::string_view target = request_target;
  std::string_view authority = host_header;
  bool absolute = false;
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (istarts_with(target, scheme)) {
      target.remove_prefix(scheme.size());
      const std::size_t end = target.find_first_of("/?");
      authority = target.substr(0, end);
      if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
        authority.remove_prefix(at + 1);
      }
      target = end == std::string_view::npos ? std::string_view{} : target.substr(end);
      absolute = true;
      break;
    }
  }
  // An absolute-form target may end right after its authority or go
  // straight to the query: both mean the path "/".
  if (!absolute && (target.empty() || target.front() != '/')) {
    return bad_uri(request_target, "Couldn't parse the specified URI.");
  }

  Resource resource;
  const std::size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  if (question != std::string_view::npos) resource.raw_query = std::string(target.substr(question + 1));
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);

  auto query = parse_query(resource.raw_query);
  if (!query) return bad_uri(request_target, "The query string is not correctly URL-encoded.");
  resource.query = std::move(*query);

  resource.host = normalize_host(authority);
  if (auto bucket = bucket_from_host(resource.host, config)) {
    auto key = percent_decode(path);
    if (!key) return bad_uri(request_target, "The object key is not correctly URL-encoded.");
    resource.bucket = std::move(*bucket);
    resource.key = std::move(*key);
    resource.virtual_hosted = true;
    return resource;
  }

  // Split before decoding so an escaped "%2F" in the bucket segment cannot
  // move the bucket/key boundary.
  const std::size_t slash = path.find('/');
  auto bucket = percent_decode(path.substr(0, slash));
  if (!bucket) return bad_uri(request_target, "The bucket name is not correctly URL-encoded.");
  // "//key" would otherwise reach routing as a service-level request.
  if (bucket->empty() && slash != std::string_view::npos) {
    return Error(ErrorCode::InvalidBucketName).with("BucketName", "");
  }
  resource.bucket = std::move(*bucket);
  if (slash != std::string_view::npos) {
    auto key = percent_decode(path.substr(slash + 1));
    if (!key) return bad_uri(request_target, "The object key is not correctly URL-encoded.");
    resource.key = std::move(*key);
  }
  return resource;
}

}  // namespace ossd::oss
