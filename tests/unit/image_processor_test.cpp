// ImageProcessor golden results on images generated in memory with libvips: sizes, output
// formats (magic bytes), pixel checks, JSON answers, limits and bad input.
#include <gtest/gtest.h>
#include <zlib.h>
#include <vips/vips8>

#include <atomic>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>

#include "image/processor.hpp"

namespace ossd::image {
namespace {

using vips::VImage;

// libvips starts once per process, and only in processes that run these suites (ctest runs
// every test in its own process; the parser tables need no libvips).
class VipsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(initialize_image_library("image_tests").ok()); }
};
using ImageAutoOrient = VipsTest;
using ImageAverageHue = VipsTest;
using ImageBadInput = VipsTest;
using ImageChain = VipsTest;
using ImageCircle = VipsTest;
using ImageCrop = VipsTest;
using ImageFilters = VipsTest;
using ImageFlip = VipsTest;
using ImageFormats = VipsTest;
using ImageIndexCrop = VipsTest;
using ImageInfo = VipsTest;
using ImageInterlace = VipsTest;
using ImageLibrary = VipsTest;
using ImageSourceLimits = VipsTest;
using ImageProcessorThreads = VipsTest;
using ImageQuality = VipsTest;
using ImageResize = VipsTest;
using ImageRotate = VipsTest;
using ImageRoundedCorners = VipsTest;
using ImageWatermark = VipsTest;

// ---- building inputs ----

VImage solid(int width, int height, std::vector<double> rgb) {
  return VImage::black(width, height, VImage::option()->set("bands", static_cast<int>(rgb.size())))
      .linear(std::vector<double>(rgb.size(), 1.0), rgb)
      .cast(VIPS_FORMAT_UCHAR)
      .copy(VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
}

// Four quadrants: red (top-left), green (top-right), blue (bottom-left), white (bottom-right).
VImage quadrants(int width, int height) {
  int hw = width / 2, hh = height / 2;
  VImage canvas = solid(width, height, {255, 255, 255});
  canvas = canvas.insert(solid(hw, hh, {255, 0, 0}), 0, 0);
  canvas = canvas.insert(solid(width - hw, hh, {0, 255, 0}), hw, 0);
  canvas = canvas.insert(solid(hw, height - hh, {0, 0, 255}), 0, hh);
  return canvas;
}

VImage noise(int width, int height) {
  VImage grey = VImage::gaussnoise(width, height, VImage::option()->set("sigma", 40.0)).cast(VIPS_FORMAT_UCHAR);
  return grey.bandjoin({grey, grey}).copy(VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
}

std::string encode(const VImage& image, const char* suffix, vips::VOption* options = nullptr) {
  void* buffer = nullptr;
  size_t length = 0;
  image.write_to_buffer(suffix, &buffer, &length, options);
  std::string bytes(static_cast<const char*>(buffer), length);
  g_free(buffer);
  return bytes;
}

// Decoded at once: libvips reads lazily from the buffer, and callers pass temporaries.
VImage decode(const std::string& bytes) {
  return VImage::new_from_buffer(bytes.data(), bytes.size(), "").copy_memory();
}

std::vector<double> pixel(const VImage& image, int x, int y) { return image.getpoint(x, y); }

void expect_rgb_near(const std::vector<double>& got, std::vector<double> want, double tolerance,
                     const std::string& where) {
  ASSERT_GE(got.size(), want.size()) << where;
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], tolerance) << where << " band " << i;
}

ObjectLoader no_objects() {
  return [](const std::string& key) -> Result<std::string> {
    return Error(ErrorCode::NoSuchKey, "The specified key does not exist: " + key);
  };
}

Result<ProcessedImage> run(std::string_view source, std::string_view process, ImageLimits limits = {},
                           const ObjectLoader& loader = no_objects()) {
  auto spec = parse_process(process);
  if (!spec) return std::move(spec).error();
  return ImageProcessor(limits).process(source, *spec, loader);
}

ProcessedImage run_ok(std::string_view source, std::string_view process, ImageLimits limits = {},
                      const ObjectLoader& loader = no_objects()) {
  auto result = run(source, process, limits, loader);
  EXPECT_TRUE(result.ok()) << process << ": " << (result.ok() ? "" : result.error().message);
  return result.ok() ? std::move(*result) : ProcessedImage{};
}

