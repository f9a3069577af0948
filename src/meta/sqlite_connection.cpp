#include "meta/sqlite_connection.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <utility>

namespace ossd::meta::sqlite {

namespace {

Error sqlite_error(std::string_view operation, const char* message) {
  std::string text(operation);
  text += ": ";
  text += message != nullptr ? message : "unknown SQLite error";
  return Error(ErrorCode::InternalError, std::move(text));
}

}  // namespace

Query::Query(Query&& other) noexcept
    : connection_(other.connection_),
      statement_(std::exchange(other.statement_, nullptr)),
      in_use_(std::exchange(other.in_use_, nullptr)),
      bind_error_(other.bind_error_) {}

Query::~Query() {
  if (statement_ == nullptr) return;
  if (in_use_ == nullptr) {
    sqlite3_finalize(statement_);
    return;
  }
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
  *in_use_ = false;
}

Query& Query::bind_text(int index, std::string_view value) {
  // A null pointer would bind SQL NULL; an empty key must stay an empty string.
  const char* data = value.data() != nullptr ? value.data() : "";
  int rc = sqlite3_bind_text64(statement_, index, data, value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
  return *this;
}

Query& Query::bind_int(int index, int64_t value) {
  int rc = sqlite3_bind_int64(statement_, index, value);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
  return *this;
}

Query& Query::bind_null(int index) {
  int rc = sqlite3_bind_null(statement_, index);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
  return *this;
}

Result<bool> Query::step() {
  if (bind_error_ != 0) return sqlite_error("bind", sqlite3_errstr(bind_error_));
  int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return connection_->error("step");
}

Status Query::run() {
  auto stepped = step();
  if (!stepped.ok()) return std::move(stepped).error();
  return ok_status();
}

std::string Query::column_text(int column) const {
  const auto* text = sqlite3_column_text(statement_, column);
  if (text == nullptr) return {};
  int size = sqlite3_column_bytes(statement_, column);
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size));
}

int64_t Query::column_int(int column) const { return sqlite3_column_int64(statement_, column); }

bool Query::column_is_null(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }

Result<std::unique_ptr<Connection>> Connection::open(const std::filesystem::path& file) {
  // SQLite creates a database 0644 (less the umask) and gives its -wal and
  // -shm files the database's mode. The databases hold sealed secrets and
  // customer metadata, so a new one is created 0600 here first (an empty file
  // is an empty database); an existing file keeps its mode.
  if (!file.empty() && file != ":memory:") {
    if (int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600); fd >= 0) ::close(fd);
  }
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(file.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error error = sqlite_error("open " + file.string(), db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return error;
  }
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<Connection>(new Connection(db));
}

Connection::~Connection() {
  for (auto& [sql, cached] : statements_) sqlite3_finalize(cached.statement);
  sqlite3_close(db_);
}

Status Connection::exec(const char* sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return ok_status();
  Error error = sqlite_error("exec", message != nullptr ? message : sqlite3_errmsg(db_));
  sqlite3_free(message);
  return error;
}

Status Connection::run_cached(const char* sql) {
  auto statement = query(sql);
  if (!statement.ok()) return std::move(statement).error();
  return statement->run();
}

Result<Query> Connection::query(const std::string& sql) {
  auto found = statements_.find(sql);
  if (found != statements_.end() && !found->second.in_use) {
    found->second.in_use = true;
    return Query(*this, found->second.statement, &found->second.in_use);
  }
  const bool cache = found == statements_.end();
  sqlite3_stmt* statement = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size() + 1), cache ? SQLITE_PREPARE_PERSISTENT : 0,
                              &statement, nullptr);
  if (rc != SQLITE_OK) return error("prepare");
  if (!cache) return Query(*this, statement, nullptr);
  // Map nodes never move, so the flag's address stays valid for the Query.
  auto inserted = statements_.emplace(sql, Cached{statement, true}).first;
  return Query(*this, statement, &inserted->second.in_use);
}

int64_t Connection::changes() const { return sqlite3_changes64(db_); }

Result<int64_t> Connection::query_int(const char* sql) {
  auto query = this->query(sql);
  if (!query.ok()) return std::move(query).error();
  auto row = query->step();
  if (!row.ok()) return std::move(row).error();
  if (!*row) return Error(ErrorCode::InternalError, std::string("no row from: ") + sql);
  return query->column_int(0);
}

Error Connection::error(std::string_view operation) const { return sqlite_error(operation, sqlite3_errmsg(db_)); }

Status Connection::enable_wal(std::string_view database) {
  auto q = query("PRAGMA journal_mode = WAL");
  if (!q.ok()) return std::move(q).error();
  auto row = q->step();
  if (!row.ok()) return std::move(row).error();
  const std::string mode = *row ? q->column_text(0) : std::string();
  if (mode != "wal") {
    return Error(ErrorCode::InternalError, std::string(database) + ": cannot use WAL journal (got '" + mode + "')");
  }
  return ok_status();
}

}  // namespace ossd::meta::sqlite
