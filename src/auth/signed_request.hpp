#pragma once
// What authentication needs of a request, free of HTTP types: the API layer
// fills it from the parsed request head after resolving bucket and key.
#include <string>
#include <string_view>
#include <vector>

#include "core/header_field.hpp"
#include "core/strings.hpp"

namespace ossd::auth {

struct SignedRequest {
  std::string_view method;
  std::string_view bucket;                            // "" for service-level requests (ListBuckets)
  std::string_view key;                               // decoded; "" for bucket-level requests
  const std::vector<QueryParam>* query = nullptr;     // decoded, arrival order; null = none
  const std::vector<HeaderField>* headers = nullptr;  // as received; null = none

  const std::vector<QueryParam>& query_params() const;
  const std::vector<HeaderField>& header_fields() const;
};

// First header with this name (ASCII case-insensitive), or nullptr.
const std::string* find_header(const std::vector<HeaderField>& headers, std::string_view name);
// First query parameter with exactly this name, or nullptr.
const QueryParam* find_query_param(const std::vector<QueryParam>& query, std::string_view name);
std::size_t count_query_param(const std::vector<QueryParam>& query, std::string_view name);

}  // namespace ossd::auth
