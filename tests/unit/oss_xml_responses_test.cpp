#include <gtest/gtest.h>
#include <pugixml.hpp>

#include <string>
#include <vector>

#include "oss/xml_responses.hpp"

namespace ossd::oss {
namespace {

constexpr int64_t kNowMs = 1716193800000;  // 2024-05-20T08:30:00.000Z
constexpr char kDecl[] = R"(<?xml version="1.0" encoding="UTF-8"?>)";

// Parses a rendered document and returns its root, checking the declaration
// and the root name.
pugi::xml_node parse(pugi::xml_document& doc, const std::string& xml, const char* root) {
  EXPECT_TRUE(xml.starts_with(kDecl)) << xml;
  EXPECT_TRUE(doc.load_string(xml.c_str())) << xml;
  pugi::xml_node node = doc.document_element();
  EXPECT_STREQ(node.name(), root) << xml;
  return node;
}

std::vector<std::string> child_names(pugi::xml_node node) {
  std::vector<std::string> names;
  for (pugi::xml_node child : node.children()) names.emplace_back(child.name());
  return names;
}

std::vector<std::string> values(pugi::xml_node parent, const char* element, const char* child = nullptr) {
  std::vector<std::string> out;
  for (pugi::xml_node node : parent.children(element)) {
    out.emplace_back(child ? node.child_value(child) : node.child_value());
  }
  return out;
}

meta::ObjectSummary summary(std::string key, uint64_t size = 9) {
  meta::ObjectSummary s;
  s.key = std::move(key);
  s.size = size;
  s.etag = "5EB63BBBE01EEED093CB22BB8F5ACDC3";
  s.last_modified_ms = kNowMs;
  s.object_type = "Normal";
  s.storage_class = "Standard";
  return s;
}

meta::BucketRecord bucket(std::string name, int64_t created_ms = kNowMs) {
  meta::BucketRecord b;
  b.name = std::move(name);
  b.owner_id = "1234567890";
  b.acl = "public-read";
  b.storage_class = "IA";
  b.region = "oss-cn-hangzhou";
  b.created_ms = created_ms;
  return b;
}

// ---- service and bucket ----------------------------------------------------

TEST(ListBuckets, ShapeAliOssReads) {
  AddressingConfig addressing;
  addressing.domain = "localhost";
  addressing.extranet_endpoint = "oss.example.com";
  std::vector<meta::BucketRecord> buckets{bucket("alpha"), bucket("beta", kNowMs + 1500)};
  buckets[1].region = "";  // falls back to the configured region
  const std::string xml = render_list_buckets("1234567890", BucketListing{"a", "m", 2}, buckets, true, addressing);
  pugi::xml_document doc;
  pugi::xml_node root = parse(doc, xml, "ListAllMyBucketsResult");
  EXPECT_STREQ(root.child_value("Prefix"), "a");
  EXPECT_STREQ(root.child_value("Marker"), "m");
  EXPECT_STREQ(root.child_value("MaxKeys"), "2");
  EXPECT_STREQ(root.child_value("IsTruncated"), "true");
  EXPECT_STREQ(root.child_value("NextMarker"), "beta");
  EXPECT_STREQ(root.child("Owner").child_value("ID"), "1234567890");
  EXPECT_STREQ(root.child("Owner").child_value("DisplayName"), "1234567890");
  pugi::xml_node list = root.child("Buckets");
  EXPECT_EQ(values(list, "Bucket", "Name"), (std::vector<std::string>{"alpha", "beta"}));
  auto it = list.children("Bucket").begin();
  ++it;
  EXPECT_EQ(child_names(*it), (std::vector<std::string>{"CreationDate", "ExtranetEndpoint", "IntranetEndpoint",
                                                        "Location", "Name", "Region", "StorageClass"}));
  EXPECT_STREQ(it->child_value("CreationDate"), "2024-05-20T08:30:01.500Z");
  EXPECT_STREQ(it->child_value("Location"), "oss-cn-hangzhou");
  EXPECT_STREQ(it->child_value("Region"), "cn-hangzhou");
  EXPECT_STREQ(it->child_value("ExtranetEndpoint"), "oss.example.com");
  EXPECT_STREQ(it->child_value("IntranetEndpoint"), "localhost");
  EXPECT_STREQ(it->child_value("StorageClass"), "IA");
}

TEST(ListBuckets, NotTruncatedAndEmpty) {
  const std::string xml = render_list_buckets("id", BucketListing{}, {}, false, AddressingConfig{});
  pugi::xml_document doc;
  pugi::xml_node root = parse(doc, xml, "ListAllMyBucketsResult");
  EXPECT_STREQ(root.child_value("IsTruncated"), "false");
  EXPECT_FALSE(root.child("NextMarker"));
  EXPECT_TRUE(root.child("Buckets"));
  EXPECT_FALSE(root.child("Buckets").first_child());
  EXPECT_STREQ(root.child_value("MaxKeys"), "100");
}

TEST(BucketInfo, Shape) {
  AddressingConfig addressing;
  addressing.intranet_endpoint = "internal.example";
  const std::string xml = render_bucket_info(bucket("examplebucket"), addressing);
  pugi::xml_document doc;
  pugi::xml_node b = parse(doc, xml, "BucketInfo").child("Bucket");
  ASSERT_TRUE(b);
  EXPECT_STREQ(b.child_value("Name"), "examplebucket");
  EXPECT_STREQ(b.child_value("Location"), "oss-cn-hangzhou");
  EXPECT_STREQ(b.child_value("Region"), "cn-hangzhou");
  EXPECT_STREQ(b.child_value("CreationDate"), "2024-05-20T08:30:00.000Z");
  EXPECT_STREQ(b.child_value("ExtranetEndpoint"), "localhost");
  EXPECT_STREQ(b.child_value("IntranetEndpoint"), "internal.example");
  EXPECT_STREQ(b.child_value("StorageClass"), "IA");
  EXPECT_STREQ(b.child("Owner").child_value("ID"), "1234567890");
  EXPECT_STREQ(b.child("AccessControlList").child_value("Grant"), "public-read");
}

TEST(BucketLocation, Shape) {
  pugi::xml_document doc;
  pugi::xml_node root = parse(doc, render_bucket_location("oss-cn-hangzhou"), "LocationConstraint");
  EXPECT_STREQ(root.child_value(), "oss-cn-hangzhou");
}

TEST(Acl, BucketAndObject) {
  for (auto render : {&render_bucket_acl, &render_object_acl}) {
    pugi::xml_document doc;
    pugi::xml_node root = parse(doc, render("owner-1", "default"), "AccessControlPolicy");
    EXPECT_STREQ(root.child("Owner").child_value("ID"), "owner-1");
    EXPECT_STREQ(root.child("Owner").child_value("DisplayName"), "owner-1");
    EXPECT_STREQ(root.child("AccessControlList").child_value("Grant"), "default");
  }
}

// ---- listings --------------------------------------------------------------

meta::ListResult sample_result() {
  meta::ListResult r;
  r.objects = {summary("dir/a b+c.txt"), summary("dir/\xe4\xb8\xad.txt", 0)};
  r.objects[1].object_type = "Multipart";
  r.objects[1].etag = "ABCD-3";
  r.common_prefixes = {"dir/sub/", "dir/x y/"};
  r.truncated = true;
  r.next_marker = "dir/x y/";
  return r;
}

TEST(ListObjectsV1, ShapeAndOrder) {
  ObjectListingV1 request{"examplebucket", "dir/", "dir/a", "/", 100, false};
  const std::string xml = render_list_objects_v1(request, sample_result(), "owner");
  pugi::xml_document doc;
  pugi::xml_node root = parse(doc, xml, "ListBucketResult");
  EXPECT_EQ(child_names(root),
            (std::vector<std::string>{"Name", "Prefix", "Marker", "MaxKeys", "Delimiter", "IsTruncated", "NextMarker",
                                      "Contents", "Contents", "CommonPrefixes", "CommonPrefixes"}));
  EXPECT_STREQ(root.child_value("Name"), "examplebucket");
  EXPECT_STREQ(root.child_value("Prefix"), "dir/");
  EXPECT_STREQ(root.child_value("Marker"), "dir/a");
  EXPECT_STREQ(root.child_value("MaxKeys"), "100");
  EXPECT_STREQ(root.child_value("Delimiter"), "/");
  EXPECT_STREQ(root.child_value("IsTruncated"), "true");
  EXPECT_STREQ(root.child_value("NextMarker"), "dir/x y/");
  EXPECT_EQ(values(root, "Contents", "Key"), (std::vector<std::string>{"dir/a b+c.txt", "dir/\xe4\xb8\xad.txt"}));
  EXPECT_EQ(values(root, "CommonPrefixes", "Prefix"), (std::vector<std::string>{"dir/sub/", "dir/x y/"}));
  pugi::xml_node first = root.child("Contents");
  EXPECT_EQ(child_names(first),
            (std::vector<std::string>{"Key", "LastModified", "ETag", "Type", "Size", "StorageClass", "Owner"}));
  EXPECT_STREQ(first.child_value("LastModified"), "2024-05-20T08:30:00.000Z");
  EXPECT_STREQ(first.child_value("ETag"), "\"5EB63BBBE01EEED093CB22BB8F5ACDC3\"");
  EXPECT_STREQ(first.child_value("Type"), "Normal");
  EXPECT_STREQ(first.child_value("Size"), "9");
  EXPECT_STREQ(first.child_value("StorageClass"), "Standard");
  EXPECT_STREQ(first.child("Owner").child_value("ID"), "owner");
  pugi::xml_node second = first.next_sibling("Contents");
  EXPECT_STREQ(second.child_value("Type"), "Multipart");
  EXPECT_STREQ(second.child_value("ETag"), "\"ABCD-3\"");
  EXPECT_STREQ(second.child_value("Size"), "0");
}

TEST(ListObjectsV1, NotTruncatedHasNoNextMarker) {
  meta::ListResult r;
  r.objects = {summary("a")};
  const std::string xml = render_list_objects_v1(ObjectListingV1{"b"}, r, "o");
  pugi::xml_document doc;
  pugi::xml_node root = parse(doc, xml, "ListBucketResult");
  EXPECT_STREQ(root.child_value("IsTruncated"), "false");
  EXPECT_FALSE(root.child("NextMarker"));
  EXPECT_FALSE(root.child("EncodingType"));
  EXPECT_FALSE(root.child("CommonPrefixes"));
}

TEST(ListObjectsV1, UrlEncoding) {
  ObjectListingV1 request{"examplebucket", "dir/ä", "dir/a+b", "/", 10, true};
  const std::string xml = render_list_objects_v1(request, sample_result(), "owner");
  pugi::xml_document doc;
  pugi::xml_node root = parse(doc, xml, "ListBucketResult");
  EXPECT_STREQ(root.child_value("EncodingType"), "url");
  EXPECT_STREQ(root.child_value("Name"), "examplebucket");  // bucket names are never encoded
  EXPECT_STREQ(root.child_value("Prefix"), "dir%2F%C3%A4");
  EXPECT_STREQ(root.child_value("Marker"), "dir%2Fa%2Bb");
  EXPECT_STREQ(root.child_value("Delimiter"), "%2F");
  EXPECT_STREQ(root.child_value("NextMarker"), "dir%2Fx%20y%2F");
  EXPECT_EQ(values(root, "Contents", "Key"), (std::vector<std::string>{"dir%2Fa%20b%2Bc.txt", "dir%2F%E4%B8%AD.txt"}));
  EXPECT_EQ(values(root, "CommonPrefixes", "Prefix"), (std::vector<std::string>{"dir%2Fsub%2F", "dir%2Fx%20y%2F"}));
}

TEST(ListObjectsV1, ControlCharactersInKeysStayWellFormed) {
  meta::ListResult r;
  r.objects = {summary(std::string("a\x01\x1f") + "<&>")};
  const std::string xml = render_list_objects_v1(ObjectListingV1{"b"}, r, "o");
  pugi::xml_document doc;
  pugi::xml_node root = parse(doc, xml, "ListBucketResult");
  EXPECT_EQ(values(root, "Contents", "Key"), (std::vector<std::string>{"a\x01\x1f<&>"}));
}

TEST(ListObjectsV2, ShapeWithoutOwner) {
  ObjectListingV2 request;
  request.bucket = "examplebucket";
  request.prefix = "dir/";
  request.delimiter = "/";
  request.start_after = "dir/0";
  request.continuation_token = "ZGlyL2E=";
  request.max_keys = 4;
  request.next_continuation_token = "ZGlyL3ggeS8=";
  const std::string xml = render_list_objects_v2(request, sample_result(), "owner");
  pugi::xml_document doc;
  pugi::xml_node root = parse(doc, xml, "ListBucketResult");
  EXPECT_EQ(child_names(root),
            (std::vector<std::string>{"Name", "Prefix", "ContinuationToken", "StartAfter", "MaxKeys", "Delimiter",
                                      "IsTruncated", "NextContinuationToken", "KeyCount", "Contents", "Contents",
                                      "CommonPrefixes", "CommonPrefixes"}));
  EXPECT_STREQ(root.child_value("ContinuationToken"), "ZGlyL2E=");
  EXPECT_STREQ(root.child_value("StartAfter"), "dir/0");
  EXPECT_STREQ(root.child_value("NextContinuationToken"), "ZGlyL3ggeS8=");
  EXPECT_STREQ(root.child_value("KeyCount"), "4");
  EXPECT_STREQ(root.child_value("IsTruncated"), "true");
  EXPECT_FALSE(root.child("Contents").child("Owner"));
  EXPECT_FALSE(root.child("NextMarker"));
}

TEST(ListObjectsV2, FetchOwnerAndOptionalElements) {
  ObjectListingV2 request;
  request.bucket = "b";
  request.fetch_owner = true;
  request.next_continuation_token = "ignored-when-not-truncated";
  meta::ListResult r;
  r.objects = {summary("k")};
  const std::string xml = render_list_objects_v2(request, r, "owner");
  pugi::xml_document doc;
  pugi::xml_node root = parse(doc, xml, "ListBucketResult");
  EXPECT_STREQ(root.child("Contents").child("Owner").child_value("ID"), "owner");
  EXPECT_FALSE(root.child("ContinuationToken"));
  EXPECT_FALSE(root.child("StartAfter"));
  EXPECT_FALSE(root.child("NextContinuationToken"));
  EXPECT_STREQ(root.child_value("KeyCount"), "1");
  EXPECT_STREQ(root.child_value("IsTruncated"), "false");
}

TEST(ListObjectsV2, UrlEncoding) {
  ObjectListingV2 request;
  request.bucket = "b";
  request.prefix = "dir/";
  request.delimiter = "/";
  request.start_after = "a b";
  request.continuation_token = "t+/=";
  request.next_continuation_token = "n+/=";
  request.url_encoded = true;
  const std::string xml = render_list_objects_v2(request, sample_result(), "owner");
  pugi::xml_document doc;
  pugi::xml_node root = parse(doc, xml, "ListBucketResult");
  EXPECT_STREQ(root.child_value("EncodingType"), "url");
  EXPECT_STREQ(root.child_value("Prefix"), "dir%2F");
  EXPECT_STREQ(root.child_value("Delimiter"), "%2F");
  EXPECT_STREQ(root.child_value("StartAfter"), "a%20b");
  EXPECT_STREQ(root.child_value("ContinuationToken"), "t+/=");  // echoed as received
  EXPECT_STREQ(root.child_value("NextContinuationToken"), "n%2B%2F%3D");
  EXPECT_EQ(values(root, "Contents", "Key")[0], "dir%2Fa%20b%2Bc.txt");
  EXPECT_EQ(values(root, "CommonPrefixes", "Prefix")[1], "dir%2Fx%20y%2F");
}

// ---- multipart -------------------------------------------------------------

TEST(Multipart, Initiate) {
  pugi::xml_document doc;
  pugi::xml_node root = parse(doc, render_initiate_multipart("examplebucket", "big file.bin", "0004B98"),
                              "InitiateMultipartUploadResult");
  EXPECT_EQ(child_names(root), (std::vector<std::string>{"Bucket", "Key", "UploadId"}));
  EXPECT_STREQ(root.child_value("Bucket"), "examplebucket");
  EXPECT_STREQ(root.child_value("Key"), "big file.bin");
  EXPECT_STREQ(root.child_value("UploadId"), "0004B98");

  pugi::xml_document encoded;
  pugi::xml_node enc =
      parse(encoded, render_initiate_multipart("b", "big file.bin", "u", true), "InitiateMultipartUploadResult");
  EXPECT_STREQ(enc.child_value("EncodingType"), "url");
  EXPECT_STREQ(enc.child_value("Key"), "big%20file.bin");
}

TEST(Multipart, Complete) {
  pugi::xml_document doc;
  pugi::xml_node root = parse(
      doc, render_complete_multipart("http://examplebucket.localhost/big.bin", "examplebucket", "big.bin", "ABC123-2"),
      "CompleteMultipartUploadResult");
  EXPECT_EQ(child_names(root), (std::vector<std::string>{"Location", "Bucket", "Key", "ETag"}));
  EXPECT_STREQ(root.child_value("Location"), "http://examplebucket.localhost/big.bin");
  EXPECT_STREQ(root.child_value("ETag"), "\"ABC123-2\"");

  pugi::xml_document encoded;
  pugi::xml_node enc =
      parse(encoded, render_complete_multipart("l", "b", "a/b c", "E", true), "CompleteMultipartUploadResult");
  EXPECT_EQ(child_names(enc), (std::vector<std::string>{"EncodingType", "Location", "Bucket", "Key", "ETag"}));
  EXPECT_STREQ(enc.child_value("Key"), "a%2Fb%20c");
}

TEST(Multipart, ListParts) {
  std::vector<meta::PartRecord> parts(2);
  parts[0].part_number = 3;
  parts[0].etag = "AAAA";
  parts[0].crc64 = 11051210869376104954ULL;
  parts[0].size = 102400;
  parts[0].last_modified_ms = kNowMs;
  parts[1].part_number = 5;
  parts[1].etag = "BBBB";
  parts[1].size = 7;
  parts[1].last_modified_ms = kNowMs + 1;
  PartListing request{"examplebucket", "big.bin", "UP1", 2, 2, false};
  pugi::xml_document doc;
  pugi::xml_node root = parse(doc, render_list_parts(request, parts, true), "ListPartsResult");
  EXPECT_STREQ(root.child_value("Bucket"), "examplebucket");
  EXPECT_STREQ(root.child_value("Key"), "big.bin");
  EXPECT_STREQ(root.child_value("UploadId"), "UP1");
  EXPECT_STREQ(root.child_value("PartNumberMarker"), "2");
  EXPECT_STREQ(root.child_value("NextPartNumberMarker"), "5");
  EXPECT_STREQ(root.child_value("MaxParts"), "2");
  EXPECT_STREQ(root.child_value("IsTruncated"), "true");
  pugi::xml_node part = root.child("Part");
  EXPECT_EQ(child_names(part),
            (std::vector<std::string>{"PartNumber", "LastModified", "ETag", "HashCrc64ecma", "Size"}));
  EXPECT_STREQ(part.child_value("PartNumber"), "3");
  EXPECT_STREQ(part.child_value("LastModified"), "2024-05-20T08:30:00.000Z");
  EXPECT_STREQ(part.child_value("ETag"), "\"AAAA\"");
  EXPECT_STREQ(part.child_value("HashCrc64ecma"), "11051210869376104954");
  EXPECT_STREQ(part.child_value("Size"), "102400");
  EXPECT_STREQ(part.next_sibling("Part").child_value("LastModified"), "2024-05-20T08:30:00.001Z");
}

TEST(Multipart, ListPartsEmpty) {
  PartListing request{"b", "k k", "U", 7, 1000, true};
  pugi::xml_document doc;
  pugi::xml_node root = parse(doc, render_list_parts(request, {}, false), "ListPartsResult");
  EXPECT_STREQ(root.child_value("NextPartNumberMarker"), "7");
  EXPECT_STREQ(root.child_value("IsTruncated"), "false");
  EXPECT_STREQ(root.child_value("Key"), "k%20k");
  EXPECT_STREQ(root.child_value("EncodingType"), "url");
  EXPECT_FALSE(root.child("Part"));
}

TEST(Multipart, ListUploads) {
  meta::UploadListResult result;
  result.uploads.resize(2);
  result.uploads[0].upload_id = "U1";
  result.uploads[0].key = "a b";
  result.uploads[0].initiated_ms = kNowMs;
  result.uploads[0].object.storage_class = "IA";
  result.uploads[1].upload_id = "U2";
  result.uploads[1].key = "c";
  result.uploads[1].initiated_ms = kNowMs;
  result.uploads[1].object.storage_class = "";
  result.common_prefixes = {"d/"};
  result.truncated = true;
  result.next_key_marker = "c";
  result.next_upload_id_marker = "U2";
  UploadListing request;
  request.bucket = "examplebucket";
  request.query.prefix = "p";
  request.query.delimiter = "/";
  request.query.key_marker = "km";
  request.query.upload_id_marker = "um";
  request.query.max_uploads = 2;

  pugi::xml_document doc;
  pugi::xml_node root = parse(doc, render_list_uploads(request, result), "ListMultipartUploadsResult");
  EXPECT_STREQ(root.child_value("Bucket"), "examplebucket");
  EXPECT_STREQ(root.child_value("KeyMarker"), "km");
  EXPECT_STREQ(root.child_value("UploadIdMarker"), "um");
  EXPECT_STREQ(root.child_value("NextKeyMarker"), "c");
  EXPECT_STREQ(root.child_value("NextUploadIdMarker"), "U2");
  EXPECT_STREQ(root.child_value("Delimiter"), "/");
  EXPECT_STREQ(root.child_value("Prefix"), "p");
  EXPECT_STREQ(root.child_value("MaxUploads"), "2");
  EXPECT_STREQ(root.child_value("IsTruncated"), "true");
  EXPECT_EQ(values(root, "Upload", "Key"), (std::vector<std::string>{"a b", "c"}));
  EXPECT_EQ(values(root, "Upload", "UploadId"), (std::vector<std::string>{"U1", "U2"}));
  EXPECT_EQ(values(root, "Upload", "Initiated"),
            (std::vector<std::string>{"2024-05-20T08:30:00.000Z", "2024-05-20T08:30:00.000Z"}));
  EXPECT_EQ(values(root, "Upload", "StorageClass"), (std::vector<std::string>{"IA", "Standard"}));
  EXPECT_EQ(values(root, "CommonPrefixes", "Prefix"), (std::vector<std::string>{"d/"}));

  request.url_encoded = true;
  pugi::xml_document enc_doc;
  pugi::xml_node enc = parse(enc_doc, render_list_uploads(request, result), "ListMultipartUploadsResult");
  EXPECT_STREQ(enc.child_value("EncodingType"), "url");
  EXPECT_STREQ(enc.child_value("Delimiter"), "%2F");
  EXPECT_EQ(values(enc, "Upload", "Key"), (std::vector<std::string>{"a%20b", "c"}));
  EXPECT_EQ(values(enc, "CommonPrefixes", "Prefix"), (std::vector<std::string>{"d%2F"}));
  EXPECT_STREQ(enc.child_value("UploadIdMarker"), "um");
}

// ---- copy, delete, tagging -------------------------------------------------

TEST(Copy, ObjectAndPartResults) {
  pugi::xml_document doc;
  pugi::xml_node obj = parse(doc, render_copy_object_result("ABC", kNowMs), "CopyObjectResult");
  EXPECT_EQ(child_names(obj), (std::vector<std::string>{"ETag", "LastModified"}));
  EXPECT_STREQ(obj.child_value("ETag"), "\"ABC\"");
  EXPECT_STREQ(obj.child_value("LastModified"), "2024-05-20T08:30:00.000Z");

  pugi::xml_document doc2;
  pugi::xml_node part = parse(doc2, render_copy_part_result("DEF", kNowMs + 999), "CopyPartResult");
  EXPECT_EQ(child_names(part), (std::vector<std::string>{"LastModified", "ETag"}));
  EXPECT_STREQ(part.child_value("ETag"), "\"DEF\"");
  EXPECT_STREQ(part.child_value("LastModified"), "2024-05-20T08:30:00.999Z");
}

TEST(DeleteResult, VerboseQuietAndFailures) {
  const std::vector<std::string> deleted{"a.txt", "b & c.txt"};
  pugi::xml_document doc;
  pugi::xml_node root = parse(doc, render_delete_result(deleted, false, false), "DeleteResult");
  EXPECT_EQ(values(root, "Deleted", "Key"), deleted);
  EXPECT_FALSE(root.child("EncodingType"));

  pugi::xml_document quiet_doc;
  pugi::xml_node quiet = parse(quiet_doc, render_delete_result(deleted, true, false), "DeleteResult");
  EXPECT_FALSE(quiet.first_child());

  pugi::xml_document fail_doc;
  pugi::xml_node failed =
      parse(fail_doc,
            render_delete_result(deleted, true, true,
                                 {{"x y", ErrorCode::AccessDenied, ""}, {"z", ErrorCode::InternalError, "boom"}}),
            "DeleteResult");
  EXPECT_STREQ(failed.child_value("EncodingType"), "url");
  EXPECT_FALSE(failed.child("Deleted"));
  EXPECT_EQ(values(failed, "Error", "Key"), (std::vector<std::string>{"x%20y", "z"}));
  EXPECT_EQ(values(failed, "Error", "Code"), (std::vector<std::string>{"AccessDenied", "InternalError"}));
  EXPECT_EQ(values(failed, "Error", "Message")[1], "boom");
  EXPECT_FALSE(values(failed, "Error", "Message")[0].empty());
}

TEST(DeleteResult, UrlEncodedKeys) {
  pugi::xml_document doc;
  pugi::xml_node root = parse(doc, render_delete_result({"dir/a b"}, false, true), "DeleteResult");
  EXPECT_EQ(child_names(root), (std::vector<std::string>{"EncodingType", "Deleted"}));
  EXPECT_EQ(values(root, "Deleted", "Key"), (std::vector<std::string>{"dir%2Fa%20b"}));
}

TEST(Tagging, RoundTripShape) {
  pugi::xml_document doc;
  pugi::xml_node root = parse(doc, render_tagging({{"k1", "v1"}, {"a&b", "<x>"}, {"empty", ""}}), "Tagging");
  pugi::xml_node set = root.child("TagSet");
  ASSERT_TRUE(set);
  EXPECT_EQ(values(set, "Tag", "Key"), (std::vector<std::string>{"k1", "a&b", "empty"}));
  EXPECT_EQ(values(set, "Tag", "Value"), (std::vector<std::string>{"v1", "<x>", ""}));
  // An empty value is still an element, so clients see Value: "".
  EXPECT_TRUE(set.last_child().child("Value"));

  pugi::xml_document empty_doc;
  pugi::xml_node empty = parse(empty_doc, render_tagging({}), "Tagging");
  EXPECT_TRUE(empty.child("TagSet"));
  EXPECT_FALSE(empty.child("TagSet").first_child());
}

}  // namespace
}  // namespace ossd::oss
