#include "iam/authorizer.hpp"

#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/strings.hpp"
#include "iam/generation_watch.hpp"
#include "iam/request_facts.hpp"
#include "iam/system_policies.hpp"

namespace ossd::iam {

namespace {

using DocumentPtr = std::shared_ptr<const policy::Document>;
using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view kBucketPolicyName = "bucket-policy";
constexpr std::string_view kSessionPolicyName = "session-policy";
// Session policies are checked (2048 chars) when AssumeRole issues the token;
// this bound only keeps a token from another gateway from costing much.
constexpr size_t kSessionPolicyParseLimit = 16 << 10;
// Distinct session policies kept parsed; past this the cache starts over.
constexpr size_t kSessionCacheCapacity = 1024;

// The policies attached to one principal (a RAM user with its groups, or a
// role), parsed. `unreadable` names an attached policy whose document does not
// parse any more: its Deny statements cannot be known, so nothing is allowed.
struct PrincipalPolicies {
  std::vector<policy::NamedDocument> documents;
  std::string unreadable;
};
using PrincipalPoliciesPtr = std::shared_ptr<const PrincipalPolicies>;

// The bucket policy's caller-supplied document, borrowed for one evaluation
// (aliasing constructor: no ownership, no allocation).
policy::NamedDocument borrowed(std::string_view name, const policy::Document* document) {
  return policy::NamedDocument{std::string(name), DocumentPtr(std::shared_ptr<void>(), document)};
}

std::string statement_label(const policy::Verdict& verdict) {
  return verdict.sid.empty() ? "#" + std::to_string(verdict.statement) : verdict.sid;
}

AccessDecision allow_by(const policy::Verdict& verdict) {
  return AccessDecision{true, false, verdict.policy, statement_label(verdict)};
}

AccessDecision deny_by(const policy::Verdict& verdict) {
  return AccessDecision{false, true, verdict.policy, statement_label(verdict)};
}

AccessDecision implicit_deny() { return AccessDecision{}; }

AccessDecision unreadable_policy(const std::string& name) { return AccessDecision{false, true, name, "unreadable"}; }

bool is_ids_wildcard_only(const policy::Statement& statement) {
  for (const policy::Principal& principal : statement.principals) {
    for (const std::string& id : principal.ids) {
      if (id != "*") return false;
    }
  }
  return true;
}

// The owner manages the bucket policy whatever it says; otherwise a Deny on
// oss:* with a condition could never be undone.
bool is_policy_management(std::string_view action) {
  return iequals(action, "oss:PutBucketPolicy") || iequals(action, "oss:GetBucketPolicy") ||
         iequals(action, "oss:DeleteBucketPolicy");
}

std::vector<std::string> principal_ids_of(const auth::Identity& identity) {
  if (identity.anonymous()) return {};
  const std::string& account = identity.account_id;
  switch (identity.kind) {
    case auth::PrincipalKind::Account: return {account, "acs:ram::" + account + ":root"};
    case auth::PrincipalKind::RamUser:
      return {identity.principal_id, "acs:ram::" + account + ":user/" + identity.principal};
    case auth::PrincipalKind::AssumedRole:
      return {identity.principal_id, identity.principal_id + ":" + identity.session_name,
              "acs:ram::" + account + ":role/" + identity.principal,
              "arn:sts::" + account + ":assumed-role/" + identity.principal + "/" + identity.session_name};
  }
  return {};
}

// Only the bucket policy speaks (anonymous callers, other accounts).
AccessDecision decide_by_bucket_policy(const policy::Facts& facts, const policy::Document* bucket_policy) {
  if (!bucket_policy) return implicit_deny();
  const policy::NamedDocument documents[] = {borrowed(kBucketPolicyName, bucket_policy)};
  const policy::Verdict verdict = policy::evaluate(documents, facts, true);
  if (verdict.decision == policy::Decision::ExplicitDeny) return deny_by(verdict);
  if (verdict.decision == policy::Decision::Allow) return allow_by(verdict);
  return implicit_deny();
}

// The account root: allowed unless a bucket-policy Deny that applies to the
// owner matches. As on OSS, a Deny naming everyone ("*") without a Condition
// is meant for others, not for the owner.
AccessDecision decide_for_owner(const policy::Facts& facts, const policy::Document* bucket_policy) {
  AccessDecision owner{true, false, "", ""};  // not const: returned by (automatic) move
  if (!bucket_policy || is_policy_management(facts.action)) return owner;
  std::vector<size_t> original_index;
  auto applicable = std::make_shared<policy::Document>();
  for (size_t index = 0; index < bucket_policy->statements.size(); ++index) {
    const policy::Statement& statement = bucket_policy->statements[index];
    if (statement.effect != policy::Effect::Deny) continue;
    if (is_ids_wildcard_only(statement) && statement.conditions.empty()) continue;
    applicable->statements.push_back(statement);
    original_index.push_back(index);
  }
  if (applicable->statements.empty()) return owner;
  const policy::NamedDocument documents[] = {{std::string(kBucketPolicyName), applicable}};
  policy::Verdict verdict = policy::evaluate(documents, facts, true);
  if (verdict.decision != policy::Decision::ExplicitDeny) return owner;
  verdict.statement = original_index[verdict.statement];
  return deny_by(verdict);
}

}  // namespace

struct Authorizer::State {
  meta::IdentityStore& store;
  const std::string account_id;
  std::unordered_map<std::string, DocumentPtr> system_documents;  // parsed once, never change

