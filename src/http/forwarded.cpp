#include "http/forwarded.hpp"

#include <boost/asio/ip/address.hpp>
#include <optional>

#include "core/strings.hpp"

namespace ossd::http {

namespace ip = boost::asio::ip;

namespace {

// IPv4-mapped IPv6 addresses in their IPv4 form, so one rule covers both.
ip::address unmapped(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  return address;
}

std::optional<ip::address> parse_address(std::string_view text) {
  boost::system::error_code ec;
  auto address = ip::make_address(text, ec);
  if (ec) return std::nullopt;
  return unmapped(address);
}

// An X-Forwarded-For entry: an address, "a.b.c.d:port" or "[v6]:port".
std::optional<ip::address> parse_hop(std::string_view hop) {
  if (auto plain = parse_address(hop)) return plain;
  if (hop.starts_with('[')) {
    const size_t close = hop.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    return parse_address(hop.substr(1, close - 1));
  }
  const size_t colon = hop.find(':');
  if (colon != std::string_view::npos && hop.find(':', colon + 1) == std::string_view::npos) {
    return parse_address(hop.substr(0, colon));
  }
  return std::nullopt;
}

bool in_network(const ip::address_v6& address, const ip::network_v6& network) {
  const auto bytes = address.to_bytes();
  const auto prefix = network.network().to_bytes();
  unsigned bits = network.prefix_length();
  for (size_t i = 0; i < bytes.size() && bits > 0; ++i) {
    const unsigned take = bits >= 8 ? 8 : bits;
    const auto mask = static_cast<unsigned char>(0xFF << (8 - take));
    if ((bytes[i] & mask) != (prefix[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

// Every value of every header with this name, comma-separated lists split,
// in arrival order.
std::vector<std::string_view> list_values(const std::vector<HeaderField>& headers, std::string_view name) {
  std::vector<std::string_view> values;
  for (const auto& header : headers) {
    if (!iequals(header.name, name)) continue;
    std::string_view rest = header.value;
    for (;;) {
      const size_t comma = rest.find(',');
      values.push_back(trim(rest.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return values;
}

}  // namespace

Result<TrustedProxies> TrustedProxies::parse(const std::vector<std::string>& entries) {
  TrustedProxies trusted;
  for (const auto& entry : entries) {
    boost::system::error_code ec;
    if (entry.find('/') == std::string::npos) {
      auto address = parse_address(entry);
      if (!address) return Error(ErrorCode::InvalidArgument, "not an IP address or network: '" + entry + "'");
      if (address->is_v4()) {
        trusted.v4_.emplace_back(address->to_v4(), 32);
      } else {
        trusted.v6_.emplace_back(address->to_v6(), 128);
      }
      continue;
    }
    auto v4 = ip::make_network_v4(entry, ec);
    if (!ec) {
      trusted.v4_.push_back(v4.canonical());
      continue;
    }
    auto v6 = ip::make_network_v6(entry, ec);
    if (!ec) {
      trusted.v6_.push_back(v6.canonical());
      continue;
    }
    return Error(ErrorCode::InvalidArgument, "not an IP address or network: '" + entry + "'");
  }
  return trusted;
}

bool TrustedProxies::contains(std::string_view address) const {
  auto parsed = parse_address(address);
  if (!parsed) return false;
  if (parsed->is_v4()) {
    const uint32_t value = parsed->to_v4().to_uint();
    for (const auto& network : v4_) {
      if ((value & network.netmask().to_uint()) == network.network().to_uint()) return true;
    }
    return false;
  }
  for (const auto& network : v6_) {
    if (in_network(parsed->to_v6(), network)) return true;
  }
  return false;
}

ClientOrigin client_origin(std::string_view peer_address, bool peer_secure, const std::vector<HeaderField>& headers,
                           const TrustedProxies& trusted) {
  ClientOrigin origin{std::string(peer_address), peer_secure};
  if (trusted.empty() || !trusted.contains(peer_address)) return origin;

  const auto hops = list_values(headers, "X-Forwarded-For");
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    auto address = parse_hop(*hop);
    if (!address) break;  // garbled: the last trusted hop is all that is known
    origin.address = address->to_string();
    if (!trusted.contains(origin.address)) break;
  }

  const auto schemes = list_values(headers, "X-Forwarded-Proto");
  if (!schemes.empty()) {
    if (iequals(schemes.back(), "https")) origin.secure = true;
    if (iequals(schemes.back(), "http")) origin.secure = false;
  }
  return origin;
}

}  // namespace ossd::http
