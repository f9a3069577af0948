#include <gtest/gtest.h>

#include <string>

#include "oss/xml_requests.hpp"

namespace ossd::oss {
namespace {

const char kDecl[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

template <class T>
ErrorCode code_of(const Result<T>& r) {
  EXPECT_FALSE(r.ok());
  return r.ok() ? ErrorCode::InternalError : r.error().code;
}

// ---- CompleteMultipartUpload ----------------------------------------------

std::string complete_body(const std::string& parts) {
  return std::string(kDecl) + "<CompleteMultipartUpload>\n" + parts + "</CompleteMultipartUpload>";
}

std::string part(const std::string& number, const std::string& etag) {
  return "<Part>\n<PartNumber>" + number + "</PartNumber>\n<ETag>" + etag + "</ETag>\n</Part>\n";
}

TEST(CompleteMultipart, ParsesWhatAliOssSends) {
  // ali-oss puts the quoted ETag from the UploadPart response in the body.
  auto r = parse_complete_multipart(complete_body(part("1", "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"") +
                                                  part("2", "&quot;ABCDEF&quot;") + part("10", " 0123abcd ")));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].part_number, 1u);
  EXPECT_EQ((*r)[0].etag, "5EB63BBBE01EEED093CB22BB8F5ACDC3");
  EXPECT_EQ((*r)[1].part_number, 2u);
  EXPECT_EQ((*r)[1].etag, "ABCDEF");
  EXPECT_EQ((*r)[2].part_number, 10u);
  EXPECT_EQ((*r)[2].etag, "0123ABCD");
}

TEST(CompleteMultipart, IgnoresUnknownElementsAndAcceptsWhitespace) {
  auto r = parse_complete_multipart(
      "<CompleteMultipartUpload><Extra>x</Extra><Part><ETag>a</ETag><PartNumber> 7 </PartNumber><Size>1</Size>"
      "</Part></CompleteMultipartUpload>");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].part_number, 7u);
  EXPECT_EQ((*r)[0].etag, "A");
}

TEST(CompleteMultipart, OrderMustBeStrictlyAscending) {
  EXPECT_EQ(code_of(parse_complete_multipart(complete_body(part("2", "a") + part("1", "b")))),
            ErrorCode::InvalidPartOrder);
  EXPECT_EQ(code_of(parse_complete_multipart(complete_body(part("1", "a") + part("1", "a")))),
            ErrorCode::InvalidPartOrder);
}

TEST(CompleteMultipart, Malformed) {
  for (const std::string& body : {
           std::string(""),
           std::string("not xml"),
           std::string("<CompleteMultipartUpload>"),
           complete_body(""),                                     // no parts
           std::string("<Other>") + part("1", "a") + "</Other>",  // wrong root
           complete_body("<Part><PartNumber>1</PartNumber></Part>"),
           complete_body("<Part><ETag>a</ETag></Part>"),
           complete_body(part("one", "a")),
           complete_body(part("-1", "a")),
           complete_body(part("", "a")),
           complete_body(part("99999999999999999999999", "a")),
           std::string("<!DOCTYPE x [<!ENTITY e \"boom\">]>") + complete_body(part("1", "a")),
           complete_body(part("1", "a")) + "<Second/>",
       }) {
    EXPECT_EQ(code_of(parse_complete_multipart(body)), ErrorCode::MalformedXML) << body;
  }
}

TEST(CompleteMultipart, PartNumberRange) {
  EXPECT_EQ(code_of(parse_complete_multipart(complete_body(part("0", "a")))), ErrorCode::InvalidArgument);
  EXPECT_EQ(code_of(parse_complete_multipart(complete_body(part("10001", "a")))), ErrorCode::InvalidArgument);
  EXPECT_TRUE(parse_complete_multipart(complete_body(part("10000", "a"))).ok());
}