void expect_invalid(const Result<ProcessedImage>& result, const std::string& message_part) {
  ASSERT_FALSE(result.ok()) << "expected an error containing: " << message_part;
  EXPECT_EQ(result.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(result.error().message.find(message_part), std::string::npos) << result.error().message;
}

bool starts_with(const std::string& bytes, std::string_view magic, size_t at = 0) {
  return bytes.size() >= at + magic.size() && std::string_view(bytes).substr(at, magic.size()) == magic;
}

// ---- resize ----

TEST_F(ImageResize, WidthKeepsAspectRatio) {
  auto source = encode(noise(800, 600), ".jpg");
  auto out = run_ok(source, "image/resize,w_200");
  EXPECT_EQ(out.width, 200u);
  EXPECT_EQ(out.height, 150u);
  EXPECT_EQ(out.format, "jpg");
  EXPECT_EQ(out.content_type, "image/jpeg");
  EXPECT_TRUE(starts_with(out.body, "\xFF\xD8\xFF"));
  VImage decoded = decode(out.body);
  EXPECT_EQ(decoded.width(), 200);
  EXPECT_EQ(decoded.height(), 150);
}

TEST_F(ImageResize, HeightLongAndShortSides) {
  auto source = encode(quadrants(400, 200), ".png");
  auto h = run_ok(source, "image/resize,h_50");
  EXPECT_EQ(h.width, 100u);
  EXPECT_EQ(h.height, 50u);
  auto l = run_ok(source, "image/resize,l_100");
  EXPECT_EQ(l.width, 100u);
  EXPECT_EQ(l.height, 50u);
  auto s = run_ok(source, "image/resize,s_100");
  EXPECT_EQ(s.width, 200u);
  EXPECT_EQ(s.height, 100u);
  auto p = run_ok(source, "image/resize,p_25");
  EXPECT_EQ(p.width, 100u);
  EXPECT_EQ(p.height, 50u);
}

TEST_F(ImageResize, LfitAndMfit) {
  auto source = encode(quadrants(400, 200), ".png");
  auto lfit = run_ok(source, "image/resize,m_lfit,w_100,h_100");
  EXPECT_EQ(lfit.width, 100u);
  EXPECT_EQ(lfit.height, 50u);
  auto mfit = run_ok(source, "image/resize,m_mfit,w_100,h_100");
  EXPECT_EQ(mfit.width, 200u);
  EXPECT_EQ(mfit.height, 100u);
}

TEST_F(ImageResize, LimitOneNeverEnlarges) {
  auto source = encode(quadrants(100, 80), ".png");
  auto kept = run_ok(source, "image/resize,w_200");
  EXPECT_EQ(kept.width, 100u);
  EXPECT_EQ(kept.height, 80u);
  auto kept_percent = run_ok(source, "image/resize,p_200");
  EXPECT_EQ(kept_percent.width, 100u);
  auto enlarged = run_ok(source, "image/resize,w_200,limit_0");
  EXPECT_EQ(enlarged.width, 200u);
  EXPECT_EQ(enlarged.height, 160u);
  auto doubled = run_ok(source, "image/resize,p_200,limit_0");
  EXPECT_EQ(doubled.width, 200u);
  EXPECT_EQ(doubled.height, 160u);
}

TEST_F(ImageResize, FillCoversThenCropsTheCentre) {
  // 200x100: left half red, right half blue. A 100x100 fill keeps the middle: both colours.
  VImage image = solid(200, 100, {0, 0, 255}).insert(solid(100, 100, {255, 0, 0}), 0, 0);
  auto out = run_ok(encode(image, ".png"), "image/resize,m_fill,w_100,h_100");
  EXPECT_EQ(out.width, 100u);
  EXPECT_EQ(out.height, 100u);
  VImage decoded = decode(out.body);
  expect_rgb_near(pixel(decoded, 5, 50), {255, 0, 0}, 2, "left");
  expect_rgb_near(pixel(decoded, 95, 50), {0, 0, 255}, 2, "right");
}

TEST_F(ImageResize, PadFitsThenPadsWithColour) {
  auto out = run_ok(encode(solid(200, 100, {0, 0, 255}), ".png"), "image/resize,m_pad,w_100,h_100,color_FF0000");
  EXPECT_EQ(out.width, 100u);
  EXPECT_EQ(out.height, 100u);
  VImage decoded = decode(out.body);
  expect_rgb_near(pixel(decoded, 50, 2), {255, 0, 0}, 1, "top pad");
  expect_rgb_near(pixel(decoded, 50, 97), {255, 0, 0}, 1, "bottom pad");
  expect_rgb_near(pixel(decoded, 50, 50), {0, 0, 255}, 1, "image");
}

TEST_F(ImageResize, PadDefaultsToWhite) {
  auto out = run_ok(encode(solid(200, 100, {0, 0, 0}), ".png"), "image/resize,m_pad,w_100,h_100");
  expect_rgb_near(pixel(decode(out.body), 50, 1), {255, 255, 255}, 1, "pad");
}

TEST_F(ImageResize, FixedForcesBothSides) {
  auto out = run_ok(encode(quadrants(200, 100), ".png"), "image/resize,m_fixed,w_50,h_80");
  EXPECT_EQ(out.width, 50u);
  EXPECT_EQ(out.height, 80u);
  auto square = run_ok(encode(quadrants(200, 100), ".png"), "image/resize,m_fixed,w_40");
  EXPECT_EQ(square.width, 40u);
  EXPECT_EQ(square.height, 40u);
}

TEST_F(ImageResize, OutputSideLimit) {
  auto source = encode(quadrants(100, 100), ".png");
  expect_invalid(run(source, "image/resize,p_1000,limit_0", ImageLimits{.max_output_side = 500}),
                 "larger than the limit of 500");
  // No resize at all: the source itself is larger than the output limit.
  expect_invalid(run(encode(quadrants(300, 10), ".png"), "image/rotate,0", ImageLimits{.max_output_side = 200}),
                 "must be at most 200");
}

// Decoding a downscaled JPEG (or WebP) at 1/2..1/8 gives exactly the size of a full decode.
TEST_F(ImageResize, ShrinkOnLoadGivesTheSameSizeAsAFullDecode) {
  // Flat colours keep encoding and decoding cheap; odd sizes exercise the rounding.
  VImage image = quadrants(1601, 1203);
  auto jpg = encode(image, ".jpg");
  auto webp = encode(image, ".webp");
  auto png = encode(image, ".png");  // PNG has no shrink-on-load: the reference
  for (const char* process :
       {"image/resize,w_100", "image/resize,m_fixed,w_97,h_31", "image/resize,m_fill,w_90,h_90",
        "image/resize,m_pad,w_120,h_77", "image/resize,h_333", "image/resize,l_64", "image/resize,p_5"}) {
    auto from_jpg = run_ok(jpg, process);
    auto from_webp = run_ok(webp, process);
    auto from_png = run_ok(png, process);
    EXPECT_EQ(from_jpg.width, from_png.width) << process;
    EXPECT_EQ(from_jpg.height, from_png.height) << process;
    EXPECT_EQ(from_webp.width, from_png.width) << process;
    EXPECT_EQ(from_webp.height, from_png.height) << process;
    VImage decoded = decode(from_jpg.body);
    EXPECT_EQ(static_cast<uint32_t>(decoded.width()), from_png.width) << process;
    EXPECT_EQ(static_cast<uint32_t>(decoded.height()), from_png.height) << process;
  }
}

TEST_F(ImageResize, ShrinkOnLoadKeepsTheContent) {
  auto out = run_ok(encode(quadrants(1600, 1200), ".jpg", VImage::option()->set("Q", 95)), "image/resize,w_100");
  VImage decoded = decode(out.body);
  expect_rgb_near(pixel(decoded, 10, 10), {255, 0, 0}, 12, "red");
  expect_rgb_near(pixel(decoded, 90, 10), {0, 255, 0}, 12, "green");
  expect_rgb_near(pixel(decoded, 10, 70), {0, 0, 255}, 12, "blue");
  expect_rgb_near(pixel(decoded, 90, 70), {255, 255, 255}, 12, "white");
}

TEST_F(ImageResize, TransparencySurvivesResize) {
  VImage rgba = solid(200, 200, {255, 0, 0, 0}).insert(solid(100, 200, {0, 0, 255, 255}), 0, 0);
  auto out = run_ok(encode(rgba, ".png"), "image/resize,w_50");
  VImage decoded = decode(out.body);
  ASSERT_EQ(decoded.bands(), 4);
  EXPECT_NEAR(pixel(decoded, 5, 25)[3], 255, 1);
  EXPECT_NEAR(pixel(decoded, 45, 25)[3], 0, 1);
  expect_rgb_near(pixel(decoded, 5, 25), {0, 0, 255}, 2, "opaque half keeps its colour");
}

// ---- crop family ----

TEST_F(ImageCrop, RegionFromTheTopLeft) {
  auto source = encode(quadrants(90, 60), ".png");
  auto out = run_ok(source, "image/crop,w_20,h_10,x_50,y_5");
  EXPECT_EQ(out.width, 20u);
  EXPECT_EQ(out.height, 10u);
  VImage decoded = decode(out.body);
  expect_rgb_near(pixel(decoded, 0, 0), {0, 255, 0}, 0, "green quadrant");
  expect_rgb_near(pixel(decoded, 19, 9), {0, 255, 0}, 0, "green quadrant");
}

TEST_F(ImageCrop, DefaultsToTheRestOfTheImage) {
  auto out = run_ok(encode(quadrants(90, 60), ".png"), "image/crop,x_45,y_30");
  EXPECT_EQ(out.width, 45u);
  EXPECT_EQ(out.height, 30u);
  expect_rgb_near(pixel(decode(out.body), 0, 0), {255, 255, 255}, 0, "white quadrant");
}

TEST_F(ImageCrop, GravityCellIsTheOrigin) {
  auto source = encode(quadrants(90, 60), ".png");
  // se cell starts at (60, 40): white quadrant.
  auto se = run_ok(source, "image/crop,w_10,h_10,g_se");
  expect_rgb_near(pixel(decode(se.body), 0, 0), {255, 255, 255}, 0, "se");
  // sw cell starts at (0, 40): blue.
  auto sw = run_ok(source, "image/crop,w_10,h_10,g_sw");
  expect_rgb_near(pixel(decode(sw.body), 0, 0), {0, 0, 255}, 0, "sw");
  // ne cell starts at (60, 0): green.
  auto ne = run_ok(source, "image/crop,w_10,h_10,g_ne");
  expect_rgb_near(pixel(decode(ne.body), 0, 0), {0, 255, 0}, 0, "ne");
  // center cell starts at (30, 20); x_20 moves it into the green quadrant.
  auto center = run_ok(source, "image/crop,w_5,h_5,g_center,x_20");
  expect_rgb_near(pixel(decode(center.body), 0, 0), {0, 255, 0}, 0, "center+x");
  // Width past the edge is clipped.
  auto clipped = run_ok(source, "image/crop,w_1000,h_1000,g_se");
  EXPECT_EQ(clipped.width, 30u);
  EXPECT_EQ(clipped.height, 20u);
}

TEST_F(ImageCrop, OriginOutsideTheImageIsAnError) {
  expect_invalid(run(encode(quadrants(90, 60), ".png"), "image/crop,x_90"), "out of image");
  expect_invalid(run(encode(quadrants(90, 60), ".png"), "image/crop,g_se,y_20"), "out of image");
}

TEST_F(ImageIndexCrop, SlicesAndIndexPastTheEnd) {
  auto source = encode(quadrants(100, 60), ".png");
  auto second = run_ok(source, "image/indexcrop,x_30,i_1");
  EXPECT_EQ(second.width, 30u);
  EXPECT_EQ(second.height, 60u);
  auto last = run_ok(source, "image/indexcrop,x_30,i_3");
  EXPECT_EQ(last.width, 10u);
  expect_rgb_near(pixel(decode(last.body), 0, 0), {0, 255, 0}, 0, "last slice is green");
  auto rows = run_ok(source, "image/indexcrop,y_25,i_2");
  EXPECT_EQ(rows.width, 100u);
  EXPECT_EQ(rows.height, 10u);
  auto beyond = run_ok(source, "image/indexcrop,x_30,i_4");
  EXPECT_EQ(beyond.width, 100u);
  EXPECT_EQ(beyond.height, 60u);
}

TEST_F(ImageCircle, PngCornersTransparentJpgCornersWhite) {
  auto source = encode(solid(80, 60, {0, 0, 255}), ".png");
  auto png = run_ok(source, "image/circle,r_20");
  EXPECT_EQ(png.width, 40u);
  EXPECT_EQ(png.height, 40u);
  VImage decoded = decode(png.body);
  ASSERT_EQ(decoded.bands(), 4);
  EXPECT_EQ(pixel(decoded, 0, 0)[3], 0);
  EXPECT_EQ(pixel(decoded, 39, 39)[3], 0);
  EXPECT_EQ(pixel(decoded, 20, 20)[3], 255);
  EXPECT_EQ(pixel(decoded, 20, 1)[3], 255);  // just inside the top of the circle
  auto jpg = run_ok(source, "image/circle,r_20/format,jpg");
  VImage flat = decode(jpg.body);
  EXPECT_EQ(flat.bands(), 3);
  expect_rgb_near(pixel(flat, 0, 0), {255, 255, 255}, 20, "corner");
  expect_rgb_near(pixel(flat, 20, 20), {0, 0, 255}, 8, "centre");
}

TEST_F(ImageCircle, RadiusIsClampedToHalfTheShorterSide) {
  auto out = run_ok(encode(solid(80, 60, {0, 0, 255}), ".png"), "image/circle,r_500");
  EXPECT_EQ(out.width, 60u);
  EXPECT_EQ(out.height, 60u);
}

TEST_F(ImageRoundedCorners, CornersCutEdgesKept) {
  auto out = run_ok(encode(solid(80, 60, {0, 255, 0}), ".png"), "image/rounded-corners,r_15");
  EXPECT_EQ(out.width, 80u);
  EXPECT_EQ(out.height, 60u);
  VImage decoded = decode(out.body);
  ASSERT_EQ(decoded.bands(), 4);
  EXPECT_EQ(pixel(decoded, 0, 0)[3], 0);
  EXPECT_EQ(pixel(decoded, 79, 59)[3], 0);
  EXPECT_EQ(pixel(decoded, 79, 0)[3], 0);
  EXPECT_EQ(pixel(decoded, 40, 0)[3], 255);  // middle of the top edge
  EXPECT_EQ(pixel(decoded, 0, 30)[3], 255);  // middle of the left edge
  EXPECT_EQ(pixel(decoded, 40, 30)[3], 255);
  auto jpg = run_ok(encode(solid(80, 60, {0, 255, 0}), ".jpg"), "image/rounded-corners,r_15");
  expect_rgb_near(pixel(decode(jpg.body), 0, 0), {255, 255, 255}, 20, "jpg corner is white");
}

// ---- orientation ----

TEST_F(ImageRotate, NinetySwapsSidesClockwise) {
  auto out = run_ok(encode(quadrants(80, 60), ".png"), "image/rotate,90");
  EXPECT_EQ(out.width, 60u);
  EXPECT_EQ(out.height, 80u);
  // Clockwise: the red top-left quadrant ends up top-right; blue bottom-left goes top-left.
  VImage decoded = decode(out.body);
  expect_rgb_near(pixel(decoded, 55, 5), {255, 0, 0}, 0, "red at top-right");
  expect_rgb_near(pixel(decoded, 5, 5), {0, 0, 255}, 0, "blue at top-left");
}

TEST_F(ImageRotate, HalfAndThreeQuarterTurns) {
  auto source = encode(quadrants(80, 60), ".png");
  VImage half = decode(run_ok(source, "image/rotate,180").body);
  EXPECT_EQ(half.width(), 80);
  expect_rgb_near(pixel(half, 75, 55), {255, 0, 0}, 0, "red at bottom-right");
  VImage three = decode(run_ok(source, "image/rotate,270").body);
  EXPECT_EQ(three.width(), 60);
  expect_rgb_near(pixel(three, 5, 75), {255, 0, 0}, 0, "red at bottom-left");
  VImage none = decode(run_ok(source, "image/rotate,360").body);
  expect_rgb_near(pixel(none, 5, 5), {255, 0, 0}, 0, "unchanged");
}

TEST_F(ImageRotate, ArbitraryAngleGrowsTheCanvasWithWhiteCorners) {
  auto out = run_ok(encode(solid(100, 100, {0, 0, 0}), ".jpg"), "image/rotate,45");
  EXPECT_GE(out.width, 140u);
  EXPECT_LE(out.width, 143u);
  VImage decoded = decode(out.body);
  expect_rgb_near(pixel(decoded, 2, 2), {255, 255, 255}, 10, "corner");
  int mid = decoded.width() / 2;
  expect_rgb_near(pixel(decoded, mid, mid), {0, 0, 0}, 10, "centre");
  // Clockwise: a marker at the top-left moves towards the top (x grows).
  VImage marked = solid(100, 100, {0, 0, 0}).insert(solid(10, 10, {255, 0, 0}), 0, 0);
  VImage turned = decode(run_ok(encode(marked, ".png"), "image/rotate,45").body);
  int w = turned.width();
  expect_rgb_near(pixel(turned, w / 2, 5), {255, 0, 0}, 60, "marker at the top centre");
}

TEST_F(ImageAutoOrient, AppliesExifOrientation) {
  VImage image = quadrants(80, 60).copy();
  image.set("orientation", 6);  // rotate 90 clockwise to display
  auto source = encode(image, ".jpg");
  auto turned = run_ok(source, "image/auto-orient,1");
  EXPECT_EQ(turned.width, 60u);
  EXPECT_EQ(turned.height, 80u);
  auto kept = run_ok(source, "image/auto-orient,0");
  EXPECT_EQ(kept.width, 80u);
  EXPECT_EQ(kept.height, 60u);
  auto after_resize = run_ok(source, "image/resize,w_40/auto-orient,1");
  EXPECT_EQ(after_resize.width, 30u);
  EXPECT_EQ(after_resize.height, 40u);
}

TEST_F(ImageFlip, HorizontalVerticalBoth) {
  auto source = encode(quadrants(80, 60), ".png");
  expect_rgb_near(pixel(decode(run_ok(source, "image/flip,1").body), 5, 5), {0, 255, 0}, 0, "horizontal");
  expect_rgb_near(pixel(decode(run_ok(source, "image/flip,0").body), 5, 5), {0, 0, 255}, 0, "vertical");
  expect_rgb_near(pixel(decode(run_ok(source, "image/flip,2").body), 5, 5), {255, 255, 255}, 0, "both");
}

// ---- formats ----

struct FormatCase {
  const char* name;
  const char* content_type;
  std::string_view magic;
  size_t magic_at;
};

TEST_F(ImageFormats, EveryOutputFormat) {
  auto source = encode(quadrants(64, 48), ".png");
  const FormatCase cases[] = {
      {"jpg", "image/jpeg", "\xFF\xD8\xFF", 0},
      {"png", "image/png", "\x89PNG", 0},
      {"webp", "image/webp", "WEBP", 8},
      {"gif", "image/gif", "GIF8", 0},
      {"bmp", "image/bmp", "BM", 0},
      {"tiff", "image/tiff", std::string_view("II*\0", 4), 0},
      {"avif", "image/avif", "ftypavif", 4},
      {"heic", "image/heic", "ftypheic", 4},
  };
  for (const auto& c : cases) {
    auto out = run_ok(source, std::string("image/format,") + c.name);
    EXPECT_EQ(out.format, c.name);
    EXPECT_EQ(out.content_type, c.content_type) << c.name;
    EXPECT_TRUE(starts_with(out.body, c.magic, c.magic_at)) << c.name;
    EXPECT_EQ(out.width, 64u);
    EXPECT_EQ(out.height, 48u);
    // Every output can be read back: by libvips here, or (BMP) by the processor itself.
    auto back = run_ok(out.body, "image/info");
    auto info = nlohmann::json::parse(back.body);
    EXPECT_EQ(info["ImageWidth"]["value"], "64") << c.name;
    EXPECT_EQ(info["Format"]["value"], c.name);
  }
}

TEST_F(ImageFormats, OutputFollowsTheSourceByDefault) {
  auto webp = run_ok(encode(quadrants(64, 48), ".webp"), "image/resize,w_32");
  EXPECT_EQ(webp.format, "webp");
  auto gif = run_ok(encode(quadrants(64, 48), ".gif"), "image/resize,w_32");
  EXPECT_EQ(gif.format, "gif");
  EXPECT_TRUE(starts_with(gif.body, "GIF8"));
  auto tiff = run_ok(encode(quadrants(64, 48), ".tif"), "image/resize,w_32");
  EXPECT_EQ(tiff.format, "tiff");
}

TEST_F(ImageFormats, BmpSourceIsReadable) {
  auto bmp = run_ok(encode(quadrants(64, 48), ".png"), "image/format,bmp");
  ASSERT_TRUE(starts_with(bmp.body, "BM"));
  auto out = run_ok(bmp.body, "image/resize,w_32/format,png");
  EXPECT_EQ(out.width, 32u);
  EXPECT_EQ(out.height, 24u);
  expect_rgb_near(pixel(decode(out.body), 2, 2), {255, 0, 0}, 2, "red");
}

TEST_F(ImageFormats, HeifSourcesAreReadable) {
  for (const char* format : {"avif", "heic"}) {
    auto encoded = run_ok(encode(quadrants(64, 48), ".png"), std::string("image/format,") + format);
    auto out = run_ok(encoded.body, "image/resize,w_32/format,png");
    EXPECT_EQ(out.width, 32u) << format;
    EXPECT_EQ(out.height, 24u) << format;
  }
}

TEST_F(ImageFormats, AlphaFlattenedOnWhiteForJpgAndBmp) {
  auto source = encode(solid(20, 20, {0, 0, 0, 0}), ".png");
  expect_rgb_near(pixel(decode(run_ok(source, "image/format,jpg").body), 10, 10), {255, 255, 255}, 2, "jpg");
  auto png = decode(run_ok(source, "image/format,webp").body);
  EXPECT_EQ(png.bands(), 4);
}

TEST_F(ImageQuality, LowerQualityIsSmaller) {
  auto source = encode(noise(200, 200), ".png");
  auto low = run_ok(source, "image/format,jpg/quality,Q_10");
  auto high = run_ok(source, "image/format,jpg/quality,q_95");
  EXPECT_LT(low.body.size() * 2, high.body.size());
  auto webp_low = run_ok(source, "image/format,webp/quality,Q_10");
  auto webp_high = run_ok(source, "image/format,webp/quality,Q_95");
  EXPECT_LT(webp_low.body.size(), webp_high.body.size());
}

TEST_F(ImageInterlace, ProgressiveJpegAndInterlacedPng) {
  auto source = encode(noise(64, 64), ".png");
  VImage progressive = decode(run_ok(source, "image/format,jpg/interlace,1").body);
  EXPECT_EQ(progressive.get_int("interlaced"), 1);
  VImage baseline = decode(run_ok(source, "image/format,jpg/interlace,0").body);
  EXPECT_EQ(baseline.get_typeof("interlaced"), 0u);
  VImage png = decode(run_ok(source, "image/interlace,1").body);
  EXPECT_EQ(png.get_int("interlaced"), 1);
}

// ---- filters ----

TEST_F(ImageFilters, BlurLowersDetail) {
  auto source = encode(noise(100, 100), ".png");
  double before = decode(source).deviate();
  double after = decode(run_ok(source, "image/blur,r_10,s_5").body).deviate();
  EXPECT_LT(after, before / 2);
}

TEST_F(ImageFilters, BrightShiftsLevels) {
  auto source = encode(solid(20, 20, {100, 100, 100}), ".png");
  expect_rgb_near(pixel(decode(run_ok(source, "image/bright,50").body), 5, 5), {227.5, 227.5, 227.5}, 1.5, "up");
  expect_rgb_near(pixel(decode(run_ok(source, "image/bright,-50").body), 5, 5), {0, 0, 0}, 1, "down");
  expect_rgb_near(pixel(decode(run_ok(source, "image/bright,0").body), 5, 5), {100, 100, 100}, 0, "same");
}

TEST_F(ImageFilters, ContrastStretchesOrFlattens) {
  auto source = encode(quadrants(40, 40), ".png");
  VImage flat = decode(run_ok(source, "image/contrast,-100").body);
  EXPECT_LT(flat.deviate(), 1.0);
  VImage grey = solid(20, 20, {100, 100, 100}).insert(solid(10, 20, {160, 160, 160}), 0, 0);
  VImage stretched = decode(run_ok(encode(grey, ".png"), "image/contrast,50").body);
  EXPECT_GT(stretched.deviate(), grey.deviate() * 1.4);
}

TEST_F(ImageFilters, SharpenRaisesEdgeContrast) {
  VImage soft =
      solid(60, 60, {80, 80, 80}).insert(solid(30, 60, {170, 170, 170}), 0, 0).gaussblur(2).cast(VIPS_FORMAT_UCHAR);
  auto source = encode(soft, ".png");
  VImage sharpened = decode(run_ok(source, "image/sharpen,300").body);
  EXPECT_EQ(sharpened.width(), 60);
  EXPECT_GT(sharpened.deviate(), soft.deviate());
}

// ---- watermarks ----

TEST_F(ImageWatermark, TextIsDrawnAtTheGravity) {
  VImage white = solid(300, 200, {255, 255, 255});
  auto source = encode(white, ".png");
  auto out = run_ok(source, "image/watermark,text_SGVsbG8,size_40,color_FF0000");
  EXPECT_EQ(out.width, 300u);
  EXPECT_EQ(out.height, 200u);
  VImage decoded = decode(out.body);
  // se: red ink near the bottom-right, the top-left untouched.
  VImage corner = decoded.extract_area(150, 100, 150, 100);
  EXPECT_LT(corner.extract_band(1).min(), 100);  // green channel drops where the red ink is
  EXPECT_EQ(decoded.extract_area(0, 0, 150, 100).min(), 255);
  auto nw = decode(run_ok(source, "image/watermark,text_SGVsbG8,g_nw").body);
  EXPECT_LT(nw.extract_area(0, 0, 150, 100).min(), 100);
  EXPECT_EQ(nw.extract_area(150, 100, 150, 100).min(), 255);
}

TEST_F(ImageWatermark, TextOptionsRender) {
  auto source = encode(solid(300, 200, {255, 255, 255}), ".jpg");
  for (const char* process :
       {"image/watermark,text_SGVsbG8,shadow_50", "image/watermark,text_SGVsbG8,rotate_90",
        "image/watermark,text_SGVsbG8,rotate_45,t_50", "image/watermark,text_5L2g5aW9,type_d3F5LXplbmhlaQ",
        "image/watermark,text_PGI-Jjwv,g_center", "image/watermark,text_SGVsbG8,size_1000",
        "image/watermark,text_SGVsbG8,g_west,voffset_20", "image/watermark,text_SGVsbG8,g_north",
        // 48 wide glyphs at the largest size: drawn smaller instead of a 50000x1500 raster.
        "image/watermark,text_V1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dX,size_1000,rotate_45"}) {
    auto out = run_ok(source, process);
    EXPECT_EQ(out.width, 300u) << process;
    EXPECT_LT(decode(out.body).min(), 200) << process;
  }
}

TEST_F(ImageWatermark, TextFillTilesTheWholeImage) {
  auto out = run_ok(encode(solid(400, 400, {255, 255, 255}), ".png"), "image/watermark,text_SGk,size_20,fill_1");
  VImage decoded = decode(out.body);
  EXPECT_LT(decoded.extract_area(0, 0, 200, 200).min(), 200);
  EXPECT_LT(decoded.extract_area(200, 200, 200, 200).min(), 200);
}

ObjectLoader red_logo(int size) {
  return [size](const std::string& key) -> Result<std::string> {
    if (key != "logo.png") return Error(ErrorCode::NoSuchKey, key);
    return encode(solid(size, size, {255, 0, 0}), ".png");
  };
}

TEST_F(ImageWatermark, ImageFromAnotherObject) {
  auto source = encode(solid(200, 100, {0, 0, 255}), ".png");
  auto out = run_ok(source, "image/watermark,image_bG9nby5wbmc,g_nw,x_0,y_0", {}, red_logo(40));
  VImage decoded = decode(out.body);
  expect_rgb_near(pixel(decoded, 20, 20), {255, 0, 0}, 0, "logo");
  expect_rgb_near(pixel(decoded, 60, 20), {0, 0, 255}, 0, "beside the logo");
  auto se = decode(run_ok(source, "image/watermark,image_bG9nby5wbmc", {}, red_logo(40)).body);
  expect_rgb_near(pixel(se, 200 - 10 - 20, 100 - 10 - 20), {255, 0, 0}, 0, "se with 10px margins");
  expect_rgb_near(pixel(se, 195, 95), {0, 0, 255}, 0, "margin");
}

TEST_F(ImageWatermark, TransparencyBlends) {
  auto source = encode(solid(100, 100, {0, 0, 255}), ".png");
  auto out = run_ok(source, "image/watermark,image_bG9nby5wbmc,g_nw,x_0,y_0,t_50", {}, red_logo(40));
  expect_rgb_near(pixel(decode(out.body), 20, 20), {127.5, 0, 127.5}, 2, "half red over blue");
}

TEST_F(ImageWatermark, NestedProcessAndPercentOfMainImage) {
  auto source = encode(solid(200, 200, {0, 0, 255}), ".png");
  // "logo.png?x-oss-process=image/resize,P_20": 20% of 200 = 40 px.
  auto nested = decode(run_ok(source,
                              "image/watermark,g_nw,x_0,y_0,"
                              "image_bG9nby5wbmc_eC1vc3MtcHJvY2Vzcz1pbWFnZS9yZXNpemUsUF8yMA",
                              {}, red_logo(100))
                           .body);
  expect_rgb_near(pixel(nested, 35, 35), {255, 0, 0}, 0, "inside 40px");
  expect_rgb_near(pixel(nested, 45, 45), {0, 0, 255}, 0, "outside 40px");
  // P_ on the watermark itself does the same.
  auto percent = decode(run_ok(source, "image/watermark,image_bG9nby5wbmc,P_10,g_nw,x_0,y_0", {}, red_logo(100)).body);
  expect_rgb_near(pixel(percent, 15, 15), {255, 0, 0}, 0, "inside 20px");
  expect_rgb_near(pixel(percent, 25, 25), {0, 0, 255}, 0, "outside 20px");
}

TEST_F(ImageWatermark, ImageAndTextTogether) {
  auto out =
      run_ok(encode(solid(400, 200, {255, 255, 255}), ".png"),
             "image/watermark,image_bG9nby5wbmc,text_SGVsbG8,g_nw,x_0,y_0,interval_10,align_0", {}, red_logo(30));
  VImage decoded = decode(out.body);
  expect_rgb_near(pixel(decoded, 15, 15), {255, 0, 0}, 0, "image first");
  EXPECT_LT(decoded.extract_area(40, 0, 150, 60).min(), 100);  // text after the interval
}

TEST_F(ImageWatermark, MissingObjectErrorPassesThrough) {
  auto result = run(encode(solid(50, 50, {0, 0, 0}), ".png"), "image/watermark,image_bm9wZS5wbmc", {}, red_logo(10));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::NoSuchKey);
}

