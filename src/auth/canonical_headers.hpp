#pragma once
// The header part shared by the V1 and V4 canonical forms.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/header_field.hpp"

namespace ossd::auth {

struct HeaderLine {
  std::string name;   // lower-cased
  std::string value;  // trimmed
};

// The headers whose lower-cased name satisfies `include`, sorted by name
// (byte order). A name received more than once becomes one line with the
// values joined by ',' in arrival order, as HTTP allows folding them; the
// SDKs never send duplicates, so this only fixes a deterministic answer.
std::vector<HeaderLine> canonical_header_lines(const std::vector<HeaderField>& headers,
                                               const std::function<bool(std::string_view lower_name)>& include);

}  // namespace ossd::auth
