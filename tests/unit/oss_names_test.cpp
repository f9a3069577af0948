#include <gtest/gtest.h>

#include <string>

#include "oss/names.hpp"

namespace ossd::oss {
namespace {

TEST(BucketName, AcceptsValidNames) {
  for (const char* name : {"abc", "examplebucket", "newbucket-1", "a-b", "0ab", "ab9", "123",
                           "abcdefghijklmnopqrstuvwxyz0123456789-abcdefghijklmnopqrstuvwxyz"}) {
    EXPECT_TRUE(validate_bucket_name(name).ok()) << name;
  }
  EXPECT_TRUE(validate_bucket_name(std::string(63, 'a')).ok());
}

TEST(BucketName, RejectsInvalidNamesWithBucketNameDetail) {
  for (const std::string& name :
       {std::string(""), std::string("ab"), std::string(64, 'a'), std::string("Abc"), std::string("ab_c"),
        std::string("a.bc"), std::string("-abc"), std::string("abc-"), std::string("ab c"), std::string("ab\xc3\xa9"),
        std::string("abc\0", 4), std::string("..")}) {
    Status st = validate_bucket_name(name);
    ASSERT_FALSE(st.ok()) << name;
    EXPECT_EQ(st.error().code, ErrorCode::InvalidBucketName);
    ASSERT_EQ(st.error().details.size(), 1u);
    EXPECT_EQ(st.error().details[0].first, "BucketName");
    EXPECT_EQ(st.error().details[0].second, name);
  }
}

TEST(ObjectKey, AcceptsKeysThatLookLikePathsOrEscapes) {
  for (const char* key : {"a", "ossdemo.txt", "../../etc/passwd", "a/../b", "%2e%2e", "./", "..", "dir/", "a//b",
                          " leading space", "trailing space ", "a+b", "\xe4\xb8\xad\xe6\x96\x87.txt", "C:\\windows",
                          "a\\b", "tab\tin key", "\xf0\x9f\x98\x80"}) {
    EXPECT_TRUE(validate_object_key(key).ok()) << key;
  }
  EXPECT_TRUE(validate_object_key(std::string(1023, 'k')).ok());
  // 1023 bytes of multi-byte UTF-8 (341 x 3 bytes) is still within the limit.
  std::string cjk;
  for (int i = 0; i < 341; ++i) cjk += "\xe4\xb8\xad";
  EXPECT_TRUE(validate_object_key(cjk).ok());
}

TEST(ObjectKey, RejectsInvalidKeys) {
  std::string long_cjk;
  for (int i = 0; i < 342; ++i) long_cjk += "\xe4\xb8\xad";  // 1026 bytes
  for (const std::string& key :
       {std::string(""), std::string(1024, 'k'), long_cjk, std::string("/abs"), std::string("\\abs"),
        std::string("bad\xff"), std::string("\xc0\xaf"), std::string("\xed\xa0\x80"),  // overlong, surrogate
        std::string("trunc\xe4\xb8")}) {
    Status st = validate_object_key(key);
    ASSERT_FALSE(st.ok()) << key;
    EXPECT_EQ(st.error().code, ErrorCode::InvalidObjectName) << key;
  }
}

}  // namespace
}  // namespace ossd::oss
