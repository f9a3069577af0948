#include "api/metrics.hpp"

#include <sstream>

namespace ossd::api {

void Metrics::record(std::optional<Operation> op, unsigned status, uint64_t bytes_in, uint64_t bytes_out,
                     uint64_t latency_us) {
  size_t index = op ? static_cast<size_t>(*op) : kOps;
  size_t status_class = status >= 100 && status < 600 ? status / 100 - 1 : kClasses - 1;
  per_op_[index].by_class[status_class].fetch_add(1, std::memory_order_relaxed);
  per_op_[index].latency_us_sum.fetch_add(latency_us, std::memory_order_relaxed);
  bytes_in_.fetch_add(bytes_in, std::memory_order_relaxed);
  bytes_out_.fetch_add(bytes_out, std::memory_order_relaxed);
}

std::string Metrics::render_prometheus() const {
  std::ostringstream out;
  out << "# HELP ossd_requests_total Requests served, by operation and status class.\n"
      << "# TYPE ossd_requests_total counter\n";
  auto ops = all_operations();
  auto emit = [&](std::string_view name, const Counters& c) {
    for (size_t k = 0; k < kClasses; ++k) {
      uint64_t n = c.by_class[k].load(std::memory_order_relaxed);
      if (n == 0) continue;
      out << "ossd_requests_total{operation=\"" << name << "\",status=\"" << (k + 1) << "xx\"} " << n << "\n";
    }
  };
  for (Operation op : ops) emit(operation_name(op), per_op_[static_cast<size_t>(op)]);
  emit("none", per_op_[kOps]);

  out << "# HELP ossd_request_latency_microseconds_sum Total time spent serving requests.\n"
      << "# TYPE ossd_request_latency_microseconds_sum counter\n";
  for (Operation op : ops) {
    uint64_t sum = per_op_[static_cast<size_t>(op)].latency_us_sum.load(std::memory_order_relaxed);
    if (sum) out << "ossd_request_latency_microseconds_sum{operation=\"" << operation_name(op) << "\"} " << sum << "\n";
  }
  out << "# HELP ossd_received_bytes_total Request body bytes received.\n# TYPE ossd_received_bytes_total counter\n"
      << "ossd_received_bytes_total " << bytes_in_.load() << "\n"
      << "# HELP ossd_sent_bytes_total Response body bytes sent.\n# TYPE ossd_sent_bytes_total counter\n"
      << "ossd_sent_bytes_total " << bytes_out_.load() << "\n";
  if (connections_) {
    ConnectionGauges g = connections_();
    out << "# HELP ossd_open_connections Client connections currently open.\n# TYPE ossd_open_connections gauge\n"
        << "ossd_open_connections " << g.open_connections << "\n"
        << "# HELP ossd_accepted_connections_total Client connections accepted.\n"
        << "# TYPE ossd_accepted_connections_total counter\n"
        << "ossd_accepted_connections_total " << g.accepted_connections << "\n";
  }
  return out.str();
}

}  // namespace ossd::api