TEST(CompleteMultipart, Limits) {
  XmlLimits limits;
  limits.max_parts = 3;
  std::string three = part("1", "a") + part("2", "a") + part("3", "a");
  EXPECT_TRUE(parse_complete_multipart(complete_body(three), limits).ok());
  EXPECT_EQ(code_of(parse_complete_multipart(complete_body(three + part("4", "a")), limits)), ErrorCode::MalformedXML);
  limits = {};
  limits.max_body_bytes = 64;
  EXPECT_EQ(code_of(parse_complete_multipart(complete_body(three), limits)), ErrorCode::MalformedXML);
}

TEST(CompleteMultipart, TenThousandPartsParse) {
  std::string parts;
  for (int i = 1; i <= 10000; ++i) parts += part(std::to_string(i), "\"0123456789ABCDEF0123456789ABCDEF\"");
  auto r = parse_complete_multipart(complete_body(parts));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 10000u);
  EXPECT_EQ(r->back().part_number, 10000u);
}

// ---- DeleteMultipleObjects -------------------------------------------------

TEST(DeleteRequest, ParsesWhatAliOssSends) {
  // ali-oss escapes keys itself (utility.escape) before building the body.
  auto r = parse_delete(std::string(kDecl) +
                        "<Delete><Quiet>false</Quiet><Object><Key>a.txt</Key></Object>"
                        "<Object><Key>dir/b &amp; &lt;c&gt;.txt</Key></Object>"
                        "<Object><Key> spaced </Key><VersionId>v</VersionId></Object></Delete>");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->quiet);
  EXPECT_EQ(r->keys, (std::vector<std::string>{"a.txt", "dir/b & <c>.txt", " spaced "}));
}

TEST(DeleteRequest, QuietValues) {
  auto parse_quiet = [](const std::string& q) {
    return parse_delete("<Delete>" + q + "<Object><Key>k</Key></Object></Delete>");
  };
  EXPECT_TRUE(parse_quiet("<Quiet>true</Quiet>")->quiet);
  EXPECT_TRUE(parse_quiet("<Quiet> TRUE </Quiet>")->quiet);
  EXPECT_FALSE(parse_quiet("<Quiet>false</Quiet>")->quiet);
  EXPECT_FALSE(parse_quiet("")->quiet);
  EXPECT_EQ(code_of(parse_quiet("<Quiet>yes</Quiet>")), ErrorCode::MalformedXML);
}

TEST(DeleteRequest, CdataAndUtf8Keys) {
  auto r = parse_delete(
      "<Delete><Object><Key><![CDATA[a<b]]></Key></Object>"
      "<Object><Key>\xe4\xb8\xad.txt</Key></Object></Delete>");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->keys, (std::vector<std::string>{"a<b", "\xe4\xb8\xad.txt"}));
}

TEST(DeleteRequest, Malformed) {
  for (const std::string& body :
       {std::string(""), std::string("<Delete>"), std::string("<Delete></Delete>"),
        std::string("<Delete><Quiet>true</Quiet></Delete>"), std::string("<Delete><Object></Object></Delete>"),
        std::string("<Remove><Object><Key>k</Key></Object></Remove>")}) {
    EXPECT_EQ(code_of(parse_delete(body)), ErrorCode::MalformedXML) << body;
  }
}

TEST(DeleteRequest, AtMostOneThousandKeys) {
  auto body = [](int n) {
    std::string b = "<Delete>";
    for (int i = 0; i < n; ++i) b += "<Object><Key>k" + std::to_string(i) + "</Key></Object>";
    return b + "</Delete>";
  };
  auto ok = parse_delete(body(1000));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->keys.size(), 1000u);
  EXPECT_EQ(code_of(parse_delete(body(1001))), ErrorCode::MalformedXML);
}

// ---- Tagging ---------------------------------------------------------------

