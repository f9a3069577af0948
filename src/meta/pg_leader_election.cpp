#include "meta/leader_election.hpp"

#include <utility>

#include "meta/pg_codec.hpp"
#include "meta/pg_connection.hpp"

namespace ossd::meta {
namespace {

using pg::Connection;
using pg::Params;

constexpr const char* kTryLock = "SELECT pg_try_advisory_lock($1)";
// The lock lives as long as the session: a session that still answers still holds it.
constexpr const char* kStillConnected = "SELECT 1";
constexpr const char* kUnlock = "SELECT pg_advisory_unlock($1)";

class PgLeaderElection final : public LeaderElection {
 public:
  PgLeaderElection(std::string conninfo, int64_t lock_key) : conninfo_(std::move(conninfo)), lock_key_(lock_key) {}
  PgLeaderElection(const PgLeaderElection&) = delete;
  PgLeaderElection& operator=(const PgLeaderElection&) = delete;

  // A gateway that stops hands the lead over at once: the server ends a
  // closed session a moment after the client has gone, and only then would
  // the lock go with it.
  ~PgLeaderElection() override {
    if (connection_ && leading_) (void)connection_->query(kUnlock, Params().int64(lock_key_));
  }

  Result<bool> lead() override {
    if (!connection_) {
      auto opened = Connection::open(conninfo_);
      if (!opened) return std::move(opened).error();
      connection_ = std::move(opened).value();
      leading_ = false;
    }
    if (leading_) {
      if (auto st = connection_->execute(kStillConnected); !st) return lost(std::move(st).error());
      return true;
    }
    auto rows = connection_->query(kTryLock, Params().int64(lock_key_));
    if (!rows) return lost(std::move(rows).error());
    leading_ = rows->boolean(0, 0);
    return leading_;
  }

 private:
  Error lost(Error error) {
    connection_.reset();  // a new session next time; the old one's lock ends with it
    leading_ = false;
    return error;
  }

  std::string conninfo_;
  int64_t lock_key_;
  std::unique_ptr<Connection> connection_;
  bool leading_ = false;
};

}  // namespace

std::unique_ptr<LeaderElection> pg_leader_election(std::string conninfo, int64_t lock_key) {
  return std::make_unique<PgLeaderElection>(std::move(conninfo), lock_key);
}

}  // namespace ossd::meta
