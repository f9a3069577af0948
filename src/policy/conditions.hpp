#pragma once
// Private to src/policy: the value grammars of the condition operators and
// the evaluation of one Condition. parse.cpp uses the value parsers to refuse
// a policy whose values can never match ("NumericLessThan": {"k": "ten"}),
// evaluate.cpp uses condition_matches().
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "policy/policy.hpp"

namespace ossd::policy::detail {

// A number as condition values write it ("10", "-3", "1.5", "1e3"). Integers
// are kept exact so large ids compare correctly; anything else is a double.
using Number = std::variant<int64_t, double>;
std::optional<Number> parse_number(std::string_view text);
// <0, 0, >0 like strcmp.
int compare_numbers(const Number& a, const Number& b);

// An instant in milliseconds since the Unix epoch. Accepts ISO 8601 UTC
// ("2024-05-20T08:30:00Z", with a 1-9 digit fraction), the same with a
// numeric offset ("2024-05-20T16:30:00+08:00"), a bare date ("2024-05-20",
// midnight UTC) and epoch seconds ("1716193800").
std::optional<int64_t> parse_date_millis(std::string_view text);

// "true" / "false", ASCII case-insensitive.
std::optional<bool> parse_bool(std::string_view text);

// An IPv4 or IPv6 network: an address with an optional "/prefix". IPv4-mapped
// IPv6 addresses (::ffff:a.b.c.d) are folded to IPv4 so a request from
// "::ffff:127.0.0.1" matches "127.0.0.0/8".
struct IpNetwork {
  bool v4 = true;
  std::array<uint8_t, 16> bytes{};  // first 4 used for IPv4
  unsigned prefix = 32;

  bool contains(const IpNetwork& address) const;
};
std::optional<IpNetwork> parse_ip_network(std::string_view text);

// Whether `value` is well-formed for the operator's family (any string is for
// the String operators).
bool is_valid_condition_value(Operator op, std::string_view value);

using FactKeys = std::map<std::string, std::vector<std::string>, std::less<>>;

// One condition against the request's keys: positive operators need some
// request value to match some policy value (missing key: false); negated
// operators are exactly the negation of their positive form (missing key: true).
bool condition_matches(const Condition& condition, const FactKeys& keys);

}  // namespace ossd::policy::detail
