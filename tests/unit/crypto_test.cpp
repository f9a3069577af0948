#include <gtest/gtest.h>

#include <array>
#include <set>

#include "core/strings.hpp"
#include "crypto/base64.hpp"
#include "crypto/constant_time.hpp"
#include "crypto/hash.hpp"
#include "crypto/hmac.hpp"
#include "crypto/secure_random.hpp"

namespace ossd::crypto {
namespace {

std::span<const char> bytes_of(std::string_view s) { return {s.data(), s.size()}; }

TEST(Hash, KnownDigests) {
  EXPECT_EQ(hex_lower(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex_lower(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex_lower(sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(hex_lower(md5("")), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(md5("abc").size(), 16u);
  // The Content-MD5 ali-oss sent for the body "Hello OSS" (v1-header put-simple).
  EXPECT_EQ(base64_encode(md5("Hello OSS")), "8PGMLGauHdUSvc1DZvdtow==");
}

TEST(Md5, StreamingEqualsOneShotForAnySplit) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data += static_cast<char>(i * 7);
  const std::string expected = md5(data);
  for (std::size_t split :
       {std::size_t{0}, std::size_t{1}, std::size_t{63}, std::size_t{64}, std::size_t{999}, data.size()}) {
    Md5 hasher;
    hasher.update(bytes_of(std::string_view(data).substr(0, split)));
    hasher.update(bytes_of(std::string_view(data).substr(split)));
    EXPECT_EQ(hasher.finish(), expected) << split;
  }
}

TEST(Md5, EmptyMovedAndReset) {
  Md5 empty;
  EXPECT_EQ(hex_lower(empty.finish()), "d41d8cd98f00b204e9800998ecf8427e");

  Md5 first;
  first.update(bytes_of("Hello "));
  Md5 moved = std::move(first);
  moved.update(bytes_of("OSS"));
  EXPECT_EQ(moved.finish(), md5("Hello OSS"));

  moved.reset();
  moved.update(bytes_of("abc"));
  EXPECT_EQ(moved.finish(), md5("abc"));

  Md5 assigned;
  assigned = std::move(moved);
  assigned.reset();
  EXPECT_EQ(assigned.finish(), md5(""));
  static_assert(!std::is_copy_constructible_v<Md5>);
  static_assert(std::is_nothrow_move_constructible_v<Md5>);
}

TEST(Hmac, Rfc2202AndRfc4231Vectors) {
  EXPECT_EQ(hex_lower(hmac_sha1("Jefe", "what do ya want for nothing?")), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  EXPECT_EQ(hex_lower(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // RFC 4231 case 6: a key longer than the block size is hashed first.
  EXPECT_EQ(hex_lower(hmac_sha256(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(hmac_sha256("", "data").size(), 32u);
  EXPECT_EQ(hmac_sha1("", "").size(), 20u);
}

TEST(Base64, Rfc4648Vectors) {
  const std::array<std::pair<const char*, const char*>, 7> vectors = {{{"", ""},
                                                                       {"f", "Zg=="},
                                                                       {"fo", "Zm8="},
                                                                       {"foo", "Zm9v"},
                                                                       {"foob", "Zm9vYg=="},
                                                                       {"fooba", "Zm9vYmE="},
                                                                       {"foobar", "Zm9vYmFy"}}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    EXPECT_EQ(base64_decode(encoded), plain);
  }
}

TEST(Base64, RoundTripsEveryByteValue) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t n = 0; n <= all.size(); n += 37) {
    std::string part = all.substr(0, n);
    EXPECT_EQ(base64_decode(base64_encode(part)), part) << n;
  }
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
}

TEST(Base64, DecodeIsStrict) {
  for (const char* bad : {"Zg", "Zg=", "Zm9", "Zm9v\n", " Zm9v", "Zm9v ", "Zm=v", "Z===", "====", "Zg==Zg==", "Zg=A",
                          "Zm9v-_8=", "Zm9vYmFy=", "*m9v"}) {
    EXPECT_EQ(base64_decode(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(base64_decode(std::string("Zm9v\0\0\0\0", 8)), std::nullopt);
}

TEST(ConstantTime, Equality) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("GU0crWKNsAf/DLPyoPsc9oNuzgQ=", "GU0crWKNsAf/DLPyoPsc9oNuzgQ="));
  EXPECT_FALSE(constant_time_equal("GU0crWKNsAf/DLPyoPsc9oNuzgQ=", "GU0crWKNsAf/DLPyoPsc9oNuzgQ-"));
  EXPECT_FALSE(constant_time_equal("Xbc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
  EXPECT_FALSE(constant_time_equal("", "a"));
  EXPECT_TRUE(constant_time_equal(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(SecureRandom, ProducesDistinctNonTrivialBytes) {
  SecureRandom random;
  std::set<std::string> seen;
  for (int i = 0; i < 64; ++i) {
    std::string id = random.hex(16);
    EXPECT_EQ(id.size(), 32u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 64u);

  std::vector<unsigned char> big(1 << 20, 0);
  random.fill(big);
  std::array<int, 256> counts{};
  for (unsigned char b : big) ++counts[b];
  // A working CSPRNG hits every byte value about 4096 times in 1 MiB.
  for (int count : counts) {
    EXPECT_GT(count, 3000);
    EXPECT_LT(count, 5200);
  }
  random.fill({});  // empty spans are fine
}

}  // namespace
}  // namespace ossd::crypto
