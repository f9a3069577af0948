#pragma once
// Parsers for the XML request bodies (and the x-oss-tagging header). Every
// body that is not well-formed, has a DOCTYPE, exceeds max_body_bytes or
// has the wrong root element is MalformedXML.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "meta/records.hpp"

namespace ossd::oss {

using Pairs = meta::Pairs;

struct XmlLimits {
  std::size_t max_body_bytes = 8 << 20;  // a backstop; the API layer caps bodies first
  std::size_t max_parts = 10000;         // CompleteMultipartUpload <Part>s
  uint32_t max_part_number = 10000;
  std::size_t max_delete_keys = 1000;  // DeleteMultipleObjects <Object>s
  std::size_t max_tags = 10;
  std::size_t max_tag_key_bytes = 128;
  std::size_t max_tag_value_bytes = 256;
};

struct CompletePart {
  uint32_t part_number = 0;
  std::string etag;  // quotes and surrounding blanks removed, upper-cased
};

// <CompleteMultipartUpload><Part><PartNumber/><ETag/></Part>...
// No parts, a missing or non-numeric PartNumber or a missing ETag:
// MalformedXML. A PartNumber outside 1..max_part_number: InvalidArgument.
// Part numbers not strictly ascending: InvalidPartOrder.
Result<std::vector<CompletePart>> parse_complete_multipart(std::string_view body, const XmlLimits& limits = {});

struct DeleteRequest {
  bool quiet = false;
  std::vector<std::string> keys;  // as sent, not validated
};

// <Delete><Quiet>true|false</Quiet><Object><Key/></Object>...</Delete>
// No objects, more than max_delete_keys, an <Object> without <Key> or a
// Quiet that is not a boolean: MalformedXML.
Result<DeleteRequest> parse_delete(std::string_view body, const XmlLimits& limits = {});

// <Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging>
// An empty TagSet is valid (no tags). A missing TagSet or a Tag without Key:
// MalformedXML. Tag rules (validate_tags): InvalidTag.
Result<Pairs> parse_tagging(std::string_view body, const XmlLimits& limits = {});

// x-oss-tagging: "k1=v1&k2=v2", names and values %-decoded ('+' stays
// '+'); "k" alone is an empty value; a blank header is no tags. A bad
// escape: InvalidArgument. Tag rules (validate_tags): InvalidTag.
Result<Pairs> parse_tagging_header(std::string_view header, const XmlLimits& limits = {});

// At most max_tags tags; keys 1..128 bytes, values 0..256 bytes, both valid
// UTF-8; no key twice. Anything else: InvalidTag.
Status validate_tags(const Pairs& tags, const XmlLimits& limits = {});

struct CreateBucketConfiguration {
  std::string storage_class;         // empty = not given
  std::string data_redundancy_type;  // empty = not given
};

// <CreateBucketConfiguration><StorageClass/><DataRedundancyType/></...>
// An empty (or blank) body is valid and gives empty fields. A StorageClass
// other than Standard|IA|Archive|ColdArchive|DeepColdArchive, or a
// DataRedundancyType other than LRS|ZRS: InvalidArgument.
Result<CreateBucketConfiguration> parse_create_bucket(std::string_view body, const XmlLimits& limits = {});

}  // namespace ossd::oss