std::string tagging_body(const std::string& tags) { return "<Tagging><TagSet>" + tags + "</TagSet></Tagging>"; }
std::string tag(const std::string& k, const std::string& v) {
  return "<Tag><Key>" + k + "</Key><Value>" + v + "</Value></Tag>";
}

TEST(Tagging, ParsesInOrder) {
  auto r = parse_tagging(std::string(kDecl) + tagging_body(tag("b", "2") + tag("a", "1") + tag("k 3", "v/=+:._-")));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value(), (Pairs{{"b", "2"}, {"a", "1"}, {"k 3", "v/=+:._-"}}));
}

TEST(Tagging, EmptyTagSetAndMissingValue) {
  auto empty = parse_tagging(tagging_body(""));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  auto no_value = parse_tagging(tagging_body("<Tag><Key>k</Key></Tag>"));
  ASSERT_TRUE(no_value.ok());
  EXPECT_EQ(no_value.value(), (Pairs{{"k", ""}}));
}

TEST(Tagging, Limits) {
  std::string ten;
  for (int i = 0; i < 10; ++i) ten += tag(std::string("k").append(std::to_string(i)), "v");
  EXPECT_TRUE(parse_tagging(tagging_body(ten)).ok());
  EXPECT_EQ(code_of(parse_tagging(tagging_body(ten + tag("k10", "v")))), ErrorCode::InvalidTag);
  EXPECT_TRUE(parse_tagging(tagging_body(tag(std::string(128, 'k'), std::string(256, 'v')))).ok());
  EXPECT_EQ(code_of(parse_tagging(tagging_body(tag(std::string(129, 'k'), "v")))), ErrorCode::InvalidTag);
  EXPECT_EQ(code_of(parse_tagging(tagging_body(tag("k", std::string(257, 'v'))))), ErrorCode::InvalidTag);
  EXPECT_EQ(code_of(parse_tagging(tagging_body(tag("", "v")))), ErrorCode::InvalidTag);
  EXPECT_EQ(code_of(parse_tagging(tagging_body(tag("k", "1") + tag("k", "2")))), ErrorCode::InvalidTag);
  EXPECT_EQ(code_of(parse_tagging(tagging_body(tag("k\xff", "1")))), ErrorCode::InvalidTag);
}

TEST(Tagging, Malformed) {
  for (const std::string& body :
       {std::string(""), std::string("<Tagging/>"), std::string("<Tagging><TagSet>"),
        tagging_body("<Tag><Value>v</Value></Tag>"), std::string("<TagSet>") + tag("a", "b") + "</TagSet>"}) {
    EXPECT_EQ(code_of(parse_tagging(body)), ErrorCode::MalformedXML) << body;
  }
}

TEST(TaggingHeader, ParsesAndDecodes) {
  auto r = parse_tagging_header("k1=v1&k2=v%202&a%2Fb=c%3Dd&plus=a+b&empty=&bare");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value(),
            (Pairs{{"k1", "v1"}, {"k2", "v 2"}, {"a/b", "c=d"}, {"plus", "a+b"}, {"empty", ""}, {"bare", ""}}));
}

TEST(TaggingHeader, BlankAndEmptySegments) {
  EXPECT_TRUE(parse_tagging_header("")->empty());
  EXPECT_TRUE(parse_tagging_header("  ")->empty());
  EXPECT_EQ(parse_tagging_header("a=1&&b=2").value(), (Pairs{{"a", "1"}, {"b", "2"}}));
}

TEST(TaggingHeader, Errors) {
  EXPECT_EQ(code_of(parse_tagging_header("a=%zz")), ErrorCode::InvalidArgument);
  EXPECT_EQ(code_of(parse_tagging_header("%=1")), ErrorCode::InvalidArgument);
  EXPECT_EQ(code_of(parse_tagging_header("=v")), ErrorCode::InvalidTag);
  EXPECT_EQ(code_of(parse_tagging_header("a=1&a=2")), ErrorCode::InvalidTag);
  EXPECT_EQ(code_of(parse_tagging_header(std::string(129, 'k') + "=v")), ErrorCode::InvalidTag);
  std::string eleven;
  for (int i = 0; i < 11; ++i) eleven.append("k").append(std::to_string(i)).append("=v&");
  EXPECT_EQ(code_of(parse_tagging_header(eleven)), ErrorCode::InvalidTag);
}

