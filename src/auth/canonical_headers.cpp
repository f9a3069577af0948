#include "auth/canonical_headers.hpp"

#include <algorithm>

#include "core/strings.hpp"

namespace ossd::auth {

std::vector<HeaderLine> canonical_header_lines(const std::vector<HeaderField>& headers,
                                               const std::function<bool(std::string_view lower_name)>& include) {
  std::vector<HeaderLine> lines;
  for (const auto& field : headers) {
    std::string name = to_lower(field.name);
    if (!include(name)) continue;
    lines.push_back({std::move(name), std::string(trim(field.value))});
  }
  std::stable_sort(lines.begin(), lines.end(),
                   [](const HeaderLine& a, const HeaderLine& b) { return a.name < b.name; });

  std::vector<HeaderLine> merged;
  for (auto& line : lines) {
    if (!merged.empty() && merged.back().name == line.name) {
      merged.back().value += ',';
      merged.back().value += line.value;
    } else {
      merged.push_back(std::move(line));
    }
  }
  return merged;
}

}  // namespace ossd::auth
