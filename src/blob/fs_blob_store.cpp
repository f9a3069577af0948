#include "blob/fs_blob_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <mutex>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "fileio/durable_file.hpp"

namespace ossd::blob {

namespace fs = std::filesystem;

bool is_valid_blob_id(std::string_view id) {
  if (id.size() != 32) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

namespace {

constexpr mode_t kDirectoryMode = 0700;
constexpr mode_t kFileMode = 0600;
constexpr int kMaxIdAttempts = 8;

Error system_error(std::string_view operation, const fs::path& path, int err) {
  std::string message(operation);
  message += ' ';
  message += path.string();
  message += ": ";
  if (err == ENOSPC || err == EDQUOT) {
    message += kNoSpaceLeft;
  } else {
    message += std::generic_category().message(err);
  }
  return Error(ErrorCode::InternalError, std::move(message));
}

Error invalid_id(std::string_view id) {
  // The id is not echoed whole: it may be anything a corrupted record holds.
  return Error(ErrorCode::InvalidArgument,
               "invalid blob id (" + std::to_string(id.size()) + " bytes, expected 32 lower-case hex)");
}

Status make_directory(const fs::path& dir) {
  if (::mkdir(dir.c_str(), kDirectoryMode) == 0 || errno == EEXIST) return ok_status();
  return system_error("mkdir", dir, errno);
}

// Closes a descriptor exactly once; close() is not retried on EINTR because
// Linux releases the descriptor even then.
void close_fd(int& fd) {
  if (fd >= 0) {
    ::close(fd);
    fd = -1;
  }
}

struct Layout {
  fs::path root;
  fs::path blobs;
  fs::path tmp;

  fs::path fan_out_dir(std::string_view id) const { return blobs / std::string(id.substr(0, 2)); }
  fs::path blob_path(std::string_view id) const { return fan_out_dir(id) / std::string(id); }
  fs::path temp_path(std::string_view id) const { return tmp / (std::string(id) + ".tmp"); }
};

// Renames without replacing: a committed blob is never overwritten, even by
// an id collision. Falls back to rename() where the filesystem lacks
// RENAME_NOREPLACE.
int rename_no_replace(const fs::path& from, const fs::path& to) {
#ifdef RENAME_NOREPLACE
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return -1;
#endif
  return ::rename(from.c_str(), to.c_str());
}

// What writers share with their store; held by pointer so a writer may outlive the store.
struct StoreState {
  Layout layout;
  FsBlobStoreOptions options;
};

class FsBlobWriter final : public BlobWriter {
 public:
  FsBlobWriter(std::shared_ptr<const StoreState> state, std::string id, int fd)
      : state_(std::move(state)), id_(std::move(id)), temp_path_(state_->layout.temp_path(id_)), fd_(fd) {}

  ~FsBlobWriter() override {
    if (!committed_) {
      close_fd(fd_);
      ::unlink(temp_path_.c_str());
    }
  }

  Status write(std::span<const char> data) override {
    if (failed_) return Error(ErrorCode::InternalError, "write to a failed blob writer");
    if (committed_) return Error(ErrorCode::InternalError, "write after commit");
    const char* p = data.data();
    size_t left = data.size();
    while (left > 0) {
      ssize_t n = ::write(fd_, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        failed_ = true;
        return system_error("write", temp_path_, errno);
      }
      p += n;
      left -= static_cast<size_t>(n);
      written_ += static_cast<uint64_t>(n);
    }
    return ok_status();
  }

  Result<BlobId> commit() override {
    if (committed_) return Error(ErrorCode::InternalError, "blob committed twice");
    if (failed_) return Error(ErrorCode::InternalError, "commit of a failed blob writer");
    failed_ = true;  // cleared only when every step succeeds

    if (auto st = before(SyncStep::FileData, temp_path_); !st) return std::move(st).error();
    if (::fdatasync(fd_) != 0) return system_error("fdatasync", temp_path_, errno);
    int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0 && errno != EINTR) return system_error("close", temp_path_, errno);

    const fs::path final_path = state_->layout.blob_path(id_);
    if (rename_no_replace(temp_path_, final_path) != 0) return system_error("rename", final_path, errno);
    committed_ = true;  // the temporary is gone; the destructor must not unlink anything now

    const fs::path dir = state_->layout.fan_out_dir(id_);
    if (auto st = before(SyncStep::Directory, dir); !st) return rollback_rename(final_path, std::move(st).error());
    if (auto st = fileio::sync_directory(dir); !st) return rollback_rename(final_path, std::move(st).error());
    failed_ = false;
    return id_;
  }

  uint64_t bytes_written() const override { return written_; }

 private:
  Status before(SyncStep step, const fs::path& path) {
    if (!state_->options.before_sync) return ok_status();
    return state_->options.before_sync(step, path);
  }

  // A blob whose directory entry may not be durable must not be handed out:
  // the caller would record it in metadata and lose it on power failure.
  Error rollback_rename(const fs::path& final_path, Error error) {
    ::unlink(final_path.c_str());
    return error;
  }

  std::shared_ptr<const StoreState> state_;
  std::string id_;
  fs::path temp_path_;
  int fd_ = -1;
  uint64_t written_ = 0;
  bool committed_ = false;
  bool failed_ = false;
};

class FsBlobReader final : public BlobReader {
 public:
  FsBlobReader(fs::path path, int fd, uint64_t size) : path_(std::move(path)), fd_(fd), size_(size) {}
  ~FsBlobReader() override { close_fd(fd_); }

  uint64_t size() const override { return size_; }

  Result<size_t> read_at(uint64_t offset, std::span<char> out) override {
    size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return system_error("pread", path_, errno);
      }
      if (n == 0) break;
      done += static_cast<size_t>(n);
    }
    return done;
  }

