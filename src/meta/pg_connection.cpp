#include "meta/pg_connection.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <vector>

namespace ossd::meta::pg {

namespace {

// Oldest server the SQL of the stores runs on (starts_with() came in 11).
constexpr int kMinimumServerVersion = 110000;

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// Names a statement in errors by its first words, never by its values
// (those are not in the text anyway).
std::string statement_name(std::string_view sql) {
  constexpr size_t kShown = 48;
  std::string name(sql.substr(0, kShown));
  std::replace(name.begin(), name.end(), '\n', ' ');
  return sql.size() > kShown ? name + "..." : name;
}

bool is_connection_state(std::string_view sqlstate) {
  // Class 08: connection exception; 57P01-57P03: the server is shutting
  // down, crashed or still starting.
  return sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03";
}

// libpq prints notices ("relation already exists, skipping") on stderr by
// default; the store has nothing to tell anyone about them.
void ignore_notice(void*, const char*) {}

}  // namespace

// ---------------------------------------------------------------- Rows

Rows::~Rows() {
  if (result_ != nullptr) PQclear(result_);
}

int Rows::count() const { return PQntuples(result_); }

int64_t Rows::affected() const {
  const char* tuples = PQcmdTuples(result_);
  if (tuples == nullptr || *tuples == '\0') return 0;
  return std::stoll(tuples);
}

bool Rows::is_null(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }

std::string_view Rows::bytes(int row, int column) const {
  if (is_null(row, column)) return {};
  return {PQgetvalue(result_, row, column), static_cast<size_t>(PQgetlength(result_, row, column))};
}

int64_t Rows::integer(int row, int column) const { return decode_integer(bytes(row, column)).value_or(0); }

bool Rows::boolean(int row, int column) const {
  const std::string_view value = bytes(row, column);
  return value.size() == 1 && value[0] != 0;
}

// ---------------------------------------------------------------- Connection

Connection::Connection(pg_conn* connection)
    : connection_(connection),
      // Any odd, connection-specific seed will do: it only spreads retries.
      jitter_state_((static_cast<uint64_t>(PQbackendPID(connection)) << 1) | 1) {}

Connection::~Connection() { PQfinish(connection_); }

Result<std::unique_ptr<Connection>> Connection::open(const std::string& conninfo) {
  // Later entries override earlier ones, and "dbname" is expanded into every
  // setting of the string or URI: a default timeout the string may replace,
  // then the string, then the encoding the codecs rely on.
  const char* keywords[] = {"connect_timeout", "fallback_application_name", "dbname", "client_encoding", nullptr};
  const char* values[] = {"10", "ossd", conninfo.c_str(), "UTF8", nullptr};
  PGconn* raw = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (raw == nullptr) return Error(ErrorCode::InternalError, "PostgreSQL: out of memory opening a connection");
  if (PQstatus(raw) != CONNECTION_OK) {
    Error error = Error(ErrorCode::ServiceUnavailable, "cannot connect to PostgreSQL: " + trimmed(PQerrorMessage(raw)))
                      .log_only();
    PQfinish(raw);
    return error;
  }
  PQsetNoticeProcessor(raw, ignore_notice, nullptr);
  if (PQserverVersion(raw) < kMinimumServerVersion) {
    Error error(ErrorCode::InternalError,
                "PostgreSQL server version " + std::to_string(PQserverVersion(raw)) + " is too old (11 or newer)");
    PQfinish(raw);
    return error;
  }
  return std::unique_ptr<Connection>(new Connection(raw));
}

Result<Rows> Connection::query(const char* sql, const Params& params) {
  const size_t n = params.size();
  std::vector<Oid> types(params.types().begin(), params.types().end());
  std::vector<const char*> values(n);
  std::vector<int> lengths(n);
  std::vector<int> formats(n, 1);  // every parameter in binary format
  for (size_t i = 0; i < n; ++i) {
    values[i] = params.values()[i].data();
    lengths[i] = static_cast<int>(params.values()[i].size());
  }
  PGresult* result = PQexecParams(connection_, sql, static_cast<int>(n), types.data(), values.data(), lengths.data(),
                                  formats.data(), /*resultFormat=*/1);
  const ExecStatusType status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Rows(result);
  Error error = failure(statement_name(sql), result);
  if (result != nullptr) PQclear(result);
  return error;
}

Status Connection::execute(const char* sql, const Params& params) {
  auto rows = query(sql, params);
  if (!rows.ok()) return std::move(rows).error();
  return ok_status();
}

bool Connection::reusable() const {
  return PQstatus(connection_) == CONNECTION_OK && PQtransactionStatus(connection_) == PQTRANS_IDLE;
}

double Connection::next_jitter() {
  // xorshift64: plenty for spreading retries, and no shared state.
  jitter_state_ ^= jitter_state_ << 13;
  jitter_state_ ^= jitter_state_ >> 7;
  jitter_state_ ^= jitter_state_ << 17;
  return static_cast<double>(jitter_state_ >> 11) / static_cast<double>(uint64_t{1} << 53);
}

Error Connection::failure(std::string_view operation, pg_result* result) {
  const char* state = result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const std::string_view sqlstate = state == nullptr ? std::string_view() : std::string_view(state);
  const std::string message =
      trimmed(result != nullptr && *PQresultErrorMessage(result) != '\0' ? PQresultErrorMessage(result)
                                                                         : PQerrorMessage(connection_));
  if (PQstatus(connection_) != CONNECTION_OK || is_connection_state(sqlstate)) {
    last_failure_ = Failure::ConnectionLost;
    return Error(ErrorCode::ServiceUnavailable, "PostgreSQL connection lost: " + message).log_only();
  }
  if (sqlstate == "40001" || sqlstate == "40P01") {
    last_failure_ = Failure::Conflict;
    return Error(ErrorCode::ServiceUnavailable,
                 "database transaction kept conflicting with concurrent ones: " + message)
        .log_only();
  }
  last_failure_ = Failure::Other;
  // 22021: bytes not valid in the database encoding; 22P05: no equivalent in it.
  if (sqlstate == "22021" || sqlstate == "22P05") {
    return Error(ErrorCode::InvalidArgument, "a value is not valid text for the metadata database: " + message);
  }
  return Error(ErrorCode::InternalError, std::string(operation) + ": " + message);
}

// ---------------------------------------------------------------- pool

const char* begin_statement(Access access) {
  switch (access) {
    case Access::Write: return "BEGIN ISOLATION LEVEL READ COMMITTED, READ WRITE";
    case Access::ReadSnapshot: return "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";
    case Access::ReadStatement: return nullptr;
  }
  return nullptr;
}

std::chrono::microseconds ConnectionPool::backoff_before_retry(int attempt, double jitter) const {
  const int doublings = std::min(attempt - 1, 16);
  const auto ceiling = std::min(retry_.first_backoff * (int64_t{1} << doublings), retry_.max_backoff);
  // Half to one and a half times the ceiling, so the transactions that just
  // conflicted do not meet again at the same instant.
  return std::chrono::duration_cast<std::chrono::microseconds>(ceiling * (0.5 + jitter));
}

}  // namespace ossd::meta::pg
