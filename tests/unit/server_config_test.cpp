#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include "server/config.hpp"

namespace ossd::server {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kVariables[] = {
    "OSSD_CONFIG",           "OSSD_ADDRESS",         "OSSD_DATA_DIR",          "OSSD_REGION",
    "OSSD_DOMAIN",           "OSSD_TLS_CERT",        "OSSD_TLS_KEY",           "OSSD_CNAME",
    "OSSD_IO_THREADS",       "OSSD_WORK_THREADS",    "OSSD_LOG_LEVEL",         "OSSD_ACCESS_LOG",
    "OSSD_MAX_HEADER_BYTES", "OSSD_HEADER_TIMEOUT",  "OSSD_BODY_IDLE_TIMEOUT", "OSSD_KEEPALIVE_TIMEOUT",
    "OSSD_SHUTDOWN_GRACE",   "OSSD_MAX_CONNECTIONS", "OSSD_TRUSTED_PROXIES",   "OSSD_META_CONNECTIONS",
};

// CLI11 reads the process environment, so each test starts from a clean one
// and leaves it clean.
class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v : kVariables) ::unsetenv(v);
    dir_ = fs::path(::testing::TempDir()) / ("ossd-config-" + std::to_string(::getpid()) + "-" +
                                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    for (const char* v : kVariables) ::unsetenv(v);
    fs::remove_all(dir_);
  }

  Result<ServerConfig> parse(std::initializer_list<std::string> args) {
    std::vector<std::string> storage{"ossd"};
    storage.insert(storage.end(), args.begin(), args.end());
    std::vector<const char*> argv;
    for (auto& s : storage) argv.push_back(s.c_str());
    return parse_config(static_cast<int>(argv.size()), argv.data());
  }

  std::string write_file(const std::string& name, const std::string& text) {
    auto p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }

  fs::path dir_;
};

TEST_F(ConfigTest, DefaultsWithoutArguments) {
  auto c = parse({});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->address, "127.0.0.1:9000");
  EXPECT_EQ(c->data_dir, fs::path("./data"));
  EXPECT_EQ(c->region, "oss-cn-hangzhou");
  EXPECT_EQ(c->domain, "localhost");
  EXPECT_TRUE(c->tls_cert.empty());
  EXPECT_TRUE(c->cnames.empty());
  EXPECT_EQ(c->io_threads, 0u);
  EXPECT_EQ(c->log_level, "info");
  EXPECT_TRUE(c->access_log);
  EXPECT_EQ(c->limits.max_header_bytes, 64u * 1024);
  EXPECT_EQ(c->limits.header_timeout, 30s);
  EXPECT_EQ(c->limits.max_connections, 20000u);
}

