#pragma once
// Streams bytes into a new blob while computing the MD5 and CRC-64 that OSS
// returns (ETag, Content-MD5, x-oss-hash-crc64ecma), so a body is read once
// and never held whole. Blocking: use from the work pool.
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "blob/blob_store.hpp"
#include "core/result.hpp"
#include "crypto/hash.hpp"

namespace ossd::service {

struct WrittenBlob {
  std::string blob_id;
  uint64_t size = 0;
  std::string md5;  // raw 16 bytes
  uint64_t crc64 = 0;
};

class ObjectWriter {
 public:
  static Result<ObjectWriter> start(blob::BlobStore& blobs);

  Status write(std::span<const char> data);
  uint64_t bytes_written() const { return size_; }
  // Makes the blob durable and returns what was written. When expected_md5
  // (raw 16 bytes) is given and differs, fails with InvalidDigest and the
  // bytes are discarded, never committed. Call once.
  Result<WrittenBlob> commit(const std::optional<std::string>& expected_md5 = std::nullopt);

 private:
  explicit ObjectWriter(std::unique_ptr<blob::BlobWriter> writer) : writer_(std::move(writer)) {}

  std::unique_ptr<blob::BlobWriter> writer_;
  crypto::Md5 md5_;
  uint64_t crc64_ = 0;
  uint64_t size_ = 0;
};

// Upper-case hex of an MD5, the form OSS uses in ETags.
std::string etag_of_md5(const std::string& raw_md5);

}  // namespace ossd::service
