#include "service/object_copy.hpp"

#include <algorithm>

#include "service/object_reader.hpp"

namespace ossd::service {

Result<WrittenBlob> copy_object_bytes(blob::BlobStore& blobs, const std::vector<meta::Segment>& segments,
                                      uint64_t first, uint64_t length, size_t chunk_size) {
  auto writer = ObjectWriter::start(blobs);
  if (!writer) return std::move(writer).error();
  ObjectReader reader(blobs, segments, first, length);
  std::vector<char> chunk(std::clamp<uint64_t>(length, 1, chunk_size));
  while (reader.remaining() > 0) {
    auto got = reader.read(chunk);
    if (!got) return std::move(got).error();
    if (got.value() == 0) return Error(ErrorCode::InternalError, "source object data ended early");
    if (auto st = writer->write(std::span<const char>(chunk.data(), got.value())); !st) return std::move(st).error();
  }
  return writer->commit();
}

}  // namespace ossd::service