TEST_F(ImageWatermark, NonImageObjectIsRejected) {
  ObjectLoader text_object = [](const std::string&) -> Result<std::string> { return std::string("plain text"); };
  expect_invalid(run(encode(solid(50, 50, {0, 0, 0}), ".png"), "image/watermark,image_bG9nby5wbmc", {}, text_object),
                 "watermark image format is not supported");
}

// ---- JSON answers ----

TEST_F(ImageInfo, ReportsSizeFormatAndDimensions) {
  auto source = encode(quadrants(400, 267), ".jpg");
  auto out = run_ok(source, "image/info");
  EXPECT_EQ(out.content_type, "application/json");
  EXPECT_EQ(out.format, "json");
  auto info = nlohmann::json::parse(out.body);
  EXPECT_EQ(info["FileSize"]["value"], std::to_string(source.size()));
  EXPECT_EQ(info["Format"]["value"], "jpg");
  EXPECT_EQ(info["ImageWidth"]["value"], "400");
  EXPECT_EQ(info["ImageHeight"]["value"], "267");
  for (auto& [name, field] : info.items()) {
    EXPECT_TRUE(field.is_object() && field["value"].is_string()) << name;
  }
}

TEST_F(ImageInfo, IncludesExifFieldsWhenPresent) {
  VImage image = quadrants(40, 30).copy();
  image.set("orientation", 6);
  image.set("xres", 72 / 25.4);
  image.set("yres", 72 / 25.4);
  auto out = run_ok(encode(image, ".jpg"), "image/info");
  auto info = nlohmann::json::parse(out.body);
  EXPECT_EQ(info["Orientation"]["value"], "6");
  EXPECT_TRUE(info.contains("XResolution"));
  EXPECT_TRUE(info.contains("ResolutionUnit"));
  // A PNG has no EXIF block: only the four basic fields.
  auto png = nlohmann::json::parse(run_ok(encode(quadrants(40, 30), ".png"), "image/info").body);
  EXPECT_EQ(png.size(), 4u);
  EXPECT_EQ(png["Format"]["value"], "png");
}

