#include "pg_test_cluster.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>
#include <vector>

namespace ossd::test {

namespace fs = std::filesystem;

namespace {

constexpr const char* kSuperuser = "ossd";
constexpr auto kStartTimeout = std::chrono::seconds(30);
constexpr auto kStopTimeout = std::chrono::seconds(15);
constexpr int kStartAttempts = 3;  // a free port can be taken before the server binds it

Error cluster_error(std::string message) { return Error(ErrorCode::InternalError, std::move(message)); }

bool is_executable(const fs::path& file) { return ::access(file.c_str(), X_OK) == 0; }

bool holds_server_binaries(const fs::path& dir) {
  return is_executable(dir / "initdb") && is_executable(dir / "postgres");
}

// OSSD_POSTGRES_BINDIR, else the newest /usr/lib/postgresql/<major>/bin
// (Debian keeps them off PATH), else PATH.
std::optional<fs::path> find_server_binaries() {
  if (const char* named = ::getenv("OSSD_POSTGRES_BINDIR"); named != nullptr && *named != '\0') {
    if (holds_server_binaries(named)) return fs::path(named);
    return std::nullopt;
  }
  std::vector<std::pair<int, fs::path>> versions;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) { return c >= '0' && c <= '9'; })) {
      versions.emplace_back(std::stoi(name), entry.path() / "bin");
    }
  }
  std::sort(versions.rbegin(), versions.rend());
  for (const auto& [version, bin] : versions) {
    if (holds_server_binaries(bin)) return bin;
  }
  if (const char* path = ::getenv("PATH"); path != nullptr) {
    std::stringstream dirs(path);
    for (std::string dir; std::getline(dirs, dir, ':');) {
      if (!dir.empty() && holds_server_binaries(dir)) return fs::path(dir);
    }
  }
  return std::nullopt;
}

// Who the server runs as: neither initdb nor postgres runs as root.
struct ServerUser {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

Result<ServerUser> server_user() {
  if (::geteuid() != 0) return ServerUser{};
  const passwd* user = ::getpwnam("postgres");
  if (user == nullptr) {
    return cluster_error("running as root, and there is no `postgres` user to run initdb and postgres as");
  }
  return ServerUser{true, user->pw_uid, user->pw_gid};
}

std::string tail_of(const fs::path& log, size_t max_bytes = 4000) {
  std::ifstream in(log, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() > max_bytes) text = "..." + text.substr(text.size() - max_bytes);
  return text;
}

// Starts `argv` with stdout and stderr appended to `log`, as `user`. With
// die_with_parent the child gets SIGQUIT (the server's immediate shutdown)
// when this thread's process goes, so a crashed test run leaves no server.
Result<pid_t> spawn(const std::vector<std::string>& argv, const fs::path& log, const ServerUser& user,
                    bool die_with_parent) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return cluster_error("cannot open " + log.string());
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    if (null_fd >= 0) ::close(null_fd);
    return cluster_error("fork failed");
  }
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    if (user.switch_user) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(user.gid) != 0 || ::setuid(user.uid) != 0) ::_exit(126);
    }
    // After setuid, which would clear it.
    if (die_with_parent) {
      ::prctl(PR_SET_PDEATHSIG, SIGQUIT);
      if (::getppid() != parent) ::_exit(125);
    }
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(log_fd);
  if (null_fd >= 0) ::close(null_fd);
  return pid;
}

// Waits up to `timeout` for the child; its exit status, or nullopt while it runs.
std::optional<int> wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (done < 0) return -1;  // not our child any more: nothing to wait for
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void stop_server(pid_t pid) {
  ::kill(pid, SIGINT);  // fast shutdown: ends sessions, no need to wait for clients
  if (wait_for_exit(pid, kStopTimeout)) return;
  ::kill(pid, SIGKILL);
  (void)wait_for_exit(pid, kStopTimeout);
}

// A loopback port nothing listens on right now.
Result<int> free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return cluster_error("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                     ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  ::close(fd);
  if (!bound) return cluster_error("cannot find a free loopback port");
  return static_cast<int>(ntohs(address.sin_port));
}

std::string conninfo_of(int port, const std::string& database) {
  return "host=127.0.0.1 port=" + std::to_string(port) + " user=" + kSuperuser + " dbname=" + database +
         " connect_timeout=5";
}

Result<fs::path> make_cluster_dir(const ServerUser& user) {
  std::string pattern = (fs::path(::testing::TempDir()) / "ossd-pg-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return cluster_error("mkdtemp failed: " + pattern);
  if (user.switch_user && ::chown(pattern.c_str(), user.uid, user.gid) != 0) {
    return cluster_error("cannot hand " + pattern + " to the postgres user");
  }
  return fs::path(pattern);
}

Status run_initdb(const fs::path& bin, const fs::path& dir, const ServerUser& user) {
  const fs::path log = dir / "initdb.log";
  auto pid =
      spawn({(bin / "initdb").string(), "--pgdata=" + (dir / "data").string(), std::string("--username=") + kSuperuser,
             "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"},
            log, user, /*die_with_parent=*/false);
  if (!pid.ok()) return std::move(pid).error();
  const std::optional<int> status = wait_for_exit(*pid, std::chrono::minutes(2));
  if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    if (!status) ::kill(*pid, SIGKILL), (void)wait_for_exit(*pid, kStopTimeout);
    return cluster_error("initdb failed:\n" + tail_of(log));
  }
  return ok_status();
}

