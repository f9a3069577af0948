#include "meta/pg_nonce_ledger.hpp"

#include <atomic>
#include <cstdint>
#include <limits>
#include <utility>

#include "crypto/hash.hpp"
#include "meta/pg_codec.hpp"
#include "meta/pg_connection.hpp"
#include "meta/pg_identity_schema.hpp"

namespace ossd::meta {

namespace {

using pg::Access;
using pg::Connection;
using pg::Params;

// $1 access key id, $2 SHA-256 of the nonce, $3 expiry (ms), $4 now (ms).
// A conflicting row still within its window stays as it is and the
// statement changes nothing: a replay. One past its expiry is taken over
// (a fresh sighting that nobody swept yet). Concurrent callers with one pair
// queue on the key: the second sees the first's row once it commits, so
// exactly one changes a row.
constexpr const char* kRemember =
    "INSERT INTO iam_nonces (access_key_id, nonce_sha256, expires_ms) VALUES ($1, $2, $3)"
    " ON CONFLICT (access_key_id, nonce_sha256) DO UPDATE SET expires_ms = EXCLUDED.expires_ms"
    " WHERE iam_nonces.expires_ms <= $4";

// $1 now (ms), $2 batch size. The batch is picked by the expiry index, by
// ctid, skipping rows another gateway's sweep (or a remember() taking one
// over) holds; the outer test drops a row that was taken over meanwhile.
constexpr const char* kSweep =
    "DELETE FROM iam_nonces WHERE ctid = ANY (ARRAY("
    "SELECT ctid FROM iam_nonces WHERE expires_ms <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED))"
    " AND expires_ms <= $1";

class PgNonceLedger final : public NonceLedger {
 public:
  PgNonceLedger(const std::string& conninfo, const PgNonceLedgerOptions& options)
      : options_(options),
        pool_(conninfo, options.max_connections, pg::RetryPolicy{.max_attempts = options.max_transaction_attempts}) {
    if (options_.sweep_batch <= 0) options_.sweep_batch = 1;
  }

  void adopt(std::unique_ptr<Connection> connection) { pool_.adopt(std::move(connection)); }

  Result<Outcome> remember(std::string_view access_key_id, std::string_view nonce, SystemTime now) override {
    const int64_t now_ms = to_unix_millis(now);
    const int64_t expires_ms = now_ms + options_.window.count();
    const std::string digest = crypto::sha256(nonce);
    // READ COMMITTED with BEGIN/COMMIT rather than an autocommit statement:
    // a connection lost before COMMIT is then safely run again, and one lost
    // during COMMIT is an error instead of a retry that would call its own
    // insert a replay.
    auto changed = pool_.transact(Access::Write, [&](Connection& c) -> Result<int64_t> {
      auto rows = c.query(kRemember, Params().text(access_key_id).bytes(digest).int64(expires_ms).int64(now_ms));
      if (!rows.ok()) return std::move(rows).error();
      return rows->affected();
    });
    if (!changed.ok()) return std::move(changed).error();
    sweep_if_due(now_ms);
    return *changed > 0 ? Outcome::Fresh : Outcome::Replayed;
  }

  bool blocks() const override { return true; }

 private:
  // At most one caller of this process sweeps at a time, and only when due;
  // a sweep that found a full batch leaves the next one due at once, so a
  // backlog drains one batch per call.
  void sweep_if_due(int64_t now_ms) {
    const int64_t interval_ms = options_.sweep_interval.count();
    int64_t due = next_sweep_ms_.load(std::memory_order_relaxed);
    // A clock stepped far back must not postpone sweeping by as much.
    const bool is_due = now_ms >= due || due - now_ms > interval_ms;
    if (!is_due || !next_sweep_ms_.compare_exchange_strong(due, now_ms + interval_ms)) return;
    auto deleted = pool_.transact(Access::Write, [&](Connection& c) -> Result<int64_t> {
      auto rows = c.query(kSweep, Params().int64(now_ms).int64(options_.sweep_batch));
      if (!rows.ok()) return std::move(rows).error();
      return rows->affected();
    });
    // A failed sweep is only tidying left for the next one; the caller's
    // nonce is already decided.
    if (deleted.ok() && *deleted >= options_.sweep_batch) next_sweep_ms_.store(now_ms, std::memory_order_relaxed);
  }

  PgNonceLedgerOptions options_;
  pg::ConnectionPool pool_;
  std::atomic<int64_t> next_sweep_ms_{std::numeric_limits<int64_t>::min()};
};

}  // namespace

Result<std::unique_ptr<NonceLedger>> open_pg_nonce_ledger(const std::string& conninfo, PgNonceLedgerOptions options) {
  auto first = Connection::open(conninfo);
  if (!first.ok()) return std::move(first).error();
  if (auto st = pg::migrate_identity(**first); !st) return std::move(st).error();
  auto ledger = std::make_unique<PgNonceLedger>(conninfo, options);
  ledger->adopt(std::move(first).value());
  return std::unique_ptr<NonceLedger>(std::move(ledger));
}

}  // namespace ossd::meta
