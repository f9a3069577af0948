#pragma once
// Decides whether an authenticated identity may perform the routed operation
// (spec §7). Runs in the pipeline, before any handler, so no handler can
// forget it:
//   - the account root is allowed unless its bucket policy explicitly denies
//     (checked without a work-pool hop: the common path stays cheap);
//   - RAM users and role sessions are judged by iam::Authorizer (their
//     policies, the session policy, the bucket policy) on the read pool;
//   - anonymous callers by the bucket policy, then the bucket and object ACLs;
//     a bucket-policy Deny overrides the ACLs.
// Refusals are AccessDenied: "Access denied by bucket policy." when a bucket
// policy statement denied, else "Access denied by authorizer's policy." (the
// words OSS uses), or the ACL messages for anonymous callers.
#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "api/bucket_cache.hpp"
#include "api/context.hpp"
#include "policy/policy.hpp"

namespace ossd::api {

// The bucket configuration document holding the bucket policy: the JSON as
// PutBucketPolicy received it.
inline constexpr std::string_view kBucketPolicyConfigName = "policy";
// OSS's limit on a bucket policy document.
inline constexpr size_t kMaxBucketPolicyBytes = 16 << 10;

inline constexpr std::string_view kDeniedByAuthorizerPolicy = "Access denied by authorizer's policy.";
inline constexpr std::string_view kDeniedByBucketPolicy = "Access denied by bucket policy.";

// A bucket policy document: the RAM policy language within 16 KiB, and every
// statement names its Principal (bucket policies say whom they apply to).
// Errors: InvalidPolicyDocument.
Result<policy::Document> parse_bucket_policy(std::string_view json);

// Blocking (run it on a work pool): the bucket record and its parsed policy.
// A stored policy that no longer parses denies everyone but the owner (fail
// closed; the owner can replace or delete it). NoSuchBucket.
Result<BucketWithPolicy> load_bucket_with_policy(Services& services, const std::string& bucket);

// The same, with the record of one of the bucket's objects in the same read
// (GET and HEAD; object empty: no such key).
struct BucketPolicyAndObject {
  BucketWithPolicy bucket;
  std::optional<meta::ObjectRecord> object;
};
Result<BucketPolicyAndObject> load_bucket_policy_and_object(Services& services, const std::string& bucket,
                                                            const std::string& key);

// The pipeline's check, after authentication and after ctx.bucket and
// ctx.bucket_policy are loaded. Sets ctx.decided_by. DeleteMultipleObjects
// is judged per key by its handler (oss:DeleteObject on each object).
boost::asio::awaitable<Status> authorize(RequestContext& ctx);

// Whether authorizing needs the object's ACL (anonymous reads).
bool needs_object_acl(const RequestContext& ctx);

// A second permission a handler needs besides the routed operation's own:
// GetObject on a copy source or a watermark image, PutObject on a
// sys/saveas target, DeleteObject per key of DeleteMultipleObjects. `key`
// empty = a bucket-level action. Anonymous callers need a bucket-policy Allow.
// Blocking when `bucket` is not the request's bucket and its policy is not
// cached (it reads the store), and for RAM users and roles (the Authorizer
// may read the identity store): call it from a work pool, or use
// authorize_action_async from a coroutine.
Status authorize_action(const RequestContext& ctx, std::string_view action, const std::string& bucket,
                        const std::string& key);

// authorize_action for a coroutine on an I/O thread: hops to the read pool
// only when the check may block.
boost::asio::awaitable<Status> authorize_action_async(const RequestContext& ctx, std::string_view action,
                                                      const std::string& bucket, const std::string& key);

}  // namespace ossd::api
