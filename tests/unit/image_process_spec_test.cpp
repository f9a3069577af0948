// x-oss-process parser tables: every action, every parameter and every error of spec §9.
#include <gtest/gtest.h>

#include <string>

#include "image/process_spec.hpp"

namespace ossd::image {
namespace {

// ---- accepted strings and their canonical text ----

struct Accepted {
  const char* text;
  const char* normalized;
};

// base64url("Hello") = SGVsbG8, ("logo.png") = bG9nby5wbmc, ("wqy-zenhei") = d3F5LXplbmhlaQ
const Accepted kAccepted[] = {
    // resize
    Accepted{"image/resize,w_200", "image/resize,m_lfit,w_200,limit_1"},
    Accepted{"image/resize,h_100", "image/resize,m_lfit,h_100,limit_1"},
    Accepted{"image/resize,w_200,h_100", "image/resize,m_lfit,w_200,h_100,limit_1"},
    Accepted{"image/resize,h_100,w_200", "image/resize,m_lfit,w_200,h_100,limit_1"},
    Accepted{"image/resize,w_0200", "image/resize,m_lfit,w_200,limit_1"},
    Accepted{"image/resize,m_lfit,w_200,limit_1", "image/resize,m_lfit,w_200,limit_1"},
    Accepted{"image/resize,m_mfit,w_200,h_100", "image/resize,m_mfit,w_200,h_100,limit_1"},
    Accepted{"image/resize,m_fill,w_200,h_100", "image/resize,m_fill,w_200,h_100,limit_1"},
    Accepted{"image/resize,m_fill,w_200", "image/resize,m_fill,w_200,h_200,limit_1"},
    Accepted{"image/resize,m_pad,h_50", "image/resize,m_pad,w_50,h_50,limit_1,color_FFFFFF"},
    Accepted{"image/resize,m_pad,w_100,h_50,color_ff0000", "image/resize,m_pad,w_100,h_50,limit_1,color_FF0000"},
    Accepted{"image/resize,m_fixed,w_100,h_50", "image/resize,m_fixed,w_100,h_50,limit_1"},
    Accepted{"image/resize,m_fixed,h_70", "image/resize,m_fixed,w_70,h_70,limit_1"},
    Accepted{"image/resize,l_300", "image/resize,m_lfit,l_300,limit_1"},
    Accepted{"image/resize,s_300", "image/resize,m_lfit,s_300,limit_1"},
    Accepted{"image/resize,l_300,s_200", "image/resize,m_lfit,l_300,s_200,limit_1"},
    Accepted{"image/resize,w_100,l_300", "image/resize,m_lfit,w_100,limit_1"},
    Accepted{"image/resize,p_50", "image/resize,m_lfit,p_50,limit_1"},
    Accepted{"image/resize,p_1000,limit_0", "image/resize,m_lfit,p_1000,limit_0"},
    Accepted{"image/resize,p_50,w_100", "image/resize,m_lfit,w_100,limit_1"},
    Accepted{"image/resize,w_1", "image/resize,m_lfit,w_1,limit_1"},
    Accepted{"image/resize,w_16384,h_16384", "image/resize,m_lfit,w_16384,h_16384,limit_1"},
    Accepted{"image/resize,w_100,limit_0", "image/resize,m_lfit,w_100,limit_0"},
    Accepted{"image/resize,w_100,color_00FF00", "image/resize,m_lfit,w_100,limit_1"},
    Accepted{"image/resize,w_100,w_300", "image/resize,m_lfit,w_300,limit_1"},
    // crop
    Accepted{"image/crop,w_100,h_50", "image/crop,w_100,h_50,x_0,y_0,g_nw"},
    Accepted{"image/crop,x_10,y_20", "image/crop,x_10,y_20,g_nw"},
    Accepted{"image/crop,w_100,g_center", "image/crop,w_100,x_0,y_0,g_center"},
    Accepted{"image/crop,g_nw", "image/crop,x_0,y_0,g_nw"},
    Accepted{"image/crop,g_north", "image/crop,x_0,y_0,g_north"},
    Accepted{"image/crop,g_ne", "image/crop,x_0,y_0,g_ne"},
    Accepted{"image/crop,g_west", "image/crop,x_0,y_0,g_west"},
    Accepted{"image/crop,g_east", "image/crop,x_0,y_0,g_east"},
    Accepted{"image/crop,g_sw", "image/crop,x_0,y_0,g_sw"},
    Accepted{"image/crop,g_south", "image/crop,x_0,y_0,g_south"},
    Accepted{"image/crop,g_se,w_10,h_10,x_5,y_6", "image/crop,w_10,h_10,x_5,y_6,g_se"},
    // indexcrop
    Accepted{"image/indexcrop,x_100,i_2", "image/indexcrop,x_100,i_2"},
    Accepted{"image/indexcrop,y_50", "image/indexcrop,y_50,i_0"},
    Accepted{"image/indexcrop,i_1,y_50", "image/indexcrop,y_50,i_1"},
    // circle / rounded-corners
    Accepted{"image/circle,r_100", "image/circle,r_100"},
    Accepted{"image/circle,r_1", "image/circle,r_1"},
    Accepted{"image/rounded-corners,r_30", "image/rounded-corners,r_30"},
    Accepted{"image/rounded-corners,r_4096", "image/rounded-corners,r_4096"},
    // rotate / auto-orient / flip
    Accepted{"image/rotate,90", "image/rotate,90"},
    Accepted{"image/rotate,0", "image/rotate,0"},
    Accepted{"image/rotate,360", "image/rotate,360"},
    Accepted{"image/rotate,045", "image/rotate,45"},
    Accepted{"image/auto-orient,1", "image/auto-orient,1"},
    Accepted{"image/auto-orient,0", "image/auto-orient,0"},
    Accepted{"image/flip,0", "image/flip,0"},
    Accepted{"image/flip,1", "image/flip,1"},
    Accepted{"image/flip,2", "image/flip,2"},
    // format
    Accepted{"image/format,jpg", "image/format,jpg"},
    Accepted{"image/format,jpeg", "image/format,jpg"},
    Accepted{"image/format,png", "image/format,png"},
    Accepted{"image/format,webp", "image/format,webp"},
    Accepted{"image/format,bmp", "image/format,bmp"},
    Accepted{"image/format,gif", "image/format,gif"},
    Accepted{"image/format,tiff", "image/format,tiff"},
    Accepted{"image/format,heic", "image/format,heic"},
    Accepted{"image/format,avif", "image/format,avif"},
    // quality / interlace
    Accepted{"image/quality,q_80", "image/quality,q_80"},
    Accepted{"image/quality,Q_1", "image/quality,Q_1"},
    Accepted{"image/quality,q_100", "image/quality,q_100"},
    Accepted{"image/interlace,1", "image/interlace,1"},
    Accepted{"image/interlace,0", "image/interlace,0"},
    // blur / bright / contrast / sharpen
    Accepted{"image/blur,r_3,s_2", "image/blur,r_3,s_2"},
    Accepted{"image/blur,s_50,r_50", "image/blur,r_50,s_50"},
    Accepted{"image/bright,50", "image/bright,50"},
    Accepted{"image/bright,-100", "image/bright,-100"},
    Accepted{"image/bright,100", "image/bright,100"},
    Accepted{"image/contrast,-50", "image/contrast,-50"},
    Accepted{"image/contrast,0", "image/contrast,0"},
    Accepted{"image/sharpen,100", "image/sharpen,100"},
    Accepted{"image/sharpen,50", "image/sharpen,50"},
    Accepted{"image/sharpen,399", "image/sharpen,399"},
    // watermark
    Accepted{"image/watermark,text_SGVsbG8",
             "image/watermark,t_100,g_se,x_10,y_10,voffset_0,text_SGVsbG8,type_c2Fucw,color_000000,size_40,"
             "shadow_0,rotate_0,fill_0"},
    Accepted{"image/watermark,text_SGVsbG8=,type_d3F5LXplbmhlaQ,color_FF00ff,size_100,shadow_50,rotate_30,"
             "fill_1,t_50,g_center,x_0,y_4096,voffset_-1000",
             "image/watermark,t_50,g_center,x_0,y_4096,voffset_-1000,text_SGVsbG8,type_d3F5LXplbmhlaQ,"
             "color_FF00FF,size_100,shadow_50,rotate_30,fill_1"},
    Accepted{"image/watermark,image_bG9nby5wbmc", "image/watermark,t_100,g_se,x_10,y_10,voffset_0,image_bG9nby5wbmc"},
    Accepted{"image/watermark,image_bG9nby5wbmc,P_30,g_nw",
             "image/watermark,t_100,g_nw,x_10,y_10,voffset_0,image_bG9nby5wbmc,P_30"},
    Accepted{"image/watermark,image_bG9nby5wbmc,text_SGVsbG8,order_1,align_1,interval_20",
             "image/watermark,t_100,g_se,x_10,y_10,voffset_0,image_bG9nby5wbmc,text_SGVsbG8,type_c2Fucw,"
             "color_000000,size_40,shadow_0,rotate_0,fill_0,order_1,align_1,interval_20"},
    Accepted{"image/watermark,text_SGVsbG8,g_nw",
             "image/watermark,t_100,g_nw,x_10,y_10,voffset_0,"
             "text_SGVsbG8,type_c2Fucw,color_000000,size_40,shadow_0,"
             "rotate_0,fill_0"},
    // info / average-hue
    Accepted{"image/info", "image/info"},
    Accepted{"image/average-hue", "image/average-hue"},
    // chains and separators
    Accepted{"image/resize,w_200/format,webp", "image/resize,m_lfit,w_200,limit_1/format,webp"},
    Accepted{"image/resize,w_200/", "image/resize,m_lfit,w_200,limit_1"},
    Accepted{"image/crop,w_10/rotate,90/format,png/quality,Q_90",
             "image/crop,w_10,x_0,y_0,g_nw/rotate,90/format,png/quality,Q_90"},
    Accepted{"image/resize,w_200/info", "image/resize,m_lfit,w_200,limit_1/info"},
};

// One test per table (not one per row): ctest starts a process per test.
TEST(ParseProcessTable, AcceptedStringsNormalizeToCanonicalText) {
  for (const auto& row : kAccepted) {
    SCOPED_TRACE(row.text);
    auto spec = parse_process(row.text);
    ASSERT_TRUE(spec.ok()) << spec.error().message;
    EXPECT_EQ(spec->normalized, row.normalized);
    EXPECT_FALSE(spec->style.has_value());
    EXPECT_FALSE(spec->save_as.has_value());
    // The canonical text is itself accepted and is a fixed point.
    auto again = parse_process(spec->normalized);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->normalized, spec->normalized);
  }
}

// The watermark image's nested process is parsed and normalized inside the parameter.
TEST(ParseProcess, WatermarkImageKeepsObjectAndNestedSpec) {
  // "logo.png?x-oss-process=image/resize,P_20"
  auto spec = parse_process("image/watermark,image_bG9nby5wbmc_eC1vc3MtcHJvY2Vzcz1pbWFnZS9yZXNpemUsUF8yMA");
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  const auto& w = std::get<WatermarkAction>(spec->actions.at(0));
  ASSERT_TRUE(w.image.has_value());
  EXPECT_EQ(w.image->object, "logo.png");
  EXPECT_EQ(w.image->process, "image/resize,P_20");
  ASSERT_NE(w.image->spec, nullptr);
  ASSERT_EQ(w.image->spec->actions.size(), 1u);
  EXPECT_EQ(std::get<ResizeAction>(w.image->spec->actions[0]).P, 20u);
  EXPECT_EQ(w.image->spec->normalized, "image/resize,m_lfit,P_20,limit_1");
}

TEST(ParseProcess, ResizeFieldsAreTyped) {
  auto spec = parse_process("image/resize,m_pad,w_300,h_200,color_0a0B0c,limit_0");
  ASSERT_TRUE(spec.ok());
  const auto& r = std::get<ResizeAction>(spec->actions.at(0));
  EXPECT_EQ(r.mode, ResizeMode::Pad);
  EXPECT_EQ(r.w, 300u);
  EXPECT_EQ(r.h, 200u);
  EXPECT_FALSE(r.limit);
  EXPECT_EQ(r.color, (Color{10, 11, 12}));
}

TEST(ParseProcess, TextWatermarkFieldsAreDecoded) {
  auto spec = parse_process("image/watermark,text_5L2g5aW9,type_d3F5LXplbmhlaQ,color_123456,size_20,rotate_90");
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  const auto& w = std::get<WatermarkAction>(spec->actions.at(0));
  ASSERT_TRUE(w.text.has_value());
  EXPECT_EQ(w.text->text, "\xe4\xbd\xa0\xe5\xa5\xbd");  // 你好
  EXPECT_EQ(w.text->font, "wqy-zenhei");
  EXPECT_EQ(w.text->color, (Color{0x12, 0x34, 0x56}));
  EXPECT_EQ(w.text->size, 20u);
  EXPECT_EQ(w.text->rotate, 90u);
  EXPECT_EQ(w.gravity, Gravity::SouthEast);
  EXPECT_EQ(w.x, 10u);
}

TEST(ParseProcess, FlipAndIndexcropFields) {
  auto spec = parse_process("image/flip,0/flip,2/indexcrop,y_30,i_4");
  ASSERT_TRUE(spec.ok());
  EXPECT_TRUE(std::get<FlipAction>(spec->actions[0]).vertical);
  EXPECT_FALSE(std::get<FlipAction>(spec->actions[0]).horizontal);
  EXPECT_TRUE(std::get<FlipAction>(spec->actions[1]).vertical);
  EXPECT_TRUE(std::get<FlipAction>(spec->actions[1]).horizontal);
  const auto& c = std::get<IndexCropAction>(spec->actions[2]);
  EXPECT_FALSE(c.along_x);
  EXPECT_EQ(c.length, 30u);
  EXPECT_EQ(c.index, 4u);
}

TEST(ParseProcess, QualityRelativeAndAbsolute) {
  auto relative = parse_process("image/quality,q_70");
  auto absolute = parse_process("image/quality,Q_70");
  ASSERT_TRUE(relative.ok() && absolute.ok());
  EXPECT_FALSE(std::get<QualityAction>(relative->actions[0]).absolute);
  EXPECT_TRUE(std::get<QualityAction>(absolute->actions[0]).absolute);
}

TEST(ParseProcess, SameMeaningSameNormalizedText) {
  auto a = parse_process("image/resize,w_200");
  auto b = parse_process("image/resize,limit_1,w_0200,m_lfit");
  auto c = parse_process("image/resize,w_201");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->normalized, b->normalized);
  EXPECT_NE(a->normalized, c->normalized);
}

