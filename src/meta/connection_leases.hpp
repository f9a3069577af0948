#pragma once
// Database connections opened on demand up to a limit and lent out one caller
// at a time; a caller waits while all are lent. A returned connection that is
// no longer fit for reuse (broken, or left inside a transaction) is closed
// and its slot freed. Shared by the SQLite readers and the PostgreSQL pool.
// Private to src/meta.
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace ossd::meta {

template <class Connection>
class ConnectionLeases {
 public:
  using Opener = std::function<Result<std::unique_ptr<Connection>>()>;
  using ReusableTest = std::function<bool(Connection&)>;

  ConnectionLeases(Opener open, size_t limit, ReusableTest reusable = {})
      : open_(std::move(open)), reusable_(std::move(reusable)), limit_(limit == 0 ? 1 : limit) {}
  ConnectionLeases(const ConnectionLeases&) = delete;
  ConnectionLeases& operator=(const ConnectionLeases&) = delete;

  class Lease {
   public:
    Lease(ConnectionLeases* owner, std::unique_ptr<Connection> connection)
        : owner_(owner), connection_(std::move(connection)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (connection_) owner_->give_back(std::move(connection_));
    }
    Connection& connection() { return *connection_; }

   private:
    ConnectionLeases* owner_;
    std::unique_ptr<Connection> connection_;
  };

  // Takes in a connection opened elsewhere (e.g. the one a schema was migrated on).
  void adopt(std::unique_ptr<Connection> connection) {
    std::lock_guard lock(mutex_);
    ++opened_;
    idle_.push_back(std::move(connection));
    available_.notify_one();
  }

  Result<Lease> acquire() {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [&] { return !idle_.empty() || opened_ < limit_; });
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(connection));
    }
    ++opened_;
    lock.unlock();  // opening may wait on the disk or the network
    auto connection = open_();
    if (!connection.ok()) {
      lock.lock();
      --opened_;
      available_.notify_one();
      return std::move(connection).error();
    }
    return Lease(this, std::move(connection).value());
  }

  // Closes every idle connection, e.g. after the server behind them went away.
  void close_idle() {
    std::vector<std::unique_ptr<Connection>> closing;
    {
      std::lock_guard lock(mutex_);
      closing.swap(idle_);
      opened_ -= closing.size();
      available_.notify_all();
    }
    // Closed here, outside the lock: closing may wait on the network.
  }

 private:
  void give_back(std::unique_ptr<Connection> connection) {
    const bool reusable = !reusable_ || reusable_(*connection);
    if (!reusable) connection.reset();  // closes it outside the lock
    std::lock_guard lock(mutex_);
    if (reusable) {
      idle_.push_back(std::move(connection));
    } else {
      --opened_;
    }
    available_.notify_one();
  }

  Opener open_;
  ReusableTest reusable_;
  size_t limit_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  size_t opened_ = 0;
};

}  // namespace ossd::meta
