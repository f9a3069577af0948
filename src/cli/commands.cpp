#include "cli/commands.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/oss_uri.hpp"
#include "cli/progress.hpp"
#include "core/strings.hpp"
#include "core/time_format.hpp"

namespace ossd::cli {

namespace {

namespace fs = std::filesystem;

Error usage(std::string message) { return Error(ErrorCode::InvalidArgument, std::move(message)); }

Result<HeaderField> parse_header(std::string_view text) {
  const auto split = text.find_first_of("=:");
  if (split == std::string_view::npos || split == 0) {
    return usage("--header expects name=value, got '" + std::string(text) + "'");
  }
  return HeaderField{std::string(trim(text.substr(0, split))), std::string(trim(text.substr(split + 1)))};
}

std::string to_upper_ascii(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

std::string time_text(const std::optional<SystemTime>& t) { return t ? format_iso8601_ms(*t) : std::string("-"); }

void list_line(std::ostream& out, const std::string& when, const std::string& size, const std::string& uri) {
  char line[64];
  std::snprintf(line, sizeof line, "%-24s %14s  ", when.c_str(), size.c_str());
  out << line << uri << '\n';
}

std::string oss_uri(std::string_view bucket, std::string_view key) {
  return "oss://" + std::string(bucket) + "/" + std::string(key);
}

client::ProgressCallback progress_to(std::optional<ProgressBar>& bar) {
  if (!bar) return {};
  return [&bar](uint64_t done, uint64_t total) { bar->update(done, total); };
}

}  // namespace

Result<std::string> sign_url(const Settings& settings, const SignArgs& args, SystemTime now) {
  auto uri = parse_oss_uri(args.uri);
  if (!uri) return uri.error();
  if (settings.access_key_id.empty() || settings.access_key_secret.empty()) {
    return usage(
        "signing needs --access-key-id and --access-key-secret (or OSS_ACCESS_KEY_ID and "
        "OSS_ACCESS_KEY_SECRET)");
  }
  if (args.expires <= 0) return usage("--expires must be a positive number of seconds");
  auto endpoint = client::parse_endpoint(settings.endpoint, settings.region);
  if (!endpoint) return endpoint.error();
  const client::ClientOptions options = client_options(settings);
  const client::UrlSigningConfig config{*endpoint, options.style, options.region, options.credentials};

  std::vector<HeaderField> headers;
  for (const auto& text : args.headers) {
    auto header = parse_header(text);
    if (!header) return header.error();
    headers.push_back(std::move(*header));
  }

  if (!args.v4) {
    client::SignUrlOptions sign;
    sign.method = args.method;
    sign.expires = args.expires;
    sign.content_type = args.content_type;
    sign.content_md5 = args.content_md5;
    for (auto& header : headers) {
      if (!istarts_with(header.name, "x-oss-")) {
        return usage(
            "a V1 signed URL binds only x-oss-* headers (and --content-type, --content-md5); use --v4 to "
            "bind " +
            header.name);
      }
      sign.headers.push_back(std::move(header));
    }
    if (!args.additional_headers.empty()) return usage("--additional-header needs --v4");
    sign.response = args.response;
    sign.process = args.process;
    sign.traffic_limit = args.traffic_limit;
    return client::signature_url(config, uri->bucket, uri->key, sign, now);
  }

  client::SignUrlV4Request request;
  if (!args.content_type.empty()) request.headers.push_back({"Content-Type", args.content_type});
  if (!args.content_md5.empty()) request.headers.push_back({"Content-MD5", args.content_md5});
  std::vector<std::string> additional = args.additional_headers;
  for (auto& header : headers) {
    const std::string lower = to_lower(header.name);
    if (!lower.starts_with("x-oss-") && lower != "content-type" && lower != "content-md5") {
      additional.push_back(lower);
    }
    request.headers.push_back(std::move(header));
  }
  for (const auto& [name, value] : args.response) request.queries.push_back({"response-" + name, value, true});
  if (!args.process.empty()) request.queries.push_back({"x-oss-process", args.process, true});
  if (args.traffic_limit != 0) {
    request.queries.push_back({"x-oss-traffic-limit", std::to_string(args.traffic_limit), true});
  }
  return client::signature_url_v4(config, uri->bucket, args.method, std::chrono::seconds(args.expires), request,
                                  uri->key, additional, now);
}

Status list(client::Client& client, const std::string& uri_text, bool recursive, std::ostream& out) {
  if (uri_text.empty()) {
    auto buckets = client.list_buckets();
    if (!buckets) return buckets.error();
    for (const auto& bucket : *buckets)
      list_line(out, time_text(bucket.creation_date), "BUCKET", "oss://" + bucket.name);
    return ok_status();
  }
  auto uri = parse_oss_uri(uri_text);
  if (!uri) return uri.error();
  client::ListObjectsV2Options options;
  options.prefix = uri->key;
  if (!recursive) options.delimiter = "/";
  return client.list_all_objects(uri->bucket, options, [&](const client::ListObjectsPage& page) {
    for (const auto& prefix : page.common_prefixes) list_line(out, "", "DIR", oss_uri(uri->bucket, prefix));
    for (const auto& object : page.objects) {
      list_line(out, time_text(object.last_modified), std::to_string(object.size), oss_uri(uri->bucket, object.key));
    }
    return true;
  });
}

Status copy(client::Client& client, const TransferArgs& args, std::ostream& out) {
  const bool from_oss = is_oss_uri(args.source);
  const bool to_oss = is_oss_uri(args.destination);
  if (from_oss == to_oss) return usage("cp copies a local file to oss://bucket/key or an object to a local file");

  if (to_oss) {
    const fs::path file = args.source;
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) return usage(args.source + " is not a readable file");
    auto uri = parse_oss_uri(args.destination);
    if (!uri) return uri.error();
    if (uri->key.empty() || uri->key.ends_with('/')) uri->key += file.filename().string();
    client::UploadFileOptions options;
    options.multipart_threshold = args.multipart_threshold;
    options.part_size = args.part_size;
    options.put.content_type = args.content_type;
    std::optional<ProgressBar> bar;
    if (args.progress) bar.emplace(out, file.filename().string());
    options.put.progress = progress_to(bar);
    const uint64_t size = fs::file_size(file, ec);
    auto result = client.upload_file(uri->bucket, uri->key, file, options);
    if (bar) bar->finish();
    if (!result) return result.error();
    out << "uploaded " << args.source << " -> " << uri->to_string() << " (" << size << " bytes"
        << (size >= args.multipart_threshold && size > 0 ? ", multipart" : "") << ", etag " << result->etag << ")\n";
    return ok_status();
  }

