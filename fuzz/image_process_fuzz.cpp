// libFuzzer target for the x-oss-process parser: any byte string fed to
// image::parse_process() must come back as a ProcessSpec or an InvalidArgument
// error (never a crash, hang or other code), and every accepted spec's
// canonical text must parse again to the same canonical text.
// Seeds: fuzz/corpus/image_process/.
//
// Build (clang 14), from the repository root:
//   clang++-14 -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -Isrc \
//     fuzz/image_process_fuzz.cpp src/image/process_spec.cpp src/core/strings.cpp \
//     src/crypto/base64.cpp -lcrypto -o image_process_fuzz
//   ./image_process_fuzz -max_len=8192 fuzz/corpus/image_process
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "image/process_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ossd;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto spec = image::parse_process(text);
  if (!spec.ok()) {
    if (spec.error().code != ErrorCode::InvalidArgument || spec.error().message.empty()) std::abort();
    return 0;
  }
  if (spec->style) {
    if (!spec->actions.empty()) std::abort();
    return 0;
  }
  if (spec->actions.empty() || spec->normalized.empty()) std::abort();
  if (text.size() > image::ProcessLimits{}.max_text) std::abort();
  // The canonical text may be longer than the input (defaults spelled out), so parse it
  // without the length limit; it must be a fixed point.
  image::ProcessLimits roomy;
  roomy.max_text = 1 << 20;
  auto again = image::parse_process(spec->normalized, roomy);
  if (!again.ok() || again->normalized != spec->normalized) std::abort();
  return 0;
}
