#pragma once
// A throwaway PostgreSQL cluster for the tests of the PostgreSQL stores: one
// per test binary, started on first use (initdb into a temporary directory,
// then postgres on 127.0.0.1 at a free port, with its socket in that
// directory, fsync off), and a fresh database per test. As root, initdb and
// postgres run as the `postgres` user (neither runs as root). The server is
// stopped by its pid when the binary exits, and dies with the test process
// if that is killed.
//
// Without the PostgreSQL server binaries the PostgreSQL tests fail, saying
// so; OSSD_SKIP_POSTGRES=1 skips them instead (a machine without PostgreSQL
// on purpose). OSSD_POSTGRES_BINDIR names the binaries' directory when it
// is not /usr/lib/postgresql/<version>/bin or on PATH.
#include <sys/types.h>
#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "meta/pg_connection.hpp"

namespace ossd::test {

// Why this run skips the PostgreSQL tests (OSSD_SKIP_POSTGRES=1), or nullopt.
std::optional<std::string> postgres_skip_reason();

class PgTestCluster {
 public:
  // initdb and start a server; an error names what was missing or failed,
  // with the end of the server's log.
  static Result<std::unique_ptr<PgTestCluster>> start();
  ~PgTestCluster();
  PgTestCluster(const PgTestCluster&) = delete;
  PgTestCluster& operator=(const PgTestCluster&) = delete;

  // Connection string for one database of the cluster (over TCP, loopback).
  std::string conninfo(const std::string& database) const;
  // A new empty database with a name no other call returned.
  Result<std::string> create_database();

 private:
  PgTestCluster(std::filesystem::path dir, int port, pid_t server_pid, std::unique_ptr<meta::pg::Connection> admin)
      : dir_(std::move(dir)), port_(port), server_pid_(server_pid), admin_(std::move(admin)) {}

  std::filesystem::path dir_;  // data directory, socket and log
  int port_;
  pid_t server_pid_;
  std::mutex admin_mutex_;
  std::unique_ptr<meta::pg::Connection> admin_;  // to the "postgres" database, for CREATE DATABASE
  std::atomic<int> databases_created_{0};
};

// The cluster of this test binary, started by the first call and stopped at
// exit. A failed start is remembered, not retried for every test.
Result<PgTestCluster*> shared_pg_test_cluster();

// Connection string of the database that belongs to a test's directory:
// created on the first call for `dir`, its name kept in a file there, so
// opening the store again (a reopen test) finds the same data.
Result<std::string> pg_test_conninfo_for(const std::filesystem::path& dir);

}  // namespace ossd::test
