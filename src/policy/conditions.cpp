#include "policy/conditions.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "core/clock.hpp"
#include "core/strings.hpp"
#include "core/time_format.hpp"

namespace ossd::policy {

namespace {

struct OperatorName {
  Operator op;
  std::string_view name;
};

constexpr OperatorName kOperatorNames[] = {
    {Operator::StringEquals, "StringEquals"},
    {Operator::StringNotEquals, "StringNotEquals"},
    {Operator::StringEqualsIgnoreCase, "StringEqualsIgnoreCase"},
    {Operator::StringNotEqualsIgnoreCase, "StringNotEqualsIgnoreCase"},
    {Operator::StringLike, "StringLike"},
    {Operator::StringNotLike, "StringNotLike"},
    {Operator::NumericEquals, "NumericEquals"},
    {Operator::NumericNotEquals, "NumericNotEquals"},
    {Operator::NumericLessThan, "NumericLessThan"},
    {Operator::NumericLessThanEquals, "NumericLessThanEquals"},
    {Operator::NumericGreaterThan, "NumericGreaterThan"},
    {Operator::NumericGreaterThanEquals, "NumericGreaterThanEquals"},
    {Operator::DateEquals, "DateEquals"},
    {Operator::DateNotEquals, "DateNotEquals"},
    {Operator::DateLessThan, "DateLessThan"},
    {Operator::DateLessThanEquals, "DateLessThanEquals"},
    {Operator::DateGreaterThan, "DateGreaterThan"},
    {Operator::DateGreaterThanEquals, "DateGreaterThanEquals"},
    {Operator::Bool, "Bool"},
    {Operator::IpAddress, "IpAddress"},
    {Operator::NotIpAddress, "NotIpAddress"},
};

}  // namespace

std::string_view operator_name(Operator op) {
  for (const auto& entry : kOperatorNames) {
    if (entry.op == op) return entry.name;
  }
  return "?";
}

std::optional<Operator> operator_from_name(std::string_view name) {
  for (const auto& entry : kOperatorNames) {
    if (entry.name == name) return entry.op;
  }
  return std::nullopt;
}

namespace detail {

namespace {

enum class Family { String, Numeric, Date, Bool, Ip };

Family family_of(Operator op) {
  switch (op) {
    case Operator::StringEquals:
    case Operator::StringNotEquals:
    case Operator::StringEqualsIgnoreCase:
    case Operator::StringNotEqualsIgnoreCase:
    case Operator::StringLike:
    case Operator::StringNotLike: return Family::String;
    case Operator::NumericEquals:
    case Operator::NumericNotEquals:
    case Operator::NumericLessThan:
    case Operator::NumericLessThanEquals:
    case Operator::NumericGreaterThan:
    case Operator::NumericGreaterThanEquals: return Family::Numeric;
    case Operator::DateEquals:
    case Operator::DateNotEquals:
    case Operator::DateLessThan:
    case Operator::DateLessThanEquals:
    case Operator::DateGreaterThan:
    case Operator::DateGreaterThanEquals: return Family::Date;
    case Operator::Bool: return Family::Bool;
    case Operator::IpAddress:
    case Operator::NotIpAddress: return Family::Ip;
  }
  return Family::String;
}

// The positive operator a negated one inverts; nullopt for positive operators.
std::optional<Operator> positive_form(Operator op) {
  switch (op) {
    case Operator::StringNotEquals: return Operator::StringEquals;
    case Operator::StringNotEqualsIgnoreCase: return Operator::StringEqualsIgnoreCase;
    case Operator::StringNotLike: return Operator::StringLike;
    case Operator::NumericNotEquals: return Operator::NumericEquals;
    case Operator::DateNotEquals: return Operator::DateEquals;
    case Operator::NotIpAddress: return Operator::IpAddress;
    default: return std::nullopt;
  }
}

// How a comparison of request value against policy value (<0, 0, >0)
// satisfies an ordering operator of the Numeric and Date families.
bool ordering_holds(Operator op, int comparison) {
  switch (op) {
    case Operator::NumericEquals:
    case Operator::DateEquals: return comparison == 0;
    case Operator::NumericLessThan:
    case Operator::DateLessThan: return comparison < 0;
    case Operator::NumericLessThanEquals:
    case Operator::DateLessThanEquals: return comparison <= 0;
    case Operator::NumericGreaterThan:
    case Operator::DateGreaterThan: return comparison > 0;
    case Operator::NumericGreaterThanEquals:
    case Operator::DateGreaterThanEquals: return comparison >= 0;
    default: return false;
  }
}

std::optional<int64_t> parse_int64(std::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// One request value against one policy value, for a positive operator.
bool pair_matches(Operator op, std::string_view request_value, std::string_view policy_value) {
  switch (family_of(op)) {
    case Family::String:
      if (op == Operator::StringEquals) return request_value == policy_value;
      if (op == Operator::StringEqualsIgnoreCase) return iequals(request_value, policy_value);
      return wildcard_match(policy_value, request_value, false);
    case Family::Numeric: {
      auto request_number = parse_number(request_value);
      auto policy_number = parse_number(policy_value);
      if (!request_number || !policy_number) return false;
      return ordering_holds(op, compare_numbers(*request_number, *policy_number));
    }
    case Family::Date: {
      auto request_time = parse_date_millis(request_value);
      auto policy_time = parse_date_millis(policy_value);
      if (!request_time || !policy_time) return false;
      const int comparison = *request_time < *policy_time ? -1 : (*request_time > *policy_time ? 1 : 0);
      return ordering_holds(op, comparison);
    }
    case Family::Bool: {
      auto request_bool = parse_bool(request_value);
      auto policy_bool = parse_bool(policy_value);
      return request_bool && policy_bool && *request_bool == *policy_bool;
    }
    case Family::Ip: {
      auto address = parse_ip_network(request_value);
      auto network = parse_ip_network(policy_value);
      // The request side must be one address, not a range.
      if (!address || !network || address->prefix != (address->v4 ? 32u : 128u)) return false;
      return network->contains(*address);
    }
  }
  return false;
}

}  // namespace

std::optional<Number> parse_number(std::string_view text) {
  if (auto integer = parse_int64(text)) return Number{*integer};
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value, std::chars_format::general);
  // from_chars also reads "inf" and "nan", which no policy means.
  if (ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
  return Number{value};
}

int compare_numbers(const Number& a, const Number& b) {
  if (std::holds_alternative<int64_t>(a) && std::holds_alternative<int64_t>(b)) {
    const int64_t x = std::get<int64_t>(a), y = std::get<int64_t>(b);
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  auto as_long_double = [](const Number& n) {
    return std::visit([](auto v) { return static_cast<long double>(v); }, n);
  };
  const long double x = as_long_double(a), y = as_long_double(b);
  return x < y ? -1 : (x > y ? 1 : 0);
}

std::optional<int64_t> parse_date_millis(std::string_view text) {
  // Epoch seconds. Bounded so the millisecond value cannot overflow.
  if (all_digits(text) || (text.size() > 1 && text[0] == '-' && all_digits(text.substr(1)))) {
    auto seconds = parse_int64(text);
    constexpr int64_t kLimit = 100'000'000'000'000;  // about three million years
    if (!seconds || *seconds > kLimit || *seconds < -kLimit) return std::nullopt;
    return *seconds * 1000;
  }
  // A bare date: midnight UTC.
  if (text.size() == 10) {
    std::string full(text);
    full += "T00:00:00Z";
    auto t = parse_iso8601(full);
    if (!t) return std::nullopt;
    return to_unix_millis(*t);
  }
  if (!text.empty() && text.back() == 'Z') {
    auto t = parse_iso8601(text);
    if (!t) return std::nullopt;
    return to_unix_millis(*t);
  }
  // A numeric offset "+08:00" / "-05:30" instead of Z: the local time minus the offset is UTC.
  if (text.size() > 6) {
    const std::string_view offset = text.substr(text.size() - 6);
    const bool sign_ok = offset[0] == '+' || offset[0] == '-';
    if (!sign_ok || offset[3] != ':' || !all_digits(offset.substr(1, 2)) || !all_digits(offset.substr(4, 2))) {
      return std::nullopt;
    }
    const int hours = (offset[1] - '0') * 10 + (offset[2] - '0');
    const int minutes = (offset[4] - '0') * 10 + (offset[5] - '0');
    if (hours > 23 || minutes > 59) return std::nullopt;
    std::string local(text.substr(0, text.size() - 6));
    local += 'Z';
    auto t = parse_iso8601(local);
    if (!t) return std::nullopt;
    const int64_t offset_millis = (int64_t{hours} * 60 + minutes) * 60'000;
    return to_unix_millis(*t) + (offset[0] == '+' ? -offset_millis : offset_millis);
  }
  return std::nullopt;
}

std::optional<bool> parse_bool(std::string_view text) {
  if (iequals(text, "true")) return true;
  if (iequals(text, "false")) return false;
  return std::nullopt;
}

bool IpNetwork::contains(const IpNetwork& address) const {
  if (v4 != address.v4) return false;
  const unsigned whole_bytes = prefix / 8;
  if (std::memcmp(bytes.data(), address.bytes.data(), whole_bytes) != 0) return false;
  const unsigned rest_bits = prefix % 8;
  if (rest_bits == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xFF << (8 - rest_bits));
  return (bytes[whole_bytes] & mask) == (address.bytes[whole_bytes] & mask);
}

std::optional<IpNetwork> parse_ip_network(std::string_view text) {
  std::string_view address_text = text;
  std::optional<unsigned> prefix;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    address_text = text.substr(0, slash);
    const std::string_view prefix_text = text.substr(slash + 1);
    if (prefix_text.empty() || prefix_text.size() > 3 || !all_digits(prefix_text)) return std::nullopt;
    prefix = static_cast<unsigned>(*parse_uint64(prefix_text));
  }
  // inet_pton needs a NUL-terminated string; an address is at most 45 characters.
  if (address_text.empty() || address_text.size() > 45) return std::nullopt;
  const std::string address(address_text);

  IpNetwork network;
  if (address.find(':') == std::string::npos) {
    if (inet_pton(AF_INET, address.c_str(), network.bytes.data()) != 1) return std::nullopt;
    network.v4 = true;
    network.prefix = prefix.value_or(32);
    if (network.prefix > 32) return std::nullopt;
    return network;
  }
  if (inet_pton(AF_INET6, address.c_str(), network.bytes.data()) != 1) return std::nullopt;
  network.v4 = false;
  network.prefix = prefix.value_or(128);
  if (network.prefix > 128) return std::nullopt;

  static constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  const bool v4_mapped = std::memcmp(network.bytes.data(), kMappedPrefix, sizeof kMappedPrefix) == 0;
  // A mapped network shorter than /96 spans more than IPv4 space; it stays IPv6.
  if (v4_mapped && network.prefix >= 96) {
    IpNetwork folded;
    folded.v4 = true;
    std::copy_n(network.bytes.begin() + 12, 4, folded.bytes.begin());
    folded.prefix = network.prefix - 96;
    return folded;
  }
  return network;
}

bool is_valid_condition_value(Operator op, std::string_view value) {
  switch (family_of(op)) {
    case Family::String: return true;
    case Family::Numeric: return parse_number(value).has_value();
    case Family::Date: return parse_date_millis(value).has_value();
    case Family::Bool: return parse_bool(value).has_value();
    case Family::Ip: return parse_ip_network(value).has_value();
  }
  return false;
}

bool condition_matches(const Condition& condition, const FactKeys& keys) {
  const std::optional<Operator> positive = positive_form(condition.op);
  const Operator op = positive.value_or(condition.op);

  bool some_pair_matches = false;
  auto found = keys.find(to_lower(condition.key));
  if (found != keys.end()) {
    for (const std::string& request_value : found->second) {
      for (const std::string& policy_value : condition.values) {
        if (pair_matches(op, request_value, policy_value)) {
          some_pair_matches = true;
          break;
        }
      }
      if (some_pair_matches) break;
    }
  }
  return positive ? !some_pair_matches : some_pair_matches;
}

}  // namespace detail

}  // namespace ossd::policy
