#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "core/time_format.hpp"

namespace ossd {
namespace {

const SystemTime kVectorNow = from_unix_seconds(1716193800);  // 2024-05-20T08:30:00Z, a Monday

TEST(TimeFormat, Rfc1123) {
  EXPECT_EQ(format_rfc1123(kVectorNow), "Mon, 20 May 2024 08:30:00 GMT");
  EXPECT_EQ(format_rfc1123(from_unix_seconds(0)), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(format_rfc1123(from_unix_millis(1716193800999)), "Mon, 20 May 2024 08:30:00 GMT");
  EXPECT_EQ(format_rfc1123(from_unix_seconds(-1)), "Wed, 31 Dec 1969 23:59:59 GMT");
  EXPECT_EQ(format_rfc1123(from_unix_seconds(951782400)), "Tue, 29 Feb 2000 00:00:00 GMT");
}

TEST(TimeFormat, ParseHttpDateAcceptsTheThreeHttpForms) {
  EXPECT_EQ(parse_http_date("Mon, 20 May 2024 08:30:00 GMT"), kVectorNow);
  EXPECT_EQ(parse_http_date("Monday, 20-May-24 08:30:00 GMT"), kVectorNow);
  EXPECT_EQ(parse_http_date("Mon May 20 08:30:00 2024"), kVectorNow);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), from_unix_seconds(784111777));
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), from_unix_seconds(784111777));
  EXPECT_EQ(parse_http_date("Thu, 29 Feb 2024 23:59:59 GMT"), from_unix_seconds(1709251199));
  EXPECT_EQ(parse_http_date("Thu, 01 Dec 2094 16:00:00 GMT"), from_unix_seconds(3942057600));
}

TEST(TimeFormat, ParseHttpDateRejectsMalformedAndImpossibleDates) {
  for (const char* bad :
       {"", "Mon, 20 May 2024 08:30:00", "Mon, 20 May 2024 08:30:00 UTC", "Mon, 20 May 2024 08:30:00 GMT ",
        " Mon, 20 May 2024 08:30:00 GMT", "Mon, 20 may 2024 08:30:00 GMT", "Xyz, 20 May 2024 08:30:00 GMT",
        "Mon, 2 May 2024 08:30:00 GMT", "Mon, 32 May 2024 08:30:00 GMT", "Wed, 29 Feb 2023 08:30:00 GMT",
        "Mon, 20 May 2024 24:00:00 GMT", "Mon, 20 May 2024 08:60:00 GMT", "Mon, 20 May 24 08:30:00 GMT",
        "2024-05-20T08:30:00Z", "20240520T083000Z", "Mon, 20 May 2024 8:30:00 GMT", "Mon,20 May 2024 08:30:00 GMT"}) {
    EXPECT_EQ(parse_http_date(bad), std::nullopt) << bad;
  }
}

TEST(TimeFormat, Iso8601) {
  EXPECT_EQ(format_iso8601_ms(kVectorNow), "2024-05-20T08:30:00.000Z");
  EXPECT_EQ(format_iso8601_ms(from_unix_millis(1716193800123)), "2024-05-20T08:30:00.123Z");
  EXPECT_EQ(format_iso8601(from_unix_millis(1716193800999)), "2024-05-20T08:30:00Z");
  EXPECT_EQ(format_iso8601_ms(from_unix_millis(-1)), "1969-12-31T23:59:59.999Z");

  EXPECT_EQ(parse_iso8601("2024-05-20T08:30:00Z"), kVectorNow);
  EXPECT_EQ(parse_iso8601("2024-05-20T08:30:00.000Z"), kVectorNow);
  EXPECT_EQ(parse_iso8601("2024-05-20T08:30:00.123Z"), from_unix_millis(1716193800123));
  EXPECT_EQ(parse_iso8601("2024-05-20T08:30:00.5Z"), from_unix_millis(1716193800500));
  EXPECT_EQ(parse_iso8601("2024-05-20T08:30:00.123456789Z"), from_unix_millis(1716193800123));
  for (const char* bad : {"", "2024-05-20T08:30:00", "2024-05-20 08:30:00Z", "2024-05-20T08:30:00.Z",
                          "2024-05-20T08:30:00+08:00", "2024-13-20T08:30:00Z", "2024-02-30T08:30:00Z",
                          "2024-05-20T08:30:00.1234567890Z", "24-05-20T08:30:00Z", "2024-05-20T08:30:00ZZ"}) {
    EXPECT_EQ(parse_iso8601(bad), std::nullopt) << bad;
  }
}

TEST(TimeFormat, Iso8601Basic) {
  EXPECT_EQ(format_iso8601_basic(kVectorNow), "20240520T083000Z");
  EXPECT_EQ(parse_iso8601_basic("20240520T083000Z"), kVectorNow);
  for (const char* bad : {"", "20240520T083000", "20240520083000Z", "2024052T083000Z", "20240520T0830000Z",
                          "20241320T083000Z", "20240520T250000Z", "2024-05-20T08:30:00Z", "20240520t083000z"}) {
    EXPECT_EQ(parse_iso8601_basic(bad), std::nullopt) << bad;
  }
}

TEST(TimeFormat, RoundTripsAcrossCenturies) {
  for (int64_t seconds : {int64_t{0}, int64_t{951782400}, int64_t{1716193800}, int64_t{4102444799},
                          int64_t{-2208988800}, int64_t{9214646400}}) {
    SystemTime t = from_unix_seconds(seconds);
    EXPECT_EQ(parse_http_date(format_rfc1123(t)), t) << seconds;
    EXPECT_EQ(parse_iso8601(format_iso8601_ms(t)), t) << seconds;
    EXPECT_EQ(parse_iso8601(format_iso8601(t)), t) << seconds;
    EXPECT_EQ(parse_iso8601_basic(format_iso8601_basic(t)), t) << seconds;
  }
}

TEST(TimeFormat, DatesSystemTimeCannotHoldAreRejectedNotWrapped) {
  EXPECT_EQ(parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT"), std::nullopt);
  EXPECT_EQ(parse_iso8601("9999-12-31T23:59:59.999Z"), std::nullopt);
  EXPECT_EQ(parse_iso8601_basic("16000101T000000Z"), std::nullopt);
  EXPECT_EQ(parse_http_date("Sat, 01 Jan 2000 00:00:00 GMT"), from_unix_seconds(946684800));
}

TEST(TimeFormat, IsSafeToCallFromManyThreads) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([i, &failures] {
      for (int n = 0; n < 2000; ++n) {
        SystemTime t = from_unix_seconds(1716193800 + i * 100000 + n);
        if (parse_http_date(format_rfc1123(t)) != t) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace ossd