  GenerationWatch<SteadyClock::time_point> generation;
  std::mutex mutex;
  // Bumped whenever the caches are dropped, so a load that started before
  // does not put stale policies back.
  uint64_t epoch = 0;
  std::unordered_map<std::string, PrincipalPoliciesPtr> users;
  std::unordered_map<std::string, PrincipalPoliciesPtr> roles;
  std::unordered_map<std::string, DocumentPtr> custom_documents;   // by policy name; null = unreadable
  std::unordered_map<std::string, DocumentPtr> session_documents;  // by JSON text; null = unreadable

  State(meta::IdentityStore& s, std::string account, std::chrono::milliseconds poll)
      : store(s), account_id(std::move(account)), generation(s, poll) {
    for (const SystemPolicy& system : system_policies()) {
      auto parsed = policy::parse(system.document);
      // The documents are constants of this program; one that does not parse
      // is left out (and the unit tests fail on it).
      if (parsed) system_documents.emplace(system.name, std::make_shared<policy::Document>(std::move(*parsed)));
    }
  }

  void drop_caches_locked() {
    users.clear();
    roles.clear();
    custom_documents.clear();
    session_documents.clear();
    ++epoch;
  }

  // Drops every cache when the store's generation has moved.
  Status refresh() {
    auto moved = generation.poll(SteadyClock::now());
    if (!moved) return std::move(moved).error();
    if (moved.value()) {
      std::lock_guard lock(mutex);
      drop_caches_locked();
    }
    return ok_status();
  }

  uint64_t current_epoch() {
    std::lock_guard lock(mutex);
    return epoch;
  }

  // A Custom policy's default document, parsed (cached). nullopt when the
  // policy no longer exists (detached meanwhile): it grants and denies nothing.
  Result<std::optional<DocumentPtr>> custom_document(const std::string& name, uint64_t loaded_at) {
    {
      std::lock_guard lock(mutex);
      if (auto it = custom_documents.find(name); it != custom_documents.end()) return std::optional(it->second);
    }
    auto record = store.get_policy(name);
    if (!record) {
      if (record.error().code == ErrorCode::EntityNotExist) return std::optional<DocumentPtr>();
      return std::move(record).error();
    }
    DocumentPtr document;
    if (auto parsed = policy::parse(record->document)) {
      document = std::make_shared<policy::Document>(std::move(*parsed));
    }
    std::lock_guard lock(mutex);
    if (epoch == loaded_at) custom_documents.insert_or_assign(name, document);
    return std::optional(document);
  }

  Status add_attachments(const std::string& principal_type, const std::string& principal_name, uint64_t loaded_at,
                         PrincipalPolicies& out) {
    auto attachments = store.list_attachments_for(principal_type, principal_name);
    if (!attachments) {
      if (attachments.error().code == ErrorCode::EntityNotExist) return ok_status();
      return std::move(attachments).error();
    }
    for (const meta::AttachmentRecord& attachment : attachments.value()) {
      if (attachment.policy_type == "System") {
        auto it = system_documents.find(attachment.policy_name);
        if (it == system_documents.end()) {
          if (out.unreadable.empty()) out.unreadable = attachment.policy_name;
          continue;
        }
        out.documents.push_back({attachment.policy_name, it->second});
        continue;
      }
      auto document = custom_document(attachment.policy_name, loaded_at);
      if (!document) return std::move(document).error();
      if (!document.value()) continue;
      if (!*document.value()) {
        if (out.unreadable.empty()) out.unreadable = attachment.policy_name;
        continue;
      }
      out.documents.push_back({attachment.policy_name, *document.value()});
    }
    return ok_status();
  }

