#pragma once
// The STS API (version 2015-04-01): AssumeRole issues a temporary key
// ("STS." id, secret, sealed SecurityToken) for a role of the account, and
// GetCallerIdentity says who signed the call. Rules and error codes as spec
// §6.1 and §6.3:
//   RoleArn            acs:ram::<account>:role/<name>; another account or a
//                      malformed ARN -> InvalidParameter.RoleArn; no such role
//                      -> EntityNotExist.Role (404)
//   RoleSessionName    2-64 of [A-Za-z0-9.@_-] -> InvalidParameter.RoleSessionName
//   DurationSeconds    900 .. the role's MaxSessionDuration, default 3600
//                      -> InvalidParameter.DurationSeconds
//   Policy             <= 2048 characters -> InvalidParameter.PolicySize, and
//                      grammatical -> InvalidParameter.PolicyGrammar
//   ExternalId         matched against sts:ExternalId in the trust policy
// The caller must hold sts:AssumeRole on the role ARN (the root always does;
// RAM users through their policies) AND be trusted by the role's trust
// policy (principal "acs:ram::<account>:root" trusts the account and all its
// users, "acs:ram::<account>:user/<name>" one user); else NoPermission (403).
// Temporary callers may not assume roles (no chaining): NoPermission.
//
// The role record and its parsed trust policy are cached, checked against
// the identity store's generation like the Authorizer's and the
// CredentialStore's caches: invalidate() (the admin API's write hook) drops
// them at once, and a generation that moved (a write by another process) is
// noticed at the first call after at most `generation_poll`.
//
// call() and assume_role() block (store reads): call them from a work pool.
// call_cached() never blocks and may run on an I/O thread.
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/random.hpp"
#include "core/result.hpp"
#include "iam/rpc_call.hpp"
#include "iam/token_keys.hpp"
#include "meta/identity_store.hpp"

namespace ossd::iam {

class Authorizer;

inline constexpr int64_t kMinStsDuration = 900;
inline constexpr int64_t kDefaultStsDuration = 3600;
inline constexpr size_t kMaxSessionPolicyChars = 2048;

struct AssumeRoleResult {
  std::string access_key_id;  // "STS." + 28 base58 characters
  std::string access_key_secret;
  std::string security_token;
  SystemTime expiration;         // whole seconds
  std::string assumed_role_arn;  // acs:ram::<account>:role/<role>/<session>
  std::string assumed_role_id;   // <role id>:<session>
  std::string source_identity;
};

struct StsServiceOptions {
  std::chrono::milliseconds generation_poll{1000};  // how stale a change made elsewhere may be seen
  size_t max_cached_roles = 10'000;                 // the role cache is emptied when full
};

class StsService {
 public:
  // authorizer may be null: then only the root may assume roles.
  StsService(meta::IdentityStore& store, TokenKeys& keys, Random& random, std::string account_id,
             Authorizer* authorizer, StsServiceOptions options = {});
  ~StsService();

  static bool handles(std::string_view action);  // AssumeRole, GetCallerIdentity

  // Reads RoleArn, RoleSessionName, DurationSeconds, Policy, ExternalId and
  // SourceIdentity from call.params.
  Result<AssumeRoleResult> assume_role(const RpcCall& call);
  nlohmann::ordered_json get_caller_identity(const RpcCall& call) const;

  // The response body (without RequestId) of either action.
  Result<nlohmann::ordered_json> call(const RpcCall& call);

  // The same answer as call() when it needs no store read, without blocking:
  // GetCallerIdentity, refusals of malformed parameters, and AssumeRole by
  // the account root of a role in the cache while the generation is fresh.
  // nullopt when the call needs the store (a role not cached, a generation
  // poll due, a RAM user's own permission to check): run call() on a pool.
  std::optional<Result<nlohmann::ordered_json>> call_cached(const RpcCall& call);

  // Forget cached roles now (called after every RAM write on this gateway).
  void invalidate();

 private:
  struct RoleCache;
  enum class Access { MayBlock, CacheOnly };

  // nullopt only with CacheOnly, when the answer needs the store.
  std::optional<Result<AssumeRoleResult>> assume_role_with(const RpcCall& call, Access access);

  TokenKeys& keys_;
  Random& random_;
  std::string account_id_;
  Authorizer* authorizer_;
  std::unique_ptr<RoleCache> roles_;
};

// JSON of spec §6.3.
nlohmann::ordered_json assume_role_json(const AssumeRoleResult& result);

}  // namespace ossd::iam
