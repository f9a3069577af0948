#include "api/request_parsing.hpp"

#include <algorithm>
#include <cctype>

#include "core/strings.hpp"
#include "oss/names.hpp"
#include "oss/xml_requests.hpp"

namespace ossd::api {

namespace {

Error invalid_argument(std::string_view name, std::string_view value, std::string message) {
  return Error(ErrorCode::InvalidArgument, std::move(message))
      .with("ArgumentName", std::string(name))
      .with("ArgumentValue", std::string(value));
}

constexpr std::string_view kStoredHeaders[] = {"Cache-Control", "Content-Disposition", "Content-Encoding",
                                               "Content-Language", "Expires"};
constexpr std::string_view kStorageClasses[] = {"Standard", "IA", "Archive", "ColdArchive", "DeepColdArchive"};
constexpr size_t kMaxUserMetadataBytes = size_t{8} * 1024;

const std::string* find_field(const std::vector<HeaderField>& fields, std::string_view name) {
  for (const auto& f : fields) {
    if (iequals(f.name, name)) return &f.value;
  }
  return nullptr;
}

// Stored values come back as response headers. Request headers cannot carry a
// line break (the HTTP parser refuses one), but PostObject form fields can, so
// every stored value and meta name is checked here, where both kinds arrive.
bool is_header_value_text(std::string_view value) {
  return std::none_of(value.begin(), value.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return (byte < 0x20 && byte != '\t') || byte == 0x7f;
  });
}

bool is_header_name_token(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

Status check_stored_header(std::string_view name, std::string_view value) {
  if (!is_header_name_token(name)) return invalid_argument(name, value, "The header name is not a valid HTTP token.");
  if (!is_header_value_text(value)) {
    return invalid_argument(name, value, "The header value contains control characters.");
  }
  return ok_status();
}

// Copies Content-Type, the stored standard headers and x-oss-meta-* into record.
Status take_metadata(const std::vector<HeaderField>& fields, meta::ObjectRecord& record) {
  for (const auto& f : fields) {
    const bool stored = iequals(f.name, "Content-Type") || istarts_with(f.name, "x-oss-meta-") ||
                        std::any_of(std::begin(kStoredHeaders), std::end(kStoredHeaders),
                                    [&](std::string_view name) { return iequals(f.name, name); });
    if (!stored) continue;
    if (auto checked = check_stored_header(f.name, f.value); !checked) return checked;
  }
  const std::string* content_type = find_field(fields, "Content-Type");
  record.content_type = content_type && !content_type->empty() ? *content_type : "application/octet-stream";
  record.headers.clear();
  for (auto name : kStoredHeaders) {
    if (const std::string* value = find_field(fields, name)) record.headers.emplace_back(std::string(name), *value);
  }
  record.user_meta.clear();
  size_t meta_bytes = 0;
  for (const auto& h : fields) {
    constexpr std::string_view prefix = "x-oss-meta-";
    if (h.name.size() > prefix.size() && iequals(std::string_view(h.name).substr(0, prefix.size()), prefix)) {
      std::string name = to_lower(std::string_view(h.name).substr(prefix.size()));
      meta_bytes += name.size() + h.value.size();
      record.user_meta.emplace_back(std::move(name), h.value);
    }
  }
  if (meta_bytes > kMaxUserMetadataBytes) {
    return Error(ErrorCode::InvalidArgument, "Your metadata headers exceed the maximum allowed metadata size.")
        .with("ArgumentName", "x-oss-meta-*");
  }
  return ok_status();
}

}  // namespace

Result<uint32_t> bounded_query_number(const RequestContext& ctx, std::string_view name, uint32_t fallback, uint32_t min,
                                      uint32_t max) {
  const std::string* raw = ctx.query(name);
  if (!raw || raw->empty()) return fallback;
  auto value = parse_uint64(*raw);
  if (!value || *value < min || *value > max) {
    return invalid_argument(name, *raw,
                            "Argument " + std::string(name) + " must be between " + std::to_string(min) + " and " +
                                std::to_string(max) + ".");
  }
  return static_cast<uint32_t>(*value);
}

Result<bool> url_encoding_requested(const RequestContext& ctx) {
  const std::string* raw = ctx.query("encoding-type");
  if (!raw || raw->empty()) return false;
  if (*raw == "url") return true;
  return invalid_argument("encoding-type", *raw, "The encoding-type argument must be url.");
}

bool is_bucket_acl(std::string_view acl) {
  return acl == "private" || acl == "public-read" || acl == "public-read-write";
}

bool is_object_acl(std::string_view acl) { return acl == "default" || is_bucket_acl(acl); }

Result<meta::ObjectRecord> object_record_from_request(const RequestContext& ctx) {
  return object_record_from_fields(ctx.http.headers, ctx.bucket_name(), ctx.key(),
                                   ctx.bucket ? ctx.bucket->storage_class : "Standard");
}

Result<meta::ObjectRecord> object_record_from_fields(const std::vector<HeaderField>& fields, std::string_view bucket,
                                                     std::string_view key, std::string_view storage_class) {
  meta::ObjectRecord record;
  record.bucket = std::string(bucket);
  record.key = std::string(key);
  if (auto st = take_metadata(fields, record); !st) return std::move(st).error();
  if (const std::string* acl = find_field(fields, "x-oss-object-acl")) {
    if (!is_object_acl(*acl)) return invalid_argument("x-oss-object-acl", *acl, "The ACL you provided is not valid.");
    record.acl = *acl;
  }
  record.storage_class = std::string(storage_class);
  if (const std::string* requested = find_field(fields, "x-oss-storage-class")) {
    bool known = false;
    for (auto c : kStorageClasses) known = known || c == *requested;
    if (!known) {
      return invalid_argument("x-oss-storage-class", *requested, "The storage class you specified is not valid.");
    }
    record.storage_class = *requested;
  }
  if (const std::string* tagging = find_field(fields, "x-oss-tagging")) {
    auto tags = oss::parse_tagging_header(*tagging);
    if (!tags) return std::move(tags).error();
    record.tags = std::move(tags.value());
  }
  return record;
}

Result<meta::ObjectRecord> replace_metadata_from_request(const RequestContext& ctx, meta::ObjectRecord base) {
  if (auto st = take_metadata(ctx.http.headers, base); !st) return std::move(st).error();
  return base;
}

Result<std::pair<std::string, std::string>> copy_source(const RequestContext& ctx) {
  const std::string* raw = ctx.header("x-oss-copy-source");
  if (!raw) return Error(ErrorCode::MissingArgument, "Missing x-oss-copy-source.");
  std::string_view source = *raw;
  // Some clients send the source without the leading slash; OSS accepts both.
  if (!source.empty() && source.front() == '/') source.remove_prefix(1);
  size_t slash = source.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 >= source.size()) {
    return invalid_argument("x-oss-copy-source", *raw, "The source object must be given as /bucket/key.");
  }
  std::string bucket(source.substr(0, slash));
  // The key may carry a ?versionId suffix; ossd does not version objects.
  std::string_view encoded_key = source.substr(slash + 1);
  auto key = percent_decode(encoded_key);
  if (!key) return invalid_argument("x-oss-copy-source", *raw, "The source key is not correctly URL-encoded.");
  if (auto valid = oss::validate_bucket_name(bucket); !valid) return std::move(valid).error();
  if (auto valid = oss::validate_object_key(*key); !valid) return std::move(valid).error();
  return std::make_pair(std::move(bucket), std::move(*key));
}

