#include "auth/signed_request.hpp"

#include <algorithm>

namespace ossd::auth {

namespace {
const std::vector<QueryParam> kNoQuery;
const std::vector<HeaderField> kNoHeaders;
}  // namespace

const std::vector<QueryParam>& SignedRequest::query_params() const { return query ? *query : kNoQuery; }
const std::vector<HeaderField>& SignedRequest::header_fields() const { return headers ? *headers : kNoHeaders; }

const std::string* find_header(const std::vector<HeaderField>& headers, std::string_view name) {
  for (const auto& field : headers) {
    if (iequals(field.name, name)) return &field.value;
  }
  return nullptr;
}

const QueryParam* find_query_param(const std::vector<QueryParam>& query, std::string_view name) {
  for (const auto& param : query) {
    if (param.name == name) return &param;
  }
  return nullptr;
}

std::size_t count_query_param(const std::vector<QueryParam>& query, std::string_view name) {
  return static_cast<std::size_t>(
      std::count_if(query.begin(), query.end(), [&](const QueryParam& p) { return p.name == name; }));
}

}  // namespace ossd::auth
