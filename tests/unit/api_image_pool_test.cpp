// BoundedWorkPool: runs admitted work, refuses at once when threads and
// queue are all taken, and frees slots as jobs finish.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <future>
#include <latch>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/result.hpp"
#include "http/bounded_work_pool.hpp"

namespace ossd::http {
namespace {

namespace asio = boost::asio;

// Runs one coroutine to completion on a private io_context.
template <class T>
T run_coroutine(asio::awaitable<T> coroutine) {
  asio::io_context io;
  std::optional<T> out;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { out.emplace(co_await std::move(coroutine)); },
      [](std::exception_ptr failure) {
        if (failure) std::rethrow_exception(failure);
      });
  io.run();
  return std::move(*out);
}

TEST(BoundedWorkPool, RunsWorkOnAPoolThreadAndReturnsItsResult) {
  BoundedWorkPool pool(2, 4);
  const auto caller = std::this_thread::get_id();
  auto result = run_coroutine([&]() -> asio::awaitable<std::optional<Result<int>>> {
    co_return co_await pool.try_run([&]() -> Result<int> {
      if (std::this_thread::get_id() == caller) return Error(ErrorCode::InternalError, "ran on the caller");
      return 42;
    });
  }());
  ASSERT_TRUE(result.has_value());
  ASSERT_TRUE(result->ok()) << result->error().message;
  EXPECT_EQ(result->value(), 42);
  EXPECT_EQ(pool.in_flight(), 0u);
}

TEST(BoundedWorkPool, RefusesAtOnceWhenThreadsAndQueueAreFull) {
  BoundedWorkPool pool(1, 2);
  ASSERT_EQ(pool.capacity(), 3u);
  std::latch started(1);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();

  asio::io_context io;
  int completed = 0;
  int refused = 0;
  // Five submissions while the first job blocks: three are admitted (one
  // running, two waiting), two are refused without waiting.
  for (int i = 0; i < 5; ++i) {
    asio::co_spawn(
        io,
        [&, i]() -> asio::awaitable<void> {
          auto r = co_await pool.try_run([&, i]() -> Result<int> {
            if (i == 0) {
              started.count_down();
              released.wait();
            }
            return i;
          });
          if (r) {
            ++completed;
          } else {
            ++refused;
          }
        },
        asio::detached);
  }
  // Start the five coroutines; each submits and suspends (or is refused).
  io.poll();
  started.wait();
  // The refusals complete without the blocked job finishing.
  for (int spins = 0; spins < 1000 && refused < 2; ++spins) {
    io.poll();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(refused, 2);
  EXPECT_EQ(completed, 0);
  EXPECT_EQ(pool.in_flight(), 3u);
  release.set_value();
  io.run();
  EXPECT_EQ(completed, 3);
  EXPECT_EQ(pool.in_flight(), 0u);
}

TEST(BoundedWorkPool, AFreedSlotIsAdmittedAgain) {
  BoundedWorkPool pool(1, 0);
  auto count = run_coroutine([&]() -> asio::awaitable<int> {
    int ran = 0;
    for (int i = 0; i < 10; ++i) {
      auto r = co_await pool.try_run([] { return Result<int>(1); });
      if (r && r->ok()) ran += r->value();
    }
    co_return ran;
  }());
  EXPECT_EQ(count, 10) << "sequential jobs on a 1-slot pool are never refused";
}

TEST(BoundedWorkPool, ExceptionsReachTheCallerAndFreeTheSlot) {
  BoundedWorkPool pool(1, 0);
  EXPECT_THROW(run_coroutine([&]() -> asio::awaitable<int> {
                 auto r = co_await pool.try_run([]() -> Result<int> { throw std::runtime_error("boom"); });
                 co_return r ? 1 : 0;
               }()),
               std::runtime_error);
  EXPECT_EQ(pool.in_flight(), 0u);
}

TEST(BoundedWorkPool, RefusesAfterJoin) {
  BoundedWorkPool pool(1, 1);
  pool.join();
  auto r = run_coroutine([&]() -> asio::awaitable<std::optional<Result<int>>> {
    co_return co_await pool.try_run([] { return Result<int>(1); });
  }());
  EXPECT_FALSE(r.has_value());
}

}  // namespace
}  // namespace ossd::http
