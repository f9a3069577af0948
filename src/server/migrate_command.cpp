#include "server/migrate_command.hpp"

#include <fstream>
#include <sstream>

#include "fileio/durable_file.hpp"
#include "iam/master_key.hpp"
#include "server/backends.hpp"
#include "server/blob_backend.hpp"
#include "server/data_dir.hpp"
#include "server/identity_setup.hpp"
#include "server/root_key.hpp"
#include "service/migration.hpp"

namespace ossd::server {
namespace {

namespace fs = std::filesystem;

// Everything one side of the migration opened; members in dependency order.
struct OpenedSide {
  std::unique_ptr<meta::MetadataStore> metadata;
  std::unique_ptr<meta::IdentityStore> identity;
  std::unique_ptr<blob::BlobStore> blobs;

  service::Deployment deployment() { return {*metadata, *identity, *blobs}; }
};

std::string describe_side(const MetadataSpec& spec, const std::string& blob_spec, const fs::path& data_dir) {
  auto blob = parse_blob_spec(blob_spec);
  return describe_metadata_store(spec, data_dir) + ", blobs " +
         (blob ? describe_blob_store(*blob, data_dir) : std::string("(invalid spec)"));
}

Result<OpenedSide> open_side(const MetadataSpec& spec, const fs::path& data_dir, const std::string& blob_spec,
                             const OpenBlobStore& open_blobs, Random& random) {
  OpenedSide side;
  auto metadata = open_metadata_store(spec, data_dir);
  if (!metadata) return metadata.error();  // already names the store, redacted
  side.metadata = std::move(metadata).value();
  auto identity = open_identity_store(IdentitySettings{data_dir, {}, spec});
  if (!identity) return identity.error();
  side.identity = std::move(identity).value();
  auto blobs = open_blobs(blob_spec, data_dir, random);
  if (!blobs) return Error(blobs.error().code, "cannot open the blob store: " + blobs.error().message);
  side.blobs = std::move(blobs).value();
  return side;
}

Result<std::string> read_small_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::InternalError, "cannot read " + path.string());
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return Error(ErrorCode::InternalError, "cannot read " + path.string());
  return content.str();
}

// Puts `content` at `path` unless the same content is already there.
Status place_private_file(const fs::path& path, const std::string& content, const char* what) {
  auto created = fileio::create_private_file(path, content);
  if (!created)
    return Error(created.error().code,
                 "cannot write the " + std::string(what) + " " + path.string() + ": " + created.error().message);
  if (*created) return ok_status();
  auto existing = read_small_file(path);
  if (!existing) return existing.error();
  if (*existing != content) {
    return Error(ErrorCode::InvalidArgument, "the target data directory already has a different " + std::string(what) +
                                                 " (" + path.string() + "); migrate into a fresh directory");
  }
  return ok_status();
}

// The files of the data directory the target's records depend on: the root
// account (bucket owners are its account id) and the master key (access key
// secrets and STS keys are sealed under it, and are copied sealed).
Status carry_account_files(const ServerConfig& config, const fs::path& to_data_dir, Random& random) {
  const bool default_key = config.master_key_file.empty();
  const fs::path key_path = default_key ? config.data_dir / iam::kMasterKeyFile : fs::path(config.master_key_file);
  // Loaded, not just copied, so a damaged or world-readable key stops us here.
  if (auto key = iam::load_or_create_master_key(key_path, /*create=*/false, random); !key) {
    return Error(key.error().code, "master key: " + key.error().message);
  }
  if (default_key) {
    auto content = read_small_file(key_path);
    if (!content) return content.error();
    if (auto st = place_private_file(to_data_dir / iam::kMasterKeyFile, *content, "master key"); !st) return st;
  }
  const fs::path account_path = config.data_dir / kRootAccountFile;
  if (!fs::exists(account_path)) return ok_status();  // keys and account id come from the environment
  auto account = read_small_file(account_path);
  if (!account) return account.error();
  return place_private_file(to_data_dir / kRootAccountFile, *account, "root account file");
}

void print_report(std::FILE* out, const char* title, const service::DeploymentCounts& counts) {
  std::fprintf(out, "%s: %s\n", title, service::describe_counts(counts).c_str());
}

}  // namespace