  Result<PrincipalPoliciesPtr> user_policies(const std::string& user_name) {
    uint64_t loaded_at;
    {
      std::lock_guard lock(mutex);
      if (auto it = users.find(user_name); it != users.end()) return it->second;
      loaded_at = epoch;
    }
    auto loaded = std::make_shared<PrincipalPolicies>();
    if (auto own = add_attachments("User", user_name, loaded_at, *loaded); !own) return std::move(own).error();
    auto groups = store.list_groups_for_user(user_name);
    if (!groups && groups.error().code != ErrorCode::EntityNotExist) return std::move(groups).error();
    if (groups) {
      for (const meta::GroupRecord& group : groups.value()) {
        if (auto status = add_attachments("Group", group.name, loaded_at, *loaded); !status) {
          return std::move(status).error();
        }
      }
    }
    std::lock_guard lock(mutex);
    if (epoch == loaded_at) users.insert_or_assign(user_name, loaded);
    return PrincipalPoliciesPtr(loaded);
  }

  Result<PrincipalPoliciesPtr> role_policies(const std::string& role_name) {
    uint64_t loaded_at;
    {
      std::lock_guard lock(mutex);
      if (auto it = roles.find(role_name); it != roles.end()) return it->second;
      loaded_at = epoch;
    }
    auto loaded = std::make_shared<PrincipalPolicies>();
    if (auto status = add_attachments("Role", role_name, loaded_at, *loaded); !status) {
      return std::move(status).error();
    }
    std::lock_guard lock(mutex);
    if (epoch == loaded_at) roles.insert_or_assign(role_name, loaded);
    return PrincipalPoliciesPtr(loaded);
  }

  // The session policy of an STS token, parsed (cached by its text); null
  // when it does not parse.
  DocumentPtr session_document(const std::string& json) {
    {
      std::lock_guard lock(mutex);
      if (auto it = session_documents.find(json); it != session_documents.end()) return it->second;
    }
    DocumentPtr document;
    policy::ParseLimits limits;
    limits.max_bytes = kSessionPolicyParseLimit;
    if (auto parsed = policy::parse(json, limits)) document = std::make_shared<policy::Document>(std::move(*parsed));
    std::lock_guard lock(mutex);
    if (session_documents.size() >= kSessionCacheCapacity) session_documents.clear();
    session_documents.insert_or_assign(json, document);
    return document;
  }
};

Authorizer::Authorizer(meta::IdentityStore& store, std::string account_id, std::chrono::milliseconds generation_poll)
    : state_(std::make_unique<State>(store, std::move(account_id), generation_poll)) {}

Authorizer::~Authorizer() = default;

void Authorizer::invalidate() {
  state_->generation.forget();
  std::lock_guard lock(state_->mutex);
  state_->drop_caches_locked();
}

Result<AccessDecision> Authorizer::decide(const auth::Identity& identity, policy::Facts facts,
                                          const policy::Document* bucket_policy) {
  State& s = *state_;
  facts.principal_ids = principal_ids_of(identity);
  if (identity.anonymous() || identity.account_id != s.account_id) {
    return decide_by_bucket_policy(facts, bucket_policy);
  }
  if (identity.kind == auth::PrincipalKind::Account) return decide_for_owner(facts, bucket_policy);

  if (auto fresh = s.refresh(); !fresh) return std::move(fresh).error();
  const bool role_session = identity.kind == auth::PrincipalKind::AssumedRole;
  auto attached = role_session ? s.role_policies(identity.principal) : s.user_policies(identity.principal);
  if (!attached) return std::move(attached).error();
  const PrincipalPolicies& policies = *attached.value();
  if (!policies.unreadable.empty()) return unreadable_policy(policies.unreadable);

  const policy::Verdict own = policy::evaluate(policies.documents, facts, false);
  if (own.decision == policy::Decision::ExplicitDeny) return deny_by(own);

  std::optional<policy::Verdict> session;
  if (role_session && !identity.session_policy.empty()) {
    DocumentPtr document = s.session_document(identity.session_policy);
    if (!document) return unreadable_policy(std::string(kSessionPolicyName));
    const policy::NamedDocument documents[] = {{std::string(kSessionPolicyName), document}};
    session = policy::evaluate(documents, facts, false);
    if (session->decision == policy::Decision::ExplicitDeny) return deny_by(*session);
  }

  const AccessDecision by_bucket = decide_by_bucket_policy(facts, bucket_policy);
  if (by_bucket.explicit_deny) return by_bucket;

  // The session policy only narrows: it must allow too, whoever else does.
  if (session && session->decision != policy::Decision::Allow) return implicit_deny();
  if (own.decision == policy::Decision::Allow) return allow_by(own);
  if (by_bucket.allowed) return by_bucket;
  return implicit_deny();
}

std::string bucket_arn(const std::string& account_id, const std::string& bucket) {
  return oss_resource_arn(account_id, bucket, "");
}

std::string object_arn(const std::string& account_id, const std::string& bucket, const std::string& key) {
  return oss_resource_arn(account_id, bucket, key);
}

}  // namespace ossd::iam
