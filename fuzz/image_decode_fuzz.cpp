// libFuzzer target for the image decode path under ASan: mutated image files go
// through ImageProcessor with small limits. Every input must come back as an
// image, a JSON answer or an InvalidArgument error; never a crash, a leak of
// control, or another error code. The first byte picks the action chain so the
// fuzzer reaches the loaders with shrink-on-load, random access and the JSON
// answers; the rest is the file. Seeds: fuzz/corpus/image_decode/ (tiny JPEG,
// PNG, GIF, WebP, TIFF, BMP, AVIF files, each prefixed with a chain byte).
//
// Build (clang 14), from the repository root:
//   clang++-14 -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -Isrc \
//     $(pkg-config --cflags vips-cpp) fuzz/image_decode_fuzz.cpp src/image/*.cpp \
//     src/core/strings.cpp src/crypto/base64.cpp $(pkg-config --libs vips-cpp) -lcrypto \
//     -o image_decode_fuzz
//   ASAN_OPTIONS=detect_leaks=0 ./image_decode_fuzz -max_len=65536 -rss_limit_mb=4096 \
//     fuzz/corpus/image_decode
// (glib and libvips keep process-lifetime caches that LeakSanitizer reports.)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "image/processor.hpp"

namespace {

struct Harness {
  std::vector<ossd::image::ProcessSpec> chains;
  ossd::image::ImageProcessor processor;

  Harness() : processor(limits()) {
    for (const char* text :
         {"image/resize,w_64", "image/info", "image/average-hue", "image/resize,m_fill,w_32,h_32/format,png",
          "image/rotate,90/format,webp", "image/crop,w_16,h_16,g_center/circle,r_8/format,png",
          "image/auto-orient,1/flip,2", "image/blur,r_3,s_2/sharpen,100/format,jpg"}) {
      chains.push_back(std::move(*ossd::image::parse_process(text)));
    }
  }

  static ossd::image::ImageLimits limits() {
    ossd::image::ImageLimits limits;
    limits.max_source_bytes = 1 << 20;
    limits.max_side = 4096;
    limits.max_pixels = 4'000'000;
    limits.max_output_side = 4096;
    return limits;
  }
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  if (!ossd::image::initialize_image_library((*argv)[0]).ok()) std::abort();
  (void)argc;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness harness;
  if (size < 1) return 0;
  const auto& spec = harness.chains[data[0] % harness.chains.size()];
  std::string_view source(reinterpret_cast<const char*>(data + 1), size - 1);
  auto loader = [](const std::string&) -> ossd::Result<std::string> { return ossd::Error(ossd::ErrorCode::NoSuchKey); };
  auto result = harness.processor.process(source, spec, loader);
  if (!result.ok()) {
    if (result.error().code != ossd::ErrorCode::InvalidArgument) std::abort();
    return 0;
  }
  if (result->body.empty() || result->content_type.empty()) std::abort();
  return 0;
}
