// CompleteMultipartUpload rules: part order, ETag matching, minimum part
// size, and the multipart ETag / CRC-64 of the assembled object.
#include <gtest/gtest.h>

#include "core/strings.hpp"
#include "crypto/crc64.hpp"
#include "crypto/hash.hpp"
#include "service/multipart.hpp"

namespace ossd::service {
namespace {

meta::PartRecord make_part(uint32_t number, const std::string& data) {
  meta::PartRecord part;
  part.part_number = number;
  std::string md5 = crypto::md5(data);
  part.etag = hex_upper(md5);
  part.md5_hex = hex_lower(md5);
  part.crc64 = crypto::crc64_update(0, data);
  part.size = data.size();
  part.blob_id = std::string(31, '0') + std::to_string(number % 10);
  return part;
}

meta::UploadRecord upload() {
  meta::UploadRecord u;
  u.upload_id = "U";
  u.bucket = "b";
  u.key = "k";
  u.object.content_type = "text/plain";
  return u;
}

TEST(AssembleMultipart, EtagAndCrcFollowOss) {
  const std::string a(kMinPartSize, 'a');
  const std::string b = "tail";
  std::vector<meta::PartRecord> stored = {make_part(1, a), make_part(2, b)};
  auto result = assemble_multipart(upload(), stored, {{1, stored[0].etag}, {2, to_lower(stored[1].etag)}}, 42);
  ASSERT_TRUE(result.ok()) << result.error().message;
  const meta::ObjectRecord& object = result->object;
  EXPECT_EQ(object.size, a.size() + b.size());
  EXPECT_EQ(object.crc64, crypto::crc64_update(0, a + b));
  EXPECT_EQ(object.etag, hex_upper(crypto::md5(crypto::md5(a) + crypto::md5(b))) + "-2");
  EXPECT_EQ(object.object_type, "Multipart");
  EXPECT_EQ(object.content_type, "text/plain");
  EXPECT_EQ(object.last_modified_ms, 42);
  ASSERT_EQ(object.segments.size(), 2u);
  EXPECT_EQ(object.segments[0].blob_id, stored[0].blob_id);
  EXPECT_EQ(result->used_parts.size(), 2u);
}

TEST(AssembleMultipart, SubsetOfPartsIsAllowed) {
  std::vector<meta::PartRecord> stored = {make_part(1, "x"), make_part(2, "y"), make_part(3, "z")};
  auto result = assemble_multipart(upload(), stored, {{2, stored[1].etag}}, 0);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->object.size, 1u);
  EXPECT_EQ(result->used_parts.size(), 1u);
}

TEST(AssembleMultipart, Rejections) {
  std::vector<meta::PartRecord> stored = {make_part(1, "small"), make_part(2, "y")};
  auto order = assemble_multipart(upload(), stored, {{2, stored[1].etag}, {1, stored[0].etag}}, 0);
  ASSERT_FALSE(order.ok());
  EXPECT_EQ(order.error().code, ErrorCode::InvalidPartOrder);

  auto wrong_etag = assemble_multipart(upload(), stored, {{1, "00112233445566778899AABBCCDDEEFF"}}, 0);
  ASSERT_FALSE(wrong_etag.ok());
  EXPECT_EQ(wrong_etag.error().code, ErrorCode::InvalidPart);

  auto missing = assemble_multipart(upload(), stored, {{7, stored[0].etag}}, 0);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::InvalidPart);

  auto small = assemble_multipart(upload(), stored, {{1, stored[0].etag}, {2, stored[1].etag}}, 0);
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(small.error().code, ErrorCode::EntityTooSmall);

  auto empty = assemble_multipart(upload(), stored, {}, 0);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::MalformedXML);
}

}  // namespace
}  // namespace ossd::service
