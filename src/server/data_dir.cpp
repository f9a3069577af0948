#include "server/data_dir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace ossd::server {

namespace fs = std::filesystem;

namespace {

constexpr const char* kProbeName = ".ossd-write-probe";

Error refused(const fs::path& dir, const std::string& reason) {
  return Error(ErrorCode::InvalidArgument, "data dir " + dir.string() + " " + reason);
}

Status probe_writable(const fs::path& dir) {
  const fs::path probe = dir / kProbeName;
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOSPC || err == EDQUOT) return ok_status();
    return refused(dir, std::string("is not writable: ") + std::strerror(err));
  }
  ::close(fd);
  if (::unlink(probe.c_str()) != 0) {
    return refused(dir, std::string("is not writable: cannot remove ") + probe.string() + ": " + std::strerror(errno));
  }
  return ok_status();
}

}  // namespace

Status check_data_dir(const fs::path& dir) {
  struct stat info {};
  if (::stat(dir.c_str(), &info) == 0) {
    if (!S_ISDIR(info.st_mode)) return refused(dir, "is not a directory");
    return probe_writable(dir);
  }
  const int stat_error = errno;
  if (stat_error != ENOENT) return refused(dir, std::string("cannot be used: ") + std::strerror(stat_error));

  const fs::path named = dir.has_filename() ? dir : dir.parent_path();  // "a/b/" names b
  const fs::path parent = named.has_parent_path() ? named.parent_path() : fs::path(".");
  struct stat parent_info {};
  if (::stat(parent.c_str(), &parent_info) != 0) {
    const int err = errno;
    if (err == ENOENT) {
      return refused(dir, "does not exist and neither does its parent " + parent.string() +
                              " (is a volume not mounted?); create the parent first");
    }
    return refused(dir, "does not exist and its parent " + parent.string() + " cannot be read: " + std::strerror(err));
  }
  if (!S_ISDIR(parent_info.st_mode)) {
    return refused(dir, "does not exist and its parent " + parent.string() + " is not a directory");
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return refused(dir, std::string("does not exist and cannot be created: ") + std::strerror(errno));
  }
  return probe_writable(dir);
}

}  // namespace ossd::server
