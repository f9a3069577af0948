// Reading OSS answers: typed errors from XML bodies and x-oss-err headers,
// object metadata, and the list/multipart result documents (as the server's
// own renderers in src/oss produce them, so client and server agree).
#include <gtest/gtest.h>

#include "client/response_parsing.hpp"
#include "core/time_format.hpp"
#include "crypto/base64.hpp"
#include "ossd/error.hpp"

namespace ossd::client {
namespace {

const char* kNoSuchKey =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not "
    "exist.</Message><RequestId>5C3D9175B6FC201293AD4890</RequestId><HostId>b.localhost</HostId><Key>a/b.txt</Key>"
    "<EC>0026-00000001</EC></Error>";

TEST(ErrorFromResponse, ReadsTheXmlBody) {
  Error error = detail::error_from_response(404, {{"x-oss-request-id", "5C3D9175B6FC201293AD4890"}}, kNoSuchKey);
  EXPECT_EQ(error.code, ErrorCode::NoSuchKey);
  EXPECT_EQ(error.message, "The specified key does not exist.");
  ServiceError typed = service_error(error);
  EXPECT_EQ(typed.http_status, 404u);
  EXPECT_EQ(typed.code, "NoSuchKey");
  EXPECT_EQ(typed.request_id, "5C3D9175B6FC201293AD4890");
  EXPECT_EQ(typed.host_id, "b.localhost");
  EXPECT_EQ(typed.ec, "0026-00000001");
  ASSERT_EQ(typed.details.size(), 1u);
  EXPECT_EQ(typed.details[0], (std::pair<std::string, std::string>{"Key", "a/b.txt"}));
  EXPECT_EQ(describe(error),
            "NoSuchKey (HTTP 404): The specified key does not exist. [request id 5C3D9175B6FC201293AD4890]");
}

TEST(ErrorFromResponse, HeadAnswersCarryTheDocumentInXOssErr) {
  Error error = detail::error_from_response(
      403,
      {{"x-oss-err", crypto::base64_encode("<Error><Code>SignatureDoesNotMatch</Code><Message>bad</Message>"
                                           "<RequestId>R1</RequestId></Error>")}},
      "");
  EXPECT_EQ(error.code, ErrorCode::SignatureDoesNotMatch);
  EXPECT_EQ(service_error(error).request_id, "R1");
  EXPECT_EQ(service_error(error).http_status, 403u);
}

TEST(ErrorFromResponse, BodilessAnswersFallBackLikeAliOss) {
  Error not_found = detail::error_from_response(404, {{"x-oss-request-id", "R2"}}, "");
  EXPECT_EQ(not_found.code, ErrorCode::NoSuchKey);
  EXPECT_EQ(service_error(not_found).code, "NoSuchKey");
  EXPECT_EQ(service_error(not_found).request_id, "R2");
  EXPECT_EQ(detail::error_from_response(412, {}, "").code, ErrorCode::PreconditionFailed);
  Error teapot = detail::error_from_response(503, {}, "<html>busy</html>");
  EXPECT_EQ(teapot.code, ErrorCode::ServiceUnavailable);
  EXPECT_EQ(service_error(teapot).code, "");
  EXPECT_EQ(describe(teapot), "HTTP 503: HTTP 503");
}

TEST(ErrorFromResponse, UnknownCodesKeepTheirNameAndMapByStatus) {
  Error error = detail::error_from_response(
      404, {}, "<Error><Code>NoSuchWormConfigurationYet</Code><Message>none</Message></Error>");
  EXPECT_EQ(error.code, ErrorCode::NoSuchKey);
  EXPECT_EQ(service_error(error).code, "NoSuchWormConfigurationYet");
}

TEST(ServiceErrorOfLocalFailures, HasNoStatus) {
  Error local(ErrorCode::ServiceUnavailable, "cannot connect to 127.0.0.1:1: Connection refused");
  EXPECT_EQ(service_error(local).http_status, 0u);
  EXPECT_EQ(describe(local), "cannot connect to 127.0.0.1:1: Connection refused");
}

TEST(ObjectMetaFromHeaders, ReadsTheObjectHeaders) {
  ObjectMeta meta = detail::object_meta_from_headers({{"Content-Length", "11"},
                                                      {"ETag", "\"5EB63BBBE01EEED093CB22BB8F5ACDC3\""},
                                                      {"Content-Type", "text/plain"},
                                                      {"Last-Modified", "Mon, 20 May 2024 08:30:00 GMT"},
                                                      {"x-oss-hash-crc64ecma", "5981764153023615706"},
                                                      {"x-oss-object-type", "Normal"},
                                                      {"x-oss-storage-class", "Standard"},
                                                      {"X-OSS-Meta-Author", "alice"},
                                                      {"x-oss-request-id", "R3"}});
  EXPECT_EQ(meta.size, 11u);
  EXPECT_EQ(meta.etag, "5EB63BBBE01EEED093CB22BB8F5ACDC3");
  EXPECT_EQ(meta.content_type, "text/plain");
  EXPECT_EQ(meta.last_modified, from_unix_seconds(1716193800));
  EXPECT_EQ(meta.crc64, 5981764153023615706u);
  EXPECT_EQ(meta.object_type, "Normal");
  EXPECT_EQ(meta.storage_class, "Standard");
  EXPECT_EQ(meta.user_meta.at("author"), "alice");
  EXPECT_EQ(meta.request_id, "R3");
}

TEST(ParseListObjects, DecodesUrlEncodedListings) {
  auto page = detail::parse_list_objects(
      "<?xml version=\"1.0\"?><ListBucketResult><Name>b</Name><Prefix>dir%2F</Prefix><MaxKeys>2</MaxKeys>"
      "<Delimiter>%2F</Delimiter><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>"
      "<NextContinuationToken>6469722f62</NextContinuationToken><KeyCount>2</KeyCount>"
      "<Contents><Key>dir%2Fa%20b%01.txt</Key><LastModified>2024-05-20T08:30:00.000Z</LastModified>"
      "<ETag>\"ABC\"</ETag><Type>Normal</Type><Size>5</Size><StorageClass>Standard</StorageClass></Contents>"
      "<CommonPrefixes><Prefix>dir%2Fsub%2F</Prefix></CommonPrefixes></ListBucketResult>");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "dir/a b\x01.txt");
  EXPECT_EQ(page->objects[0].size, 5u);
  EXPECT_EQ(page->objects[0].etag, "ABC");
  EXPECT_EQ(page->objects[0].last_modified, from_unix_seconds(1716193800));
  ASSERT_EQ(page->common_prefixes.size(), 1u);
  EXPECT_EQ(page->common_prefixes[0], "dir/sub/");
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_continuation_token, "6469722f62");
}

