#pragma once
// `ossd migrate`: moves a stopped deployment to other backends, then checks
// the copy (service/migration.hpp does both).
//
//   ossd migrate --data-dir ./data [--meta sqlite] [--blob fs] [--master-key-file F]
//                --to-data-dir ./data-pg --to-meta postgres://... [--to-blob fs] [--verify-only]
//
// The source is what `ossd` with the same --data-dir/--meta/--blob/
// --master-key-file would serve. The target is what `ossd --data-dir
// <to-data-dir> --meta <to-meta> --blob <to-blob>` will serve: its metadata
// and identity stores and its blob store. Both must be stopped. The target's stores must be
// empty; the root account file and (unless --master-key-file names one
// elsewhere, which the target then uses too) the master key are copied into
// <to-data-dir>, since bucket owners and sealed secrets depend on them.
//
// Exit code 0 when the copy verified clean, 1 otherwise. Connection strings
// are printed only through redact_conninfo().
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "blob/blob_store.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "server/config.hpp"

namespace ossd::server {

// Opens one side's blob store from that side's --blob spec (tests may
// substitute their own stores).
using OpenBlobStore = std::function<Result<std::unique_ptr<blob::BlobStore>>(
    const std::string& spec, const std::filesystem::path& data_dir, Random& random)>;

// The store a --blob spec names (server/blob_backend.hpp).
Result<std::unique_ptr<blob::BlobStore>> open_blob_store_by_spec(const std::string& spec,
                                                                 const std::filesystem::path& data_dir, Random& random);

// Runs the migration `config` describes (config.migrate set), printing
// progress and the report to `out` and the reason of a failure to stderr;
// returns the process exit code.
int run_migrate(const ServerConfig& config, const OpenBlobStore& open_blobs, Random& random, std::FILE* out);

}  // namespace ossd::server
