// CRC-64/XZ against the vectors produced with @alicloud/oss-util's crc.js.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "crypto/crc64.hpp"

namespace ossd::crypto {
namespace {

std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

std::vector<nlohmann::json> crc_cases() {
  std::ifstream in(std::string(OSSD_VECTORS_DIR) + "/crc64.public.json");
  auto file = nlohmann::json::parse(in);
  return {file.at("cases").begin(), file.at("cases").end()};
}

class Crc64Vector : public ::testing::TestWithParam<nlohmann::json> {
 protected:
  std::string input() const { return from_hex(GetParam().at("input_hex").get<std::string>()); }
  uint64_t expected() const {
    return std::stoull(GetParam().at("expected").at("crc64ecma_decimal").get<std::string>());
  }
};

TEST_P(Crc64Vector, WholeInput) {
  std::string data = input();
  ASSERT_EQ(data.size(), GetParam().at("length").get<std::size_t>());
  EXPECT_EQ(crc64_update(0, data), expected());
}

TEST_P(Crc64Vector, EverySplitStreamedAndCombined) {
  std::string data = input();
  for (std::size_t split = 0; split <= data.size(); ++split) {
    std::span<const char> a(data.data(), split);
    std::span<const char> b(data.data() + split, data.size() - split);
    EXPECT_EQ(crc64_update(crc64_update(0, a), b), expected()) << split;
    EXPECT_EQ(crc64_combine(crc64_update(0, a), crc64_update(0, b), b.size()), expected()) << split;
  }
}

INSTANTIATE_TEST_SUITE_P(OssUtil, Crc64Vector, ::testing::ValuesIn(crc_cases()),
                         [](const ::testing::TestParamInfo<nlohmann::json>& info) {
                           std::string name = info.param.at("id").get<std::string>();
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace ossd::crypto
