#pragma once
// Delimiter listing by skip-scan, independent of the storage engine: rows come
// from a range-scan callback over an ordered index, and a key that belongs to
// a common prefix makes the scan jump past the whole group with one seek. A
// page therefore costs O(entries returned) seeks and row reads, however many
// keys hide under each common prefix. The SQLite and PostgreSQL stores both
// list through list_objects_page and list_uploads_page at the bottom.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "meta/records.hpp"

namespace ossd::meta::listing {

// The smallest string greater than every string that starts with `prefix`
// (byte order), or nullopt when there is none ("" or all 0xFF bytes).
std::optional<std::string> prefix_successor(std::string_view prefix);

// prefix + key's bytes up to and including the first `delimiter` after the
// prefix; nullopt when the delimiter is empty or does not occur there.
// Assumes key starts with prefix.
std::optional<std::string> common_prefix_of(std::string_view key, std::string_view prefix, std::string_view delimiter);

// A page of up to max_keys rows fetched as max_keys + 1, so the extra row
// tells whether more follow: drops it and reports that in *truncated (when given).
template <class Row>
Result<std::vector<Row>> trim_to_page(Result<std::vector<Row>> fetched, uint32_t max_keys, bool* truncated) {
  if (!fetched.ok()) return fetched;
  const bool more = fetched->size() > max_keys;
  if (more) fetched->resize(max_keys);
  if (truncated != nullptr) *truncated = more;
  return fetched;
}

// Where a range scan resumes. Rows are ordered by key first; several rows may
// share a key (uploads), ordered among themselves by the callback's own order.
template <class Row>
struct Seek {
  enum class Mode {
    FromKey,   // rows with key >= key
    AfterKey,  // rows with key > key
    AfterRow,  // rows after `row` in the full row order (key, then the row's tie-break)
  };
  Mode mode = Mode::FromKey;
  std::string key;
  std::optional<Row> row;
};

template <class Row>
struct Page {
  std::vector<Row> rows;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  bool last_is_common_prefix = false;  // which kind of entry came last
};

struct PageRequest {
  std::string_view prefix;
  std::string_view delimiter;
  // Only entries (keys and common prefixes) > marker are returned: a common
  // prefix <= marker was returned by an earlier page, so its group is skipped.
  std::string_view marker;
  uint32_t max_entries = 1000;
};

// Tunables of the skip-scan: after a seek past a group the next group is
// usually near, so fetch few rows; while rows are plain keys, grow the batch.
inline constexpr size_t kFirstBatchWithDelimiter = 32;
inline constexpr size_t kBatchAfterSkip = 8;
inline constexpr size_t kMaxBatch = 1001;

// fetch(const Seek<Row>&, const std::optional<std::string>& upper_exclusive, size_t limit)
//   -> Result<std::vector<Row>>: rows from the seek point with key < upper_exclusive
//   (no bound when nullopt), ascending, at most limit.
// key_of(const Row&) -> const std::string&.
template <class Row, class Fetch, class KeyOf>
Result<Page<Row>> skip_scan(const PageRequest& request, Seek<Row> seek, Fetch&& fetch, KeyOf&& key_of) {
  Page<Row> page;
  const std::optional<std::string> upper = prefix_successor(request.prefix);
  const size_t max_entries = request.max_entries;
  size_t entries = 0;
  size_t batch = request.delimiter.empty() ? kMaxBatch : kFirstBatchWithDelimiter;

  while (true) {
    const size_t limit = std::clamp<size_t>(batch, 1, std::min(max_entries - entries + 1, kMaxBatch));
    auto fetched = fetch(static_cast<const Seek<Row>&>(seek), upper, limit);
    if (!fetched.ok()) return std::move(fetched).error();
    std::vector<Row>& rows = *fetched;

    bool skipped = false;
    for (Row& row : rows) {
      // Any row left once the page is full is a later entry: a key, or a
      // common prefix greater than everything returned so far.
      if (entries == max_entries) {
        page.truncated = true;
        return page;
      }
      const std::string& key = key_of(row);
      std::optional<std::string> group = common_prefix_of(key, request.prefix, request.delimiter);
      if (!group) {
        page.rows.push_back(std::move(row));
        page.last_is_common_prefix = false;
        ++entries;
        continue;
      }
      if (std::string_view(*group) > request.marker) {
        page.common_prefixes.push_back(*group);
        page.last_is_common_prefix = true;
        ++entries;
      }
      std::optional<std::string> past_group = prefix_successor(*group);
      if (!past_group) return page;  // the group runs to the end of the key space
      seek = Seek<Row>{Seek<Row>::Mode::FromKey, std::move(*past_group), std::nullopt};
      skipped = true;
      break;
    }

    if (skipped) {
      batch = kBatchAfterSkip;
      continue;
    }
    if (rows.size() < limit) return page;  // the range is exhausted
    seek = Seek<Row>{Seek<Row>::Mode::AfterRow, key_of(page.rows.back()), page.rows.back()};
    batch = std::min(limit * 2, kMaxBatch);
  }
}

// A ListObjects page over any store: fetch(const Seek<ObjectSummary>&,
// upper_exclusive, limit) reads the bucket's rows as skip_scan describes.
template <class Fetch>
Result<ListResult> list_objects_page(const ListQuery& query, Fetch&& fetch) {
  using ObjectSeek = Seek<ObjectSummary>;
  // A marker inside the prefix's range resumes after it; any other marker is
  // either before the range (start at the prefix) or past it (nothing left,
  // which skip_scan finds by itself).
  const bool marker_inside = !query.start_after.empty() && query.start_after >= query.prefix;
  ObjectSeek start = marker_inside ? ObjectSeek{ObjectSeek::Mode::AfterKey, query.start_after, std::nullopt}
                                   : ObjectSeek{ObjectSeek::Mode::FromKey, query.prefix, std::nullopt};
  auto page = skip_scan<ObjectSummary>({query.prefix, query.delimiter, query.start_after, query.max_keys},
                                       std::move(start), std::forward<Fetch>(fetch),
                                       [](const ObjectSummary& s) -> const std::string& { return s.key; });
  if (!page.ok()) return std::move(page).error();
  ListResult result;
  result.objects = std::move(page->rows);
  result.common_prefixes = std::move(page->common_prefixes);
  result.truncated = page->truncated;
  if (result.truncated) {
    result.next_marker = page->last_is_common_prefix ? result.common_prefixes.back() : result.objects.back().key;
  }
  return result;
}

// A ListMultipartUploads page over any store, from `start` (the store finds
// it, since an upload-id marker needs that upload's row); fetch as above over
// UploadRecord rows.
template <class Fetch>
Result<UploadListResult> list_uploads_page(const UploadListQuery& query, Seek<UploadRecord> start, Fetch&& fetch) {
  auto page = skip_scan<UploadRecord>({query.prefix, query.delimiter, query.key_marker, query.max_uploads},
                                      std::move(start), std::forward<Fetch>(fetch),
                                      [](const UploadRecord& u) -> const std::string& { return u.key; });
  if (!page.ok()) return std::move(page).error();
  UploadListResult result;
  result.uploads = std::move(page->rows);
  result.common_prefixes = std::move(page->common_prefixes);
  result.truncated = page->truncated;
  if (result.truncated) {
    if (page->last_is_common_prefix) {
      result.next_key_marker = result.common_prefixes.back();
    } else {
      result.next_key_marker = result.uploads.back().key;
      result.next_upload_id_marker = result.uploads.back().upload_id;
    }
  }
  return result;
}

}  // namespace ossd::meta::listing
