#pragma once
// The identity side of the composition root (issue #4): the identity store
// (<data-dir>/identity.db, or the iam_ tables of the PostgreSQL metadata
// database, so every gateway on it shares one account's identities and STS
// key ring, issue #7), the master key and the secret box, the STS key
// ring, the production CredentialLookup, the Authorizer, the RAM and STS
// services and the SignatureNonce ledger (in memory on SQLite; in the shared
// database on PostgreSQL, so a nonce spent on one gateway is refused on all),
// built once at start-up and wired into the API's Services.
#include <filesystem>
#include <memory>
#include <string>

#include "api/context.hpp"
#include "core/clock.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "iam/authorizer.hpp"
#include "iam/credential_store.hpp"
#include "iam/identity_service.hpp"
#include "iam/nonce_cache.hpp"
#include "iam/secret_box.hpp"
#include "iam/sts_service.hpp"
#include "iam/token_keys.hpp"
#include "meta/identity_store.hpp"
#include "meta/nonce_ledger.hpp"
#include "server/backends.hpp"
#include "server/root_key.hpp"

namespace ossd::server {

inline constexpr const char* kIdentityDbFile = "identity.db";

struct IdentitySettings {
  std::filesystem::path data_dir;
  std::filesystem::path master_key_file;  // empty = <data_dir>/master.key, created when missing
  // Where the metadata lives. On PostgreSQL the identity store goes into the
  // same database, since gateways sharing the metadata must also share who
  // may sign and which STS keys seal tokens; on SQLite it is identity.db.
  MetadataSpec metadata;
};

// Opens just the identity store `settings` names (schema migrated), e.g. for
// `ossd migrate`. Error messages name the store only redacted.
Result<std::unique_ptr<meta::IdentityStore>> open_identity_store(const IdentitySettings& settings);

// What the log calls the identity store: "sqlite <path>" or "postgresql
// <redacted conninfo>".
std::string describe_identity_store(const IdentitySettings& settings);

// Members are declared in dependency order, so they are destroyed in reverse.
struct IdentityComponents {
  std::unique_ptr<meta::IdentityStore> store;
  std::unique_ptr<iam::SecretBox> box;
  std::unique_ptr<iam::TokenKeys> keys;
  std::unique_ptr<iam::CredentialStore> credentials;
  std::unique_ptr<iam::Authorizer> authorizer;
  std::unique_ptr<iam::IdentityService> identity;
  std::unique_ptr<iam::StsService> sts;
  std::unique_ptr<meta::NonceLedger> nonces;

  // Sets Services::authorizer, identity, sts and nonces.
  void wire(api::Services& services) const;
};

Result<std::unique_ptr<IdentityComponents>> open_identity(const IdentitySettings& settings, const RootAccount& root,
                                                          Random& random, const Clock& clock);

// `ossd rotate-sts-key`: adds a new current STS token key to the identity
// store `settings` names (identity.db in `settings.data_dir`, or the shared
// PostgreSQL database); running gateways pick it up within a second.
Result<std::string> rotate_sts_key(const IdentitySettings& settings, Random& random, const Clock& clock);

}  // namespace ossd::server
