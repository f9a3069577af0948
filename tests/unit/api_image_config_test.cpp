// The image flags of ossd's configuration: defaults, flags, environment and
// range checks (DESIGN rule 8: every limit has a test).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "server/config.hpp"

namespace ossd::server {
namespace {

constexpr const char* kImageVariables[] = {
    "OSSD_CONFIG",
    "OSSD_IMAGE_THREADS",
    "OSSD_IMAGE_QUEUE",
    "OSSD_IMAGE_CACHE_BYTES",
    "OSSD_IMAGE_MAX_SOURCE_BYTES",
    "OSSD_IMAGE_MAX_SIDE",
    "OSSD_IMAGE_MAX_PIXELS",
    "OSSD_IMAGE_MAX_OUTPUT_SIDE",
};

class ImageConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v : kImageVariables) ::unsetenv(v);
  }
  void TearDown() override {
    for (const char* v : kImageVariables) ::unsetenv(v);
  }

  static Result<ServerConfig> parse(std::vector<std::string> args) {
    args.insert(args.begin(), "ossd");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    return parse_config(static_cast<int>(argv.size()), argv.data());
  }
};

TEST_F(ImageConfigTest, DefaultsAreTheIssueLimits) {
  auto config = parse({});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->image_threads, 0u);
  EXPECT_EQ(config->image_queue, 16u);
  EXPECT_EQ(config->image_cache_bytes, size_t{64} << 20);
  EXPECT_EQ(config->image_limits.max_source_bytes, uint64_t{20} << 20);
  EXPECT_EQ(config->image_limits.max_side, 30000u);
  EXPECT_EQ(config->image_limits.max_pixels, 250'000'000u);
  EXPECT_EQ(config->image_limits.max_output_side, 16384u);
}

TEST_F(ImageConfigTest, FlagsSetEveryImageLimit) {
  auto config =
      parse({"--image-threads", "3", "--image-queue", "0", "--image-cache-bytes", "0", "--image-max-source-bytes",
             "1000", "--image-max-side", "500", "--image-max-pixels", "250000", "--image-max-output-side", "400"});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->image_threads, 3u);
  EXPECT_EQ(config->image_queue, 0u);
  EXPECT_EQ(config->image_cache_bytes, 0u);
  EXPECT_EQ(config->image_limits.max_source_bytes, 1000u);
  EXPECT_EQ(config->image_limits.max_side, 500u);
  EXPECT_EQ(config->image_limits.max_pixels, 250000u);
  EXPECT_EQ(config->image_limits.max_output_side, 400u);
}

TEST_F(ImageConfigTest, EnvironmentVariablesWork) {
  ::setenv("OSSD_IMAGE_QUEUE", "7", 1);
  ::setenv("OSSD_IMAGE_CACHE_BYTES", "12345", 1);
  auto config = parse({});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->image_queue, 7u);
  EXPECT_EQ(config->image_cache_bytes, 12345u);
}

TEST_F(ImageConfigTest, OutOfRangeValuesAreRefused) {
  EXPECT_FALSE(parse({"--image-max-side", "0"}).ok());
  EXPECT_FALSE(parse({"--image-max-source-bytes", "0"}).ok());
  EXPECT_FALSE(parse({"--image-max-pixels", "0"}).ok());
  EXPECT_FALSE(parse({"--image-max-output-side", "0"}).ok());
  EXPECT_FALSE(parse({"--image-threads", "1000"}).ok());
  EXPECT_FALSE(parse({"--image-queue", "-1"}).ok());
}

}  // namespace
}  // namespace ossd::server