  auto uri = parse_oss_uri(args.source);
  if (!uri) return uri.error();
  if (uri->key.empty() || uri->key.ends_with('/')) return usage("cp needs an object, not a prefix: " + args.source);
  if (args.destination == "-") {
    auto meta = client.get_object(uri->bucket, uri->key, std::cout);
    if (!meta) return meta.error();
    return ok_status();
  }
  fs::path file = args.destination;
  std::error_code ec;
  if (args.destination.ends_with('/') || fs::is_directory(file, ec)) file /= fs::path(uri->key).filename();
  client::GetObjectOptions options;
  std::optional<ProgressBar> bar;
  if (args.progress) bar.emplace(out, file.filename().string());
  options.progress = progress_to(bar);
  auto meta = client.get_object_to_file(uri->bucket, uri->key, file, options);
  if (bar) bar->finish();
  if (!meta) return meta.error();
  out << "downloaded " << uri->to_string() << " -> " << file.string() << " (" << meta->size << " bytes)\n";
  return ok_status();
}

Status remove(client::Client& client, const std::string& uri_text, bool recursive, std::ostream& out) {
  auto uri = parse_oss_uri(uri_text);
  if (!uri) return uri.error();
  if (!recursive) {
    if (uri->key.empty()) return usage("rm needs an object (use rb to remove a bucket, or --recursive)");
    if (auto removed = client.delete_object(uri->bucket, uri->key); !removed) return removed;
    out << "deleted " << uri->to_string() << '\n';
    return ok_status();
  }
  // Collect first: deleting while paging would move the listing under us.
  std::vector<std::string> keys;
  client::ListObjectsV2Options options;
  options.prefix = uri->key;
  auto listed = client.list_all_objects(uri->bucket, options, [&](const client::ListObjectsPage& page) {
    for (const auto& object : page.objects) keys.push_back(object.key);
    return true;
  });
  if (!listed) return listed;
  for (const auto& key : keys) {
    if (auto removed = client.delete_object(uri->bucket, key); !removed) return removed;
    out << "deleted " << oss_uri(uri->bucket, key) << '\n';
  }
  return ok_status();
}

Status stat(client::Client& client, const std::string& uri_text, std::ostream& out) {
  auto uri = parse_oss_uri(uri_text);
  if (!uri) return uri.error();
  if (uri->key.empty()) return usage("stat needs an object: oss://bucket/key");
  auto meta = client.head_object(uri->bucket, uri->key);
  if (!meta) return meta.error();
  out << "Object: " << uri->to_string() << '\n'
      << "Content-Length: " << meta->size << '\n'
      << "Content-Type: " << meta->content_type << '\n'
      << "ETag: " << meta->etag << '\n'
      << "Last-Modified: " << time_text(meta->last_modified) << '\n';
  if (meta->crc64) out << "x-oss-hash-crc64ecma: " << *meta->crc64 << '\n';
  if (!meta->object_type.empty()) out << "x-oss-object-type: " << meta->object_type << '\n';
  if (!meta->storage_class.empty()) out << "x-oss-storage-class: " << meta->storage_class << '\n';
  for (const auto& [name, value] : meta->user_meta) out << "x-oss-meta-" << name << ": " << value << '\n';
  return ok_status();
}

Status make_bucket(client::Client& client, const std::string& uri_text, const std::string& acl, std::ostream& out) {
  auto uri = parse_oss_uri(uri_text);
  if (!uri) return uri.error();
  if (!uri->key.empty()) return usage("mb takes a bucket: oss://bucket");
  if (auto made = client.create_bucket(uri->bucket, acl); !made) return made;
  out << "created oss://" << uri->bucket << '\n';
  return ok_status();
}

Status remove_bucket(client::Client& client, const std::string& uri_text, std::ostream& out) {
  auto uri = parse_oss_uri(uri_text);
  if (!uri) return uri.error();
  if (!uri->key.empty()) return usage("rb takes a bucket: oss://bucket");
  if (auto removed = client.delete_bucket(uri->bucket); !removed) return removed;
  out << "removed oss://" << uri->bucket << '\n';
  return ok_status();
}

Status put_cors(client::Client& client, const CorsArgs& args, std::ostream& out) {
  auto uri = parse_oss_uri(args.uri);
  if (!uri) return uri.error();
  if (!uri->key.empty()) return usage("cors put takes a bucket: oss://bucket");
  if (args.origins.empty()) return usage("cors put needs at least one --origin");
  oss::CorsRule rule;
  rule.allowed_origins = args.origins;
  for (const auto& method : args.methods) rule.allowed_methods.push_back(to_upper_ascii(method));
  rule.allowed_headers = args.headers;
  rule.expose_headers = args.expose_headers;
  rule.max_age_seconds = args.max_age_seconds;
  oss::CorsConfiguration config;
  config.rules.push_back(std::move(rule));
  if (auto put = client.put_bucket_cors(uri->bucket, config); !put) return put;
  out << "set CORS of oss://" << uri->bucket << ": origins";
  for (const auto& origin : args.origins) out << ' ' << origin;
  out << '\n';
  return ok_status();
}

}  // namespace ossd::cli
