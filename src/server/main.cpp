// ossd: the composition root. Reads the configuration, opens the stores,
// collects orphans left by a crash, and serves until SIGTERM/SIGINT.
#include <pthread.h>
#include <signal.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <malloc.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include "api/metrics.hpp"
#include "api/oss_handler.hpp"
#include "api/request_ids.hpp"
#include "core/clock.hpp"
#include "crypto/secure_random.hpp"
#include "http/bounded_work_pool.hpp"
#include "http/server.hpp"
#include "http/work_pool.hpp"
#include "image/derived_cache.hpp"
#include "image/processor.hpp"
#include "meta/leader_election.hpp"
#include "server/backends.hpp"
#include "server/blob_backend.hpp"
#include "server/config.hpp"
#include "server/data_dir.hpp"
#include "server/identity_setup.hpp"
#include "server/migrate_command.hpp"
#include "server/offset_clock.hpp"
#include "server/orphan_scan_job.hpp"
#include "server/root_key.hpp"
#include "service/orphan_collector.hpp"

namespace {

// The PostgreSQL advisory lock whose holder runs orphan collection ("ossd" 1).
constexpr int64_t kOrphanCollectionLockKey = 0x6f7373640001;

using namespace ossd;

std::string endpoint_of(const server::ServerConfig& config, uint16_t port, bool tls) {
  auto [host, unused] = server::split_address(config.address).value();
  (void)unused;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(port);
}

// Blocks SIGINT/SIGTERM in every thread, then waits for them on one thread so
// shutdown is a normal call rather than work inside a signal handler.
class ShutdownSignals {
 public:
  ShutdownSignals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGUSR1);  // our own wake-up when the server stops by itself
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  }

  void on_signal(std::function<void()> stop) {
    waiter_ = std::thread([this, stop = std::move(stop)] {
      int signal = 0;
      sigwait(&set_, &signal);
      if (signal != SIGUSR1) {
        spdlog::info("signal {} received: finishing requests in flight", signal);
        stop();
      }
    });
  }

  // Ends the waiting thread. Once this returns no stop() call is running, so
  // what stop() refers to may be destroyed.
  void stop_waiting() {
    if (waiter_.joinable()) {
      pthread_kill(waiter_.native_handle(), SIGUSR1);
      waiter_.join();
    }
  }

  ~ShutdownSignals() { stop_waiting(); }

 private:
  sigset_t set_{};
  std::thread waiter_;
};

