// The hand-off every store-reading request pays: an I/O-thread coroutine
// awaits http::WorkPool::run (post to the pool, wake a pool thread, post the
// result back, wake the I/O thread), here with work that does nothing, on a
// pool of 2 threads like the server's read pool on this 2-core machine.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "bench_support.hpp"
#include "http/work_pool.hpp"

namespace ossd::bench {
namespace {

constexpr int kHopsPerCoroutine = 256;

boost::asio::awaitable<void> hop_loop(http::WorkPool& pool, int& completed) {
  for (int i = 0; i < kHopsPerCoroutine; ++i) {
    int value = co_await pool.run([] { return 1; });
    completed += value;
  }
}

// Arg: concurrent coroutines on the one I/O thread (1 = a lone request,
// 16 = 16 connections' requests in flight). Time is per hop, wall clock;
// CPU is the whole process (I/O thread + pool threads).
void BM_WorkPoolHop(benchmark::State& state) {
  http::WorkPool pool(2);
  boost::asio::io_context io(1);
  const int coroutines = static_cast<int>(state.range(0));
  int completed = 0;
  for (auto _ : state) {
    completed = 0;
    for (int c = 0; c < coroutines; ++c) boost::asio::co_spawn(io, hop_loop(pool, completed), boost::asio::detached);
    io.run();
    io.restart();
    if (completed != coroutines * kHopsPerCoroutine) {
      state.SkipWithError("lost hops");
      break;
    }
  }
  const double hops = static_cast<double>(state.iterations()) * coroutines * kHopsPerCoroutine;
  state.counters["hops_per_s"] = benchmark::Counter(hops, benchmark::Counter::kIsRate);
  state.counters["ns_per_hop"] =
      benchmark::Counter(hops / 1e9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_WorkPoolHop)->ArgName("coroutines")->Arg(1)->Arg(16)->UseRealTime()->MeasureProcessCPUTime();

}  // namespace
}  // namespace ossd::bench
