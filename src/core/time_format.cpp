#include "core/time_format.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>

namespace ossd {

namespace {

using namespace std::chrono;

constexpr std::array<std::string_view, 7> kShortWeekdays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> kLongWeekdays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                           "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct CivilTime {
  int year = 0;
  unsigned month = 0;  // 1..12
  unsigned day = 0;
  unsigned weekday = 0;  // 0 = Sunday
  long hour = 0;
  long minute = 0;
  long second = 0;
  long millisecond = 0;
};

CivilTime to_civil(SystemTime t) {
  auto ms = floor<milliseconds>(t);
  auto day_start = floor<days>(ms);
  year_month_day ymd{day_start};
  hh_mm_ss<milliseconds> tod{ms - day_start};
  CivilTime c;
  c.year = static_cast<int>(ymd.year());
  c.month = static_cast<unsigned>(ymd.month());
  c.day = static_cast<unsigned>(ymd.day());
  c.weekday = weekday{day_start}.c_encoding();
  c.hour = tod.hours().count();
  c.minute = tod.minutes().count();
  c.second = static_cast<long>(tod.seconds().count());
  c.millisecond = static_cast<long>(tod.subseconds().count());
  return c;
}

// Validates the calendar fields and builds the time point. Second 60 (a leap
// second) is accepted and lands on the next minute, as HTTP allows it. Dates
// SystemTime cannot hold (its nanosecond count spans about 1678-2261) are
// rejected instead of overflowing.
std::optional<SystemTime> from_civil(int y, int mo, int d, int h, int mi, int s, int ms = 0) {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  const int64_t day_count = sys_days{ymd}.time_since_epoch().count();
  const int64_t total_seconds = day_count * 86400 + int64_t{h} * 3600 + int64_t{mi} * 60 + s;
  constexpr int64_t limit = duration_cast<seconds>(SystemTime::duration::max()).count() - 1;
  if (total_seconds > limit || total_seconds < -limit) return std::nullopt;
  return SystemTime{} + seconds{total_seconds} + milliseconds{ms};
}

// A cursor over the text for the small fixed grammars below.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool done() const { return pos_ == text_.size(); }

  bool literal(std::string_view expected) {
    if (text_.substr(pos_, expected.size()) != expected) return false;
    pos_ += expected.size();
    return true;
  }

  // Exactly `count` decimal digits.
  std::optional<int> digits(std::size_t count) {
    if (text_.size() - pos_ < count) return std::nullopt;
    int value = 0;
    for (std::size_t i = 0; i < count; ++i) {
      char c = text_[pos_ + i];
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + (c - '0');
    }
    pos_ += count;
    return value;
  }

  // Between min and max decimal digits; returns value and count.
  std::optional<std::pair<int, std::size_t>> digits_between(std::size_t min, std::size_t max) {
    std::size_t count = 0;
    int value = 0;
    while (count < max && pos_ + count < text_.size() && text_[pos_ + count] >= '0' && text_[pos_ + count] <= '9') {
      value = value * 10 + (text_[pos_ + count] - '0');
      ++count;
    }
    if (count < min) return std::nullopt;
    pos_ += count;
    return std::make_pair(value, count);
  }

  template <std::size_t N>
  std::optional<int> one_of(const std::array<std::string_view, N>& names) {
    for (std::size_t i = 0; i < N; ++i) {
      if (literal(names[i])) return static_cast<int>(i);
    }
    return std::nullopt;
  }

