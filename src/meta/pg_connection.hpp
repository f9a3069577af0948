#pragma once
// A small RAII layer over libpq for the PostgreSQL stores: one connection
// (statements only through PQexecParams, so values never become SQL text),
// its results, a bounded pool, and the transaction runner every store call
// goes through. libpq-fe.h stays in the .cpp (DESIGN rule 2). Private to
// src/meta.
//
// Errors become ossd Error values at once: a lost connection (or a server
// that refuses connections) is ServiceUnavailable, a conflict that outlived
// its retries too (the client may retry); text the server cannot store as
// text is InvalidArgument; anything else is InternalError naming the step.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>

#include "core/result.hpp"
#include "meta/connection_leases.hpp"
#include "meta/pg_codec.hpp"

struct pg_conn;
struct pg_result;

namespace ossd::meta::pg {

// What made the last statement of a connection fail, which decides whether
// the transaction may run again.
enum class Failure {
  None,
  Conflict,        // serialization failure or deadlock: the transaction was rolled back and may be retried
  ConnectionLost,  // the server went away or refused: nothing after the last COMMIT happened
  Other,
};

// The rows of one statement's result, every column in binary format.
class Rows {
 public:
  explicit Rows(pg_result* result) : result_(result) {}
  Rows(Rows&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
  Rows& operator=(Rows&&) = delete;
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;
  ~Rows();

  int count() const;
  // Rows an INSERT, UPDATE or DELETE touched.
  int64_t affected() const;
  bool is_null(int row, int column) const;
  // A text or bytea column's bytes; NULL reads as empty.
  std::string_view bytes(int row, int column) const;
  std::string text(int row, int column) const { return std::string(bytes(row, column)); }
  // An integer column (the schema's bigint and integer, count()); NULL reads as 0.
  int64_t integer(int row, int column) const;
  uint64_t unsigned_integer(int row, int column) const { return static_cast<uint64_t>(integer(row, column)); }
  bool boolean(int row, int column) const;

 private:
  pg_result* result_;
};

class Connection {
 public:
  // Connects with a libpq connection string or a postgres:// URI. The client
  // encoding is forced to UTF8 so text reaches the server byte for byte;
  // application_name defaults to "ossd".
  static Result<std::unique_ptr<Connection>> open(const std::string& conninfo);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one statement. `sql` is fixed text with $1, $2... placeholders; the
  // values travel in `params`, each in binary format with its type.
  Result<Rows> query(const char* sql, const Params& params = {});
  Result<Rows> query(const std::string& sql, const Params& params = {}) { return query(sql.c_str(), params); }
  // A statement whose rows do not matter.
  Status execute(const char* sql, const Params& params = {});

  Failure last_failure() const { return last_failure_; }
  void clear_failure() { last_failure_ = Failure::None; }
  // Connected and outside any transaction: fit to go back to the pool.
  bool reusable() const;
  // A pseudo-random number in [0, 1) for spreading retries of connections
  // that conflicted with each other; seeded from the server process id.
  double next_jitter();

 private:
  explicit Connection(pg_conn* connection);
  Error failure(std::string_view operation, pg_result* result);

  pg_conn* connection_;
  Failure last_failure_ = Failure::None;
  uint64_t jitter_state_;
};

// How a store call uses its transaction.
enum class Access {
  // BEGIN ISOLATION LEVEL READ COMMITTED ... COMMIT. Each statement sees the
  // latest commits, and the body takes row locks (FOR UPDATE, FOR KEY SHARE)
  // on what it reads before changing, so concurrent writers wait for each
  // other instead of failing.
  Write,
  // BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY: several statements see
  // one snapshot (a listing's page, a lookup and its follow-up).
  ReadSnapshot,
  // One read-only statement without BEGIN/COMMIT: already a consistent
  // snapshot, and two round trips cheaper (the hot GET path).
  ReadStatement,
};

struct RetryPolicy {
  // Runs of one call's transaction when it conflicts (deadlock, serialization
  // failure); the last conflict's error is returned after that.
  int max_attempts = 10;
  std::chrono::milliseconds first_backoff{1};  // doubled after each conflict, with jitter
  std::chrono::milliseconds max_backoff{100};
};

// The store's connections (ConnectionLeases) and the transaction runner.
class ConnectionPool {
 public:
  ConnectionPool(std::string conninfo, size_t max_connections, RetryPolicy retry)
      : leases_([conninfo = std::move(conninfo)] { return Connection::open(conninfo); }, max_connections,
                [](Connection& c) { return c.reusable(); }),
        retry_(retry) {}

