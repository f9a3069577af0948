#pragma once
// ImageProcessor: runs a parsed ProcessSpec (process_spec.hpp) over one source image with
// libvips 8.14. The only place libvips is used (its headers stay in processor.cpp).
//
// Safety: the source size is checked first; then only the header is read and the image is
// refused by width, height, pixels (times frames for animations) BEFORE any decoding, so a
// decompression bomb costs milliseconds. Untrusted loaders (ImageMagick, PDF, SVG, ...) are
// blocked process-wide; a downscaling first resize decodes with shrink-on-load.
//
// Formats with the Debian 12 libvips 8.14.1 build (each checked by tests/unit/image_processor_test.cpp):
//   input:  jpg, png, webp, gif, tiff, heic and avif (libheif), bmp (ImageMagick's loader, reached
//           only by buffers that start with "BM"; every other untrusted loader stays blocked).
//   output: jpg, png, webp, gif (cgif), tiff (deflate), bmp (ImageMagick's saver),
//           heic (heifsave, HEVC) and avif (heifsave, AV1 at effort 2): all eight of spec §9.
// Output format = source format unless a `format,` action says otherwise; jpg and bmp outputs
// are flattened on white, the others keep alpha.
//
// Semantics worth knowing (OSS behaviour where the docs say, else the stated choice):
// - Animated GIF/WebP: every frame counts toward max_pixels, but only the first frame is
//   processed and written (the result is a still image).
// - info describes the stored object from its header alone (no decode); actions before it
//   are ignored. average-hue is the mean of the image after the actions before it. Actions
//   after the first info/average-hue are ignored.
// - quality: libvips cannot read a JPEG's original quality, so q_ (relative) acts like Q_.
// - Default encoder quality 85 for jpg/webp/heic/avif.
// - Errors: InvalidArgument for every bad input ("The image format is not supported.",
//   "The image is corrupted.", limits); the object loader's own errors pass through.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "image/process_spec.hpp"

namespace ossd::image {

struct ImageLimits {
  uint64_t max_source_bytes = 20ull << 20;
  uint32_t max_side = 30000;
  uint64_t max_pixels = 250'000'000;  // width*height*frames
  uint32_t max_output_side = 16384;
};

struct ProcessedImage {
  std::string body;
  std::string content_type;  // "image/jpeg", "application/json", ...
  std::string format;        // "jpg", "png", ..., "json"
  uint32_t width = 0;        // output size (0 for JSON answers)
  uint32_t height = 0;
};

// Loads the bytes of another object of the same bucket for an image watermark; the caller has
// already checked the request may read it. Errors pass through (e.g. NoSuchKey -> the caller maps to 400).
using ObjectLoader = std::function<Result<std::string>(const std::string& key)>;

// Once per process, before any processing: VIPS_INIT, vips_block_untrusted_set(TRUE), operation
// cache off (vips_cache_set_max(0)), vips_concurrency_set(1) (the caller runs images on its own
// pool), leak check off. Idempotent: later calls return the first call's status.
Status initialize_image_library(const char* argv0);

class ImageProcessor {
 public:
  explicit ImageProcessor(ImageLimits limits);
  // Blocking; thread-safe (many pool threads call it at once). source = the whole object.
  Result<ProcessedImage> process(std::string_view source, const ProcessSpec& spec,
                                 const ObjectLoader& load_object) const;

  const ImageLimits& limits() const { return limits_; }

 private:
  ImageLimits limits_;
};

}  // namespace ossd::image
