// Bucket image styles: PutStyle, GetStyle, ListStyle, DeleteStyle.
#include "api/style_handlers.hpp"

#include <algorithm>
#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "api/body_io.hpp"
#include "api/handlers.hpp"
#include "api/responses.hpp"
#include "core/time_format.hpp"
#include "image/process_spec.hpp"
#include "oss/xml_util.hpp"

namespace ossd::api {

namespace {

constexpr std::string_view kStyleConfigPrefix = "style:";
constexpr std::string_view kStyleIndexConfig = "styles";

std::string style_config_name(std::string_view name) { return std::string(kStyleConfigPrefix) + std::string(name); }

Error no_such_style(const std::string& name) {
  return Error(ErrorCode::NoSuchStyle, "The specified style does not exist.").with("StyleName", name);
}

Error invalid_style_name(const std::string& name) {
  return Error(ErrorCode::InvalidArgument, "The style name must be 1 to 64 letters, digits, '-', '_' or '.'.")
      .with("ArgumentName", "styleName")
      .with("ArgumentValue", name);
}

std::string format_time(int64_t unix_ms) { return format_rfc1123(from_unix_millis(unix_ms)); }

void add_style_fields(pugi::xml_node node, const StyleRecord& style) {
  oss::detail::add_text(node, "Name", style.name);
  oss::detail::add_text(node, "Content", style.content);
  oss::detail::add_text(node, "Category", "image");
  oss::detail::add_text(node, "CreateTime", format_time(style.created_ms));
  oss::detail::add_text(node, "LastModifyTime", format_time(style.modified_ms));
}

// The style list as stored (for the compare-and-set) and its names.
struct StyleIndex {
  std::optional<std::string> stored;
  std::vector<std::string> names;
};

Result<StyleIndex> read_index(meta::MetadataStore& meta, const std::string& bucket) {
  auto stored = meta.get_bucket_config(bucket, std::string(kStyleIndexConfig));
  if (!stored) return std::move(stored).error();
  StyleIndex index{std::move(stored).value(), {}};
  if (!index.stored) return index;
  auto json = nlohmann::json::parse(*index.stored, nullptr, false);
  if (!json.is_array()) return Error(ErrorCode::InternalError, "the stored style list is damaged");
  for (const auto& item : json) {
    if (item.is_string()) index.names.push_back(item.get<std::string>());
  }
  return index;
}

// How often a list change is tried again when other writers keep changing
// the list first; each try is one read and one compare-and-set. A try fails
// only when another writer's change landed since its read, and each PutStyle
// changes the list once, so with the list capped at 50 names a writer fails
// fewer than 50 times while only PutStyles race it.
constexpr int kIndexUpdateAttempts = 64;

// Adds (present) or removes a name from the bucket's list by compare-and-set,
// so changes from several gateways at once neither get lost nor pass the limit.
Status update_index(meta::MetadataStore& meta, const std::string& bucket, const std::string& name, bool present) {
  for (int attempt = 0; attempt < kIndexUpdateAttempts; ++attempt) {
    auto index = read_index(meta, bucket);
    if (!index) return std::move(index).error();
    std::vector<std::string>& names = index->names;
    auto found = std::find(names.begin(), names.end(), name);
    if ((found != names.end()) == present) return ok_status();
    if (present) {
      if (names.size() >= kMaxStylesPerBucket) {
        return Error(ErrorCode::InvalidArgument,
                     "A bucket holds at most " + std::to_string(kMaxStylesPerBucket) + " styles; delete one first.")
            .with("ArgumentName", "styleName")
            .with("ArgumentValue", name);
      }
      names.push_back(name);
    } else {
      names.erase(found);
    }
    const nlohmann::json list = names;
    auto swapped = meta.replace_bucket_config(bucket, std::string(kStyleIndexConfig), index->stored, list.dump());
    if (!swapped) return std::move(swapped).error();
    if (*swapped) return ok_status();
  }
  return Error(ErrorCode::ServiceUnavailable, "The style list is being changed by many requests at once; try again.");
}

Status require_valid_name(const std::string* name) {
  if (!name || !is_valid_style_name(*name)) return invalid_style_name(name ? *name : "");
  return ok_status();
}

}  // namespace

bool is_valid_style_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
  });
}

Result<std::string> parse_style_body(std::string_view body, size_t max_bytes) {
  pugi::xml_document doc;
  if (auto st = oss::detail::load_document(doc, body, max_bytes, "Style"); !st) return std::move(st).error();
  pugi::xml_node content = doc.child("Style").child("Content");
  if (!content) return Error(ErrorCode::MalformedXML, "The Style document needs a Content element.");
  return oss::detail::text_of(content);
}

std::string render_style(const StyleRecord& style) {
  pugi::xml_document doc;
  add_style_fields(oss::detail::start_document(doc, "Style"), style);
  return oss::detail::save_document(doc);
}

