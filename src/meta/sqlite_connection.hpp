#pragma once
// A thin, value-returning layer over one sqlite3 connection: prepared
// statements cached per connection, bindings that keep embedded bytes intact,
// and transactions that always end in COMMIT or ROLLBACK. sqlite3.h stays in
// the .cpp (DESIGN rule 2). Private to src/meta.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

#include "core/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace ossd::meta::sqlite {

class Connection;

// One use of a prepared statement. Bind, then step() through rows. A cached
// statement is reset when the Query ends, ready for the next use; when the
// cached one is busy (the same SQL nested) the Query owns a fresh statement.
class Query {
 public:
  // in_use: the cache's busy flag to clear at the end, or null when the Query owns the statement.
  Query(Connection& connection, sqlite3_stmt* statement, bool* in_use)
      : connection_(&connection), statement_(statement), in_use_(in_use) {}
  Query(Query&& other) noexcept;
  Query& operator=(Query&&) = delete;
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  ~Query();

  // Parameters are numbered from 1, as in the SQL text (?1, ?2...).
  Query& bind_text(int index, std::string_view value);
  Query& bind_int(int index, int64_t value);
  Query& bind_null(int index);

  // true when a row is ready, false when the statement is done.
  Result<bool> step();
  // Runs a statement that yields no rows.
  Status run();

  std::string column_text(int column) const;  // NULL reads as ""
  int64_t column_int(int column) const;
  bool column_is_null(int column) const;

 private:
  Connection* connection_;
  sqlite3_stmt* statement_;
  bool* in_use_;
  int bind_error_ = 0;
};

class Connection {
 public:
  // Opens (creating if needed) the database file, in multi-thread mode: the
  // caller guarantees one thread at a time per connection.
  static Result<std::unique_ptr<Connection>> open(const std::filesystem::path& file);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs fixed SQL (no user data): pragmas, schema, BEGIN/COMMIT.
  Status exec(const char* sql);
  // One statement through the prepared-statement cache: for the transaction
  // control statements every call runs, which sqlite3_exec would re-parse.
  Status run_cached(const char* sql);
  // The cached statement for `sql`, prepared on first use.
  Result<Query> query(const std::string& sql);
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int64_t changes() const;
  // Reads one integer pragma value (e.g. "PRAGMA user_version").
  Result<int64_t> query_int(const char* sql);
  // Switches the file to the WAL journal; an error naming `database` when
  // SQLite keeps another mode (e.g. on a filesystem without shared memory).
  Status enable_wal(std::string_view database);

  // Error{InternalError, "<operation>: <sqlite message>"} from the last call.
  Error error(std::string_view operation) const;

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  struct Cached {
    sqlite3_stmt* statement;
    bool in_use;
  };

  sqlite3* db_;
  std::unordered_map<std::string, Cached> statements_;
};

// Runs body(connection) between `begin` ("BEGIN" / "BEGIN IMMEDIATE") and
// COMMIT; any error from the body or the commit rolls everything back.
template <class Body>
auto in_transaction(Connection& connection, const char* begin, Body&& body)
    -> std::invoke_result_t<Body&, Connection&> {
  if (Status started = connection.run_cached(begin); !started) return std::move(started).error();
  auto result = body(connection);
  if (!result.ok()) {
    (void)connection.run_cached("ROLLBACK");
    return result;
  }
  if (Status committed = connection.run_cached("COMMIT"); !committed) {
    (void)connection.run_cached("ROLLBACK");
    return std::move(committed).error();
  }
  return result;
}

}  // namespace ossd::meta::sqlite
