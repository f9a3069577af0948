#pragma once
// Where requests go and where the bucket name travels (spec §0): the
// endpoint ali-oss derives from its endpoint/region/secure options, and the
// addressing styles it offers.
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace ossd::client {

enum class AddressingStyle {
  Auto,           // VirtualHosted for host names, Path for IP literals
  VirtualHosted,  // http://<bucket>.<endpoint-host>/<key> (ali-oss default)
  Path,           // http://<endpoint-host>/<bucket>/<key> (ali-oss sldEnable)
  Cname,          // http://<endpoint-host>/<key>: the host itself names the bucket (ali-oss cname)
};

struct Endpoint {
  std::string scheme = "http";  // "http" or "https"
  std::string host;             // lower-cased name, IPv4 literal or bracketed IPv6 literal
  std::string port;             // digits as written, empty when absent

  // host[:port], as it appears in URLs and the Host header.
  std::string authority() const;
  // What ali-oss's isIP says: an IPv4 or IPv6 literal.
  bool is_ip() const;
  // The port to connect to: the explicit one or the scheme's default.
  std::string effective_port() const;
};

// ali-oss setEndpoint/setRegion. `text` may omit the scheme (then http,
// or https when `secure`); only http and https are accepted and any path is
// dropped. An empty endpoint becomes http(s)://<region>.aliyuncs.com.
Result<Endpoint> parse_endpoint(std::string_view text, std::string_view region = "oss-cn-hangzhou",
                                bool secure = false);

// Auto resolved for this endpoint.
AddressingStyle effective_style(const Endpoint& endpoint, AddressingStyle style);

// scheme://authority/path of a bucket or object, as ali-oss's _getReqUrl
// builds it: the bucket in the host or the path per style, the key
// encoded like encodeURIComponent with '/' kept. VirtualHosted on an IP
// endpoint is InvalidArgument, like ali-oss's signatureUrl ("can not get
// the object URL when endpoint is IP").
Result<std::string> object_url(const Endpoint& endpoint, AddressingStyle style, std::string_view bucket,
                               std::string_view key);

}  // namespace ossd::client
