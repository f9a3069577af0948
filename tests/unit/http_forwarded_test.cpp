// Which X-Forwarded-For and X-Forwarded-Proto values are believed.
#include "http/forwarded.hpp"

#include <gtest/gtest.h>

namespace ossd::http {
namespace {

TrustedProxies trusting(std::vector<std::string> entries) {
  auto parsed = TrustedProxies::parse(entries);
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
  return parsed.ok() ? parsed.value() : TrustedProxies{};
}

std::vector<HeaderField> forwarded(std::string for_value, std::string proto = "") {
  std::vector<HeaderField> headers{{"Host", "b.example.com"}, {"X-Forwarded-For", std::move(for_value)}};
  if (!proto.empty()) headers.push_back({"X-Forwarded-Proto", std::move(proto)});
  return headers;
}

TEST(TrustedProxies, ParsesAddressesAndNetworksOfBothFamilies) {
  auto trusted = trusting({"10.0.0.0/8", "192.168.1.7", "fd00::/8", "::1", "172.16.5.9/16"});
  EXPECT_TRUE(trusted.contains("10.200.3.4"));
  EXPECT_FALSE(trusted.contains("11.0.0.1"));
  EXPECT_TRUE(trusted.contains("192.168.1.7"));
  EXPECT_FALSE(trusted.contains("192.168.1.8"));
  EXPECT_TRUE(trusted.contains("fd12:3456::1"));
  EXPECT_FALSE(trusted.contains("fe80::1"));
  EXPECT_TRUE(trusted.contains("::1"));
  EXPECT_TRUE(trusted.contains("172.16.200.1")) << "host bits in a network entry are ignored";
  EXPECT_TRUE(trusted.contains("::ffff:10.1.1.1")) << "a dual-stack listener's form of an IPv4 peer";
  EXPECT_FALSE(trusted.contains("not an address"));
  EXPECT_TRUE(trusting({}).empty());
}

TEST(TrustedProxies, RefusesWhatIsNotAnAddressOrNetwork) {
  for (std::string bad : {"10.0.0.0/33", "nginx.internal", "10.0.0/8", "", "::1/129"}) {
    auto parsed = TrustedProxies::parse({bad});
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(parsed.error().message.find("'" + bad + "'"), std::string::npos) << parsed.error().message;
  }
}

TEST(ClientOrigin, WithoutTrustedProxiesTheHeadersAreIgnored) {
  auto origin = client_origin("127.0.0.1", false, forwarded("203.0.113.9", "https"), TrustedProxies{});
  EXPECT_EQ(origin.address, "127.0.0.1");
  EXPECT_FALSE(origin.secure);
}

TEST(ClientOrigin, AnUntrustedPeerCannotClaimAnotherAddress) {
  auto trusted = trusting({"10.0.0.0/8"});
  auto origin = client_origin("198.51.100.4", true, forwarded("10.0.0.5", "http"), trusted);
  EXPECT_EQ(origin.address, "198.51.100.4");
  EXPECT_TRUE(origin.secure);
}

TEST(ClientOrigin, ATrustedFrontReportsTheClientAndTheScheme) {
  auto trusted = trusting({"10.0.0.0/8"});
  auto origin = client_origin("10.0.0.2", false, forwarded("203.0.113.9", "https"), trusted);
  EXPECT_EQ(origin.address, "203.0.113.9");
  EXPECT_TRUE(origin.secure);
  auto plain = client_origin("10.0.0.2", true, forwarded("203.0.113.9", "HTTP"), trusted);
  EXPECT_FALSE(plain.secure) << "TLS between the front and ossd is not TLS from the client";
}

// A client may send its own X-Forwarded-For; fronts append to it, so the
// entries left of the first untrusted hop are the client's word only.
TEST(ClientOrigin, TheRightmostUntrustedHopIsTheClient) {
  auto trusted = trusting({"10.0.0.0/8"});
  auto origin = client_origin("10.0.0.2", false, forwarded("1.1.1.1, 203.0.113.9, 10.0.0.7"), trusted);
  EXPECT_EQ(origin.address, "203.0.113.9");
  std::vector<HeaderField> two_headers{{"X-Forwarded-For", "1.1.1.1"}, {"x-forwarded-for", "203.0.113.9,10.0.0.7"}};
  EXPECT_EQ(client_origin("10.0.0.2", false, two_headers, trusted).address, "203.0.113.9");
}

TEST(ClientOrigin, AChainOfOnlyTrustedHopsEndsAtTheLeftmost) {
  auto trusted = trusting({"10.0.0.0/8"});
  EXPECT_EQ(client_origin("10.0.0.2", false, forwarded("10.9.9.9, 10.0.0.7"), trusted).address, "10.9.9.9");
}

TEST(ClientOrigin, PortsAndBracketsAreStripped) {
  auto trusted = trusting({"10.0.0.0/8", "::1"});
  EXPECT_EQ(client_origin("10.0.0.2", false, forwarded("203.0.113.9:51234"), trusted).address, "203.0.113.9");
  EXPECT_EQ(client_origin("::1", false, forwarded("[2001:db8::5]:443"), trusted).address, "2001:db8::5");
  EXPECT_EQ(client_origin("::ffff:10.0.0.2", false, forwarded("::ffff:203.0.113.9"), trusted).address, "203.0.113.9");
}

TEST(ClientOrigin, AGarbledHopStopsTheWalkAtTheLastTrustedOne) {
  auto trusted = trusting({"10.0.0.0/8"});
  EXPECT_EQ(client_origin("10.0.0.2", false, forwarded("203.0.113.9, unknown, 10.0.0.7"), trusted).address, "10.0.0.7");
  EXPECT_EQ(client_origin("10.0.0.2", false, forwarded(""), trusted).address, "10.0.0.2");
  auto no_header = client_origin("10.0.0.2", true, {{"Host", "x"}}, trusted);
  EXPECT_EQ(no_header.address, "10.0.0.2");
  EXPECT_TRUE(no_header.secure);
  EXPECT_TRUE(client_origin("10.0.0.2", true, forwarded("203.0.113.9", "ftp"), trusted).secure);
}

}  // namespace
}  // namespace ossd::http