  // Hands over an open connection (the one the schema was migrated on).
  void adopt(std::unique_ptr<Connection> connection) { leases_.adopt(std::move(connection)); }

  // Runs body(connection) as one transaction of the given access and returns
  // its result. Conflicts run it again (up to retry.max_attempts); a lost
  // connection runs it once more on a fresh one, unless the loss hid whether
  // a COMMIT happened. The body must therefore have no effect outside the
  // database, and return errors as they come (a failed statement aborts the
  // transaction anyway).
  template <class Body>
  auto transact(Access access, Body&& body) -> std::invoke_result_t<Body&, Connection&>;

 private:
  // How long to wait before run attempt + 1, given a jitter in [0, 1).
  std::chrono::microseconds backoff_before_retry(int attempt, double jitter) const;

  ConnectionLeases<Connection> leases_;
  RetryPolicy retry_;
};

// The statement that opens a transaction of this access, or nullptr for ReadStatement.
const char* begin_statement(Access access);

// How one run of a transaction ended, when it failed.
struct AttemptOutcome {
  Failure failure = Failure::None;
  bool commit_in_doubt = false;  // the connection was lost while COMMIT was on its way
};

// One run of a transaction: BEGIN, the body, then COMMIT, or ROLLBACK after
// any error. `outcome` says why it failed, as seen before the rollback.
template <class Body>
auto run_transaction_once(Connection& c, Access access, Body& body, AttemptOutcome& outcome)
    -> std::invoke_result_t<Body&, Connection&> {
  c.clear_failure();
  const char* begin = begin_statement(access);
  if (begin == nullptr) {
    auto result = body(c);
    outcome.failure = c.last_failure();
    return result;
  }
  if (Status started = c.execute(begin); !started) {
    outcome.failure = c.last_failure();
    return std::move(started).error();
  }
  auto result = body(c);
  if (!result.ok()) {
    outcome.failure = c.last_failure();
    (void)c.execute("ROLLBACK");  // a dead connection is closed by the pool instead
    return result;
  }
  if (Status committed = c.execute("COMMIT"); !committed) {
    outcome.failure = c.last_failure();
    outcome.commit_in_doubt = outcome.failure == Failure::ConnectionLost;
    return std::move(committed).error();
  }
  return result;
}

template <class Body>
auto ConnectionPool::transact(Access access, Body&& body) -> std::invoke_result_t<Body&, Connection&> {
  bool reconnected = false;
  std::chrono::microseconds pause{0};
  for (int attempt = 1;; ++attempt) {
    // Without a connection in hand, so the backoff keeps nobody waiting for one.
    if (pause.count() > 0) std::this_thread::sleep_for(pause);
    pause = std::chrono::microseconds(0);
    auto lease = leases_.acquire();
    if (!lease.ok()) return std::move(lease).error();
    Connection& c = lease->connection();
    AttemptOutcome outcome;
    auto result = run_transaction_once(c, access, body, outcome);
    if (result.ok()) return result;
    switch (outcome.failure) {
      case Failure::Conflict:
        if (attempt >= retry_.max_attempts) return result;
        pause = backoff_before_retry(attempt, c.next_jitter());
        continue;
      case Failure::ConnectionLost:
        // One more run on a fresh connection. What took this one (a server
        // restart, a failover) most likely took the idle ones too, so they go
        // rather than fail the retry and the calls after it one by one.
        if (reconnected || outcome.commit_in_doubt) return result;
        reconnected = true;
        leases_.close_idle();
        continue;
      case Failure::None:
      case Failure::Other: return result;
    }
    return result;
  }
}

}  // namespace ossd::meta::pg