bool forbid_overwrite(const RequestContext& ctx) { return forbid_overwrite(ctx.http.headers); }

bool forbid_overwrite(const std::vector<HeaderField>& fields) {
  const std::string* value = find_field(fields, "x-oss-forbid-overwrite");
  return value && iequals(*value, "true");
}

Result<std::optional<uint64_t>> parse_traffic_limit(const std::string* value) {
  if (!value) return std::optional<uint64_t>();
  auto bits = parse_uint64(*value);
  if (!bits || *bits < kMinTrafficLimit || *bits > kMaxTrafficLimit) {
    return invalid_argument("x-oss-traffic-limit", *value,
                            "x-oss-traffic-limit must be between " + std::to_string(kMinTrafficLimit) + " and " +
                                std::to_string(kMaxTrafficLimit) + " bit/s.");
  }
  return std::optional<uint64_t>(*bits);
}

Result<std::optional<uint64_t>> traffic_limit(const RequestContext& ctx) {
  const std::string* from_query = ctx.query("x-oss-traffic-limit");
  return parse_traffic_limit(from_query ? from_query : ctx.header("x-oss-traffic-limit"));
}

void discard_unrecorded_blobs(blob::BlobStore& blobs, const std::vector<std::string>& blob_ids) {
  for (const auto& id : blob_ids) (void)blobs.remove(id);
}

void release_freed_blobs(Services& s, const std::vector<std::string>& blob_ids) {
  if (s.config.defer_freed_blob_removal) return;
  for (const auto& id : blob_ids) (void)s.blobs.remove(id);
}

}  // namespace ossd::api
