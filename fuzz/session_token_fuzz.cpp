// libFuzzer target: open_session_token() on arbitrary text with a fixed key
// ring. Nothing may crash, hang or read out of bounds, and anything that
// opens must be a token of this ring whose claims survive a re-seal.
//
// Build (standalone, from the repository root):
//   clang++-14 -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -Isrc
//     fuzz/session_token_fuzz.cpp src/auth/session_token.cpp src/crypto/aead.cpp
//     src/crypto/base64.cpp src/core/strings.cpp -lcrypto -o session_token_fuzz
//   ./session_token_fuzz fuzz/corpus/session_token
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/session_token.hpp"

namespace {

const ossd::auth::TokenKeyRing& fixed_ring() {
  static const ossd::auth::TokenKeyRing ring{
      {{"k1", std::string(32, '\x11')}, {"k2", std::string(32, '\x22')}},
      "k2",
  };
  return ring;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view token(reinterpret_cast<const char*>(data), size);
  ossd::Result<ossd::auth::SessionClaims> opened = ossd::auth::open_session_token(token, fixed_ring());
  if (!opened.ok()) {
    if (opened.error().code != ossd::ErrorCode::InvalidSecurityToken) __builtin_trap();
    return 0;
  }
  if (size == 0 || size > ossd::auth::kMaxSessionTokenBytes || !token.starts_with("CAIS")) __builtin_trap();
  // Whatever opened can be sealed again and opens to the same claims.
  ossd::Result<std::string> resealed = ossd::auth::seal_session_token(*opened, fixed_ring(), "fuzz-nonce-1");
  if (resealed.ok()) {
    ossd::Result<ossd::auth::SessionClaims> again = ossd::auth::open_session_token(*resealed, fixed_ring());
    if (!again.ok() || again->access_key_id != opened->access_key_id ||
        again->session_policy != opened->session_policy || again->expiration != opened->expiration) {
      __builtin_trap();
    }
  }
  (void)ossd::auth::check_session(*opened, opened->access_key_id, opened->issued);
  return 0;
}
