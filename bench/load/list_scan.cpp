// ossd_list_scan: the anchor of the ListObjects rows of bench/all.sh. Reads the
// same 1000-key page that a ListObjects request returns, straight from ossd's
// meta.db: one prepared statement, a range scan of the objects table's primary
// key (bucket, key) with LIMIT, every column a listing needs read out of each
// row. Rotates over the markers in --markers (one a line) for --duration
// seconds, one page at a time on one thread, and prints one RESULT line:
// pages/s, per-page latency percentiles, and its own CPU per page (getrusage),
// the figure to compare with ossd's server CPU per ListObjects request.
//
// It opens the database read-only in spirit (query_only), so it can run next to
// a live ossd (WAL: readers never block the writer).
//
//   ossd_list_scan --db D/meta.db --bucket list --prefix data/ --markers m.txt --duration 4
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "meta/sqlite_connection.hpp"

namespace {

using namespace ossd;
using meta::sqlite::Connection;
using SteadyClock = std::chrono::steady_clock;

struct Options {
  std::string db;
  std::string bucket = "list";
  std::string prefix;
  std::string markers_file;
  uint32_t limit = 1000;
  double duration_s = 4;
  double warmup_s = 0.5;
};

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return secs(usage.ru_utime) + secs(usage.ru_stime);
}

// The smallest string above every key starting with prefix (prefix with its last byte + 1); "" = none.
std::string prefix_upper(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xFF) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Time a 1000-key ListObjects page read straight from ossd's SQLite metadata"};
  app.add_option("--db", o.db, "ossd's meta.db")->required();
  app.add_option("--bucket", o.bucket, "Bucket");
  app.add_option("--prefix", o.prefix, "Only keys starting with this");
  app.add_option("--markers", o.markers_file, "File with one marker per line (the page starts after it)")->required();
  app.add_option("--limit", o.limit, "Rows per page");
  app.add_option("--duration", o.duration_s, "Seconds measured");
  app.add_option("--warmup", o.warmup_s, "Seconds run before measuring");
  CLI11_PARSE(app, argc, argv);

  std::vector<std::string> markers;
  {
    std::ifstream in(o.markers_file);
    for (std::string line; std::getline(in, line);) markers.push_back(line);
  }
  if (markers.empty()) {
    std::fprintf(stderr, "no markers in %s\n", o.markers_file.c_str());
    return 1;
  }
  auto opened = Connection::open(o.db);
  if (!opened) {
    std::fprintf(stderr, "open failed: %s\n", opened.error().message.c_str());
    return 1;
  }
  Connection& db = *opened.value();
  if (auto st = db.exec("PRAGMA query_only = ON; PRAGMA busy_timeout = 5000;"); !st) {
    std::fprintf(stderr, "pragma failed: %s\n", st.error().message.c_str());
    return 1;
  }
  // What a listing needs of each row (ObjectSummary), in key order, after the marker, within the prefix.
  const std::string upper = prefix_upper(o.prefix);
  const std::string sql = std::string(
                              "SELECT key, size, etag, last_modified_ms, object_type, storage_class FROM objects"
                              " WHERE bucket = ?1 AND key > ?2 AND key >= ?3") +
                          (upper.empty() ? "" : " AND key < ?5") + " ORDER BY key LIMIT ?4";

  size_t next = 0;
  uint64_t rows_total = 0;
  size_t bytes_sink = 0;
  auto one_page = [&]() -> bool {
    auto q = db.query(sql);
    if (!q) {
      std::fprintf(stderr, "prepare failed: %s\n", q.error().message.c_str());
      return false;
    }
    q->bind_text(1, o.bucket).bind_text(2, markers[next++ % markers.size()]).bind_text(3, o.prefix);
    q->bind_int(4, o.limit);
    if (!upper.empty()) q->bind_text(5, upper);
    uint32_t rows = 0;
    while (true) {
      auto more = q->step();
      if (!more) {
        std::fprintf(stderr, "step failed: %s\n", more.error().message.c_str());
        return false;
      }
      if (!*more) break;
      // Read every column out, as a listing does (decoding is part of the cost).
      std::string key = q->column_text(0);
      int64_t size = q->column_int(1);
      std::string etag = q->column_text(2);
      int64_t modified = q->column_int(3);
      std::string type = q->column_text(4);
      std::string storage = q->column_text(5);
      bytes_sink += key.size() + etag.size() + type.size() + storage.size() + static_cast<size_t>(size + modified);
      ++rows;
    }
    rows_total += rows;
    return true;
  };

  const auto warm_end = SteadyClock::now() + std::chrono::duration<double>(o.warmup_s);
  while (SteadyClock::now() < warm_end) {
    if (!one_page()) return 1;
  }
  rows_total = 0;
  std::vector<double> latencies_us;
  const double cpu0 = cpu_seconds();
  const auto t0 = SteadyClock::now();
  const auto end = t0 + std::chrono::duration<double>(o.duration_s);
  while (true) {
    const auto s = SteadyClock::now();
    if (s >= end) break;
    if (!one_page()) return 1;
    latencies_us.push_back(std::chrono::duration<double, std::micro>(SteadyClock::now() - s).count());
  }
  const double wall = std::chrono::duration<double>(SteadyClock::now() - t0).count();
  const double cpu = cpu_seconds() - cpu0;
  std::sort(latencies_us.begin(), latencies_us.end());
  const size_t n = latencies_us.size();
  auto pct = [&](double p) { return n == 0 ? 0.0 : latencies_us[std::min(n - 1, static_cast<size_t>(p * n))]; };
  std::printf(
      "RESULT rps=%.1f pages=%zu rows_per_page=%.1f p50_ms=%.3f p99_ms=%.3f reqs=%zu cpu_us_per_page=%.1f "
      "non2xx=0 sockerr=0 sink=%zu\n",
      n / wall, n, n ? static_cast<double>(rows_total) / n : 0.0, pct(0.50) / 1000, pct(0.99) / 1000, n,
      n ? cpu * 1e6 / n : 0.0, bytes_sink % 10);
  return 0;
}
