#pragma once
// Every cache of what the identity store holds (credentials, attached
// policies, roles) is stale once the store's generation moves, whichever
// process moved it. A watch reads the generation at most once per interval,
// and the first caller at a due time claims the read so that concurrent
// callers do not all go to the store. The caches keep their own locks and
// epochs; the watch only says when to drop them.
#include <chrono>
#include <cstdint>
#include <mutex>

#include "core/result.hpp"
#include "meta/identity_store.hpp"

namespace ossd::iam {

template <class TimePoint>
class GenerationWatch {
 public:
  using Duration = typename TimePoint::duration;

  GenerationWatch(meta::IdentityStore& store, Duration interval) : store_(store), interval_(interval) {}

  // Whether a call of poll() at `now` would read the store.
  bool due(TimePoint now) const {
    std::lock_guard lock(mutex_);
    return due_locked(now);
  }

  // Reads the generation if a read is due. true: it differs from the last one
  // read, or none has been read since construction or forget(); false: no
  // read was due, or the generation is unchanged. A failed read is returned
  // to its caller alone: the next read is due an interval later, so a store
  // that is down is not asked again by every request meanwhile.
  Result<bool> poll(TimePoint now) {
    {
      std::lock_guard lock(mutex_);
      if (!due_locked(now)) return false;
      last_read_ = now;
    }
    auto current = store_.generation();
    std::lock_guard lock(mutex_);
    if (!current) return std::move(current).error();
    const bool moved = !known_ || current.value() != generation_;
    generation_ = current.value();
    known_ = true;
    return moved;
  }

  // The next poll reads the store and reports a move.
  void forget() {
    std::lock_guard lock(mutex_);
    known_ = false;
  }

 private:
  bool due_locked(TimePoint now) const {
    // A clock that stepped back reads too, rather than waiting for it to catch up.
    return !known_ || now < last_read_ || now - last_read_ >= interval_;
  }

  meta::IdentityStore& store_;
  const Duration interval_;
  mutable std::mutex mutex_;
  bool known_ = false;
  int64_t generation_ = 0;
  TimePoint last_read_{};
};

}  // namespace ossd::iam
