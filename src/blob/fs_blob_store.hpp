#pragma once
// BlobStore on a local filesystem. Layout under root:
//   blobs/<first two hex chars of id>/<id>   committed blobs (256 fan-out directories)
//   tmp/<id>.tmp                              writers that have not committed yet
// A commit is durable before it returns: the file's data is synced, the file is
// renamed into place and the fan-out directory is synced (DESIGN rule 5).
#include <filesystem>
#include <functional>
#include <memory>
#include <string_view>

#include "blob/blob_store.hpp"
#include "core/random.hpp"
#include "core/result.hpp"

namespace ossd::blob {

// Every syscall failure is Error{InternalError, "<operation> <path>: <reason>"};
// a full disk (ENOSPC, EDQUOT) always ends with kNoSpaceLeft (blob_store.hpp).

enum class SyncStep {
  FileData,   // about to sync the temporary file's data (before the rename)
  Directory,  // about to sync the fan-out directory (after the rename)
};

struct FsBlobStoreOptions {
  // Called just before each durability step with the path being synced. An
  // error fails the step as if the sync call had failed. Tests use it to check
  // the order of the steps and to inject sync failures; production leaves it empty.
  std::function<Status(SyncStep step, const std::filesystem::path& path)> before_sync;
};

// Creates the layout under root if missing (directories 0700). `random` names
// the blobs and must outlive the store; the store serialises its use.
Result<std::unique_ptr<BlobStore>> open_fs_blob_store(const std::filesystem::path& root, Random& random,
                                                      FsBlobStoreOptions options = {});

// True for exactly 32 lower-case hex characters: the only ids that ever become paths.
bool is_valid_blob_id(std::string_view id);

}  // namespace ossd::blob
