#include "iam/sts_service.hpp"

#include <algorithm>
#include <mutex>
#include <unordered_map>

#include "auth/session_token.hpp"
#include "core/time_format.hpp"
#include "crypto/aead.hpp"
#include "iam/authorizer.hpp"
#include "iam/generation_watch.hpp"
#include "iam/prefetched_random.hpp"
#include "iam/random_text.hpp"
#include "iam/rpc_error.hpp"
#include "policy/policy.hpp"

namespace ossd::iam {
namespace {

using json = nlohmann::ordered_json;

bool is_session_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '@' ||
         c == '_' || c == '-';
}

size_t utf8_length(std::string_view text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

Error wrongly_formed(std::string_view param) {
  return invalid_parameter("InvalidParameter." + std::string(param),
                           "The parameter " + std::string(param) + " is wrongly formed.");
}

// "acs:ram:<region>:<account>:role/<name>" (region empty or "*"); the role
// name, or nullopt when the ARN is malformed or names another account.
std::optional<std::string> role_name_from_arn(std::string_view arn, std::string_view account_id) {
  constexpr std::string_view kPrefix = "acs:ram:";
  if (!arn.starts_with(kPrefix)) return std::nullopt;
  arn.remove_prefix(kPrefix.size());
  auto colon = arn.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view region = arn.substr(0, colon);
  if (!region.empty() && region != "*") return std::nullopt;
  arn.remove_prefix(colon + 1);
  colon = arn.find(':');
  if (colon == std::string_view::npos || arn.substr(0, colon) != account_id) return std::nullopt;
  arn.remove_prefix(colon + 1);
  constexpr std::string_view kRole = "role/";
  if (!arn.starts_with(kRole)) return std::nullopt;
  std::string_view name = arn.substr(kRole.size());
  if (name.empty() || name.size() > 64) return std::nullopt;
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return std::nullopt;
  }
  return std::string(name);
}

std::string_view param_or_empty(const RpcCall& call, std::string_view name) {
  const std::string* value = call.param(name);
  return value ? std::string_view(*value) : std::string_view();
}

// A role as AssumeRole needs it: the record and its trust policy, parsed.
struct CachedRole {
  meta::RoleRecord record;
  policy::NamedDocument trust;  // document null when the stored policy does not parse
  std::string trust_error;      // why it does not
};
using CachedRolePtr = std::shared_ptr<const CachedRole>;

CachedRolePtr make_cached_role(meta::RoleRecord record) {
  auto role = std::make_shared<CachedRole>();
  role->trust.name = "trust-policy";
  auto trust = policy::parse(record.trust_policy, policy::ParseLimits{.max_bytes = record.trust_policy.size()});
  if (trust) {
    role->trust.document = std::make_shared<const policy::Document>(std::move(trust.value()));
  } else {
    role->trust_error = trust.error().message;
  }
  role->record = std::move(record);
  return role;
}

// Bytes of randomness one AssumeRole uses: random_text draws 64 bytes per
// round (one round for the 28-character id, one for the 44-character
// secret, save a run of rejected bytes), then the 12-byte token nonce.
constexpr size_t kAssumeRoleRandomBytes = 64 + 64 + crypto::kAeadNonceBytes;

}  // namespace

// Roles by name, dropped when the store generation moves (read at most once
// per options.generation_poll, timed by the calls' own clock) or when
// invalidate() is called.
struct StsService::RoleCache {
  meta::IdentityStore& store;
  const StsServiceOptions options;

  GenerationWatch<SystemTime> generation;
  std::mutex mutex;
  // Bumped whenever the cache is dropped, so a load that started before does
  // not put a stale role back.
  uint64_t epoch = 0;
  std::unordered_map<std::string, CachedRolePtr> roles;

  RoleCache(meta::IdentityStore& s, StsServiceOptions o)
      : store(s), options(o), generation(s, std::chrono::duration_cast<SystemTime::duration>(o.generation_poll)) {}

  void drop_locked() {
    roles.clear();
    ++epoch;
  }

  // Blocking: drops the cache when the store's generation has moved.
  Status refresh(SystemTime now) {
    auto moved = generation.poll(now);
    if (!moved) return std::move(moved).error();
    if (moved.value()) {
      std::lock_guard lock(mutex);
      drop_locked();
    }
    return ok_status();
  }

  // Never blocks: the cached role, or null when only the store can say
  // (not cached, or a generation poll is due).
  CachedRolePtr find_fresh(const std::string& name, SystemTime now) {
    if (generation.due(now)) return nullptr;
    std::lock_guard lock(mutex);
    auto it = roles.find(name);
    return it == roles.end() ? nullptr : it->second;
  }

  // Blocking: the role from the cache or the store.
  Result<CachedRolePtr> load(const std::string& name, SystemTime now) {
    if (auto fresh = refresh(now); !fresh) return std::move(fresh).error();
    uint64_t loaded_at = 0;
    {
      std::lock_guard lock(mutex);
      if (auto it = roles.find(name); it != roles.end()) return it->second;
      loaded_at = epoch;
    }
    auto record = store.get_role(name);
    if (!record) return std::move(record).error();
    CachedRolePtr role = make_cached_role(std::move(record.value()));
    std::lock_guard lock(mutex);
    if (epoch == loaded_at) {
      if (roles.size() >= options.max_cached_roles) roles.clear();
      roles.insert_or_assign(name, role);
    }
    return role;
  }

