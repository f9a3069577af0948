// The PostgreSQL binary wire formats of pg_codec.hpp, checked against the
// bytes the server's send/recv functions define (int8send, array_send).
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "meta/pg_codec.hpp"

namespace ossd::meta::pg {
namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

TEST(PgCodec, Int64IsBigEndian) {
  EXPECT_EQ(encode_int64(1), bytes({0, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(encode_int64(0x0102030405060708), bytes({1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(encode_int64(-1), std::string(8, '\xFF'));
}

TEST(PgCodec, IntegersRoundTripAtEveryWidth) {
  for (int64_t value : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{1} << 40, std::numeric_limits<int64_t>::min(),
                        std::numeric_limits<int64_t>::max()}) {
    EXPECT_EQ(decode_integer(encode_int64(value)), value);
  }
  // int4 and int2 columns (SELECT 1, count casts) are sign-extended.
  EXPECT_EQ(decode_integer(bytes({0, 0, 0, 42})), 42);
  EXPECT_EQ(decode_integer(bytes({0xFF, 0xFF, 0xFF, 0xFE})), -2);
  EXPECT_EQ(decode_integer(bytes({0x80, 0x00})), -32768);
  EXPECT_EQ(decode_integer(bytes({0x7F, 0xFF})), 32767);
  // An unsigned 64-bit value with the top bit set keeps its bits.
  const uint64_t crc = 0xFEDCBA9876543210ULL;
  EXPECT_EQ(static_cast<uint64_t>(*decode_integer(encode_int64(static_cast<int64_t>(crc)))), crc);
}

TEST(PgCodec, OtherWidthsAreNotIntegers) {
  EXPECT_FALSE(decode_integer("").has_value());
  EXPECT_FALSE(decode_integer("abc").has_value());
  EXPECT_FALSE(decode_integer(std::string(16, '\0')).has_value());
}

TEST(PgCodec, TextArrayMatchesArraySend) {
  // ndim 1, no nulls, element type 25 (text), length 3, lower bound 1, then
  // each element's length and bytes, embedded NUL and 0xFF kept.
  const std::string expected = bytes({0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 25, 0, 0, 0, 3, 0, 0, 0, 1}) +
                               bytes({0, 0, 0, 2}) + "ab" + bytes({0, 0, 0, 0}) + bytes({0, 0, 0, 3}) +
                               std::string("x\0\xFF", 3);
  EXPECT_EQ(encode_text_array({"ab", "", std::string("x\0\xFF", 3)}), expected);
}

TEST(PgCodec, EmptyTextArrayHasNoDimensions) {
  EXPECT_EQ(encode_text_array({}), bytes({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 25}));
}

TEST(PgCodec, ParamsKeepOrderTypesAndBytes) {
  Params p;
  p.text("bucket").bytes(std::string("k\0\xFF", 3)).int64(-5).uint64(~uint64_t{0}).text_array({"a"});
  EXPECT_EQ(p.size(), 5u);
  EXPECT_EQ(p.types(), (std::vector<unsigned>{kTextOid, kByteaOid, kInt8Oid, kInt8Oid, kTextArrayOid}));
  EXPECT_EQ(p.values()[0], "bucket");
  EXPECT_EQ(p.values()[1], std::string("k\0\xFF", 3));
  EXPECT_EQ(p.values()[2], encode_int64(-5));
  EXPECT_EQ(p.values()[3], std::string(8, '\xFF'));
  EXPECT_EQ(p.values()[4], encode_text_array({"a"}));
}

}  // namespace
}  // namespace ossd::meta::pg
