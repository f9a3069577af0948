#include "image/processor.hpp"

#include <vips/vips8>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <new>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/strings.hpp"

namespace ossd::image {
namespace {

using vips::VError;
using vips::VImage;

Error invalid(std::string message) { return Error(ErrorCode::InvalidArgument, std::move(message)); }

Error corrupted() { return invalid("The image is corrupted."); }

// ---------------------------------------------------------------- formats

// The loader is chosen from the leading bytes, never by libvips' own sniffing: that keeps the
// ImageMagick loader (unblocked for BMP only, see initialize_image_library) away from every
// other kind of input, and any other loader (SVG, PDF, ...) unreachable.
std::optional<ImageFormat> sniff_format(std::string_view b) {
  auto starts = [&](std::string_view magic, size_t at = 0) {
    return b.size() >= at + magic.size() && b.substr(at, magic.size()) == magic;
  };
  if (starts("\xFF\xD8\xFF")) return ImageFormat::Jpg;
  if (starts("\x89PNG\r\n\x1A\n")) return ImageFormat::Png;
  if (starts("GIF87a") || starts("GIF89a")) return ImageFormat::Gif;
  if (starts("RIFF") && starts("WEBP", 8)) return ImageFormat::Webp;
  if (starts(std::string_view("II*\0", 4)) || starts(std::string_view("MM\0*", 4))) return ImageFormat::Tiff;
  if (starts("BM") && b.size() >= 26) return ImageFormat::Bmp;
  if (starts("ftyp", 4) && b.size() >= 16) {
    // ISO BMFF: the major brand and the compatible brands tell AVIF from HEIC.
    uint32_t box = (uint8_t(b[0]) << 24) | (uint8_t(b[1]) << 16) | (uint8_t(b[2]) << 8) | uint8_t(b[3]);
    // Brands fill the rest of the ftyp box; a real one is a few dozen bytes.
    size_t box_end = std::min<size_t>({std::max<uint32_t>(box, 16), b.size(), 256});
    std::string_view brands = b.substr(8, box_end - 8);
    bool heif_family = false;
    bool avif = false;
    for (size_t i = 0; i + 4 <= brands.size(); i += 4) {
      std::string_view brand = brands.substr(i, 4);
      if (brand == "avif" || brand == "avis") avif = true;
      if (brand == "heic" || brand == "heix" || brand == "hevc" || brand == "hevx" || brand == "heim" ||
          brand == "heis" || brand == "mif1" || brand == "msf1" || brand == "avif" || brand == "avis") {
        heif_family = true;
      }
    }
    if (heif_family) return avif ? ImageFormat::Avif : ImageFormat::Heic;
  }
  return std::nullopt;
}

std::string_view content_type_of(ImageFormat format) {
  switch (format) {
    case ImageFormat::Jpg: return "image/jpeg";
    case ImageFormat::Png: return "image/png";
    case ImageFormat::Webp: return "image/webp";
    case ImageFormat::Bmp: return "image/bmp";
    case ImageFormat::Gif: return "image/gif";
    case ImageFormat::Tiff: return "image/tiff";
    case ImageFormat::Heic: return "image/heic";
    case ImageFormat::Avif: return "image/avif";
  }
  return "application/octet-stream";
}

bool keeps_alpha(ImageFormat format) { return format != ImageFormat::Jpg && format != ImageFormat::Bmp; }

// Formats whose files may hold many frames that all count toward the pixel limit.
bool is_animated_format(ImageFormat format) { return format == ImageFormat::Gif || format == ImageFormat::Webp; }

// ---------------------------------------------------------------- loading

// A VipsBlob that borrows the caller's bytes (no copy); they outlive every image made from it.
class BorrowedBlob {
 public:
  explicit BorrowedBlob(std::string_view bytes) : blob_(vips_blob_new(nullptr, bytes.data(), bytes.size())) {}
  ~BorrowedBlob() { vips_area_unref(VIPS_AREA(blob_)); }
  BorrowedBlob(const BorrowedBlob&) = delete;
  BorrowedBlob& operator=(const BorrowedBlob&) = delete;
  VipsBlob* get() const { return blob_; }

