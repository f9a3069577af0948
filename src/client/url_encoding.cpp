#include "client/url_encoding.hpp"

#include <algorithm>

namespace ossd::client::detail {

namespace {

bool is_alnum(unsigned char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool component_safe(unsigned char c) {
  return is_alnum(c) || std::string_view("-_.!~*'()").find(static_cast<char>(c)) != std::string_view::npos;
}

bool uri_safe(unsigned char c) {
  return component_safe(c) || std::string_view(";,/?:@&=+$#").find(static_cast<char>(c)) != std::string_view::npos;
}

template <class Keep>
std::string percent_encode(std::string_view text, Keep keep) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (keep(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 15]);
    }
  }
  return out;
}

}  // namespace

std::string encode_uri_component(std::string_view text) { return percent_encode(text, component_safe); }

std::string encode_uri(std::string_view text) { return percent_encode(text, uri_safe); }

std::string escape_object_path(std::string_view key) {
  return percent_encode(key, [](unsigned char c) { return c == '/' || component_safe(c); });
}

std::string node_query_string(const std::vector<QueryParam>& query) {
  std::string out;
  for (const auto& param : query) {
    if (!out.empty()) out.push_back('&');
    out.append(encode_uri_component(param.name));
    out.push_back('=');
    out.append(encode_uri_component(param.value));
  }
  return out;
}

void set_param(std::vector<QueryParam>& query, std::string name, std::string value) {
  auto it = std::find_if(query.begin(), query.end(), [&](const QueryParam& p) { return p.name == name; });
  if (it != query.end()) {
    it->value = std::move(value);
    it->has_value = true;
  } else {
    query.push_back({std::move(name), std::move(value), true});
  }
}

}  // namespace ossd::client::detail
