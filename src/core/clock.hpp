#pragma once
// Time is a parameter (DESIGN rule 1): pure code takes a time point, the shell
// takes a Clock so tests can move it.
#include <chrono>
#include <cstdint>

namespace ossd {

using SystemTime = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SystemTime now() const = 0;
};

class SystemClock final : public Clock {
 public:
  SystemTime now() const override { return std::chrono::system_clock::now(); }
};

inline int64_t to_unix_seconds(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
inline int64_t to_unix_millis(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
inline SystemTime from_unix_seconds(int64_t s) { return SystemTime(std::chrono::seconds(s)); }
inline SystemTime from_unix_millis(int64_t ms) { return SystemTime(std::chrono::milliseconds(ms)); }

}  // namespace ossd
