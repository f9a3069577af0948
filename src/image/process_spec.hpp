#pragma once
// The x-oss-process parser (spec §9): pure, no libvips. Turns
//   image/resize,m_fill,w_200,h_100/format,webp|sys/saveas,o_<b64>,b_<b64>
// or
//   style/<name>[|sys/saveas,...]
// into a ProcessSpec whose actions are checked against every range of the spec, and a
// canonical text (`normalized`) that serves as cache key: two strings with the same
// meaning ("resize,w_200" and "resize,limit_1,w_0200,m_lfit") normalize identically.
//
// Errors are InvalidArgument with an OSS-like message naming the action, parameter
// and value, e.g. "The resize parameter w_0 is out of range [1, 16384].".
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.hpp"

namespace ossd::image {

struct ProcessLimits {
  size_t max_text = 4096;   // whole process string, checked before any parsing
  size_t max_actions = 32;  // actions in one spec (a nested watermark spec counts separately)
};

struct ProcessSpec;

struct Color {
  uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Color&) const = default;
};

// Anchor for crop and watermark placement (OSS g_ values).
enum class Gravity { NorthWest, North, NorthEast, West, Center, East, SouthWest, South, SouthEast };

enum class ResizeMode { Lfit, Mfit, Fill, Pad, Fixed };

enum class ImageFormat { Jpg, Png, Webp, Bmp, Gif, Tiff, Heic, Avif };

struct ResizeAction {
  ResizeMode mode = ResizeMode::Lfit;
  std::optional<uint32_t> w, h;  // 1..16384
  std::optional<uint32_t> l, s;  // longer / shorter side, 1..16384
  std::optional<uint32_t> p;     // percent 1..1000
  std::optional<uint32_t> P;     // percent of the main image, 1..100 (watermark image specs only)
  bool limit = true;             // limit_1: never enlarge
  Color color{255, 255, 255};    // pad colour
};

struct CropAction {
  std::optional<uint32_t> w, h;  // default: to the edge of the image
  uint32_t x = 0, y = 0;         // offset from the gravity anchor
  Gravity gravity = Gravity::NorthWest;
};

struct IndexCropAction {
  bool along_x = true;  // x_ slices columns of width `length`; y_ slices rows
  uint32_t length = 1;
  uint32_t index = 0;  // 0-based; past the last slice -> image unchanged (as OSS)
};

struct CircleAction {
  uint32_t radius = 1;  // clamped to half the shorter side when processing
};

struct RoundedCornersAction {
  uint32_t radius = 1;  // 1..4096
};

struct RotateAction {
  uint32_t degrees = 0;  // 0..360, clockwise
};

struct AutoOrientAction {
  bool enabled = true;
};

struct FlipAction {
  // flip,0 top-bottom; flip,1 left-right; flip,2 both.
  bool vertical = false;
  bool horizontal = true;
};

struct FormatAction {
  ImageFormat format = ImageFormat::Jpg;
};

struct QualityAction {
  uint32_t value = 90;    // 1..100
  bool absolute = false;  // Q_ (absolute) vs q_ (relative)
};

struct InterlaceAction {
  bool progressive = true;
};

struct BlurAction {
  uint32_t radius = 1;  // 1..50
  uint32_t sigma = 1;   // 1..50
};

struct BrightAction {
  int32_t value = 0;  // -100..100
};

struct ContrastAction {
  int32_t value = 0;  // -100..100
};

struct SharpenAction {
  uint32_t value = 100;  // 50..399
};

struct WatermarkImage {
  std::string object;                       // decoded object key (same bucket)
  std::string process;                      // decoded nested process text ("image/resize,P_20"), empty if none
  std::shared_ptr<const ProcessSpec> spec;  // `process` parsed (never null when process is non-empty)
};

struct WatermarkText {
  std::string text;           // decoded UTF-8
  std::string font = "sans";  // decoded type_ (a fontconfig family name)
  Color color{0, 0, 0};
  uint32_t size = 40;   // 1..1000
  uint32_t shadow = 0;  // 0..100 (shadow opacity percent)
  uint32_t rotate = 0;  // 0..360 clockwise
  bool fill = false;    // tile over the whole image
};

struct WatermarkAction {
  uint32_t transparency = 100;  // t_ 0..100 (100 = opaque)
  Gravity gravity = Gravity::SouthEast;
  uint32_t x = 10, y = 10;  // margins 0..4096
  int32_t voffset = 0;      // -1000..1000, for west/center/east
  std::optional<WatermarkImage> image;
  std::optional<WatermarkText> text;
  uint32_t P = 0;         // image size as percent of the main image (1..100), 0 = unset
  uint32_t order = 0;     // image+text: 0 image first, 1 text first
  uint32_t align = 2;     // image+text: 0 top, 1 centre, 2 bottom
  uint32_t interval = 0;  // image+text spacing 0..1000
};

struct InfoAction {};
struct AverageHueAction {};

using Action = std::variant<ResizeAction, CropAction, IndexCropAction, CircleAction, RoundedCornersAction, RotateAction,
                            AutoOrientAction, FlipAction, FormatAction, QualityAction, InterlaceAction, BlurAction,
                            BrightAction, ContrastAction, SharpenAction, WatermarkAction, InfoAction, AverageHueAction>;

struct SaveAs {
  std::string object;  // decoded from o_
  std::string bucket;  // decoded from b_; empty = the source object's bucket
};

struct ProcessSpec {
  std::optional<std::string> style;  // "style/<name>": the caller loads the style text and parses it again
  std::vector<Action> actions;       // applied left to right
  std::optional<SaveAs> save_as;     // "...|sys/saveas,o_..,b_.."
  std::string normalized;            // canonical text of `actions` (cache key): same meaning -> same string
  bool produces_json() const;        // info / average-hue
};

Result<ProcessSpec> parse_process(std::string_view text, const ProcessLimits& limits = {});

// Canonical names, shared with the processor's messages and the info JSON.
std::string_view format_name(ImageFormat format);  // "jpg", "png", ...
std::string_view gravity_name(Gravity gravity);    // "nw", "north", ...

}  // namespace ossd::image
