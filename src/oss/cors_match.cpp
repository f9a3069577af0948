// Matching browser requests against CORS rules, and the headers they earn.
#include <algorithm>

#include "core/strings.hpp"
#include "oss/cors.hpp"

namespace ossd::oss {

namespace {

bool equal_chars(std::string_view a, std::string_view b, bool case_insensitive) {
  return case_insensitive ? iequals(a, b) : a == b;
}

bool origin_allowed(const CorsRule& rule, std::string_view origin, bool* any_origin) {
  for (const auto& pattern : rule.allowed_origins) {
    if (cors_wildcard_match(pattern, origin, false)) {
      *any_origin = pattern == "*";
      return true;
    }
  }
  return false;
}

bool method_allowed(const CorsRule& rule, std::string_view method) {
  return std::find(rule.allowed_methods.begin(), rule.allowed_methods.end(), method) != rule.allowed_methods.end();
}

bool header_allowed(const CorsRule& rule, std::string_view header) {
  return std::any_of(rule.allowed_headers.begin(), rule.allowed_headers.end(),
                     [&](const std::string& pattern) { return cors_wildcard_match(pattern, header, true); });
}

// Access-Control-Request-Headers is a comma-separated list; blanks around
// names and empty items (",,") carry nothing.
std::vector<std::string_view> split_header_list(std::string_view list) {
  std::vector<std::string_view> names;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    std::string_view item = trim(list.substr(0, comma));
    if (!item.empty()) names.push_back(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return names;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

std::vector<HeaderField> rule_headers(const CorsConfiguration& config, const CorsRule& rule, std::string_view origin,
                                      bool any_origin) {
  std::vector<HeaderField> headers;
  // A rule of exactly "*" answers "*"; anything narrower names the origin it
  // let through, since a browser only accepts "*" or its own origin.
  headers.push_back({"Access-Control-Allow-Origin", any_origin ? std::string("*") : std::string(origin)});
  headers.push_back({"Access-Control-Allow-Methods", join(rule.allowed_methods)});
  if (!rule.expose_headers.empty()) headers.push_back({"Access-Control-Expose-Headers", join(rule.expose_headers)});
  if (rule.max_age_seconds) headers.push_back({"Access-Control-Max-Age", std::to_string(*rule.max_age_seconds)});
  if (config.response_vary) headers.push_back({"Vary", "Origin"});
  return headers;
}

}  // namespace

bool cors_wildcard_match(std::string_view pattern, std::string_view text, bool case_insensitive) {
  const std::size_t star = pattern.find('*');
  if (star == std::string_view::npos) return equal_chars(pattern, text, case_insensitive);
  const std::string_view prefix = pattern.substr(0, star);
  const std::string_view suffix = pattern.substr(star + 1);
  if (text.size() < prefix.size() + suffix.size()) return false;
  return equal_chars(text.substr(0, prefix.size()), prefix, case_insensitive) &&
         equal_chars(text.substr(text.size() - suffix.size()), suffix, case_insensitive);
}

std::optional<std::vector<HeaderField>> match_cors_preflight(const CorsConfiguration& config,
                                                             const CorsPreflight& preflight) {
  if (preflight.origin.empty() || preflight.method.empty()) return std::nullopt;
  const std::vector<std::string_view> requested = split_header_list(preflight.request_headers);
  for (const CorsRule& rule : config.rules) {
    bool any_origin = false;
    if (!origin_allowed(rule, preflight.origin, &any_origin) || !method_allowed(rule, preflight.method)) continue;
    if (!std::all_of(requested.begin(), requested.end(),
                     [&](std::string_view name) { return header_allowed(rule, name); })) {
      continue;
    }
    std::vector<HeaderField> headers = rule_headers(config, rule, preflight.origin, any_origin);
    if (!requested.empty()) {
      std::string allowed;
      for (std::string_view name : requested) {
        if (!allowed.empty()) allowed += ", ";
        allowed += name;
      }
      headers.insert(headers.begin() + 2, HeaderField{"Access-Control-Allow-Headers", std::move(allowed)});
    }
    return headers;
  }
  return std::nullopt;
}

std::optional<std::vector<HeaderField>> match_cors_request(const CorsConfiguration& config, std::string_view origin,
                                                           std::string_view method) {
  if (origin.empty()) return std::nullopt;
  for (const CorsRule& rule : config.rules) {
    bool any_origin = false;
    if (origin_allowed(rule, origin, &any_origin) && method_allowed(rule, method)) {
      return rule_headers(config, rule, origin, any_origin);
    }
  }
  return std::nullopt;
}

}  // namespace ossd::oss
