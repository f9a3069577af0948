#include <gtest/gtest.h>

#include "http/exchange.hpp"

namespace ossd::http {
namespace {

TEST(RequestFind, IgnoresAsciiCase) {
  Request r;
  r.headers = {{"Content-Type", "text/plain"}, {"x-oss-meta-A", "1"}, {"X-OSS-META-a", "2"}};
  ASSERT_NE(r.find("content-type"), nullptr);
  EXPECT_EQ(*r.find("CONTENT-TYPE"), "text/plain");
  EXPECT_EQ(*r.find("X-Oss-Meta-A"), "1");  // the first of repeated names wins
}

TEST(RequestFind, MissingOrDifferentLengthIsNull) {
  Request r;
  r.headers = {{"Host", "a"}};
  EXPECT_EQ(r.find("Hos"), nullptr);
  EXPECT_EQ(r.find("Hostt"), nullptr);
  EXPECT_EQ(r.find(""), nullptr);
  EXPECT_EQ(Request{}.find("host"), nullptr);
}

TEST(RequestFind, OnlyAsciiLettersFold) {
  Request r;
  r.headers = {{"x_y", "1"}, {"caf\xc3\xa9", "2"}};
  EXPECT_EQ(r.find("X-Y"), nullptr);  // '_' and '-' are different characters
  EXPECT_NE(r.find("X_Y"), nullptr);
  EXPECT_EQ(r.find("CAF\xc3\x89"), nullptr);  // no Unicode folding
}

}  // namespace
}  // namespace ossd::http
