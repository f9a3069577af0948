#pragma once
// Request bodies read from files or memory, and the wrappers that hash and
// count bytes on their way through (MD5 for the ETag check, CRC-64 for
// x-oss-hash-crc64ecma, progress for the caller).
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "client/http_transport.hpp"
#include "crypto/hash.hpp"
#include "ossd/client.hpp"

namespace ossd::client::detail {

// `length` bytes of a file from `offset` (nullopt: to the end).
class FileSource final : public BodySource {
 public:
  static Result<std::unique_ptr<FileSource>> open(const std::filesystem::path& path, uint64_t offset = 0,
                                                  std::optional<uint64_t> length = std::nullopt);
  uint64_t size() const override { return length_; }
  Result<std::size_t> read(std::span<char> out) override;
  Status rewind() override;

 private:
  FileSource(std::filesystem::path path, uint64_t offset, uint64_t length);
  std::filesystem::path path_;
  std::ifstream in_;
  uint64_t offset_;
  uint64_t length_;
  uint64_t done_ = 0;
};

class MemorySource final : public BodySource {
 public:
  explicit MemorySource(std::string_view data) : data_(data) {}
  uint64_t size() const override { return data_.size(); }
  Result<std::size_t> read(std::span<char> out) override;
  Status rewind() override {
    done_ = 0;
    return ok_status();
  }

 private:
  std::string_view data_;
  std::size_t done_ = 0;
};

// Passes another source through, hashing it and reporting progress as
// base + bytes read so far, out of total.
class TrackedSource final : public BodySource {
 public:
  TrackedSource(BodySource& inner, ProgressCallback progress = {}, uint64_t base = 0, uint64_t total = 0);
  uint64_t size() const override { return inner_.size(); }
  Result<std::size_t> read(std::span<char> out) override;
  Status rewind() override;

  std::string md5_hex();  // upper-case, like OSS ETags; call once at the end
  uint64_t crc64() const { return crc_; }

 private:
  BodySource& inner_;
  ProgressCallback progress_;
  uint64_t base_;
  uint64_t total_;
  uint64_t done_ = 0;
  crypto::Md5 md5_;
  uint64_t crc_ = 0;
};

// Writes a response body to a stream, with CRC-64 and progress.
class StreamSink final : public BodySink {
 public:
  StreamSink(std::ostream& out, ProgressCallback progress) : out_(out), progress_(std::move(progress)) {}
  void begin(unsigned status, const std::vector<HeaderField>& headers) override;
  Status write(std::span<const char> data) override;
  uint64_t crc64() const { return crc_; }
  uint64_t bytes() const { return done_; }

 private:
  std::ostream& out_;
  ProgressCallback progress_;
  uint64_t total_ = 0;
  uint64_t done_ = 0;
  uint64_t crc_ = 0;
};

}  // namespace ossd::client::detail
