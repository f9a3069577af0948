#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "meta/sqlite_codec.hpp"

namespace ossd::meta::sqlite {
namespace {

TEST(Utf8Test, AcceptsWellFormedText) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii \x7F"));
  EXPECT_TRUE(is_valid_utf8("\xC3\xA9t\xC3\xA9"));
  EXPECT_TRUE(is_valid_utf8("\xE2\x82\xAC"));
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x98\x80"));
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF
  EXPECT_TRUE(is_valid_utf8(std::string_view("nul\0inside", 10)));
}

TEST(Utf8Test, RejectsMalformedText) {
  EXPECT_FALSE(is_valid_utf8("\x80"));
  EXPECT_FALSE(is_valid_utf8("\xFF"));
  EXPECT_FALSE(is_valid_utf8("\xC3"));              // truncated
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));
  EXPECT_FALSE(is_valid_utf8("ok\xE2\x28\xA1"));
}

TEST(CodecTest, PairsRoundTripAnyBytesInOrder) {
  Pairs pairs = {{"b", "2"}, {"a", "\xFF\x00\x80"}, {"\xC3\xA9", ""}, {"b", "dup"}};
  pairs[1].second.assign("\xFF\0\x80", 3);
  auto encoded = encode_pairs(pairs);
  ASSERT_TRUE(encoded.ok());
  auto decoded = decode_pairs(*encoded);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, pairs);
}

TEST(CodecTest, ValidTextStaysReadable) {
  auto encoded = encode_pairs({{"Cache-Control", "no-cache"}});
  ASSERT_TRUE(encoded.ok());
  EXPECT_EQ(*encoded, R"([["Cache-Control","no-cache"]])");
  encoded = encode_pairs({{"raw", "\xFF"}});
  ASSERT_TRUE(encoded.ok());
  EXPECT_EQ(*encoded, R"([["raw",{"hex":"ff"}]])");
}

TEST(CodecTest, SegmentsRoundTripLargeSizes) {
  std::vector<Segment> segments = {{"0123456789abcdef0123456789abcdef", 1ULL << 62},
                                   {"ffffffffffffffffffffffffffffffff", 0}};
  auto encoded = encode_segments(segments);
  ASSERT_TRUE(encoded.ok());
  auto decoded = decode_segments(*encoded);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, segments);
}

TEST(CodecTest, ObjectTemplateRoundTrips) {
  ObjectRecord o;
  o.bucket = "not stored";
  o.key = "not stored";
  o.size = 12;
  o.etag = "E";
  o.crc64 = 0xFFFFFFFFFFFFFFFFULL;
  o.last_modified_ms = -5;
  o.object_type = "Multipart";
  o.storage_class = "IA";
  o.acl = "private";
  o.content_type = "text/\xFF";
  o.headers = {{"Expires", "never"}};
  o.user_meta = {{"k", "v"}};
  o.tags = {{"t", "1"}};
  o.segments = {{"0123456789abcdef0123456789abcdef", 12}};
  auto encoded = encode_object_template(o);
  ASSERT_TRUE(encoded.ok());
  auto decoded = decode_object_template(*encoded);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->bucket, "");
  EXPECT_EQ(decoded->key, "");
  EXPECT_EQ(decoded->size, 12u);
  EXPECT_EQ(decoded->etag, "E");
  EXPECT_EQ(decoded->crc64, o.crc64);
  EXPECT_EQ(decoded->last_modified_ms, -5);
  EXPECT_EQ(decoded->object_type, "Multipart");
  EXPECT_EQ(decoded->storage_class, "IA");
  EXPECT_EQ(decoded->acl, "private");
  EXPECT_EQ(decoded->content_type, "text/\xFF");
  EXPECT_EQ(decoded->headers, o.headers);
  EXPECT_EQ(decoded->user_meta, o.user_meta);
  EXPECT_EQ(decoded->tags, o.tags);
  EXPECT_EQ(decoded->segments, o.segments);
}

TEST(CodecTest, CorruptDocumentsAreErrorsNotExceptions) {
  for (const char* bad : {"", "not json", "[[\"a\"]]", "[1]", "{\"a\":1}", "[[\"a\",{\"hex\":\"zz\"}]]",
                          "[[\"a\",{\"hex\":\"abc\"}]]", "[[\"a\",{\"nothex\":\"ab\"}]]"}) {
    auto decoded = decode_pairs(bad);
    ASSERT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.error().code, ErrorCode::InternalError);
  }
  EXPECT_FALSE(decode_segments("[[\"id\",-1]]").ok());
  EXPECT_FALSE(decode_segments("[[\"id\"]]").ok());
  EXPECT_FALSE(decode_object_template("{}").ok());
}

}  // namespace
}  // namespace ossd::meta::sqlite