  int native_handle() const override { return fd_; }

 private:
  fs::path path_;
  int fd_;
  uint64_t size_;
};

// Calls visit(name) for every entry of dir except "." and "..".
template <class Visit>
Status for_each_entry(const fs::path& dir, Visit&& visit) {
  DIR* handle = ::opendir(dir.c_str());
  if (handle == nullptr) return system_error("opendir", dir, errno);
  Status result = ok_status();
  while (true) {
    errno = 0;
    dirent* entry = ::readdir(handle);
    if (entry == nullptr) {
      if (errno != 0) result = system_error("readdir", dir, errno);
      break;
    }
    std::string_view name(entry->d_name);
    if (name == "." || name == "..") continue;
    if (auto st = visit(name); !st) {
      result = std::move(st);
      break;
    }
  }
  ::closedir(handle);
  return result;
}

class FsBlobStore final : public BlobStore {
 public:
  FsBlobStore(Layout layout, Random& random, FsBlobStoreOptions options)
      : state_(std::make_shared<StoreState>(StoreState{std::move(layout), std::move(options)})),
        layout_(state_->layout),
        random_(random) {}

  Result<std::unique_ptr<BlobWriter>> create() override {
    for (int attempt = 0; attempt < kMaxIdAttempts; ++attempt) {
      std::string id = new_id();
      fs::path temp = layout_.temp_path(id);
      int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, kFileMode);
      if (fd >= 0) return std::unique_ptr<BlobWriter>(new FsBlobWriter(state_, std::move(id), fd));
      if (errno != EEXIST) return system_error("create", temp, errno);
    }
    return Error(ErrorCode::InternalError, "create blob: no unused id after several attempts");
  }

  Result<std::unique_ptr<BlobReader>> open(const BlobId& id) override {
    if (!is_valid_blob_id(id)) return invalid_id(id);
    fs::path path = layout_.blob_path(id);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return system_error("open", path, errno);
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
      int err = errno;
      ::close(fd);
      return system_error("fstat", path, err);
    }
    return std::unique_ptr<BlobReader>(new FsBlobReader(std::move(path), fd, static_cast<uint64_t>(info.st_size)));
  }

  Status remove(const BlobId& id) override {
    if (!is_valid_blob_id(id)) return invalid_id(id);
    fs::path path = layout_.blob_path(id);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return system_error("unlink", path, errno);
    return ok_status();
  }

  Result<std::vector<BlobId>> list() override {
    std::vector<BlobId> ids;
    for (int fan = 0; fan < 256; ++fan) {
      const std::string fan_name = fan_out_name(fan);
      Status st = for_each_entry(layout_.blobs / fan_name, [&](std::string_view name) -> Status {
        // Anything else in the tree (editor leftovers, lost+found) is not ours to report.
        if (is_valid_blob_id(name) && name.substr(0, 2) == fan_name) ids.emplace_back(name);
        return ok_status();
      });
      if (!st) return std::move(st).error();
    }
    return ids;
  }

  Result<size_t> remove_temporaries() override {
    size_t removed = 0;
    Status st = for_each_entry(layout_.tmp, [&](std::string_view name) -> Status {
      fs::path path = layout_.tmp / std::string(name);
      if (::unlink(path.c_str()) == 0) {
        ++removed;
      } else if (errno != ENOENT) {
        return system_error("unlink", path, errno);
      }
      return ok_status();
    });
    if (!st) return std::move(st).error();
    return removed;
  }

  // Where blobs go must still be a directory we may write to: an unmounted
  // or read-only volume fails here (access() reports EROFS even for root).
  Status ping() override {
    for (const fs::path& dir : {layout_.blobs, layout_.tmp}) {
      struct stat info {};
      if (::stat(dir.c_str(), &info) != 0) return system_error("stat", dir, errno);
      if (!S_ISDIR(info.st_mode)) return system_error("stat", dir, ENOTDIR);
      if (::access(dir.c_str(), W_OK | X_OK) != 0) return system_error("access", dir, errno);
    }
    return ok_status();
  }

  static std::string fan_out_name(int fan) {
    static constexpr char digits[] = "0123456789abcdef";
    return {digits[fan >> 4], digits[fan & 15]};
  }

 private:
  std::string new_id() {
    std::lock_guard lock(random_mutex_);
    return random_.hex(16);
  }

  std::shared_ptr<const StoreState> state_;
  const Layout& layout_;
  Random& random_;
  std::mutex random_mutex_;
};

}  // namespace

Result<std::unique_ptr<BlobStore>> open_fs_blob_store(const fs::path& root, Random& random,
                                                      FsBlobStoreOptions options) {
  Layout layout{root, root / "blobs", root / "tmp"};
  for (const fs::path& dir : {layout.root, layout.blobs, layout.tmp}) {
    if (auto st = make_directory(dir); !st) return std::move(st).error();
  }
  for (int fan = 0; fan < 256; ++fan) {
    if (auto st = make_directory(layout.blobs / FsBlobStore::fan_out_name(fan)); !st) return std::move(st).error();
  }
  // The directories themselves must survive a power loss before any blob is
  // committed into them.
  std::vector<fs::path> created_parents{layout.blobs, layout.root};
  if (layout.root.has_parent_path()) created_parents.push_back(layout.root.parent_path());
  for (const fs::path& dir : created_parents) {
    if (auto st = fileio::sync_directory(dir); !st) return std::move(st).error();
  }
  return std::unique_ptr<BlobStore>(new FsBlobStore(std::move(layout), random, std::move(options)));
}

}  // namespace ossd::blob
