// PostObject: form authentication (called by the pipeline) and the upload
// handler.
#include "api/post_object.hpp"

#include "api/body_io.hpp"
#include "api/handlers.hpp"
#include "api/object_commit.hpp"
#include "api/request_parsing.hpp"
#include "api/responses.hpp"
#include "api/throttle.hpp"
#include "auth/post_signature.hpp"
#include "core/strings.hpp"
#include "crypto/base64.hpp"
#include "oss/names.hpp"
#include "oss/post_object.hpp"
#include "oss/xml_responses.hpp"

namespace ossd::api {

namespace {

const std::string* find_field(const std::vector<HeaderField>& fields, std::string_view name) {
  for (const auto& field : fields) {
    if (iequals(field.name, name)) return &field.value;
  }
  return nullptr;
}

// "${filename}" in the key stands for the file part's filename.
std::string substitute_filename(std::string key, std::string_view filename) {
  constexpr std::string_view token = "${filename}";
  for (std::size_t at = key.find(token); at != std::string::npos; at = key.find(token, at + filename.size())) {
    key.replace(at, token.size(), filename);
  }
  return key;
}

// What the policy's conditions are checked against: the bucket of the
// request and the key as it will be stored, ahead of the form's own fields.
std::vector<HeaderField> policy_values(const RequestContext& ctx, const std::vector<HeaderField>& fields) {
  std::vector<HeaderField> values{{"bucket", ctx.bucket_name()}, {"key", ctx.key()}};
  for (const auto& field : fields) {
    if (!iequals(field.name, "bucket") && !iequals(field.name, "key")) values.push_back(field);
  }
  return values;
}

std::string object_location(const RequestContext& ctx) {
  const std::string* host = ctx.header("Host");
  std::string location = ctx.http.secure ? "https://" : "http://";
  location += host ? *host : ctx.services.config.addressing.domain;
  location += '/';
  if (!ctx.resource.virtual_hosted) location += ctx.bucket_name() + "/";
  location += uri_encode(ctx.key(), /*keep_slash=*/true);
  return location;
}

}  // namespace

boost::asio::awaitable<Result<auth::Identity>> authenticate_post_form(RequestContext& ctx) {
  Services& s = ctx.services;
  const std::string* content_type = ctx.header("Content-Type");
  auto boundary = oss::form_data_boundary(content_type ? std::string_view(*content_type) : std::string_view());
  if (!boundary) co_return std::move(boundary).error();

  auto upload = std::make_shared<PostUpload>();
  upload->reader = std::make_unique<PostFormReader>(ctx.body, boundary.value(), kMaxPostFieldBytes);
  auto form = co_await upload->reader->read_fields();
  if (!form) co_return std::move(form).error();

  const std::string* key_field = find_field(form->fields, "key");
  if (!key_field || key_field->empty()) {
    co_return Error(ErrorCode::InvalidArgument,
                    "Bucket POST must contain a field named key before the file field (the file must be the last "
                    "field of the form).")
        .with("ArgumentName", "key")
        .with("ArgumentValue", "");
  }
  ctx.resource.key = substitute_filename(*key_field, form->filename);
  if (auto valid = oss::validate_object_key(ctx.resource.key); !valid) co_return std::move(valid).error();
  if (const std::string* redirect = find_field(form->fields, "success_action_redirect")) {
    if (auto valid = oss::validate_post_redirect(*redirect); !valid) co_return std::move(valid).error();
  }

  upload->fields = std::move(form->fields);
  if (!find_field(upload->fields, "Content-Type") && !form->file_content_type.empty()) {
    upload->fields.push_back({"Content-Type", form->file_content_type});
  }

  auto authenticated = auth::authenticate_post(upload->fields, s.credentials, ctx.now, s.config.auth);
  if (!authenticated) co_return std::move(authenticated).error();
  if (authenticated->policy) {
    auto allowed = auth::check_post_policy_conditions(*authenticated->policy, policy_values(ctx, upload->fields));
    if (!allowed) co_return std::move(allowed).error();
  }
  upload->policy = std::move(authenticated->policy);
  ctx.post_upload = std::move(upload);
  co_return std::move(authenticated->identity);
}

HandlerResult post_object(RequestContext& ctx) {
  Services& s = ctx.services;
  PostUpload& upload = *ctx.post_upload;
  auto record = object_record_from_fields(upload.fields, ctx.bucket_name(), ctx.key(), ctx.bucket->storage_class);
  if (!record) co_return std::move(record).error();
  const std::string* limit_field = find_field(upload.fields, "x-oss-traffic-limit");
  auto limit = parse_traffic_limit(limit_field ? limit_field : ctx.header("x-oss-traffic-limit"));
  if (!limit) co_return std::move(limit).error();

  BlobIntake intake{std::nullopt, 0, s.config.max_object_size, std::nullopt};
  if (upload.policy) {
    if (auto range = auth::post_content_length_range(*upload.policy)) {
      intake.min_size = range->first;
      intake.max_size = std::min(intake.max_size, range->second);
    }
  }
  Result<service::WrittenBlob> blob = Error(ErrorCode::InternalError);
  if (limit.value()) {
    ThrottledReader paced(*upload.reader, *limit.value());
    blob = co_await receive_into_blob(ctx, paced, intake);
  } else {
    blob = co_await receive_into_blob(ctx, *upload.reader, intake);
  }
  if (!blob) co_return std::move(blob).error();

  fill_from_blob(record.value(), blob.value(), ctx.now);
  meta::PutConditions conditions{forbid_overwrite(upload.fields)};
  auto committed = co_await s.pool.run([&] { return commit_object(s, record.value(), conditions, {blob->blob_id}); });
  if (!committed) co_return std::move(committed).error();

  http::Response response;
  if (const std::string* redirect = find_field(upload.fields, "success_action_redirect")) {
    response.status = 303;
    response.set("Location", oss::post_redirect_location(*redirect, ctx.bucket_name(), ctx.key(), record->etag));
  } else {
    response.status = oss::post_success_status(find_field(upload.fields, "success_action_status"));
    if (response.status == 201) {
      response = xml_response(
          oss::render_post_response(ctx.bucket_name(), object_location(ctx), ctx.key(), record->etag), 201);
    }
  }
  response.set("ETag", oss::quote_etag(record->etag));
  response.set("x-oss-hash-crc64ecma", std::to_string(record->crc64));
  response.set("Content-MD5", crypto::base64_encode(blob->md5));
  co_return response;
}

}  // namespace ossd::api
