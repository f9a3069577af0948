#pragma once
// A bounded pool of threads for blocking work (SQLite, fsync, file I/O), so
// I/O threads never block (DESIGN rule 3). run() resumes the caller on its
// own executor when the work is done.
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace ossd::http {

class WorkPool {
 public:
  explicit WorkPool(std::size_t threads) : pool_(threads) {}
  ~WorkPool() { pool_.join(); }
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Runs work() on a pool thread; the awaiting coroutine resumes on its own
  // executor. work's result need not be default-constructible.
  template <class F>
  boost::asio::awaitable<std::invoke_result_t<F&>> run(F work) {
    using R = std::invoke_result_t<F&>;
    static_assert(!std::is_void_v<R>, "return a Status instead of void");
    std::optional<R> result;
    std::exception_ptr failure;
    co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void()>(
        [&](auto handler) {
          boost::asio::post(pool_, [&, handler = std::move(handler)]() mutable {
            try {
              result.emplace(work());
            } catch (...) {
              failure = std::current_exception();
            }
            // Back to the coroutine's own executor (an I/O thread).
            boost::asio::post(std::move(handler));
          });
        },
        boost::asio::use_awaitable);
    if (failure) std::rethrow_exception(failure);
    co_return std::move(*result);
  }

  void join() { pool_.join(); }

 private:
  boost::asio::thread_pool pool_;
};

}  // namespace ossd::http
