#pragma once
// Reads a byte range of an object that may span several blobs (multipart and
// appendable objects keep one blob per part or append). Blocking: use from
// the work pool.
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "blob/blob_store.hpp"
#include "core/result.hpp"
#include "meta/records.hpp"

namespace ossd::service {

class ObjectReader {
 public:
  // Reads bytes [first, first+length) of the object described by segments.
  ObjectReader(blob::BlobStore& blobs, std::vector<meta::Segment> segments, uint64_t first, uint64_t length);

  uint64_t remaining() const { return remaining_; }
  // Opens the blob the first byte is in. Call before a response head
  // promises the body: a store that cannot serve it (a cluster that does not
  // answer) then fails the request cleanly instead of cutting the body off.
  Status open_first();
  // Fills out with up to out.size() bytes; 0 only when nothing remains.
  Result<size_t> read(std::span<char> out);

  struct FileRegion {
    int fd = -1;
    uint64_t offset = 0;
    uint64_t length = 0;
  };
  // Instead of read(): the next at most `max` (> 0) bytes as a region of
  // one blob's open file, counted as read; the descriptor stays open until
  // the next call. nullopt when the blob store has no descriptors to offer.
  // Opens blobs, so it blocks like read().
  Result<std::optional<FileRegion>> next_file_region(uint64_t max);

 private:
  blob::BlobStore& blobs_;
  std::vector<meta::Segment> segments_;
  size_t segment_index_ = 0;
  uint64_t offset_in_segment_ = 0;
  uint64_t remaining_;
  std::unique_ptr<blob::BlobReader> current_;
};

}  // namespace ossd::service
