#include "meta/listing.hpp"

namespace ossd::meta::listing {

std::optional<std::string> prefix_successor(std::string_view prefix) {
  std::string successor(prefix);
  // Trailing 0xFF bytes cannot be incremented; every extension of the
  // remaining bytes is still inside the prefix's range, so drop them.
  while (!successor.empty() && static_cast<unsigned char>(successor.back()) == 0xFF) successor.pop_back();
  if (successor.empty()) return std::nullopt;
  successor.back() = static_cast<char>(static_cast<unsigned char>(successor.back()) + 1);
  return successor;
}

std::optional<std::string> common_prefix_of(std::string_view key, std::string_view prefix, std::string_view delimiter) {
  if (delimiter.empty() || key.size() < prefix.size()) return std::nullopt;
  const size_t at = key.find(delimiter, prefix.size());
  if (at == std::string_view::npos) return std::nullopt;
  return std::string(key.substr(0, at + delimiter.size()));
}

}  // namespace ossd::meta::listing
