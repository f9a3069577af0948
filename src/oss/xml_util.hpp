#pragma once
// Shared plumbing of the XML codecs in src/oss (not part of the public API):
// every document is built and read through pugixml so user data is always
// escaped by the library, never by hand.
#include <pugixml.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace ossd::oss::detail {

// A document holding the XML declaration and an empty root element.
pugi::xml_node start_document(pugi::xml_document& doc, const char* root_name);

// Serialises without indentation; starts with
// <?xml version="1.0" encoding="UTF-8"?>.
std::string save_document(const pugi::xml_document& doc);

// Appends <name>value</name>; value may hold any bytes, NULs included.
pugi::xml_node add_text(pugi::xml_node parent, const char* name, std::string_view value);
pugi::xml_node add_uint(pugi::xml_node parent, const char* name, uint64_t value);
pugi::xml_node add_bool(pugi::xml_node parent, const char* name, bool value);
// ISO 8601 with milliseconds, e.g. 2024-05-20T08:30:00.000Z.
pugi::xml_node add_time_ms(pugi::xml_node parent, const char* name, int64_t unix_ms);

// Parses a request body. Fails with MalformedXML when the body is larger
// than max_bytes, is not well-formed, carries a DOCTYPE (no DTDs, so no
// entity expansion tricks), or its root element is not root_name.
Status load_document(pugi::xml_document& doc, std::string_view body, std::size_t max_bytes, const char* root_name);

// The concatenated character data (text and CDATA) directly under node,
// byte for byte: keys may legitimately start or end with spaces.
std::string text_of(pugi::xml_node node);

std::string maybe_url_encode(std::string_view value, bool url_encoded);

// True when name is safe to use as an element name we did not choose
// ourselves (error detail names): ASCII letters, digits, '-', '_', '.',
// starting with a letter or '_'.
bool is_xml_name(std::string_view name);

}  // namespace ossd::oss::detail