TEST(ParseProcess, StyleName) {
  auto spec = parse_process("style/thumb_small-1.v2");
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->style, "thumb_small-1.v2");
  EXPECT_TRUE(spec->actions.empty());
}

TEST(ParseProcess, SaveAsObjectAndBucket) {
  // o_ = "out/thumb.jpg", b_ = "target-bucket"
  auto spec = parse_process("image/resize,w_100|sys/saveas,o_b3V0L3RodW1iLmpwZw,b_dGFyZ2V0LWJ1Y2tldA");
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  ASSERT_TRUE(spec->save_as.has_value());
  EXPECT_EQ(spec->save_as->object, "out/thumb.jpg");
  EXPECT_EQ(spec->save_as->bucket, "target-bucket");
  EXPECT_EQ(spec->normalized, "image/resize,m_lfit,w_100,limit_1");
}

TEST(ParseProcess, SaveAsWithoutBucketMeansSourceBucket) {
  auto spec = parse_process("image/resize,w_100|sys/saveas,o_b3V0LmpwZw==");
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->save_as->object, "out.jpg");
  EXPECT_TRUE(spec->save_as->bucket.empty());
}

TEST(ParseProcess, StyleWithSaveAs) {
  auto spec = parse_process("style/small|sys/saveas,o_b3V0LmpwZw");
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->style, "small");
  EXPECT_EQ(spec->save_as->object, "out.jpg");
}