Result<std::unique_ptr<blob::BlobStore>> open_blob_store_by_spec(const std::string& spec,
                                                                 const std::filesystem::path& data_dir,
                                                                 Random& random) {
  auto parsed = parse_blob_spec(spec);
  if (!parsed) return parsed.error();
  auto store = open_blob_store(*parsed, data_dir, random);
  if (!store) return Error(store.error().code, describe_blob_store(*parsed, data_dir) + ": " + store.error().message);
  return store;
}

int run_migrate(const ServerConfig& config, const OpenBlobStore& open_blobs, Random& random, std::FILE* out) {
  auto fail = [out](const std::string& message) {
    std::fflush(out);
    std::fprintf(stderr, "ossd migrate: %s\n", message.c_str());
    return 1;
  };
  // validate() in parse_config already accepted both specs.
  auto from_spec = parse_metadata_spec(config.meta);
  if (!from_spec) return fail(from_spec.error().message);
  auto to_spec = parse_metadata_spec(config.migrate_to_meta);
  if (!to_spec) return fail(to_spec.error().message);
  const fs::path& from_dir = config.data_dir;
  const fs::path& to_dir = config.migrate_to_data_dir;

  // A missing source would be created empty by the stores, and "migrated".
  if (!fs::is_directory(from_dir)) return fail("the source data directory " + from_dir.string() + " does not exist");
  if (from_spec->backend == MetadataBackend::Sqlite && !fs::exists(from_dir / "meta.db")) {
    return fail("the source data directory " + from_dir.string() + " holds no meta.db");
  }
  // The same metadata on both sides would "copy" into itself. (One data
  // directory with SQLite on one side and PostgreSQL on the other is fine,
  // given a --to-blob elsewhere: the target must hold no blob.)
  std::error_code ec;
  const bool same_dir = fs::exists(to_dir) && fs::equivalent(from_dir, to_dir, ec);
  const bool same_metadata =
      from_spec->backend == to_spec->backend &&
      (from_spec->backend == MetadataBackend::Sqlite ? same_dir : from_spec->conninfo == to_spec->conninfo);
  if (same_metadata) return fail("the source and the target are the same metadata store");
  if (auto usable = check_data_dir(to_dir); !usable) return fail(usable.error().message);

  std::fprintf(out, "source: %s\n", describe_side(*from_spec, config.blob, from_dir).c_str());
  std::fprintf(out, "target: %s\n", describe_side(*to_spec, config.migrate_to_blob, to_dir).c_str());
  std::fflush(out);
  auto source = open_side(*from_spec, from_dir, config.blob, open_blobs, random);
  if (!source) return fail("source: " + source.error().message);
  auto target = open_side(*to_spec, to_dir, config.migrate_to_blob, open_blobs, random);
  if (!target) return fail("target: " + target.error().message);
  service::Deployment from = source->deployment();
  service::Deployment to = target->deployment();

  if (!config.migrate_verify_only) {
    if (auto empty = service::check_target_empty(to); !empty) return fail(empty.error().message);
    if (auto carried = carry_account_files(config, to_dir, random); !carried) return fail(carried.error().message);
    auto copied = service::copy_deployment(from, to);
    if (!copied) {
      return fail("copy failed: " + scrub_secrets(copied.error().message, to_spec->conninfo) +
                  " (the target now holds a partial copy: empty it before trying again)");
    }
    print_report(out, "copied", *copied);
    std::fflush(out);
  }
  auto verified = service::verify_deployment(from, to);
  if (!verified) return fail("verify failed: " + scrub_secrets(verified.error().message, to_spec->conninfo));
  print_report(out, "verified source", verified->source);
  print_report(out, "verified target", verified->target);
  for (const auto& mismatch : verified->mismatches) std::fprintf(out, "MISMATCH %s\n", mismatch.c_str());
  if (!verified->ok()) {
    if (verified->mismatch_count > verified->mismatches.size()) {
      std::fprintf(out, "... and %llu more\n",
                   static_cast<unsigned long long>(verified->mismatch_count - verified->mismatches.size()));
    }
    return fail(std::to_string(verified->mismatch_count) + " mismatches between the source and the target");
  }
  std::fprintf(out, "migration verified: the target holds everything the source does\n");
  std::fflush(out);
  return 0;
}

}  // namespace ossd::server
