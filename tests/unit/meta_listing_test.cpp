#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "meta/listing.hpp"

namespace ossd::meta::listing {
namespace {

using ::testing::ElementsAre;

TEST(PrefixSuccessorTest, IncrementsTheLastByteThatCanBe) {
  EXPECT_EQ(prefix_successor("abc"), std::optional<std::string>("abd"));
  EXPECT_EQ(prefix_successor("a/"), std::optional<std::string>("a0"));
  EXPECT_EQ(prefix_successor("a\x7F"), std::optional<std::string>("a\x80"));
  EXPECT_EQ(prefix_successor("a\xFF"), std::optional<std::string>("b"));
  EXPECT_EQ(prefix_successor("a\xFE\xFF\xFF"), std::optional<std::string>("a\xFF"));
  EXPECT_EQ(prefix_successor(""), std::nullopt);
  EXPECT_EQ(prefix_successor("\xFF\xFF"), std::nullopt);
}

TEST(CommonPrefixTest, CutsAfterTheFirstDelimiterPastThePrefix) {
  EXPECT_EQ(common_prefix_of("a/b/c", "", "/"), std::optional<std::string>("a/"));
  EXPECT_EQ(common_prefix_of("a/b/c", "a/", "/"), std::optional<std::string>("a/b/"));
  EXPECT_EQ(common_prefix_of("a/b", "a/", "/"), std::nullopt);
  EXPECT_EQ(common_prefix_of("a/", "a/", "/"), std::nullopt);
  EXPECT_EQ(common_prefix_of("a//", "a/", "/"), std::optional<std::string>("a//"));
  EXPECT_EQ(common_prefix_of("x--y--z", "x", "--"), std::optional<std::string>("x--"));
  EXPECT_EQ(common_prefix_of("a/b", "", ""), std::nullopt);
}

// An in-memory ordered index standing in for the database, counting what the
// scan reads.
struct Row {
  std::string key;
  int tie = 0;  // orders rows that share a key
};

class FakeIndex {
 public:
  explicit FakeIndex(std::vector<Row> rows) : rows_(std::move(rows)) {
    std::sort(rows_.begin(), rows_.end(),
              [](const Row& a, const Row& b) { return std::tie(a.key, a.tie) < std::tie(b.key, b.tie); });
  }

  Result<std::vector<Row>> fetch(const Seek<Row>& seek, const std::optional<std::string>& upper, size_t limit) {
    ++fetches;
    auto it = rows_.begin();
    switch (seek.mode) {
      case Seek<Row>::Mode::FromKey:
        it = std::lower_bound(rows_.begin(), rows_.end(), seek.key,
                              [](const Row& r, const std::string& k) { return r.key < k; });
        break;
      case Seek<Row>::Mode::AfterKey:
        it = std::upper_bound(rows_.begin(), rows_.end(), seek.key,
                              [](const std::string& k, const Row& r) { return k < r.key; });
        break;
      case Seek<Row>::Mode::AfterRow:
        it = std::upper_bound(rows_.begin(), rows_.end(), *seek.row, [](const Row& a, const Row& b) {
          return std::tie(a.key, a.tie) < std::tie(b.key, b.tie);
        });
        break;
    }
    std::vector<Row> out;
    for (; it != rows_.end() && out.size() < limit; ++it) {
      if (upper && it->key >= *upper) break;
      out.push_back(*it);
    }
    rows_read += out.size();
    return out;
  }

  size_t fetches = 0;
  size_t rows_read = 0;

