// The <CORSConfiguration> document: parsing with validation, and rendering.
#include <algorithm>
#include <array>

#include "core/strings.hpp"
#include "oss/cors.hpp"
#include "oss/xml_util.hpp"

namespace ossd::oss {

namespace {

constexpr std::array<std::string_view, 5> kMethods = {"GET", "PUT", "DELETE", "POST", "HEAD"};

Error malformed(std::string message) { return Error(ErrorCode::MalformedXML, std::move(message)); }

Error invalid(std::string message, std::string_view name, std::string_view value) {
  return Error(ErrorCode::InvalidArgument, std::move(message))
      .with("ArgumentName", std::string(name))
      .with("ArgumentValue", std::string(value));
}

std::string_view trim_xml_space(std::string_view text) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && blank(text.back())) text.remove_suffix(1);
  return text;
}

// Every value ends up verbatim in a response header, so only visible ASCII
// is accepted: nothing that could break a header line or need encoding.
bool is_visible_ascii(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

Result<std::vector<std::string>> values_of(pugi::xml_node rule, const char* element) {
  std::vector<std::string> out;
  for (pugi::xml_node node : rule.children(element)) {
    const std::string text = detail::text_of(node);
    const std::string_view value = trim_xml_space(text);
    if (!is_visible_ascii(value)) {
      return invalid(std::string(element) + " must be non-empty printable ASCII without spaces.", element, text);
    }
    out.emplace_back(value);
  }
  return out;
}

Status check_wildcards(const std::vector<std::string>& values, const char* element, std::size_t max_stars) {
  for (const auto& value : values) {
    if (static_cast<std::size_t>(std::count(value.begin(), value.end(), '*')) > max_stars) {
      return invalid(max_stars == 0 ? std::string(element) + " cannot contain '*'."
                                    : std::string(element) + " can contain at most one '*'.",
                     element, value);
    }
  }
  return ok_status();
}

Result<CorsRule> parse_rule(pugi::xml_node node) {
  CorsRule rule;
  auto origins = values_of(node, "AllowedOrigin");
  if (!origins) return std::move(origins).error();
  auto methods = values_of(node, "AllowedMethod");
  if (!methods) return std::move(methods).error();
  auto headers = values_of(node, "AllowedHeader");
  if (!headers) return std::move(headers).error();
  auto expose = values_of(node, "ExposeHeader");
  if (!expose) return std::move(expose).error();
  if (origins->empty()) return malformed("Each CORSRule needs at least one AllowedOrigin.");
  if (methods->empty()) return malformed("Each CORSRule needs at least one AllowedMethod.");
  if (auto st = check_wildcards(*origins, "AllowedOrigin", 1); !st) return std::move(st).error();
  if (auto st = check_wildcards(*headers, "AllowedHeader", 1); !st) return std::move(st).error();
  if (auto st = check_wildcards(*expose, "ExposeHeader", 0); !st) return std::move(st).error();
  for (auto& method : *methods) {
    std::string upper = method;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; });
    if (std::find(kMethods.begin(), kMethods.end(), upper) == kMethods.end()) {
      return invalid("AllowedMethod must be one of GET, PUT, DELETE, POST and HEAD.", "AllowedMethod", method);
    }
    if (std::find(rule.allowed_methods.begin(), rule.allowed_methods.end(), upper) == rule.allowed_methods.end()) {
      rule.allowed_methods.push_back(std::move(upper));
    }
  }
  rule.allowed_origins = std::move(origins.value());
  rule.allowed_headers = std::move(headers.value());
  rule.expose_headers = std::move(expose.value());

  auto max_ages = node.children("MaxAgeSeconds");
  if (std::distance(max_ages.begin(), max_ages.end()) > 1) {
    return invalid("A CORSRule can have only one MaxAgeSeconds.", "MaxAgeSeconds", "");
  }
  if (pugi::xml_node max_age = node.child("MaxAgeSeconds")) {
    const std::string text = detail::text_of(max_age);
    auto seconds = parse_uint64(trim_xml_space(text));
    if (!seconds || *seconds > UINT32_MAX) {
      return invalid("MaxAgeSeconds must be a non-negative number of seconds.", "MaxAgeSeconds", text);
    }
    rule.max_age_seconds = static_cast<uint32_t>(*seconds);
  }
  return rule;
}

}  // namespace

Result<CorsConfiguration> parse_cors_configuration(std::string_view body, const CorsLimits& limits) {
  pugi::xml_document doc;
  if (auto loaded = detail::load_document(doc, body, limits.max_body_bytes, "CORSConfiguration"); !loaded) {
    return std::move(loaded).error();
  }
  pugi::xml_node root = doc.document_element();
  CorsConfiguration config;
  for (pugi::xml_node node : root.children("CORSRule")) {
    if (config.rules.size() >= limits.max_rules) {
      return invalid("A bucket can have at most " + std::to_string(limits.max_rules) + " CORS rules.", "CORSRule",
                     std::to_string(limits.max_rules + 1));
    }
    auto rule = parse_rule(node);
    if (!rule) return std::move(rule).error();
    config.rules.push_back(std::move(rule.value()));
  }
  if (config.rules.empty()) return malformed("CORSConfiguration needs at least one CORSRule.");
  if (pugi::xml_node vary = root.child("ResponseVary")) {
    const std::string text = detail::text_of(vary);
    const std::string_view value = trim_xml_space(text);
    if (iequals(value, "true")) {
      config.response_vary = true;
    } else if (!iequals(value, "false")) {
      return invalid("ResponseVary must be true or false.", "ResponseVary", text);
    }
  }
  return config;
}

std::string render_cors_configuration(const CorsConfiguration& config) {
  pugi::xml_document doc;
  pugi::xml_node root = detail::start_document(doc, "CORSConfiguration");
  for (const CorsRule& rule : config.rules) {
    pugi::xml_node node = root.append_child("CORSRule");
    for (const auto& v : rule.allowed_origins) detail::add_text(node, "AllowedOrigin", v);
    for (const auto& v : rule.allowed_methods) detail::add_text(node, "AllowedMethod", v);
    for (const auto& v : rule.allowed_headers) detail::add_text(node, "AllowedHeader", v);
    for (const auto& v : rule.expose_headers) detail::add_text(node, "ExposeHeader", v);
    if (rule.max_age_seconds) detail::add_uint(node, "MaxAgeSeconds", *rule.max_age_seconds);
  }
  detail::add_bool(root, "ResponseVary", config.response_vary);
  return detail::save_document(doc);
}

}  // namespace ossd::oss
