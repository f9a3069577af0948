#include "iam/credential_store.hpp"

#include <unordered_map>

#include "auth/session_token.hpp"
#include "auth/signing_keys.hpp"
#include "crypto/constant_time.hpp"

namespace ossd::iam {

struct CredentialStore::Cache {
  std::mutex mutex;
  uint64_t epoch = 0;  // bumped by every invalidation; loads begun earlier are not cached
  std::unordered_map<std::string, std::optional<auth::Credential>> keys;
  std::unordered_map<std::string, std::string> role_ids;  // role name -> id, "" = no such role
  size_t keyed = 0;                                       // entries of `keys` that carry SigningKeys

  void clear_keys() {
    keys.clear();
    keyed = 0;
  }

  void clear() {
    ++epoch;
    clear_keys();
    role_ids.clear();
  }
};

CredentialStore::CredentialStore(auth::Credential root, meta::IdentityStore& store, const SecretBox& box,
                                 TokenKeys& keys, const Clock& clock, CredentialStoreOptions options)
    : root_(std::move(root)),
      store_(store),
      box_(box),
      keys_(keys),
      clock_(clock),
      options_(options),
      cache_(std::make_unique<Cache>()),
      generation_(store, std::chrono::duration_cast<SystemTime::duration>(options.poll_interval)) {
  root_.kind = auth::PrincipalKind::Account;
  if (root_.principal.empty()) root_.principal = "root";
  if (!root_.signing_keys) root_.signing_keys = std::make_shared<const auth::SigningKeys>(root_.secret);
}

CredentialStore::~CredentialStore() = default;

void CredentialStore::invalidate() {
  std::lock_guard lock(cache_->mutex);
  cache_->clear();
}

void CredentialStore::poll_generation() const {
  auto moved = generation_.poll(clock_.now());
  // A failed read keeps the cache serving; the next read is due an interval later.
  if (!moved || !moved.value()) return;
  {
    std::lock_guard lock(cache_->mutex);
    cache_->clear();
  }
  // Another process may have rotated the STS key.
  (void)keys_.reload();
}

std::optional<auth::Credential> CredentialStore::load_key(std::string_view access_key_id, bool& cacheable) const {
  cacheable = false;
  auto key = store_.get_access_key(std::string(access_key_id));
  if (!key) {
    cacheable = key.error().code == ErrorCode::EntityNotExist;
    return std::nullopt;
  }
  if (key->status != "Active") {
    cacheable = true;
    return std::nullopt;
  }
  auto user = store_.get_user(key->user_name);
  if (!user) {
    cacheable = user.error().code == ErrorCode::EntityNotExist;
    return std::nullopt;
  }
  auto secret = box_.open(key->secret_sealed, access_key_secret_context(key->access_key_id));
  if (!secret) return std::nullopt;
  cacheable = true;
  auth::Credential credential;
  credential.access_key_id = key->access_key_id;
  credential.secret = std::move(secret.value());
  credential.account_id = root_.account_id;
  credential.principal = user->name;
  credential.kind = auth::PrincipalKind::RamUser;
  credential.principal_id = user->user_id;
  return credential;
}

std::optional<auth::Credential> CredentialStore::find(std::string_view access_key_id) const {
  if (access_key_id.empty() || access_key_id.starts_with(auth::kTemporaryKeyPrefix)) return std::nullopt;
  // Before the root's early return: the poll also reloads the STS key ring,
  // and a gateway that serves only the root (AssumeRole callers) must still
  // seal with a key rotated elsewhere.
  poll_generation();
  if (crypto::constant_time_equal(access_key_id, root_.access_key_id)) return root_;

  const std::string id(access_key_id);
  uint64_t epoch = 0;
  {
    std::lock_guard lock(cache_->mutex);
    if (auto it = cache_->keys.find(id); it != cache_->keys.end()) return it->second;
    epoch = cache_->epoch;
  }
  bool cacheable = false;
  auto credential = load_key(access_key_id, cacheable);
  if (cacheable) {
    std::lock_guard lock(cache_->mutex);
    // An invalidation while we read may have made what we read stale.
    if (cache_->epoch == epoch) {
      if (cache_->keys.size() >= options_.max_cached) cache_->clear_keys();
      // The keyed MACs live and die with the cached entry.
      if (credential && cache_->keyed < options_.max_keyed) {
        credential->signing_keys = std::make_shared<const auth::SigningKeys>(credential->secret);
        ++cache_->keyed;
      }
      cache_->keys.emplace(id, credential);
    }
  }
  return credential;
}

std::optional<std::string> CredentialStore::role_id_of(const std::string& role_name) const {
  uint64_t epoch = 0;
  {
    std::lock_guard lock(cache_->mutex);
    if (auto it = cache_->role_ids.find(role_name); it != cache_->role_ids.end()) return it->second;
    epoch = cache_->epoch;
  }
  auto role = store_.get_role(role_name);
  std::string role_id;
  if (role) {
    role_id = role->role_id;
  } else if (role.error().code != ErrorCode::EntityNotExist) {
    return std::nullopt;
  }
  std::lock_guard lock(cache_->mutex);
  if (cache_->epoch == epoch) {
    if (cache_->role_ids.size() >= options_.max_cached) cache_->role_ids.clear();
    cache_->role_ids.emplace(role_name, role_id);
  }
  return role_id;
}

Result<auth::Credential> CredentialStore::find_temporary(std::string_view access_key_id,
                                                         std::string_view security_token, SystemTime now) const {
  if (security_token.empty()) {
    return Error(ErrorCode::InvalidSecurityToken,
                 "The request with a temporary AccessKeyId carries no security token.");
  }
  poll_generation();
  auto ring = keys_.ring();
  if (!ring) return Error(ErrorCode::InvalidSecurityToken, "The security token you provided is invalid.");
  auto claims = auth::open_session_token(security_token, *ring);
  if (!claims) return std::move(claims).error();
  if (claims->account_id != root_.account_id) {
    return Error(ErrorCode::InvalidSecurityToken, "The security token you provided is invalid.");
  }
  if (auto session = auth::check_session(claims.value(), access_key_id, now); !session) {
    return std::move(session).error();
  }
  auto role_id = role_id_of(claims->role_name);
  if (!role_id) return Error(ErrorCode::InternalError, "cannot check the role of the security token");
  if (role_id->empty() || *role_id != claims->role_id) {
    return Error(ErrorCode::InvalidSecurityToken, "The role of the security token you provided no longer exists.");
  }
  auth::Credential credential;
  credential.access_key_id = claims->access_key_id;
  credential.secret = std::move(claims->access_key_secret);
  credential.account_id = claims->account_id;
  credential.principal = claims->role_name;
  credential.kind = auth::PrincipalKind::AssumedRole;
  credential.principal_id = claims->role_id;
  credential.session_name = claims->session_name;
  credential.session_policy = claims->session_policy;
  credential.expiration = claims->expiration;
  return credential;
}

}  // namespace ossd::iam
