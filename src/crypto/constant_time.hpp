#pragma once
// Comparison of secrets and signatures whose duration does not depend on
// where the inputs first differ (DESIGN rule 7).
#include <string_view>

namespace ossd::crypto {

// Different lengths compare unequal; the length is not treated as secret, the
// content is.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace ossd::crypto