TEST(ParseProcess, ProducesJson) {
  EXPECT_TRUE(parse_process("image/info")->produces_json());
  EXPECT_TRUE(parse_process("image/resize,w_10/average-hue")->produces_json());
  EXPECT_FALSE(parse_process("image/resize,w_10")->produces_json());
}

TEST(ParseProcess, LongTextIsRefusedBeforeParsing) {
  std::string huge = "image/" + std::string(10 << 20, 'x');
  auto spec = parse_process(huge);
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(spec.error().message.find("longer than 4096"), std::string::npos);
  ProcessLimits wide{.max_text = 64, .max_actions = 32};
  EXPECT_FALSE(parse_process("image/resize,w_100/resize,w_100/resize,w_100/resize,w_100/resize,w_1", wide).ok());
}

TEST(ParseProcess, ActionCountLimit) {
  std::string text = "image";
  for (int i = 0; i < 32; ++i) text += "/rotate,90";
  EXPECT_TRUE(parse_process(text).ok());
  text += "/rotate,90";
  auto spec = parse_process(text);
  ASSERT_FALSE(spec.ok());
  EXPECT_NE(spec.error().message.find("more than 32 actions"), std::string::npos);
}

TEST(ParseProcess, NamesForEveryFormatAndGravity) {
  EXPECT_EQ(format_name(ImageFormat::Jpg), "jpg");
  EXPECT_EQ(format_name(ImageFormat::Avif), "avif");
  EXPECT_EQ(gravity_name(Gravity::SouthEast), "se");
  EXPECT_EQ(gravity_name(Gravity::Center), "center");
}

