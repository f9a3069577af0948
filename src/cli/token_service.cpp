#include "cli/token_service.hpp"

#include <pthread.h>
#include <signal.h>

#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "core/strings.hpp"
#include "http/server.hpp"
#include "http/work_pool.hpp"
#include "ossd/error.hpp"

namespace ossd::cli {

namespace {

constexpr std::uintmax_t kMaxStaticFile = 32ull << 20;  // a page and its scripts, not a file server

// Blocks SIGINT/SIGTERM (and SIGUSR1, the wake-up) in this thread and every
// thread started after it, then waits for them on one thread, so stopping is
// a normal call rather than work inside a signal handler.
class StopSignals {
 public:
  StopSignals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  }

  void on_signal(std::function<void()> stop) {
    waiter_ = std::thread([this, stop = std::move(stop)] {
      int signal = 0;
      sigwait(&set_, &signal);
      if (signal != SIGUSR1) stop();
    });
  }

  ~StopSignals() {
    if (waiter_.joinable()) {
      pthread_kill(waiter_.native_handle(), SIGUSR1);
      waiter_.join();
    }
    // The signals stay blocked: the process ends right after, and a second
    // SIGTERM that arrived meanwhile must not turn a clean exit into a kill.
  }

  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  sigset_t set_{};
  std::thread waiter_;
};

http::Response json_response(unsigned status, const nlohmann::json& body) {
  http::Response response;
  response.status = status;
  response.body = body.dump();
  response.set("Content-Type", "application/json; charset=utf-8");
  // A credential is good once; no cache should hand it to someone else.
  response.set("Cache-Control", "no-store");
  return response;
}

http::Response text_response(unsigned status, std::string text) {
  http::Response response;
  response.status = status;
  response.body = std::move(text);
  response.set("Content-Type", "text/plain; charset=utf-8");
  return response;
}

// What the vendor's failure looks like to the page: the upstream's Code and
// Message, so a misconfigured role shows up in the browser console.
http::Response vend_failure(const Error& error) {
  const client::ServiceError upstream = client::service_error(error);
  const unsigned status = upstream.http_status == 0 ? 503 : 502;
  return json_response(status, {{"Code", upstream.code.empty() ? "TokenServiceUnavailable" : upstream.code},
                                {"Message", upstream.message}});
}

class TokenHandler final : public http::Handler {
 public:
  TokenHandler(const TokenServiceOptions& options, CredentialVendor vendor, http::WorkPool& pool, std::ostream& log)
      : options_(options), vendor_(std::move(vendor)), pool_(pool), log_(log) {}

  // Everything, cheap or not, runs on the pool: minting a credential and
  // reading a file block, and one hand-off per request costs nothing here.
  boost::asio::awaitable<http::Response> handle(const http::Request& request, http::BodyReader&) override {
    auto response = co_await pool_.run([&] { return respond(request); });
    co_return response;
  }

 private:
  http::Response respond(const http::Request& request) {
    const std::string_view target = request.target;
    const std::string path(target.substr(0, target.find('?')));
    std::optional<std::string> cors_origin;
    if (const std::string* origin = request.find("Origin"))
      cors_origin = allowed_origin(options_.allowed_origins, *origin);

    http::Response response;
    if (request.method == "OPTIONS") {
      response.status = cors_origin ? 204 : 403;
      if (cors_origin) {
        response.set("Access-Control-Allow-Methods", "GET, OPTIONS");
        if (const std::string* asked = request.find("Access-Control-Request-Headers")) {
          response.set("Access-Control-Allow-Headers", *asked);
        }
        response.set("Access-Control-Max-Age", "600");
      }
    } else if (request.method != "GET" && request.method != "HEAD") {
      response = text_response(405, "only GET\n");
      response.set("Allow", "GET, OPTIONS");
    } else if (path == options_.token_path || (path == "/" && options_.static_dirs.empty())) {
      response = vend();
    } else if (!options_.static_dirs.empty()) {
      response = static_file(path);
    } else {
      response = text_response(404, "the token is at " + options_.token_path + "\n");
    }
    if (cors_origin) response.set("Access-Control-Allow-Origin", *cors_origin);
    // The answer depends on Origin whenever origins are configured.
    if (!options_.allowed_origins.empty()) response.set("Vary", "Origin");
    return response;
  }

  http::Response vend() {
    auto credentials = vendor_();
    if (!credentials) {
      {
        std::lock_guard lock(log_mutex_);
        log_ << "AssumeRole failed: " << client::describe(credentials.error()) << std::endl;
      }
      return vend_failure(credentials.error());
    }
    return json_response(200, client::to_json(*credentials));
  }

  http::Response static_file(const std::string& path) const {
    const auto relative = static_file_path(path);
    if (!relative) return text_response(400, "bad path\n");
    for (const auto& dir : options_.static_dirs) {
      const std::filesystem::path file = dir / *relative;
      std::error_code ec;
      if (!std::filesystem::is_regular_file(file, ec)) continue;
      const auto size = std::filesystem::file_size(file, ec);
      if (ec || size > kMaxStaticFile) return text_response(403, "not served\n");
      std::ifstream in(file, std::ios::binary);
      std::ostringstream body;
      body << in.rdbuf();
      if (!in && !in.eof()) return text_response(500, "cannot read the file\n");
      http::Response response;
      response.body = body.str();
      response.set("Content-Type", content_type_of(file));
      response.set("Cache-Control", "no-cache");
      return response;
    }
    return text_response(404, "not found\n");
  }

