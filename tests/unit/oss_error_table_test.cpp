#include <gtest/gtest.h>
#include <pugixml.hpp>

#include <set>
#include <string>

#include "oss/error_table.hpp"

namespace ossd::oss {
namespace {

const auto& kAll = kAllErrorCodes;

TEST(ErrorTable, ListCoversTheWholeEnumInOrder) {
  for (std::size_t i = 0; i < std::size(kAll); ++i) EXPECT_EQ(static_cast<std::size_t>(kAll[i]), i);
}

TEST(ErrorTable, EveryCodeHasCodeStatusMessageAndEc) {
  std::set<std::string_view> ecs;
  for (ErrorCode code : kAll) {
    const ErrorInfo info = describe(code);
    SCOPED_TRACE(std::string(info.code));
    EXPECT_FALSE(info.code.empty());
    EXPECT_FALSE(info.default_message.empty());
    EXPECT_GE(info.http_status, 300u);
    EXPECT_LT(info.http_status, 600u);
    ASSERT_EQ(info.ec.size(), 13u);
    EXPECT_EQ(info.ec[4], '-');
    for (std::size_t i = 0; i < info.ec.size(); ++i) {
      if (i != 4) {
        EXPECT_TRUE(info.ec[i] >= '0' && info.ec[i] <= '9');
      }
    }
    EXPECT_TRUE(ecs.insert(info.ec).second) << "duplicate EC " << info.ec;
  }
}

TEST(ErrorTable, StatusesMatchTheSpec) {
  struct Row {
    ErrorCode code;
    std::string_view name;
    unsigned status;
  };
  const Row rows[] = {
      {ErrorCode::AccessDenied, "AccessDenied", 403},
      {ErrorCode::AccessForbidden, "AccessForbidden", 403},
      {ErrorCode::BadDigest, "BadDigest", 400},
      {ErrorCode::BucketAlreadyExists, "BucketAlreadyExists", 409},
      {ErrorCode::BucketNotEmpty, "BucketNotEmpty", 409},
      {ErrorCode::DeleteConflict, "DeleteConflict", 409},
      {ErrorCode::EntityAlreadyExists, "EntityAlreadyExists", 409},
      {ErrorCode::EntityNotExist, "EntityNotExist", 404},
      {ErrorCode::EntityTooLarge, "EntityTooLarge", 400},
      {ErrorCode::EntityTooSmall, "EntityTooSmall", 400},
      {ErrorCode::FileAlreadyExists, "FileAlreadyExists", 409},
      {ErrorCode::IncompleteBody, "IncompleteBody", 400},
      {ErrorCode::InternalError, "InternalError", 500},
      {ErrorCode::InvalidAccessKeyId, "InvalidAccessKeyId", 403},
      {ErrorCode::InvalidArgument, "InvalidArgument", 400},
      {ErrorCode::InvalidBucketName, "InvalidBucketName", 400},
      {ErrorCode::InvalidDigest, "InvalidDigest", 400},
      {ErrorCode::InvalidEncodingType, "InvalidEncodingType", 400},
      {ErrorCode::InvalidObjectName, "InvalidObjectName", 400},
      {ErrorCode::InvalidPart, "InvalidPart", 400},
      {ErrorCode::InvalidPartOrder, "InvalidPartOrder", 400},
      {ErrorCode::InvalidPolicyDocument, "InvalidPolicyDocument", 400},
      {ErrorCode::InvalidRange, "InvalidRange", 416},
      {ErrorCode::InvalidRequest, "InvalidRequest", 400},
      {ErrorCode::InvalidSecurityToken, "InvalidSecurityToken", 403},
      {ErrorCode::InvalidTag, "InvalidTag", 400},
      {ErrorCode::InvalidTargetType, "InvalidTargetType", 400},
      {ErrorCode::LimitExceeded, "LimitExceeded", 409},
      {ErrorCode::MalformedPOSTRequest, "MalformedPOSTRequest", 400},
      {ErrorCode::MalformedXML, "MalformedXML", 400},
      {ErrorCode::MethodNotAllowed, "MethodNotAllowed", 405},
      {ErrorCode::MissingArgument, "MissingArgument", 400},
      {ErrorCode::MissingContentLength, "MissingContentLength", 411},
      {ErrorCode::NoSuchBucket, "NoSuchBucket", 404},
      {ErrorCode::NoSuchBucketPolicy, "NoSuchBucketPolicy", 404},
      {ErrorCode::NoSuchCORSConfiguration, "NoSuchCORSConfiguration", 404},
      {ErrorCode::NoSuchKey, "NoSuchKey", 404},
      {ErrorCode::NoSuchStyle, "NoSuchStyle", 404},
      {ErrorCode::NoSuchUpload, "NoSuchUpload", 404},
      {ErrorCode::NotImplemented, "NotImplemented", 501},
      {ErrorCode::NotModified, "NotModified", 304},
      {ErrorCode::ObjectNotAppendable, "ObjectNotAppendable", 409},
      {ErrorCode::PositionNotEqualToLength, "PositionNotEqualToLength", 409},
      {ErrorCode::PreconditionFailed, "PreconditionFailed", 412},
      {ErrorCode::RequestHeaderTooLarge, "InvalidArgument", 400},
      {ErrorCode::RequestTimeTooSkewed, "RequestTimeTooSkewed", 403},
      {ErrorCode::RequestTimeout, "RequestTimeout", 400},
      {ErrorCode::SecurityTokenExpired, "SecurityTokenExpired", 403},
      {ErrorCode::ServiceUnavailable, "ServiceUnavailable", 503},
      {ErrorCode::SignatureDoesNotMatch, "SignatureDoesNotMatch", 403},
      {ErrorCode::TooManyBuckets, "TooManyBuckets", 400},
  };
  ASSERT_EQ(std::size(rows), std::size(kAll));
  for (const Row& row : rows) {
    const ErrorInfo info = describe(row.code);
    EXPECT_EQ(info.code, row.name);
    EXPECT_EQ(info.http_status, row.status) << row.name;
  }
  EXPECT_EQ(describe(ErrorCode::SignatureDoesNotMatch).ec, "0002-00000040");
}

TEST(ErrorTable, OnlyNotModifiedHasNoBody) {
  for (ErrorCode code : kAll) EXPECT_EQ(has_error_body(code), code != ErrorCode::NotModified);
}

TEST(ErrorTable, OutOfRangeValueFallsBackToInternalError) {
  const ErrorInfo info = describe(static_cast<ErrorCode>(9999));
  EXPECT_EQ(info.code, "InternalError");
  EXPECT_EQ(info.http_status, 500u);
}

pugi::xml_node parse_error(pugi::xml_document& doc, const std::string& xml) {
  EXPECT_TRUE(xml.starts_with(R"(<?xml version="1.0" encoding="UTF-8"?>)")) << xml;
  EXPECT_TRUE(doc.load_string(xml.c_str())) << xml;
  return doc.child("Error");
}

TEST(ErrorXml, CarriesCodeMessageIdsDetailsAndEc) {
  Error error = Error(ErrorCode::NoSuchKey).with("Key", "a/b <&> \"c\"").with("BucketName", "examplebucket");
  const std::string xml = render_error_xml(error, "5C3D9175B6FC201293AD4890", "examplebucket.localhost");
  pugi::xml_document doc;
  pugi::xml_node root = parse_error(doc, xml);
  ASSERT_TRUE(root);
  EXPECT_STREQ(root.child_value("Code"), "NoSuchKey");
  EXPECT_STREQ(root.child_value("Message"), "The specified key does not exist.");
  EXPECT_STREQ(root.child_value("RequestId"), "5C3D9175B6FC201293AD4890");
  EXPECT_STREQ(root.child_value("HostId"), "examplebucket.localhost");
  EXPECT_STREQ(root.child_value("Key"), "a/b <&> \"c\"");
  EXPECT_STREQ(root.child_value("BucketName"), "examplebucket");
  EXPECT_STREQ(root.child_value("EC"), std::string(describe(ErrorCode::NoSuchKey).ec).c_str());
  EXPECT_STREQ(root.child_value("RecommendDoc"),
               ("https://api.aliyun.com/troubleshoot?q=" + std::string(describe(ErrorCode::NoSuchKey).ec)).c_str());
  // Fixed elements first, then details in order, EC last but one.
  std::vector<std::string> order;
  for (pugi::xml_node child : root.children()) order.emplace_back(child.name());
  EXPECT_EQ(order, (std::vector<std::string>{"Code", "Message", "RequestId", "HostId", "Key", "BucketName", "EC",
                                             "RecommendDoc"}));
}

TEST(ErrorXml, ExplicitMessageWinsOverDefault) {
  const std::string xml = render_error_xml(Error(ErrorCode::AccessDenied, "Request has expired."), "id", "host");
  pugi::xml_document doc;
  EXPECT_STREQ(parse_error(doc, xml).child_value("Message"), "Request has expired.");
}

TEST(ErrorXml, UnsafeDetailNamesAreDropped) {
  Error error = Error(ErrorCode::InvalidArgument)
                    .with("ArgumentName", "x")
                    .with("bad name", "1")
                    .with("<script>", "2")
                    .with("", "3")
                    .with("9lives", "4");
  const std::string xml = render_error_xml(error, "id", "host");
  pugi::xml_document doc;
  pugi::xml_node root = parse_error(doc, xml);
  ASSERT_TRUE(root);
  EXPECT_STREQ(root.child_value("ArgumentName"), "x");
  EXPECT_EQ(std::distance(root.children().begin(), root.children().end()), 7);
}

TEST(ErrorXml, ControlCharactersAndNulInDetailsStayWellFormed) {
  Error error = Error(ErrorCode::NoSuchKey).with("Key", std::string("a\x01z\0b", 5));
  const std::string xml = render_error_xml(error, "id", "host");
  pugi::xml_document doc;
  ASSERT_TRUE(parse_error(doc, xml)) << xml;
  EXPECT_EQ(xml.find('\x01'), std::string::npos);
}

}  // namespace
}  // namespace ossd::oss
