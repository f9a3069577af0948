#include "crypto/secure_random.hpp"

#include <openssl/rand.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

namespace ossd::crypto {

void SecureRandom::fill(std::span<unsigned char> out) {
  while (!out.empty()) {
    int chunk = out.size() > static_cast<std::size_t>(INT_MAX) ? INT_MAX : static_cast<int>(out.size());
    if (RAND_bytes(out.data(), chunk) != 1) {
      std::fputs("ossd: RAND_bytes failed; refusing to continue without a working CSPRNG\n", stderr);
      std::abort();
    }
    out = out.subspan(static_cast<std::size_t>(chunk));
  }
}

}  // namespace ossd::crypto