  const TokenServiceOptions& options_;
  CredentialVendor vendor_;
  http::WorkPool& pool_;
  std::ostream& log_;
  std::mutex log_mutex_;
};

}  // namespace

Result<HostPort> parse_listen_address(std::string_view address) {
  HostPort out;
  std::string_view port_text;
  if (address.starts_with('[')) {
    const auto close = address.find(']');
    if (close == std::string_view::npos || close + 1 >= address.size() || address[close + 1] != ':') {
      return Error(ErrorCode::InvalidArgument, "--address: expected [v6-address]:port");
    }
    out.host = std::string(address.substr(1, close - 1));
    port_text = address.substr(close + 2);
  } else {
    const auto colon = address.rfind(':');
    if (colon == std::string_view::npos || address.find(':') != colon) {
      return Error(ErrorCode::InvalidArgument, "--address: expected host:port");
    }
    out.host = std::string(address.substr(0, colon));
    port_text = address.substr(colon + 1);
  }
  const auto port = parse_uint64(port_text);
  if (out.host.empty() || !port || *port > 65535) {
    return Error(ErrorCode::InvalidArgument, "--address: bad host or port in '" + std::string(address) + "'");
  }
  out.port = static_cast<uint16_t>(*port);
  return out;
}

std::optional<std::string> allowed_origin(const std::vector<std::string>& allowed, std::string_view origin) {
  if (origin.empty()) return std::nullopt;
  for (const auto& entry : allowed) {
    // Echo the origin rather than "*", so the answer is the same whether the
    // page sends credentials or not.
    if (entry == "*" || entry == origin) return std::string(origin);
  }
  return std::nullopt;
}

std::optional<std::filesystem::path> static_file_path(std::string_view request_path) {
  auto decoded = percent_decode(request_path);
  if (!decoded) return std::nullopt;
  std::string_view rest = *decoded;
  while (rest.starts_with('/')) rest.remove_prefix(1);
  std::filesystem::path out;
  std::size_t start = 0;
  while (start <= rest.size()) {
    const auto slash = rest.find('/', start);
    const std::string_view segment = rest.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (segment == ".." || segment.find('\\') != std::string_view::npos ||
        segment.find('\0') != std::string_view::npos) {
      return std::nullopt;
    }
    if (!segment.empty() && segment != ".") out /= std::string(segment);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (rest.empty() || rest.ends_with('/')) out /= "index.html";
  return out;
}

std::string content_type_of(const std::filesystem::path& file) {
  const std::string extension = to_lower(file.extension().string());
  if (extension == ".html" || extension == ".htm") return "text/html; charset=utf-8";
  if (extension == ".js" || extension == ".mjs") return "text/javascript; charset=utf-8";
  if (extension == ".css") return "text/css; charset=utf-8";
  if (extension == ".json") return "application/json; charset=utf-8";
  if (extension == ".txt" || extension == ".md") return "text/plain; charset=utf-8";
  if (extension == ".svg") return "image/svg+xml";
  if (extension == ".png") return "image/png";
  if (extension == ".jpg" || extension == ".jpeg") return "image/jpeg";
  if (extension == ".ico") return "image/x-icon";
  return "application/octet-stream";
}

int serve_tokens(const TokenServiceOptions& options, CredentialVendor vendor, std::ostream& out, std::ostream& err) {
  auto address = parse_listen_address(options.address);
  if (!address) {
    err << "ossctl: " << address.error().message << '\n';
    return 2;
  }
  for (const auto& dir : options.static_dirs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
      err << "ossctl: --static " << dir.string() << " is not a directory\n";
      return 2;
    }
  }
  // Before any thread exists, so every thread inherits the blocked signals.
  StopSignals signals;
  http::WorkPool pool(2);
  TokenHandler handler(options, std::move(vendor), pool, err);
  http::ServerOptions server_options;
  server_options.host = address->host;
  server_options.port = address->port;
  server_options.io_threads = 1;
  server_options.limits.shutdown_grace = std::chrono::seconds(5);
  http::Server server(server_options, handler);
  if (auto listening = server.listen(); !listening) {
    err << "ossctl: cannot listen on " << options.address << ": " << listening.error().message << '\n';
    return 1;
  }
  signals.on_signal([&server] { server.request_stop(); });
  const std::string host = address->host.find(':') != std::string::npos ? "[" + address->host + "]" : address->host;
  const std::string base = "http://" + host + ":" + std::to_string(server.bound_port());
  out << "listening on " << base << '\n' << "token service: " << base << options.token_path << '\n';
  if (!options.static_dirs.empty()) out << "page: " << base << "/\n";
  out.flush();
  server.run();
  pool.join();
  return 0;
}

}  // namespace ossd::cli
