// Endpoint parsing, addressing and the JavaScript/Node percent-encodings the
// signed URLs are built from.
#include <gtest/gtest.h>

#include "client/url_encoding.hpp"
#include "ossd/endpoint.hpp"

namespace ossd::client {
namespace {

TEST(ParseEndpoint, AcceptsWhatAliOssAccepts) {
  auto plain = parse_endpoint("http://127.0.0.1:9000").value();
  EXPECT_EQ(plain.scheme, "http");
  EXPECT_EQ(plain.host, "127.0.0.1");
  EXPECT_EQ(plain.port, "9000");
  EXPECT_TRUE(plain.is_ip());

  auto bare = parse_endpoint("OSS-cn-Beijing.aliyuncs.com", "oss-cn-hangzhou", /*secure=*/true).value();
  EXPECT_EQ(bare.scheme, "https");
  EXPECT_EQ(bare.host, "oss-cn-beijing.aliyuncs.com");
  EXPECT_EQ(bare.authority(), "oss-cn-beijing.aliyuncs.com");
  EXPECT_EQ(bare.effective_port(), "443");
  EXPECT_FALSE(bare.is_ip());

  auto with_path = parse_endpoint("https://static.example.com/some/path?x").value();
  EXPECT_EQ(with_path.authority(), "static.example.com");

  auto v6 = parse_endpoint("http://[::1]:9000").value();
  EXPECT_EQ(v6.host, "[::1]");
  EXPECT_TRUE(v6.is_ip());
  EXPECT_EQ(v6.authority(), "[::1]:9000");

  auto host_port = parse_endpoint("localhost:9000").value();
  EXPECT_EQ(host_port.authority(), "localhost:9000");
  EXPECT_EQ(host_port.scheme, "http");
}

TEST(ParseEndpoint, DerivesTheRegionEndpointWhenEmpty) {
  auto derived = parse_endpoint("", "oss-cn-shanghai").value();
  EXPECT_EQ(derived.scheme, "http");
  EXPECT_EQ(derived.authority(), "oss-cn-shanghai.aliyuncs.com");
}

TEST(ParseEndpoint, RejectsWhatCannotBeAnEndpoint) {
  for (const char* bad : {"ftp://host", "http://", "http://host:port", "http://host:99999", "http://[::1",
                          "http://user@host", "http://host:"}) {
    auto result = parse_endpoint(bad);
    EXPECT_FALSE(result.ok()) << bad;
    if (!result.ok()) {
      EXPECT_EQ(result.error().code, ErrorCode::InvalidArgument) << bad;
    }
  }
  EXPECT_FALSE(parse_endpoint("", "").ok());
}

TEST(ObjectUrl, PutsTheBucketWhereEachStyleWantsIt) {
  auto name = parse_endpoint("http://localhost:9000").value();
  auto ip = parse_endpoint("http://127.0.0.1:9000").value();
  EXPECT_EQ(object_url(name, AddressingStyle::Auto, "b", "k").value(), "http://b.localhost:9000/k");
  EXPECT_EQ(object_url(name, AddressingStyle::Path, "b", "k").value(), "http://localhost:9000/b/k");
  EXPECT_EQ(object_url(name, AddressingStyle::Cname, "b", "k").value(), "http://localhost:9000/k");
  EXPECT_EQ(object_url(ip, AddressingStyle::Auto, "b", "k").value(), "http://127.0.0.1:9000/b/k");
  EXPECT_EQ(object_url(name, AddressingStyle::Auto, "b", "").value(), "http://b.localhost:9000/");
  EXPECT_EQ(object_url(name, AddressingStyle::Auto, "", "").value(), "http://localhost:9000/");

  auto refused = object_url(ip, AddressingStyle::VirtualHosted, "b", "k");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message, "can not get the object URL when endpoint is IP");
  EXPECT_EQ(effective_style(ip, AddressingStyle::Auto), AddressingStyle::Path);
  EXPECT_EQ(effective_style(name, AddressingStyle::Auto), AddressingStyle::VirtualHosted);
}

TEST(ObjectUrl, EncodesKeysLikeEncodeUriComponentWithSlashesKept) {
  auto name = parse_endpoint("http://localhost:9000").value();
  EXPECT_EQ(object_url(name, AddressingStyle::Path, "b", "dir/子 a+b!'()*~?#%.txt").value(),
            "http://localhost:9000/b/dir/%E5%AD%90%20a%2Bb!'()*~%3F%23%25.txt");
}

TEST(UrlEncoding, NodeSetsDifferFromRfc3986) {
  EXPECT_EQ(detail::encode_uri_component("a b/c+d!'()*~-_.;,:@&=$#"), "a%20b%2Fc%2Bd!'()*~-_.%3B%2C%3A%40%26%3D%24%23");
  EXPECT_EQ(detail::encode_uri("http://h/a b?x=1&y=[2]#f%"), "http://h/a%20b?x=1&y=%5B2%5D#f%25");
  EXPECT_EQ(detail::node_query_string({{"a", "1 2", true}, {"uploads", "", false}, {"x-oss-process", "a/b,c", true}}),
            "a=1%202&uploads=&x-oss-process=a%2Fb%2Cc");
}

TEST(UrlEncoding, SetParamKeepsThePositionOfAnExistingName) {
  std::vector<QueryParam> query;
  detail::set_param(query, "a", "1");
  detail::set_param(query, "b", "2");
  detail::set_param(query, "a", "3");
  ASSERT_EQ(query.size(), 2u);
  EXPECT_EQ(query[0].name, "a");
  EXPECT_EQ(query[0].value, "3");
}

}  // namespace
}  // namespace ossd::client
