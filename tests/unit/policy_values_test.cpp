// The condition value grammars (private to src/policy): numbers, dates,
// booleans and IP networks.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policy/conditions.hpp"

namespace ossd::policy::detail {
namespace {

TEST(PolicyValues, Numbers) {
  EXPECT_EQ(std::get<int64_t>(*parse_number("42")), 42);
  EXPECT_EQ(std::get<int64_t>(*parse_number("-7")), -7);
  EXPECT_DOUBLE_EQ(std::get<double>(*parse_number("1.5")), 1.5);
  EXPECT_DOUBLE_EQ(std::get<double>(*parse_number("1e3")), 1000.0);
  for (const char* bad : {"", " 1", "1 ", "+1", "0x10", "ten", "1,000", "nan", "inf", "-inf", "1e999"}) {
    EXPECT_FALSE(parse_number(bad).has_value()) << bad;
  }
  EXPECT_EQ(compare_numbers(Number{int64_t{3}}, Number{3.0}), 0);
  EXPECT_LT(compare_numbers(Number{int64_t{9007199254740992}}, Number{int64_t{9007199254740993}}), 0);
  EXPECT_GT(compare_numbers(Number{2.5}, Number{int64_t{2}}), 0);
}

TEST(PolicyValues, Dates) {
  const int64_t instant = 1716193800000;  // 2024-05-20T08:30:00Z
  EXPECT_EQ(parse_date_millis("2024-05-20T08:30:00Z"), instant);
  EXPECT_EQ(parse_date_millis("2024-05-20T08:30:00.250Z"), instant + 250);
  EXPECT_EQ(parse_date_millis("2024-05-20T16:30:00+08:00"), instant);
  EXPECT_EQ(parse_date_millis("2024-05-20T03:00:00-05:30"), instant);
  EXPECT_EQ(parse_date_millis("2024-05-20"), instant - (8 * 3600 + 30 * 60) * 1000);
  EXPECT_EQ(parse_date_millis("1716193800"), instant);
  EXPECT_EQ(parse_date_millis("0"), 0);
  for (const char* bad : {"", "2024-05-20T08:30:00", "2024-05-20 08:30:00Z", "2024-02-30", "2024-05-20T25:00:00Z",
                          "20240520T083000Z", "2024-05-20T08:30:00+24:00", "May 20 2024", "99999999999999999999"}) {
    EXPECT_FALSE(parse_date_millis(bad).has_value()) << bad;
  }
}

TEST(PolicyValues, Bools) {
  EXPECT_EQ(parse_bool("true"), true);
  EXPECT_EQ(parse_bool("TRUE"), true);
  EXPECT_EQ(parse_bool("False"), false);
  for (const char* bad : {"", "1", "0", "yes", "true ", "t"}) EXPECT_FALSE(parse_bool(bad).has_value()) << bad;
}

TEST(PolicyValues, IpNetworks) {
  auto contains = [](const char* network, const char* address) {
    auto n = parse_ip_network(network);
    auto a = parse_ip_network(address);
    EXPECT_TRUE(n && a) << network << " " << address;
    return n && a && n->contains(*a);
  };
  EXPECT_TRUE(contains("127.0.0.0/8", "127.255.0.1"));
  EXPECT_TRUE(contains("127.0.0.0/8", "::ffff:127.0.0.1"));
  EXPECT_TRUE(contains("::ffff:127.0.0.0/104", "127.0.0.1"));  // mapped network folds to 127.0.0.0/8
  EXPECT_FALSE(contains("127.0.0.0/8", "128.0.0.1"));
  EXPECT_TRUE(contains("192.168.1.1/32", "192.168.1.1"));
  EXPECT_FALSE(contains("192.168.1.1/32", "192.168.1.2"));
  EXPECT_TRUE(contains("10.0.0.0/31", "10.0.0.1"));
  EXPECT_FALSE(contains("10.0.0.0/31", "10.0.0.2"));
  EXPECT_TRUE(contains("2001:db8::/32", "2001:db8:ffff::1"));
  EXPECT_FALSE(contains("2001:db8::/33", "2001:db8:8000::1"));
  EXPECT_TRUE(contains("::/0", "fe80::1"));
  EXPECT_FALSE(contains("::/0", "1.2.3.4"));
  EXPECT_FALSE(contains("0.0.0.0/0", "::1"));
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.4/", "1.2.3.4/33", "1.2.3.4/-1",
                          "::1/129", "fe80::1%eth0", "host", "1.2.3.4/8/8", "::g"}) {
    EXPECT_FALSE(parse_ip_network(bad).has_value()) << bad;
  }
}

TEST(PolicyValues, ValueValidationFollowsTheFamily) {
  EXPECT_TRUE(is_valid_condition_value(Operator::StringLike, "anything"));
  EXPECT_TRUE(is_valid_condition_value(Operator::NumericGreaterThan, "1.5"));
  EXPECT_FALSE(is_valid_condition_value(Operator::NumericGreaterThan, "x"));
  EXPECT_TRUE(is_valid_condition_value(Operator::DateEquals, "2024-05-20"));
  EXPECT_FALSE(is_valid_condition_value(Operator::DateEquals, "x"));
  EXPECT_TRUE(is_valid_condition_value(Operator::Bool, "false"));
  EXPECT_FALSE(is_valid_condition_value(Operator::Bool, "x"));
  EXPECT_TRUE(is_valid_condition_value(Operator::NotIpAddress, "::1"));
  EXPECT_FALSE(is_valid_condition_value(Operator::NotIpAddress, "x"));
}

}  // namespace
}  // namespace ossd::policy::detail
