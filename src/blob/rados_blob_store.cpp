#include "blob/rados_blob_store.hpp"

// The C API: its C++ counterpart's headers (buffer.h) do not compile as
// C++20 with clang, which the sanitizer and tidy gates use.
#include <rados/librados.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <system_error>
#include <unordered_set>
#include <utility>
#include <vector>

#include "blob/fs_blob_store.hpp"  // is_valid_blob_id

namespace ossd::blob {

namespace {

constexpr uint64_t kMinChunkBytes = uint64_t{64} << 10;
constexpr uint64_t kMaxChunkBytes = uint64_t{64} << 20;
// open() reads this much of the head with its attributes, so a small blob is
// opened and read in one round trip.
constexpr size_t kHeadPrefetchBytes = size_t{256} << 10;

constexpr const char* kSizeAttr = "ossd.size";
constexpr const char* kChunksAttr = "ossd.chunks";
constexpr const char* kChunkBytesAttr = "ossd.chunk_bytes";

// librados answers -errno. Errors that mean "the cluster did not answer" are
// ServiceUnavailable, so clients see 503 and retry; a full cluster says so
// in the words callers look for.
Error rados_error(std::string_view operation, std::string_view object, int negative_errno) {
  const int err = -negative_errno;
  std::string message = "rados ";
  message += operation;
  if (!object.empty()) {
    message += ' ';
    message += object;
  }
  message += ": ";
  ErrorCode code = ErrorCode::InternalError;
  switch (err) {
    case ENOSPC:
    case EDQUOT: message += kNoSpaceLeft; break;
    case ETIMEDOUT:
    case ENOTCONN:
    case ESHUTDOWN:
    case ECONNREFUSED:
    case EHOSTUNREACH:
      code = ErrorCode::ServiceUnavailable;
      message += std::generic_category().message(err);
      break;
    default: message += std::generic_category().message(err);
  }
  Error error(code, std::move(message));
  return std::move(error).log_only();
}

Error invalid_id(std::string_view id) {
  return Error(ErrorCode::InvalidArgument,
               "invalid blob id (" + std::to_string(id.size()) + " bytes, expected 32 lower-case hex)");
}

std::string chunk_name(std::string_view id, uint64_t index) {
  std::string name(id);
  name += '.';
  name += std::to_string(index);
  return name;
}

// The head id of a chunk's name ("<id>.<n>"), or empty for any other name.
std::string_view chunk_owner(std::string_view name) {
  if (name.size() < 34 || name[32] != '.') return {};
  std::string_view id = name.substr(0, 32);
  std::string_view index = name.substr(33);
  if (!is_valid_blob_id(id)) return {};
  if (!std::all_of(index.begin(), index.end(), [](char c) { return c >= '0' && c <= '9'; })) return {};
  return id;
}

using Attributes = std::map<std::string, std::string, std::less<>>;

// Drains an xattr iterator librados handed out, and releases it.
Result<Attributes> take_attributes(rados_xattrs_iter_t iter, std::string_view object) {
  Attributes attrs;
  while (true) {
    const char* name = nullptr;
    const char* value = nullptr;
    size_t length = 0;
    if (int r = rados_getxattrs_next(iter, &name, &value, &length); r < 0) {
      rados_getxattrs_end(iter);
      return rados_error("read attributes", object, r);
    }
    if (name == nullptr) break;
    attrs.emplace(name, std::string(value, length));
  }
  rados_getxattrs_end(iter);
  return attrs;
}

std::optional<uint64_t> number_attr(const Attributes& attrs, std::string_view name) {
  auto it = attrs.find(name);
  if (it == attrs.end()) return std::nullopt;
  const std::string& text = it->second;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

struct WriteOpDeleter {
  void operator()(rados_write_op_t op) const { rados_release_write_op(op); }
};
using WriteOp = std::unique_ptr<std::remove_pointer_t<rados_write_op_t>, WriteOpDeleter>;
struct ReadOpDeleter {
  void operator()(rados_read_op_t op) const { rados_release_read_op(op); }
};
using ReadOp = std::unique_ptr<std::remove_pointer_t<rados_read_op_t>, ReadOpDeleter>;

// The cluster handle and the pool context, shared by the store and every
// reader and writer it made, so those may outlive the store.
struct Cluster {
  rados_t rados = nullptr;
  rados_ioctx_t io = nullptr;
  uint64_t chunk_bytes = 0;

  Cluster() = default;
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;
  ~Cluster() {
    if (io != nullptr) rados_ioctx_destroy(io);
    if (rados != nullptr) rados_shutdown(rados);
  }
};

// Writes `data` as a new object, with `attrs`; fails when the name is taken.
int create_object(const Cluster& cluster, const std::string& name, std::string_view data,
                  const std::vector<std::pair<const char*, std::string>>& attrs) {
  WriteOp op(rados_create_write_op());
  rados_write_op_create(op.get(), LIBRADOS_CREATE_EXCLUSIVE, nullptr);
  if (!data.empty()) rados_write_op_write_full(op.get(), data.data(), data.size());
  for (const auto& [attr, value] : attrs) rados_write_op_setxattr(op.get(), attr, value.data(), value.size());
  return rados_write_op_operate(op.get(), cluster.io, name.c_str(), nullptr, 0);
}

class RadosBlobWriter final : public BlobWriter {
 public:
  RadosBlobWriter(std::shared_ptr<Cluster> cluster, std::string id)
      : cluster_(std::move(cluster)), id_(std::move(id)) {}

  ~RadosBlobWriter() override {
    if (committed_) return;
    // Best effort: what is left is a headless chunk, which remove_temporaries()
    // deletes later.
    for (uint64_t i = 0; i < chunks_written_; ++i) rados_remove(cluster_->io, chunk_name(id_, i).c_str());
  }

  Status write(std::span<const char> data) override {
    if (failed_) return Error(ErrorCode::InternalError, "write to a failed blob writer");
    if (committed_) return Error(ErrorCode::InternalError, "write after commit");
    const uint64_t chunk_bytes = cluster_->chunk_bytes;
    while (!data.empty()) {
      const size_t room = static_cast<size_t>(chunk_bytes - pending_.size());
      const size_t take = std::min(room, data.size());
      pending_.append(data.data(), take);
      data = data.subspan(take);
      written_ += take;
      // A full chunk is written only once more bytes follow: a blob of
      // exactly one chunk stays inline in its head.
      if (pending_.size() == chunk_bytes && !data.empty()) {
        if (auto st = flush_chunk(); !st) return st;
      }
    }
    return ok_status();
  }

  Result<BlobId> commit() override {
    if (committed_) return Error(ErrorCode::InternalError, "blob committed twice");
    if (failed_) return Error(ErrorCode::InternalError, "commit of a failed blob writer");
    failed_ = true;  // cleared only when every step succeeds
    const bool inline_data = chunks_written_ == 0;
    if (!inline_data && !pending_.empty()) {
      if (auto st = flush_chunk(); !st) return std::move(st).error();
    }
    const std::vector<std::pair<const char*, std::string>> attrs{
        {kSizeAttr, std::to_string(written_)},
        {kChunksAttr, std::to_string(chunks_written_)},
        {kChunkBytesAttr, std::to_string(cluster_->chunk_bytes)}};
    if (int r = create_object(*cluster_, id_, inline_data ? std::string_view(pending_) : std::string_view(), attrs);
        r < 0) {
      return rados_error("commit", id_, r);
    }
    committed_ = true;
    failed_ = false;
    std::string().swap(pending_);
    return id_;
  }

  uint64_t bytes_written() const override { return written_; }

 private:
  Status flush_chunk() {
    const std::string name = chunk_name(id_, chunks_written_);
    // Counted before the call: a write that failed may still have landed,
    // and the destructor removes it.
    ++chunks_written_;
    if (int r = create_object(*cluster_, name, pending_, {}); r < 0) {
      failed_ = true;
      return rados_error("write", name, r);
    }
    pending_.clear();
    return ok_status();
  }

  std::shared_ptr<Cluster> cluster_;
  std::string id_;
  std::string pending_;
  uint64_t chunks_written_ = 0;
  uint64_t written_ = 0;
  bool committed_ = false;
  bool failed_ = false;
};

class RadosBlobReader final : public BlobReader {
 public:
  RadosBlobReader(std::shared_ptr<Cluster> cluster, std::string id, uint64_t size, uint64_t chunks,
                  uint64_t chunk_bytes, std::string head_prefix)
      : cluster_(std::move(cluster)),
        id_(std::move(id)),
        size_(size),
        chunks_(chunks),
        chunk_bytes_(chunk_bytes),
        head_prefix_(std::move(head_prefix)) {}

  uint64_t size() const override { return size_; }

  Result<size_t> read_at(uint64_t offset, std::span<char> out) override {
    size_t done = 0;
    while (done < out.size() && offset + done < size_) {
      const uint64_t at = offset + done;
      const size_t want = static_cast<size_t>(std::min<uint64_t>(out.size() - done, size_ - at));
      auto got = chunks_ == 0 ? read_inline(at, out.subspan(done, want)) : read_chunk(at, out.subspan(done, want));
      if (!got) return got;
      if (*got == 0) {
        return Error(ErrorCode::InternalError, "rados read " + id_ + ": the blob is shorter than its recorded size")
            .log_only();
      }
      done += *got;
    }
    return done;
  }

 private:
  Result<size_t> read_inline(uint64_t at, std::span<char> out) {
    if (at + out.size() <= head_prefix_.size()) {
      std::memcpy(out.data(), head_prefix_.data() + at, out.size());
      return out.size();
    }
    return read_object(id_, at, out);
  }

  Result<size_t> read_chunk(uint64_t at, std::span<char> out) {
    const uint64_t index = at / chunk_bytes_;
    const uint64_t within = at % chunk_bytes_;
    const size_t want = static_cast<size_t>(std::min<uint64_t>(out.size(), chunk_bytes_ - within));
    return read_object(chunk_name(id_, index), within, out.first(want));
  }

  Result<size_t> read_object(const std::string& name, uint64_t at, std::span<char> out) {
    int r = rados_read(cluster_->io, name.c_str(), out.data(), out.size(), at);
    if (r < 0) return rados_error("read", name, r);
    return static_cast<size_t>(r);
  }

  std::shared_ptr<Cluster> cluster_;
  std::string id_;
  uint64_t size_;
  uint64_t chunks_;
  uint64_t chunk_bytes_;
  std::string head_prefix_;
};

class RadosBlobStore final : public BlobStore {
 public:
  RadosBlobStore(std::shared_ptr<Cluster> cluster, Random& random) : cluster_(std::move(cluster)), random_(random) {}

  Result<std::unique_ptr<BlobWriter>> create() override {
    // The id is checked unused only at commit (the head's exclusive create)
    // and at each chunk's: 128 random bits make a clash a theoretical case.
    return std::unique_ptr<BlobWriter>(new RadosBlobWriter(cluster_, new_id()));
  }

  Result<std::unique_ptr<BlobReader>> open(const BlobId& id) override {
    if (!is_valid_blob_id(id)) return invalid_id(id);
    ReadOp op(rados_create_read_op());
    rados_xattrs_iter_t iter = nullptr;
    int attrs_result = 0;
    int read_result = 0;
    std::string prefix(kHeadPrefetchBytes, '\0');
    size_t prefix_length = 0;
    rados_read_op_getxattrs(op.get(), &iter, &attrs_result);
    rados_read_op_read(op.get(), 0, prefix.size(), prefix.data(), &prefix_length, &read_result);
    const int r = rados_read_op_operate(op.get(), cluster_->io, id.c_str(), 0);
    // The iterator is ours to release whenever librados filled it in.
    auto attrs = iter != nullptr ? take_attributes(iter, id) : Result<Attributes>(Attributes{});
    if (r < 0) return rados_error("open", id, r);
    if (attrs_result < 0) return rados_error("open", id, attrs_result);
    if (read_result < 0) return rados_error("open", id, read_result);
    if (!attrs) return std::move(attrs).error();
    auto size = number_attr(*attrs, kSizeAttr);
    auto chunks = number_attr(*attrs, kChunksAttr);
    auto chunk_bytes = number_attr(*attrs, kChunkBytesAttr);
    if (!size || !chunks || !chunk_bytes || *chunk_bytes == 0) {
      return Error(ErrorCode::InternalError, "rados open " + id + ": the head's attributes are missing or malformed")
          .log_only();
    }
    prefix.resize(std::min(prefix_length, prefix.size()));
    return std::unique_ptr<BlobReader>(
        new RadosBlobReader(cluster_, id, *size, *chunks, *chunk_bytes, std::move(prefix)));
  }

  Status remove(const BlobId& id) override {
    if (!is_valid_blob_id(id)) return invalid_id(id);
    rados_xattrs_iter_t iter = nullptr;
    int r = rados_getxattrs(cluster_->io, id.c_str(), &iter);
    if (r == -ENOENT) return ok_status();
    if (r < 0) return rados_error("remove", id, r);
    auto attrs = take_attributes(iter, id);
    if (!attrs) return std::move(attrs).error();
    const uint64_t chunks = number_attr(*attrs, kChunksAttr).value_or(0);
    // The head goes first: from then on the chunks are headless, and a crash
    // here leaves them to remove_temporaries(), never a head without its data.
    r = rados_remove(cluster_->io, id.c_str());
    if (r < 0 && r != -ENOENT) return rados_error("remove", id, r);
    for (uint64_t i = 0; i < chunks; ++i) {
      const std::string name = chunk_name(id, i);
      r = rados_remove(cluster_->io, name.c_str());
      if (r < 0 && r != -ENOENT) return rados_error("remove", name, r);
    }
    return ok_status();
  }

  Result<std::vector<BlobId>> list() override {
    std::vector<BlobId> ids;
    Status st = for_each_object([&](std::string_view name) {
      if (is_valid_blob_id(name)) ids.emplace_back(name);
    });
    if (!st) return std::move(st).error();
    return ids;
  }

  Result<size_t> remove_temporaries() override {
    std::unordered_set<std::string> heads;
    std::vector<std::string> chunks;
    Status st = for_each_object([&](std::string_view name) {
      if (is_valid_blob_id(name)) {
        heads.emplace(name);
      } else if (!chunk_owner(name).empty()) {
        chunks.emplace_back(name);
      }
    });
    if (!st) return std::move(st).error();
    size_t removed = 0;
    for (const std::string& name : chunks) {
      if (heads.count(std::string(chunk_owner(name))) != 0) continue;
      int r = rados_remove(cluster_->io, name.c_str());
      if (r < 0 && r != -ENOENT) return rados_error("remove", name, r);
      if (r == 0) ++removed;
    }
    return removed;
  }

  // A stat of an object that never exists: the OSD that would hold it answers
  // ENOENT when the pool is reachable.
  Status ping() override {
    uint64_t size = 0;
    time_t mtime = 0;
    int r = rados_stat(cluster_->io, "ossd.ping", &size, &mtime);
    if (r == 0 || r == -ENOENT) return ok_status();
    return rados_error("ping", "", r);
  }

 private:
  // Visits the name of every object in the store's pool and namespace.
  template <class Visit>
  Status for_each_object(Visit&& visit) {
    rados_list_ctx_t listing = nullptr;
    if (int r = rados_nobjects_list_open(cluster_->io, &listing); r < 0) return rados_error("list", "", r);
    int r = 0;
    while (true) {
      const char* entry = nullptr;
      r = rados_nobjects_list_next(listing, &entry, nullptr, nullptr);
      if (r < 0) break;
      visit(std::string_view(entry));
    }
    rados_nobjects_list_close(listing);
    if (r != -ENOENT) return rados_error("list", "", r);  // -ENOENT ends the listing
    return ok_status();
  }

  std::string new_id() {
    std::lock_guard lock(random_mutex_);
    return random_.hex(16);
  }

  std::shared_ptr<Cluster> cluster_;
  Random& random_;
  std::mutex random_mutex_;
};

Result<uint64_t> parse_size(std::string_view text) {
  uint64_t multiplier = 1;
  if (!text.empty() && (text.back() == 'K' || text.back() == 'k')) {
    multiplier = uint64_t{1} << 10;
    text.remove_suffix(1);
  } else if (!text.empty() && (text.back() == 'M' || text.back() == 'm')) {
    multiplier = uint64_t{1} << 20;
    text.remove_suffix(1);
  }
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return Error(ErrorCode::InvalidArgument);
  }
  return value * multiplier;
}

}  // namespace

Result<RadosBlobStoreOptions> parse_rados_options(std::string_view text) {
  RadosBlobStoreOptions options;
  auto bad = [](std::string_view pair, std::string_view why) {
    return Error(ErrorCode::InvalidArgument, "--blob rados: '" + std::string(pair) + "': " + std::string(why));
  };
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view pair = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    const size_t equals = pair.find('=');
    if (equals == std::string_view::npos || equals == 0) return bad(pair, "expected key=value");
    const std::string_view key = pair.substr(0, equals);
    const std::string_view value = pair.substr(equals + 1);
    if (key == "pool") {
      if (value.empty()) return bad(pair, "the pool name is empty");
      options.pool = value;
    } else if (key == "conf") {
      options.conf_file = value;
    } else if (key == "user") {
      if (value.empty()) return bad(pair, "the user is empty");
      options.user = value;
    } else if (key == "namespace") {
      options.rados_namespace = value;
    } else if (key == "chunk") {
      auto bytes = parse_size(value);
      if (!bytes || *bytes < kMinChunkBytes || *bytes > kMaxChunkBytes) {
        return bad(pair, "the chunk size must be 64K to 64M");
      }
      options.chunk_bytes = *bytes;
    } else if (key == "timeout") {
      uint64_t seconds = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
      if (value.empty() || ec != std::errc() || end != value.data() + value.size() || seconds < 1 || seconds > 300) {
        return bad(pair, "the timeout must be 1 to 300 seconds");
      }
      options.op_timeout = std::chrono::seconds(seconds);
    } else {
      return bad(pair, "unknown key (pool, conf, user, namespace, chunk, timeout)");
    }
  }
  return options;
}

