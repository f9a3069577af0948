// The `--blob rados:` option parser, and what the RADOS store says when there
// is no cluster to talk to.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "blob/rados_blob_store.hpp"

namespace ossd::blob {
namespace {

using ::testing::HasSubstr;

TEST(RadosOptionsTest, DefaultsWhenEmpty) {
  auto options = parse_rados_options("");
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->pool, "ossd");
  EXPECT_EQ(options->user, "client.admin");
  EXPECT_EQ(options->conf_file, "");
  EXPECT_EQ(options->rados_namespace, "");
  EXPECT_EQ(options->chunk_bytes, uint64_t{4} << 20);
  EXPECT_EQ(options->op_timeout, std::chrono::seconds(10));
}

TEST(RadosOptionsTest, EveryKey) {
  auto options =
      parse_rados_options("pool=data,conf=/etc/ceph/ceph.conf,user=client.ossd,namespace=tenant-a,chunk=8M,timeout=30");
  ASSERT_TRUE(options.ok()) << options.error().message;
  EXPECT_EQ(options->pool, "data");
  EXPECT_EQ(options->conf_file, "/etc/ceph/ceph.conf");
  EXPECT_EQ(options->user, "client.ossd");
  EXPECT_EQ(options->rados_namespace, "tenant-a");
  EXPECT_EQ(options->chunk_bytes, uint64_t{8} << 20);
  EXPECT_EQ(options->op_timeout, std::chrono::seconds(30));
}

TEST(RadosOptionsTest, ChunkSizesInBytesAndKibibytes) {
  EXPECT_EQ(parse_rados_options("chunk=65536")->chunk_bytes, 65536u);
  EXPECT_EQ(parse_rados_options("chunk=256k")->chunk_bytes, 262144u);
  EXPECT_EQ(parse_rados_options("chunk=64M")->chunk_bytes, uint64_t{64} << 20);
}

TEST(RadosOptionsTest, RefusesWhatItCannotUseAndNamesThePair) {
  for (const char* bad : {"pool", "=x", "pool=", "user=", "colour=blue", "chunk=1K", "chunk=65M", "chunk=12Q",
                          "chunk=", "timeout=0", "timeout=301", "timeout=1s", "pool=a,,conf=b"}) {
    auto options = parse_rados_options(bad);
    ASSERT_FALSE(options.ok()) << bad;
    EXPECT_EQ(options.error().code, ErrorCode::InvalidArgument) << bad;
    EXPECT_THAT(options.error().message, HasSubstr("--blob rados:")) << bad;
  }
}

TEST(RadosStoreTest, AClusterThatDoesNotAnswerIsServiceUnavailable) {
  // A monitor address nothing listens on: the port of a socket we bound and closed is as good as any.
  const std::filesystem::path conf =
      std::filesystem::path(::testing::TempDir()) / ("ossd-nocluster-" + std::to_string(::getpid()) + ".conf");
  std::ofstream(conf) << "[global]\nmon host = v2:127.0.0.1:9\nauth client required = none\n";
  RadosBlobStoreOptions options;
  options.conf_file = conf.string();
  options.op_timeout = std::chrono::seconds(1);
  struct NoRandom final : Random {
    void fill(std::span<unsigned char>) override {}
  } random;
  auto store = open_rados_blob_store(options, random);
  std::filesystem::remove(conf);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::ServiceUnavailable) << store.error().message;
  EXPECT_TRUE(store.error().message_for_log_only);
}

}  // namespace
}  // namespace ossd::blob
