#pragma once
// oss://bucket/key arguments.
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace ossd::cli {

struct OssUri {
  std::string bucket;
  std::string key;  // "" for the bucket itself; may end with '/' (a prefix)

  std::string to_string() const { return "oss://" + bucket + "/" + key; }
};

bool is_oss_uri(std::string_view text);

// "oss://bucket", "oss://bucket/" and "oss://bucket/any/key". The key is
// taken literally (no %-decoding): it is what the user typed.
Result<OssUri> parse_oss_uri(std::string_view text);

}  // namespace ossd::cli
