#pragma once
// The PostObject policy (spec §5): the base64 JSON document a form upload
// carries, {"expiration": ISO 8601, "conditions": [...]}, and the pure checks
// it imposes on the form. Signature verification is in post_signature.hpp.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/header_field.hpp"
#include "core/result.hpp"

namespace ossd::auth {

struct PostPolicyCondition {
  enum class Kind { Eq, StartsWith, In, NotIn, ContentLengthRange };
  Kind kind = Kind::Eq;
  std::string field;                // lower-cased, without the '$'
  std::vector<std::string> values;  // Eq / StartsWith: one; In / NotIn: the list
  uint64_t min = 0;                 // ContentLengthRange, inclusive
  uint64_t max = 0;
  std::string text;  // the condition as written, for error messages
};

struct PostPolicy {
  SystemTime expiration;
  std::vector<PostPolicyCondition> conditions;
};

// Parses the decoded policy JSON. Not JSON, not an object, a missing or
// unparseable expiration, conditions that are not an array, or a condition
// of unknown form (operator, arity, value types, min > max):
// InvalidPolicyDocument.
Result<PostPolicy> parse_post_policy(std::string_view text);

// AccessDenied "Invalid according to Policy: Policy expired." once now is
// past the expiration.
Status check_post_policy_expiration(const PostPolicy& policy, SystemTime now);

// Every condition except content-length-range against the form's values
// (names compared case-insensitively; a field the form lacks counts as "").
// The caller supplies the values as they will be used: the bucket, the key
// after ${filename} substitution, the effective Content-Type. AccessDenied
// "Invalid according to Policy: Policy Condition failed: <condition>" for
// the first that fails.
Status check_post_policy_conditions(const PostPolicy& policy, const std::vector<HeaderField>& values);

// The tightest [min, max] all content-length-range conditions allow, or
// nullopt when the policy has none. An empty range yields min > max.
std::optional<std::pair<uint64_t, uint64_t>> post_content_length_range(const PostPolicy& policy);

// EntityTooLarge / EntityTooSmall when size is outside the policy's range.
Status check_post_content_length(const PostPolicy& policy, uint64_t size);

}  // namespace ossd::auth
