#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "core/time_format.hpp"
#include "oss/preconditions.hpp"

namespace ossd::oss {
namespace {

const std::string kEtag = "5EB63BBBE01EEED093CB22BB8F5ACDC3";
// 2024-05-20T08:30:00.250Z: a sub-second part that HTTP dates cannot carry.
const SystemTime kModified = from_unix_millis(1716193800250);

const std::string kBefore = "Mon, 20 May 2024 08:29:59 GMT";
const std::string kSame = "Mon, 20 May 2024 08:30:00 GMT";
const std::string kAfter = "Mon, 20 May 2024 08:30:01 GMT";

struct Headers {
  std::optional<std::string> if_match, if_none_match, if_modified_since, if_unmodified_since;
  Preconditions view() const {
    auto p = [](const std::optional<std::string>& v) { return v ? &*v : nullptr; };
    return {p(if_match), p(if_none_match), p(if_modified_since), p(if_unmodified_since)};
  }
};

// "" = passes, otherwise the code plus Condition detail, e.g. "412 If-Match".
std::string outcome(const Headers& h) {
  Status st = evaluate_preconditions(h.view(), kEtag, kModified);
  if (st.ok()) return "";
  if (st.error().code == ErrorCode::NotModified) {
    EXPECT_TRUE(st.error().details.empty());
    return "304";
  }
  EXPECT_EQ(st.error().code, ErrorCode::PreconditionFailed);
  if (st.error().details.size() != 1 || st.error().details[0].first != "Condition") return "412 ?";
  return "412 " + st.error().details[0].second;
}

std::string copy_outcome(const Headers& h, CopyNotModified mode = CopyNotModified::precondition_failed) {
  Status st = evaluate_copy_source_preconditions(h.view(), kEtag, kModified, mode);
  if (st.ok()) return "";
  if (st.error().code == ErrorCode::NotModified) return "304";
  return "412 " + st.error().details.at(0).second;
}

TEST(Preconditions, NoHeadersPass) { EXPECT_EQ(outcome({}), ""); }

TEST(Preconditions, IfMatch) {
  EXPECT_EQ(outcome({.if_match = "\"" + kEtag + "\""}), "");
  EXPECT_EQ(outcome({.if_match = kEtag}), "");                                   // quotes optional
  EXPECT_EQ(outcome({.if_match = "\"5eb63bbbe01eeed093cb22bb8f5acdc3\""}), "");  // case-insensitive hex
  EXPECT_EQ(outcome({.if_match = "*"}), "");
  EXPECT_EQ(outcome({.if_match = "\"abc\", \"" + kEtag + "\""}), "");  // list
  EXPECT_EQ(outcome({.if_match = "\"abc\""}), "412 If-Match");
  EXPECT_EQ(outcome({.if_match = "W/\"" + kEtag + "\""}), "412 If-Match");  // strong comparison
  EXPECT_EQ(outcome({.if_match = "  "}), "");                               // blank: ignored
}

TEST(Preconditions, IfNoneMatch) {
  EXPECT_EQ(outcome({.if_none_match = "\"" + kEtag + "\""}), "304");
  EXPECT_EQ(outcome({.if_none_match = kEtag}), "304");
  EXPECT_EQ(outcome({.if_none_match = "W/\"" + kEtag + "\""}), "304");  // weak comparison
  EXPECT_EQ(outcome({.if_none_match = "*"}), "304");
  EXPECT_EQ(outcome({.if_none_match = "\"abc\",\"" + kEtag + "\""}), "304");
  EXPECT_EQ(outcome({.if_none_match = "\"abc\""}), "");
}

TEST(Preconditions, IfModifiedSince) {
  EXPECT_EQ(outcome({.if_modified_since = kBefore}), "");
  EXPECT_EQ(outcome({.if_modified_since = kSame}), "304");  // compared at whole seconds
  EXPECT_EQ(outcome({.if_modified_since = kAfter}), "304");
  EXPECT_EQ(outcome({.if_modified_since = "Monday, 20-May-24 08:30:00 GMT"}), "304");  // RFC 850
  EXPECT_EQ(outcome({.if_modified_since = "Mon May 20 08:30:00 2024"}), "304");        // asctime
  EXPECT_EQ(outcome({.if_modified_since = "yesterday"}), "");                          // ignored
}

TEST(Preconditions, IfUnmodifiedSince) {
  EXPECT_EQ(outcome({.if_unmodified_since = kBefore}), "412 If-Unmodified-Since");
  EXPECT_EQ(outcome({.if_unmodified_since = kSame}), "");
  EXPECT_EQ(outcome({.if_unmodified_since = kAfter}), "");
  EXPECT_EQ(outcome({.if_unmodified_since = "not a date"}), "");
}

TEST(Preconditions, PrecedenceFollowsRfc7232) {
  // If-Match decides; If-Unmodified-Since is then not consulted.
  EXPECT_EQ(outcome({.if_match = kEtag, .if_unmodified_since = kBefore}), "");
  EXPECT_EQ(outcome({.if_match = "\"x\"", .if_unmodified_since = kAfter}), "412 If-Match");
  // If-None-Match decides; If-Modified-Since is then not consulted.
  EXPECT_EQ(outcome({.if_none_match = "\"x\"", .if_modified_since = kAfter}), "");
  EXPECT_EQ(outcome({.if_none_match = kEtag, .if_modified_since = kBefore}), "304");
  // 412 conditions are checked before 304 ones.
  EXPECT_EQ(outcome({.if_match = "\"x\"", .if_none_match = kEtag}), "412 If-Match");
  EXPECT_EQ(outcome({.if_none_match = kEtag, .if_unmodified_since = kBefore}), "412 If-Unmodified-Since");
  EXPECT_EQ(outcome({.if_modified_since = kAfter, .if_unmodified_since = kBefore}), "412 If-Unmodified-Since");
  // Both pass.
  EXPECT_EQ(
      outcome(
          {.if_match = kEtag, .if_none_match = "\"x\"", .if_modified_since = kBefore, .if_unmodified_since = kAfter}),
      "");
}

TEST(CopyPreconditions, AllFailuresAre412NamingTheCopyHeader) {
  EXPECT_EQ(copy_outcome({}), "");
  EXPECT_EQ(copy_outcome({.if_match = kEtag}), "");
  EXPECT_EQ(copy_outcome({.if_match = "\"x\""}), "412 x-oss-copy-source-if-match");
  EXPECT_EQ(copy_outcome({.if_none_match = kEtag}), "412 x-oss-copy-source-if-none-match");
  EXPECT_EQ(copy_outcome({.if_modified_since = kAfter}), "412 x-oss-copy-source-if-modified-since");
  EXPECT_EQ(copy_outcome({.if_unmodified_since = kBefore}), "412 x-oss-copy-source-if-unmodified-since");
  EXPECT_EQ(copy_outcome({.if_match = kEtag, .if_unmodified_since = kBefore}), "");
  EXPECT_EQ(copy_outcome({.if_none_match = "\"x\"", .if_modified_since = kAfter}), "");
}

TEST(CopyPreconditions, OssModeAnswersNotModifiedWith304) {
  const auto oss = CopyNotModified::not_modified;
  EXPECT_EQ(copy_outcome({.if_none_match = kEtag}, oss), "304");
  EXPECT_EQ(copy_outcome({.if_modified_since = kAfter}, oss), "304");
  EXPECT_EQ(copy_outcome({.if_match = "\"x\""}, oss), "412 x-oss-copy-source-if-match");
  EXPECT_EQ(copy_outcome({.if_unmodified_since = kBefore}, oss), "412 x-oss-copy-source-if-unmodified-since");
}

TEST(EtagList, Matching) {
  EXPECT_TRUE(etag_list_matches("\"A\"", "A", false));
  EXPECT_TRUE(etag_list_matches("\"A\"", "\"A\"", false));  // stored value given quoted
  EXPECT_TRUE(etag_list_matches(" \"B\" , \"A\" ", "A", false));
  EXPECT_TRUE(etag_list_matches("W/\"A\"", "A", true));
  EXPECT_FALSE(etag_list_matches("W/\"A\"", "A", false));
  EXPECT_FALSE(etag_list_matches("", "A", true));
  EXPECT_FALSE(etag_list_matches("\"\"", "A", true));
  EXPECT_FALSE(etag_list_matches("\"AB\"", "A", true));
  EXPECT_TRUE(etag_list_matches("\"x\", *", "A", false));
}

}  // namespace
}  // namespace ossd::oss
