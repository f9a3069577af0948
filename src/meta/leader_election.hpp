#pragma once
// Which gateway runs the background jobs that must run in one process at a
// time (orphan collection), when several share the metadata store.
#include <cstdint>
#include <memory>
#include <string>

#include "core/result.hpp"

namespace ossd::meta {

class LeaderElection {
 public:
  virtual ~LeaderElection() = default;
  // Whether this process leads now: takes the lead when nobody holds it and
  // keeps it once held. An error (the database does not answer) means the
  // lead is lost, or was never had; a later call tries again.
  virtual Result<bool> lead() = 0;
};

// A session-level PostgreSQL advisory lock on `lock_key`, held on a
// connection of its own. PostgreSQL releases it when the session ends, so a
// gateway that dies (kill -9, a lost network) hands the lead on by itself.
std::unique_ptr<LeaderElection> pg_leader_election(std::string conninfo, int64_t lock_key);

// For stores nobody else writes: this process always leads.
std::unique_ptr<LeaderElection> sole_leader();

}  // namespace ossd::meta