// Starts postgres and waits until it answers; the admin connection on success.
Result<std::pair<pid_t, std::unique_ptr<meta::pg::Connection>>> run_server(const fs::path& bin, const fs::path& dir,
                                                                           const ServerUser& user, int port) {
  const fs::path log = dir / "postgres.log";
  auto pid = spawn({(bin / "postgres").string(), "-D", (dir / "data").string(), "-p", std::to_string(port), "-k",
                    dir.string(), "-c", "listen_addresses=127.0.0.1",
                    // Nothing here needs to survive a crash: trade durability for speed.
                    "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c",
                    "shared_buffers=32MB", "-c", "max_connections=200"},
                   log, user, /*die_with_parent=*/true);
  if (!pid.ok()) return std::move(pid).error();
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  std::string last_error;
  while (std::chrono::steady_clock::now() < deadline) {
    if (wait_for_exit(*pid, std::chrono::milliseconds(0))) {
      return cluster_error("postgres exited while starting:\n" + tail_of(log));
    }
    auto admin = meta::pg::Connection::open(conninfo_of(port, "postgres"));
    if (admin.ok()) return std::make_pair(*pid, std::move(admin).value());
    last_error = admin.error().message;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  stop_server(*pid);
  return cluster_error("postgres did not accept connections within 30 s (" + last_error + "):\n" + tail_of(log));
}

}  // namespace

std::optional<std::string> postgres_skip_reason() {
  const char* skip = ::getenv("OSSD_SKIP_POSTGRES");
  if (skip != nullptr && std::string(skip) == "1") return "OSSD_SKIP_POSTGRES=1: the PostgreSQL tests are skipped";
  return std::nullopt;
}

Result<std::unique_ptr<PgTestCluster>> PgTestCluster::start() {
  const std::optional<fs::path> bin = find_server_binaries();
  if (!bin) {
    return cluster_error(
        "the PostgreSQL server binaries (initdb, postgres) were not found in OSSD_POSTGRES_BINDIR, "
        "/usr/lib/postgresql/<version>/bin or PATH: install them (scripts/install-deps.sh installs postgresql), "
        "or set OSSD_SKIP_POSTGRES=1 to skip the PostgreSQL tests");
  }
  auto user = server_user();
  if (!user.ok()) return std::move(user).error();
  auto dir = make_cluster_dir(*user);
  if (!dir.ok()) return std::move(dir).error();
  auto remove_dir = [&] {
    std::error_code ec;
    fs::remove_all(*dir, ec);
  };
  if (auto st = run_initdb(*bin, *dir, *user); !st) {
    remove_dir();
    return std::move(st).error();
  }
  Error last = cluster_error("postgres did not start");
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    auto port = free_port();
    if (!port.ok()) {
      last = std::move(port).error();
      continue;
    }
    auto server = run_server(*bin, *dir, *user, *port);
    if (server.ok()) {
      return std::unique_ptr<PgTestCluster>(new PgTestCluster(*dir, *port, server->first, std::move(server->second)));
    }
    last = std::move(server).error();
  }
  remove_dir();
  return last;
}

PgTestCluster::~PgTestCluster() {
  admin_.reset();
  stop_server(server_pid_);
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string PgTestCluster::conninfo(const std::string& database) const { return conninfo_of(port_, database); }

Result<std::string> PgTestCluster::create_database() {
  // A database name is an identifier, which cannot be a statement parameter;
  // this one is made of letters, digits and '_' only, never of test input.
  const std::string name = "ossd_test_" + std::to_string(::getpid()) + "_" + std::to_string(++databases_created_);
  std::lock_guard lock(admin_mutex_);
  if (auto st = admin_->execute(("CREATE DATABASE " + name).c_str()); !st) return std::move(st).error();
  return name;
}

Result<PgTestCluster*> shared_pg_test_cluster() {
  // Test-binary scope by design: one server for all tests of the binary.
  static std::mutex mutex;
  static std::unique_ptr<PgTestCluster> cluster;
  static std::optional<Error> failed;
  std::lock_guard lock(mutex);
  if (cluster) return cluster.get();
  if (failed) return *failed;
  auto started = PgTestCluster::start();
  if (!started.ok()) {
    failed = started.error();
    return std::move(started).error();
  }
  cluster = std::move(started).value();
  return cluster.get();
}

Result<std::string> pg_test_conninfo_for(const fs::path& dir) {
  auto cluster = shared_pg_test_cluster();
  if (!cluster.ok()) return std::move(cluster).error();
  const fs::path name_file = dir / "postgres-database";
  std::string name;
  if (std::ifstream in(name_file); in && std::getline(in, name) && !name.empty()) {
    return (*cluster)->conninfo(name);
  }
  auto created = (*cluster)->create_database();
  if (!created.ok()) return std::move(created).error();
  std::ofstream(name_file) << *created << '\n';
  return (*cluster)->conninfo(*created);
}

}  // namespace ossd::test