Result<std::unique_ptr<BlobStore>> open_rados_blob_store(const RadosBlobStoreOptions& options, Random& random) {
  auto cluster = std::make_shared<Cluster>();
  cluster->chunk_bytes = options.chunk_bytes;
  if (int r = rados_create2(&cluster->rados, "ceph", options.user.c_str(), 0); r < 0) {
    cluster->rados = nullptr;
    return rados_error("init", "", r);
  }
  if (int r = rados_conf_read_file(cluster->rados, options.conf_file.empty() ? nullptr : options.conf_file.c_str());
      r < 0) {
    return rados_error("read configuration", options.conf_file, r);
  }
  const std::string timeout = std::to_string(options.op_timeout.count());
  for (const char* name : {"rados_osd_op_timeout", "rados_mon_op_timeout", "client_mount_timeout"}) {
    if (int r = rados_conf_set(cluster->rados, name, timeout.c_str()); r < 0) return rados_error("set", name, r);
  }
  if (int r = rados_connect(cluster->rados); r < 0) return rados_error("connect", "", r);
  if (int r = rados_ioctx_create(cluster->rados, options.pool.c_str(), &cluster->io); r < 0) {
    cluster->io = nullptr;
    return rados_error("open pool", options.pool, r);
  }
  rados_ioctx_set_namespace(cluster->io, options.rados_namespace.c_str());
  return std::unique_ptr<BlobStore>(new RadosBlobStore(std::move(cluster), random));
}

}  // namespace ossd::blob
