#pragma once
// Small files that must survive a crash whole and stay private to their
// owner: the master key and the root account file. Object bytes have their
// own writer in blob/.

#include <filesystem>
#include <string_view>

#include "core/result.hpp"

namespace ossd::fileio {

// fsync of a directory, so that a file created or renamed in it survives power loss.
Status sync_directory(const std::filesystem::path& dir);

// Creates `path` holding `content`, mode 0600 whatever the umask, fsynced
// together with its directory. O_EXCL: returns false, writing nothing, when the
// file already exists, so of two processes creating it at once exactly one wins.
Result<bool> create_private_file(const std::filesystem::path& path, std::string_view content);

// Replaces `path` with `content`, mode 0600: written to `path` + `temp_suffix`,
// fsynced, renamed over `path`, directory fsynced. After a crash the file is the
// old one or the new one, never torn.
Status replace_private_file(const std::filesystem::path& path, std::string_view content, std::string_view temp_suffix);

}  // namespace ossd::fileio
