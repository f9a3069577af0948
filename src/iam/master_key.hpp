#pragma once
// The master key file: 64 hex digits (32 bytes) that seal every stored
// secret. Default <data-dir>/master.key, created on first start (mode 0600);
// an operator may point --master-key-file / OSSD_MASTER_KEY_FILE elsewhere
// (several gateways sharing one identity store must share the key).
#include <filesystem>
#include <string>

#include "core/random.hpp"
#include "core/result.hpp"

namespace ossd::iam {

inline constexpr const char* kMasterKeyFile = "master.key";

// Reads the key (32 raw bytes). When the file is missing and `create` is
// true, writes a new random key (O_EXCL, 0600, fsynced, directory fsynced);
// when it is missing and `create` is false, an error. Refuses files that
// group or others may access, and anything that is not 64 hex digits
// (surrounding whitespace allowed).
Result<std::string> load_or_create_master_key(const std::filesystem::path& path, bool create, Random& random);

}  // namespace ossd::iam
