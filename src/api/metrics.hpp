#pragma once
// Request counters exported at /metrics in the Prometheus text format.
// Lock-free counters: recording happens on I/O threads for every request.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "api/operation.hpp"

namespace ossd::api {

struct ConnectionGauges {
  uint64_t open_connections = 0;
  uint64_t accepted_connections = 0;
};

class Metrics {
 public:
  // Unrouted requests (bad addressing, unknown operations) count as "none".
  void record(std::optional<Operation> op, unsigned status, uint64_t bytes_in, uint64_t bytes_out, uint64_t latency_us);
  void set_connection_source(std::function<ConnectionGauges()> source) { connections_ = std::move(source); }
  std::string render_prometheus() const;

 private:
  static constexpr size_t kOps = 64;
  static constexpr size_t kClasses = 5;  // 1xx..5xx
  struct Counters {
    std::array<std::atomic<uint64_t>, kClasses> by_class{};
    std::atomic<uint64_t> latency_us_sum{0};
  };
  std::array<Counters, kOps + 1> per_op_{};
  std::atomic<uint64_t> bytes_in_{0};
  std::atomic<uint64_t> bytes_out_{0};
  std::function<ConnectionGauges()> connections_;
};

}  // namespace ossd::api
