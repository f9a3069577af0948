#pragma once
// x-oss-request-id values: 24 upper-case hex characters, unique per process
// run (a random prefix chosen at start, the start second, a counter).
#include <atomic>
#include <cstdint>
#include <string>

namespace ossd::api {

class RequestIds {
 public:
  RequestIds(uint32_t random_prefix, uint32_t start_seconds) : prefix_(random_prefix), start_(start_seconds) {}

  std::string next() {
    uint32_t n = counter_.fetch_add(1, std::memory_order_relaxed);
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string id(24, '0');
    const uint32_t words[3] = {prefix_, start_, n};
    for (int w = 0; w < 3; ++w) {
      for (int i = 0; i < 8; ++i) id[w * 8 + i] = digits[(words[w] >> (28 - 4 * i)) & 15];
    }
    return id;
  }

 private:
  uint32_t prefix_;
  uint32_t start_;
  std::atomic<uint32_t> counter_{0};
};

}  // namespace ossd::api