TEST_F(ImageInfo, ReadsTheHeaderOnly) {
  // A corrupt body after a valid header does not matter to info.
  auto source = encode(noise(300, 200), ".jpg");
  source.resize(source.size() / 2);
  auto out = run_ok(source, "image/info");
  EXPECT_EQ(nlohmann::json::parse(out.body)["ImageWidth"]["value"], "300");
}

TEST_F(ImageAverageHue, SolidColourIsExact) {
  auto out = run_ok(encode(solid(50, 40, {0x5c, 0x78, 0x3b}), ".png"), "image/average-hue");
  EXPECT_EQ(out.content_type, "application/json");
  EXPECT_EQ(out.body, R"({"RGB":"0x5c783b"})");
}

TEST_F(ImageAverageHue, LargeJpegMatchesAFullDecode) {
  // A bare average-hue decodes a JPEG at 1/8 scale; the mean must still be the full image's.
  VImage image = quadrants(1600, 1200).insert(solid(400, 300, {30, 60, 90}), 100, 700);
  auto source = encode(image, ".jpg", VImage::option()->set("Q", 95));
  auto out = run_ok(source, "image/average-hue");
  auto rgb = nlohmann::json::parse(out.body)["RGB"].get<std::string>();
  ASSERT_EQ(rgb.size(), 8u);
  VImage full = decode(source);
  for (int band = 0; band < 3; ++band) {
    int got = std::stoi(rgb.substr(2 + band * 2, 2), nullptr, 16);
    EXPECT_NEAR(got, full.extract_band(band).avg(), 1.0) << "band " << band;
  }
}

