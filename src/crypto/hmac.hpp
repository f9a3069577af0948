#pragma once
// HMACs used by the OSS signatures (V1: SHA-1, V4: SHA-256). Raw MAC bytes.
#include <string>
#include <string_view>

namespace ossd::crypto {

std::string hmac_sha1(std::string_view key, std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);

}  // namespace ossd::crypto