  void invalidate() {
    generation.forget();
    std::lock_guard lock(mutex);
    drop_locked();
  }
};

StsService::StsService(meta::IdentityStore& store, TokenKeys& keys, Random& random, std::string account_id,
                       Authorizer* authorizer, StsServiceOptions options)
    : keys_(keys),
      random_(random),
      account_id_(std::move(account_id)),
      authorizer_(authorizer),
      roles_(std::make_unique<RoleCache>(store, options)) {}

StsService::~StsService() = default;

void StsService::invalidate() { roles_->invalidate(); }

bool StsService::handles(std::string_view action) { return action == "AssumeRole" || action == "GetCallerIdentity"; }

Result<AssumeRoleResult> StsService::assume_role(const RpcCall& call) {
  // With MayBlock there is always an answer.
  return *assume_role_with(call, Access::MayBlock);
}

std::optional<Result<AssumeRoleResult>> StsService::assume_role_with(const RpcCall& call, Access access) {
  const auth::Identity& who = call.caller;
  if (who.anonymous() || who.account_id != account_id_) return no_permission();
  if (who.kind == auth::PrincipalKind::AssumedRole) {
    return no_permission("Temporary credentials cannot be used to assume a role.");
  }

  // Parameters, all checked before anything is read.
  const std::string_view role_arn = param_or_empty(call, "RoleArn");
  if (role_arn.empty())
    return rpc_error(ErrorCode::MissingArgument, "MissingRoleArn", "RoleArn is mandatory for this action.");
  const std::string_view session_name = param_or_empty(call, "RoleSessionName");
  if (session_name.empty()) {
    return rpc_error(ErrorCode::MissingArgument, "MissingRoleSessionName",
                     "RoleSessionName is mandatory for this action.");
  }
  auto role_name = role_name_from_arn(role_arn, account_id_);
  if (!role_name) return wrongly_formed("RoleArn");
  if (session_name.size() < 2 || session_name.size() > 64 ||
      !std::all_of(session_name.begin(), session_name.end(), is_session_name_char)) {
    return wrongly_formed("RoleSessionName");
  }
  int64_t duration = kDefaultStsDuration;
  if (const std::string* text = call.param("DurationSeconds"); text && !text->empty()) {
    auto parsed = parse_rpc_integer(*text);
    if (!parsed || *parsed < kMinStsDuration || *parsed > 43200) {
      return invalid_parameter("InvalidParameter.DurationSeconds",
                               "The Min/Max value of DurationSeconds is 15min/12hr.");
    }
    duration = *parsed;
  }
  const std::string_view session_policy = param_or_empty(call, "Policy");
  if (!session_policy.empty()) {
    if (utf8_length(session_policy) > kMaxSessionPolicyChars) {
      return invalid_parameter("InvalidParameter.PolicySize",
                               "The parameter Policy is too long: the limit is 2048 characters.");
    }
    policy::ParseLimits limits;
    limits.max_bytes = session_policy.size();
    if (auto parsed = policy::parse(session_policy, limits); !parsed) {
      return invalid_parameter("InvalidParameter.PolicyGrammar",
                               "The parameter Policy has not passed grammar check: " + parsed.error().message);
    }
  }
  const std::string_view source_identity = param_or_empty(call, "SourceIdentity");
  if (source_identity.size() > 64 ||
      !std::all_of(source_identity.begin(), source_identity.end(), is_session_name_char)) {
    return wrongly_formed("SourceIdentity");
  }

  // The caller's own right to assume this role, before the role is looked
  // up, so callers without it learn nothing about which roles exist.
  const std::string arn = ram_arn(account_id_, "role/" + *role_name);
  if (who.kind != auth::PrincipalKind::Account) {
    if (authorizer_ == nullptr) return no_permission();
    // The Authorizer may read the store for a RAM user's policies.
    if (access == Access::CacheOnly) return std::nullopt;
    auto decision = authorizer_->decide(who, rpc_call_facts(call, "sts:AssumeRole", arn), nullptr);
    if (!decision) return decision.error();
    if (!decision->allowed) return no_permission();
  }

  CachedRolePtr cached;
  if (access == Access::CacheOnly) {
    cached = roles_->find_fresh(*role_name, call.now);
    if (!cached) return std::nullopt;
  } else {
    auto loaded = roles_->load(*role_name, call.now);
    if (!loaded) {
      if (loaded.error().code == ErrorCode::EntityNotExist) {
        return rpc_error(ErrorCode::EntityNotExist, "EntityNotExist.Role", "The role not exists: " + arn + ".");
      }
      return loaded.error();
    }
    cached = std::move(loaded.value());
  }
  const meta::RoleRecord* role = &cached->record;
  if (duration > role->max_session_duration_s) {
    return invalid_parameter("InvalidParameter.DurationSeconds", "The Min/Max value of DurationSeconds is 15min/" +
                                                                     std::to_string(role->max_session_duration_s) +
                                                                     "s for this role.");
  }

  // The role must trust the caller.
  if (!cached->trust.document)
    return no_permission("The trust policy of the role is not valid: " + cached->trust_error);
  policy::Facts facts = rpc_call_facts(call, "sts:AssumeRole", arn);
  facts.principal_ids = {ram_arn(account_id_, "root"), account_id_};
  if (who.kind == auth::PrincipalKind::RamUser)
    facts.principal_ids.push_back(ram_arn(account_id_, "user/" + who.principal));
  if (const std::string* external_id = call.param("ExternalId")) facts.keys["sts:externalid"] = {*external_id};
  if (policy::evaluate({&cached->trust, 1}, facts, /*check_principal=*/true).decision != policy::Decision::Allow) {
    return no_permission();
  }

  // Issue.
  auto ring = keys_.ring();
  if (!ring) return Error(ErrorCode::InternalError, "the STS key ring is not loaded");
  const SystemTime issued = from_unix_seconds(to_unix_seconds(call.now));
  PrefetchedRandom random(random_, kAssumeRoleRandomBytes);
  auth::SessionClaims claims;
  claims.access_key_id = std::string(auth::kTemporaryKeyPrefix) + random_text(random, kBase58, 28);
  claims.access_key_secret = random_text(random, kBase58, 44);
  claims.account_id = account_id_;
  claims.role_name = role->name;
  claims.role_id = role->role_id;
  claims.session_name = std::string(session_name);
  claims.session_policy = std::string(session_policy);
  claims.source_identity = std::string(source_identity);
  claims.issued = issued;
  claims.expiration = issued + std::chrono::seconds(duration);
  std::string nonce(crypto::kAeadNonceBytes, '\0');
  random.fill({reinterpret_cast<unsigned char*>(nonce.data()), nonce.size()});
  auto token = auth::seal_session_token(claims, *ring, nonce);
  if (!token) return token.error();

  AssumeRoleResult result;
  result.access_key_id = claims.access_key_id;
  result.access_key_secret = claims.access_key_secret;
  result.security_token = std::move(token.value());
  result.expiration = claims.expiration;
  result.assumed_role_arn = ram_arn(account_id_, "role/" + role->name + "/" + claims.session_name);
  result.assumed_role_id = role->role_id + ":" + claims.session_name;
  result.source_identity = claims.source_identity;
  return std::optional<Result<AssumeRoleResult>>(std::move(result));
}

