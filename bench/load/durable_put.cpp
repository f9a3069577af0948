// ossd_durable_put: the disk's own limit for a durable PUT, the anchor of the
// durable-PUT rows of bench/all.sh. Each of --threads threads loops, for
// --duration seconds: create a temporary file (O_EXCL), write --size bytes,
// fdatasync it, rename it over its final name, fsync the directory. That is
// what an object store must do before it may acknowledge a PUT, without HTTP,
// metadata or checksums.
//
// Final names rotate over --keys names shared by the threads (thread t uses
// names t, t+T, t+2T...), so the files are overwritten like ossd's rotating
// PUT keys, and a long 1 MiB run does not fill the disk. --keys 0: always new
// names.
//
// Prints one RESULT line: ops/s, MB/s (bodies, 1e6), latency percentiles and the
// process's own CPU per operation (getrusage).
//
//   ossd_durable_put --dir /tmp/x --threads 16 --size 4096 --duration 4
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using SteadyClock = std::chrono::steady_clock;

struct Options {
  std::string dir;
  unsigned threads = 16;
  size_t size = 4096;
  double duration_s = 4;
  unsigned keys = 1000;
};

struct Worker {
  uint64_t ops = 0;
  std::vector<double> latencies_us;
  std::string failure;
};

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return secs(usage.ru_utime) + secs(usage.ru_stime);
}

std::string failed(const char* what, const std::string& path) {
  return std::string(what) + " " + path + ": " + std::strerror(errno);
}

// One durable write; "" on success, else what failed.
std::string durable_write(int dir_fd, const std::string& tmp, const std::string& final_name,
                          const std::vector<char>& body) {
  const int fd = ::open(tmp.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) return failed("open", tmp);
  size_t done = 0;
  while (done < body.size()) {
    const ssize_t n = ::write(fd, body.data() + done, body.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return failed("write", tmp);
    }
    done += static_cast<size_t>(n);
  }
  if (::fdatasync(fd) != 0) {
    ::close(fd);
    return failed("fdatasync", tmp);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), final_name.c_str()) != 0) return failed("rename", tmp);
  if (::fsync(dir_fd) != 0) return failed("fsync of the directory", final_name);
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Durable-write anchor: temp file, write, fdatasync, rename, directory fsync; N threads"};
  app.add_option("--dir", o.dir, "Directory to write in (created if missing)")->required();
  app.add_option("--threads", o.threads, "Writer threads")->check(CLI::Range(1u, 1024u));
  app.add_option("--size", o.size, "Bytes per object")->check(CLI::PositiveNumber);
  app.add_option("--duration", o.duration_s, "Seconds to run");
  app.add_option("--keys", o.keys, "Final names rotated over, shared by the threads (0 = always new)");
  CLI11_PARSE(app, argc, argv);

  ::mkdir(o.dir.c_str(), 0700);
  const int dir_fd = ::open(o.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) {
    std::perror(o.dir.c_str());
    return 1;
  }
  std::vector<Worker> workers(o.threads);
  std::vector<std::thread> threads;
  std::atomic<bool> stop{false};
  const double cpu0 = cpu_seconds();
  const auto t0 = SteadyClock::now();
  const auto end = t0 + std::chrono::duration<double>(o.duration_s);
  for (unsigned t = 0; t < o.threads; ++t) {
    threads.emplace_back([&, t] {
      Worker& w = workers[t];
      std::vector<char> body(o.size, static_cast<char>('A' + t % 26));
      for (uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        const auto s = SteadyClock::now();
        if (s >= end) break;
        const uint64_t name = o.keys == 0 ? i * o.threads + t : (i * o.threads + t) % std::max(o.keys, o.threads);
        const std::string tmp = o.dir + "/.tmp." + std::to_string(t) + "." + std::to_string(i);
        const std::string final_name = o.dir + "/obj." + std::to_string(name);
        w.failure = durable_write(dir_fd, tmp, final_name, body);
        if (!w.failure.empty()) {
          stop = true;
          return;
        }
        ++w.ops;
        w.latencies_us.push_back(std::chrono::duration<double, std::micro>(SteadyClock::now() - s).count());
      }
    });
  }
  for (auto& th : threads) th.join();
  const double wall = std::chrono::duration<double>(SteadyClock::now() - t0).count();
  const double cpu = cpu_seconds() - cpu0;
  ::close(dir_fd);

  std::vector<double> all;
  uint64_t ops = 0;
  for (const Worker& w : workers) {
    if (!w.failure.empty()) {
      std::fprintf(stderr, "durable write failed: %s\n", w.failure.c_str());
      return 1;
    }
    ops += w.ops;
    all.insert(all.end(), w.latencies_us.begin(), w.latencies_us.end());
  }
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    return all.empty() ? 0.0 : all[std::min(all.size() - 1, static_cast<size_t>(p * all.size()))];
  };
  std::printf(
      "RESULT rps=%.1f mbps=%.1f p50_ms=%.3f p99_ms=%.3f reqs=%llu cpu_us_per_op=%.1f threads=%u size=%zu "
      "non2xx=0 sockerr=0\n",
      ops / wall, static_cast<double>(ops) * static_cast<double>(o.size) / wall / 1e6, pct(0.50) / 1000,
      pct(0.99) / 1000, static_cast<unsigned long long>(ops), ops ? cpu * 1e6 / static_cast<double>(ops) : 0.0,
      o.threads, o.size);
  return 0;
}
