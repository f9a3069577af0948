#pragma once
// Shared by the iam tests: a temporary directory, a clock the test moves, a
// counting Random, and a real SQLite identity store with the services on it.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "auth/identity.hpp"
#include "core/clock.hpp"
#include "core/random.hpp"
#include "core/time_format.hpp"
#include "crypto/secure_random.hpp"
#include "iam/authorizer.hpp"
#include "iam/credential_store.hpp"
#include "iam/identity_service.hpp"
#include "iam/rpc_call.hpp"
#include "iam/secret_box.hpp"
#include "iam/sts_service.hpp"
#include "iam/token_keys.hpp"
#include "meta/sqlite_identity_store.hpp"

namespace ossd::iam::test {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::path(::testing::TempDir()) / "ossd-iam-XXXXXX").string();
    char* made = ::mkdtemp(pattern.data());
    if (made == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(SystemTime now) : now_(now) {}
  SystemTime now() const override { return now_; }
  void advance(std::chrono::milliseconds by) { now_ += by; }
  void set(SystemTime now) { now_ = now; }

 private:
  SystemTime now_;
};

inline SystemTime at(const char* iso) { return parse_iso8601(iso).value(); }

inline constexpr const char* kAccount = "1234567890123456";
inline constexpr const char* kRootKeyId = "LTAI5tTestRootKeyId00";
inline constexpr const char* kRootSecret = "TestRootSecret0123456789abcdefghij";

inline auth::Identity root_identity() {
  auth::Identity who;
  who.method = auth::AuthMethod::V1Header;
  who.access_key_id = kRootKeyId;
  who.account_id = kAccount;
  who.principal = "root";
  who.kind = auth::PrincipalKind::Account;
  return who;
}

inline auth::Identity identity_of(const auth::Credential& credential) {
  auth::Identity who;
  who.method = auth::AuthMethod::V1Header;
  who.access_key_id = credential.access_key_id;
  who.account_id = credential.account_id;
  who.principal = credential.principal;
  who.kind = credential.kind;
  who.principal_id = credential.principal_id;
  who.session_name = credential.session_name;
  who.session_policy = credential.session_policy;
  return who;
}

// The whole iam stack on a fresh SQLite identity store, as the server wires it.
struct IamFixture : ::testing::Test {
  TempDir dir;
  ManualClock clock{at("2024-05-20T08:30:00Z")};
  crypto::SecureRandom random;
  std::unique_ptr<meta::IdentityStore> store;
  std::unique_ptr<SecretBox> box;
  std::unique_ptr<TokenKeys> keys;
  std::unique_ptr<CredentialStore> credentials;
  std::unique_ptr<Authorizer> authorizer;
  std::unique_ptr<IdentityService> ram;
  std::unique_ptr<StsService> sts;

  void SetUp() override {
    auto opened = meta::open_sqlite_identity_store(dir.path() / "identity.db");
    ASSERT_TRUE(opened) << opened.error().message;
    store = std::move(opened.value());
    box = std::make_unique<SecretBox>(SecretBox::create(std::string(32, 'k')).value());
    keys = std::make_unique<TokenKeys>(*store, *box);
    ASSERT_TRUE(keys->load(random, clock.now()));
    credentials = std::make_unique<CredentialStore>(auth::Credential{kRootKeyId, kRootSecret, kAccount, "root"}, *store,
                                                    *box, *keys, clock);
    authorizer = std::make_unique<Authorizer>(*store, kAccount);
    sts = std::make_unique<StsService>(*store, *keys, random, kAccount, authorizer.get());
    ram = std::make_unique<IdentityService>(*store, *box, random, kAccount, authorizer.get(), [this] {
      credentials->invalidate();
      authorizer->invalidate();
      sts->invalidate();
    });
  }

  RpcCall call(std::string action, RpcParams params, const auth::Identity& who) const {
    RpcCall c;
    c.action = std::move(action);
    c.params = std::move(params);
    c.caller = who;
    c.now = clock.now();
    c.source_ip = "127.0.0.1";
    return c;
  }
  RpcCall root_call(std::string action, RpcParams params = {}) const {
    return call(std::move(action), std::move(params), root_identity());
  }

  // Runs a RAM action as root and fails the test on error.
  nlohmann::ordered_json ram_ok(std::string action, RpcParams params = {}) {
    auto result = ram->call(root_call(action, std::move(params)));
    EXPECT_TRUE(result) << action << ": " << (result ? "" : result.error().message);
    return result ? result.value() : nlohmann::ordered_json();
  }

  std::string trust_account_root() const {
    return std::string(R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",)") +
           R"("Principal":{"RAM":["acs:ram::)" + kAccount + R"(:root"]}}]})";
  }
  std::string role_arn(const std::string& name) const { return std::string("acs:ram::") + kAccount + ":role/" + name; }
};

}  // namespace ossd::iam::test
