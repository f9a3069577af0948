// x-oss-process: GET/HEAD of a processed image and POST sys/saveas.
//
// Order of work, cheapest refusal first: the process text is parsed (and a
// style expanded) before the object is touched; the record's size is checked
// before any byte is read; the derived-image cache is asked before the image
// pool; the pool answers 503 at once when it is full. Bytes are read and
// decoded on the image pool's own threads, so plain GETs (read pool) never
// wait behind image work.
#include "api/image_handlers.hpp"

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <nlohmann/json.hpp>

#include "api/authorize.hpp"
#include "api/body_io.hpp"
#include "api/handlers.hpp"
#include "api/object_commit.hpp"
#include "api/request_object.hpp"
#include "api/responses.hpp"
#include "api/style_handlers.hpp"
#include "core/strings.hpp"
#include "core/time_format.hpp"
#include "http/bounded_work_pool.hpp"
#include "image/derived_cache.hpp"
#include "image/process_spec.hpp"
#include "image/processor.hpp"
#include "oss/names.hpp"
#include "service/object_reader.hpp"
#include "service/object_writer.hpp"

namespace ossd::api {

namespace {

constexpr std::string_view kProcessParam = "x-oss-process";

Error invalid_process(std::string message) {
  return Error(ErrorCode::InvalidArgument, std::move(message)).with("ArgumentName", std::string(kProcessParam));
}

// Reads a whole object (at most the image source limit, checked by the
// caller). Blocking.
Result<std::string> read_all(blob::BlobStore& blobs, const meta::ObjectRecord& object) {
  std::string bytes(object.size, '\0');
  service::ObjectReader reader(blobs, object.segments, 0, object.size);
  size_t filled = 0;
  while (filled < bytes.size()) {
    auto got = reader.read(std::span<char>(bytes.data() + filled, bytes.size() - filled));
    if (!got) return std::move(got).error();
    if (got.value() == 0) return Error(ErrorCode::InternalError, "object data ended early");
    filled += got.value();
  }
  return bytes;
}

Status check_source_size(const Services& s, const meta::ObjectRecord& object, std::string_view what) {
  const uint64_t limit = s.images.limits().max_source_bytes;
  if (object.size <= limit) return ok_status();
  return invalid_process("The " + std::string(what) + " is " + std::to_string(object.size) +
                         " bytes; images larger than " + std::to_string(limit) + " bytes are not processed.");
}

// Parses the process text and, for style/<name>, loads the bucket's style
// and parses its content; a |sys/saveas of the request is kept.
boost::asio::awaitable<Result<image::ProcessSpec>> resolve_spec(RequestContext& ctx, std::string_view text) {
  Services& s = ctx.services;
  auto spec = image::parse_process(text, s.config.process_limits);
  if (!spec) co_return std::move(spec).error();
  if (!spec->style) co_return spec;
  const std::string name = *spec->style;
  auto style = co_await s.read_pool.run([&] { return load_style(s.meta, ctx.bucket_name(), name); });
  if (!style) co_return std::move(style).error();
  auto expanded = image::parse_process(style->content, s.config.process_limits);
  if (!expanded) {
    co_return invalid_process("The style " + name + " is not a valid process: " + expanded.error().message);
  }
  if (expanded->style || expanded->save_as) {
    co_return invalid_process("The style " + name + " must hold image actions, not a style or sys/saveas.");
  }
  expanded->save_as = std::move(spec->save_as);
  co_return expanded;
}

// What one x-oss-process request produced.
struct Produced {
  std::shared_ptr<const image::DerivedImage> image;
  meta::ObjectRecord source;
};

// Watermark images: another object of the same bucket, which the caller must
// be allowed to read. Blocking (runs on the image pool, inside process(), so
// the blocking form of authorize_action is the right one here).
Result<std::string> load_watermark(const RequestContext& ctx, const std::string& key) {
  const Services& s = ctx.services;
  if (auto valid = oss::validate_object_key(key); !valid) {
    return invalid_process("The watermark object name is not a valid object key.");
  }
  if (auto allowed = authorize_action(ctx, "oss:GetObject", ctx.bucket_name(), key); !allowed) {
    return Error(ErrorCode::AccessDenied, "You have no right to read the watermark object \"" + key + "\".");
  }
  auto object = s.meta.get_object(ctx.bucket_name(), key);
  if (!object) {
    if (object.error().code == ErrorCode::NoSuchKey) {
      return invalid_process("The watermark object \"" + key + "\" does not exist.");
    }
    return std::move(object).error();
  }
  if (auto st = check_source_size(s, object.value(), "watermark object"); !st) return std::move(st).error();
  return read_all(s.blobs, object.value());
}

// Loads the source record, then serves the result from the derived-image
// cache or computes it on the bounded image pool.
boost::asio::awaitable<Result<Produced>> produce(RequestContext& ctx, const image::ProcessSpec& spec) {
  Services& s = ctx.services;
  auto object = co_await s.read_pool.run([&] { return request_object(ctx); });
  if (!object) co_return std::move(object).error();
  if (auto st = check_source_size(s, object.value(), "source image"); !st) co_return std::move(st).error();

  const image::DerivedKey cache_key{ctx.bucket_name(), ctx.key(), object->etag, object->size, spec.normalized};
  if (auto cached = s.derived_images.find(cache_key)) co_return Produced{std::move(cached), std::move(object.value())};

  bool read_other_objects = false;
  auto outcome = co_await s.image_pool.try_run([&]() -> Result<image::ProcessedImage> {
    auto source = read_all(s.blobs, object.value());
    if (!source) return std::move(source).error();
    const image::ObjectLoader loader = [&](const std::string& key) {
      read_other_objects = true;
      return load_watermark(ctx, key);
    };
    return s.images.process(source.value(), spec, loader);
  });
  if (!outcome) {
    co_return Error(ErrorCode::ServiceUnavailable, "Too many images are being processed; please try again later.");
  }
  if (!outcome.value()) co_return std::move(outcome.value()).error();
  auto result = std::make_shared<const image::DerivedImage>(
      image::DerivedImage{std::move(outcome.value()->body), std::move(outcome.value()->content_type)});
  // A watermark's own object may change without the source's ETag changing,
  // so such results are never reused.
  if (!read_other_objects) s.derived_images.insert(cache_key, result);
  co_return Produced{std::move(result), std::move(object.value())};
}

}  // namespace

Result<std::string> process_text_from_form(std::string_view body) {
  // Form encoding writes a space as '+'; percent_decode keeps '+' literal.
  std::string raw(body);
  for (char& c : raw) {
    if (c == '+') c = ' ';
  }
  auto fields = parse_query(raw);
  if (!fields) return invalid_process("The request body is not a valid urlencoded form.");
  for (const auto& field : fields.value()) {
    if (field.name == kProcessParam) return field.value;
  }
  return Error(ErrorCode::MissingArgument, "The request body must carry x-oss-process=<process>|sys/saveas,...")
      .with("ArgumentName", std::string(kProcessParam));
}

std::string saveas_result_json(const std::string& bucket, const std::string& key, uint64_t size) {
  const nlohmann::json result = {{"bucket", bucket}, {"fileSize", size}, {"object", key}, {"status", "OK"}};
  return result.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

HandlerResult get_processed_image(RequestContext& ctx, bool want_body) {
  const std::string* text = ctx.query(kProcessParam);
  if (!text) co_return invalid_process("x-oss-process is missing.");
  auto spec = co_await resolve_spec(ctx, *text);
  if (!spec) co_return std::move(spec).error();
  if (spec->save_as) co_return invalid_process("sys/saveas is only accepted in the body of a POST ?x-oss-process.");
  auto produced = co_await produce(ctx, spec.value());
  if (!produced) co_return std::move(produced).error();

  http::Response response;
  response.set("Content-Type", produced->image->content_type);
  response.set("Last-Modified", format_rfc1123(from_unix_millis(produced->source.last_modified_ms)));
  if (want_body) {
    response.body = produced->image->body;
  } else {
    response.content_length = produced->image->body.size();
  }
  co_return response;
}

HandlerResult process_object(RequestContext& ctx) {
  Services& s = ctx.services;
  auto body = co_await read_small_body(ctx, s.config.max_control_body);
  if (!body) co_return std::move(body).error();
  auto text = process_text_from_form(body.value());
  if (!text) co_return std::move(text).error();
  auto spec = co_await resolve_spec(ctx, text.value());
  if (!spec) co_return std::move(spec).error();
  if (!spec->save_as) {
    co_return invalid_process("POST ?x-oss-process needs a target: <process>|sys/saveas,o_<object>[,b_<bucket>].");
  }
  const std::string target_bucket = spec->save_as->bucket.empty() ? ctx.bucket_name() : spec->save_as->bucket;
  const std::string target_key = spec->save_as->object;
  if (auto valid = oss::validate_bucket_name(target_bucket); !valid) co_return std::move(valid).error();
  if (auto valid = oss::validate_object_key(target_key); !valid) co_return std::move(valid).error();
  if (auto allowed = co_await authorize_action_async(ctx, "oss:PutObject", target_bucket, target_key); !allowed) {
    co_return std::move(allowed).error();
  }

  auto produced = co_await produce(ctx, spec.value());
  if (!produced) co_return std::move(produced).error();
  const image::DerivedImage& result = *produced->image;

  auto saved = co_await s.pool.run([&]() -> Result<uint64_t> {
    auto bucket = s.meta.get_bucket(target_bucket);
    if (!bucket) return std::move(bucket).error();
    if (bucket->owner_id != s.account_id) {
      return Error(ErrorCode::AccessDenied, "You have no right to write to the target bucket.");
    }
    auto writer = service::ObjectWriter::start(s.blobs);
    if (!writer) return std::move(writer).error();
    if (auto st = writer->write(std::span<const char>(result.body.data(), result.body.size())); !st) {
      return std::move(st).error();
    }
    auto blob = writer->commit();
    if (!blob) return std::move(blob).error();
    meta::ObjectRecord record;
    record.bucket = target_bucket;
    record.key = target_key;
    record.content_type = result.content_type;
    record.storage_class = bucket->storage_class;
    fill_from_blob(record, blob.value(), ctx.now);
    auto committed = commit_object(s, record, meta::PutConditions{}, {blob->blob_id});
    if (!committed) return std::move(committed).error();
    return record.size;
  });
  if (!saved) co_return std::move(saved).error();

  http::Response response;
  response.set("Content-Type", "application/json");
  response.body = saveas_result_json(target_bucket, target_key, saved.value());
  co_return response;
}

}  // namespace ossd::api