json assume_role_json(const AssumeRoleResult& result) {
  json out = {{"AssumedRoleUser", {{"Arn", result.assumed_role_arn}, {"AssumedRoleId", result.assumed_role_id}}},
              {"Credentials",
               {{"AccessKeyId", result.access_key_id},
                {"AccessKeySecret", result.access_key_secret},
                {"SecurityToken", result.security_token},
                {"Expiration", format_iso8601(result.expiration)}}}};
  if (!result.source_identity.empty()) out["SourceIdentity"] = result.source_identity;
  return out;
}

json StsService::get_caller_identity(const RpcCall& call) const {
  const auth::Identity& who = call.caller;
  switch (who.kind) {
    case auth::PrincipalKind::Account:
      return {{"IdentityType", "Account"},
              {"AccountId", who.account_id},
              {"UserId", who.account_id},
              {"Arn", ram_arn(who.account_id, "root")},
              {"PrincipalId", who.account_id}};
    case auth::PrincipalKind::RamUser:
      return {{"IdentityType", "RAMUser"},
              {"AccountId", who.account_id},
              {"UserId", who.principal_id},
              {"Arn", ram_arn(who.account_id, "user/" + who.principal)},
              {"PrincipalId", who.principal_id}};
    case auth::PrincipalKind::AssumedRole:
      return {{"IdentityType", "AssumedRoleUser"},
              {"AccountId", who.account_id},
              {"Arn", ram_arn(who.account_id, "assumed-role/" + who.principal + "/" + who.session_name)},
              {"PrincipalId", who.principal_id + ":" + who.session_name},
              {"RoleId", who.principal_id}};
  }
  return json::object();
}

std::optional<Result<json>> StsService::call_cached(const RpcCall& call) {
  if (call.action != "AssumeRole") return this->call(call);  // GetCallerIdentity and unknown actions read nothing
  auto result = assume_role_with(call, Access::CacheOnly);
  if (!result) return std::nullopt;
  if (!*result) return Result<json>(std::move(*result).error());
  return Result<json>(assume_role_json(result->value()));
}

Result<json> StsService::call(const RpcCall& call) {
  if (call.action == "GetCallerIdentity") return get_caller_identity(call);
  if (call.action == "AssumeRole") {
    auto result = assume_role(call);
    if (!result) return std::move(result).error();
    return assume_role_json(result.value());
  }
  return rpc_error(ErrorCode::InvalidArgument, "InvalidAction.NotFound",
                   "Specified api is not found, please check your url and method.");
}

}  // namespace ossd::iam
