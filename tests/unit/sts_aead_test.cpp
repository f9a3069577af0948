// AES-256-GCM (crypto/aead): known answers from the GCM specification, round
// trips, and every way a sealed value can be wrong.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "core/strings.hpp"
#include "crypto/aead.hpp"

namespace ossd::crypto {
namespace {

std::string unhex(std::string_view hex) { return hex_decode(hex).value(); }

const std::string kKey = unhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
const std::string kNonce = unhex("a0a1a2a3a4a5a6a7a8a9aaab");

// McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 13 and
// 14 (AES-256, zero key, zero 96-bit IV).
TEST(Aead, GcmSpecKnownAnswers) {
  const std::string zero_key(32, '\0');
  const std::string zero_nonce(12, '\0');
  EXPECT_EQ(hex_lower(aes256_gcm_seal(zero_key, zero_nonce, "", "")), "530f8afbc74536b9a963b4f1c4cb738b");
  EXPECT_EQ(hex_lower(aes256_gcm_seal(zero_key, zero_nonce, std::string(16, '\0'), "")),
            "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919");
}

// Test case 16: AES-256 with AAD and a 60-byte plaintext.
TEST(Aead, GcmSpecKnownAnswerWithAad) {
  const std::string key = unhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
  const std::string nonce = unhex("cafebabefacedbaddecaf888");
  const std::string plaintext = unhex(
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525"
      "b16aedf5aa0de657ba637b39");
  const std::string aad = unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  const std::string sealed = aes256_gcm_seal(key, nonce, plaintext, aad);
  EXPECT_EQ(hex_lower(sealed),
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838"
            "c5f61e6393ba7a0abcc9f662"
            "76fc6ece0f4e1768cddf8853bb2d551b");
  EXPECT_EQ(aes256_gcm_open(key, nonce, sealed, aad), plaintext);
}

TEST(Aead, RoundTripsEveryLength) {
  for (size_t length : {0u, 1u, 15u, 16u, 17u, 31u, 32u, 33u, 1000u}) {
    std::string plaintext;
    for (size_t i = 0; i < length; ++i) plaintext.push_back(static_cast<char>(i * 31 + 7));
    const std::string sealed = aes256_gcm_seal(kKey, kNonce, plaintext, "header");
    ASSERT_EQ(sealed.size(), length + kAeadTagBytes);
    if (length >= 16) {
      EXPECT_NE(sealed.substr(0, length), plaintext) << "not encrypted";
    }
    EXPECT_EQ(aes256_gcm_open(kKey, kNonce, sealed, "header"), plaintext) << length;
    // Without aad too.
    EXPECT_EQ(aes256_gcm_open(kKey, kNonce, aes256_gcm_seal(kKey, kNonce, plaintext, ""), ""), plaintext);
  }
}

TEST(Aead, SameInputsSameOutputDifferentNonceDifferentOutput) {
  const std::string a = aes256_gcm_seal(kKey, kNonce, "secret claims", "aad");
  EXPECT_EQ(a, aes256_gcm_seal(kKey, kNonce, "secret claims", "aad"));
  std::string other_nonce = kNonce;
  other_nonce[11] ^= 1;
  EXPECT_NE(a, aes256_gcm_seal(kKey, other_nonce, "secret claims", "aad"));
}

TEST(Aead, EveryFlippedBitOfTheSealedValueFails) {
  const std::string plaintext = "the temporary secret travels here";
  const std::string sealed = aes256_gcm_seal(kKey, kNonce, plaintext, "aad");
  int tried = 0;
  for (size_t i = 0; i < sealed.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string tampered = sealed;
      tampered[i] = static_cast<char>(tampered[i] ^ (1 << bit));
      EXPECT_FALSE(aes256_gcm_open(kKey, kNonce, tampered, "aad").has_value()) << "byte " << i << " bit " << bit;
      ++tried;
    }
  }
  EXPECT_EQ(tried, static_cast<int>(sealed.size() * 8));
}

TEST(Aead, TruncatedOrExtendedFails) {
  const std::string sealed = aes256_gcm_seal(kKey, kNonce, "payload bytes", "aad");
  for (size_t length = 0; length < sealed.size(); ++length) {
    EXPECT_FALSE(aes256_gcm_open(kKey, kNonce, sealed.substr(0, length), "aad").has_value()) << length;
  }
  EXPECT_FALSE(aes256_gcm_open(kKey, kNonce, sealed + '\0', "aad").has_value());
}

TEST(Aead, WrongKeyNonceOrAadFails) {
  const std::string sealed = aes256_gcm_seal(kKey, kNonce, "payload", "aad");
  ASSERT_TRUE(aes256_gcm_open(kKey, kNonce, sealed, "aad").has_value());

  for (size_t i = 0; i < kKey.size(); ++i) {
    std::string key = kKey;
    key[i] ^= 0x40;
    EXPECT_FALSE(aes256_gcm_open(key, kNonce, sealed, "aad").has_value()) << "key byte " << i;
  }
  for (size_t i = 0; i < kNonce.size(); ++i) {
    std::string nonce = kNonce;
    nonce[i] ^= 0x40;
    EXPECT_FALSE(aes256_gcm_open(kKey, nonce, sealed, "aad").has_value()) << "nonce byte " << i;
  }
  EXPECT_FALSE(aes256_gcm_open(kKey, kNonce, sealed, "aae").has_value());
  EXPECT_FALSE(aes256_gcm_open(kKey, kNonce, sealed, "").has_value());
  EXPECT_FALSE(aes256_gcm_open(kKey, kNonce, sealed, "aad ").has_value());
  // Sealed without aad, opened with one.
  EXPECT_FALSE(aes256_gcm_open(kKey, kNonce, aes256_gcm_seal(kKey, kNonce, "payload", ""), "aad").has_value());
}

TEST(Aead, MalformedSizesOnOpenAreNotOpenable) {
  const std::string sealed = aes256_gcm_seal(kKey, kNonce, "payload", "");
  EXPECT_FALSE(aes256_gcm_open(kKey.substr(0, 31), kNonce, sealed, "").has_value());
  EXPECT_FALSE(aes256_gcm_open(kKey + "x", kNonce, sealed, "").has_value());
  EXPECT_FALSE(aes256_gcm_open(kKey, kNonce.substr(0, 11), sealed, "").has_value());
  EXPECT_FALSE(aes256_gcm_open(kKey, kNonce + "x", sealed, "").has_value());
  EXPECT_FALSE(aes256_gcm_open(kKey, kNonce, "", "").has_value());
}

TEST(Aead, SealRejectsWrongKeyOrNonceSize) {
  EXPECT_THROW((void)aes256_gcm_seal(kKey.substr(0, 16), kNonce, "x", ""), std::invalid_argument);
  EXPECT_THROW((void)aes256_gcm_seal(kKey, kNonce.substr(0, 8), "x", ""), std::invalid_argument);
}

}  // namespace
}  // namespace ossd::crypto
