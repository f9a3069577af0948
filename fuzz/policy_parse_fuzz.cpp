// libFuzzer target for the RAM policy language: any byte string fed to
// policy::parse() must come back as a Document or an InvalidPolicyDocument
// error (never a crash, hang or other code), and every parsed Document must
// evaluate against a few request shapes while keeping the evaluator's
// invariants. Seeds: fuzz/corpus/policy_parse/.
//
// Build (clang 14), from the repository root:
//   clang++-14 -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -Isrc \
//     fuzz/policy_parse_fuzz.cpp src/policy/*.cpp src/core/strings.cpp src/core/time_format.cpp \
//     -o policy_parse_fuzz
//   ./policy_parse_fuzz -max_len=20000 fuzz/corpus/policy_parse
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.hpp"

namespace {

using namespace ossd::policy;

std::vector<Facts> request_shapes(const Document& document) {
  std::vector<Facts> shapes;

  Facts anonymous;
  anonymous.action = "oss:GetObject";
  anonymous.resource = "acs:oss:*:1234567890:bucket/photos/a.jpg";
  anonymous.keys = {{"acs:sourceip", {"::ffff:127.0.0.1"}}, {"oss:prefix", {}}};
  shapes.push_back(anonymous);

  Facts root;
  root.action = "sts:AssumeRole";
  root.resource = "acs:ram::1234567890:role/uploader";
  root.principal_ids = {"1234567890", "acs:ram::1234567890:root"};
  root.keys = {{"acs:currenttime", {"2024-05-20T08:30:00Z"}},
               {"acs:securetransport", {"true"}},
               {"acs:sourceip", {"2001:db8::1"}},
               {"oss:max-keys", {"100", "1e3"}},
               {"sts:externalid", {"abcd-1234"}}};
  shapes.push_back(root);

  // A request made of the document's own words, so wildcard and condition
  // code sees the values the fuzzer invented.
  for (const Statement& statement : document.statements) {
    Facts own;
    if (!statement.actions.empty()) own.action = statement.actions.front();
    if (!statement.resources.empty()) own.resource = statement.resources.front();
    for (const Principal& principal : statement.principals) {
      own.principal_ids.insert(own.principal_ids.end(), principal.ids.begin(), principal.ids.end());
    }
    for (const Condition& condition : statement.conditions) {
      std::string key;
      for (char c : condition.key) key += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      auto& values = own.keys[key];
      values.insert(values.end(), condition.values.begin(), condition.values.end());
    }
    shapes.push_back(std::move(own));
    if (shapes.size() >= 6) break;
  }
  return shapes;
}

bool has_allow(const Document& document) {
  for (const Statement& statement : document.statements) {
    if (statement.effect == Effect::Allow) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = parse(text, ParseLimits{.max_bytes = 16384});
  if (!parsed.ok()) {
    if (parsed.error().code != ossd::ErrorCode::InvalidPolicyDocument || parsed.error().message.empty()) {
      __builtin_trap();
    }
    return 0;
  }

  auto document = std::make_shared<const Document>(std::move(parsed).value());
  for (const Statement& statement : document->statements) {
    // Any pattern matches itself taken literally ('*' and '?' match themselves).
    for (const std::string& action : statement.actions) {
      if (!wildcard_match(action, action, true)) __builtin_trap();
    }
    for (const std::string& resource : statement.resources) {
      if (!wildcard_match(resource, resource, false)) __builtin_trap();
    }
  }

  const std::vector<NamedDocument> documents = {{"fuzzed", document}};
  for (const Facts& facts : request_shapes(*document)) {
    for (bool check_principal : {false, true}) {
      const Verdict verdict = evaluate(documents, facts, check_principal);
      // Only an Allow statement can allow; a verdict other than implicit deny names its statement.
      if (verdict.decision == Decision::Allow && !has_allow(*document)) __builtin_trap();
      if (verdict.decision != Decision::ImplicitDeny &&
          (verdict.policy != "fuzzed" || verdict.statement >= document->statements.size())) {
        __builtin_trap();
      }
    }
  }
  return 0;
}
