#include "service/object_reader.hpp"

#include <algorithm>

namespace ossd::service {

ObjectReader::ObjectReader(blob::BlobStore& blobs, std::vector<meta::Segment> segments, uint64_t first, uint64_t length)
    : blobs_(blobs), segments_(std::move(segments)), remaining_(length) {
  while (segment_index_ < segments_.size() && first >= segments_[segment_index_].size) {
    first -= segments_[segment_index_].size;
    ++segment_index_;
  }
  offset_in_segment_ = first;
}

Status ObjectReader::open_first() {
  while (segment_index_ < segments_.size() && offset_in_segment_ >= segments_[segment_index_].size) {
    ++segment_index_;
    offset_in_segment_ = 0;
    current_.reset();
  }
  if (remaining_ == 0 || current_ || segment_index_ >= segments_.size()) return ok_status();
  auto opened = blobs_.open(segments_[segment_index_].blob_id);
  if (!opened) return std::move(opened).error();
  current_ = std::move(opened.value());
  return ok_status();
}

Result<size_t> ObjectReader::read(std::span<char> out) {
  size_t filled = 0;
  while (filled < out.size() && remaining_ > 0) {
    if (segment_index_ >= segments_.size()) {
      return Error(ErrorCode::InternalError, "object metadata is shorter than its size");
    }
    const meta::Segment& segment = segments_[segment_index_];
    if (offset_in_segment_ >= segment.size) {
      ++segment_index_;
      offset_in_segment_ = 0;
      current_.reset();
      continue;
    }
    if (!current_) {
      auto opened = blobs_.open(segment.blob_id);
      if (!opened) return std::move(opened).error();
      current_ = std::move(opened.value());
    }
    uint64_t want = std::min<uint64_t>({out.size() - filled, remaining_, segment.size - offset_in_segment_});
    auto got = current_->read_at(offset_in_segment_, out.subspan(filled, want));
    if (!got) return std::move(got).error();
    if (got.value() == 0)
      return Error(ErrorCode::InternalError, "blob " + segment.blob_id + " is shorter than recorded");
    filled += got.value();
    offset_in_segment_ += got.value();
    remaining_ -= got.value();
  }
  return filled;
}

Result<std::optional<ObjectReader::FileRegion>> ObjectReader::next_file_region(uint64_t max) {
  if (max == 0 || remaining_ == 0) return Error(ErrorCode::InternalError, "file region asked past the end");
  while (segment_index_ < segments_.size() && offset_in_segment_ >= segments_[segment_index_].size) {
    ++segment_index_;
    offset_in_segment_ = 0;
    current_.reset();
  }
  if (segment_index_ >= segments_.size()) {
    return Error(ErrorCode::InternalError, "object metadata is shorter than its size");
  }
  const meta::Segment& segment = segments_[segment_index_];
  if (!current_) {
    auto opened = blobs_.open(segment.blob_id);
    if (!opened) return std::move(opened).error();
    current_ = std::move(opened.value());
  }
  if (current_->native_handle() < 0) return std::optional<FileRegion>();
  // read() finds a short blob when pread stops early; sendfile would only
  // stop, after the response head promised the length, so it is checked here.
  if (current_->size() < segment.size) {
    return Error(ErrorCode::InternalError, "blob " + segment.blob_id + " is shorter than recorded");
  }
  const uint64_t length = std::min<uint64_t>({max, remaining_, segment.size - offset_in_segment_});
  FileRegion region{current_->native_handle(), offset_in_segment_, length};
  offset_in_segment_ += length;
  remaining_ -= length;
  return std::optional<FileRegion>(region);
}

}  // namespace ossd::service
