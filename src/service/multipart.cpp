#include "service/multipart.hpp"

#include <unordered_map>

#include "core/strings.hpp"
#include "crypto/crc64.hpp"
#include "crypto/hash.hpp"

namespace ossd::service {

namespace {

Error invalid_part(uint32_t number, std::string_view etag) {
  return Error(ErrorCode::InvalidPart,
               "One or more of the specified parts could not be found or the specified entity tag might not have "
               "matched the part's entity tag.")
      .with("PartNumber", std::to_string(number))
      .with("ETag", std::string(etag));
}

}  // namespace

Result<AssembledObject> assemble_multipart(const meta::UploadRecord& upload,
                                           const std::vector<meta::PartRecord>& stored_parts,
                                           const std::vector<RequestedPart>& requested, int64_t now_ms) {
  if (requested.empty()) {
    return Error(ErrorCode::MalformedXML, "The XML you provided was not well-formed: it names no part.");
  }
  std::unordered_map<uint32_t, const meta::PartRecord*> by_number;
  for (const auto& part : stored_parts) by_number[part.part_number] = &part;

  AssembledObject result;
  meta::ObjectRecord& object = result.object;
  object = upload.object;
  object.bucket = upload.bucket;
  object.key = upload.key;
  object.object_type = "Multipart";
  object.last_modified_ms = now_ms;
  object.size = 0;
  object.crc64 = 0;
  object.segments.clear();

  // Order is a property of the whole list, checked before any single part.
  for (size_t i = 1; i < requested.size(); ++i) {
    if (requested[i].part_number <= requested[i - 1].part_number) {
      return Error(ErrorCode::InvalidPartOrder, "The list of parts was not in ascending order.");
    }
  }
  std::string concatenated_md5s;
  for (size_t i = 0; i < requested.size(); ++i) {
    const RequestedPart& wanted = requested[i];
    auto found = by_number.find(wanted.part_number);
    if (found == by_number.end() || !iequals(found->second->etag, wanted.etag)) {
      return invalid_part(wanted.part_number, wanted.etag);
    }
    const meta::PartRecord& part = *found->second;
    const bool last = i + 1 == requested.size();
    if (!last && part.size < kMinPartSize) {
      return Error(ErrorCode::EntityTooSmall, "Your proposed upload is smaller than the minimum allowed size.")
          .with("PartNumber", std::to_string(part.part_number))
          .with("MinSizeAllowed", std::to_string(kMinPartSize))
          .with("ProposedSize", std::to_string(part.size));
    }
    auto md5 = hex_decode(part.md5_hex);
    if (!md5 || md5->size() != 16) return Error(ErrorCode::InternalError, "stored part MD5 is not 32 hex digits");
    concatenated_md5s += *md5;
    object.crc64 = crypto::crc64_combine(object.crc64, part.crc64, part.size);
    object.size += part.size;
    object.segments.push_back(meta::Segment{part.blob_id, part.size});
    result.used_parts.push_back(part);
  }
  object.etag = hex_upper(crypto::md5(concatenated_md5s)) + "-" + std::to_string(requested.size());
  return result;
}

}  // namespace ossd::service
