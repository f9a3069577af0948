#pragma once
// A bounded pool of threads for blocking work (SQLite, fsync, file I/O), so
// I/O threads never block (DESIGN rule 3). run() resumes the caller on its
// own executor when the work is done.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <type_traits>
#include <utility>

namespace ossd::http {

class WorkPool {
 public:
  explicit WorkPool(std::size_t threads) : pool_(threads) {}
  ~WorkPool() { pool_.join(); }
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  template <class F>
  boost::asio::awaitable<std::invoke_result_t<F&>> run(F work) {
    using R = std::invoke_result_t<F&>;
    co_return co_await boost::asio::co_spawn(
        pool_.get_executor(),
        [w = std::move(work)]() mutable -> boost::asio::awaitable<R> { co_return w(); },
        boost::asio::use_awaitable);
  }

  void join() { pool_.join(); }

 private:
  boost::asio::thread_pool pool_;
};

}  // namespace ossd::http
