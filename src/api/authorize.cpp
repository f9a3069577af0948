#include "api/authorize.hpp"

#include "api/request_object.hpp"
#include "iam/authorizer.hpp"
#include "iam/request_facts.hpp"

namespace ossd::api {

namespace {

using PolicyPtr = std::shared_ptr<const policy::Document>;

bool is_anonymous_read(Operation op) {
  return op == Operation::GetObject || op == Operation::HeadObject || op == Operation::GetObjectMeta;
}

bool is_anonymous_write(Operation op) {
  switch (op) {
    case Operation::PutObject:
    case Operation::AppendObject:
    case Operation::DeleteObject:
    case Operation::InitiateMultipartUpload:
    case Operation::UploadPart:
    case Operation::CompleteMultipartUpload:
    case Operation::AbortMultipartUpload:
    case Operation::ListParts:
    case Operation::PostObject: return true;
    default: return false;
  }
}

Error denied(std::string_view message) { return Error(ErrorCode::AccessDenied, std::string(message)); }

bool is_account_root(const RequestContext& ctx) {
  const auth::Identity& who = ctx.identity;
  return !who.anonymous() && who.kind == auth::PrincipalKind::Account && who.account_id == ctx.services.account_id;
}

// The bucket/object ACL rules for anonymous callers (spec §7).
Status judge_by_acl(const RequestContext& ctx, const std::optional<std::string>& object_acl) {
  if (!ctx.bucket) return denied("AccessDenied: anonymous access to the service is not allowed.");
  const std::string& bucket_acl = ctx.bucket->acl;
  std::string effective = bucket_acl;
  if (object_acl && *object_acl != "default") effective = *object_acl;

  const Operation op = ctx.operation;
  if (is_anonymous_read(op)) {
    if (effective == "public-read" || effective == "public-read-write") return ok_status();
    return denied("You have no right to access this object because of bucket acl.");
  }
  if (op == Operation::ListObjects || op == Operation::ListObjectsV2) {
    if (bucket_acl == "public-read" || bucket_acl == "public-read-write") return ok_status();
    return denied("You have no right to access this bucket because of bucket acl.");
  }
  if (is_anonymous_write(op)) {
    if (bucket_acl == "public-read-write") return ok_status();
    return denied("You have no right to access this object because of bucket acl.");
  }
  return denied("Anonymous access is forbidden for this operation.");
}

boost::asio::awaitable<Status> authorize_by_acl(RequestContext& ctx) {
  Services& s = ctx.services;
  std::optional<std::string> object_acl;
  if (needs_object_acl(ctx)) {
    // GCC 12 miscompiles co_await inside a conditional expression: an if.
    Result<meta::ObjectRecord> object = Error(ErrorCode::InternalError);
    if (ctx.prefetched_object) {
      object = request_object(ctx);
    } else {
      object = co_await s.read_pool.run([&] { return request_object(ctx); });
    }
    if (object) object_acl = object->acl;
  }
  ctx.decided_by = "acl";
  co_return judge_by_acl(ctx, object_acl);
}

policy::Facts facts_for(const RequestContext& ctx, std::string_view action, std::string_view bucket,
                        std::string_view key, bool listing) {
  iam::OssRequest request;
  request.action = action;
  request.account_id = ctx.services.account_id;
  request.bucket = bucket;
  request.key = key;
  request.source_ip = ctx.http.remote_address;
  request.access_key_id = ctx.identity.anonymous() ? std::string_view() : std::string_view(ctx.identity.access_key_id);
  request.secure_transport = ctx.http.secure;
  request.listing = listing;
  request.query = &ctx.resource.query;
  request.headers = &ctx.http.headers;
  request.now = ctx.now;
  return iam::oss_request_facts(request);
}

std::string label_of(const iam::AccessDecision& decision) {
  if (decision.policy.empty()) return decision.allowed ? "owner" : "implicit-deny";
  return decision.policy + "/" + decision.statement;
}

Status verdict_status(const iam::AccessDecision& decision) {
  if (decision.allowed) return ok_status();
  if (decision.explicit_deny && decision.policy == "bucket-policy") return denied(kDeniedByBucketPolicy);
  return denied(kDeniedByAuthorizerPolicy);
}

// The policy of `bucket` when it is known without I/O: the request's own
// bucket, or a cached one.
std::optional<PolicyPtr> known_policy(const RequestContext& ctx, const std::string& bucket) {
  if (ctx.bucket && bucket == ctx.bucket_name()) return ctx.bucket_policy;
  if (auto cached = ctx.services.buckets.find_with_policy(bucket, BucketCache::Clock::now())) {
    return std::move(cached->policy);
  }
  return std::nullopt;
}

// Blocking on a cache miss. A missing bucket has no policy: the handler
// reports NoSuchBucket to callers allowed to learn it.
Result<PolicyPtr> policy_of(const RequestContext& ctx, const std::string& bucket) {
  if (auto known = known_policy(ctx, bucket)) return std::move(*known);
  Services& s = ctx.services;
  const auto now = BucketCache::Clock::now();
  auto loaded = load_bucket_with_policy(s, bucket);
  if (!loaded) {
    if (loaded.error().code == ErrorCode::NoSuchBucket) return PolicyPtr();
    return std::move(loaded).error();
  }
  s.buckets.store_with_policy(loaded.value(), now);
  return std::move(loaded->policy);
}

// Blocking only for RAM users and role sessions (the Authorizer may read the
// identity store).
Status judge_action(const RequestContext& ctx, std::string_view action, const std::string& bucket,
                    const std::string& key, const PolicyPtr& bucket_policy) {
  Services& s = ctx.services;
  const bool root = is_account_root(ctx);
  if (root && !bucket_policy) return ok_status();
  if (!s.authorizer) {
    if (root) return ok_status();
    return denied(kDeniedByAuthorizerPolicy);
  }
  auto decision = s.authorizer->decide(ctx.identity, facts_for(ctx, action, bucket, key, false), bucket_policy.get());
  if (!decision) return std::move(decision).error();
  return verdict_status(decision.value());
}

// A bucket policy that no longer parses (written by an older ossd, or a
// damaged database): deny everyone it can apply to. A Deny naming "*"
// without a Condition leaves the owner out, so the owner can repair it.
PolicyPtr unreadable_bucket_policy() {
  auto document = std::make_shared<policy::Document>();
  document->version = "1";
  policy::Statement deny_all;
  deny_all.sid = "unreadable-bucket-policy";
  deny_all.effect = policy::Effect::Deny;
  deny_all.actions = {"*"};
  deny_all.resources = {"*"};
  deny_all.principals = {policy::Principal{"", {"*"}}};
  document->statements.push_back(std::move(deny_all));
  return document;
}

}  // namespace

Result<policy::Document> parse_bucket_policy(std::string_view json) {
  policy::ParseLimits limits;
  limits.max_bytes = kMaxBucketPolicyBytes;
  auto parsed = policy::parse(json, limits);
  if (!parsed) return parsed;
  for (size_t index = 0; index < parsed->statements.size(); ++index) {
    if (parsed->statements[index].principals.empty()) {
      return Error(ErrorCode::InvalidPolicyDocument, "Statement " + std::to_string(index) +
                                                         " has no Principal: a bucket policy names whom it applies "
                                                         "to (\"*\" for everyone).");
    }
  }
  return parsed;
}

namespace {

BucketWithPolicy with_parsed_policy(meta::BucketWithConfig stored) {
  BucketWithPolicy loaded{std::move(stored.bucket), nullptr};
  if (stored.config) {
    auto parsed = parse_bucket_policy(*stored.config);
    loaded.policy =
        parsed ? std::make_shared<const policy::Document>(std::move(parsed.value())) : unreadable_bucket_policy();
  }
  return loaded;
}

}  // namespace

Result<BucketWithPolicy> load_bucket_with_policy(Services& services, const std::string& bucket) {
  auto stored = services.meta.get_bucket_with_config(bucket, std::string(kBucketPolicyConfigName));
  if (!stored) return std::move(stored).error();
  return with_parsed_policy(std::move(stored).value());
}

Result<BucketPolicyAndObject> load_bucket_policy_and_object(Services& services, const std::string& bucket,
                                                            const std::string& key) {
  auto stored = services.meta.get_bucket_config_and_object(bucket, std::string(kBucketPolicyConfigName), key);
  if (!stored) return std::move(stored).error();
  return BucketPolicyAndObject{with_parsed_policy(std::move(stored->bucket)), std::move(stored->object)};
}

bool needs_object_acl(const RequestContext& ctx) {
  return ctx.identity.anonymous() && is_anonymous_read(ctx.operation);
}

boost::asio::awaitable<Status> authorize(RequestContext& ctx) {
  Services& s = ctx.services;
  const auth::Identity& who = ctx.identity;
  const bool root = is_account_root(ctx);
  // The common case: the owner, no bucket policy. No facts, no hop.
  if (root && !ctx.bucket_policy) {
    ctx.decided_by = "owner";
    co_return ok_status();
  }
  if (who.anonymous() && !ctx.bucket_policy) co_return co_await authorize_by_acl(ctx);
  if (!s.authorizer) {
    // Without an identity store there are no RAM identities, and bucket
    // policies cannot be judged: fail closed for everyone but the owner.
    ctx.decided_by = root ? "owner" : "no-authorizer";
    if (root) co_return ok_status();
    co_return denied(kDeniedByAuthorizerPolicy);
  }
  // Each key of a batch delete is judged as its own DeleteObject (handler).
  if (ctx.operation == Operation::DeleteMultipleObjects) {
    ctx.decided_by = "per-key";
    co_return ok_status();
  }

  const bool listing = ctx.operation == Operation::ListObjects || ctx.operation == Operation::ListObjectsV2;
  policy::Facts facts = facts_for(ctx, ram_action(ctx.operation), ctx.bucket_name(), ctx.key(), listing);
  const policy::Document* bucket_policy = ctx.bucket_policy.get();
  Result<iam::AccessDecision> decision = Error(ErrorCode::InternalError);
  if (root || who.anonymous()) {
    // Pure evaluation of the bucket policy: no store, no hop.
    decision = s.authorizer->decide(who, std::move(facts), bucket_policy);
  } else {
    decision = co_await s.read_pool.run([&] { return s.authorizer->decide(who, std::move(facts), bucket_policy); });
  }
  if (!decision) co_return std::move(decision).error();
  ctx.decided_by = label_of(decision.value());
  if (who.anonymous() && !decision->allowed && !decision->explicit_deny) co_return co_await authorize_by_acl(ctx);
  co_return verdict_status(decision.value());
}

Status authorize_action(const RequestContext& ctx, std::string_view action, const std::string& bucket,
                        const std::string& key) {
  auto bucket_policy = policy_of(ctx, bucket);
  if (!bucket_policy) return std::move(bucket_policy).error();
  return judge_action(ctx, action, bucket, key, bucket_policy.value());
}

boost::asio::awaitable<Status> authorize_action_async(const RequestContext& ctx, std::string_view action,
                                                      const std::string& bucket, const std::string& key) {
  const bool store_free = ctx.identity.anonymous() || is_account_root(ctx) || !ctx.services.authorizer;
  if (store_free) {
    if (auto known = known_policy(ctx, bucket)) co_return judge_action(ctx, action, bucket, key, *known);
  }
  co_return co_await ctx.services.read_pool.run([&] { return authorize_action(ctx, action, bucket, key); });
}

}  // namespace ossd::api
