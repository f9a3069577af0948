#include "meta/sqlite_codec.hpp"

#include <nlohmann/json.hpp>
#include <utility>

namespace ossd::meta::sqlite {

using nlohmann::json;

bool is_valid_utf8(std::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    if (b0 < 0x80) {
      ++i;
      continue;
    }
    size_t length;
    uint32_t min_code;
    uint32_t code;
    if ((b0 & 0xE0) == 0xC0) {
      length = 2, min_code = 0x80, code = b0 & 0x1F;
    } else if ((b0 & 0xF0) == 0xE0) {
      length = 3, min_code = 0x800, code = b0 & 0x0F;
    } else if ((b0 & 0xF8) == 0xF0) {
      length = 4, min_code = 0x10000, code = b0 & 0x07;
    } else {
      return false;
    }
    if (n - i < length) return false;
    for (size_t k = 1; k < length; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      code = (code << 6) | (b & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
    if (code < min_code || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

json encode_string(const std::string& text) {
  if (is_valid_utf8(text)) return text;
  std::string hex;
  hex.reserve(text.size() * 2);
  for (char c : text) {
    const auto b = static_cast<unsigned char>(c);
    hex += kHexDigits[b >> 4];
    hex += kHexDigits[b & 15];
  }
  return json{{"hex", std::move(hex)}};
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Throws json::exception on a malformed document; callers convert at once.
std::string decode_string(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  const auto& hex = value.at("hex").get_ref<const std::string&>();
  if (hex.size() % 2 != 0) throw json::other_error::create(501, "odd hex string length", nullptr);
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = hex_value(hex[2 * i]);
    int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) throw json::other_error::create(501, "bad hex digit", nullptr);
    out[i] = static_cast<char>((hi << 4) | lo);
  }
  return out;
}

uint64_t unsigned_number(const json& value) {
  if (!value.is_number_unsigned()) throw json::type_error::create(302, "expected an unsigned number", nullptr);
  return value.get<uint64_t>();
}

json pairs_to_json(const Pairs& pairs) {
  json array = json::array();
  for (const auto& [name, value] : pairs) array.push_back(json::array({encode_string(name), encode_string(value)}));
  return array;
}

Pairs pairs_from_json(const json& array) {
  Pairs pairs;
  pairs.reserve(array.size());
  for (const auto& pair : array) pairs.emplace_back(decode_string(pair.at(0)), decode_string(pair.at(1)));
  return pairs;
}

json segments_to_json(const std::vector<Segment>& segments) {
  json array = json::array();
  for (const auto& segment : segments) array.push_back(json::array({encode_string(segment.blob_id), segment.size}));
  return array;
}

std::vector<Segment> segments_from_json(const json& array) {
  std::vector<Segment> segments;
  segments.reserve(array.size());
  for (const auto& item : array) segments.push_back({decode_string(item.at(0)), unsigned_number(item.at(1))});
  return segments;
}

template <class Build>
Result<std::string> dump(Build&& build) {
  try {
    return build().dump();
  } catch (const json::exception& e) {
    return Error(ErrorCode::InternalError, std::string("encode metadata: ") + e.what());
  }
}

template <class T, class Convert>
Result<T> load(std::string_view text, Convert&& convert) {
  try {
    return convert(json::parse(text));
  } catch (const json::exception& e) {
    return Error(ErrorCode::InternalError, std::string("stored metadata is corrupt: ") + e.what());
  }
}

}  // namespace

Result<std::string> encode_pairs(const Pairs& pairs) {
  return dump([&] { return pairs_to_json(pairs); });
}

Result<Pairs> decode_pairs(std::string_view text) {
  return load<Pairs>(text, [](const json& j) { return pairs_from_json(j); });
}

Result<std::string> encode_segments(const std::vector<Segment>& segments) {
  return dump([&] { return segments_to_json(segments); });
}

Result<std::vector<Segment>> decode_segments(std::string_view text) {
  return load<std::vector<Segment>>(text, [](const json& j) { return segments_from_json(j); });
}

Result<std::string> encode_object_template(const ObjectRecord& o) {
  return dump([&] {
    return json{
        {"size", o.size},
        {"etag", encode_string(o.etag)},
        {"crc64", o.crc64},
        {"last_modified_ms", o.last_modified_ms},
        {"object_type", encode_string(o.object_type)},
        {"storage_class", encode_string(o.storage_class)},
        {"acl", encode_string(o.acl)},
        {"content_type", encode_string(o.content_type)},
        {"headers", pairs_to_json(o.headers)},
        {"user_meta", pairs_to_json(o.user_meta)},
        {"tags", pairs_to_json(o.tags)},
        {"segments", segments_to_json(o.segments)},
    };
  });
}

Result<ObjectRecord> decode_object_template(std::string_view text) {
  return load<ObjectRecord>(text, [](const json& j) {
    ObjectRecord o;
    o.size = unsigned_number(j.at("size"));
    o.etag = decode_string(j.at("etag"));
    o.crc64 = unsigned_number(j.at("crc64"));
    o.last_modified_ms = j.at("last_modified_ms").get<int64_t>();
    o.object_type = decode_string(j.at("object_type"));
    o.storage_class = decode_string(j.at("storage_class"));
    o.acl = decode_string(j.at("acl"));
    o.content_type = decode_string(j.at("content_type"));
    o.headers = pairs_from_json(j.at("headers"));
    o.user_meta = pairs_from_json(j.at("user_meta"));
    o.tags = pairs_from_json(j.at("tags"));
    o.segments = segments_from_json(j.at("segments"));
    return o;
  });
}

}  // namespace ossd::meta::sqlite
