#include "oss/xml_requests.hpp"

#include <algorithm>
#include <array>
#include <set>

#include "core/strings.hpp"
#include "oss/xml_util.hpp"

namespace ossd::oss {

namespace {

Error malformed(std::string message = {}) { return Error(ErrorCode::MalformedXML, std::move(message)); }

std::string_view trim_xml_space(std::string_view text) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && blank(text.back())) text.remove_suffix(1);
  return text;
}

std::string normalize_etag(std::string_view raw) {
  std::string_view etag = trim_xml_space(raw);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  std::string out(etag);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; });
  return out;
}

Error invalid_tag(std::string message) { return Error(ErrorCode::InvalidTag, std::move(message)); }

}  // namespace

Result<std::vector<CompletePart>> parse_complete_multipart(std::string_view body, const XmlLimits& limits) {
  pugi::xml_document doc;
  if (auto loaded = detail::load_document(doc, body, limits.max_body_bytes, "CompleteMultipartUpload"); !loaded) {
    return std::move(loaded).error();
  }
  std::vector<CompletePart> parts;
  for (pugi::xml_node part : doc.document_element().children("Part")) {
    if (parts.size() >= limits.max_parts) return malformed("Too many parts in the part list.");
    pugi::xml_node number_node = part.child("PartNumber");
    pugi::xml_node etag_node = part.child("ETag");
    if (!number_node || !etag_node) return malformed("Each Part needs a PartNumber and an ETag.");
    const std::string number_text = detail::text_of(number_node);
    std::optional<uint64_t> number = parse_uint64(trim_xml_space(number_text));
    if (!number) return malformed("PartNumber is not a number.");
    if (*number < 1 || *number > limits.max_part_number) {
      return Error(ErrorCode::InvalidArgument, "Part number must be an integer between 1 and 10000, inclusive.")
          .with("ArgumentName", "PartNumber")
          .with("ArgumentValue", number_text);
    }
    const auto part_number = static_cast<uint32_t>(*number);
    if (!parts.empty() && part_number <= parts.back().part_number) return Error(ErrorCode::InvalidPartOrder);
    parts.push_back({part_number, normalize_etag(detail::text_of(etag_node))});
  }
  if (parts.empty()) return malformed("The part list is empty.");
  return parts;
}

Result<DeleteRequest> parse_delete(std::string_view body, const XmlLimits& limits) {
  pugi::xml_document doc;
  if (auto loaded = detail::load_document(doc, body, limits.max_body_bytes, "Delete"); !loaded) {
    return std::move(loaded).error();
  }
  pugi::xml_node root = doc.document_element();
  DeleteRequest request;
  if (pugi::xml_node quiet = root.child("Quiet")) {
    const std::string text = detail::text_of(quiet);
    const std::string_view value = trim_xml_space(text);
    if (iequals(value, "true")) {
      request.quiet = true;
    } else if (!iequals(value, "false")) {
      return malformed("Quiet must be true or false.");
    }
  }
  for (pugi::xml_node object : root.children("Object")) {
    if (request.keys.size() >= limits.max_delete_keys) {
      return malformed("At most " + std::to_string(limits.max_delete_keys) + " objects can be deleted at once.");
    }
    pugi::xml_node key = object.child("Key");
    if (!key) return malformed("Each Object needs a Key.");
    request.keys.push_back(detail::text_of(key));
  }
  if (request.keys.empty()) return malformed("No objects to delete.");
  return request;
}

Status validate_tags(const Pairs& tags, const XmlLimits& limits) {
  if (tags.size() > limits.max_tags) {
    return invalid_tag("An object can have at most " + std::to_string(limits.max_tags) + " tags.");
  }
  std::set<std::string_view> seen;
  for (const auto& [key, value] : tags) {
    if (key.empty() || key.size() > limits.max_tag_key_bytes) {
      return invalid_tag("A tag key must be 1 to " + std::to_string(limits.max_tag_key_bytes) + " bytes long.");
    }
    if (value.size() > limits.max_tag_value_bytes) {
      return invalid_tag("A tag value can be at most " + std::to_string(limits.max_tag_value_bytes) + " bytes long.");
    }
    if (!is_valid_utf8(key) || !is_valid_utf8(value)) return invalid_tag("Tags must be valid UTF-8.");
    if (!seen.insert(key).second) return invalid_tag("A tag key can appear only once.");
  }
  return ok_status();
}

