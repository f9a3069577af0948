#pragma once
// Bucket CORS (spec §10): the <CORSConfiguration> document of Put/GetBucketCors,
// and which rule, if any, lets a browser's preflight or actual request through
// and with which Access-Control-* response headers. Pure.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/header_field.hpp"
#include "core/result.hpp"

namespace ossd::oss {

struct CorsRule {
  std::vector<std::string> allowed_origins;  // each with at most one '*'
  std::vector<std::string> allowed_methods;  // GET PUT DELETE POST HEAD, upper case
  std::vector<std::string> allowed_headers;  // each with at most one '*'; matched case-insensitively
  std::vector<std::string> expose_headers;   // no wildcards
  std::optional<uint32_t> max_age_seconds;
};

struct CorsConfiguration {
  std::vector<CorsRule> rules;
  bool response_vary = false;  // add "Vary: Origin" to CORS responses
};

struct CorsLimits {
  std::size_t max_rules = 10;
  std::size_t max_body_bytes = 64 << 10;
};

// Parses and validates a PutBucketCors body. Not well-formed, wrong root, no
// rule, or a rule without AllowedOrigin/AllowedMethod: MalformedXML. More
// than max_rules rules, an unknown method, more than one '*' in an origin or
// allowed header, a '*' in an expose header, a MaxAgeSeconds that is not a
// number, or a ResponseVary that is not a boolean: InvalidArgument.
Result<CorsConfiguration> parse_cors_configuration(std::string_view body, const CorsLimits& limits = {});

// The GetBucketCors document; parse_cors_configuration reads it back unchanged,
// so it is also the stored form.
std::string render_cors_configuration(const CorsConfiguration& config);

// `pattern` contains at most one '*', which stands for any (possibly empty)
// run of characters.
bool cors_wildcard_match(std::string_view pattern, std::string_view text, bool case_insensitive);

// A browser preflight (OPTIONS): Origin, Access-Control-Request-Method and
// the comma-separated Access-Control-Request-Headers (empty if absent).
struct CorsPreflight {
  std::string_view origin;
  std::string_view method;
  std::string_view request_headers;
};

// The Access-Control-* headers of the first rule whose origin, method and
// every requested header match; nullopt when no rule does.
std::optional<std::vector<HeaderField>> match_cors_preflight(const CorsConfiguration& config,
                                                             const CorsPreflight& preflight);

// The headers an actual (non-preflight) request with this Origin and method
// gets: those of the first rule whose origin and method match (requested
// headers are a preflight concern). nullopt when none matches.
std::optional<std::vector<HeaderField>> match_cors_request(const CorsConfiguration& config, std::string_view origin,
                                                           std::string_view method);

}  // namespace ossd::oss