TEST(ValidateTags, Rules) {
  EXPECT_TRUE(validate_tags({}).ok());
  EXPECT_TRUE(validate_tags({{"a", ""}}).ok());
  EXPECT_EQ(code_of(validate_tags({{"a", "1"}, {"a", "2"}})), ErrorCode::InvalidTag);
  XmlLimits strict;
  strict.max_tags = 1;
  EXPECT_EQ(code_of(validate_tags({{"a", "1"}, {"b", "2"}}, strict)), ErrorCode::InvalidTag);
}

// ---- CreateBucketConfiguration ----------------------------------------------

TEST(CreateBucket, ParsesWhatAliOssSends) {
  auto r = parse_create_bucket(std::string(kDecl) +
                               "<CreateBucketConfiguration><StorageClass>Standard</StorageClass>"
                               "</CreateBucketConfiguration>");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->storage_class, "Standard");
  EXPECT_EQ(r->data_redundancy_type, "");
}

TEST(CreateBucket, EmptyBodyIsFine) {
  for (const char* body : {"", " \r\n"}) {
    auto r = parse_create_bucket(body);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->storage_class, "");
  }
  auto no_class = parse_create_bucket("<CreateBucketConfiguration/>");
  ASSERT_TRUE(no_class.ok());
  EXPECT_EQ(no_class->storage_class, "");
}

TEST(CreateBucket, AllClassesAndRedundancy) {
  for (const char* cls : {"Standard", "IA", "Archive", "ColdArchive", "DeepColdArchive"}) {
    auto r = parse_create_bucket(std::string("<CreateBucketConfiguration><StorageClass> ") + cls +
                                 "</StorageClass><DataRedundancyType>ZRS</DataRedundancyType>"
                                 "</CreateBucketConfiguration>");
    ASSERT_TRUE(r.ok()) << cls;
    EXPECT_EQ(r->storage_class, cls);
    EXPECT_EQ(r->data_redundancy_type, "ZRS");
  }
}

TEST(CreateBucket, Errors) {
  EXPECT_EQ(code_of(parse_create_bucket("<CreateBucketConfiguration><StorageClass>Gold</StorageClass>"
                                        "</CreateBucketConfiguration>")),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(code_of(parse_create_bucket("<CreateBucketConfiguration><DataRedundancyType>XRS</DataRedundancyType>"
                                        "</CreateBucketConfiguration>")),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(code_of(parse_create_bucket("<Bucket/>")), ErrorCode::MalformedXML);
  EXPECT_EQ(code_of(parse_create_bucket("<CreateBucketConfiguration>")), ErrorCode::MalformedXML);
}

TEST(XmlSafety, EntityExpansionIsRefused) {
  const std::string laughs =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>"
      "<Delete><Object><Key>&lol2;</Key></Object></Delete>";
  EXPECT_EQ(code_of(parse_delete(laughs)), ErrorCode::MalformedXML);
  const std::string xxe =
      "<?xml version=\"1.0\"?><!DOCTYPE t [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
      "<Tagging><TagSet><Tag><Key>&x;</Key><Value>v</Value></Tag></TagSet></Tagging>";
  EXPECT_EQ(code_of(parse_tagging(xxe)), ErrorCode::MalformedXML);
  // An undeclared entity reference is never expanded: it stays literal text.
  auto r = parse_delete("<Delete><Object><Key>&x;</Key></Object></Delete>");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->keys, (std::vector<std::string>{"&x;"}));
}

}  // namespace
}  // namespace ossd::oss
