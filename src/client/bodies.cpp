#include "client/bodies.hpp"

#include <algorithm>
#include <cstring>

#include "client/response_parsing.hpp"
#include "core/strings.hpp"
#include "crypto/crc64.hpp"

namespace ossd::client::detail {

Result<std::unique_ptr<FileSource>> FileSource::open(const std::filesystem::path& path, uint64_t offset,
                                                     std::optional<uint64_t> length) {
  std::error_code ec;
  const uint64_t file_size = std::filesystem::file_size(path, ec);
  if (ec) return Error(ErrorCode::InvalidArgument, "cannot read " + path.string() + ": " + ec.message());
  if (offset > file_size || (length && *length > file_size - offset)) {
    return Error(ErrorCode::InvalidArgument, "the range is outside " + path.string());
  }
  std::unique_ptr<FileSource> source(new FileSource(path, offset, length.value_or(file_size - offset)));
  if (auto rewound = source->rewind(); !rewound) return rewound.error();
  return source;
}

FileSource::FileSource(std::filesystem::path path, uint64_t offset, uint64_t length)
    : path_(std::move(path)), offset_(offset), length_(length) {}

Result<std::size_t> FileSource::read(std::span<char> out) {
  const uint64_t want = std::min<uint64_t>(out.size(), length_ - done_);
  if (want == 0) return std::size_t{0};
  in_.read(out.data(), static_cast<std::streamsize>(want));
  const auto got = static_cast<std::size_t>(in_.gcount());
  if (got == 0 && in_.bad()) return Error(ErrorCode::InternalError, "cannot read " + path_.string());
  done_ += got;
  return got;
}

Status FileSource::rewind() {
  in_.close();
  in_.clear();
  in_.open(path_, std::ios::binary);
  if (!in_) return Error(ErrorCode::InvalidArgument, "cannot open " + path_.string() + ": " + std::strerror(errno));
  in_.seekg(static_cast<std::streamoff>(offset_));
  if (!in_) return Error(ErrorCode::InternalError, "cannot seek in " + path_.string());
  done_ = 0;
  return ok_status();
}

Result<std::size_t> MemorySource::read(std::span<char> out) {
  const std::size_t n = std::min(out.size(), data_.size() - done_);
  std::memcpy(out.data(), data_.data() + done_, n);
  done_ += n;
  return n;
}

TrackedSource::TrackedSource(BodySource& inner, ProgressCallback progress, uint64_t base, uint64_t total)
    : inner_(inner), progress_(std::move(progress)), base_(base), total_(total == 0 ? inner.size() : total) {}

Result<std::size_t> TrackedSource::read(std::span<char> out) {
  auto got = inner_.read(out);
  if (!got || *got == 0) return got;
  std::span<const char> bytes(out.data(), *got);
  md5_.update(bytes);
  crc_ = crypto::crc64_update(crc_, bytes);
  done_ += *got;
  if (progress_) progress_(base_ + done_, total_);
  return got;
}

Status TrackedSource::rewind() {
  md5_.reset();
  crc_ = 0;
  done_ = 0;
  if (progress_) progress_(base_, total_);
  return inner_.rewind();
}

std::string TrackedSource::md5_hex() { return hex_upper(md5_.finish()); }

void StreamSink::begin(unsigned /*status*/, const std::vector<HeaderField>& headers) {
  if (const std::string* length = find_header(headers, "Content-Length")) total_ = parse_uint64(*length).value_or(0);
  if (progress_) progress_(0, total_);
}

Status StreamSink::write(std::span<const char> data) {
  out_.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!out_) return Error(ErrorCode::InternalError, "cannot write the downloaded data");
  crc_ = crypto::crc64_update(crc_, data);
  done_ += data.size();
  if (progress_) progress_(done_, total_);
  return ok_status();
}

}  // namespace ossd::client::detail