TEST(ParseListObjects, ReadsV1MarkersAndRejectsOtherDocuments) {
  auto page = detail::parse_list_objects(
      "<ListBucketResult><IsTruncated>true</IsTruncated><NextMarker>a+b</NextMarker></ListBucketResult>");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->next_marker, "a+b");
  EXPECT_FALSE(detail::parse_list_objects("<Error/>").ok());
  EXPECT_FALSE(detail::parse_list_objects("not xml").ok());
}

TEST(ParseListBuckets, ReadsBucketsAndPaging) {
  auto page = detail::parse_list_buckets(
      "<ListAllMyBucketsResult><Owner><ID>1</ID></Owner><IsTruncated>true</IsTruncated><NextMarker>b1</NextMarker>"
      "<Buckets><Bucket><CreationDate>2024-05-20T08:30:00.000Z</CreationDate><Location>oss-cn-hangzhou</Location>"
      "<Name>b1</Name><StorageClass>Standard</StorageClass></Bucket></Buckets></ListAllMyBucketsResult>");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->buckets.size(), 1u);
  EXPECT_EQ(page->buckets[0].name, "b1");
  EXPECT_EQ(page->buckets[0].location, "oss-cn-hangzhou");
  EXPECT_EQ(page->buckets[0].creation_date, from_unix_seconds(1716193800));
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_marker, "b1");
}

TEST(Multipart, DocumentsRoundTrip) {
  EXPECT_EQ(detail::parse_initiate_multipart("<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>"
                                             "<UploadId>0004B98</UploadId></InitiateMultipartUploadResult>")
                .value(),
            "0004B98");
  EXPECT_FALSE(detail::parse_initiate_multipart("<InitiateMultipartUploadResult/>").ok());
  EXPECT_EQ(detail::parse_complete_multipart("<CompleteMultipartUploadResult><ETag>\"AB-2\"</ETag>"
                                             "</CompleteMultipartUploadResult>")
                .value(),
            "AB-2");
  EXPECT_EQ(detail::render_complete_multipart({{1, "AA"}, {2, "BB"}}),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CompleteMultipartUpload><Part><PartNumber>1</PartNumber>"
            "<ETag>\"AA\"</ETag></Part><Part><PartNumber>2</PartNumber><ETag>\"BB\"</ETag></Part>"
            "</CompleteMultipartUpload>");
}

}  // namespace
}  // namespace ossd::client
