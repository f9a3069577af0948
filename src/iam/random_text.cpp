#include "iam/random_text.hpp"

namespace ossd::iam {

std::string random_text(Random& random, std::string_view alphabet, size_t length) {
  const unsigned limit = 256 - 256 % static_cast<unsigned>(alphabet.size());
  std::string out;
  out.reserve(length);
  unsigned char pool[64];
  while (out.size() < length) {
    random.fill(pool);
    for (unsigned char b : pool) {
      if (b >= limit) continue;
      out.push_back(alphabet[b % alphabet.size()]);
      if (out.size() == length) break;
    }
  }
  return out;
}

std::string random_numeric_id(Random& random, size_t length) {
  if (length == 0) return {};
  return random_text(random, kDigits.substr(1), 1) + random_text(random, kDigits, length - 1);
}

}  // namespace ossd::iam