 private:
  std::vector<Row> rows_;
};

Result<Page<Row>> scan(FakeIndex& index, const PageRequest& request, Seek<Row> seek) {
  return skip_scan<Row>(
      request, std::move(seek),
      [&](const Seek<Row>& s, const std::optional<std::string>& upper, size_t limit) {
        return index.fetch(s, upper, limit);
      },
      [](const Row& r) -> const std::string& { return r.key; });
}

std::vector<std::string> keys_of(const Page<Row>& page) {
  std::vector<std::string> keys;
  for (const Row& r : page.rows) keys.push_back(r.key);
  return keys;
}

// Three tenants of 100 000 keys each: a delimiter listing must seek past each
// group instead of reading it.
TEST(SkipScanTest, DelimiterListingReadsAFewRowsPerGroupNotTheGroup) {
  std::vector<Row> rows;
  for (const char* tenant : {"tenant-a/", "tenant-b/", "tenant-c/"}) {
    for (int i = 0; i < 100000; ++i) rows.push_back({std::string(tenant) + "img" + std::to_string(i) + ".jpg"});
  }
  rows.push_back({"readme"});
  rows.push_back({"zz"});
  FakeIndex index(std::move(rows));

  auto page = scan(index, {"", "/", "", 1000}, {Seek<Row>::Mode::FromKey, "", std::nullopt});
  ASSERT_TRUE(page.ok());
  EXPECT_THAT(keys_of(*page), ElementsAre("readme", "zz"));
  EXPECT_THAT(page->common_prefixes, ElementsAre("tenant-a/", "tenant-b/", "tenant-c/"));
  EXPECT_FALSE(page->truncated);
  EXPECT_LE(index.rows_read, 100u);
  EXPECT_LE(index.fetches, 6u);
}

TEST(SkipScanTest, NestedPrefixListingSkipsSubGroups) {
  std::vector<Row> rows;
  for (int album = 0; album < 50; ++album) {
    for (int i = 0; i < 2000; ++i) {
      rows.push_back({"t/album" + std::to_string(100 + album) + "/" + std::to_string(i)});
    }
  }
  FakeIndex index(std::move(rows));
  auto page = scan(index, {"t/", "/", "", 20}, {Seek<Row>::Mode::FromKey, "t/", std::nullopt});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->common_prefixes.size(), 20u);
  EXPECT_EQ(page->common_prefixes.front(), "t/album100/");
  EXPECT_EQ(page->common_prefixes.back(), "t/album119/");
  EXPECT_TRUE(page->truncated);
  EXPECT_TRUE(page->last_is_common_prefix);
  EXPECT_LE(index.rows_read, 32u + 21 * 8);
}

TEST(SkipScanTest, PlainListingReadsOneBatchPlusOne) {
  std::vector<Row> rows;
  for (int i = 0; i < 5000; ++i) rows.push_back({std::string("k").append(std::to_string(10000 + i))});
  FakeIndex index(std::move(rows));
  auto page = scan(index, {"", "", "", 1000}, {Seek<Row>::Mode::FromKey, "", std::nullopt});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->rows.size(), 1000u);
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(index.fetches, 1u);
  EXPECT_EQ(index.rows_read, 1001u);
}

TEST(SkipScanTest, TruncationIsExactAtTheLastEntry) {
  FakeIndex index({{"a"}, {"b/1"}, {"b/2"}});
  auto page = scan(index, {"", "/", "", 2}, {Seek<Row>::Mode::FromKey, "", std::nullopt});
  ASSERT_TRUE(page.ok());
  EXPECT_THAT(keys_of(*page), ElementsAre("a"));
  EXPECT_THAT(page->common_prefixes, ElementsAre("b/"));
  EXPECT_FALSE(page->truncated);

  page = scan(index, {"", "", "", 3}, {Seek<Row>::Mode::FromKey, "", std::nullopt});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->rows.size(), 3u);
  EXPECT_FALSE(page->truncated);

  page = scan(index, {"", "", "", 0}, {Seek<Row>::Mode::FromKey, "", std::nullopt});
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->rows.empty());
  EXPECT_TRUE(page->truncated);
}

TEST(SkipScanTest, RowsSharingAKeyResumeAfterTheRow) {
  FakeIndex index({{"k", 1}, {"k", 2}, {"k", 3}, {"m", 1}});
  auto page = scan(index, {"", "", "k", 10}, {Seek<Row>::Mode::AfterRow, "k", Row{"k", 1}});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->rows.size(), 3u);
  EXPECT_EQ(page->rows[0].tie, 2);
  EXPECT_EQ(page->rows[2].key, "m");
}

TEST(SkipScanTest, AGroupRunningToTheEndOfTheKeySpaceEndsTheScan) {
  FakeIndex index({{"\xFF/a"}, {"\xFF/b"}});
  auto page = scan(index, {"\xFF", "", "", 10}, {Seek<Row>::Mode::FromKey, "\xFF", std::nullopt});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->rows.size(), 2u);
  page = scan(index, {"", "\xFF", "", 10}, {Seek<Row>::Mode::FromKey, "", std::nullopt});
  ASSERT_TRUE(page.ok());
  EXPECT_THAT(page->common_prefixes, ElementsAre("\xFF"));
}

TEST(SkipScanTest, FetchErrorsPropagate) {
  auto page = skip_scan<Row>(
      PageRequest{"", "/", "", 10}, Seek<Row>{},
      [](const Seek<Row>&, const std::optional<std::string>&, size_t) -> Result<std::vector<Row>> {
        return Error(ErrorCode::InternalError, "disk on fire");
      },
      [](const Row& r) -> const std::string& { return r.key; });
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().message, "disk on fire");
}

}  // namespace
}  // namespace ossd::meta::listing
