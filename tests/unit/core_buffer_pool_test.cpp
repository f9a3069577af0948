#include <gtest/gtest.h>

#include <vector>

#include "core/buffer_pool.hpp"

namespace ossd {
namespace {

TEST(BufferPoolTest, AReturnedBufferIsLentAgain) {
  BufferPool pool(4096, 2);
  char* first = nullptr;
  {
    auto buffer = pool.take();
    EXPECT_EQ(buffer.bytes().size(), 4096u);
    first = buffer.bytes().data();
    buffer.bytes()[0] = 'x';
  }
  EXPECT_EQ(pool.idle_count(), 1u);
  auto again = pool.take();
  EXPECT_EQ(again.bytes().data(), first);
  EXPECT_EQ(pool.idle_count(), 0u);
}

TEST(BufferPoolTest, BuffersInUseAtOnceAreDistinct) {
  BufferPool pool(64, 4);
  auto a = pool.take();
  auto b = pool.take();
  EXPECT_NE(a.bytes().data(), b.bytes().data());
}

TEST(BufferPoolTest, KeepsNoMoreThanMaxIdle) {
  BufferPool pool(64, 2);
  {
    std::vector<BufferPool::Buffer> held;
    for (int i = 0; i < 5; ++i) held.push_back(pool.take());
  }
  EXPECT_EQ(pool.idle_count(), 2u);
}

TEST(BufferPoolTest, AMovedBufferGoesBackOnce) {
  BufferPool pool(64, 4);
  {
    auto a = pool.take();
    BufferPool::Buffer b(std::move(a));
    EXPECT_EQ(b.bytes().size(), 64u);
  }
  EXPECT_EQ(pool.idle_count(), 1u);
}

}  // namespace
}  // namespace ossd
