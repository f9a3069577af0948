#include "image/process_spec.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <type_traits>

#include "core/strings.hpp"
#include "crypto/base64.hpp"

namespace ossd::image {
namespace {

constexpr uint32_t kMaxSide = 16384;            // resize w/h/l/s (spec §9)
constexpr uint32_t kMaxCoordinate = 30000;      // crop / indexcrop: no image is larger than the source limit
constexpr size_t kMaxTextWatermarkBase64 = 64;  // OSS: text_ is at most 64 base64 characters
constexpr size_t kMaxKeyBytes = 1023;
constexpr size_t kMaxFontBase64 = 128;
// A watermark image's own process string may not hold another watermark, so nesting stops at one level.
constexpr int kMaxNestingDepth = 1;

Error invalid(std::string message) { return Error(ErrorCode::InvalidArgument, std::move(message)); }

std::string range_text(int64_t lo, int64_t hi) { return "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]"; }

// URL-safe base64 as OSS uses it: '-' and '_' for '+' and '/', padding optional.
std::optional<std::string> decode_url_safe_base64(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::string standard(text);
  for (char& c : standard) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
  }
  if (standard.size() % 4 == 1) return std::nullopt;
  while (standard.size() % 4 != 0) standard.push_back('=');
  return crypto::base64_decode(standard);
}

std::string encode_url_safe_base64(std::string_view bytes) {
  std::string text = crypto::base64_encode(bytes);
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (char& c : text) {
    if (c == '+') c = '-';
    else if (c == '/') c = '_';
  }
  return text;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(separator, start);
    if (end == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

std::optional<int64_t> parse_integer(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  size_t start = (text[0] == '-') ? 1 : 0;
  if (start == text.size()) return std::nullopt;
  for (size_t i = start; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<Gravity> parse_gravity(std::string_view text) {
  for (auto g : {Gravity::NorthWest, Gravity::North, Gravity::NorthEast, Gravity::West, Gravity::Center, Gravity::East,
                 Gravity::SouthWest, Gravity::South, Gravity::SouthEast}) {
    if (gravity_name(g) == text) return g;
  }
  return std::nullopt;
}

std::optional<ImageFormat> parse_format(std::string_view text) {
  for (auto f : {ImageFormat::Jpg, ImageFormat::Png, ImageFormat::Webp, ImageFormat::Bmp, ImageFormat::Gif,
                 ImageFormat::Tiff, ImageFormat::Heic, ImageFormat::Avif}) {
    if (format_name(f) == text) return f;
  }
  if (text == "jpeg") return ImageFormat::Jpg;
  return std::nullopt;
}

std::string_view mode_name(ResizeMode mode) {
  switch (mode) {
    case ResizeMode::Lfit: return "lfit";
    case ResizeMode::Mfit: return "mfit";
    case ResizeMode::Fill: return "fill";
    case ResizeMode::Pad: return "pad";
    case ResizeMode::Fixed: return "fixed";
  }
  return "lfit";
}

std::optional<ResizeMode> parse_mode(std::string_view text) {
  for (auto m : {ResizeMode::Lfit, ResizeMode::Mfit, ResizeMode::Fill, ResizeMode::Pad, ResizeMode::Fixed}) {
    if (mode_name(m) == text) return m;
  }
  return std::nullopt;
}

std::string color_text(Color c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (uint8_t v : {c.r, c.g, c.b}) {
    out.push_back(kHex[v >> 4]);
    out.push_back(kHex[v & 15]);
  }
  return out;
}

std::optional<Color> parse_color(std::string_view text) {
  if (text.size() != 6) return std::nullopt;
  auto bytes = hex_decode(text);
  if (!bytes) return std::nullopt;
  return Color{static_cast<uint8_t>((*bytes)[0]), static_cast<uint8_t>((*bytes)[1]), static_cast<uint8_t>((*bytes)[2])};
}

// Font names go into a Pango font description; keep them to characters that cannot change
// its meaning (no size, weight or option syntax smuggled in).
bool is_safe_font_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' || c == '-' ||
           c == '_';
  });
}

// The parameters of one action: "w_200" -> name "w", value "200".
struct Param {
  std::string_view name;
  std::string_view value;
  std::string_view raw;
};

// Parses one action's parameters, producing the OSS-like messages.
class ActionParser {
 public:
  explicit ActionParser(std::string_view action) : action_(action) {}

  Error unsupported(const Param& p) const {
    return invalid("The " + std::string(action_) + " parameter '" + std::string(p.raw) + "' is not supported.");
  }
  Error bad_value(const Param& p) const {
    return invalid("The " + std::string(action_) + " parameter " + std::string(p.raw) + " is invalid.");
  }
  Error missing(std::string_view what) const {
    return invalid("The " + std::string(action_) + " action requires " + std::string(what) + ".");
  }

  Result<int64_t> integer(const Param& p, int64_t lo, int64_t hi) const {
    auto value = parse_integer(p.value);
    if (!value) {
      return invalid("The " + std::string(action_) + " parameter " + std::string(p.raw) + " is not a valid number.");
    }
    if (*value < lo || *value > hi) {
      return invalid("The " + std::string(action_) + " parameter " + std::string(p.raw) + " is out of range " +
                     range_text(lo, hi) + ".");
    }
    return *value;
  }
  Result<uint32_t> unsigned_in(const Param& p, uint32_t lo, uint32_t hi) const {
    auto value = integer(p, lo, hi);
    if (!value) return std::move(value).error();
    return static_cast<uint32_t>(*value);
  }
  Result<int32_t> signed_in(const Param& p, int32_t lo, int32_t hi) const {
    auto value = integer(p, lo, hi);
    if (!value) return std::move(value).error();
    return static_cast<int32_t>(*value);
  }
  Result<bool> flag(const Param& p) const {
    auto value = integer(p, 0, 1);
    if (!value) return std::move(value).error();
    return *value == 1;
  }

 private:
  std::string_view action_;
};

// Splits "k_v" parameters; a parameter without '_' is an error for actions that take named parameters.
Result<std::vector<Param>> named_params(std::string_view action, const std::vector<std::string_view>& tokens) {
  std::vector<Param> params;
  for (size_t i = 1; i < tokens.size(); ++i) {
    std::string_view token = tokens[i];
    size_t underscore = token.find('_');
    if (token.empty() || underscore == std::string_view::npos || underscore == 0) {
      return invalid("The " + std::string(action) + " parameter '" + std::string(token) + "' is invalid.");
    }
    params.push_back(Param{token.substr(0, underscore), token.substr(underscore + 1), token});
  }
  return params;
}

#define OSSD_TRY_ASSIGN(target, expr) \
  do { \
    auto ossd_try_value = (expr); \
    if (!ossd_try_value) return std::move(ossd_try_value).error(); \
    (target) = std::move(*ossd_try_value); \
  } while (false)

Result<ProcessSpec> parse_image_actions(std::string_view body, const ProcessLimits& limits, int depth);

Result<Action> parse_resize(const std::vector<std::string_view>& tokens, int depth) {
  ActionParser ap("resize");
  std::vector<Param> params;
  OSSD_TRY_ASSIGN(params, named_params("resize", tokens));
  ResizeAction r;
  for (const auto& p : params) {
    if (p.name == "m") {
      auto mode = parse_mode(p.value);
      if (!mode) return ap.bad_value(p);
      r.mode = *mode;
    } else if (p.name == "w") {
      OSSD_TRY_ASSIGN(r.w, ap.unsigned_in(p, 1, kMaxSide));
    } else if (p.name == "h") {
      OSSD_TRY_ASSIGN(r.h, ap.unsigned_in(p, 1, kMaxSide));
    } else if (p.name == "l") {
      OSSD_TRY_ASSIGN(r.l, ap.unsigned_in(p, 1, kMaxSide));
    } else if (p.name == "s") {
      OSSD_TRY_ASSIGN(r.s, ap.unsigned_in(p, 1, kMaxSide));
    } else if (p.name == "p") {
      OSSD_TRY_ASSIGN(r.p, ap.unsigned_in(p, 1, 1000));
    } else if (p.name == "P" && depth > 0) {
      OSSD_TRY_ASSIGN(r.P, ap.unsigned_in(p, 1, 100));
    } else if (p.name == "limit") {
      OSSD_TRY_ASSIGN(r.limit, ap.flag(p));
    } else if (p.name == "color") {
      auto color = parse_color(p.value);
      if (!color) return ap.bad_value(p);
      r.color = *color;
    } else {
      return ap.unsupported(p);
    }
  }
  if (!r.w && !r.h && !r.l && !r.s && !r.p && !r.P) {
    return ap.missing(depth > 0 ? "one of w, h, l, s, p or P" : "one of w, h, l, s or p");
  }
  // OSS: fill, pad and fixed with one side only make a square box.
  if (r.mode == ResizeMode::Fill || r.mode == ResizeMode::Pad || r.mode == ResizeMode::Fixed) {
    if (r.w && !r.h) r.h = r.w;
    if (r.h && !r.w) r.w = r.h;
  }
  // Sides win over the percentage, and w/h over l/s: drop what cannot take effect so
  // that the normalized text has one spelling per meaning.
  if (r.w || r.h) {
    r.l.reset();
    r.s.reset();
  }
  if (r.w || r.h || r.l || r.s) r.p.reset();
  if (r.w || r.h || r.l || r.s || r.p) r.P.reset();
  if (r.mode != ResizeMode::Pad) r.color = Color{255, 255, 255};
  return Action{r};
}

Result<Action> parse_crop(const std::vector<std::string_view>& tokens) {
  ActionParser ap("crop");
  std::vector<Param> params;
  OSSD_TRY_ASSIGN(params, named_params("crop", tokens));
  CropAction c;
  for (const auto& p : params) {
    if (p.name == "w") {
      OSSD_TRY_ASSIGN(c.w, ap.unsigned_in(p, 1, kMaxCoordinate));
    } else if (p.name == "h") {
      OSSD_TRY_ASSIGN(c.h, ap.unsigned_in(p, 1, kMaxCoordinate));
    } else if (p.name == "x") {
      OSSD_TRY_ASSIGN(c.x, ap.unsigned_in(p, 0, kMaxCoordinate));
    } else if (p.name == "y") {
      OSSD_TRY_ASSIGN(c.y, ap.unsigned_in(p, 0, kMaxCoordinate));
    } else if (p.name == "g") {
      auto g = parse_gravity(p.value);
      if (!g) return ap.bad_value(p);
      c.gravity = *g;
    } else {
      return ap.unsupported(p);
    }
  }
  return Action{c};
}

Result<Action> parse_indexcrop(const std::vector<std::string_view>& tokens) {
  ActionParser ap("indexcrop");
  std::vector<Param> params;
  OSSD_TRY_ASSIGN(params, named_params("indexcrop", tokens));
  IndexCropAction c;
  std::optional<uint32_t> x, y;
  for (const auto& p : params) {
    if (p.name == "x") {
      OSSD_TRY_ASSIGN(x, ap.unsigned_in(p, 1, kMaxCoordinate));
    } else if (p.name == "y") {
      OSSD_TRY_ASSIGN(y, ap.unsigned_in(p, 1, kMaxCoordinate));
    } else if (p.name == "i") {
      OSSD_TRY_ASSIGN(c.index, ap.unsigned_in(p, 0, kMaxCoordinate));
    } else {
      return ap.unsupported(p);
    }
  }
  if (x.has_value() == y.has_value()) return ap.missing("exactly one of x or y");
  c.along_x = x.has_value();
  c.length = x ? *x : *y;
  return Action{c};
}

Result<uint32_t> required_radius(std::string_view action, const std::vector<std::string_view>& tokens, uint32_t hi) {
  ActionParser ap(action);
  std::vector<Param> params;
  OSSD_TRY_ASSIGN(params, named_params(action, tokens));
  std::optional<uint32_t> radius;
  for (const auto& p : params) {
    if (p.name != "r") return ap.unsupported(p);
    OSSD_TRY_ASSIGN(radius, ap.unsigned_in(p, 1, hi));
  }
  if (!radius) return ap.missing("r");
  return *radius;
}

// Actions written "<action>,<value>" (rotate,90 / bright,50 / format,png).
Result<std::string_view> single_value(std::string_view action, const std::vector<std::string_view>& tokens) {
  if (tokens.size() != 2 || tokens[1].empty()) {
    return invalid("The " + std::string(action) + " action takes exactly one value.");
  }
  return tokens[1];
}

Result<int64_t> single_number(std::string_view action, const std::vector<std::string_view>& tokens, int64_t lo,
                              int64_t hi) {
  std::string_view value;
  OSSD_TRY_ASSIGN(value, single_value(action, tokens));
  auto number = parse_integer(value);
  if (!number) {
    return invalid("The " + std::string(action) + " value " + std::string(value) + " is not a valid number.");
  }
  if (*number < lo || *number > hi) {
    return invalid("The " + std::string(action) + " value " + std::string(value) + " is out of range " +
                   range_text(lo, hi) + ".");
  }
  return *number;
}

Result<Action> parse_quality(const std::vector<std::string_view>& tokens) {
  ActionParser ap("quality");
  std::vector<Param> params;
  OSSD_TRY_ASSIGN(params, named_params("quality", tokens));
  std::optional<QualityAction> q;
  for (const auto& p : params) {
    if (p.name != "q" && p.name != "Q") return ap.unsupported(p);
    if (q) return invalid("The quality action takes only one of q or Q.");
    uint32_t value = 0;
    OSSD_TRY_ASSIGN(value, ap.unsigned_in(p, 1, 100));
    q = QualityAction{value, p.name == "Q"};
  }
  if (!q) return ap.missing("q or Q");
  return Action{*q};
}

Result<Action> parse_blur(const std::vector<std::string_view>& tokens) {
  ActionParser ap("blur");
  std::vector<Param> params;
  OSSD_TRY_ASSIGN(params, named_params("blur", tokens));
  std::optional<uint32_t> radius, sigma;
  for (const auto& p : params) {
    if (p.name == "r") {
      OSSD_TRY_ASSIGN(radius, ap.unsigned_in(p, 1, 50));
    } else if (p.name == "s") {
      OSSD_TRY_ASSIGN(sigma, ap.unsigned_in(p, 1, 50));
    } else {
      return ap.unsupported(p);
    }
  }
  if (!radius || !sigma) return ap.missing("r and s");
  return Action{BlurAction{*radius, *sigma}};
}

// "object[?x-oss-process=image/...]" inside a watermark's image_ parameter.
Result<WatermarkImage> parse_watermark_image(const ActionParser& ap, const Param& p, const ProcessLimits& limits,
                                             int depth) {
  auto decoded = decode_url_safe_base64(p.value);
  if (!decoded) return ap.bad_value(p);
  WatermarkImage image;
  constexpr std::string_view kProcessMarker = "?x-oss-process=";
  size_t marker = decoded->find(kProcessMarker);
  image.object = decoded->substr(0, marker);
  if (marker != std::string::npos) image.process = decoded->substr(marker + kProcessMarker.size());
  if (image.object.empty() || image.object.size() > kMaxKeyBytes || !is_valid_utf8(image.object)) {
    return invalid("The watermark image object name is invalid.");
  }
  if (marker != std::string::npos) {
    if (depth + 1 > kMaxNestingDepth) return invalid("The watermark image process is nested too deeply.");
    constexpr std::string_view kImagePrefix = "image/";
    if (image.process.compare(0, kImagePrefix.size(), kImagePrefix) != 0) {
      return invalid("The watermark image process must start with image/.");
    }
    auto nested = parse_image_actions(std::string_view(image.process).substr(kImagePrefix.size()), limits, depth + 1);
    if (!nested) return std::move(nested).error();
    image.spec = std::make_shared<const ProcessSpec>(std::move(*nested));
  }
  return image;
}

Result<Action> parse_watermark(const std::vector<std::string_view>& tokens, const ProcessLimits& limits, int depth) {
  ActionParser ap("watermark");
  std::vector<Param> params;
  OSSD_TRY_ASSIGN(params, named_params("watermark", tokens));
  WatermarkAction w;
  WatermarkText text;
  bool has_text = false;
  for (const auto& p : params) {
    if (p.name == "t") {
      OSSD_TRY_ASSIGN(w.transparency, ap.unsigned_in(p, 0, 100));
    } else if (p.name == "g") {
      auto g = parse_gravity(p.value);
      if (!g) return ap.bad_value(p);
      w.gravity = *g;
    } else if (p.name == "x") {
      OSSD_TRY_ASSIGN(w.x, ap.unsigned_in(p, 0, 4096));
    } else if (p.name == "y") {
      OSSD_TRY_ASSIGN(w.y, ap.unsigned_in(p, 0, 4096));
    } else if (p.name == "voffset") {
      OSSD_TRY_ASSIGN(w.voffset, ap.signed_in(p, -1000, 1000));
    } else if (p.name == "P") {
      OSSD_TRY_ASSIGN(w.P, ap.unsigned_in(p, 1, 100));
    } else if (p.name == "order") {
      OSSD_TRY_ASSIGN(w.order, ap.unsigned_in(p, 0, 1));
    } else if (p.name == "align") {
      OSSD_TRY_ASSIGN(w.align, ap.unsigned_in(p, 0, 2));
    } else if (p.name == "interval") {
      OSSD_TRY_ASSIGN(w.interval, ap.unsigned_in(p, 0, 1000));
    } else if (p.name == "image") {
      OSSD_TRY_ASSIGN(w.image, parse_watermark_image(ap, p, limits, depth));
    } else if (p.name == "text") {
      if (p.value.size() > kMaxTextWatermarkBase64) {
        return invalid("The watermark parameter text is longer than " + std::to_string(kMaxTextWatermarkBase64) +
                       " base64 characters.");
      }
      auto decoded = decode_url_safe_base64(p.value);
      if (!decoded || decoded->empty() || !is_valid_utf8(*decoded)) return ap.bad_value(p);
      text.text = std::move(*decoded);
      has_text = true;
    } else if (p.name == "type") {
      auto decoded = p.value.size() <= kMaxFontBase64 ? decode_url_safe_base64(p.value) : std::nullopt;
      if (!decoded || !is_safe_font_name(*decoded)) return ap.bad_value(p);
      text.font = std::move(*decoded);
    } else if (p.name == "color") {
      auto color = parse_color(p.value);
      if (!color) return ap.bad_value(p);
      text.color = *color;
    } else if (p.name == "size") {
      OSSD_TRY_ASSIGN(text.size, ap.unsigned_in(p, 1, 1000));
    } else if (p.name == "shadow") {
      OSSD_TRY_ASSIGN(text.shadow, ap.unsigned_in(p, 0, 100));
    } else if (p.name == "rotate") {
      OSSD_TRY_ASSIGN(text.rotate, ap.unsigned_in(p, 0, 360));
    } else if (p.name == "fill") {
      OSSD_TRY_ASSIGN(text.fill, ap.flag(p));
    } else {
      return ap.unsupported(p);
    }
  }
  if (has_text) w.text = std::move(text);
  if (!w.text && !w.image) return ap.missing("text or image");
  return Action{std::move(w)};
}

Result<Action> parse_action(std::string_view segment, const ProcessLimits& limits, int depth) {
  auto tokens = split(segment, ',');
  std::string_view name = tokens[0];
  auto no_params = [&](Action action) -> Result<Action> {
    if (tokens.size() > 1) return invalid("The " + std::string(name) + " action takes no parameters.");
    return action;
  };
  if (name == "resize") return parse_resize(tokens, depth);
  if (name == "crop") return parse_crop(tokens);
  if (name == "indexcrop") return parse_indexcrop(tokens);
  if (name == "circle") {
    auto r = required_radius("circle", tokens, kMaxSide);
    if (!r) return std::move(r).error();
    return Action{CircleAction{*r}};
  }
  if (name == "rounded-corners") {
    auto r = required_radius("rounded-corners", tokens, 4096);
    if (!r) return std::move(r).error();
    return Action{RoundedCornersAction{*r}};
  }
  if (name == "rotate") {
    auto v = single_number("rotate", tokens, 0, 360);
    if (!v) return std::move(v).error();
    return Action{RotateAction{static_cast<uint32_t>(*v)}};
  }
  if (name == "auto-orient") {
    auto v = single_number("auto-orient", tokens, 0, 1);
    if (!v) return std::move(v).error();
    return Action{AutoOrientAction{*v == 1}};
  }
  if (name == "flip") {
    auto v = single_number("flip", tokens, 0, 2);
    if (!v) return std::move(v).error();
    return Action{FlipAction{*v == 0 || *v == 2, *v == 1 || *v == 2}};
  }
  if (name == "format") {
    auto v = single_value("format", tokens);
    if (!v) return std::move(v).error();
    auto format = parse_format(*v);
    if (!format) return invalid("The format " + std::string(*v) + " is not supported.");
    return Action{FormatAction{*format}};
  }
  if (name == "quality") return parse_quality(tokens);
  if (name == "interlace") {
    auto v = single_number("interlace", tokens, 0, 1);
    if (!v) return std::move(v).error();
    return Action{InterlaceAction{*v == 1}};
  }
  if (name == "blur") return parse_blur(tokens);
  if (name == "bright") {
    auto v = single_number("bright", tokens, -100, 100);
    if (!v) return std::move(v).error();
    return Action{BrightAction{static_cast<int32_t>(*v)}};
  }
  if (name == "contrast") {
    auto v = single_number("contrast", tokens, -100, 100);
    if (!v) return std::move(v).error();
    return Action{ContrastAction{static_cast<int32_t>(*v)}};
  }
  if (name == "sharpen") {
    auto v = single_number("sharpen", tokens, 50, 399);
    if (!v) return std::move(v).error();
    return Action{SharpenAction{static_cast<uint32_t>(*v)}};
  }
  if (name == "watermark") return parse_watermark(tokens, limits, depth);
  if (name == "info") return no_params(InfoAction{});
  if (name == "average-hue") return no_params(AverageHueAction{});
  std::string shown(name.substr(0, 64));
  return invalid("The image action '" + shown + "' is not supported.");
}

// Actions a watermark image may apply to itself before it is placed.
bool allowed_in_watermark_image(const Action& action) {
  return std::holds_alternative<ResizeAction>(action) || std::holds_alternative<CropAction>(action) ||
         std::holds_alternative<IndexCropAction>(action) || std::holds_alternative<CircleAction>(action) ||
         std::holds_alternative<RoundedCornersAction>(action) || std::holds_alternative<RotateAction>(action) ||
         std::holds_alternative<AutoOrientAction>(action) || std::holds_alternative<FlipAction>(action) ||
         std::holds_alternative<BlurAction>(action) || std::holds_alternative<BrightAction>(action) ||
         std::holds_alternative<ContrastAction>(action) || std::holds_alternative<SharpenAction>(action);
}

std::string_view action_name(const Action& action) {
  static constexpr std::string_view kNames[] = {"resize",    "crop",        "indexcrop",  "circle",   "rounded-corners",
                                                "rotate",    "auto-orient", "flip",       "format",   "quality",
                                                "interlace", "blur",        "bright",     "contrast", "sharpen",
                                                "watermark", "info",        "average-hue"};
  static_assert(std::size(kNames) == std::variant_size_v<Action>);
  return kNames[action.index()];
}

// ---- canonical text ----

std::string normalize_action(const Action& action);

std::string normalize_actions(const std::vector<Action>& actions) {
  std::string out = "image";
  for (const auto& action : actions) {
    out += '/';
    out += normalize_action(action);
  }
  return out;
}

void append_optional(std::string& out, std::string_view name, const std::optional<uint32_t>& value) {
  if (value) out += "," + std::string(name) + "_" + std::to_string(*value);
}

std::string normalize_action(const Action& action) {
  return std::visit(
      [](const auto& a) -> std::string {
        using T = std::decay_t<decltype(a)>;
        std::string out;
        if constexpr (std::is_same_v<T, ResizeAction>) {
          out = "resize,m_" + std::string(mode_name(a.mode));
          append_optional(out, "w", a.w);
          append_optional(out, "h", a.h);
          append_optional(out, "l", a.l);
          append_optional(out, "s", a.s);
          append_optional(out, "p", a.p);
          append_optional(out, "P", a.P);
          out += ",limit_" + std::string(a.limit ? "1" : "0");
          if (a.mode == ResizeMode::Pad) out += ",color_" + color_text(a.color);
        } else if constexpr (std::is_same_v<T, CropAction>) {
          out = "crop";
          append_optional(out, "w", a.w);
          append_optional(out, "h", a.h);
          out +=
              ",x_" + std::to_string(a.x) + ",y_" + std::to_string(a.y) + ",g_" + std::string(gravity_name(a.gravity));
        } else if constexpr (std::is_same_v<T, IndexCropAction>) {
          out = std::string("indexcrop,") + (a.along_x ? "x_" : "y_") + std::to_string(a.length) + ",i_" +
                std::to_string(a.index);
        } else if constexpr (std::is_same_v<T, CircleAction>) {
          out = "circle,r_" + std::to_string(a.radius);
        } else if constexpr (std::is_same_v<T, RoundedCornersAction>) {
          out = "rounded-corners,r_" + std::to_string(a.radius);
        } else if constexpr (std::is_same_v<T, RotateAction>) {
          out = "rotate," + std::to_string(a.degrees);
        } else if constexpr (std::is_same_v<T, AutoOrientAction>) {
          out = std::string("auto-orient,") + (a.enabled ? "1" : "0");
        } else if constexpr (std::is_same_v<T, FlipAction>) {
          out = "flip," + std::string(a.vertical && a.horizontal ? "2" : a.horizontal ? "1" : "0");
        } else if constexpr (std::is_same_v<T, FormatAction>) {
          out = "format," + std::string(format_name(a.format));
        } else if constexpr (std::is_same_v<T, QualityAction>) {
          out = std::string("quality,") + (a.absolute ? "Q_" : "q_") + std::to_string(a.value);
        } else if constexpr (std::is_same_v<T, InterlaceAction>) {
          out = std::string("interlace,") + (a.progressive ? "1" : "0");
        } else if constexpr (std::is_same_v<T, BlurAction>) {
          out = "blur,r_" + std::to_string(a.radius) + ",s_" + std::to_string(a.sigma);
        } else if constexpr (std::is_same_v<T, BrightAction>) {
          out = "bright," + std::to_string(a.value);
        } else if constexpr (std::is_same_v<T, ContrastAction>) {
          out = "contrast," + std::to_string(a.value);
        } else if constexpr (std::is_same_v<T, SharpenAction>) {
          out = "sharpen," + std::to_string(a.value);
        } else if constexpr (std::is_same_v<T, WatermarkAction>) {
          out = "watermark,t_" + std::to_string(a.transparency) + ",g_" + std::string(gravity_name(a.gravity)) + ",x_" +
                std::to_string(a.x) + ",y_" + std::to_string(a.y) + ",voffset_" + std::to_string(a.voffset);
          if (a.image) {
            std::string source = a.image->object;
            if (a.image->spec) source += "?x-oss-process=" + a.image->spec->normalized;
            out += ",image_" + encode_url_safe_base64(source);
            if (a.P) out += ",P_" + std::to_string(a.P);
          }
          if (a.text) {
            out += ",text_" + encode_url_safe_base64(a.text->text) + ",type_" + encode_url_safe_base64(a.text->font) +
                   ",color_" + color_text(a.text->color) + ",size_" + std::to_string(a.text->size) + ",shadow_" +
                   std::to_string(a.text->shadow) + ",rotate_" + std::to_string(a.text->rotate) + ",fill_" +
                   (a.text->fill ? "1" : "0");
          }
          if (a.image && a.text) {
            out += ",order_" + std::to_string(a.order) + ",align_" + std::to_string(a.align) + ",interval_" +
                   std::to_string(a.interval);
          }
        } else if constexpr (std::is_same_v<T, InfoAction>) {
          out = "info";
        } else if constexpr (std::is_same_v<T, AverageHueAction>) {
          out = "average-hue";
        }
        return out;
      },
      action);
}

Result<ProcessSpec> parse_image_actions(std::string_view body, const ProcessLimits& limits, int depth) {
  ProcessSpec spec;
  for (std::string_view segment : split(body, '/')) {
    if (segment.empty()) continue;  // "image/resize,w_1/" : a trailing slash adds nothing
    if (spec.actions.size() >= limits.max_actions) {
      return invalid("The process has more than " + std::to_string(limits.max_actions) + " actions.");
    }
    auto action = parse_action(segment, limits, depth);
    if (!action) return std::move(action).error();
    if (depth > 0 && !allowed_in_watermark_image(*action)) {
      return invalid("The " + std::string(action_name(*action)) +
                     " action is not allowed in a watermark image process.");
    }
    spec.actions.push_back(std::move(*action));
  }
  if (spec.actions.empty()) return invalid("The image process has no action.");
  spec.normalized = normalize_actions(spec.actions);
  return spec;
}

Result<SaveAs> parse_save_as(std::string_view text) {
  constexpr std::string_view kPrefix = "sys/saveas";
  if (text.substr(0, kPrefix.size()) != kPrefix) {
    return invalid("The process suffix '" + std::string(text.substr(0, 32)) + "' is not supported.");
  }
  auto tokens = split(text.substr(kPrefix.size()), ',');
  if (!tokens[0].empty()) return invalid("The process suffix is not supported.");
  ActionParser ap("saveas");
  auto params = named_params("saveas", tokens);
  if (!params) return std::move(params).error();
  SaveAs save_as;
  bool has_object = false;
  for (const auto& p : *params) {
    auto decoded = decode_url_safe_base64(p.value);
    if (p.name == "o") {
      if (!decoded || decoded->empty() || decoded->size() > kMaxKeyBytes || !is_valid_utf8(*decoded)) {
        return ap.bad_value(p);
      }
      save_as.object = std::move(*decoded);
      has_object = true;
    } else if (p.name == "b") {
      if (!decoded || decoded->empty() || decoded->size() > 63) return ap.bad_value(p);
      save_as.bucket = std::move(*decoded);
    } else {
      return ap.unsupported(p);
    }
  }
  if (!has_object) return ap.missing("o");
  return save_as;
}

bool is_valid_style_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
  });
}

}  // namespace

