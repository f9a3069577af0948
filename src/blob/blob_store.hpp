#pragma once
// BlobStore: write-once byte blobs named by a random id. Keys never become
// paths (DESIGN rule 6). All calls block: run them on the work pool, never on
// an I/O thread. Implementations are safe to call from many threads at once.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace ossd::blob {

using BlobId = std::string;  // 32 lower-case hex characters

// A store whose volume is full (ENOSPC, EDQUOT) ends its error message with
// this text, so callers can tell the client so without parsing the rest.
inline constexpr std::string_view kNoSpaceLeft = "no space left on device";

// One blob being written. Nothing is visible under its id until commit()
// returns; destroying an uncommitted writer removes what it wrote.
class BlobWriter {
 public:
  virtual ~BlobWriter() = default;
  virtual Status write(std::span<const char> data) = 0;
  // Makes the blob durable (fsync file, rename into place, fsync directory)
  // and returns its id. Call once.
  virtual Result<BlobId> commit() = 0;
  virtual uint64_t bytes_written() const = 0;
};

class BlobReader {
 public:
  virtual ~BlobReader() = default;
  virtual uint64_t size() const = 0;
  // Reads up to out.size() bytes at offset; returns the count (0 at the end).
  virtual Result<size_t> read_at(uint64_t offset, std::span<char> out) = 0;
  // The open file descriptor, for zero-copy sends; -1 when there is none.
  virtual int native_handle() const { return -1; }
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;
  virtual Result<std::unique_ptr<BlobWriter>> create() = 0;
  virtual Result<std::unique_ptr<BlobReader>> open(const BlobId& id) = 0;
  // Removing a missing blob is not an error.
  virtual Status remove(const BlobId& id) = 0;
  // Every committed blob id, for orphan collection at start-up.
  virtual Result<std::vector<BlobId>> list() = 0;
  // Deletes temporary files left by writers that never committed (a crash).
  virtual Result<size_t> remove_temporaries() = 0;
  // A cheap check that the store answers and can take writes, for the
  // readiness probe (GET /-/health/ready): no blob is read or written.
  virtual Status ping() = 0;
};

}  // namespace ossd::blob
