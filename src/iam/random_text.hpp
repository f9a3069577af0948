#pragma once
// Random identifiers and secrets drawn uniformly from an alphabet (access key
// ids and secrets, STS key ids, user and role ids). The Random is a parameter.
#include <string>
#include <string_view>

#include "core/random.hpp"

namespace ossd::iam {

inline constexpr std::string_view kDigits = "0123456789";
inline constexpr std::string_view kAlphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
// Base58 (no 0, O, I, l): what temporary STS ids and secrets look like.
inline constexpr std::string_view kBase58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

// `length` characters of `alphabet` (at most 256 characters), each equally
// likely: bytes at or above the largest multiple of the alphabet size are
// drawn again.
std::string random_text(Random& random, std::string_view alphabet, size_t length);

// A decimal id of `length` digits without a leading zero (RAM user, group and
// role ids look like this).
std::string random_numeric_id(Random& random, size_t length);

}  // namespace ossd::iam
