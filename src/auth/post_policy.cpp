#include "auth/post_policy.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/strings.hpp"
#include "core/time_format.hpp"

namespace ossd::auth {

namespace {

using json = nlohmann::json;

Error invalid_policy(std::string message) {
  return Error(ErrorCode::InvalidPolicyDocument, "Invalid Policy: " + std::move(message));
}

std::string dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

// Field references are written "$key"; the '$' is optional here, and names
// compare case-insensitively, like form field names.
std::string field_name(std::string_view reference) {
  if (reference.starts_with('$')) reference.remove_prefix(1);
  return to_lower(reference);
}

// Condition values are strings; a number (e.g. a status written 201) counts
// as its decimal text.
std::optional<std::string> scalar_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_unsigned() || value.is_number_integer()) return dump(value);
  return std::nullopt;
}

std::optional<uint64_t> length_bound(const json& value) {
  if (value.is_number_unsigned()) return value.get<uint64_t>();
  if (value.is_number_integer()) {
    const int64_t v = value.get<int64_t>();
    return v < 0 ? std::nullopt : std::optional<uint64_t>(static_cast<uint64_t>(v));
  }
  if (value.is_string()) return parse_uint64(value.get<std::string>());
  return std::nullopt;
}

Result<PostPolicyCondition> parse_array_condition(const json& item) {
  const std::string text = dump(item);
  auto bad = [&] { return invalid_policy("Invalid Simple-Condition: " + text); };
  if (item.empty() || !item[0].is_string()) return bad();
  const std::string op = to_lower(item[0].get<std::string>());
  PostPolicyCondition condition;
  condition.text = text;
  if (op == "content-length-range") {
    if (item.size() != 3) return bad();
    auto min = length_bound(item[1]);
    auto max = length_bound(item[2]);
    if (!min || !max || *min > *max) return bad();
    condition.kind = PostPolicyCondition::Kind::ContentLengthRange;
    condition.min = *min;
    condition.max = *max;
    return condition;
  }
  if (item.size() != 3 || !item[1].is_string()) return bad();
  condition.field = field_name(item[1].get<std::string>());
  if (condition.field.empty()) return bad();
  if (op == "eq" || op == "starts-with") {
    auto value = scalar_text(item[2]);
    if (!value) return bad();
    condition.kind = op == "eq" ? PostPolicyCondition::Kind::Eq : PostPolicyCondition::Kind::StartsWith;
    condition.values.push_back(std::move(*value));
    return condition;
  }
  if (op == "in" || op == "not-in") {
    if (!item[2].is_array()) return bad();
    for (const json& v : item[2]) {
      auto value = scalar_text(v);
      if (!value) return bad();
      condition.values.push_back(std::move(*value));
    }
    condition.kind = op == "in" ? PostPolicyCondition::Kind::In : PostPolicyCondition::Kind::NotIn;
    return condition;
  }
  return bad();
}

Error condition_failed(const PostPolicyCondition& condition) {
  return Error(ErrorCode::AccessDenied, "Invalid according to Policy: Policy Condition failed: " + condition.text);
}

const std::string* find_value(const std::vector<HeaderField>& values, std::string_view name) {
  for (const auto& field : values) {
    if (iequals(field.name, name)) return &field.value;
  }
  return nullptr;
}

}  // namespace

Result<PostPolicy> parse_post_policy(std::string_view text) {
  const json document = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object()) return invalid_policy("the policy is not a JSON object.");
  PostPolicy policy;
  auto expiration = document.find("expiration");
  if (expiration == document.end() || !expiration->is_string()) {
    return invalid_policy("the policy needs an expiration.");
  }
  auto when = parse_iso8601(expiration->get<std::string>());
  if (!when) return invalid_policy("the expiration is not an ISO 8601 UTC time: " + dump(*expiration));
  policy.expiration = *when;

  auto conditions = document.find("conditions");
  if (conditions == document.end() || !conditions->is_array()) {
    return invalid_policy("the policy needs a conditions array.");
  }
  for (const json& item : *conditions) {
    if (item.is_object()) {
      // {"bucket": "b"} is an exact match, one per member.
      for (auto member = item.begin(); member != item.end(); ++member) {
        auto value = scalar_text(member.value());
        if (!value || member.key().empty()) return invalid_policy("Invalid Simple-Condition: " + dump(item));
        PostPolicyCondition condition;
        condition.kind = PostPolicyCondition::Kind::Eq;
        condition.field = field_name(member.key());
        condition.values.push_back(std::move(*value));
        condition.text = dump(json::object({{member.key(), member.value()}}));
        policy.conditions.push_back(std::move(condition));
      }
    } else if (item.is_array()) {
      auto condition = parse_array_condition(item);
      if (!condition) return std::move(condition).error();
      policy.conditions.push_back(std::move(condition.value()));
    } else {
      return invalid_policy("Invalid Simple-Condition: " + dump(item));
    }
  }
  return policy;
}

Status check_post_policy_expiration(const PostPolicy& policy, SystemTime now) {
  if (now > policy.expiration) {
    return Error(ErrorCode::AccessDenied, "Invalid according to Policy: Policy expired.")
        .with("Expiration", format_iso8601_ms(policy.expiration))
        .with("ServerTime", format_iso8601_ms(now));
  }
  return ok_status();
}

Status check_post_policy_conditions(const PostPolicy& policy, const std::vector<HeaderField>& values) {
  static const std::string kEmpty;
  for (const PostPolicyCondition& condition : policy.conditions) {
    using Kind = PostPolicyCondition::Kind;
    if (condition.kind == Kind::ContentLengthRange) continue;
    const std::string* found = find_value(values, condition.field);
    const std::string& value = found ? *found : kEmpty;
    bool ok = false;
    switch (condition.kind) {
      case Kind::Eq: ok = value == condition.values.front(); break;
      case Kind::StartsWith: ok = value.starts_with(condition.values.front()); break;
      case Kind::In:
        ok = std::find(condition.values.begin(), condition.values.end(), value) != condition.values.end();
        break;
      case Kind::NotIn:
        ok = std::find(condition.values.begin(), condition.values.end(), value) == condition.values.end();
        break;
      case Kind::ContentLengthRange: ok = true; break;
    }
    if (!ok) return condition_failed(condition);
  }
  return ok_status();
}

std::optional<std::pair<uint64_t, uint64_t>> post_content_length_range(const PostPolicy& policy) {
  std::optional<std::pair<uint64_t, uint64_t>> range;
  for (const PostPolicyCondition& condition : policy.conditions) {
    if (condition.kind != PostPolicyCondition::Kind::ContentLengthRange) continue;
    if (!range) {
      range.emplace(condition.min, condition.max);
    } else {
      range->first = std::max(range->first, condition.min);
      range->second = std::min(range->second, condition.max);
    }
  }
  return range;
}

Status check_post_content_length(const PostPolicy& policy, uint64_t size) {
  auto range = post_content_length_range(policy);
  if (!range) return ok_status();
  if (size > range->second) {
    return Error(ErrorCode::EntityTooLarge, "Your proposed upload exceeds the maximum allowed size.")
        .with("MaxSizeAllowed", std::to_string(range->second))
        .with("ProposedSize", std::to_string(size));
  }
  if (size < range->first) {
    return Error(ErrorCode::EntityTooSmall, "Your proposed upload is smaller than the minimum allowed size.")
        .with("MinSizeAllowed", std::to_string(range->first))
        .with("ProposedSize", std::to_string(size));
  }
  return ok_status();
}

}  // namespace ossd::auth
