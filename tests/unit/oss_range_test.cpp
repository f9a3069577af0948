#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "oss/range.hpp"

namespace ossd::oss {
namespace {

std::optional<ByteRange> ok_range(std::string_view header, uint64_t size,
                                  RangeBehavior behavior = RangeBehavior::standard) {
  auto r = parse_range(header, size, behavior);
  EXPECT_TRUE(r.ok()) << header;
  return r.ok() ? r.value() : std::nullopt;
}

void expect_range(std::string_view header, uint64_t size, uint64_t first, uint64_t last,
                  RangeBehavior behavior = RangeBehavior::standard) {
  auto r = ok_range(header, size, behavior);
  ASSERT_TRUE(r.has_value()) << header;
  EXPECT_EQ(r->first, first) << header;
  EXPECT_EQ(r->last, last) << header;
}

void expect_whole(std::string_view header, uint64_t size, RangeBehavior behavior = RangeBehavior::standard) {
  EXPECT_FALSE(ok_range(header, size, behavior).has_value()) << header;
}

void expect_unsatisfiable(std::string_view header, uint64_t size) {
  auto r = parse_range(header, size);
  ASSERT_FALSE(r.ok()) << header;
  const Error& e = r.error();
  EXPECT_EQ(e.code, ErrorCode::InvalidRange);
  ASSERT_EQ(e.headers.size(), 1u);
  EXPECT_EQ(e.headers[0].first, "Content-Range");
  EXPECT_EQ(e.headers[0].second, "bytes */" + std::to_string(size));
  ASSERT_EQ(e.details.size(), 2u);
  EXPECT_EQ(e.details[0], (std::pair<std::string, std::string>{"RangeRequested", std::string(header)}));
  EXPECT_EQ(e.details[1], (std::pair<std::string, std::string>{"ActualObjectSize", std::to_string(size)}));
}

TEST(Range, ClosedForm) {
  expect_range("bytes=0-9", 1000, 0, 9);
  expect_range("bytes=500-999", 1000, 500, 999);
  expect_range("bytes=5-5", 1000, 5, 5);
  expect_range("bytes=999-999", 1000, 999, 999);
  EXPECT_EQ(ok_range("bytes=0-9", 1000)->length(), 10u);
}

TEST(Range, EndPastTheObjectIsClamped) {
  expect_range("bytes=0-1000", 1000, 0, 999);
  expect_range("bytes=500-99999999999", 1000, 500, 999);
  expect_range("bytes=0-18446744073709551615", 10, 0, 9);
}

TEST(Range, OpenEnded) {
  expect_range("bytes=500-", 1000, 500, 999);
  expect_range("bytes=0-", 1000, 0, 999);
  expect_range("bytes=999-", 1000, 999, 999);
}

TEST(Range, Suffix) {
  expect_range("bytes=-500", 1000, 500, 999);
  expect_range("bytes=-1", 1000, 999, 999);
  expect_range("bytes=-1000", 1000, 0, 999);
  expect_range("bytes=-2000", 1000, 0, 999);  // more than the object: all of it
}

TEST(Range, StartAtOrPastTheEndIs416) {
  expect_unsatisfiable("bytes=1000-2000", 1000);
  expect_unsatisfiable("bytes=1000-", 1000);
  expect_unsatisfiable("bytes=5000-", 1000);
  expect_unsatisfiable("bytes=-0", 1000);
}

TEST(Range, MalformedOrMultipleIsIgnored) {
  for (const char* header : {"", "   ", "byte=0-499", "bytes 0-9", "bytes=", "bytes=-", "bytes=a-b", "bytes=1-a",
                             "bytes=+1-2", "bytes=9-1", "bytes=0-9,20-29", "bytes=0-1,", "bytes=1", "items=0-1",
                             "bytes=0x10-0x20", "bytes=99999999999999999999-", "bytes=--1", "bytes=1-2-3"}) {
    expect_whole(header, 1000);
  }
}

TEST(Range, SpellingIsForgiving) {
  expect_range("Bytes=0-9", 1000, 0, 9);
  expect_range("  bytes=0-9  ", 1000, 0, 9);
  expect_range("bytes= 1 - 2", 1000, 1, 2);
}

TEST(Range, EmptyObjectIsServedWhole) {
  expect_whole("bytes=0-", 0);
  expect_whole("bytes=0-9", 0);
  expect_whole("bytes=-5", 0);
  expect_whole("bytes=10-", 0);
}

TEST(Range, LenientBehaviourIgnoresAnyOutOfBoundsRange) {
  const auto lenient = RangeBehavior::lenient;
  expect_range("bytes=0-499", 1000, 0, 499, lenient);
  expect_range("bytes=500-", 1000, 500, 999, lenient);
  expect_range("bytes=-500", 1000, 500, 999, lenient);
  expect_whole("bytes=0-1000", 1000, lenient);
  expect_whole("bytes=1000-2000", 1000, lenient);
  expect_whole("bytes=1000-", 1000, lenient);
  expect_whole("bytes=-2000", 1000, lenient);
  expect_whole("bytes=-0", 1000, lenient);
}

TEST(Range, ContentRange) {
  EXPECT_EQ(content_range({0, 9}, 44), "bytes 0-9/44");
  EXPECT_EQ(content_range({500, 999}, 1000), "bytes 500-999/1000");
}

}  // namespace
}  // namespace ossd::oss
