#pragma once
// The production Random: the OpenSSL CSPRNG. Used for request ids, upload
// ids, access key secrets and token nonces.
#include "core/random.hpp"

namespace ossd::crypto {

class SecureRandom final : public ossd::Random {
 public:
  // Aborts the process if the CSPRNG cannot produce bytes: continuing with
  // predictable secrets would be worse than stopping.
  void fill(std::span<unsigned char> out) override;
};

}  // namespace ossd::crypto
