#pragma once
// A work pool that refuses instead of queueing without end: at most
// `threads` jobs run and at most `queue_limit` more wait. try_run() on a full
// pool answers at once (nullopt), so a burst of expensive work (image
// processing) turns into quick 503s rather than a growing backlog. It never
// shares threads with the pools that serve plain reads (DESIGN rule 3), and
// its threads may run at a lower scheduling priority (`nice_increment`), so
// when it keeps every core busy the I/O threads still get the CPU first.
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace ossd::http {

class BoundedWorkPool {
 public:
  BoundedWorkPool(std::size_t threads, std::size_t queue_limit, int nice_increment = 0)
      : threads_(threads == 0 ? 1 : threads), queue_limit_(queue_limit) {
    workers_.reserve(threads_);
    for (std::size_t i = 0; i < threads_; ++i) {
      workers_.emplace_back([this, nice_increment] { work_loop(nice_increment); });
    }
  }
  ~BoundedWorkPool() { join(); }
  BoundedWorkPool(const BoundedWorkPool&) = delete;
  BoundedWorkPool& operator=(const BoundedWorkPool&) = delete;

  std::size_t threads() const { return threads_; }
  // Jobs admitted at once: running plus waiting.
  std::size_t capacity() const { return threads_ + queue_limit_; }
  std::size_t in_flight() const {
    std::lock_guard lock(mutex_);
    return admitted_;
  }

  // Runs work() on a pool thread and resumes the caller on its own executor
  // with the result; nullopt, at once and without running anything, when the
  // pool already holds capacity() jobs (or is shutting down).
  template <class F>
  boost::asio::awaitable<std::optional<std::invoke_result_t<F&>>> try_run(F work) {
    using R = std::invoke_result_t<F&>;
    static_assert(!std::is_void_v<R>, "return a Status instead of void");
    std::optional<R> result;
    std::exception_ptr failure;
    bool admitted = false;
    co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void()>(
        [&](auto handler) {
          auto shared = std::make_shared<decltype(handler)>(std::move(handler));
          admitted = submit([&, shared] {
            try {
              result.emplace(work());
            } catch (...) {
              failure = std::current_exception();
            }
            // The slot frees before the caller resumes, so a caller that
            // submits again straight away is admitted.
            release();
            // Back to the coroutine's own executor (an I/O thread).
            boost::asio::post(std::move(*shared));
          });
          if (!admitted) boost::asio::post(std::move(*shared));
        },
        boost::asio::use_awaitable);
    if (failure) std::rethrow_exception(failure);
    co_return std::move(result);
  }

  // Stops taking jobs, finishes the admitted ones and joins the threads.
  void join() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& worker : workers_) {
      if (worker.joinable()) worker.join();
    }
  }

 private:
  bool submit(std::function<void()> job) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_ || admitted_ >= capacity()) return false;
      ++admitted_;
      queue_.push_back(std::move(job));
    }
    wake_.notify_one();
    return true;
  }

  void work_loop(int nice_increment) {
    // Linux keeps a nice value per thread; only this thread is lowered.
    if (nice_increment > 0) {
      const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
      ::setpriority(PRIO_PROCESS, tid, ::getpriority(PRIO_PROCESS, tid) + nice_increment);
    }
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, nothing left
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      job();
    }
  }

  void release() {
    std::lock_guard lock(mutex_);
    --admitted_;
  }

  const std::size_t threads_;
  const std::size_t queue_limit_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  std::size_t admitted_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace ossd::http
