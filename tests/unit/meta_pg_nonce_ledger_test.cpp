// meta::PgNonceLedger, the SignatureNonce ledger gateways share through
// PostgreSQL: a replay within the window is refused, also when the first
// sighting was on another gateway (another ledger instance on the database);
// an expired row counts as absent whether or not it was swept yet; of
// concurrent callers with one pair exactly one is Fresh; sweeps delete
// expired rows a bounded batch at a time and nothing else; and a database
// failure is an error, never Fresh.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "meta/pg_connection.hpp"
#include "meta/pg_nonce_ledger.hpp"
#include "pg_test_cluster.hpp"
#include "store_test_support.hpp"

namespace ossd::meta {
namespace {

using namespace std::chrono_literals;
using Outcome = NonceLedger::Outcome;

// 2024-05-20T08:30:00Z.
const SystemTime kT0 = from_unix_seconds(1716193800);

class PgNonceLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = ossd::test::postgres_skip_reason()) GTEST_SKIP() << *why;
    auto conninfo = ossd::test::pg_test_conninfo_for(dir_.path());
    ASSERT_TRUE(conninfo.ok()) << conninfo.error().message;
    conninfo_ = *conninfo;
  }

  // One gateway's ledger.
  std::unique_ptr<NonceLedger> open(PgNonceLedgerOptions options = {}) {
    auto opened = open_pg_nonce_ledger(conninfo_, options);
    EXPECT_TRUE(opened.ok()) << opened.error().message;
    return opened.ok() ? std::move(opened).value() : nullptr;
  }

  // A separate connection for looking at the database.
  std::unique_ptr<pg::Connection> connect() {
    auto connection = pg::Connection::open(conninfo_);
    EXPECT_TRUE(connection.ok()) << connection.error().message;
    return connection.ok() ? std::move(connection).value() : nullptr;
  }

  int64_t rows(const std::string& where = "true") {
    auto c = connect();
    if (c == nullptr) return -1;
    auto counted = c->query("SELECT count(*) FROM iam_nonces WHERE " + where);
    EXPECT_TRUE(counted.ok()) << (counted.ok() ? "" : counted.error().message);
    return counted.ok() ? counted->integer(0, 0) : -1;
  }

  ossd::test::TempDir dir_{"ossd-pg-nonce"};
  std::string conninfo_;
};

// The outcome, or a failed expectation naming the error.
Outcome remember(NonceLedger& ledger, std::string_view access_key_id, std::string_view nonce, SystemTime now) {
  auto outcome = ledger.remember(access_key_id, nonce, now);
  EXPECT_TRUE(outcome.ok()) << outcome.error().message;
  return outcome.ok() ? *outcome : Outcome::Full;
}

// Sweeps only on the first call, so expired rows stay until taken over.
PgNonceLedgerOptions never_sweeping() { return PgNonceLedgerOptions{.window = 15min, .sweep_interval = 24h}; }

TEST_F(PgNonceLedgerTest, RefusesAReplayWithinTheWindowPerAccessKey) {
  auto ledger = open();
  ASSERT_NE(ledger, nullptr);
  EXPECT_TRUE(ledger->blocks()) << "a database round trip belongs on a work pool";
  EXPECT_EQ(remember(*ledger, "AK", "n1", kT0), Outcome::Fresh);
  EXPECT_EQ(remember(*ledger, "AK", "n1", kT0), Outcome::Replayed);
  EXPECT_EQ(remember(*ledger, "AK", "n1", kT0 + 15min - 1ms), Outcome::Replayed);
  EXPECT_EQ(remember(*ledger, "AK2", "n1", kT0), Outcome::Fresh) << "nonces are per access key";
  EXPECT_EQ(remember(*ledger, "AK", "n2", kT0), Outcome::Fresh);
  EXPECT_EQ(rows(), 3);
}