TEST_F(ImageAverageHue, AfterOtherActions) {
  // Crop to the red quadrant, then average.
  auto out = run_ok(encode(quadrants(100, 100), ".png"), "image/crop,w_50,h_50/average-hue");
  EXPECT_EQ(out.body, R"({"RGB":"0xff0000"})");
  auto mixed = run_ok(encode(quadrants(100, 100), ".jpg"), "image/resize,w_50/average-hue");
  auto rgb = nlohmann::json::parse(mixed.body)["RGB"].get<std::string>();
  EXPECT_EQ(rgb.size(), 8u);
}

// ---- chains ----

TEST_F(ImageChain, AppliedLeftToRight) {
  auto out = run_ok(encode(quadrants(400, 300), ".jpg"), "image/resize,w_100/rotate,90/format,png");
  EXPECT_EQ(out.width, 75u);
  EXPECT_EQ(out.height, 100u);
  EXPECT_EQ(out.format, "png");
  auto other = run_ok(encode(quadrants(400, 300), ".jpg"), "image/rotate,90/resize,w_100/format,png");
  EXPECT_EQ(other.width, 100u);
  EXPECT_EQ(other.height, 133u);
}

// ---- limits and bad input ----

uint32_t be32(const unsigned char* p) { return (uint32_t(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3]; }
void put_be32(char* p, uint32_t v) {
  p[0] = char(v >> 24);
  p[1] = char(v >> 16);
  p[2] = char(v >> 8);
  p[3] = char(v);
}

// A real small PNG whose IHDR (with a valid CRC) claims another size: a decompression bomb's header.
std::string png_claiming(uint32_t width, uint32_t height) {
  std::string png = encode(solid(8, 8, {0, 0, 0}), ".png");
  auto* bytes = reinterpret_cast<unsigned char*>(png.data());
  EXPECT_EQ(std::memcmp(bytes + 12, "IHDR", 4), 0);
  EXPECT_EQ(be32(bytes + 8), 13u);
  put_be32(png.data() + 16, width);
  put_be32(png.data() + 20, height);
  uint32_t crc = static_cast<uint32_t>(crc32(0, bytes + 12, 4 + 13));
  put_be32(png.data() + 29, crc);
  return png;
}

TEST_F(ImageSourceLimits, DecompressionBombRefusedFromTheHeader) {
  auto bomb = png_claiming(50000, 50000);
  EXPECT_LT(bomb.size(), 1000u);
  expect_invalid(run(bomb, "image/resize,w_100"), "width and height must be at most 30000");
  expect_invalid(run(bomb, "image/info"), "at most 30000");
  expect_invalid(run(png_claiming(20000, 20000), "image/resize,w_100"), "at most 250000000 are allowed");
}

TEST_F(ImageSourceLimits, TallThinPng) {
  auto tall = encode(solid(1, 100000, {10, 20, 30}), ".png");
  expect_invalid(run(tall, "image/resize,h_100"), "1x100000");
  auto out = run_ok(tall, "image/resize,h_100", ImageLimits{.max_side = 100000});
  EXPECT_EQ(out.width, 1u);
  EXPECT_EQ(out.height, 100u);
}

TEST_F(ImageSourceLimits, PixelLimit) {
  auto source = encode(solid(1000, 1000, {0, 0, 0}), ".png");
  expect_invalid(run(source, "image/resize,w_10", ImageLimits{.max_pixels = 999'999}), "1000000 pixels");
  EXPECT_TRUE(run(source, "image/resize,w_10", ImageLimits{.max_pixels = 1'000'000}).ok());
}

TEST_F(ImageSourceLimits, AnimatedFramesCountTowardPixels) {
  const int frames = 50;
  VImage strip = solid(100, 100 * frames, {0, 0, 0}).copy();
  strip.set("page-height", 100);
  strip.set("delay", std::vector<int>(frames, 40));
  auto gif = encode(strip, ".gif");
  ASSERT_EQ(decode(gif).get_int("n-pages"), frames);
  expect_invalid(run(gif, "image/resize,w_10", ImageLimits{.max_pixels = 400'000}), "(50 frames)");
  auto out = run_ok(gif, "image/resize,w_10", ImageLimits{.max_pixels = 500'000});
  EXPECT_EQ(out.width, 10u);
  EXPECT_EQ(out.height, 10u);  // the first frame
}

TEST_F(ImageSourceLimits, SourceBytes) {
  auto source = encode(noise(100, 100), ".png");
  expect_invalid(run(source, "image/resize,w_10", ImageLimits{.max_source_bytes = 100}), "at most 100");
}

TEST_F(ImageBadInput, NonImagesAreNotSupported) {
  expect_invalid(run("hello, this is text", "image/resize,w_10"), "The image format is not supported.");
  expect_invalid(run("", "image/resize,w_10"), "The image format is not supported.");
  expect_invalid(run("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>", "image/info"),
                 "not supported");
  expect_invalid(run("%PDF-1.4\n", "image/info"), "not supported");
}

TEST_F(ImageBadInput, TruncatedAndCorruptImages) {
  auto jpg = encode(noise(200, 200), ".jpg");
  auto png = encode(noise(200, 200), ".png");
  auto webp = encode(noise(200, 200), ".webp");
  auto gif = encode(noise(200, 200), ".gif");
  for (const auto* source : {&jpg, &png, &webp, &gif}) {
    // A GIF missing only its trailer still holds a whole frame; the other cuts lose pixels.
    size_t near_end = source == &gif ? source->size() / 2 : source->size() * 9 / 10;
    for (size_t keep : {size_t(8), size_t(40), source->size() / 2, near_end}) {
      std::string cut = source->substr(0, keep);
      auto result = run(cut, "image/resize,w_50");
      ASSERT_FALSE(result.ok()) << "kept " << keep << " of " << source->size();
      EXPECT_EQ(result.error().code, ErrorCode::InvalidArgument);
    }
  }
  // Garbage after a valid JPEG signature.
  std::string garbage = std::string("\xFF\xD8\xFF\xE0", 4) + std::string(5000, '\x5a');
  expect_invalid(run(garbage, "image/resize,w_50"), "corrupted");
  // Flipped bytes in the middle of the compressed data.
  std::string damaged = png;
  for (size_t i = damaged.size() / 3; i < damaged.size() / 3 + 64; ++i) damaged[i] = static_cast<char>(~damaged[i]);
  expect_invalid(run(damaged, "image/resize,w_50"), "corrupted");
}

TEST_F(ImageBadInput, TruncatedPngKeepsTheHeaderMessageUseful) {
  auto png = encode(noise(200, 200), ".png");
  expect_invalid(run(png.substr(0, png.size() / 2), "image/format,jpg"), "The image is corrupted.");
}

// ---- concurrency ----

TEST_F(ImageProcessorThreads, ManyThreadsAtOnce) {
  const ImageProcessor processor(ImageLimits{});
  auto spec = parse_process("image/resize,w_64/rotate,90/format,webp");
  ASSERT_TRUE(spec.ok());
  auto jpg = encode(noise(640, 480), ".jpg");
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        auto out = processor.process(jpg, *spec, no_objects());
        if (out.ok() && out->width == 48 && out->height == 64 && out->format == "webp") ++good;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(good.load(), 20);
}

TEST_F(ImageLibrary, InitializeIsIdempotent) {
  EXPECT_TRUE(initialize_image_library("again").ok());
  EXPECT_TRUE(initialize_image_library(nullptr).ok());
}

}  // namespace
}  // namespace ossd::image
