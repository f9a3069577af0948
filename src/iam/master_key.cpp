#include "iam/master_key.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/strings.hpp"
#include "fileio/durable_file.hpp"

namespace ossd::iam {
namespace {

namespace fs = std::filesystem;

constexpr size_t kKeyBytes = 32;

Error io_error(const std::string& what, const fs::path& path, int err) {
  return Error(ErrorCode::InternalError, what + " " + path.string() + ": " + std::strerror(err));
}

Result<std::string> read_key(const fs::path& path, const struct stat& st) {
  if (!S_ISREG(st.st_mode)) return Error(ErrorCode::InvalidArgument, path.string() + " is not a regular file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Error(ErrorCode::InvalidArgument, path.string() + " has mode " + mode +
                                                 "; the master key must be accessible by its owner only (chmod 600)");
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open", path, errno);
  std::string text;
  char buffer[256];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return io_error("cannot read", path, err);
    }
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
    if (text.size() > 4096) break;  // a key file is 65 bytes; do not read a wrong file whole
  }
  ::close(fd);
  std::string_view digits = text;
  while (!digits.empty() && std::isspace(static_cast<unsigned char>(digits.back()))) digits.remove_suffix(1);
  while (!digits.empty() && std::isspace(static_cast<unsigned char>(digits.front()))) digits.remove_prefix(1);
  auto key = hex_decode(digits);
  if (!key || key->size() != kKeyBytes) {
    return Error(ErrorCode::InvalidArgument, path.string() + " must hold 64 hex digits (a 32-byte key)");
  }
  return std::move(*key);
}

// O_EXCL: when two processes start on one data directory at once, one key
// wins and the other process reads it.
Result<bool> write_new_key(const fs::path& path, Random& random) {
  return fileio::create_private_file(path, random.hex(kKeyBytes) + "\n");
}

}  // namespace

Result<std::string> load_or_create_master_key(const fs::path& path, bool create, Random& random) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) return read_key(path, st);
    if (errno != ENOENT) return io_error("cannot stat", path, errno);
    if (!create) return Error(ErrorCode::InvalidArgument, "the master key file " + path.string() + " does not exist");
    auto written = write_new_key(path, random);
    if (!written) return written.error();
    // Written now, or lost the race to another process: read what is there.
  }
  return Error(ErrorCode::InternalError, "cannot load the master key " + path.string());
}

}  // namespace ossd::iam