std::string render_style_list(const std::vector<StyleRecord>& styles) {
  pugi::xml_document doc;
  pugi::xml_node root = oss::detail::start_document(doc, "StyleList");
  for (const auto& style : styles) add_style_fields(root.append_child("Style"), style);
  return oss::detail::save_document(doc);
}

std::string encode_style(const StyleRecord& style) {
  const nlohmann::json stored = {
      {"content", style.content}, {"created_ms", style.created_ms}, {"modified_ms", style.modified_ms}};
  return stored.dump();
}

Result<StyleRecord> decode_style(std::string_view name, std::string_view stored) {
  auto json = nlohmann::json::parse(stored, nullptr, false);
  if (!json.is_object() || !json.contains("content") || !json["content"].is_string()) {
    return Error(ErrorCode::InternalError, "the stored style " + std::string(name) + " is damaged");
  }
  StyleRecord style;
  style.name = std::string(name);
  style.content = json["content"].get<std::string>();
  style.created_ms = json.value("created_ms", int64_t{0});
  style.modified_ms = json.value("modified_ms", style.created_ms);
  return style;
}

Result<StyleRecord> load_style(meta::MetadataStore& meta, const std::string& bucket, const std::string& name) {
  if (!is_valid_style_name(name)) return no_such_style(name);
  auto stored = meta.get_bucket_config(bucket, style_config_name(name));
  if (!stored) return std::move(stored).error();
  if (!stored.value()) return no_such_style(name);
  return decode_style(name, *stored.value());
}

HandlerResult put_style(RequestContext& ctx) {
  Services& s = ctx.services;
  const std::string* name = ctx.query("styleName");
  if (auto st = require_valid_name(name); !st) co_return std::move(st).error();
  auto body = co_await read_small_body(ctx, s.config.max_control_body);
  if (!body) co_return std::move(body).error();
  auto content = parse_style_body(body.value(), s.config.max_control_body);
  if (!content) co_return std::move(content).error();
  // A style must be usable as it is: a valid process text with actions of
  // its own (not another style, not a save).
  auto spec = image::parse_process(content.value(), s.config.process_limits);
  if (!spec) co_return std::move(spec).error();
  if (spec->style || spec->save_as || spec->actions.empty()) {
    co_return Error(ErrorCode::InvalidArgument,
                    "A style's content must be image actions, not another style or sys/saveas.")
        .with("ArgumentName", "Content")
        .with("ArgumentValue", content.value());
  }
  const int64_t now_ms = to_unix_millis(ctx.now);
  auto saved = co_await s.pool.run([&]() -> Status {
    StyleRecord style{*name, content.value(), now_ms, now_ms};
    auto existing = load_style(s.meta, ctx.bucket_name(), *name);
    if (existing) {
      style.created_ms = existing->created_ms;
    } else if (existing.error().code != ErrorCode::NoSuchStyle) {
      return std::move(existing).error();
    }
    // The list is checked (and the limit enforced) before the style exists,
    // so a refused style leaves nothing behind.
    if (auto st = update_index(s.meta, ctx.bucket_name(), *name, true); !st) return st;
    return s.meta.set_bucket_config(ctx.bucket_name(), style_config_name(*name), encode_style(style));
  });
  if (!saved) co_return std::move(saved).error();
  co_return empty_response();
}

HandlerResult get_style(RequestContext& ctx) {
  Services& s = ctx.services;
  const std::string* name = ctx.query("styleName");
  if (auto st = require_valid_name(name); !st) co_return std::move(st).error();
  auto style = co_await s.read_pool.run([&] { return load_style(s.meta, ctx.bucket_name(), *name); });
  if (!style) co_return std::move(style).error();
  co_return xml_response(render_style(style.value()));
}

HandlerResult list_style(RequestContext& ctx) {
  Services& s = ctx.services;
  auto styles = co_await s.read_pool.run([&]() -> Result<std::vector<StyleRecord>> {
    auto index = read_index(s.meta, ctx.bucket_name());
    if (!index) return std::move(index).error();
    std::vector<StyleRecord> found;
    for (const auto& name : index->names) {
      auto style = load_style(s.meta, ctx.bucket_name(), name);
      if (style) {
        found.push_back(std::move(style.value()));
      } else if (style.error().code != ErrorCode::NoSuchStyle) {
        return std::move(style).error();
      }
      // A name whose style is gone was deleted between the two reads.
    }
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return found;
  });
  if (!styles) co_return std::move(styles).error();
  co_return xml_response(render_style_list(styles.value()));
}

HandlerResult delete_style(RequestContext& ctx) {
  Services& s = ctx.services;
  const std::string* name = ctx.query("styleName");
  if (auto st = require_valid_name(name); !st) co_return std::move(st).error();
  auto deleted = co_await s.pool.run([&]() -> Status {
    if (auto st = s.meta.set_bucket_config(ctx.bucket_name(), style_config_name(*name), std::nullopt); !st) return st;
    return update_index(s.meta, ctx.bucket_name(), *name, false);
  });
  if (!deleted) co_return std::move(deleted).error();
  co_return empty_response(204);
}

}  // namespace ossd::api