 private:
  VipsBlob* blob_;
};

struct LoadOptions {
  bool sequential = true;
  int jpeg_shrink = 1;      // 1, 2, 4 or 8
  double webp_scale = 1.0;  // (0, 1]
};

// Opening is lazy in libvips: this reads the header only; pixels are decoded when an
// operation pulls them.
VImage open_image(const BorrowedBlob& blob, ImageFormat format, const LoadOptions& options) {
  auto opts = [&] {
    return VImage::option()
        ->set("access", options.sequential ? VIPS_ACCESS_SEQUENTIAL : VIPS_ACCESS_RANDOM)
        ->set("fail_on", VIPS_FAIL_ON_ERROR);
  };
  switch (format) {
    case ImageFormat::Jpg: return VImage::jpegload_buffer(blob.get(), opts()->set("shrink", options.jpeg_shrink));
    case ImageFormat::Png: return VImage::pngload_buffer(blob.get(), opts());
    case ImageFormat::Webp: return VImage::webpload_buffer(blob.get(), opts()->set("scale", options.webp_scale));
    case ImageFormat::Gif: return VImage::gifload_buffer(blob.get(), opts());
    case ImageFormat::Tiff: return VImage::tiffload_buffer(blob.get(), opts());
    case ImageFormat::Heic:
    case ImageFormat::Avif: return VImage::heifload_buffer(blob.get(), opts());
    case ImageFormat::Bmp: return VImage::magickload_buffer(blob.get(), opts());
  }
  throw VError("unknown format");
}

int page_count(const VImage& image) {
  if (image.get_typeof("n-pages") == 0) return 1;
  return std::max(1, image.get_int("n-pages"));
}

Status check_source_dimensions(const VImage& header, ImageFormat format, const ImageLimits& limits) {
  uint64_t width = static_cast<uint64_t>(header.width());
  uint64_t height = static_cast<uint64_t>(header.height());
  if (width > limits.max_side || height > limits.max_side) {
    return invalid("The image is " + std::to_string(width) + "x" + std::to_string(height) +
                   " pixels; width and height must be at most " + std::to_string(limits.max_side) + ".");
  }
  uint64_t frames = is_animated_format(format) ? static_cast<uint64_t>(page_count(header)) : 1;
  uint64_t pixels = width * height * frames;
  if (pixels > limits.max_pixels) {
    return invalid("The image has " + std::to_string(pixels) + " pixels" +
                   (frames > 1 ? " (" + std::to_string(frames) + " frames)" : std::string()) + "; at most " +
                   std::to_string(limits.max_pixels) + " are allowed.");
  }
  return ok_status();
}

bool has_alpha(const VImage& image) { return image.bands() == 2 || image.bands() == 4; }

// Every action works on 8-bit sRGB with an optional alpha band.
VImage to_srgb8(VImage image) {
  if (image.interpretation() != VIPS_INTERPRETATION_sRGB || image.format() != VIPS_FORMAT_UCHAR) {
    image = image.colourspace(VIPS_INTERPRETATION_sRGB);
  }
  if (image.format() != VIPS_FORMAT_UCHAR) image = image.cast(VIPS_FORMAT_UCHAR);
  if (image.bands() > 4) image = image.extract_band(0, VImage::option()->set("n", 4));
  return image;
}

// ---------------------------------------------------------------- resize planning

struct Size {
  uint32_t width = 0;
  uint32_t height = 0;
};

struct ResizePlan {
  Size scaled;              // the image is scaled to this size
  std::optional<Size> box;  // then cropped (fill) or padded (pad) to this size
};

uint32_t scaled_side(uint32_t side, double scale) {
  double value = std::round(static_cast<double>(side) * scale);
  return static_cast<uint32_t>(std::clamp(value, 1.0, 1e9));
}

// nullopt: nothing to do (limit_1 and the target is larger than the image).
Result<std::optional<ResizePlan>> plan_resize(const ResizeAction& r, Size in, std::optional<Size> main_image,
                                              const ImageLimits& limits) {
  const double W = in.width;
  const double H = in.height;
  ResizePlan plan;
  bool enlarges = false;
  auto fit = [&](double box_w, double box_h, bool cover) {
    double scale = cover ? std::max(box_w / W, box_h / H) : std::min(box_w / W, box_h / H);
    return scale;
  };
  if (r.w || r.h) {
    switch (r.mode) {
      case ResizeMode::Fixed:
        plan.scaled = Size{*r.w, *r.h};
        enlarges = *r.w > in.width || *r.h > in.height;
        break;
      case ResizeMode::Fill:
      case ResizeMode::Pad: {
        double scale = fit(*r.w, *r.h, r.mode == ResizeMode::Fill);
        plan.scaled = Size{scaled_side(in.width, scale), scaled_side(in.height, scale)};
        if (r.mode == ResizeMode::Fill) {
          // Cover the box: never one pixel short because of rounding.
          plan.scaled.width = std::max(plan.scaled.width, *r.w);
          plan.scaled.height = std::max(plan.scaled.height, *r.h);
        } else {
          plan.scaled.width = std::min(plan.scaled.width, *r.w);
          plan.scaled.height = std::min(plan.scaled.height, *r.h);
        }
        plan.box = Size{*r.w, *r.h};
        enlarges = scale > 1.0;
        break;
      }
      case ResizeMode::Lfit:
      case ResizeMode::Mfit: {
        bool cover = r.mode == ResizeMode::Mfit;
        double scale = 0;
        if (r.w && r.h) scale = fit(*r.w, *r.h, cover);
        else if (r.w) scale = *r.w / W;
        else scale = *r.h / H;
        plan.scaled = Size{scaled_side(in.width, scale), scaled_side(in.height, scale)};
        enlarges = scale > 1.0;
        break;
      }
    }
  } else if (r.l || r.s) {
    double longer = std::max(W, H);
    double shorter = std::min(W, H);
    double scale = 0;
    if (r.l && r.s) {
      scale = r.mode == ResizeMode::Mfit ? std::max(*r.l / longer, *r.s / shorter)
                                         : std::min(*r.l / longer, *r.s / shorter);
    } else if (r.l) {
      scale = *r.l / longer;
    } else {
      scale = *r.s / shorter;
    }
    plan.scaled = Size{scaled_side(in.width, scale), scaled_side(in.height, scale)};
    enlarges = scale > 1.0;
  } else if (r.p) {
    double scale = *r.p / 100.0;
    plan.scaled = Size{scaled_side(in.width, scale), scaled_side(in.height, scale)};
    enlarges = scale > 1.0;
  } else if (r.P && main_image) {
    double box_w = std::max(1.0, main_image->width * (*r.P / 100.0));
    double box_h = std::max(1.0, main_image->height * (*r.P / 100.0));
    double scale = fit(box_w, box_h, false);
    plan.scaled = Size{scaled_side(in.width, scale), scaled_side(in.height, scale)};
    enlarges = scale > 1.0;
  } else {
    return std::optional<ResizePlan>{};
  }
  if (enlarges && r.limit) return std::optional<ResizePlan>{};
  Size biggest = plan.scaled;
  if (plan.box) {
    biggest.width = std::max(biggest.width, plan.box->width);
    biggest.height = std::max(biggest.height, plan.box->height);
  }
  if (biggest.width > limits.max_output_side || biggest.height > limits.max_output_side ||
      uint64_t(biggest.width) * biggest.height > limits.max_pixels) {
    return invalid("The resized image would be " + std::to_string(biggest.width) + "x" +
                   std::to_string(biggest.height) + " pixels, larger than the limit of " +
                   std::to_string(limits.max_output_side) + " per side.");
  }
  return std::optional<ResizePlan>{plan};
}

// Same choice as vipsthumbnail: block-shrink in the JPEG decoder to a bit above the target
// and leave at least a factor of two to the resampling kernel, which keeps it sharp.
int shrink_on_load_factor(Size in, Size target) {
  double factor =
      std::min(static_cast<double>(in.width) / target.width, static_cast<double>(in.height) / target.height);
  if (factor >= 16) return 8;
  if (factor >= 8) return 4;
  if (factor >= 4) return 2;
  return 1;
}

// ---------------------------------------------------------------- pixel helpers

VImage resize_to(VImage image, Size size) {
  if (static_cast<uint32_t>(image.width()) == size.width && static_cast<uint32_t>(image.height()) == size.height) {
    return image;
  }
  bool alpha = has_alpha(image);
  if (alpha) image = image.premultiply();
  double hscale = static_cast<double>(size.width) / image.width();
  double vscale = static_cast<double>(size.height) / image.height();
  image = image.resize(hscale, VImage::option()->set("vscale", vscale));
  if (alpha) image = image.unpremultiply();
  image = image.cast(VIPS_FORMAT_UCHAR);
  // libvips rounds each side on its own; settle any one-pixel difference without resampling.
  if (static_cast<uint32_t>(image.width()) != size.width || static_cast<uint32_t>(image.height()) != size.height) {
    image = image.embed(0, 0, size.width, size.height, VImage::option()->set("extend", VIPS_EXTEND_COPY));
  }
  return image;
}

std::vector<double> background_for(const VImage& image, Color color, double alpha = 255) {
  std::vector<double> ink = {double(color.r), double(color.g), double(color.b)};
  if (has_alpha(image)) ink.push_back(alpha);
  return ink;
}

// Multiplies the image's alpha by `mask` (0..255), adding an alpha band if there is none.
VImage apply_mask(VImage image, VImage mask) {
  if (!has_alpha(image))
    return image.bandjoin(mask).copy(VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
  int colour_bands = image.bands() - 1;
  VImage colour = image.extract_band(0, VImage::option()->set("n", colour_bands));
  VImage alpha = (image.extract_band(colour_bands) * mask / 255.0).cast(VIPS_FORMAT_UCHAR);
  return colour.bandjoin(alpha);
}

// Anti-aliased coverage: 255 inside, 0 outside, a one-pixel ramp at the edge.
VImage coverage(VImage distance_outside_edge) {
  return (distance_outside_edge * -255.0 + 127.5).cast(VIPS_FORMAT_UCHAR);
}

VImage with_alpha(VImage image) {
  if (has_alpha(image)) return image;
  return image.bandjoin_const({255});
}

// Multiplies the alpha channel by percent/100 (t_ transparency of watermarks).
VImage fade(VImage image, uint32_t percent) {
  image = with_alpha(image);
  if (percent >= 100) return image;
  std::vector<double> a(image.bands(), 1.0);
  std::vector<double> b(image.bands(), 0.0);
  a.back() = percent / 100.0;
  return image.linear(a, b).cast(VIPS_FORMAT_UCHAR);
}

// Linear change of the colour bands only; alpha stays.
VImage linear_colour(VImage image, double a, double b) {
  std::vector<double> as(image.bands(), a);
  std::vector<double> bs(image.bands(), b);
  if (has_alpha(image)) {
    as.back() = 1.0;
    bs.back() = 0.0;
  }
  return image.linear(as, bs).cast(VIPS_FORMAT_UCHAR);
}

VImage rotate_clockwise(VImage image, uint32_t degrees) {
  degrees %= 360;
  if (degrees == 0) return image;
  if (degrees == 90) return image.rot(VIPS_ANGLE_D90);
  if (degrees == 180) return image.rot(VIPS_ANGLE_D180);
  if (degrees == 270) return image.rot(VIPS_ANGLE_D270);
  // Corners uncovered by the turn: transparent where the image has alpha, else white.
  std::vector<double> background =
      has_alpha(image) ? std::vector<double>(image.bands(), 0.0) : std::vector<double>(image.bands(), 255.0);
  bool alpha = has_alpha(image);
  if (alpha) image = image.premultiply();
  // Positive vips_rotate angles turn clockwise on screen (y grows downwards).
  image = image.rotate(static_cast<double>(degrees),
                       VImage::option()
                           ->set("background", background)
                           ->set("interpolate", vips::VInterpolate::new_from_name("bilinear")));
  if (alpha) image = image.unpremultiply();
  return image.cast(VIPS_FORMAT_UCHAR);
}

// Where an overlay of `overlay` size goes on `canvas` for a gravity and margins.
struct Placement {
  int x = 0;
  int y = 0;
};

// Column and row (0..2) of a gravity in the 3x3 grid OSS uses for crop and watermark.
std::pair<int, int> grid_cell(Gravity gravity) {
  switch (gravity) {
    case Gravity::NorthWest: return {0, 0};
    case Gravity::North: return {1, 0};
    case Gravity::NorthEast: return {2, 0};
    case Gravity::West: return {0, 1};
    case Gravity::Center: return {1, 1};
    case Gravity::East: return {2, 1};
    case Gravity::SouthWest: return {0, 2};
    case Gravity::South: return {1, 2};
    case Gravity::SouthEast: return {2, 2};
  }
  return {0, 0};
}

Placement place(Gravity gravity, Size canvas, Size overlay, int margin_x, int margin_y, int voffset) {
  auto [col, row] = grid_cell(gravity);
  int cw = static_cast<int>(canvas.width), ch = static_cast<int>(canvas.height);
  int ow = static_cast<int>(overlay.width), oh = static_cast<int>(overlay.height);
  Placement p;
  p.x = col == 0 ? margin_x : col == 1 ? (cw - ow) / 2 : cw - ow - margin_x;
  p.y = row == 0 ? margin_y : row == 1 ? (ch - oh) / 2 - voffset : ch - oh - margin_y;
  return p;
}

// Composites `overlay` (RGBA) at (x, y), clipped to the canvas; the canvas keeps its band count.
VImage composite_at(VImage canvas, VImage overlay, int x, int y) {
  int left = std::max(0, x), top = std::max(0, y);
  int right = std::min(canvas.width(), x + overlay.width());
  int bottom = std::min(canvas.height(), y + overlay.height());
  if (right <= left || bottom <= top) return canvas;
  overlay = overlay.extract_area(left - x, top - y, right - left, bottom - top);
  bool canvas_alpha = has_alpha(canvas);
  VImage out = canvas.composite2(overlay, VIPS_BLEND_MODE_OVER, VImage::option()->set("x", left)->set("y", top));
  out = out.cast(VIPS_FORMAT_UCHAR);
  if (!canvas_alpha && has_alpha(out)) out = out.extract_band(0, VImage::option()->set("n", out.bands() - 1));
  return out;
}

// Pango reads the text as markup; watermark text is data, so escape it.
std::string escape_markup(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\'': out += "&#39;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// ---------------------------------------------------------------- the pipeline

struct OutputSettings {
  std::optional<ImageFormat> format;
  std::optional<QualityAction> quality;
  bool progressive = false;
};

struct Pipeline {
  const ImageLimits& limits;
  const ObjectLoader& load_object;
  std::optional<Size> main_image;  // set while processing a watermark image (for P_)
  OutputSettings output;
  // Only the mean colour will be read (a bare average-hue): decode at 1/8 scale, since a
  // JPEG's DC coefficients already are its 8x8 block means.
  bool mean_only = false;
};

Size size_of(const VImage& image) {
  return Size{static_cast<uint32_t>(image.width()), static_cast<uint32_t>(image.height())};
}

Result<VImage> run_actions(VImage image, const std::vector<Action>& actions, size_t first, size_t last,
                           Pipeline& pipeline);

bool needs_random_access(const std::vector<Action>& actions) {
  return std::any_of(actions.begin(), actions.end(), [](const Action& a) {
    return std::holds_alternative<RotateAction>(a) || std::holds_alternative<FlipAction>(a) ||
           std::holds_alternative<AutoOrientAction>(a);
  });
}

struct OpenedImage {
  VImage image;  // ready to decode, possibly shrunk on load
  Size stored;   // the size in the file
};

// Checks the limits on the header, then opens the image for decoding, shrinking on load when
// the first action is a downscaling resize.
Result<OpenedImage> open_checked(const BorrowedBlob& blob, ImageFormat format, const std::vector<Action>& actions,
                                 const Pipeline& pipeline) {
  LoadOptions options;
  options.sequential = !needs_random_access(actions);
  VImage image = open_image(blob, format, options);
  if (auto status = check_source_dimensions(image, format, pipeline.limits); !status) {
    return std::move(status).error();
  }
  Size stored = size_of(image);
  if (actions.empty() && pipeline.mean_only && (format == ImageFormat::Jpg || format == ImageFormat::Webp)) {
    if (format == ImageFormat::Jpg) options.jpeg_shrink = 8;
    else options.webp_scale = 1.0 / 8;
    image = open_image(blob, format, options);
  } else if (!actions.empty() && (format == ImageFormat::Jpg || format == ImageFormat::Webp)) {
    if (const auto* resize = std::get_if<ResizeAction>(&actions.front())) {
      auto plan = plan_resize(*resize, stored, pipeline.main_image, pipeline.limits);
      if (!plan) return std::move(plan).error();
      if (*plan) {
        int shrink = shrink_on_load_factor(stored, (*plan)->scaled);
        if (shrink > 1) {
          if (format == ImageFormat::Jpg) options.jpeg_shrink = shrink;
          else options.webp_scale = 1.0 / shrink;
          image = open_image(blob, format, options);
        }
      }
    }
  }
  return OpenedImage{image, stored};
}

Result<VImage> apply_resize(VImage image, const ResizeAction& r, Size planned_from, Pipeline& pipeline);

// Opens, checks and runs `actions` over one encoded image.
Result<VImage> decode_and_run(const BorrowedBlob& blob, ImageFormat format, const std::vector<Action>& actions,
                              Pipeline& pipeline) {
  auto opened = open_checked(blob, format, actions, pipeline);
  if (!opened) return std::move(opened).error();
  VImage image = to_srgb8(opened->image);
  size_t start = 0;
  if (!actions.empty()) {
    if (const auto* resize = std::get_if<ResizeAction>(&actions.front())) {
      // Planned from the stored size, not the shrunk-on-load one, so the result is
      // identical in size to a full decode.
      auto resized = apply_resize(image, *resize, opened->stored, pipeline);
      if (!resized) return resized;
      image = *resized;
      start = 1;
    }
  }
  return run_actions(image, actions, start, actions.size(), pipeline);
}

Result<VImage> apply_resize(VImage image, const ResizeAction& r, Size planned_from, Pipeline& pipeline) {
  auto plan = plan_resize(r, planned_from, pipeline.main_image, pipeline.limits);
  if (!plan) return std::move(plan).error();
  if (!*plan) return image;
  const ResizePlan& p = **plan;
  image = resize_to(image, p.scaled);
  if (p.box && r.mode == ResizeMode::Fill) {
    image = image.extract_area((p.scaled.width - p.box->width) / 2, (p.scaled.height - p.box->height) / 2, p.box->width,
                               p.box->height);
  } else if (p.box && r.mode == ResizeMode::Pad) {
    image = image.embed(
        (p.box->width - p.scaled.width) / 2, (p.box->height - p.scaled.height) / 2, p.box->width, p.box->height,
        VImage::option()->set("extend", VIPS_EXTEND_BACKGROUND)->set("background", background_for(image, r.color)));
  }
  return image;
}

Result<VImage> apply_crop(VImage image, const CropAction& c) {
  Size in = size_of(image);
  // OSS crop gravity: the origin is the top-left corner of the gravity's cell in a 3x3 grid.
  auto [col, row] = grid_cell(c.gravity);
  uint64_t x = uint64_t(in.width) * col / 3 + c.x;
  uint64_t y = uint64_t(in.height) * row / 3 + c.y;
  if (x >= in.width || y >= in.height) return invalid("Advance cut's position is out of image.");
  uint64_t w = std::min<uint64_t>(c.w.value_or(in.width), in.width - x);
  uint64_t h = std::min<uint64_t>(c.h.value_or(in.height), in.height - y);
  return image.extract_area(static_cast<int>(x), static_cast<int>(y), static_cast<int>(w), static_cast<int>(h));
}

VImage apply_indexcrop(VImage image, const IndexCropAction& c) {
  uint64_t side = c.along_x ? image.width() : image.height();
  uint64_t start = uint64_t(c.index) * c.length;
  if (start >= side) return image;  // OSS: an index past the last slice returns the image unchanged
  int length = static_cast<int>(std::min<uint64_t>(c.length, side - start));
  if (c.along_x) return image.extract_area(static_cast<int>(start), 0, length, image.height());
  return image.extract_area(0, static_cast<int>(start), image.width(), length);
}

VImage apply_circle(VImage image, const CircleAction& c) {
  uint32_t radius = std::min<uint32_t>(c.radius, std::min(image.width(), image.height()) / 2);
  radius = std::max<uint32_t>(radius, 1);
  int diameter = static_cast<int>(std::min<uint32_t>(radius * 2, std::min(image.width(), image.height())));
  image = image.extract_area((image.width() - diameter) / 2, (image.height() - diameter) / 2, diameter, diameter);
  VImage xy = VImage::xyz(diameter, diameter).cast(VIPS_FORMAT_FLOAT);
  double centre = diameter / 2.0;
  VImage dx = xy.extract_band(0) + (0.5 - centre);
  VImage dy = xy.extract_band(1) + (0.5 - centre);
  VImage distance = (dx * dx + dy * dy).pow(0.5);
  return apply_mask(image, coverage(distance - centre));
}

VImage apply_rounded_corners(VImage image, const RoundedCornersAction& c) {
  double radius = std::min<double>(c.radius, std::min(image.width(), image.height()) / 2.0);
  VImage xy = VImage::xyz(image.width(), image.height()).cast(VIPS_FORMAT_FLOAT);
  double half_w = image.width() / 2.0, half_h = image.height() / 2.0;
  // Distance into a corner's quarter circle: zero along the straight edges and inside.
  VImage ex = (xy.extract_band(0) + (0.5 - half_w)).abs() - (half_w - radius);
  VImage ey = (xy.extract_band(1) + (0.5 - half_h)).abs() - (half_h - radius);
  ex = (ex > 0).ifthenelse(ex, 0.0);
  ey = (ey > 0).ifthenelse(ey, 0.0);
  VImage distance = (ex * ex + ey * ey).pow(0.5);
  return apply_mask(image, coverage(distance - radius));
}

VImage apply_blur(VImage image, const BlurAction& b) {
  // r_ bounds the kernel: its radius is where the Gaussian of sigma s_ drops to min_ampl.
  double sigma = b.sigma;
  double min_ampl = std::exp(-(double(b.radius) * b.radius) / (2.0 * sigma * sigma));
  min_ampl = std::clamp(min_ampl, 0.001, 0.9);
  bool alpha = has_alpha(image);
  if (alpha) image = image.premultiply();
  image = image.gaussblur(sigma, VImage::option()->set("min_ampl", min_ampl));
  if (alpha) image = image.unpremultiply();
  return image.cast(VIPS_FORMAT_UCHAR);
}

VImage apply_sharpen(VImage image, const SharpenAction& s) {
  VImage alpha;
  bool has = has_alpha(image);
  if (has) {
    alpha = image.extract_band(image.bands() - 1);
    image = image.extract_band(0, VImage::option()->set("n", image.bands() - 1));
  }
  // OSS's amount (50..399, 100 typical) scales both slopes: 100 -> 1 on gentle ramps and 2 on
  // edges. A zero slope on ramps (the libvips default) would leave soft edges untouched.
  image = image.sharpen(VImage::option()->set("sigma", 1.0)->set("m1", s.value / 100.0)->set("m2", s.value / 50.0));
  image = to_srgb8(image);
  if (has) image = image.bandjoin(alpha);
  return image;
}

size_t utf8_length(std::string_view text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// The rendered text is rasterized whole before it is placed, so its area is bounded by the
// main image's (at least a megapixel): a huge font on a long text is drawn smaller instead of
// allocating gigabytes for ink that would be clipped away anyway.
uint32_t bounded_font_size(const WatermarkText& t, Size main_size) {
  double budget = std::max(1e6, double(main_size.width) * main_size.height);
  double glyphs = static_cast<double>(std::max<size_t>(1, utf8_length(t.text)));
  double estimated_area = glyphs * t.size * t.size * 1.5;  // about one em per glyph, 1.5 em line
  if (estimated_area <= budget) return t.size;
  return std::max<uint32_t>(1, static_cast<uint32_t>(std::sqrt(budget / (glyphs * 1.5))));
}

Result<VImage> render_text(const WatermarkText& t, Size main_size) {
  uint32_t size = bounded_font_size(t, main_size);
  std::string font = t.font + " " + std::to_string(size) + "px";
  VImage mask =
      VImage::text(escape_markup(t.text).c_str(), VImage::option()->set("font", font.c_str())->set("dpi", 72));
  std::vector<double> colour = {double(t.color.r), double(t.color.g), double(t.color.b)};
  VImage text = mask.new_from_image(colour).bandjoin(mask).copy(
      VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
  if (t.shadow > 0) {
    int offset = std::max<int>(1, static_cast<int>(size / 20));
    VImage shadow_alpha = (mask * (t.shadow / 100.0)).cast(VIPS_FORMAT_UCHAR);
    VImage shadow = mask.new_from_image(std::vector<double>{0, 0, 0})
                        .bandjoin(shadow_alpha)
                        .copy(VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
    int w = mask.width() + offset, h = mask.height() + offset;
    VImage base = shadow.embed(offset, offset, w, h);
    text = base.composite2(text.embed(0, 0, w, h), VIPS_BLEND_MODE_OVER).cast(VIPS_FORMAT_UCHAR);
  }
  return rotate_clockwise(text, t.rotate);
}

Result<VImage> process_watermark_image(const WatermarkImage& source, Size main_size, Pipeline& pipeline);

// Image and text side by side (order_, align_, interval_).
VImage join_side_by_side(VImage first, VImage second, uint32_t align, uint32_t interval) {
  int width = first.width() + static_cast<int>(interval) + second.width();
  int height = std::max(first.height(), second.height());
  auto top = [&](const VImage& part) {
    if (align == 0) return 0;
    if (align == 1) return (height - part.height()) / 2;
    return height - part.height();
  };
  VImage canvas = VImage::black(width, height, VImage::option()->set("bands", 4))
                      .copy(VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB))
                      .cast(VIPS_FORMAT_UCHAR);
  canvas = canvas.insert(first, 0, top(first));
  canvas = canvas.insert(second, first.width() + static_cast<int>(interval), top(second));
  return canvas;
}

Result<VImage> apply_watermark(VImage image, const WatermarkAction& w, Pipeline& pipeline) {
  Size main_size = size_of(image);
  std::optional<VImage> picture;
  std::optional<VImage> text;
  if (w.image) {
    auto loaded = process_watermark_image(*w.image, main_size, pipeline);
    if (!loaded) return std::move(loaded).error();
    VImage overlay = with_alpha(*loaded);
    if (w.P > 0) {
      double box_w = std::max(1.0, main_size.width * (w.P / 100.0));
      double box_h = std::max(1.0, main_size.height * (w.P / 100.0));
      double scale = std::min(box_w / overlay.width(), box_h / overlay.height());
      overlay = resize_to(overlay, Size{scaled_side(overlay.width(), scale), scaled_side(overlay.height(), scale)});
    }
    picture = overlay;
  }
  if (w.text) {
    auto rendered = render_text(*w.text, main_size);
    if (!rendered) return std::move(rendered).error();
    text = *rendered;
  }
  VImage overlay = picture && text ? (w.order == 0 ? join_side_by_side(*picture, *text, w.align, w.interval)
                                                   : join_side_by_side(*text, *picture, w.align, w.interval))
                   : picture       ? *picture
                                   : *text;
  overlay = fade(overlay, w.transparency);
  if (w.text && w.text->fill) {
    // Tile the mark over the whole image, margins as spacing.
    int cell_w = overlay.width() + static_cast<int>(std::max<uint32_t>(w.x, 10)) * 2;
    int cell_h = overlay.height() + static_cast<int>(std::max<uint32_t>(w.y, 10)) * 2;
    VImage cell = overlay.embed(0, 0, cell_w, cell_h);
    int across = (image.width() + cell_w - 1) / cell_w;
    int down = (image.height() + cell_h - 1) / cell_h;
    VImage tiles = cell.replicate(across, down).extract_area(0, 0, image.width(), image.height());
    return composite_at(image, tiles, 0, 0);
  }
  Placement at = place(w.gravity, main_size, size_of(overlay), static_cast<int>(w.x), static_cast<int>(w.y), w.voffset);
  return composite_at(image, overlay, at.x, at.y);
}

std::string average_hue_json(const VImage& image) {
  // One pass over the pixels (the source may be opened for sequential reading): per-band
  // means are column 4 of the statistics matrix, band b in row b + 1.
  VImage stats = image.stats();
  int colour_bands = has_alpha(image) ? image.bands() - 1 : image.bands();
  int rgb[3];
  for (int band = 0; band < 3; ++band) {
    double mean = stats.getpoint(4, std::min(band, colour_bands - 1) + 1)[0];
    rgb[band] = static_cast<int>(std::lround(std::clamp(mean, 0.0, 255.0)));
  }
  char text[16];
  std::snprintf(text, sizeof text, "0x%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
  return nlohmann::json{{"RGB", text}}.dump();
}

// libvips keeps EXIF tags as "exif-ifd<N>-<Tag>" strings shaped
// "<value> (<readable>, <Type>, <N> components, <M> bytes)".
std::optional<std::string> exif_value(const std::string& raw) {
  size_t open = raw.rfind(" (");
  while (open != std::string::npos) {
    std::string_view suffix(raw);
    suffix = suffix.substr(open + 2);
    if (suffix.find(" components, ") != std::string_view::npos) break;
    if (open == 0) return std::nullopt;
    open = raw.rfind(" (", open - 1);
  }
  if (open == std::string::npos) return std::nullopt;
  // Only plain scalar types: binary blobs (MakerNote, UserComment) are not useful as text.
  std::string_view suffix = std::string_view(raw).substr(open);
  for (std::string_view type : {", Undefined, ", ", Byte, ", ", SByte, "}) {
    if (suffix.find(type) != std::string_view::npos) return std::nullopt;
  }
  std::string value = raw.substr(0, open);
  if (value.empty() || value.size() > 256) return std::nullopt;
  return value;
}

std::string info_json(const VImage& header, ImageFormat format, size_t file_size) {
  nlohmann::json info;
  auto field = [&](const std::string& name, const std::string& value) { info[name] = {{"value", value}}; };
  field("FileSize", std::to_string(file_size));
  field("Format", std::string(format_name(format)));
  field("ImageWidth", std::to_string(header.width()));
  field("ImageHeight", std::to_string(header.height()));
  gchar** fields = vips_image_get_fields(header.get_image());
  for (gchar** name = fields; name && *name; ++name) {
    std::string_view key(*name);
    // ifd0: the main image; ifd2: the Exif sub-IFD; ifd3: GPS. ifd1 describes the embedded thumbnail.
    constexpr std::string_view kPrefixes[] = {"exif-ifd0-", "exif-ifd2-", "exif-ifd3-"};
    for (std::string_view prefix : kPrefixes) {
      if (key.substr(0, prefix.size()) != prefix) continue;
      const char* raw = nullptr;
      if (vips_image_get_string(header.get_image(), *name, &raw) != 0 || raw == nullptr) {
        vips_error_clear();
        break;
      }
      if (auto value = exif_value(raw); value && is_valid_utf8(*value)) {
        field(std::string(key.substr(prefix.size())), *value);
      }
      break;
    }
  }
  g_strfreev(fields);
  return info.dump();
}

Result<VImage> run_actions(VImage image, const std::vector<Action>& actions, size_t first, size_t last,
                           Pipeline& pipeline) {
  for (size_t i = first; i < last; ++i) {
    const Action& action = actions[i];
    Result<VImage> next = std::visit(
        [&](const auto& a) -> Result<VImage> {
          using T = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<T, ResizeAction>) {
            return apply_resize(image, a, size_of(image), pipeline);
          } else if constexpr (std::is_same_v<T, CropAction>) {
            return apply_crop(image, a);
          } else if constexpr (std::is_same_v<T, IndexCropAction>) {
            return apply_indexcrop(image, a);
          } else if constexpr (std::is_same_v<T, CircleAction>) {
            return apply_circle(image, a);
          } else if constexpr (std::is_same_v<T, RoundedCornersAction>) {
            return apply_rounded_corners(image, a);
          } else if constexpr (std::is_same_v<T, RotateAction>) {
            return rotate_clockwise(image, a.degrees);
          } else if constexpr (std::is_same_v<T, AutoOrientAction>) {
            return a.enabled ? image.autorot() : image;
          } else if constexpr (std::is_same_v<T, FlipAction>) {
            if (a.vertical) image = image.flip(VIPS_DIRECTION_VERTICAL);
            if (a.horizontal) image = image.flip(VIPS_DIRECTION_HORIZONTAL);
            return image;
          } else if constexpr (std::is_same_v<T, FormatAction>) {
            pipeline.output.format = a.format;
            return image;
          } else if constexpr (std::is_same_v<T, QualityAction>) {
            pipeline.output.quality = a;
            return image;
          } else if constexpr (std::is_same_v<T, InterlaceAction>) {
            pipeline.output.progressive = a.progressive;
            return image;
          } else if constexpr (std::is_same_v<T, BlurAction>) {
            return apply_blur(image, a);
          } else if constexpr (std::is_same_v<T, BrightAction>) {
            return linear_colour(image, 1.0, a.value * 2.55);
          } else if constexpr (std::is_same_v<T, ContrastAction>) {
            double slope = 1.0 + a.value / 100.0;
            return linear_colour(image, slope, 128.0 * (1.0 - slope));
          } else if constexpr (std::is_same_v<T, SharpenAction>) {
            return apply_sharpen(image, a);
          } else if constexpr (std::is_same_v<T, WatermarkAction>) {
            return apply_watermark(image, a, pipeline);
          } else {
            return image;  // info / average-hue end the chain before we get here
          }
        },
        action);
    if (!next) return next;
    image = *next;
    Size size = size_of(image);
    // Bound every intermediate (rotation and padding grow images), not just the result.
    if (uint64_t(size.width) * size.height > pipeline.limits.max_pixels) {
      return invalid("The processed image would have more than " + std::to_string(pipeline.limits.max_pixels) +
                     " pixels.");
    }
  }
  return image;
}

Result<VImage> process_watermark_image(const WatermarkImage& source, Size main_size, Pipeline& pipeline) {
  if (!pipeline.load_object) return invalid("The watermark image cannot be loaded.");
  auto bytes = pipeline.load_object(source.object);
  if (!bytes) return std::move(bytes).error();
  const std::string& data = *bytes;
  if (data.size() > pipeline.limits.max_source_bytes) return invalid("The watermark image is too large.");
  auto format = sniff_format(data);
  if (!format) return invalid("The watermark image format is not supported.");
  static const std::vector<Action> kNoActions;
  const std::vector<Action>& actions = source.spec ? source.spec->actions : kNoActions;
  BorrowedBlob blob(data);
  Pipeline nested{pipeline.limits, pipeline.load_object, main_size, {}, false};
  auto result = decode_and_run(blob, *format, actions, nested);
  if (!result) return result;
  // `data` dies with this frame: decode now, while the bytes are still alive.
  return result->copy_memory();
}

struct Encoded {
  std::string body;
  ImageFormat format;
};

std::string take_buffer(void* buffer, size_t length) {
  std::string body(static_cast<const char*>(buffer), length);
  g_free(buffer);
  return body;
}

Result<Encoded> save_image(VImage image, ImageFormat format, const OutputSettings& settings) {
  if (!keeps_alpha(format) && has_alpha(image)) {
    image =
        image.flatten(VImage::option()->set("background", std::vector<double>{255, 255, 255})).cast(VIPS_FORMAT_UCHAR);
  }
  // q_ is relative to the source's quality in OSS; libvips cannot read a JPEG's original
  // quality, so q_ and Q_ both set the encoder's quality here.
  int quality = settings.quality ? static_cast<int>(settings.quality->value) : 85;
  void* buffer = nullptr;
  size_t length = 0;
  switch (format) {
    case ImageFormat::Jpg:
      image.write_to_buffer(
          ".jpg", &buffer, &length,
          VImage::option()->set("Q", quality)->set("interlace", settings.progressive)->set("optimize_coding", true));
      break;
    case ImageFormat::Png:
      image.write_to_buffer(".png", &buffer, &length, VImage::option()->set("interlace", settings.progressive));
      break;
    case ImageFormat::Webp:
      image.write_to_buffer(".webp", &buffer, &length, VImage::option()->set("Q", quality));
      break;
    case ImageFormat::Gif:
      image.write_to_buffer(".gif", &buffer, &length, VImage::option()->set("interlace", settings.progressive));
      break;
    case ImageFormat::Tiff:
      image.write_to_buffer(".tif", &buffer, &length,
                            VImage::option()->set("compression", VIPS_FOREIGN_TIFF_COMPRESSION_DEFLATE));
      break;
    case ImageFormat::Bmp: {
      // No native BMP writer in libvips: ImageMagick's, asked for BMP explicitly.
      VipsBlob* blob = image.magicksave_buffer(VImage::option()->set("format", "bmp"));
      size_t size = 0;
      const void* data = vips_blob_get(blob, &size);
      std::string body(static_cast<const char*>(data), size);
      vips_area_unref(VIPS_AREA(blob));
      return Encoded{std::move(body), format};
    }
    case ImageFormat::Heic:
    case ImageFormat::Avif:
      // libheif encodes HEVC (x265) and AV1 (aom) in the Debian build; effort 2 keeps AV1
      // encoding of thumbnails to tens of milliseconds.
      image.write_to_buffer(".heic", &buffer, &length,
                            VImage::option()
                                ->set("Q", quality)
                                ->set("compression", format == ImageFormat::Avif ? VIPS_FOREIGN_HEIF_COMPRESSION_AV1
                                                                                 : VIPS_FOREIGN_HEIF_COMPRESSION_HEVC)
                                ->set("effort", 2));
      break;
  }
  return Encoded{take_buffer(buffer, length), format};
}

Result<ProcessedImage> process_source(std::string_view source, const ProcessSpec& spec, const ObjectLoader& load_object,
                                      const ImageLimits& limits) {
  if (source.size() > limits.max_source_bytes) {
    return invalid("The image is " + std::to_string(source.size()) + " bytes; at most " +
                   std::to_string(limits.max_source_bytes) + " can be processed.");
  }
  auto format = sniff_format(source);
  if (!format) return invalid("The image format is not supported.");
  const auto& actions = spec.actions;
  auto json_at = std::find_if(actions.begin(), actions.end(), [](const Action& a) {
    return std::holds_alternative<InfoAction>(a) || std::holds_alternative<AverageHueAction>(a);
  });
  size_t last = static_cast<size_t>(json_at - actions.begin());
  BorrowedBlob blob(source);
  try {
    if (json_at != actions.end() && std::holds_alternative<InfoAction>(*json_at)) {
      // info describes the stored object; the header is all it needs.
      VImage header = open_image(blob, *format, LoadOptions{});
      if (auto status = check_source_dimensions(header, *format, limits); !status) return std::move(status).error();
      return ProcessedImage{info_json(header, *format, source.size()), "application/json", "json", 0, 0};
    }
    std::vector<Action> processed(actions.begin(), actions.begin() + last);
    Pipeline pipeline{limits, load_object, std::nullopt, {}, false};
    pipeline.mean_only = processed.empty() && json_at != actions.end();
    auto result = decode_and_run(blob, *format, processed, pipeline);
    if (!result) return std::move(result).error();
    VImage image = *result;
    if (json_at != actions.end()) {
      return ProcessedImage{average_hue_json(image), "application/json", "json", 0, 0};
    }
    Size out = size_of(image);
    if (out.width > limits.max_output_side || out.height > limits.max_output_side) {
      return invalid("The output image is " + std::to_string(out.width) + "x" + std::to_string(out.height) +
                     " pixels; width and height must be at most " + std::to_string(limits.max_output_side) + ".");
    }
    ImageFormat output_format = pipeline.output.format.value_or(*format);
    auto encoded = save_image(image, output_format, pipeline.output);
    if (!encoded) return std::move(encoded).error();
    return ProcessedImage{std::move(encoded->body), std::string(content_type_of(output_format)),
                          std::string(format_name(output_format)), out.width, out.height};
  } catch (const VError&) {
    // Decoding is lazy, so a truncated or corrupt file surfaces here, at any step.
    vips_error_clear();
    return corrupted();
  }
}

}  // namespace

Status initialize_image_library(const char* argv0) {
  static std::once_flag once;
  static Status status = ok_status();
  std::call_once(once, [argv0] {
    if (VIPS_INIT(argv0 ? argv0 : "ossd") != 0) {
      status = Error(ErrorCode::InternalError, "libvips failed to start.");
      return;
    }
    vips_leak_set(FALSE);
    // libvips logs a warning per bad tile of every corrupt upload; the caller gets the error as
    // a value, so these would only flood the server's stderr.
    g_log_set_handler(
        "VIPS", static_cast<GLogLevelFlags>(G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO),
        [](const gchar*, GLogLevelFlags, const gchar*, gpointer) {}, nullptr);
    vips_cache_set_max(0);
    vips_concurrency_set(1);
    // Loaders libvips marks untrusted (ImageMagick, PDF, SVG, FITS, ...) stay off; the
    // ImageMagick buffer loader and saver are let back in for BMP, which libvips cannot
    // read or write itself; sniff_format only ever routes "BM" files to that loader.
    vips_block_untrusted_set(TRUE);
    vips_operation_block_set("VipsForeignLoadMagickBuffer", FALSE);
    vips_operation_block_set("VipsForeignSaveMagickBuffer", FALSE);
  });
  return status;
}

ImageProcessor::ImageProcessor(ImageLimits limits) : limits_(limits) {}

Result<ProcessedImage> ImageProcessor::process(std::string_view source, const ProcessSpec& spec,
                                               const ObjectLoader& load_object) const {
  try {
    return process_source(source, spec, load_object, limits_);
  } catch (const std::bad_alloc&) {
    return Error(ErrorCode::InternalError, "Out of memory while processing the image.");
  }
}

}  // namespace ossd::image
