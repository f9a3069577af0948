#pragma once
// Authorization of every request by RAM policy (spec §7): which policies
// apply to an identity (its own, its groups', its role's, the STS session
// policy, the bucket policy), and what they decide for one action on one
// resource. Policy documents are parsed once and cached; a change to the
// identity store is seen by the next decision (generation check).
#include <chrono>
#include <memory>
#include <string>

#include "auth/identity.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "meta/identity_store.hpp"
#include "policy/policy.hpp"

namespace ossd::iam {

struct AccessDecision {
  bool allowed = false;
  bool explicit_deny = false;  // denied by a Deny statement, not merely by absence of an Allow
  std::string policy;          // deciding document ("" when none decided)
  std::string statement;       // its Sid, or "#<index>"
};

class Authorizer {
 public:
  // generation_poll: how often decide() re-reads the store's generation to
  // notice changes made elsewhere (another gateway); invalidate() covers
  // changes made through this process at once.
  Authorizer(meta::IdentityStore& store, std::string account_id,
             std::chrono::milliseconds generation_poll = std::chrono::seconds(1));
  ~Authorizer();

  // Blocking (may read the store on a cache miss): call from a work pool.
  // Account and anonymous callers never touch the store, so for them it is a
  // pure evaluation of the bucket policy that an I/O thread may run.
  //   Account (root)  allowed unless the bucket policy explicitly denies.
  //   RamUser         allowed if its own or its groups' policies, or the bucket
  //                   policy, allow and nothing denies.
  //   AssumedRole     allowed if the role's policies (or the bucket policy)
  //                   allow AND the session policy (when present) allows; any
  //                   Deny wins.
  //   Anonymous       only the bucket policy can allow (ACLs are the caller's).
  // facts.principal_ids is filled in here from the identity, for matching
  // bucket-policy Principal entries: the account id and
  // "acs:ram::<account>:root" (root); the RAM user's UserId and
  // "acs:ram::<account>:user/<name>"; for a role session the RoleId,
  // "<RoleId>:<session>", "acs:ram::<account>:role/<role>" and
  // "arn:sts::<account>:assumed-role/<role>/<session>"; nothing for anonymous
  // callers (only "*" names them). A bucket-policy Deny whose Principal is
  // only "*" and that has no Condition does not apply to the account root (as
  // on OSS), and the root may always Put/Get/DeleteBucketPolicy, so a policy
  // cannot lock the owner out for good.
  Result<AccessDecision> decide(const auth::Identity& identity, policy::Facts facts,
                                const policy::Document* bucket_policy);

  // Forget cached policies now (the admin API calls it after every write, so a
  // change is effective at once on this gateway without waiting for a poll).
  void invalidate();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Resource ARNs of spec §7.
std::string bucket_arn(const std::string& account_id, const std::string& bucket);
std::string object_arn(const std::string& account_id, const std::string& bucket, const std::string& key);

}  // namespace ossd::iam
