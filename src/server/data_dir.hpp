#pragma once
// The start-up check of --data-dir, before anything is opened in it, so that a
// data directory ossd cannot use ends the process with one clear line instead
// of a store's error from deep inside.
#include <filesystem>

#include "core/result.hpp"

namespace ossd::server {

// Creates `dir` (mode 0700) when it is missing but its parent exists. Refuses,
// naming the path and the reason:
//   - a missing parent: usually a volume that is not mounted, and starting on a
//     fresh directory there would hide every object and write new ones to the
//     wrong disk;
//   - a path that is not a directory;
//   - a directory that cannot be written (read-only mount, permissions). This is
//     found out by creating and removing a file, because root ignores permission
//     bits and a read-only mount refuses writes only when one is tried.
// A full volume (ENOSPC, EDQUOT) is not refused: the server starts, serves what
// it holds, and answers writes with its out-of-space error until space returns.
Status check_data_dir(const std::filesystem::path& dir);

}  // namespace ossd::server
