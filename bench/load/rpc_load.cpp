// ossd_rpc_load: a closed-loop load generator for ossd's RPC APIs (STS
// AssumeRole by default). N keep-alive connections, each sending one signed
// request at a time (RPC signature 1.0 through the client library, a unique
// SignatureNonce per request) for a fixed duration after a warm-up. Prints
// one RESULT line: requests/s, latency percentiles, status counts and, with
// --server-pid, the server's CPU time per request over exactly the measured
// window (utime+stime from /proc/<pid>/stat).
//
//   ossd_rpc_load --endpoint 127.0.0.1:9000 --access-key-id ID --access-key-secret S
//                 --role-arn acs:ram::<account>:role/<name> [--connections 16] [--duration 10]
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ossd/rpc_client.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

struct Options {
  std::string endpoint = "127.0.0.1:9000";  // host:port
  std::string access_key_id;
  std::string access_key_secret;
  std::string action = "AssumeRole";
  std::string version = "2015-04-01";
  std::string role_arn;
  std::string session_name = "bench-session";
  std::string method = "GET";
  unsigned connections = 16;
  unsigned threads = 1;
  double duration_s = 10;
  double warmup_s = 1;
  int server_pid = 0;
};

// What one connection saw inside the measured window.
struct ConnectionStats {
  uint64_t ok = 0;
  uint64_t socket_errors = 0;
  std::map<unsigned, uint64_t> statuses;
  std::vector<uint32_t> latencies_us;  // successful requests only
  std::string first_error;
};

struct Window {
  SteadyClock::time_point start;  // end of warm-up
  SteadyClock::time_point end;
};

// utime + stime of a process, in clock ticks; -1 when unreadable.
long long process_cpu_ticks(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return -1;
  // The command name (field 2) may hold spaces: count fields after its ')'.
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  std::string field;
  long long utime = -1, stime = -1;
  for (int index = 3; rest >> field; ++index) {
    if (index == 14) utime = std::stoll(field);
    if (index == 15) {
      stime = std::stoll(field);
      break;
    }
  }
  return utime < 0 || stime < 0 ? -1 : utime + stime;
}

std::string nonce_prefix() {
  std::random_device device;
  std::ostringstream out;
  out << std::hex << device() << device() << '-' << ::getpid();
  return out.str();
}

http::request<http::string_body> make_request(const Options& options, const std::string& host,
                                              const std::string& nonce) {
  const ossd::client::RpcParameters params{
      {"RoleArn", options.role_arn}, {"RoleSessionName", options.session_name}, {"DurationSeconds", "3600"}};
  const bool get = options.method == "GET";
  const auto signed_params = ossd::client::sign_rpc_request(
      get ? ossd::client::RpcMethod::Get : ossd::client::RpcMethod::Post, options.action, options.version,
      options.action == "AssumeRole" ? params : ossd::client::RpcParameters{},
      ossd::client::Credentials{options.access_key_id, options.access_key_secret, ""}, std::chrono::system_clock::now(),
      nonce);
  const std::string encoded = ossd::client::rpc_encode_parameters(signed_params);
  http::request<http::string_body> request{get ? http::verb::get : http::verb::post, get ? "/?" + encoded : "/", 11};
  request.set(http::field::host, host);
  request.set(http::field::user_agent, "ossd-rpc-load/1");
  request.set(http::field::accept, "application/json");
  if (!get) {
    request.set(http::field::content_type, "application/x-www-form-urlencoded");
    request.body() = encoded;
  }
  request.prepare_payload();
  return request;
}

asio::awaitable<void> run_connection(const Options& options, tcp::endpoint target, unsigned id,
                                     const std::string& prefix, Window window, ConnectionStats& stats) {
  auto executor = co_await asio::this_coro::executor;
  const std::string host = options.endpoint;
  uint64_t sequence = 0;
  while (SteadyClock::now() < window.end) {
    beast::tcp_stream stream(executor);
    try {
      co_await stream.socket().async_connect(target, asio::use_awaitable);
      stream.socket().set_option(tcp::no_delay(true));
      beast::flat_buffer buffer;
      while (SteadyClock::now() < window.end) {
        const std::string nonce = prefix + "-" + std::to_string(id) + "-" + std::to_string(sequence++);
        auto request = make_request(options, host, nonce);
        const auto sent = SteadyClock::now();
        co_await http::async_write(stream, request, asio::use_awaitable);
        http::response<http::string_body> response;
        co_await http::async_read(stream, buffer, response, asio::use_awaitable);
        const auto done = SteadyClock::now();
        if (done < window.start || done > window.end) {
          if (!response.keep_alive()) break;
          continue;
        }
        const unsigned status = response.result_int();
        ++stats.statuses[status];
        const bool ok = status == 200 && (options.action != "AssumeRole" ||
                                          response.body().find("\"SecurityToken\"") != std::string::npos);
        if (ok) {
          ++stats.ok;
          stats.latencies_us.push_back(
              static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(done - sent).count()));
        } else if (stats.first_error.empty()) {
          stats.first_error = std::to_string(status) + " " + response.body().substr(0, 300);
        }
        if (!response.keep_alive()) break;
      }
    } catch (const std::exception& e) {
      if (SteadyClock::now() < window.end && SteadyClock::now() >= window.start) {
        ++stats.socket_errors;
        if (stats.first_error.empty()) stats.first_error = std::string("socket: ") + e.what();
      }
    }
  }
}

