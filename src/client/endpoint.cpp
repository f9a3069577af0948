#include "ossd/endpoint.hpp"

#include <arpa/inet.h>

#include "client/url_encoding.hpp"
#include "core/strings.hpp"

namespace ossd::client {

namespace {

Error bad_endpoint(std::string_view text, std::string_view why) {
  return Error(ErrorCode::InvalidArgument, "invalid endpoint '" + std::string(text) + "': " + std::string(why));
}

bool all_digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

std::string Endpoint::authority() const { return port.empty() ? host : host + ":" + port; }

bool Endpoint::is_ip() const {
  unsigned char out[16];
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    return inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), out) == 1;
  }
  return inet_pton(AF_INET, host.c_str(), out) == 1;
}

std::string Endpoint::effective_port() const {
  if (!port.empty()) return port;
  return scheme == "https" ? "443" : "80";
}

Result<Endpoint> parse_endpoint(std::string_view text, std::string_view region, bool secure) {
  Endpoint endpoint;
  endpoint.scheme = secure ? "https" : "http";
  std::string derived;
  if (trim(text).empty()) {
    if (trim(region).empty()) return Error(ErrorCode::InvalidArgument, "an endpoint or a region is required");
    // ali-oss setRegion: the public endpoint of the region.
    derived = std::string(trim(region)) + ".aliyuncs.com";
    text = derived;
  }
  std::string_view rest = trim(text);
  if (auto scheme_end = rest.find("://"); scheme_end != std::string_view::npos) {
    std::string scheme = to_lower(rest.substr(0, scheme_end));
    if (scheme != "http" && scheme != "https") return bad_endpoint(text, "the scheme must be http or https");
    endpoint.scheme = scheme;
    rest.remove_prefix(scheme_end + 3);
  }
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (rest.find('@') != std::string_view::npos) return bad_endpoint(text, "user information is not supported");

  std::string_view host = rest;
  std::string_view port;
  if (rest.starts_with('[')) {
    auto close = rest.find(']');
    if (close == std::string_view::npos) return bad_endpoint(text, "unterminated IPv6 literal");
    host = rest.substr(0, close + 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad_endpoint(text, "unexpected text after the IPv6 literal");
      port = after.substr(1);
    }
  } else if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty()) return bad_endpoint(text, "no host");
  if (!port.empty() || rest.ends_with(':')) {
    if (!all_digits(port) || port.size() > 5 || std::stoul(std::string(port)) > 65535) {
      return bad_endpoint(text, "the port must be a number up to 65535");
    }
  }
  endpoint.host = to_lower(host);
  endpoint.port = std::string(port);
  if (endpoint.host.starts_with('[') && !endpoint.is_ip()) return bad_endpoint(text, "invalid IPv6 literal");
  return endpoint;
}

AddressingStyle effective_style(const Endpoint& endpoint, AddressingStyle style) {
  if (style != AddressingStyle::Auto) return style;
  return endpoint.is_ip() ? AddressingStyle::Path : AddressingStyle::VirtualHosted;
}

Result<std::string> object_url(const Endpoint& endpoint, AddressingStyle style, std::string_view bucket,
                               std::string_view key) {
  style = effective_style(endpoint, style);
  std::string authority = endpoint.authority();
  std::string path = "/";
  if (!bucket.empty()) {
    switch (style) {
      case AddressingStyle::VirtualHosted:
        if (endpoint.is_ip()) {
          return Error(ErrorCode::InvalidArgument, "can not get the object URL when endpoint is IP");
        }
        authority = std::string(bucket) + "." + authority;
        break;
      case AddressingStyle::Path:
        path.append(bucket);
        path.push_back('/');
        break;
      case AddressingStyle::Cname:
      case AddressingStyle::Auto: break;
    }
  }
  path.append(detail::escape_object_path(key));
  return endpoint.scheme + "://" + authority + path;
}

}  // namespace ossd::client
