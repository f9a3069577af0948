#pragma once
// Reading a fuzz input laid out as lines (method, host, target, headers...):
// the whole-path fuzzers split their inputs the same way.
#include <string_view>

namespace ossd::fuzz {

// The text up to the next '\n' (or the end), removed from `rest` with its '\n'.
inline std::string_view next_line(std::string_view& rest) {
  const size_t end = rest.find('\n');
  std::string_view line = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  return line;
}

}  // namespace ossd::fuzz
