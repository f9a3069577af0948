#include "server/identity_setup.hpp"

#include "iam/master_key.hpp"
#include "meta/pg_account_claim.hpp"
#include "meta/pg_identity_store.hpp"
#include "meta/pg_nonce_ledger.hpp"
#include "meta/sqlite_identity_store.hpp"

namespace ossd::server {
namespace {

struct KeyAndStore {
  std::unique_ptr<meta::IdentityStore> store;
  std::unique_ptr<iam::SecretBox> box;
};

Result<std::unique_ptr<meta::IdentityStore>> open_store(const IdentitySettings& settings) {
  const bool on_postgres = settings.metadata.backend == MetadataBackend::Postgres;
  auto store = on_postgres ? meta::open_pg_identity_store(settings.metadata.conninfo)
                           : meta::open_sqlite_identity_store(settings.data_dir / kIdentityDbFile);
  if (store) return store;
  // libpq's messages may quote a piece of the connection string.
  return Error(store.error().code, "identity store " + describe_identity_store(settings) + ": " +
                                       scrub_secrets(store.error().message, settings.metadata.conninfo));
}

Result<KeyAndStore> open_store_and_box(const IdentitySettings& settings, Random& random) {
  const bool default_key = settings.master_key_file.empty();
  const std::filesystem::path key_path =
      default_key ? settings.data_dir / iam::kMasterKeyFile : settings.master_key_file;
  auto key = iam::load_or_create_master_key(key_path, /*create=*/default_key, random);
  if (!key) return Error(key.error().code, "master key: " + key.error().message);
  auto box = iam::SecretBox::create(std::move(key.value()));
  if (!box) return box.error();
  auto store = open_store(settings);
  if (!store) return store.error();
  return KeyAndStore{std::move(store.value()), std::make_unique<iam::SecretBox>(std::move(box.value()))};
}

// Gateways sharing a PostgreSQL database must share the nonces they have
// seen too, or a request accepted by one could be replayed on another.
Result<std::unique_ptr<meta::NonceLedger>> open_nonce_ledger(const IdentitySettings& settings, Random& random) {
  if (settings.metadata.backend != MetadataBackend::Postgres) {
    return std::unique_ptr<meta::NonceLedger>(std::make_unique<iam::NonceCache>(random));
  }
  auto ledger = meta::open_pg_nonce_ledger(settings.metadata.conninfo);
  if (ledger) return ledger;
  return Error(ledger.error().code, "nonce ledger " + describe_identity_store(settings) + ": " +
                                        scrub_secrets(ledger.error().message, settings.metadata.conninfo));
}

// Gateways sharing a database must share its account: one loaded with
// another root account would own buckets and sign tokens in a foreign
// account's database. The first gateway records its account; a later one
// with a different account refuses to start.
Status check_shared_account(const IdentitySettings& settings, const RootAccount& root) {
  if (settings.metadata.backend != MetadataBackend::Postgres) return ok_status();
  auto recorded = meta::claim_pg_account(settings.metadata.conninfo, root.account_id);
  if (!recorded) {
    return Error(recorded.error().code, "account check " + describe_identity_store(settings) + ": " +
                                            scrub_secrets(recorded.error().message, settings.metadata.conninfo));
  }
  if (*recorded == root.account_id) return ok_status();
  return Error(ErrorCode::InvalidArgument,
               "the database belongs to account " + *recorded + ", but this gateway's root account is " +
                   root.account_id +
                   ": give every gateway the same root account (OSSD_ROOT_ACCOUNT_ID and its keys, or the same "
                   "root-account.json)");
}

}  // namespace

Result<std::unique_ptr<meta::IdentityStore>> open_identity_store(const IdentitySettings& settings) {
  return open_store(settings);
}

std::string describe_identity_store(const IdentitySettings& settings) {
  if (settings.metadata.backend == MetadataBackend::Postgres) {
    return "postgresql " + redact_conninfo(settings.metadata.conninfo);
  }
  return "sqlite " + (settings.data_dir / kIdentityDbFile).string();
}

void IdentityComponents::wire(api::Services& services) const {
  services.authorizer = authorizer.get();
  services.identity = identity.get();
  services.sts = sts.get();
  services.nonces = nonces.get();
}

Result<std::unique_ptr<IdentityComponents>> open_identity(const IdentitySettings& settings, const RootAccount& root,
                                                          Random& random, const Clock& clock) {
  auto opened = open_store_and_box(settings, random);
  if (!opened) return opened.error();
  if (auto same = check_shared_account(settings, root); !same) return same.error();
  auto parts = std::make_unique<IdentityComponents>();
  parts->store = std::move(opened->store);
  parts->box = std::move(opened->box);
  parts->keys = std::make_unique<iam::TokenKeys>(*parts->store, *parts->box);
  if (auto loaded = parts->keys->load(random, clock.now()); !loaded) {
    return Error(loaded.error().code, "STS token keys: " + loaded.error().message);
  }
  auth::Credential root_credential{root.access_key_id, root.access_key_secret, root.account_id, "root"};
  parts->credentials = std::make_unique<iam::CredentialStore>(std::move(root_credential), *parts->store, *parts->box,
                                                              *parts->keys, clock);
  parts->authorizer = std::make_unique<iam::Authorizer>(*parts->store, root.account_id);
  iam::CredentialStore* credentials = parts->credentials.get();
  iam::Authorizer* authorizer = parts->authorizer.get();
  parts->sts = std::make_unique<iam::StsService>(*parts->store, *parts->keys, random, root.account_id, authorizer);
  iam::StsService* sts = parts->sts.get();
  parts->identity = std::make_unique<iam::IdentityService>(*parts->store, *parts->box, random, root.account_id,
                                                           authorizer, [credentials, authorizer, sts] {
                                                             credentials->invalidate();
                                                             authorizer->invalidate();
                                                             sts->invalidate();
                                                           });
  auto nonces = open_nonce_ledger(settings, random);
  if (!nonces) return nonces.error();
  parts->nonces = std::move(nonces.value());
  return parts;
}

Result<std::string> rotate_sts_key(const IdentitySettings& settings, Random& random, const Clock& clock) {
  auto opened = open_store_and_box(settings, random);
  if (!opened) return opened.error();
  iam::TokenKeys keys(*opened->store, *opened->box);
  if (auto loaded = keys.load(random, clock.now()); !loaded) return loaded.error();
  return keys.rotate(random, clock.now());
}

}  // namespace ossd::server