Result<Pairs> parse_tagging(std::string_view body, const XmlLimits& limits) {
  pugi::xml_document doc;
  if (auto loaded = detail::load_document(doc, body, limits.max_body_bytes, "Tagging"); !loaded) {
    return std::move(loaded).error();
  }
  pugi::xml_node tag_set = doc.document_element().child("TagSet");
  if (!tag_set) return malformed("Tagging needs a TagSet.");
  Pairs tags;
  for (pugi::xml_node tag : tag_set.children("Tag")) {
    // Checked here too so a huge TagSet is refused before it is copied.
    if (tags.size() >= limits.max_tags) {
      return invalid_tag("An object can have at most " + std::to_string(limits.max_tags) + " tags.");
    }
    pugi::xml_node key = tag.child("Key");
    if (!key) return malformed("Each Tag needs a Key.");
    tags.emplace_back(detail::text_of(key), detail::text_of(tag.child("Value")));
  }
  if (auto valid = validate_tags(tags, limits); !valid) return std::move(valid).error();
  return tags;
}

Result<Pairs> parse_tagging_header(std::string_view header, const XmlLimits& limits) {
  Pairs tags;
  std::string_view rest = trim(header);
  auto bad = [&] {
    return Error(ErrorCode::InvalidArgument, "The x-oss-tagging header is not correctly URL-encoded.")
        .with("ArgumentName", "x-oss-tagging")
        .with("ArgumentValue", std::string(header));
  };
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    if (tags.size() >= limits.max_tags) {
      return invalid_tag("An object can have at most " + std::to_string(limits.max_tags) + " tags.");
    }
    const std::size_t eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq));
    auto value =
        eq == std::string_view::npos ? std::optional<std::string>(std::string()) : percent_decode(pair.substr(eq + 1));
    if (!key || !value) return bad();
    tags.emplace_back(std::move(*key), std::move(*value));
  }
  if (auto valid = validate_tags(tags, limits); !valid) return std::move(valid).error();
  return tags;
}

Result<CreateBucketConfiguration> parse_create_bucket(std::string_view body, const XmlLimits& limits) {
  CreateBucketConfiguration config;
  if (trim_xml_space(body).empty()) return config;
  pugi::xml_document doc;
  if (auto loaded = detail::load_document(doc, body, limits.max_body_bytes, "CreateBucketConfiguration"); !loaded) {
    return std::move(loaded).error();
  }
  pugi::xml_node root = doc.document_element();
  static constexpr std::array<std::string_view, 5> kStorageClasses{"Standard", "IA", "Archive", "ColdArchive",
                                                                   "DeepColdArchive"};
  static constexpr std::array<std::string_view, 2> kRedundancy{"LRS", "ZRS"};
  auto pick = [&](const char* element, auto& allowed, std::string& out) -> Status {
    pugi::xml_node node = root.child(element);
    if (!node) return ok_status();
    const std::string text = detail::text_of(node);
    const std::string_view value = trim_xml_space(text);
    if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
      return Error(ErrorCode::InvalidArgument, std::string("The ") + element + " you specified is not valid.")
          .with("ArgumentName", element)
          .with("ArgumentValue", text);
    }
    out = std::string(value);
    return ok_status();
  };
  if (auto st = pick("StorageClass", kStorageClasses, config.storage_class); !st) return std::move(st).error();
  if (auto st = pick("DataRedundancyType", kRedundancy, config.data_redundancy_type); !st) {
    return std::move(st).error();
  }
  return config;
}

}  // namespace ossd::oss