std::string_view format_name(ImageFormat format) {
  switch (format) {
    case ImageFormat::Jpg: return "jpg";
    case ImageFormat::Png: return "png";
    case ImageFormat::Webp: return "webp";
    case ImageFormat::Bmp: return "bmp";
    case ImageFormat::Gif: return "gif";
    case ImageFormat::Tiff: return "tiff";
    case ImageFormat::Heic: return "heic";
    case ImageFormat::Avif: return "avif";
  }
  return "jpg";
}

std::string_view gravity_name(Gravity gravity) {
  switch (gravity) {
    case Gravity::NorthWest: return "nw";
    case Gravity::North: return "north";
    case Gravity::NorthEast: return "ne";
    case Gravity::West: return "west";
    case Gravity::Center: return "center";
    case Gravity::East: return "east";
    case Gravity::SouthWest: return "sw";
    case Gravity::South: return "south";
    case Gravity::SouthEast: return "se";
  }
  return "nw";
}

bool ProcessSpec::produces_json() const {
  return std::any_of(actions.begin(), actions.end(), [](const Action& a) {
    return std::holds_alternative<InfoAction>(a) || std::holds_alternative<AverageHueAction>(a);
  });
}

Result<ProcessSpec> parse_process(std::string_view text, const ProcessLimits& limits) {
  // Refuse oversized input before looking at it, so a 10 MB string costs nothing.
  if (text.size() > limits.max_text) {
    return invalid("The x-oss-process parameter is longer than " + std::to_string(limits.max_text) + " bytes.");
  }
  std::optional<SaveAs> save_as;
  size_t bar = text.find('|');
  if (bar != std::string_view::npos) {
    auto parsed = parse_save_as(text.substr(bar + 1));
    if (!parsed) return std::move(parsed).error();
    save_as = std::move(*parsed);
    text = text.substr(0, bar);
  }
  size_t slash = text.find('/');
  std::string_view type = text.substr(0, slash);
  if (slash == std::string_view::npos || type.empty()) {
    return invalid("The x-oss-process parameter must start with image/ or style/.");
  }
  std::string_view rest = text.substr(slash + 1);
  if (type == "style") {
    if (!is_valid_style_name(rest)) return invalid("The style name is invalid.");
    ProcessSpec spec;
    spec.style = std::string(rest);
    spec.save_as = std::move(save_as);
    return spec;
  }
  if (type != "image") {
    return invalid("The process type " + std::string(type.substr(0, 32)) + " is not supported.");
  }
  auto spec = parse_image_actions(rest, limits, 0);
  if (!spec) return spec;
  spec->save_as = std::move(save_as);
  return spec;
}

}  // namespace ossd::image
