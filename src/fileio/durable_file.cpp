#include "fileio/durable_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace ossd::fileio {
namespace {

namespace fs = std::filesystem;

constexpr mode_t kPrivateFileMode = 0600;

Error io_error(const char* what, const fs::path& path, int err) {
  return Error(ErrorCode::InternalError, std::string(what) + " " + path.string() + ": " + std::strerror(err));
}

fs::path directory_of(const fs::path& path) { return path.parent_path().empty() ? fs::path(".") : path.parent_path(); }

// Writes all of `content` to a file it creates with O_EXCL, then fsyncs and
// closes it. On failure the file is removed again.
Status write_new_file(const fs::path& path, std::string_view content, bool& existed) {
  existed = false;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, kPrivateFileMode);
  if (fd < 0) {
    if (errno == EEXIST) {
      existed = true;
      return ok_status();
    }
    return io_error("cannot create", path, errno);
  }
  auto fail = [&](const char* what) {
    int err = errno;
    ::close(fd);
    ::unlink(path.c_str());
    return io_error(what, path, err);
  };
  // open() applied the umask, which can only remove bits; fchmod states the mode exactly.
  if (::fchmod(fd, kPrivateFileMode) != 0) return fail("cannot chmod");
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("cannot write");
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("cannot fsync");
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(path.c_str());
    return io_error("cannot close", path, err);
  }
  return ok_status();
}

}  // namespace

Status sync_directory(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open directory", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return io_error("cannot fsync directory", dir, err);
  return ok_status();
}

Result<bool> create_private_file(const fs::path& path, std::string_view content) {
  bool existed = false;
  if (auto written = write_new_file(path, content, existed); !written) return written.error();
  if (existed) return false;
  if (auto synced = sync_directory(directory_of(path)); !synced) return synced.error();
  return true;
}

Status replace_private_file(const fs::path& path, std::string_view content, std::string_view temp_suffix) {
  fs::path temp = path;
  temp += std::string(temp_suffix);
  bool existed = false;
  if (auto written = write_new_file(temp, content, existed); !written) return written;
  if (existed) return io_error("cannot create", temp, EEXIST);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    return io_error("cannot rename to", path, err);
  }
  return sync_directory(directory_of(path));
}

}  // namespace ossd::fileio
