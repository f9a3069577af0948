// crypto::KeyedMac: the same MACs as the one-shot functions (RFC 2202/4231
// vectors, the SipHash reference vectors), however often and from however
// many threads one keyed context is used.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "core/strings.hpp"
#include "crypto/hmac.hpp"
#include "crypto/keyed_mac.hpp"

namespace ossd::crypto {
namespace {

TEST(KeyedMac, HmacMatchesTheRfcVectorsOnEveryUse) {
  const KeyedMac sha1(MacAlgorithm::HmacSha1, "Jefe");
  const KeyedMac sha256(MacAlgorithm::HmacSha256, "Jefe");
  for (int use = 0; use < 10; ++use) {  // the pooled context is restarted, not re-keyed
    EXPECT_EQ(hex_lower(sha1.mac("what do ya want for nothing?")), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    EXPECT_EQ(hex_lower(sha256.mac("what do ya want for nothing?")),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }
  EXPECT_EQ(sha1.size(), 20u);
  EXPECT_EQ(sha256.size(), 32u);
  const KeyedMac long_key(MacAlgorithm::HmacSha256, std::string(131, '\xaa'));
  EXPECT_EQ(hex_lower(long_key.mac("Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(KeyedMac, PartsAreConcatenatedAndEmptyInputsWork) {
  const KeyedMac mac(MacAlgorithm::HmacSha1, "secret&");
  EXPECT_EQ(mac.mac({"GET&%2F&", "", "Action%3DAssumeRole"}), hmac_sha1("secret&", "GET&%2F&Action%3DAssumeRole"));
  EXPECT_EQ(mac.mac(""), hmac_sha1("secret&", ""));
  const KeyedMac empty_key(MacAlgorithm::HmacSha256, "");
  EXPECT_EQ(empty_key.mac("data"), hmac_sha256("", "data"));
}

TEST(KeyedMac, SipHashReferenceVectors) {
  // SipHash-2-4 reference (Aumasson & Bernstein): key 00..0f, message 00..(n-1).
  std::string key;
  for (int i = 0; i < 16; ++i) key.push_back(static_cast<char>(i));
  const KeyedMac siphash(MacAlgorithm::SipHash64, key);
  std::string message;
  for (int i = 0; i < 15; ++i) message.push_back(static_cast<char>(i));
  for (int use = 0; use < 3; ++use) {
    EXPECT_EQ(siphash.mac64({""}), 0x726fdb47dd0e0e31ULL);
    EXPECT_EQ(siphash.mac64({message}), 0xa129ca6149be45e5ULL);
    EXPECT_EQ(siphash.mac64({message.substr(0, 7), message.substr(7)}), 0xa129ca6149be45e5ULL);
  }
  EXPECT_THROW(KeyedMac(MacAlgorithm::SipHash64, "short"), std::invalid_argument);
  const KeyedMac hmac(MacAlgorithm::HmacSha1, "k");
  EXPECT_THROW((void)hmac.mac64({"x"}), std::logic_error);
}

TEST(KeyedMac, ManyThreadsOnOneKeyAgree) {
  const KeyedMac mac(MacAlgorithm::HmacSha256, "shared-secret");
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        const std::string data = std::to_string(t) + ":" + std::to_string(i);
        if (mac.mac(data) != hmac_sha256("shared-secret", data)) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace ossd::crypto
