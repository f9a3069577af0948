#pragma once
// Which account a PostgreSQL deployment belongs to. Every gateway loads its
// root account from its own data directory or environment; one configured
// with another account would sign and own things in a foreign account's
// database. The first gateway to start records its account id (table
// iam_account of the identity schema); every later one is told that id.
#include <string>

#include "core/result.hpp"

namespace ossd::meta {

// Records account_id when no account is recorded yet; returns the recorded
// one either way. Blocking (one connection, a round trip or two);
// ServiceUnavailable when the server cannot be reached.
Result<std::string> claim_pg_account(const std::string& conninfo, const std::string& account_id);

}  // namespace ossd::meta
