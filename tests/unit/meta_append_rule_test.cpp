#include <gtest/gtest.h>

#include <string>

#include "crypto/crc64.hpp"
#include "meta/append_rule.hpp"

namespace ossd::meta {
namespace {

uint64_t crc_of(const std::string& text) { return crypto::crc64_update(0, text); }

ObjectRecord initial_record(int64_t now_ms) {
  ObjectRecord r;
  r.bucket = "b";
  r.key = "log.txt";
  r.content_type = "text/plain";
  r.object_type = "Normal";  // the rule makes it Appendable
  r.size = 99;               // ignored: a new appendable object starts empty
  r.last_modified_ms = now_ms;
  return r;
}

TEST(AppendRuleTest, TheFirstSegmentAtZeroCreatesAnAppendableObject) {
  auto r = append_segment(std::nullopt, initial_record(1000), 0, Segment{"blob-1", 5}, crc_of("hello"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->object_type, "Appendable");
  EXPECT_EQ(r->size, 5u);
  EXPECT_EQ(r->crc64, crc_of("hello"));
  EXPECT_EQ(r->etag, crc64_etag(crc_of("hello")));
  EXPECT_EQ(r->content_type, "text/plain");
  ASSERT_EQ(r->segments.size(), 1u);
  EXPECT_EQ(r->segments[0], (Segment{"blob-1", 5}));
}

TEST(AppendRuleTest, ALaterSegmentExtendsTheCrcAndKeepsTheFirstHeaders) {
  auto first = append_segment(std::nullopt, initial_record(1000), 0, Segment{"blob-1", 5}, crc_of("hello"));
  ASSERT_TRUE(first.ok());
  ObjectRecord later = initial_record(2000);
  later.content_type = "application/octet-stream";
  auto second = append_segment(*first, later, 5, Segment{"blob-2", 6}, crc_of(" world"));
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->size, 11u);
  EXPECT_EQ(second->crc64, crc_of("hello world"));
  EXPECT_EQ(second->content_type, "text/plain");
  EXPECT_EQ(second->last_modified_ms, 2000);
  EXPECT_EQ(second->segments.size(), 2u);
}

TEST(AppendRuleTest, AWrongPositionNamesTheNextOne) {
  auto first = append_segment(std::nullopt, initial_record(1000), 0, Segment{"blob-1", 5}, crc_of("hello"));
  ASSERT_TRUE(first.ok());
  auto wrong = append_segment(*first, initial_record(2000), 4, Segment{"blob-2", 1}, crc_of("!"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::PositionNotEqualToLength);
  bool found = false;
  for (const auto& [name, value] : wrong.error().headers) {
    if (name == "x-oss-next-append-position") found = value == "5";
  }
  EXPECT_TRUE(found);
  auto on_new = append_segment(std::nullopt, initial_record(1000), 3, Segment{"blob-1", 1}, crc_of("!"));
  ASSERT_FALSE(on_new.ok());
  EXPECT_EQ(on_new.error().code, ErrorCode::PositionNotEqualToLength);
}

TEST(AppendRuleTest, ANormalObjectIsNotAppendable) {
  ObjectRecord normal = initial_record(1000);
  normal.size = 3;
  auto r = append_segment(normal, initial_record(2000), 3, Segment{"blob-1", 1}, crc_of("!"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::ObjectNotAppendable);
}

TEST(AppendRuleTest, TheEtagIsSixteenUpperCaseHexDigits) {
  EXPECT_EQ(crc64_etag(0), "0000000000000000");
  EXPECT_EQ(crc64_etag(0xABCDEF0123456789ULL), "ABCDEF0123456789");
}

}  // namespace
}  // namespace ossd::meta