TEST_F(ConfigTest, EveryFlag) {
  auto cert = write_file("c.pem", "x");
  auto key = write_file("k.pem", "x");
  auto c = parse({"--address",
                  "[::1]:8080",
                  "--data-dir",
                  "/var/lib/ossd",
                  "--region",
                  "oss-cn-beijing",
                  "--domain",
                  "oss.example.com",
                  "--tls-cert",
                  cert,
                  "--tls-key",
                  key,
                  "--cname",
                  "img.example.com=photos",
                  "--cname",
                  "cdn.example.com=assets",
                  "--io-threads",
                  "3",
                  "--work-threads",
                  "16",
                  "--log-level",
                  "debug",
                  "--no-access-log",
                  "--max-header-bytes",
                  "32768",
                  "--header-timeout",
                  "5",
                  "--body-idle-timeout",
                  "7",
                  "--keepalive-timeout",
                  "9",
                  "--shutdown-grace",
                  "11",
                  "--max-connections",
                  "100"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->address, "[::1]:8080");
  EXPECT_EQ(c->data_dir, fs::path("/var/lib/ossd"));
  EXPECT_EQ(c->region, "oss-cn-beijing");
  EXPECT_EQ(c->domain, "oss.example.com");
  EXPECT_EQ(c->tls_cert, cert);
  EXPECT_EQ(c->tls_key, key);
  ASSERT_EQ(c->cnames.size(), 2u);
  EXPECT_EQ(c->cnames[0], (std::pair<std::string, std::string>{"img.example.com", "photos"}));
  EXPECT_EQ(c->cnames[1], (std::pair<std::string, std::string>{"cdn.example.com", "assets"}));
  EXPECT_EQ(c->io_threads, 3u);
  EXPECT_EQ(c->work_threads, 16u);
  EXPECT_EQ(c->log_level, "debug");
  EXPECT_FALSE(c->access_log);
  EXPECT_EQ(c->limits.max_header_bytes, 32768u);
  EXPECT_EQ(c->limits.header_timeout, 5s);
  EXPECT_EQ(c->limits.body_idle_timeout, 7s);
  EXPECT_EQ(c->limits.keepalive_idle_timeout, 9s);
  EXPECT_EQ(c->limits.shutdown_grace, 11s);
  EXPECT_EQ(c->limits.max_connections, 100u);
}

TEST_F(ConfigTest, EnvironmentVariables) {
  ::setenv("OSSD_ADDRESS", "0.0.0.0:9100", 1);
  ::setenv("OSSD_DATA_DIR", "/srv/ossd", 1);
  ::setenv("OSSD_REGION", "oss-cn-shanghai", 1);
  ::setenv("OSSD_DOMAIN", "s.example", 1);
  ::setenv("OSSD_CNAME", "a.example=bucket-a,b.example=bucket-b", 1);
  ::setenv("OSSD_IO_THREADS", "2", 1);
  ::setenv("OSSD_WORK_THREADS", "4", 1);
  ::setenv("OSSD_LOG_LEVEL", "warn", 1);
  ::setenv("OSSD_ACCESS_LOG", "false", 1);
  ::setenv("OSSD_HEADER_TIMEOUT", "12", 1);
  auto c = parse({});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->address, "0.0.0.0:9100");
  EXPECT_EQ(c->data_dir, fs::path("/srv/ossd"));
  EXPECT_EQ(c->region, "oss-cn-shanghai");
  EXPECT_EQ(c->domain, "s.example");
  ASSERT_EQ(c->cnames.size(), 2u);
  EXPECT_EQ(c->cnames[1].first, "b.example");
  EXPECT_EQ(c->cnames[1].second, "bucket-b");
  EXPECT_EQ(c->io_threads, 2u);
  EXPECT_EQ(c->work_threads, 4u);
  EXPECT_EQ(c->log_level, "warn");
  EXPECT_FALSE(c->access_log);
  EXPECT_EQ(c->limits.header_timeout, 12s);
}

TEST_F(ConfigTest, FlagBeatsEnvironment) {
  ::setenv("OSSD_REGION", "oss-cn-shanghai", 1);
  ::setenv("OSSD_ACCESS_LOG", "false", 1);
  auto c = parse({"--region", "oss-cn-shenzhen", "--access-log"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->region, "oss-cn-shenzhen");
  EXPECT_TRUE(c->access_log);
}

TEST_F(ConfigTest, ConfigFileInTomlForm) {
  auto file = write_file("ossd.toml",
                         "# ossd settings\n"
                         "address = \"localhost:9200\"\n"
                         "data-dir = \"/data/ossd\"\n"
                         "region = \"oss-cn-qingdao\"\n"
                         "cname = [\"x.example=bx\", \"y.example=by\"]\n"
                         "io-threads = 6\n"
                         "access-log = false\n"
                         "max-connections = 500\n");
  auto c = parse({"--config", file});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->address, "localhost:9200");
  EXPECT_EQ(c->data_dir, fs::path("/data/ossd"));
  EXPECT_EQ(c->region, "oss-cn-qingdao");
  ASSERT_EQ(c->cnames.size(), 2u);
  EXPECT_EQ(c->cnames[0].second, "bx");
  EXPECT_EQ(c->io_threads, 6u);
  EXPECT_FALSE(c->access_log);
  EXPECT_EQ(c->limits.max_connections, 500u);
}

