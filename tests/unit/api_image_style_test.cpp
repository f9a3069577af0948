// Styles (name rule, XML codecs, stored form), the sys/saveas form and
// result, and how the routes classify style and x-oss-process requests.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "api/image_handlers.hpp"
#include "api/operation.hpp"
#include "api/style_handlers.hpp"

namespace ossd::api {
namespace {

TEST(StyleName, FollowsTheOssRule) {
  EXPECT_TRUE(is_valid_style_name("thumb"));
  EXPECT_TRUE(is_valid_style_name("Thumb_200.v-2"));
  EXPECT_TRUE(is_valid_style_name(std::string(64, 'a')));
  EXPECT_FALSE(is_valid_style_name(""));
  EXPECT_FALSE(is_valid_style_name(std::string(65, 'a')));
  EXPECT_FALSE(is_valid_style_name("a/b"));
  EXPECT_FALSE(is_valid_style_name("a b"));
  EXPECT_FALSE(is_valid_style_name("a:b"));
  EXPECT_FALSE(is_valid_style_name("\xc3\xa9"));
}

TEST(StyleBody, ReadsTheContent) {
  auto content = parse_style_body(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Style><Content>image/resize,p_50</Content></Style>", 4096);
  ASSERT_TRUE(content.ok()) << content.error().message;
  EXPECT_EQ(content.value(), "image/resize,p_50");
}

TEST(StyleBody, RejectsOtherDocuments) {
  EXPECT_EQ(parse_style_body("<Style></Style>", 4096).error().code, ErrorCode::MalformedXML);
  EXPECT_EQ(parse_style_body("<Other><Content>x</Content></Other>", 4096).error().code, ErrorCode::MalformedXML);
  EXPECT_EQ(parse_style_body("<Style><Content>x</Content>", 4096).error().code, ErrorCode::MalformedXML);
  EXPECT_EQ(parse_style_body("not xml", 4096).error().code, ErrorCode::MalformedXML);
  const std::string big = "<Style><Content>" + std::string(5000, 'a') + "</Content></Style>";
  EXPECT_FALSE(parse_style_body(big, 4096).ok());
}

TEST(StyleXml, RendersOneStyleAsOssDoes) {
  const StyleRecord style{"thumb", "image/resize,w_<200>&", 1589976435000, 1590062835000};
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(render_style(style).c_str()));
  pugi::xml_node root = doc.child("Style");
  ASSERT_TRUE(root);
  EXPECT_STREQ(root.child_value("Name"), "thumb");
  EXPECT_STREQ(root.child_value("Content"), "image/resize,w_<200>&");
  EXPECT_STREQ(root.child_value("Category"), "image");
  EXPECT_STREQ(root.child_value("CreateTime"), "Wed, 20 May 2020 12:07:15 GMT");
  EXPECT_STREQ(root.child_value("LastModifyTime"), "Thu, 21 May 2020 12:07:15 GMT");
}

TEST(StyleXml, RendersTheList) {
  pugi::xml_document doc;
  ASSERT_TRUE(
      doc.load_string(render_style_list({{"a", "image/resize,w_1", 0, 0}, {"b", "image/resize,w_2", 0, 0}}).c_str()));
  int count = 0;
  for (pugi::xml_node style : doc.child("StyleList").children("Style")) {
    EXPECT_STREQ(style.child_value("Name"), count == 0 ? "a" : "b");
    ++count;
  }
  EXPECT_EQ(count, 2);
  pugi::xml_document empty;
  ASSERT_TRUE(empty.load_string(render_style_list({}).c_str()));
  EXPECT_TRUE(empty.child("StyleList"));
  EXPECT_FALSE(empty.child("StyleList").child("Style"));
}

TEST(StyleStorage, RoundTrips) {
  const StyleRecord style{"thumb", "image/resize,w_200/format,webp", 1000, 2000};
  auto decoded = decode_style("thumb", encode_style(style));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->name, "thumb");
  EXPECT_EQ(decoded->content, style.content);
  EXPECT_EQ(decoded->created_ms, 1000);
  EXPECT_EQ(decoded->modified_ms, 2000);
  EXPECT_FALSE(decode_style("x", "{}").ok());
  EXPECT_FALSE(decode_style("x", "not json").ok());
}

TEST(SaveAsForm, ReadsTheProcessField) {
  // What ali-oss processObjectSave sends (querystring.stringify).
  auto text =
      process_text_from_form("x-oss-process=image%2Fresize%2Cw_100%7Csys%2Fsaveas%2Co_dGFyZ2V0LmpwZw%2Cb_YnVja2V0");
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_EQ(text.value(), "image/resize,w_100|sys/saveas,o_dGFyZ2V0LmpwZw,b_YnVja2V0");
  auto with_plus = process_text_from_form("other=1&x-oss-process=a+b%2Bc");
  ASSERT_TRUE(with_plus.ok());
  EXPECT_EQ(with_plus.value(), "a b+c") << "'+' is a space in a form, %2B a plus";
}

TEST(SaveAsForm, MissingOrBrokenFormsAreClientErrors) {
  EXPECT_EQ(process_text_from_form("").error().code, ErrorCode::MissingArgument);
  EXPECT_EQ(process_text_from_form("other=1").error().code, ErrorCode::MissingArgument);
  EXPECT_EQ(process_text_from_form("x-oss-process=%zz").error().code, ErrorCode::InvalidArgument);
}

TEST(SaveAsResult, IsTheOssJson) {
  auto json = nlohmann::json::parse(saveas_result_json("bucket", "dir/out.jpg", 1234));
  EXPECT_EQ(json["bucket"], "bucket");
  EXPECT_EQ(json["object"], "dir/out.jpg");
  EXPECT_EQ(json["fileSize"], 1234);
  EXPECT_EQ(json["status"], "OK");
}

Result<Operation> route(std::string_view method, bool key, std::vector<QueryParam> query) {
  return classify(method, true, key, query, {});
}

QueryParam flag(std::string name) { return QueryParam{std::move(name), "", false}; }
QueryParam param(std::string name, std::string value) { return QueryParam{std::move(name), std::move(value), true}; }

TEST(ImageRoutes, StylesAreBucketOperationsWithTheirOwnActions) {
  EXPECT_EQ(route("PUT", false, {flag("style"), param("styleName", "a")}).value(), Operation::PutStyle);
  EXPECT_EQ(route("GET", false, {flag("style"), param("styleName", "a")}).value(), Operation::GetStyle);
  EXPECT_EQ(route("GET", false, {flag("style")}).value(), Operation::ListStyle);
  EXPECT_EQ(route("DELETE", false, {flag("style"), param("styleName", "a")}).value(), Operation::DeleteStyle);
  EXPECT_EQ(route("PUT", false, {flag("style")}).error().code, ErrorCode::MissingArgument);
  EXPECT_EQ(route("POST", false, {flag("style")}).error().code, ErrorCode::MethodNotAllowed);
  EXPECT_EQ(ram_action(Operation::PutStyle), "oss:PutStyle");
  EXPECT_EQ(ram_action(Operation::GetStyle), "oss:GetStyle");
  EXPECT_EQ(ram_action(Operation::ListStyle), "oss:ListStyle");
  EXPECT_EQ(ram_action(Operation::DeleteStyle), "oss:DeleteStyle");
  EXPECT_EQ(operation_level(Operation::PutStyle), Level::Bucket);
}

TEST(ImageRoutes, ProcessingIsAReadOfTheSource) {
  EXPECT_EQ(route("POST", true, {param("x-oss-process", "")}).value(), Operation::ProcessObject);
  EXPECT_EQ(route("POST", true, {flag("x-oss-process")}).value(), Operation::ProcessObject);
  EXPECT_EQ(ram_action(Operation::ProcessObject), "oss:GetObject");
  EXPECT_EQ(operation_level(Operation::ProcessObject), Level::Object);
  // GET and HEAD stay GetObject/HeadObject: the handler sees x-oss-process.
  EXPECT_EQ(route("GET", true, {param("x-oss-process", "image/resize,w_1")}).value(), Operation::GetObject);
  EXPECT_EQ(route("HEAD", true, {param("x-oss-process", "image/resize,w_1")}).value(), Operation::HeadObject);
}

}  // namespace
}  // namespace ossd::api
