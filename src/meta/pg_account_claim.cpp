#include "meta/pg_account_claim.hpp"

#include "meta/pg_codec.hpp"
#include "meta/pg_connection.hpp"
#include "meta/pg_identity_schema.hpp"

namespace ossd::meta {

namespace {

using pg::Access;
using pg::Connection;
using pg::Params;

// The insert's own row, or the row already there. The outer SELECT reads the
// statement's snapshot, so a row another gateway committed while this insert
// waited on it is in neither part: the caller then asks again.
constexpr const char* kClaim =
    "WITH claimed AS (INSERT INTO iam_account (account_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING account_id)"
    " SELECT account_id FROM claimed UNION ALL SELECT account_id FROM iam_account";

constexpr int kClaimAttempts = 3;

}  // namespace

Result<std::string> claim_pg_account(const std::string& conninfo, const std::string& account_id) {
  auto opened = Connection::open(conninfo);
  if (!opened.ok()) return std::move(opened).error();
  Connection& connection = **opened;
  if (auto st = pg::migrate_identity(connection); !st) return std::move(st).error();
  for (int attempt = 1; attempt <= kClaimAttempts; ++attempt) {
    auto rows = connection.query(kClaim, Params().text(account_id));
    if (!rows.ok()) return std::move(rows).error();
    if (rows->count() > 0) return rows->text(0, 0);
  }
  return Error(ErrorCode::ServiceUnavailable, "the account of the database could not be read");
}

}  // namespace ossd::meta
