#pragma once
// Randomness is a parameter (DESIGN rule 1): ids and secrets come from a
// Random the composition root supplies; tests can pass a seeded one.
#include <cstddef>
#include <span>
#include <string>

namespace ossd {

class Random {
 public:
  virtual ~Random() = default;
  virtual void fill(std::span<unsigned char> out) = 0;

  // nbytes random bytes as 2*nbytes lower-case hex characters.
  std::string hex(std::size_t nbytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string bytes(nbytes, '\0');
    fill({reinterpret_cast<unsigned char*>(bytes.data()), nbytes});
    std::string out(2 * nbytes, '0');
    for (std::size_t i = 0; i < nbytes; ++i) {
      auto b = static_cast<unsigned char>(bytes[i]);
      out[2 * i] = digits[b >> 4];
      out[2 * i + 1] = digits[b & 15];
    }
    return out;
  }
};

}  // namespace ossd
