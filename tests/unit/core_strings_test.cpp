#include <gtest/gtest.h>

#include "core/strings.hpp"

namespace ossd {
namespace {

TEST(Strings, CaseFoldingIsAsciiOnly) {
  EXPECT_EQ(to_lower("Content-TYPE"), "content-type");
  EXPECT_EQ(to_lower("ÄB\xc3\x84"), "Äb\xc3\x84");  // non-ASCII bytes untouched
  EXPECT_TRUE(iequals("X-OSS-Date", "x-oss-date"));
  EXPECT_FALSE(iequals("x-oss-date", "x-oss-dates"));
  EXPECT_FALSE(iequals("a", "b"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_TRUE(istarts_with("X-Oss-Meta-A", "x-oss-"));
  EXPECT_FALSE(istarts_with("x-os", "x-oss-"));
}

TEST(Strings, TrimRemovesSpacesAndTabsOnly) {
  EXPECT_EQ(trim("  \t a b \t "), "a b");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim(" \t "), "");
  EXPECT_EQ(trim("\na\r"), "\na\r");
}

TEST(Strings, PercentDecode) {
  EXPECT_EQ(percent_decode("a%20b"), "a b");
  EXPECT_EQ(percent_decode("a+b"), "a+b");
  EXPECT_EQ(percent_decode("%2B%2b"), "++");
  EXPECT_EQ(percent_decode("%E4%B8%AD%e6%96%87"), "中文");
  EXPECT_EQ(percent_decode("%2F..%2F"), "/../");
  EXPECT_EQ(percent_decode("%00"), std::string(1, '\0'));
  EXPECT_EQ(percent_decode(""), "");
  for (const char* bad : {"%", "%4", "a%", "%zz", "%4g", "%%41", "%-1"}) {
    EXPECT_EQ(percent_decode(bad), std::nullopt) << bad;
  }
}

TEST(Strings, UriEncodeIsRfc3986WithUpperCaseHex) {
  EXPECT_EQ(uri_encode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(uri_encode("a b+c/d"), "a%20b%2Bc%2Fd");
  EXPECT_EQ(uri_encode("a b+c/d", true), "a%20b%2Bc/d");
  EXPECT_EQ(uri_encode("!'()*"), "%21%27%28%29%2A");
  EXPECT_EQ(uri_encode("中"), "%E4%B8%AD");
  EXPECT_EQ(uri_encode(std::string("\x00\xff", 2)), "%00%FF");
  EXPECT_EQ(percent_decode(uri_encode("any / thing ✓ %41")), "any / thing ✓ %41");
}

TEST(Strings, Hex) {
  EXPECT_EQ(hex_lower(std::string("\x00\x01\xab\xff", 4)), "0001abff");
  EXPECT_EQ(hex_upper(std::string("\x00\x01\xab\xff", 4)), "0001ABFF");
  EXPECT_EQ(hex_lower(""), "");
}

TEST(Strings, ParseQuery) {
  auto q = parse_query("acl=&uploads&prefix=a%2Fb&x-oss-process=image%2Fresize%2Cw_200&&plus=a+b&eq=a=b");
  ASSERT_TRUE(q.has_value());
  ASSERT_EQ(q->size(), 6u);
  EXPECT_EQ((*q)[0].name, "acl");
  EXPECT_EQ((*q)[0].value, "");
  EXPECT_TRUE((*q)[0].has_value);
  EXPECT_EQ((*q)[1].name, "uploads");
  EXPECT_FALSE((*q)[1].has_value);
  EXPECT_EQ((*q)[2].value, "a/b");
  EXPECT_EQ((*q)[3].value, "image/resize,w_200");
  EXPECT_EQ((*q)[4].value, "a+b");
  EXPECT_EQ((*q)[5].name, "eq");
  EXPECT_EQ((*q)[5].value, "a=b");

  EXPECT_EQ(parse_query("")->size(), 0u);
  EXPECT_EQ(parse_query("&&")->size(), 0u);
  auto repeated = parse_query("a=1&a=2");
  ASSERT_EQ(repeated->size(), 2u);
  EXPECT_EQ((*repeated)[1].value, "2");
  EXPECT_EQ(parse_query("a=%zz"), std::nullopt);
  EXPECT_EQ(parse_query("%=1"), std::nullopt);
}

TEST(Strings, Utf8Validation) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("对象存储 OSS ✓ \xf0\x9f\x98\x80"));
  EXPECT_TRUE(is_valid_utf8("\xf4\x8f\xbf\xbf"));  // U+10FFFF
  EXPECT_TRUE(is_valid_utf8("\xed\x9f\xbf"));      // U+D7FF
  for (const std::string& bad : {
           std::string("\x80"),              // lone continuation
           std::string("\xc0\x80"),          // overlong NUL
           std::string("\xe0\x80\xaf"),      // overlong '/'
           std::string("\xf0\x82\x82\xac"),  // overlong euro sign
           std::string("\xed\xa0\x80"),      // UTF-16 surrogate
           std::string("\xf4\x90\x80\x80"),  // past U+10FFFF
           std::string("\xe4\xb8"),          // truncated
           std::string("a\xe4"),             // truncated at end
           std::string("\xff"), std::string("\xf8\x88\x80\x80\x80"),
           std::string("\xe4\x41\xad"),  // non-continuation inside
       }) {
    EXPECT_FALSE(is_valid_utf8(bad)) << hex_lower(bad);
  }
}

TEST(Strings, ParseUint64IsStrict) {
  EXPECT_EQ(parse_uint64("0"), 0u);
  EXPECT_EQ(parse_uint64("1716195600"), 1716195600u);
  EXPECT_EQ(parse_uint64("007"), 7u);
  EXPECT_EQ(parse_uint64("18446744073709551615"), UINT64_MAX);
  for (const char* bad :
       {"", "18446744073709551616", "99999999999999999999999", "-1", "+1", " 1", "1 ", "1a", "0x10", "1.5", "1e3"}) {
    EXPECT_EQ(parse_uint64(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace ossd

namespace ossd {
namespace {

TEST(HexDecode, RoundTripsAndRejectsGarbage) {
  const std::string bytes("\x00\x7f\x80\xff/a", 6);
  EXPECT_EQ(hex_decode(hex_lower(bytes)), bytes);
  EXPECT_EQ(hex_decode(hex_upper(bytes)), bytes);
  EXPECT_EQ(hex_decode(""), std::string());
  EXPECT_FALSE(hex_decode("abc"));
  EXPECT_FALSE(hex_decode("zz"));
  EXPECT_FALSE(hex_decode("0g"));
}

}  // namespace
}  // namespace ossd