TEST_F(ConfigTest, ConfigFileInIniForm) {
  auto file = write_file("ossd.ini", "; ini comment\ndomain=oss.local\nlog-level=error\nno-access-log=true\n");
  auto c = parse({"--config", file});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->domain, "oss.local");
  EXPECT_EQ(c->log_level, "error");
  EXPECT_FALSE(c->access_log);
}

TEST_F(ConfigTest, PrecedenceIsFlagThenFileThenEnvironment) {
  auto file = write_file("ossd.toml", "region = \"from-file\"\ndomain = \"file.example\"\n");
  ::setenv("OSSD_REGION", "from-env", 1);
  ::setenv("OSSD_DOMAIN", "env.example", 1);
  ::setenv("OSSD_DATA_DIR", "/env/dir", 1);
  auto c = parse({"--config", file, "--domain", "flag.example"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->domain, "flag.example");
  EXPECT_EQ(c->region, "from-file");
  EXPECT_EQ(c->data_dir, fs::path("/env/dir"));
}

TEST_F(ConfigTest, ConfigFileFromEnvironment) {
  auto file = write_file("ossd.toml", "region = \"oss-cn-env-file\"\n");
  ::setenv("OSSD_CONFIG", file.c_str(), 1);
  auto c = parse({});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->region, "oss-cn-env-file");
}

TEST_F(ConfigTest, MissingConfigFileIsAnError) {
  auto c = parse({"--config", (dir_ / "nope.toml").string()});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(config_exit_code(c.error()), 0);
  ::setenv("OSSD_CONFIG", (dir_ / "nope.toml").c_str(), 1);
  EXPECT_FALSE(parse({}).ok());
}

TEST_F(ConfigTest, UnknownConfigKeyIsAnError) {
  auto file = write_file("ossd.toml", "regoin = \"typo\"\n");
  auto c = parse({"--config", file});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("regoin"), std::string::npos) << c.error().message;
}

TEST_F(ConfigTest, HelpExitsWithZero) {
  auto c = parse({"--help"});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(config_exit_code(c.error()), 0);
  EXPECT_NE(c.error().message.find("--address"), std::string::npos);
  EXPECT_NE(c.error().message.find("OSSD_ADDRESS"), std::string::npos);
  EXPECT_NE(c.error().message.find("--no-access-log"), std::string::npos);
}

TEST_F(ConfigTest, BadInputsAreErrorsWithNonZeroExitCodes) {
  const std::vector<std::vector<std::string>> cases = {
      {"--bogus"},
      {"--address", "example.com:9000"},
      {"--address", "127.0.0.1"},
      {"--address", "127.0.0.1:70000"},
      {"--address", "127.0.0.1:"},
      {"--address", "::1:9000"},
      {"--address", "[::1]9000"},
      {"--address", "[nothex]:9000"},
      {"--address", "300.1.1.1:80"},
      {"--tls-cert", "/c.pem"},
      {"--tls-key", "/k.pem"},
      {"--cname", "no-equals-sign"},
      {"--cname", "=bucket"},
      {"--cname", "host="},
      {"--io-threads", "many"},
      {"--io-threads", "-1"},
      {"--log-level", "loud"},
      {"--header-timeout", "0"},
      {"--max-connections", "0"},
      {"--trusted-proxy", "proxy.internal"},
      {"--trusted-proxy", "10.0.0.0/40"},
      {"--meta-connections", "0"},
      {"--region", ""},
      {"positional"},
  };
  for (const auto& args : cases) {
    std::vector<const char*> argv{"ossd"};
    for (auto& a : args) argv.push_back(a.c_str());
    auto c = parse_config(static_cast<int>(argv.size()), argv.data());
    std::string joined;
    for (auto& a : args) joined += a + " ";
    ASSERT_FALSE(c.ok()) << joined;
    EXPECT_NE(config_exit_code(c.error()), 0) << joined;
    EXPECT_FALSE(c.error().message.empty()) << joined;
  }
}