uint32_t percentile(std::vector<uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t index = std::min(sorted.size() - 1, static_cast<size_t>(p * static_cast<double>(sorted.size())));
  return sorted[index];
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"Closed-loop load on ossd's RPC APIs (STS AssumeRole by default)"};
  app.add_option("--endpoint", options.endpoint, "host:port of ossd (IPv4 loopback)")->required();
  app.add_option("--access-key-id", options.access_key_id, "Signing key id")->required();
  app.add_option("--access-key-secret", options.access_key_secret, "Signing key secret")->required();
  app.add_option("--role-arn", options.role_arn, "AssumeRole RoleArn");
  app.add_option("--session-name", options.session_name, "AssumeRole RoleSessionName");
  app.add_option("--action", options.action, "AssumeRole or GetCallerIdentity");
  app.add_option("--method", options.method, "GET (query) or POST (form)")->check(CLI::IsMember({"GET", "POST"}));
  app.add_option("--connections,-c", options.connections, "Keep-alive connections")->check(CLI::Range(1u, 10000u));
  app.add_option("--threads,-t", options.threads, "Client I/O threads")->check(CLI::Range(1u, 64u));
  app.add_option("--duration,-d", options.duration_s, "Measured seconds")->check(CLI::PositiveNumber);
  app.add_option("--warmup", options.warmup_s, "Unmeasured seconds before")->check(CLI::NonNegativeNumber);
  app.add_option("--server-pid", options.server_pid, "Report this process's CPU per request");
  CLI11_PARSE(app, argc, argv);
  if (options.action == "AssumeRole" && options.role_arn.empty()) {
    std::cerr << "--role-arn is required for AssumeRole\n";
    return 2;
  }
  const auto colon = options.endpoint.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "--endpoint must be host:port\n";
    return 2;
  }
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options.endpoint.substr(0, colon), ec);
  if (ec) {
    std::cerr << "--endpoint needs an IP address: " << ec.message() << "\n";
    return 2;
  }
  const tcp::endpoint target(address, static_cast<unsigned short>(std::stoi(options.endpoint.substr(colon + 1))));

  const auto begin = SteadyClock::now();
  Window window;
  window.start =
      begin + std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(options.warmup_s));
  window.end = window.start +
               std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(options.duration_s));

  const std::string prefix = nonce_prefix();
  std::vector<ConnectionStats> stats(options.connections);
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  for (unsigned t = 0; t < options.threads; ++t) contexts.push_back(std::make_unique<asio::io_context>(1));
  for (unsigned c = 0; c < options.connections; ++c) {
    asio::co_spawn(*contexts[c % options.threads], run_connection(options, target, c, prefix, window, stats[c]),
                   asio::detached);
  }
  std::vector<std::thread> threads;
  for (auto& context : contexts) threads.emplace_back([&context] { context->run(); });

  // Server CPU (and this client's, which shares the machine) over exactly the measured window.
  long long cpu_before = -1, cpu_after = -1;
  std::this_thread::sleep_until(window.start);
  if (options.server_pid > 0) cpu_before = process_cpu_ticks(options.server_pid);
  const long long client_before = process_cpu_ticks(::getpid());
  std::this_thread::sleep_until(window.end);
  if (options.server_pid > 0) cpu_after = process_cpu_ticks(options.server_pid);
  const long long client_after = process_cpu_ticks(::getpid());
  for (auto& thread : threads) thread.join();

  ConnectionStats total;
  for (auto& s : stats) {
    total.ok += s.ok;
    total.socket_errors += s.socket_errors;
    for (auto [status, count] : s.statuses) total.statuses[status] += count;
    total.latencies_us.insert(total.latencies_us.end(), s.latencies_us.begin(), s.latencies_us.end());
    if (total.first_error.empty()) total.first_error = s.first_error;
  }
  std::sort(total.latencies_us.begin(), total.latencies_us.end());
  uint64_t non_ok = 0;
  for (auto [status, count] : total.statuses) non_ok += count;
  non_ok -= total.ok;

  std::ostringstream line;
  line.setf(std::ios::fixed);
  line.precision(1);
  line << "RESULT action=" << options.action << " conns=" << options.connections << " seconds=" << options.duration_s
       << " requests=" << total.ok << " rps=" << static_cast<double>(total.ok) / options.duration_s
       << " p50_us=" << percentile(total.latencies_us, 0.50) << " p90_us=" << percentile(total.latencies_us, 0.90)
       << " p99_us=" << percentile(total.latencies_us, 0.99)
       << " max_us=" << (total.latencies_us.empty() ? 0 : total.latencies_us.back()) << " errors=" << non_ok
       << " socket_errors=" << total.socket_errors;
  if (cpu_before >= 0 && cpu_after >= 0) {
    const double cpu_seconds =
        static_cast<double>(cpu_after - cpu_before) / static_cast<double>(::sysconf(_SC_CLK_TCK));
    line << " server_cpu_s=" << cpu_seconds
         << " server_cpu_us_per_req=" << (total.ok ? cpu_seconds * 1e6 / static_cast<double>(total.ok) : 0.0);
  }
  if (client_before >= 0 && client_after >= 0 && total.ok > 0) {
    const double client_seconds =
        static_cast<double>(client_after - client_before) / static_cast<double>(::sysconf(_SC_CLK_TCK));
    line << " client_cpu_us_per_req=" << client_seconds * 1e6 / static_cast<double>(total.ok);
  }
  line << " statuses=";
  bool first = true;
  for (auto [status, count] : total.statuses) {
    line << (first ? "" : ",") << status << ":" << count;
    first = false;
  }
  std::cout << line.str() << "\n";
  if (!total.first_error.empty()) std::cout << "FIRST_ERROR " << total.first_error << "\n";
  return total.ok > 0 && non_ok == 0 && total.socket_errors == 0 ? 0 : 1;
}
