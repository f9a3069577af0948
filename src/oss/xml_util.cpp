#include "oss/xml_util.hpp"

#include "core/strings.hpp"

#include "core/time_format.hpp"

namespace ossd::oss::detail {

namespace {

class StringWriter final : public pugi::xml_writer {
 public:
  explicit StringWriter(std::string& out) : out_(out) {}
  void write(const void* data, size_t size) override { out_.append(static_cast<const char*>(data), size); }

 private:
  std::string& out_;
};

}  // namespace

pugi::xml_node start_document(pugi::xml_document& doc, const char* root_name) {
  pugi::xml_node decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  return doc.append_child(root_name);
}

std::string save_document(const pugi::xml_document& doc) {
  std::string out;
  StringWriter writer(out);
  doc.save(writer, "", pugi::format_raw, pugi::encoding_utf8);
  return out;
}

pugi::xml_node add_text(pugi::xml_node parent, const char* name, std::string_view value) {
  pugi::xml_node element = parent.append_child(name);
  if (!value.empty()) element.append_child(pugi::node_pcdata).set_value(value.data(), value.size());
  return element;
}

pugi::xml_node add_uint(pugi::xml_node parent, const char* name, uint64_t value) {
  return add_text(parent, name, std::to_string(value));
}

pugi::xml_node add_bool(pugi::xml_node parent, const char* name, bool value) {
  return add_text(parent, name, value ? "true" : "false");
}

pugi::xml_node add_time_ms(pugi::xml_node parent, const char* name, int64_t unix_ms) {
  return add_text(parent, name, format_iso8601_ms(from_unix_millis(unix_ms)));
}

Status load_document(pugi::xml_document& doc, std::string_view body, std::size_t max_bytes, const char* root_name) {
  if (body.size() > max_bytes) {
    return Error(ErrorCode::MalformedXML, "The XML you provided was larger than the maximum allowed size.");
  }
  // parse_doctype keeps a DOCTYPE as a node so it can be refused below rather
  // than silently skipped.
  const unsigned options = pugi::parse_default | pugi::parse_doctype;
  pugi::xml_parse_result parsed = doc.load_buffer(body.data(), body.size(), options, pugi::encoding_utf8);
  if (!parsed) return Error(ErrorCode::MalformedXML);
  pugi::xml_node root;
  for (pugi::xml_node child : doc.children()) {
    if (child.type() == pugi::node_doctype) return Error(ErrorCode::MalformedXML);
    if (child.type() == pugi::node_element) {
      if (root) return Error(ErrorCode::MalformedXML);
      root = child;
    }
  }
  if (!root || std::string_view(root.name()) != root_name) return Error(ErrorCode::MalformedXML);
  return ok_status();
}

std::string text_of(pugi::xml_node node) {
  std::string out;
  for (pugi::xml_node child : node.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) out += child.value();
  }
  return out;
}

std::string maybe_url_encode(std::string_view value, bool url_encoded) {
  return url_encoded ? uri_encode(value) : std::string(value);
}

bool is_xml_name(std::string_view name) {
  if (name.empty()) return false;
  auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  if (!alpha(name.front()) && name.front() != '_') return false;
  for (char c : name) {
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

}  // namespace ossd::oss::detail

namespace ossd::oss {

std::string quote_etag(std::string_view etag) {
  std::string out;
  out.reserve(etag.size() + 2);
  out += '"';
  out += etag;
  out += '"';
  return out;
}

}  // namespace ossd::oss
