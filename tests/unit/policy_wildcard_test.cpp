// policy::wildcard_match(): `*` and `?`, ASCII case folding on request, and no
// exponential (or quadratic-in-practice) blow-up on hostile patterns.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policy/policy.hpp"

namespace ossd::policy {
namespace {

struct WildcardCase {
  std::string pattern;
  std::string text;
  bool ignore_case;
  bool matches;
};

const std::vector<WildcardCase> kWildcardCases = {
    {"", "", false, true},
    {"", "a", false, false},
    {"*", "", false, true},
    {"*", "anything at all", false, true},
    {"**", "", false, true},
    {"?", "", false, false},
    {"?", "a", false, true},
    {"?", "ab", false, false},
    {"abc", "abc", false, true},
    {"abc", "abd", false, false},
    {"abc", "ab", false, false},
    {"abc", "abcd", false, false},
    {"a*", "a", false, true},
    {"a*", "abc", false, true},
    {"a*", "ba", false, false},
    {"*c", "abc", false, true},
    {"*c", "abcd", false, false},
    {"a*c", "ac", false, true},
    {"a*c", "abbbc", false, true},
    {"a*c", "abbbd", false, false},
    {"a*b*c", "aXbYc", false, true},
    {"a*b*c", "aXcYb", false, false},
    {"a*bc*bc", "abcbc", false, true},
    {"a*bc*bc", "abcxbc", false, true},
    {"a*bc*bc", "abc", false, false},
    {"*ab*ab*", "ab", false, false},
    {"*ab*ab*", "abab", false, true},
    {"a?c", "abc", false, true},
    {"a?c", "ac", false, false},
    {"*?", "", false, false},
    {"*?", "x", false, true},
    {"?*?", "x", false, false},
    {"?*?", "xy", false, true},
    {"*a?b*", "xxazbyy", false, true},
    {"*a?b*", "xxabyy", false, false},
    {"ABC", "abc", false, false},
    {"ABC", "abc", true, true},
    {"oss:Get*", "OSS:GETOBJECT", true, true},
    {"oss:get*", "oss:PutObject", true, false},
    {"acs:oss:*:*:b/*", "acs:oss:*:123:b/dir/key", false, true},
    {"acs:oss:*:*:b/*", "acs:oss:*:123:b", false, false},
    {"\xc3\xa9*", "\xc3\xa9t\xc3\xa9", false, true},  // bytes, UTF-8 passes through
    {"\xc3\x89", "\xc3\xa9", true, false},            // no case folding beyond ASCII
};

TEST(PolicyWildcard, Table) {
  for (const WildcardCase& c : kWildcardCases) {
    EXPECT_EQ(wildcard_match(c.pattern, c.text, c.ignore_case), c.matches)
        << "pattern \"" << c.pattern << "\" text \"" << c.text << "\" ignore_case " << c.ignore_case;
  }
}

TEST(PolicyWildcard, HostilePatternsFinish) {
  // With naive backtracking these take exponential time; each must finish
  // (the test asserts the answers; a regression shows up as a hang).
  std::string pattern;
  for (int i = 0; i < 2000; ++i) pattern += "a*";
  pattern += "b";
  const std::string text(200'000, 'a');
  EXPECT_FALSE(wildcard_match(pattern, text));
  EXPECT_TRUE(wildcard_match(pattern.substr(0, pattern.size() - 1), text));
  EXPECT_TRUE(wildcard_match(pattern, text + "b"));

  std::string questions;
  for (int i = 0; i < 1000; ++i) questions += "*?";
  EXPECT_TRUE(wildcard_match(questions, text));
  EXPECT_FALSE(wildcard_match(questions, std::string(999, 'a')));
}

}  // namespace
}  // namespace ossd::policy
