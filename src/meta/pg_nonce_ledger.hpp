#pragma once
// The SignatureNonce ledger in the PostgreSQL database several gateways share
// (table iam_nonces of the identity schema), so a signed RPC request accepted
// by one gateway is refused as a replay by every other.
//
// remember() is one INSERT ... ON CONFLICT DO UPDATE ... WHERE expired: the
// primary key (access key, nonce) makes the database decide Fresh or
// Replayed atomically across gateways, and a row past its expiry is taken
// over rather than counted as a replay. Now and then (at most once per
// sweep_interval per process, sooner while a sweep keeps finding a full
// batch) a call also deletes up to sweep_batch expired rows, so the table
// holds about rate x window rows. Never Full: the database has the room.
//
// Each call is a short transaction on its own pooled connection, and blocks
// on the round trip (blocks() is true): callers on an I/O thread use a work
// pool. A database failure is an error (ServiceUnavailable when the server
// cannot be reached), never Fresh.
//
// Expiry follows each gateway's clock (the `now` it is given), so gateways
// whose clocks disagree by d may forget a nonce up to d early; the RPC
// Timestamp check refuses requests older than the allowed skew anyway.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "meta/nonce_ledger.hpp"

namespace ossd::meta {

struct PgNonceLedgerOptions {
  // How long a nonce is refused after it was first seen (NonceCache's window).
  std::chrono::milliseconds window = std::chrono::minutes(15);
  // The least time between two sweeps of expired rows by this process.
  std::chrono::milliseconds sweep_interval = std::chrono::seconds(10);
  // Expired rows deleted by one sweep at most, so no call waits long on one.
  int sweep_batch = 2000;
  // Connections opened on demand, at most this many; further callers wait.
  size_t max_connections = 4;
  // Runs of one call's transaction when it deadlocks or fails to serialize.
  int max_transaction_attempts = 10;
};

// Connects with a libpq connection string or postgres:// URI and brings the
// identity schema (which holds iam_nonces) up to date, under the migration
// lock every ossd store takes, so it may open beside the identity store or
// alone. ServiceUnavailable when the server cannot be reached.
Result<std::unique_ptr<NonceLedger>> open_pg_nonce_ledger(const std::string& conninfo,
                                                          PgNonceLedgerOptions options = {});

}  // namespace ossd::meta