TEST_F(PgNonceLedgerTest, NoncesAreAnyBytesOfAnyLength) {
  auto ledger = open();
  ASSERT_NE(ledger, nullptr);
  const std::string binary("\0\xff\xfe nonce", 9);
  const std::string long_nonce(100'000, 'n');  // far past a B-tree entry's limit, were it stored as is
  EXPECT_EQ(remember(*ledger, "AK", binary, kT0), Outcome::Fresh);
  EXPECT_EQ(remember(*ledger, "AK", binary, kT0), Outcome::Replayed);
  EXPECT_EQ(remember(*ledger, "AK", std::string("\0\xff\xfe", 3), kT0), Outcome::Fresh) << "not cut at the NUL";
  EXPECT_EQ(remember(*ledger, "AK", long_nonce, kT0), Outcome::Fresh);
  EXPECT_EQ(remember(*ledger, "AK", long_nonce, kT0 + 1min), Outcome::Replayed);
  EXPECT_EQ(remember(*ledger, "AK", long_nonce + "x", kT0), Outcome::Fresh);
}

TEST_F(PgNonceLedgerTest, AnExpiredRowIsFreshBeforeAnySweepRemovesIt) {
  auto ledger = open(never_sweeping());
  ASSERT_NE(ledger, nullptr);
  ASSERT_EQ(remember(*ledger, "AK", "n", kT0), Outcome::Fresh);
  EXPECT_EQ(remember(*ledger, "AK", "n", kT0 + 15min - 1ms), Outcome::Replayed);
  ASSERT_EQ(rows(), 1) << "not swept";
  // The row is still there, past its expiry: taken over, not a replay...
  EXPECT_EQ(remember(*ledger, "AK", "n", kT0 + 15min), Outcome::Fresh);
  EXPECT_EQ(rows(), 1);
  // ...and the new sighting starts a new window.
  EXPECT_EQ(remember(*ledger, "AK", "n", kT0 + 29min), Outcome::Replayed);
  EXPECT_EQ(remember(*ledger, "AK", "n", kT0 + 30min), Outcome::Fresh);
}

TEST_F(PgNonceLedgerTest, TwoGatewaysSeeEachOthersNonces) {
  auto gateway_a = open();
  auto gateway_b = open();
  ASSERT_NE(gateway_a, nullptr);
  ASSERT_NE(gateway_b, nullptr);
  ASSERT_EQ(remember(*gateway_a, "AK", "spent-on-a", kT0), Outcome::Fresh);
  EXPECT_EQ(remember(*gateway_b, "AK", "spent-on-a", kT0 + 1s), Outcome::Replayed);
  ASSERT_EQ(remember(*gateway_b, "AK", "spent-on-b", kT0), Outcome::Fresh);
  EXPECT_EQ(remember(*gateway_a, "AK", "spent-on-b", kT0 + 1s), Outcome::Replayed);
  // A gateway reopened on the database (a restart) still knows them.
  gateway_a.reset();
  auto restarted = open();
  ASSERT_NE(restarted, nullptr);
  EXPECT_EQ(remember(*restarted, "AK", "spent-on-a", kT0 + 2s), Outcome::Replayed);
  EXPECT_EQ(remember(*restarted, "AK", "spent-on-b", kT0 + 2s), Outcome::Replayed);
}

TEST_F(PgNonceLedgerTest, ConcurrentCallersWithOneNonceHaveExactlyOneFresh) {
  auto gateway_a = open();
  auto gateway_b = open();
  ASSERT_NE(gateway_a, nullptr);
  ASSERT_NE(gateway_b, nullptr);
  constexpr int kThreads = 8;
  constexpr int kNonces = 40;
  std::vector<std::atomic<int>> fresh(kNonces);
  std::atomic<int> replayed{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      NonceLedger& ledger = t % 2 == 0 ? *gateway_a : *gateway_b;
      for (int n = 0; n < kNonces; ++n) {
        auto outcome = ledger.remember("AK", "race-" + std::to_string(n), kT0);
        if (!outcome.ok()) {
          ++failed;
        } else if (*outcome == Outcome::Fresh) {
          ++fresh[n];
        } else if (*outcome == Outcome::Replayed) {
          ++replayed;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failed.load(), 0);
  for (int n = 0; n < kNonces; ++n) EXPECT_EQ(fresh[n].load(), 1) << "nonce " << n;
  EXPECT_EQ(replayed.load(), kNonces * (kThreads - 1));
  EXPECT_EQ(rows(), kNonces);
}

TEST_F(PgNonceLedgerTest, ConcurrentTakeoversOfAnExpiredRowHaveExactlyOneFresh) {
  auto gateway_a = open(never_sweeping());
  auto gateway_b = open(never_sweeping());
  ASSERT_NE(gateway_a, nullptr);
  ASSERT_NE(gateway_b, nullptr);
  constexpr int kThreads = 8;
  constexpr int kNonces = 20;
  for (int n = 0; n < kNonces; ++n) ASSERT_EQ(remember(*gateway_a, "AK", std::to_string(n), kT0), Outcome::Fresh);
  // B's first call sweeps too; made now, so the expired rows stay for the race.
  ASSERT_EQ(remember(*gateway_b, "AK", "first-on-b", kT0), Outcome::Fresh);
  std::vector<std::atomic<int>> fresh(kNonces);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      NonceLedger& ledger = t % 2 == 0 ? *gateway_a : *gateway_b;
      for (int n = 0; n < kNonces; ++n) {
        if (remember(ledger, "AK", std::to_string(n), kT0 + 20min) == Outcome::Fresh) ++fresh[n];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int n = 0; n < kNonces; ++n) EXPECT_EQ(fresh[n].load(), 1) << "nonce " << n;
  EXPECT_EQ(rows(), kNonces + 1) << "taken over in place, none swept";
}

TEST_F(PgNonceLedgerTest, SweepsDeleteExpiredRowsInBoundedBatchesAndNothingElse) {
  auto ledger = open(PgNonceLedgerOptions{.window = 15min, .sweep_interval = 1min, .sweep_batch = 4});
  ASSERT_NE(ledger, nullptr);
  for (int n = 0; n < 10; ++n) ASSERT_EQ(remember(*ledger, "AK", "old-" + std::to_string(n), kT0), Outcome::Fresh);
  ASSERT_EQ(remember(*ledger, "AK", "recent", kT0 + 10min), Outcome::Fresh);
  ASSERT_EQ(rows(), 11) << "nothing expired yet";
  const int64_t live = to_unix_millis(kT0 + 16min);
  const std::string expired_at_16min = "expires_ms <= " + std::to_string(live);

  // Sixteen minutes in, the old ten are expired: one batch per call while
  // batches come back full.
  ASSERT_EQ(remember(*ledger, "AK", "new-1", kT0 + 16min), Outcome::Fresh);
  EXPECT_EQ(rows(expired_at_16min), 6) << "one batch of 4";
  ASSERT_EQ(remember(*ledger, "AK", "new-2", kT0 + 16min), Outcome::Fresh);
  EXPECT_EQ(rows(expired_at_16min), 2) << "a full batch leaves the next sweep due at once";
  ASSERT_EQ(remember(*ledger, "AK", "new-3", kT0 + 16min), Outcome::Fresh);
  EXPECT_EQ(rows(expired_at_16min), 0);
  EXPECT_EQ(rows(), 4) << "recent and the three new ones stay";
  // The last sweep found less than a batch: the next is a minute away.
  ASSERT_EQ(remember(*ledger, "AK", "new-4", kT0 + 16min + 30s), Outcome::Fresh);
  EXPECT_EQ(remember(*ledger, "AK", "recent", kT0 + 16min + 30s), Outcome::Replayed) << "never swept early";
  EXPECT_EQ(rows(), 5);
}

TEST_F(PgNonceLedgerTest, ADatabaseFailureIsAnErrorNeverFresh) {
  auto ledger = open();
  ASSERT_NE(ledger, nullptr);
  ASSERT_EQ(remember(*ledger, "AK", "before", kT0), Outcome::Fresh);
  auto c = connect();
  ASSERT_NE(c, nullptr);
  ASSERT_OK(c->execute("DROP TABLE iam_nonces"));
  auto outcome = ledger->remember("AK", "after", kT0);
  ASSERT_FALSE(outcome.ok()) << "answered " << static_cast<int>(*outcome) << " without its table";
}

TEST_F(PgNonceLedgerTest, AnUnreachableDatabaseIsServiceUnavailable) {
  // A port nothing listens on (the cluster's own is elsewhere; 1 is privileged).
  auto opened = open_pg_nonce_ledger("host=127.0.0.1 port=1 dbname=none user=none connect_timeout=2");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, ErrorCode::ServiceUnavailable) << opened.error().message;
}

TEST_F(PgNonceLedgerTest, TheLedgerTableIsPartOfTheIdentitySchema) {
  ASSERT_NE(open(), nullptr);
  auto c = connect();
  ASSERT_NE(c, nullptr);
  auto version = c->query("SELECT version FROM schema_version WHERE component = 'identity'");
  ASSERT_OK(version);
  ASSERT_EQ(version->count(), 1);
  EXPECT_GE(version->integer(0, 0), 2) << "the ledger came with identity schema version 2";
}

}  // namespace
}  // namespace ossd::meta
