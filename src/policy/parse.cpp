// parse(): policy JSON text -> Document. The text is measured and its nesting
// pre-scanned before nlohmann sees it, so hostile input ("[[[[..." or a
// megabyte of statements) costs one pass over the bytes at most.
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "policy/conditions.hpp"
#include "policy/policy.hpp"

namespace ossd::policy {

namespace {

using nlohmann::json;

Error invalid(std::string message) { return Error(ErrorCode::InvalidPolicyDocument, std::move(message)); }

// The deepest bracket nesting of the text, counting only brackets outside
// strings; stops as soon as it passes `limit`. Malformed text is left for
// the JSON parser to describe.
Status check_nesting(std::string_view text, size_t limit) {
  size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > limit) {
          return invalid("policy document nests deeper than " + std::to_string(limit) + " levels");
        }
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default: break;
    }
  }
  return ok_status();
}

// nlohmann keeps the last of duplicate object keys; a policy with two
// "Effect" fields must not silently mean the second, so duplicates are found
// while parsing and refused.
Result<json> parse_json(std::string_view text) {
  std::vector<std::set<std::string, std::less<>>> open_objects;
  std::optional<std::string> duplicate;
  auto watch_keys = [&](int /*depth*/, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start: open_objects.emplace_back(); break;
      case json::parse_event_t::key:
        if (!open_objects.empty() && parsed.is_string() &&
            !open_objects.back().insert(parsed.get<std::string>()).second && !duplicate) {
          duplicate = parsed.get<std::string>();
        }
        break;
      case json::parse_event_t::object_end:
        if (!open_objects.empty()) open_objects.pop_back();
        break;
      default: break;
    }
    return true;
  };
  try {
    json document = json::parse(text.begin(), text.end(), watch_keys);
    if (duplicate) return invalid("policy document repeats the field \"" + *duplicate + "\"");
    return document;
  } catch (const json::exception& e) {
    // nlohmann's text starts with "[json.exception.parse_error.101] "; keep the part after it.
    std::string_view reason = e.what();
    if (auto bracket = reason.find("] "); bracket != std::string_view::npos) reason.remove_prefix(bracket + 2);
    return invalid("policy document is not valid JSON: " + std::string(reason));
  }
}

std::string in_quotes(std::string_view text) {
  // Built by appending: `"\"" + std::string(...)` trips GCC 12's false -Wrestrict.
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  out += text;
  out += '"';
  return out;
}

// A string or a non-empty array of non-empty strings.
Result<std::vector<std::string>> string_list(const json& value, const std::string& where, const ParseLimits& limits) {
  std::vector<std::string> out;
  if (value.is_string()) {
    out.push_back(value.get<std::string>());
  } else if (value.is_array()) {
    if (value.empty()) return invalid(where + " must not be an empty list");
    if (value.size() > limits.max_values) {
      return invalid(where + " lists " + std::to_string(value.size()) + " values, more than the " +
                     std::to_string(limits.max_values) + " allowed");
    }
    out.reserve(value.size());
    for (const json& item : value) {
      if (!item.is_string()) return invalid(where + " must hold only strings");
      out.push_back(item.get<std::string>());
    }
  } else {
    return invalid(where + " must be a string or an array of strings");
  }
  for (const std::string& item : out) {
    if (item.empty()) return invalid(where + " must not hold an empty string");
  }
  return out;
}

// "*", or "<service>:<action-pattern>": an action without its service prefix
// ("GetObject") would silently never match, so it is refused.
Status check_action(const std::string& action, const std::string& where) {
  if (action == "*") return ok_status();
  const size_t colon = action.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == action.size()) {
    return invalid(where + " value " + in_quotes(action) + " must be \"*\" or \"<service>:<action>\"");
  }
  return ok_status();
}

Result<std::vector<Principal>> parse_principal(const json& value, const std::string& where, const ParseLimits& limits) {
  std::vector<Principal> principals;
  if (value.is_string() || value.is_array()) {
    auto ids = string_list(value, where, limits);
    if (!ids) return std::move(ids).error();
    principals.push_back(Principal{"", std::move(*ids)});
    return principals;
  }
  if (!value.is_object()) return invalid(where + " must be \"*\", an array of ids or an object");
  if (value.empty()) return invalid(where + " must name at least one principal");
  for (const auto& [kind, ids_value] : value.items()) {
    if (kind != "RAM" && kind != "Service" && kind != "Federated") {
      return invalid(where + " has the unknown kind " + in_quotes(kind) + " (expected RAM, Service or Federated)");
    }
    auto ids = string_list(ids_value, where + "." + kind, limits);
    if (!ids) return std::move(ids).error();
    principals.push_back(Principal{kind, std::move(*ids)});
  }
  return principals;
}

// A condition value: strings as they are, numbers and booleans as their JSON text.
Result<std::string> condition_value_text(const json& value, const std::string& where) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean() || value.is_number()) return value.dump();
  return invalid(where + " values must be strings, numbers or booleans");
}

