#pragma once
// The production CredentialLookup: the root account's key (configuration),
// RAM users' long-term keys (identity store, secrets sealed under the master
// key) and STS temporary keys (sealed tokens opened with the key ring).
//
// Lookups are cached, because authentication runs on I/O threads and a store
// read there should be the exception. The cache is dropped
//   - at once by invalidate(), which the admin API calls after every write,
//     so a disabled or deleted key stops working with the next request;
//   - when the store's generation has moved, checked at most once per poll
//     interval, for writes made by other processes sharing the store.
// Unknown ids are cached too (bounded), so random ids cannot keep the store busy.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "auth/credential.hpp"
#include "core/clock.hpp"
#include "iam/generation_watch.hpp"
#include "iam/secret_box.hpp"
#include "iam/token_keys.hpp"
#include "meta/identity_store.hpp"

namespace ossd::iam {

struct CredentialStoreOptions {
  std::chrono::milliseconds poll_interval{1000};  // how stale a change made elsewhere may be seen
  size_t max_cached = 100'000;                    // entries per cache; the cache is emptied when full
  // Cached keys that also keep their keyed MACs (auth::SigningKeys, a few KB
  // each); past this, further keys verify by keying HMAC per request.
  size_t max_keyed = 10'000;
};

class CredentialStore final : public auth::CredentialLookup {
 public:
  // `root`: the account's own key (kind Account). `clock` paces the polls.
  CredentialStore(auth::Credential root, meta::IdentityStore& store, const SecretBox& box, TokenKeys& keys,
                  const Clock& clock, CredentialStoreOptions options = {});
  ~CredentialStore() override;

  // Active keys only: an Inactive, deleted or unknown key is nullopt.
  std::optional<auth::Credential> find(std::string_view access_key_id) const override;

  // InvalidSecurityToken: no token, not opened by the ring, sealed for another
  // key or account, or its role was deleted (or replaced by a new role with
  // the same name); SecurityTokenExpired: past its expiration at `now`.
  Result<auth::Credential> find_temporary(std::string_view access_key_id, std::string_view security_token,
                                          SystemTime now) const override;

  // Forget everything cached, now.
  void invalidate();

  const std::string& account_id() const { return root_.account_id; }

 private:
  struct Cache;

  void poll_generation() const;
  std::optional<auth::Credential> load_key(std::string_view access_key_id, bool& cacheable) const;
  // The role's current id, "" when it no longer exists; nullopt when the store failed.
  std::optional<std::string> role_id_of(const std::string& role_name) const;

  auth::Credential root_;
  meta::IdentityStore& store_;
  const SecretBox& box_;
  TokenKeys& keys_;
  const Clock& clock_;
  CredentialStoreOptions options_;
  std::unique_ptr<Cache> cache_;
  mutable GenerationWatch<SystemTime> generation_;
};

}  // namespace ossd::iam