// ---- rejected strings: InvalidArgument with a message naming the culprit ----

struct Rejected {
  const char* text;
  const char* message_part;
};

const Rejected kRejected[] = {
    // prefixes
    Rejected{"", "must start with image/ or style/"},
    Rejected{"image", "must start with image/ or style/"},
    Rejected{"/resize,w_1", "must start with image/ or style/"},
    Rejected{"video/snapshot,t_1000", "process type video is not supported"},
    Rejected{"IMAGE/resize,w_1", "process type IMAGE is not supported"},
    Rejected{"image/", "has no action"},
    Rejected{"image//", "has no action"},
    Rejected{"style/", "style name is invalid"},
    Rejected{"style/a/b", "style name is invalid"},
    Rejected{"style/bad name", "style name is invalid"},
    // unknown actions
    Rejected{"image/zoom,w_1", "image action 'zoom' is not supported"},
    Rejected{"image/Resize,w_1", "image action 'Resize' is not supported"},
    Rejected{"image/resize,w_1/unknown", "image action 'unknown' is not supported"},
    // resize
    Rejected{"image/resize", "resize action requires one of w, h, l, s or p"},
    Rejected{"image/resize,m_fill", "resize action requires"},
    Rejected{"image/resize,limit_0", "resize action requires"},
    Rejected{"image/resize,w_0", "The resize parameter w_0 is out of range [1, 16384]."},
    Rejected{"image/resize,w_16385", "The resize parameter w_16385 is out of range [1, 16384]."},
    Rejected{"image/resize,h_0", "resize parameter h_0 is out of range [1, 16384]"},
    Rejected{"image/resize,h_99999", "resize parameter h_99999 is out of range"},
    Rejected{"image/resize,l_0", "resize parameter l_0 is out of range"},
    Rejected{"image/resize,l_16385", "resize parameter l_16385 is out of range"},
    Rejected{"image/resize,s_0", "resize parameter s_0 is out of range"},
    Rejected{"image/resize,s_20000", "resize parameter s_20000 is out of range"},
    Rejected{"image/resize,p_0", "resize parameter p_0 is out of range [1, 1000]"},
    Rejected{"image/resize,p_1001", "resize parameter p_1001 is out of range [1, 1000]"},
    Rejected{"image/resize,w_-5", "resize parameter w_-5 is out of range"},
    Rejected{"image/resize,w_abc", "resize parameter w_abc is not a valid number"},
    Rejected{"image/resize,w_", "resize parameter w_ is not a valid number"},
    Rejected{"image/resize,w_1.5", "resize parameter w_1.5 is not a valid number"},
    Rejected{"image/resize,w_+5", "resize parameter w_+5 is not a valid number"},
    Rejected{"image/resize,w_ 5", "not a valid number"},
    Rejected{"image/resize,w_99999999999999999999", "not a valid number"},
    Rejected{"image/resize,m_zoom,w_1", "resize parameter m_zoom is invalid"},
    Rejected{"image/resize,m_LFIT,w_1", "resize parameter m_LFIT is invalid"},
    Rejected{"image/resize,limit_2,w_1", "resize parameter limit_2 is out of range [0, 1]"},
    Rejected{"image/resize,limit_x,w_1", "resize parameter limit_x is not a valid number"},
    Rejected{"image/resize,color_FFF,w_1", "resize parameter color_FFF is invalid"},
    Rejected{"image/resize,color_GGGGGG,w_1", "resize parameter color_GGGGGG is invalid"},
    Rejected{"image/resize,color_FFFFFFF,w_1", "resize parameter color_FFFFFFF is invalid"},
    Rejected{"image/resize,P_20", "resize parameter 'P_20' is not supported"},
    Rejected{"image/resize,x_1", "resize parameter 'x_1' is not supported"},
    Rejected{"image/resize,w200", "resize parameter 'w200' is invalid"},
    Rejected{"image/resize,,w_1", "resize parameter '' is invalid"},
    Rejected{"image/resize,w_1,", "resize parameter '' is invalid"},
    Rejected{"image/resize,_1", "resize parameter '_1' is invalid"},
    // crop
    Rejected{"image/crop,w_0", "crop parameter w_0 is out of range [1, 30000]"},
    Rejected{"image/crop,h_0", "crop parameter h_0 is out of range"},
    Rejected{"image/crop,w_30001", "crop parameter w_30001 is out of range"},
    Rejected{"image/crop,x_-1", "crop parameter x_-1 is out of range [0, 30000]"},
    Rejected{"image/crop,y_30001", "crop parameter y_30001 is out of range"},
    Rejected{"image/crop,x_a", "crop parameter x_a is not a valid number"},
    Rejected{"image/crop,g_middle", "crop parameter g_middle is invalid"},
    Rejected{"image/crop,g_NW", "crop parameter g_NW is invalid"},
    Rejected{"image/crop,r_1", "crop parameter 'r_1' is not supported"},
    // indexcrop
    Rejected{"image/indexcrop", "indexcrop action requires exactly one of x or y"},
    Rejected{"image/indexcrop,i_1", "requires exactly one of x or y"},
    Rejected{"image/indexcrop,x_10,y_10", "requires exactly one of x or y"},
    Rejected{"image/indexcrop,x_0", "indexcrop parameter x_0 is out of range [1, 30000]"},
    Rejected{"image/indexcrop,y_0", "indexcrop parameter y_0 is out of range"},
    Rejected{"image/indexcrop,x_10,i_-1", "indexcrop parameter i_-1 is out of range"},
    Rejected{"image/indexcrop,x_10,i_x", "indexcrop parameter i_x is not a valid number"},
    Rejected{"image/indexcrop,x_10,w_1", "indexcrop parameter 'w_1' is not supported"},
    // circle / rounded-corners
    Rejected{"image/circle", "circle action requires r"},
    Rejected{"image/circle,r_0", "circle parameter r_0 is out of range [1, 16384]"},
    Rejected{"image/circle,r_16385", "circle parameter r_16385 is out of range"},
    Rejected{"image/circle,w_10", "circle parameter 'w_10' is not supported"},
    Rejected{"image/circle,r_x", "circle parameter r_x is not a valid number"},
    Rejected{"image/rounded-corners", "rounded-corners action requires r"},
    Rejected{"image/rounded-corners,r_0", "rounded-corners parameter r_0 is out of range [1, 4096]"},
    Rejected{"image/rounded-corners,r_4097", "rounded-corners parameter r_4097 is out of range [1, 4096]"},
    Rejected{"image/rounded-corners,x_1", "rounded-corners parameter 'x_1' is not supported"},
    // rotate / auto-orient / flip
    Rejected{"image/rotate", "rotate action takes exactly one value"},
    Rejected{"image/rotate,", "rotate action takes exactly one value"},
    Rejected{"image/rotate,90,1", "rotate action takes exactly one value"},
    Rejected{"image/rotate,361", "rotate value 361 is out of range [0, 360]"},
    Rejected{"image/rotate,-1", "rotate value -1 is out of range [0, 360]"},
    Rejected{"image/rotate,ninety", "rotate value ninety is not a valid number"},
    Rejected{"image/rotate,r_90", "rotate value r_90 is not a valid number"},
    Rejected{"image/auto-orient", "auto-orient action takes exactly one value"},
    Rejected{"image/auto-orient,2", "auto-orient value 2 is out of range [0, 1]"},
    Rejected{"image/auto-orient,yes", "auto-orient value yes is not a valid number"},
    Rejected{"image/flip", "flip action takes exactly one value"},
    Rejected{"image/flip,3", "flip value 3 is out of range [0, 2]"},
    Rejected{"image/flip,-1", "flip value -1 is out of range"},
    // format
    Rejected{"image/format", "format action takes exactly one value"},
    Rejected{"image/format,svg", "format svg is not supported"},
    Rejected{"image/format,PNG", "format PNG is not supported"},
    Rejected{"image/format,png,jpg", "format action takes exactly one value"},
    // quality
    Rejected{"image/quality", "quality action requires q or Q"},
    Rejected{"image/quality,q_0", "quality parameter q_0 is out of range [1, 100]"},
    Rejected{"image/quality,q_101", "quality parameter q_101 is out of range [1, 100]"},
    Rejected{"image/quality,Q_0", "quality parameter Q_0 is out of range [1, 100]"},
    Rejected{"image/quality,Q_101", "quality parameter Q_101 is out of range"},
    Rejected{"image/quality,q_80,Q_80", "only one of q or Q"},
    Rejected{"image/quality,x_80", "quality parameter 'x_80' is not supported"},
    Rejected{"image/quality,80", "quality parameter '80' is invalid"},
    // interlace
    Rejected{"image/interlace", "interlace action takes exactly one value"},
    Rejected{"image/interlace,2", "interlace value 2 is out of range [0, 1]"},
    // blur
    Rejected{"image/blur", "blur action requires r and s"},
    Rejected{"image/blur,r_3", "blur action requires r and s"},
    Rejected{"image/blur,s_3", "blur action requires r and s"},
    Rejected{"image/blur,r_0,s_1", "blur parameter r_0 is out of range [1, 50]"},
    Rejected{"image/blur,r_51,s_1", "blur parameter r_51 is out of range [1, 50]"},
    Rejected{"image/blur,r_1,s_0", "blur parameter s_0 is out of range [1, 50]"},
    Rejected{"image/blur,r_1,s_51", "blur parameter s_51 is out of range [1, 50]"},
    Rejected{"image/blur,r_1,s_1,x_1", "blur parameter 'x_1' is not supported"},
    // bright / contrast / sharpen
    Rejected{"image/bright", "bright action takes exactly one value"},
    Rejected{"image/bright,101", "bright value 101 is out of range [-100, 100]"},
    Rejected{"image/bright,-101", "bright value -101 is out of range [-100, 100]"},
    Rejected{"image/bright,x", "bright value x is not a valid number"},
    Rejected{"image/contrast", "contrast action takes exactly one value"},
    Rejected{"image/contrast,101", "contrast value 101 is out of range [-100, 100]"},
    Rejected{"image/contrast,-101", "contrast value -101 is out of range"},
    Rejected{"image/sharpen", "sharpen action takes exactly one value"},
    Rejected{"image/sharpen,49", "sharpen value 49 is out of range [50, 399]"},
    Rejected{"image/sharpen,400", "sharpen value 400 is out of range [50, 399]"},
    Rejected{"image/sharpen,-100", "sharpen value -100 is out of range"},
    // watermark
    Rejected{"image/watermark", "watermark action requires text or image"},
    Rejected{"image/watermark,t_50", "watermark action requires text or image"},
    Rejected{"image/watermark,text_SGVsbG8,t_101", "watermark parameter t_101 is out of range [0, 100]"},
    Rejected{"image/watermark,text_SGVsbG8,t_-1", "watermark parameter t_-1 is out of range"},
    Rejected{"image/watermark,text_SGVsbG8,g_top", "watermark parameter g_top is invalid"},
    Rejected{"image/watermark,text_SGVsbG8,x_4097", "watermark parameter x_4097 is out of range [0, 4096]"},
    Rejected{"image/watermark,text_SGVsbG8,y_4097", "watermark parameter y_4097 is out of range [0, 4096]"},
    Rejected{"image/watermark,text_SGVsbG8,x_-1", "watermark parameter x_-1 is out of range"},
    Rejected{"image/watermark,text_SGVsbG8,voffset_1001",
             "watermark parameter voffset_1001 is out of range [-1000, 1000]"},
    Rejected{"image/watermark,text_SGVsbG8,voffset_-1001", "watermark parameter voffset_-1001 is out of range"},
    Rejected{"image/watermark,text_SGVsbG8,size_0", "watermark parameter size_0 is out of range [1, 1000]"},
    Rejected{"image/watermark,text_SGVsbG8,size_1001", "watermark parameter size_1001 is out of range"},
    Rejected{"image/watermark,text_SGVsbG8,shadow_101", "watermark parameter shadow_101 is out of range [0, 100]"},
    Rejected{"image/watermark,text_SGVsbG8,rotate_361", "watermark parameter rotate_361 is out of range [0, 360]"},
    Rejected{"image/watermark,text_SGVsbG8,fill_2", "watermark parameter fill_2 is out of range [0, 1]"},
    Rejected{"image/watermark,text_SGVsbG8,color_12345", "watermark parameter color_12345 is invalid"},
    Rejected{"image/watermark,text_SGVsbG8,color_12345Z", "watermark parameter color_12345Z is invalid"},
    Rejected{"image/watermark,text_!!!!", "watermark parameter text_!!!! is invalid"},
    Rejected{"image/watermark,text_", "watermark parameter text_ is invalid"},
    Rejected{"image/watermark,text_A", "watermark parameter text_A is invalid"},
    Rejected{"image/watermark,text_gA", "watermark parameter text_gA is invalid"},  // not UTF-8
    Rejected{"image/watermark,text_QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB",
             "text is longer than 64 base64 characters"},
    Rejected{"image/watermark,text_SGVsbG8,type_PHNjcmlwdD4", "watermark parameter type_PHNjcmlwdD4 is invalid"},
    Rejected{"image/watermark,text_SGVsbG8,type_c2FucyxzZXJpZg",
             "type_c2FucyxzZXJpZg is invalid"},  // "sans,serif": a Pango family list
    Rejected{"image/watermark,text_SGVsbG8,type_", "watermark parameter type_ is invalid"},
    Rejected{"image/watermark,image_", "watermark parameter image_ is invalid"},
    Rejected{"image/watermark,image_@@", "watermark parameter image_@@ is invalid"},
    Rejected{"image/watermark,image_bG9nby5wbmc,P_0", "watermark parameter P_0 is out of range [1, 100]"},
    Rejected{"image/watermark,image_bG9nby5wbmc,P_101", "watermark parameter P_101 is out of range [1, 100]"},
    Rejected{"image/watermark,image_bG9nby5wbmc,order_2", "watermark parameter order_2 is out of range [0, 1]"},
    Rejected{"image/watermark,image_bG9nby5wbmc,align_3", "watermark parameter align_3 is out of range [0, 2]"},
    Rejected{"image/watermark,image_bG9nby5wbmc,interval_1001",
             "watermark parameter interval_1001 is out of range [0, 1000]"},
    Rejected{"image/watermark,image_bG9nby5wbmc,w_10", "watermark parameter 'w_10' is not supported"},
    // "?x-oss-process=image/resize,P_20" (no object)
    Rejected{"image/watermark,image_P3gtb3NzLXByb2Nlc3M9aW1hZ2UvcmVzaXplLFBfMjA",
             "watermark image object name is invalid"},
    // "logo.png?x-oss-process=style/x"
    Rejected{"image/watermark,image_bG9nby5wbmc_eC1vc3MtcHJvY2Vzcz1zdHlsZS94", "must start with image/"},
    // "logo.png?x-oss-process=image/info"
    Rejected{"image/watermark,image_bG9nby5wbmc_eC1vc3MtcHJvY2Vzcz1pbWFnZS9pbmZv",
             "info action is not allowed in a watermark image process"},
    // "logo.png?x-oss-process=image/format,png"
    Rejected{"image/watermark,image_bG9nby5wbmc_eC1vc3MtcHJvY2Vzcz1pbWFnZS9mb3JtYXQscG5n",
             "format action is not allowed in a watermark image process"},
    // "logo.png?x-oss-process=image/watermark,text_SGk" (nesting)
    Rejected{"image/watermark,image_bG9nby5wbmc_eC1vc3MtcHJvY2Vzcz1pbWFnZS93YXRlcm1hcmssdGV4dF9TR2s",
             "watermark action is not allowed in a watermark image process"},
    // "logo.png?x-oss-process=image/watermark,image_<"a.png?x-oss-process=image/rotate,90">"
    Rejected{"image/watermark,image_bG9nby5wbmc_eC1vc3MtcHJvY2Vzcz1pbWFnZS93YXRlcm1hcmssaW1hZ2VfWVM1d2JtY19l"
             "QzF2YzNNdGNISnZZMlZ6Y3oxcGJXRm5aUzl5YjNSaGRHVXNPVEE",
             "nested too deeply"},
    // "logo.png?x-oss-process=image/resize,w_0"
    Rejected{"image/watermark,image_bG9nby5wbmc_eC1vc3MtcHJvY2Vzcz1pbWFnZS9yZXNpemUsd18w",
             "resize parameter w_0 is out of range"},
    // info / average-hue
    Rejected{"image/info,x_1", "info action takes no parameters"},
    Rejected{"image/average-hue,1", "average-hue action takes no parameters"},
    // sys/saveas
    Rejected{"image/resize,w_1|sys/saveas", "saveas action requires o"},
    Rejected{"image/resize,w_1|sys/saveas,b_YnVja2V0", "saveas action requires o"},
    Rejected{"image/resize,w_1|sys/saveas,o_", "saveas parameter o_ is invalid"},
    Rejected{"image/resize,w_1|sys/saveas,o_!!", "saveas parameter o_!! is invalid"},
    Rejected{"image/resize,w_1|sys/saveas,o_b3V0,x_1", "saveas parameter 'x_1' is not supported"},
    Rejected{"image/resize,w_1|sys/saveas,o_b3V0,b_", "saveas parameter b_ is invalid"},
    Rejected{"image/resize,w_1|sys/copy,o_b3V0", "process suffix 'sys/copy,o_b3V0' is not supported"},
    Rejected{"image/resize,w_1|sys/saveasx,o_b3V0", "process suffix is not supported"},
    Rejected{"image/resize,w_1|", "process suffix '' is not supported"},
    Rejected{"image/resize,w_1|sys/saveas,o_b3V0|sys/saveas,o_b3V0", "saveas parameter"},
    Rejected{"image/resize,w_0|sys/saveas,o_b3V0", "resize parameter w_0 is out of range"},
};

TEST(ParseProcessTable, RejectedStringsAreInvalidArgumentNamingTheProblem) {
  for (const auto& row : kRejected) {
    SCOPED_TRACE(row.text);
    auto spec = parse_process(row.text);
    ASSERT_FALSE(spec.ok()) << "accepted as " << spec->normalized;
    EXPECT_EQ(spec.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(spec.error().message.find(row.message_part), std::string::npos) << spec.error().message;
  }
}

TEST(ParseProcessTable, HasARowForEveryCase) { EXPECT_GE(std::size(kAccepted) + std::size(kRejected), 250u); }

}  // namespace
}  // namespace ossd::image
