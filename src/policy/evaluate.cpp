#include <algorithm>

#include "policy/conditions.hpp"
#include "policy/policy.hpp"

namespace ossd::policy {

namespace {

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// `segment` (no '*', may hold '?') against text starting at `at`; the caller
// guarantees text has room for it.
bool segment_matches_at(std::string_view segment, std::string_view text, size_t at, bool ignore_case) {
  for (size_t i = 0; i < segment.size(); ++i) {
    const char p = segment[i];
    const char t = text[at + i];
    if (p == '?' || p == t) continue;
    if (ignore_case && ascii_lower(p) == ascii_lower(t)) continue;
    return false;
  }
  return true;
}

bool any_matches(const std::vector<std::string>& patterns, std::string_view text, bool ignore_case) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& pattern) { return wildcard_match(pattern, text, ignore_case); });
}

bool action_matches(const Statement& statement, std::string_view action) {
  const bool listed = any_matches(statement.actions, action, true);
  return statement.not_action ? !listed : listed;
}

// A statement without Resource (role trust policies have none) applies to any resource.
bool resource_matches(const Statement& statement, std::string_view resource) {
  if (statement.resources.empty() && !statement.not_resource) return true;
  const bool listed = any_matches(statement.resources, resource, false);
  return statement.not_resource ? !listed : listed;
}

// "*" names everyone, anonymous callers (no ids) included; other patterns
// must match one of the caller's ids, case-sensitively. A statement without
// Principal names nobody.
bool principal_matches(const Statement& statement, const std::vector<std::string>& caller_ids) {
  for (const Principal& principal : statement.principals) {
    for (const std::string& pattern : principal.ids) {
      if (pattern == "*") return true;
      for (const std::string& id : caller_ids) {
        if (wildcard_match(pattern, id, false)) return true;
      }
    }
  }
  return false;
}

bool statement_matches(const Statement& statement, const Facts& facts, bool check_principal) {
  if (!action_matches(statement, facts.action)) return false;
  if (!resource_matches(statement, facts.resource)) return false;
  if (check_principal && !principal_matches(statement, facts.principal_ids)) return false;
  return std::all_of(statement.conditions.begin(), statement.conditions.end(),
                     [&](const Condition& condition) { return detail::condition_matches(condition, facts.keys); });
}

}  // namespace

// Splits the pattern at its stars: the part before the first star must be a
// prefix of the text, the part after the last star a suffix, and the parts in
// between must occur in order. Taking the leftmost occurrence of each middle
// part is always right (a later one leaves less room for the rest), so there
// is no backtracking: cost is at most text length times pattern length, and
// usually linear.
bool wildcard_match(std::string_view pattern, std::string_view text, bool ignore_case) {
  const size_t first_star = pattern.find('*');
  if (first_star == std::string_view::npos) {
    return pattern.size() == text.size() && segment_matches_at(pattern, text, 0, ignore_case);
  }
  const size_t last_star = pattern.rfind('*');
  const std::string_view head = pattern.substr(0, first_star);
  const std::string_view tail = pattern.substr(last_star + 1);
  if (text.size() < head.size() + tail.size()) return false;
  if (!segment_matches_at(head, text, 0, ignore_case)) return false;
  if (!segment_matches_at(tail, text, text.size() - tail.size(), ignore_case)) return false;

  size_t position = head.size();
  const size_t end = text.size() - tail.size();
  size_t segment_start = first_star + 1;
  while (segment_start < last_star) {
    const size_t next_star = pattern.find('*', segment_start);
    const std::string_view segment = pattern.substr(segment_start, next_star - segment_start);
    segment_start = next_star + 1;
    if (segment.empty()) continue;
    bool found = false;
    for (; position + segment.size() <= end; ++position) {
      if (segment_matches_at(segment, text, position, ignore_case)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
    position += segment.size();
  }
  return true;
}

Verdict evaluate(std::span<const NamedDocument> documents, const Facts& facts, bool check_principal) {
  std::optional<Verdict> first_allow;
  for (const NamedDocument& named : documents) {
    if (!named.document) continue;
    const std::vector<Statement>& statements = named.document->statements;
    for (size_t index = 0; index < statements.size(); ++index) {
      const Statement& statement = statements[index];
      // Once an Allow is known, only a Deny can change the verdict.
      if (first_allow && statement.effect == Effect::Allow) continue;
      if (!statement_matches(statement, facts, check_principal)) continue;
      Verdict verdict;
      verdict.policy = named.name;
      verdict.statement = index;
      verdict.sid = statement.sid;
      if (statement.effect == Effect::Deny) {
        verdict.decision = Decision::ExplicitDeny;
        return verdict;
      }
      verdict.decision = Decision::Allow;
      first_allow = std::move(verdict);
    }
  }
  if (first_allow) return *first_allow;
  return Verdict{};
}

}  // namespace ossd::policy
