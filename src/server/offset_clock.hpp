#pragma once
// A clock shifted by a fixed offset. Test-only (--test-clock-offset): lets
// end-to-end tests move the server's time so STS tokens expire without
// waiting. Off (zero) by default; the server warns loudly when it is set.
#include <chrono>

#include "core/clock.hpp"

namespace ossd::server {

class OffsetClock final : public Clock {
 public:
  OffsetClock(const Clock& base, std::chrono::seconds offset) : base_(base), offset_(offset) {}
  SystemTime now() const override { return base_.now() + offset_; }

 private:
  const Clock& base_;
  std::chrono::seconds offset_;
};

}  // namespace ossd::server
