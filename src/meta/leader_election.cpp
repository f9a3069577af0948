#include "meta/leader_election.hpp"

namespace ossd::meta {
namespace {

class SoleLeader final : public LeaderElection {
 public:
  Result<bool> lead() override { return true; }
};

}  // namespace

std::unique_ptr<LeaderElection> sole_leader() { return std::make_unique<SoleLeader>(); }

}  // namespace ossd::meta
