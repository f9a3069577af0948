#include "crypto/crc64.hpp"

#include <isa-l/crc64.h>

#include <array>

namespace ossd::crypto {

uint64_t crc64_update(uint64_t crc, std::span<const char> data) {
  return crc64_ecma_refl(crc, reinterpret_cast<const unsigned char*>(data.data()), data.size());
}

namespace {

// GF(2) 64x64 matrices as 64 column vectors; the combine works by applying the
// "append len_b zero bytes" operator to crc_a (the zlib crc32_combine method,
// for the reflected ECMA-182 polynomial).
using Matrix = std::array<uint64_t, 64>;
constexpr uint64_t kReflectedPoly = 0xC96C5795D7870F42ULL;

uint64_t times(const Matrix& m, uint64_t vec) {
  uint64_t sum = 0;
  for (int i = 0; vec != 0; ++i, vec >>= 1) {
    if (vec & 1) sum ^= m[i];
  }
  return sum;
}

void square(Matrix& out, const Matrix& m) {
  for (int i = 0; i < 64; ++i) out[i] = times(m, m[i]);
}

}  // namespace

uint64_t crc64_combine(uint64_t crc_a, uint64_t crc_b, uint64_t len_b) {
  if (len_b == 0) return crc_a;
  Matrix odd{};
  Matrix even{};
  odd[0] = kReflectedPoly;  // operator for one zero bit
  uint64_t row = 1;
  for (int i = 1; i < 64; ++i) {
    odd[i] = row;
    row <<= 1;
  }
  square(even, odd);  // two zero bits
  square(odd, even);  // four zero bits
  // The pre/post inversion of CRC-64/XZ cancels out in this construction,
  // exactly as for CRC-32 in zlib.
  do {
    square(even, odd);
    if (len_b & 1) crc_a = times(even, crc_a);
    len_b >>= 1;
    if (len_b == 0) break;
    square(odd, even);
    if (len_b & 1) crc_a = times(odd, crc_a);
    len_b >>= 1;
  } while (len_b != 0);
  return crc_a ^ crc_b;
}

}  // namespace ossd::crypto
