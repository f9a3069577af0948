#pragma once
// The client behind a front. A load balancer or reverse proxy that ends the
// client's connection reports the client's address in X-Forwarded-For and its
// scheme in X-Forwarded-Proto. Anyone can send those headers, so they are
// believed only from the networks named with --trusted-proxy.
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/header_field.hpp"
#include "core/result.hpp"

namespace ossd::http {

class TrustedProxies {
 public:
  // Addresses or networks: "10.0.0.0/8", "127.0.0.1", "fd00::/8", "::1".
  // InvalidArgument names the first entry that is neither.
  static Result<TrustedProxies> parse(const std::vector<std::string>& entries);

  bool empty() const { return v4_.empty() && v6_.empty(); }
  // An IPv4-mapped IPv6 address ("::ffff:10.0.0.1") counts as its IPv4 form.
  bool contains(std::string_view address) const;

 private:
  std::vector<boost::asio::ip::network_v4> v4_;
  std::vector<boost::asio::ip::network_v6> v6_;
};

struct ClientOrigin {
  std::string address;  // IP, without port
  bool secure = false;  // TLS between the client and the first front (or ossd)
};

// From a trusted peer: the rightmost X-Forwarded-For address that is not
// itself a trusted front (fronts append the address they saw, so everything
// left of the first untrusted hop may be forged), and the scheme in the last
// X-Forwarded-Proto value. From any other peer, or when a header is absent
// or garbled, what the connection itself says.
ClientOrigin client_origin(std::string_view peer_address, bool peer_secure, const std::vector<HeaderField>& headers,
                           const TrustedProxies& trusted);

}  // namespace ossd::http