Result<std::vector<Condition>> parse_conditions(const json& value, const std::string& where,
                                                const ParseLimits& limits) {
  if (!value.is_object()) return invalid(where + " must be an object");
  std::vector<Condition> conditions;
  for (const auto& [op_name, block] : value.items()) {
    const std::optional<Operator> op = operator_from_name(op_name);
    if (!op) return invalid(where + " uses the unknown operator " + in_quotes(op_name));
    const std::string block_where = where + "." + op_name;
    if (!block.is_object()) return invalid(block_where + " must be an object of keys and values");
    if (block.empty()) return invalid(block_where + " must name at least one key");
    for (const auto& [key, values] : block.items()) {
      const std::string key_where = block_where + "." + key;
      if (key.empty()) return invalid(block_where + " has an empty key");
      Condition condition{*op, key, {}};
      if (values.is_array()) {
        if (values.empty()) return invalid(key_where + " must not be an empty list");
        if (values.size() > limits.max_values) {
          return invalid(key_where + " lists " + std::to_string(values.size()) + " values, more than the " +
                         std::to_string(limits.max_values) + " allowed");
        }
        for (const json& item : values) {
          auto text = condition_value_text(item, key_where);
          if (!text) return std::move(text).error();
          condition.values.push_back(std::move(*text));
        }
      } else {
        auto text = condition_value_text(values, key_where);
        if (!text) return std::move(text).error();
        condition.values.push_back(std::move(*text));
      }
      // A value the operator can never read (a date that is not a date) is a
      // mistake the author should hear about, not a condition that is silently false.
      for (const std::string& text : condition.values) {
        if (!detail::is_valid_condition_value(*op, text)) {
          return invalid(key_where + " value " + in_quotes(text) + " is not valid for " + op_name);
        }
      }
      conditions.push_back(std::move(condition));
    }
  }
  return conditions;
}

Result<Statement> parse_statement(const json& value, size_t index, const ParseLimits& limits) {
  const std::string where = "Statement[" + std::to_string(index) + "]";
  if (!value.is_object()) return invalid(where + " must be an object");
  for (const auto& [field, _] : value.items()) {
    static const std::set<std::string, std::less<>> kKnown = {"Sid",      "Effect",      "Action",    "NotAction",
                                                              "Resource", "NotResource", "Principal", "Condition"};
    if (!kKnown.contains(field)) return invalid(where + " has the unknown field " + in_quotes(field));
  }

  Statement statement;
  if (auto sid = value.find("Sid"); sid != value.end()) {
    if (!sid->is_string()) return invalid(where + ".Sid must be a string");
    statement.sid = sid->get<std::string>();
  }

  auto effect = value.find("Effect");
  if (effect == value.end()) return invalid(where + " has no Effect");
  if (*effect == "Allow") {
    statement.effect = Effect::Allow;
  } else if (*effect == "Deny") {
    statement.effect = Effect::Deny;
  } else {
    return invalid(where + ".Effect must be \"Allow\" or \"Deny\"");
  }

  const bool has_action = value.contains("Action");
  const bool has_not_action = value.contains("NotAction");
  if (has_action == has_not_action) return invalid(where + " must have exactly one of Action and NotAction");
  {
    const char* field = has_action ? "Action" : "NotAction";
    const std::string field_where = where + "." + field;
    auto actions = string_list(value.at(field), field_where, limits);
    if (!actions) return std::move(actions).error();
    for (const std::string& action : *actions) {
      if (auto checked = check_action(action, field_where); !checked) return std::move(checked).error();
    }
    statement.actions = std::move(*actions);
    statement.not_action = has_not_action;
  }

  // Resource is optional: role trust policies have none, and then the
  // statement applies to any resource.
  const bool has_resource = value.contains("Resource");
  const bool has_not_resource = value.contains("NotResource");
  if (has_resource && has_not_resource) return invalid(where + " must not have both Resource and NotResource");
  if (has_resource || has_not_resource) {
    const char* field = has_resource ? "Resource" : "NotResource";
    auto resources = string_list(value.at(field), where + "." + field, limits);
    if (!resources) return std::move(resources).error();
    statement.resources = std::move(*resources);
    statement.not_resource = has_not_resource;
  }

  if (auto principal = value.find("Principal"); principal != value.end()) {
    auto principals = parse_principal(*principal, where + ".Principal", limits);
    if (!principals) return std::move(principals).error();
    statement.principals = std::move(*principals);
  }

  if (auto condition = value.find("Condition"); condition != value.end()) {
    auto conditions = parse_conditions(*condition, where + ".Condition", limits);
    if (!conditions) return std::move(conditions).error();
    statement.conditions = std::move(*conditions);
  }
  return statement;
}

}  // namespace

Result<Document> parse(std::string_view text, const ParseLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return invalid("policy document is " + std::to_string(text.size()) + " bytes, more than the " +
                   std::to_string(limits.max_bytes) + " allowed");
  }
  if (auto nesting = check_nesting(text, limits.max_depth); !nesting) return std::move(nesting).error();

  auto parsed = parse_json(text);
  if (!parsed) return std::move(parsed).error();
  const json& root = *parsed;
  if (!root.is_object()) return invalid("policy document must be a JSON object");
  for (const auto& [field, _] : root.items()) {
    if (field != "Version" && field != "Statement")
      return invalid("policy document has the unknown field " + in_quotes(field));
  }

  Document document;
  auto version = root.find("Version");
  if (version == root.end() || *version != "1") return invalid("policy document needs \"Version\": \"1\"");
  document.version = "1";

  auto statements = root.find("Statement");
  if (statements == root.end()) return invalid("policy document has no Statement");
  if (statements->is_object()) {
    auto statement = parse_statement(*statements, 0, limits);
    if (!statement) return std::move(statement).error();
    document.statements.push_back(std::move(*statement));
    return document;
  }
  if (!statements->is_array()) return invalid("Statement must be an object or an array of objects");
  if (statements->size() > limits.max_statements) {
    return invalid("policy document has " + std::to_string(statements->size()) + " statements, more than the " +
                   std::to_string(limits.max_statements) + " allowed");
  }
  document.statements.reserve(statements->size());
  for (size_t index = 0; index < statements->size(); ++index) {
    auto statement = parse_statement((*statements)[index], index, limits);
    if (!statement) return std::move(statement).error();
    document.statements.push_back(std::move(*statement));
  }
  return document;
}

}  // namespace ossd::policy
