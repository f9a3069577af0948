#include "service/object_writer.hpp"

#include "core/strings.hpp"
#include "crypto/constant_time.hpp"
#include "crypto/crc64.hpp"

namespace ossd::service {

Result<ObjectWriter> ObjectWriter::start(blob::BlobStore& blobs) {
  auto writer = blobs.create();
  if (!writer) return std::move(writer).error();
  return ObjectWriter(std::move(writer.value()));
}

Status ObjectWriter::write(std::span<const char> data) {
  if (data.empty()) return ok_status();
  if (auto st = writer_->write(data); !st) return st;
  md5_.update(data);
  crc64_ = crypto::crc64_update(crc64_, data);
  size_ += data.size();
  return ok_status();
}

Result<WrittenBlob> ObjectWriter::commit(const std::optional<std::string>& expected_md5) {
  std::string md5 = md5_.finish();
  if (expected_md5 && !crypto::constant_time_equal(*expected_md5, md5)) {
    return Error(ErrorCode::InvalidDigest, "The Content-MD5 you specified did not match what we received.");
  }
  auto id = writer_->commit();
  if (!id) return std::move(id).error();
  return WrittenBlob{std::move(id.value()), size_, std::move(md5), crc64_};
}

std::string etag_of_md5(const std::string& raw_md5) { return hex_upper(raw_md5); }

}  // namespace ossd::service