  // "HH:MM:SS"
  bool clock(int& h, int& m, int& s) {
    auto hh = digits(2);
    if (!hh || !literal(":")) return false;
    auto mm = digits(2);
    if (!mm || !literal(":")) return false;
    auto ss = digits(2);
    if (!ss) return false;
    h = *hh;
    m = *mm;
    s = *ss;
    return true;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

// "Mon, 20 May 2024 08:30:00 GMT"
std::optional<SystemTime> parse_rfc1123(std::string_view text) {
  Scanner in(text);
  int h = 0, mi = 0, s = 0;
  if (!in.one_of(kShortWeekdays) || !in.literal(", ")) return std::nullopt;
  auto d = in.digits(2);
  if (!d || !in.literal(" ")) return std::nullopt;
  auto mo = in.one_of(kMonths);
  if (!mo || !in.literal(" ")) return std::nullopt;
  auto y = in.digits(4);
  if (!y || !in.literal(" ") || !in.clock(h, mi, s) || !in.literal(" GMT") || !in.done()) return std::nullopt;
  return from_civil(*y, *mo + 1, *d, h, mi, s);
}

// "Monday, 20-May-24 08:30:00 GMT"
std::optional<SystemTime> parse_rfc850(std::string_view text) {
  Scanner in(text);
  int h = 0, mi = 0, s = 0;
  if (!in.one_of(kLongWeekdays) || !in.literal(", ")) return std::nullopt;
  auto d = in.digits(2);
  if (!d || !in.literal("-")) return std::nullopt;
  auto mo = in.one_of(kMonths);
  if (!mo || !in.literal("-")) return std::nullopt;
  auto yy = in.digits(2);
  if (!yy || !in.literal(" ") || !in.clock(h, mi, s) || !in.literal(" GMT") || !in.done()) return std::nullopt;
  // Two-digit years: 70-99 are 19xx, 00-69 are 20xx (the RFC 850 dates
  // still seen in the wild all fall in that window).
  int year = *yy >= 70 ? 1900 + *yy : 2000 + *yy;
  return from_civil(year, *mo + 1, *d, h, mi, s);
}

// "Mon May 20 08:30:00 2024" (day of month space-padded: "May  6")
std::optional<SystemTime> parse_asctime(std::string_view text) {
  Scanner in(text);
  int h = 0, mi = 0, s = 0;
  if (!in.one_of(kShortWeekdays) || !in.literal(" ")) return std::nullopt;
  auto mo = in.one_of(kMonths);
  if (!mo || !in.literal(" ")) return std::nullopt;
  in.literal(" ");
  auto d = in.digits_between(1, 2);
  if (!d || !in.literal(" ") || !in.clock(h, mi, s) || !in.literal(" ")) return std::nullopt;
  auto y = in.digits(4);
  if (!y || !in.done()) return std::nullopt;
  return from_civil(*y, *mo + 1, d->first, h, mi, s);
}

}  // namespace

std::string format_rfc1123(SystemTime t) {
  CivilTime c = to_civil(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02ld:%02ld:%02ld GMT", kShortWeekdays[c.weekday].data(), c.day,
                kMonths[c.month - 1].data(), c.year, c.hour, c.minute, c.second);
  return buf;
}

std::optional<SystemTime> parse_http_date(std::string_view text) {
  if (auto t = parse_rfc1123(text)) return t;
  if (auto t = parse_rfc850(text)) return t;
  return parse_asctime(text);
}

std::string format_iso8601_ms(SystemTime t) {
  CivilTime c = to_civil(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld.%03ldZ", c.year, c.month, c.day, c.hour, c.minute,
                c.second, c.millisecond);
  return buf;
}

std::string format_iso8601(SystemTime t) {
  CivilTime c = to_civil(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ldZ", c.year, c.month, c.day, c.hour, c.minute,
                c.second);
  return buf;
}

std::optional<SystemTime> parse_iso8601(std::string_view text) {
  Scanner in(text);
  int h = 0, mi = 0, s = 0;
  auto y = in.digits(4);
  if (!y || !in.literal("-")) return std::nullopt;
  auto mo = in.digits(2);
  if (!mo || !in.literal("-")) return std::nullopt;
  auto d = in.digits(2);
  if (!d || !in.literal("T") || !in.clock(h, mi, s)) return std::nullopt;
  int ms = 0;
  if (in.literal(".")) {
    auto fraction = in.digits_between(1, 9);
    if (!fraction) return std::nullopt;
    auto [value, count] = *fraction;
    // Scale to exactly three digits: ".5" is 500 ms, ".123456" is 123 ms.
    for (std::size_t i = count; i < 3; ++i) value *= 10;
    for (std::size_t i = 3; i < count; ++i) value /= 10;
    ms = value;
  }
  if (!in.literal("Z") || !in.done()) return std::nullopt;
  return from_civil(*y, *mo, *d, h, mi, s, ms);
}

std::string format_iso8601_basic(SystemTime t) {
  CivilTime c = to_civil(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02ld%02ld%02ldZ", c.year, c.month, c.day, c.hour, c.minute, c.second);
  return buf;
}

std::optional<SystemTime> parse_iso8601_basic(std::string_view text) {
  Scanner in(text);
  auto y = in.digits(4);
  auto mo = y ? in.digits(2) : std::nullopt;
  auto d = mo ? in.digits(2) : std::nullopt;
  if (!d || !in.literal("T")) return std::nullopt;
  auto h = in.digits(2);
  auto mi = h ? in.digits(2) : std::nullopt;
  auto s = mi ? in.digits(2) : std::nullopt;
  if (!s || !in.literal("Z") || !in.done()) return std::nullopt;
  return from_civil(*y, *mo, *d, *h, *mi, *s);
}

}  // namespace ossd
