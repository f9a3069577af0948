#pragma once
// The V1 signature's sub-resource whitelist (spec §1): the query parameters
// that belong in the CanonicalizedResource. Everything else in the query
// (prefix, marker, max-keys...) is sent unsigned by the SDKs.
#include <string_view>

namespace ossd::oss {

// Exact, case-sensitive match ("uploadId" yes, "uploadid" no).
bool is_v1_subresource(std::string_view name);

}  // namespace ossd::oss