int run(const server::ServerConfig& config) {
  ShutdownSignals signals;
  crypto::SecureRandom random;
  SystemClock system_clock;
  server::OffsetClock clock(system_clock, std::chrono::seconds(config.test_clock_offset));
  if (config.test_clock_offset != 0) {
    spdlog::warn(
        "TEST SETTING IN USE: the server clock is shifted by {} seconds (--test-clock-offset). "
        "Signatures, tokens and expiry are judged against the shifted time. Never use this in production.",
        config.test_clock_offset);
  }
  if (config.migrate) return server::run_migrate(config, server::open_blob_store_by_spec, random, stdout);
  // Before anything opens a file there: an unusable data dir ends the process
  // with one line naming the path and the reason.
  if (auto usable = server::check_data_dir(config.data_dir); !usable) {
    spdlog::critical("{}", usable.error().message);
    return 1;
  }
  // validate() in parse_config already accepted the spec.
  auto meta_spec = server::parse_metadata_spec(config.meta);
  if (!meta_spec) {
    spdlog::critical("{}", meta_spec.error().message);
    return 1;
  }
  const server::IdentitySettings identity_settings{config.data_dir, config.master_key_file, meta_spec.value()};
  if (config.rotate_sts_key) {
    auto key_id = server::rotate_sts_key(identity_settings, random, clock);
    if (!key_id) {
      spdlog::critical("cannot rotate the STS key: {}", key_id.error().message);
      return 1;
    }
    std::printf("new STS token key %s is current; tokens sealed with older keys stay valid\n", key_id->c_str());
    return 0;
  }

  auto root = server::load_or_create_root_account(config.data_dir, server::root_account_environment(), random);
  if (!root) {
    spdlog::critical("cannot load the root account: {}", root.error().message);
    return 1;
  }
  auto meta_store = server::open_metadata_store(meta_spec.value(), config.data_dir, config.meta_connections);
  if (!meta_store) {
    spdlog::critical("{}", meta_store.error().message);  // already names the store, redacted
    return 1;
  }
  spdlog::info("metadata store: {}", server::describe_metadata_store(meta_spec.value(), config.data_dir));
  auto blob_spec = server::parse_blob_spec(config.blob);  // validate() already accepted it
  if (!blob_spec) {
    spdlog::critical("{}", blob_spec.error().message);
    return 1;
  }
  auto blob_store = server::open_blob_store(blob_spec.value(), config.data_dir, random);
  if (!blob_store) {
    spdlog::critical("cannot open the blob store ({}): {}",
                     server::describe_blob_store(blob_spec.value(), config.data_dir), blob_store.error().message);
    return 1;
  }
  spdlog::info("blob store: {}", server::describe_blob_store(blob_spec.value(), config.data_dir));
  // Start-up collection is only safe when this process is the metadata's only
  // writer: on a shared store another gateway's PUT in flight has a committed
  // blob its metadata does not name yet, which would look like an orphan and
  // be deleted under it. There the elected leader scans now and then instead,
  // sparing blobs unreferenced for less than the grace.
  //
  // Freed blobs are left to those scans, rather than removed at once, when a
  // GET may still be streaming them: from another gateway, or from RADOS,
  // where a removed blob cannot be read further (a file stays readable
  // through its open descriptor).
  const bool shared = server::is_shared(meta_spec->backend);
  const bool defer_freed_blobs = shared || blob_spec->backend == server::BlobBackend::Rados;
  std::unique_ptr<meta::LeaderElection> leader_election;
  std::optional<server::OrphanScanJob> orphan_scans;
  if (defer_freed_blobs) {
    leader_election =
        shared ? meta::pg_leader_election(meta_spec->conninfo, kOrphanCollectionLockKey) : meta::sole_leader();
    orphan_scans.emplace(*leader_election, *meta_store.value(), *blob_store.value(), clock,
                         std::chrono::seconds(config.orphan_scan_interval), std::chrono::seconds(config.orphan_grace));
  }
  if (shared) {
    spdlog::info("start-up orphan collection skipped: the metadata store is shared with other gateways");
  } else {
    auto orphans = service::collect_orphans(*meta_store.value(), *blob_store.value());
    if (!orphans) {
      spdlog::critical("orphan collection failed: {}", orphans.error().message);
      return 1;
    }
    spdlog::info("start-up check: {} temporary files and {} orphan blobs removed ({} blobs checked)",
                 orphans->temporaries_removed, orphans->orphans_removed, orphans->blobs_checked);
  }

  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  // Writes wait on fsync, so they get many threads; reads are short and CPU
  // bound, so a thread per core keeps hand-offs (and wake-ups) few.
  http::WorkPool pool(config.work_threads ? config.work_threads : std::max(8u, 4 * cores));
  http::WorkPool read_pool(std::max(2u, cores));
  auto identity = server::open_identity(identity_settings, root.value(), random, clock);
  if (!identity) {
    spdlog::critical("cannot open the identity store: {}", identity.error().message);
    return 1;
  }
  spdlog::info("identity store: {}", server::describe_identity_store(identity_settings));
  const auth::CredentialLookup& credentials = *identity.value()->credentials;

  api::ApiConfig api_config;
  api_config.addressing.domain = config.domain;
  api_config.addressing.region = config.region;
  api_config.addressing.cnames = config.cnames;
  api_config.auth.region = config.region;
  api_config.defer_freed_blob_removal = defer_freed_blobs;

  api::Metrics metrics;
  uint32_t id_prefix = 0;
  random.fill({reinterpret_cast<unsigned char*>(&id_prefix), sizeof id_prefix});
  api::RequestIds request_ids(id_prefix, static_cast<uint32_t>(to_unix_seconds(clock.now())));
  // A bucket changed through another gateway must be seen by the next
  // request here (a deleted bucket, a new ACL), so with a shared metadata
  // store every request reads the bucket afresh.
  api::BucketCache bucket_cache(shared ? std::chrono::milliseconds(0) : std::chrono::milliseconds(5000));
  // Image work gets its own bounded pool at a lower priority, so thumbnails
  // never hold up plain GETs and a burst of them is refused, not queued.
  image::ImageProcessor images(config.image_limits);
  http::BoundedWorkPool image_pool(config.image_threads ? config.image_threads : cores, config.image_queue,
                                   /*nice_increment=*/5);
  image::DerivedCache derived_images(config.image_cache_bytes);
  // Idle transfer buffers for 16 large PUTs streaming at once, and no more
  // (16 MiB held at most once the load has passed).
  BufferPool transfer_buffers(api_config.transfer_chunk, 16);
  api::Services services{*meta_store.value(),
                         *blob_store.value(),
                         pool,
                         read_pool,
                         clock,
                         random,
                         credentials,
                         api_config,
                         metrics,
                         bucket_cache,
                         root->account_id,
                         images,
                         image_pool,
                         derived_images,
                         transfer_buffers};
  identity.value()->wire(services);

  std::shared_ptr<spdlog::logger> access_log;
  if (config.access_log) {
    access_log = spdlog::stdout_logger_mt("access");
    access_log->set_pattern("%v");
  }
  api::OssHandler handler(services, request_ids, access_log);

  auto options = server::server_options(config);
  if (!options) {
    spdlog::critical("bad listening options: {}", options.error().message);
    return 1;
  }
  options->render_error = [&handler](ErrorCode code, const std::string& message) {
    return handler.render_transport_error(code, message);
  };
  http::Server server(std::move(options.value()), handler);
  if (auto listening = server.listen(); !listening) {
    spdlog::critical("cannot listen on {}: {}", config.address, listening.error().message);
    return 1;
  }
  // The STS/RAM APIs on a listener of their own too (same handler, so the
  // same pipeline and access log), e.g. for an sts.<domain> address.
  std::unique_ptr<http::Server> sts_server;
  if (!config.sts_address.empty()) {
    server::ServerConfig sts_config = config;
    sts_config.address = config.sts_address;
    sts_config.io_threads = 1;
    auto sts_options = server::server_options(sts_config);
    if (!sts_options) {
      spdlog::critical("bad STS listening options: {}", sts_options.error().message);
      return 1;
    }
    sts_options->render_error = [&handler](ErrorCode code, const std::string& message) {
      return handler.render_transport_error(code, message);
    };
    sts_server = std::make_unique<http::Server>(std::move(sts_options.value()), handler);
    if (auto listening = sts_server->listen(); !listening) {
      spdlog::critical("cannot listen on {}: {}", config.sts_address, listening.error().message);
      return 1;
    }
  }
  metrics.set_connection_source([&server] {
    auto stats = server.stats();
    return api::ConnectionGauges{stats.open_connections, stats.accepted_total};
  });
  signals.on_signal([&server, &sts_server] {
    server.request_stop();
    if (sts_server) sts_server->request_stop();
  });

  const bool tls = !config.tls_cert.empty();
  std::printf("ossd listening on %s\n", endpoint_of(config, server.bound_port(), tls).c_str());
  std::printf("region %s, virtual-hosted domain %s, data in %s\n", config.region.c_str(), config.domain.c_str(),
              config.data_dir.c_str());
  std::printf("root AccessKeyId: %s (account %s)\n", root->access_key_id.c_str(), root->account_id.c_str());
  if (root->generated_now) {
    std::printf("root AccessKeySecret: %s (shown once; also kept in %s)\n", root->access_key_secret.c_str(),
                (config.data_dir / "root-account.json").c_str());
  }
  if (sts_server) {
    server::ServerConfig sts_config = config;
    sts_config.address = config.sts_address;
    std::printf("STS and RAM APIs also on %s\n", endpoint_of(sts_config, sts_server->bound_port(), tls).c_str());
  }
  std::fflush(stdout);

  std::thread sts_thread;
  if (sts_server) sts_thread = std::thread([&sts_server] { sts_server->run(); });
  server.run();
  // The signal thread's stop() may still be reading sts_server (and server)
  // after run() returns; it must be over before they are destroyed.
  signals.stop_waiting();
  if (sts_server) {
    sts_server->request_stop();
    sts_thread.join();
  }
  image_pool.join();
  pool.join();
  read_pool.join();
  spdlog::info("ossd stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // glibc hands the top of each heap back to the kernel as soon as it is free,
  // so every large response (a 1000-key listing renders ~330 KB of XML) paid
  // for its pages again in page faults: 8.0 ms of CPU per 1000-key
  // ListObjects. Keeping 4 MiB of slack per arena makes it 1.7 ms.
  mallopt(M_TOP_PAD, 4 << 20);
  // A client that hangs up in the middle of a response must cost only its
  // connection: asio's sends pass MSG_NOSIGNAL, but sendfile(2) cannot, and a
  // SIGPIPE from it would end the process (seen under wrk at 64 connections).
  ::signal(SIGPIPE, SIG_IGN);
  // An exception that escaped (a filesystem or logger error at start-up) would end in
  // std::terminate and SIGABRT; it is reported and exits 1 like every other start-up failure.
  try {
    spdlog::set_default_logger(spdlog::stderr_logger_mt("ossd"));
    auto config = ossd::server::parse_config(argc, argv);
    if (!config) {
      const int code = ossd::server::config_exit_code(config.error());
      std::fprintf(code == 0 ? stdout : stderr, "%s\n", config.error().message.c_str());
      return code;
    }
    spdlog::set_level(spdlog::level::from_str(config->log_level));
    if (auto images = ossd::image::initialize_image_library(argv[0]); !images) {
      spdlog::critical("cannot start the image library: {}", images.error().message);
      return 1;
    }
    return run(config.value());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ossd: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "ossd: unknown exception\n");
  }
  return 1;
}