TEST_F(ConfigTest, TrustedProxiesAndMetaConnections) {
  auto defaults = parse({});
  ASSERT_TRUE(defaults.ok()) << defaults.error().message;
  EXPECT_TRUE(defaults->trusted_proxies.empty());
  EXPECT_EQ(defaults->meta_connections, 8u);
  auto options = server_options(defaults.value());
  ASSERT_TRUE(options.ok());
  EXPECT_TRUE(options->trusted_proxies.empty());

  ::setenv("OSSD_TRUSTED_PROXIES", "10.0.0.0/8,::1", 1);
  ::setenv("OSSD_META_CONNECTIONS", "24", 1);
  auto from_env = parse({});
  ASSERT_TRUE(from_env.ok()) << from_env.error().message;
  EXPECT_EQ(from_env->trusted_proxies, (std::vector<std::string>{"10.0.0.0/8", "::1"}));
  EXPECT_EQ(from_env->meta_connections, 24u);
  auto trusted = server_options(from_env.value());
  ASSERT_TRUE(trusted.ok());
  EXPECT_TRUE(trusted->trusted_proxies.contains("10.20.30.40"));
  EXPECT_TRUE(trusted->trusted_proxies.contains("::1"));
  EXPECT_FALSE(trusted->trusted_proxies.contains("192.168.0.1"));

  auto flags = parse({"--trusted-proxy", "192.168.0.0/16", "--trusted-proxy", "127.0.0.1"});
  ASSERT_TRUE(flags.ok()) << flags.error().message;
  EXPECT_EQ(flags->trusted_proxies, (std::vector<std::string>{"192.168.0.0/16", "127.0.0.1"}));
}

TEST_F(ConfigTest, BadEnvironmentValueIsAnError) {
  ::setenv("OSSD_ADDRESS", "nowhere", 1);
  EXPECT_FALSE(parse({}).ok());
  ::setenv("OSSD_ADDRESS", "127.0.0.1:1", 1);
  ::setenv("OSSD_IO_THREADS", "x", 1);
  EXPECT_FALSE(parse({}).ok());
}

TEST(SplitAddress, AcceptedForms) {
  struct Case {
    std::string in, host;
    uint16_t port;
  };
  for (const Case& c : {Case{"127.0.0.1:9000", "127.0.0.1", 9000}, Case{"0.0.0.0:0", "0.0.0.0", 0},
                        Case{"localhost:80", "localhost", 80}, Case{"[::1]:9000", "::1", 9000},
                        Case{"[::]:65535", "::", 65535}, Case{"[fe80::1:2]:1", "fe80::1:2", 1}}) {
    auto r = split_address(c.in);
    ASSERT_TRUE(r.ok()) << c.in << ": " << r.error().message;
    EXPECT_EQ(r->host, c.host) << c.in;
    EXPECT_EQ(r->port, c.port) << c.in;
  }
}

TEST(SplitAddress, RejectedForms) {
  for (const char* in :
       {"", ":9000", "127.0.0.1", "127.0.0.1:x", "127.0.0.1:+1", "127.0.0.1:65536", "1.2.3:9000", "host.example:9000",
        "[::1]", "[::1]:", "::1", "[127.0.0.1]:80", "localhost:-1", " 127.0.0.1:9000"}) {
    EXPECT_FALSE(split_address(in).ok()) << "'" << in << "'";
  }
}

TEST(ServerOptionsFromConfig, CarriesListenerSettings) {
  ServerConfig c;
  c.address = "localhost:0";
  c.io_threads = 5;
  c.tls_cert = "/c";
  c.tls_key = "/k";
  c.limits.max_connections = 7;
  auto o = server_options(c);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->host, "127.0.0.1");  // never whichever family the resolver lists first
  EXPECT_EQ(o->port, 0);
  EXPECT_EQ(o->io_threads, 5u);
  EXPECT_EQ(o->tls_cert_file, "/c");
  EXPECT_EQ(o->tls_key_file, "/k");
  EXPECT_EQ(o->limits.max_connections, 7u);

  c.address = "[::1]:9000";
  EXPECT_EQ(server_options(c)->host, "::1");
}

}  // namespace
}  // namespace ossd::server
