#pragma once
// Bucket image styles (PutStyle/GetStyle/ListStyle/DeleteStyle): named
// x-oss-process texts used as `style/<name>`. The pure pieces (name rule,
// XML codecs, stored form) are here for the handlers and their tests.
//
// Storage: each style is the bucket config "style:<name>" (JSON: content and
// times); the bucket config "styles" lists the names for ListStyle.
// Put/DeleteStyle change the list by compare-and-set
// (MetadataStore::replace_bucket_config), so gateways sharing a store can
// change it at once.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "meta/metadata_store.hpp"

namespace ossd::api {

struct StyleRecord {
  std::string name;
  std::string content;  // an x-oss-process text, e.g. "image/resize,p_50"
  int64_t created_ms = 0;
  int64_t modified_ms = 0;
};

// OSS's rule: 1..64 of letters, digits, '-', '_' and '.'.
bool is_valid_style_name(std::string_view name);

// At most this many styles per bucket (OSS documents 50), so the name list
// and ListStyle stay small.
inline constexpr size_t kMaxStylesPerBucket = 50;

// <Style><Content>...</Content></Style> -> the content (MalformedXML when the
// document or its Content element is missing).
Result<std::string> parse_style_body(std::string_view body, size_t max_bytes);
// <Style><Name/><Content/><Category>image</Category><CreateTime/><LastModifyTime/></Style>
std::string render_style(const StyleRecord& style);
// <StyleList><Style>...</Style>...</StyleList>
std::string render_style_list(const std::vector<StyleRecord>& styles);

// The stored form of one style (JSON), and back.
std::string encode_style(const StyleRecord& style);
Result<StyleRecord> decode_style(std::string_view name, std::string_view stored);

// Blocking (work pool). NoSuchStyle when the bucket has no style of that name.
Result<StyleRecord> load_style(meta::MetadataStore& meta, const std::string& bucket, const std::string& name);

}  // namespace ossd::api
