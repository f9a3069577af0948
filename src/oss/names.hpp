#pragma once
// OSS naming rules for buckets and object keys.
#include <cstddef>
#include <string_view>

#include "core/result.hpp"

namespace ossd::oss {

inline constexpr std::size_t kMaxObjectKeyBytes = 1023;

// 3-63 characters of [a-z0-9-], starting and ending with a letter or digit.
// Fails with InvalidBucketName carrying <BucketName>.
Status validate_bucket_name(std::string_view name);

// Non-empty, at most 1023 bytes, valid UTF-8, not starting with '/' or '\'.
// Anything else is a valid key, "../x" included: keys are data, never paths.
// Fails with InvalidObjectName.
Status validate_object_key(std::string_view key);

}  // namespace ossd::oss
