#include "ossd/client.hpp"

#include <algorithm>
#include <fstream>

#include "client/bodies.hpp"
#include "client/http_transport.hpp"
#include "client/response_parsing.hpp"
#include "client/url_encoding.hpp"
#include "core/strings.hpp"
#include "crypto/crc64.hpp"
#include "crypto/secure_random.hpp"

namespace ossd::client {

namespace {

constexpr uint64_t kMinPartSize = uint64_t{100} * 1024;  // OSS refuses smaller parts except the last
constexpr uint64_t kMaxParts = 10000;

// The request query on the wire. Names and values are RFC 3986-encoded; a
// parameter without value is written bare ("?uploads").
std::string request_query(const std::vector<QueryParam>& query) {
  std::string out;
  for (const auto& param : query) {
    if (!out.empty()) out.push_back('&');
    out.append(uri_encode(param.name));
    if (param.has_value || !param.value.empty()) {
      out.push_back('=');
      out.append(uri_encode(param.value));
    }
  }
  return out;
}

bool has_header(const std::vector<HeaderField>& headers, std::string_view name) {
  return detail::find_header(headers, name) != nullptr;
}

bool is_md5_hex(std::string_view etag) {
  return etag.size() == 32 && etag.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
}

// The server answered for other bytes than the ones sent: the ETag of a
// simple object or part is the MD5 of its bytes, and the CRC-64 header
// covers the whole object.
Status check_digests(std::string_view what, std::string_view etag, std::string_view sent_md5_hex,
                     std::optional<uint64_t> server_crc, std::optional<uint64_t> sent_crc) {
  if (is_md5_hex(etag) && !sent_md5_hex.empty() && !iequals(etag, sent_md5_hex)) {
    return Error(ErrorCode::BadDigest, std::string(what) + ": the server's ETag " + std::string(etag) +
                                           " is not the MD5 of the bytes sent (" + std::string(sent_md5_hex) + ")");
  }
  if (server_crc && sent_crc && *server_crc != *sent_crc) {
    return Error(ErrorCode::BadDigest, std::string(what) + ": the server's CRC-64 " + std::to_string(*server_crc) +
                                           " differs from the bytes sent (" + std::to_string(*sent_crc) + ")");
  }
  return ok_status();
}

std::optional<uint64_t> crc_header(const std::vector<HeaderField>& headers) {
  const std::string* value = detail::find_header(headers, "x-oss-hash-crc64ecma");
  return value ? parse_uint64(*value) : std::nullopt;
}

std::string header_or_empty(const std::vector<HeaderField>& headers, std::string_view name) {
  const std::string* value = detail::find_header(headers, name);
  return value ? *value : std::string{};
}

}  // namespace

struct Client::Impl {
  Impl(ClientOptions o, std::shared_ptr<const Clock> c)
      : options(std::move(o)),
        clock(std::move(c)),
        endpoint(parse_endpoint(options.endpoint, options.region, options.secure)) {}

  ClientOptions options;
  std::shared_ptr<const Clock> clock;
  Result<Endpoint> endpoint;
  std::unique_ptr<detail::HttpTransport> transport;

  struct Call {
    std::string_view method;
    std::string_view bucket;
    std::string_view key;
    std::vector<QueryParam> query;
    std::vector<HeaderField> headers;
    detail::BodySource* body = nullptr;
    detail::BodySink* sink = nullptr;
  };

  Result<detail::HttpResponse> execute(Call call) {
    if (!endpoint) return endpoint.error();
    const Endpoint& ep = *endpoint;
    if (ep.scheme != "http") {
      return Error(ErrorCode::NotImplemented,
                   "this client speaks plain HTTP only; https endpoints work for signed URLs, not for requests");
    }
    const AddressingStyle style = effective_style(ep, options.style);
    std::string host = ep.authority();
    std::string path = "/";
    if (!call.bucket.empty()) {
      if (style == AddressingStyle::VirtualHosted) {
        // What ali-oss's node build sends for an IP endpoint: the bucket in
        // a Host of the region's public domain.
        host = std::string(call.bucket) + "." + (ep.is_ip() ? options.region + ".aliyuncs.com" : host);
      } else if (style == AddressingStyle::Path) {
        path.append(call.bucket);
        path.push_back('/');
      }
    }
    path.append(detail::escape_object_path(call.key));
    if (!call.query.empty()) path += "?" + request_query(call.query);

    RequestToSign request{std::string(call.method), std::string(call.bucket), std::string(call.key),
                          std::move(call.query), std::move(call.headers)};
    if (!options.credentials.access_key_id.empty()) {
      sign_request(request, options.credentials, options.signature_version, options.region, clock->now());
    }
    request.headers.push_back({"Host", host});
    request.headers.push_back({"User-Agent", options.user_agent});

    if (!transport) {
      detail::TransportOptions transport_options;
      transport_options.host = ep.host.starts_with('[') ? ep.host.substr(1, ep.host.size() - 2) : ep.host;
      transport_options.port = ep.effective_port();
      transport_options.connect_timeout = options.connect_timeout;
      transport_options.io_timeout = options.io_timeout;
      transport = std::make_unique<detail::HttpTransport>(std::move(transport_options));
    }
    detail::HttpRequest http{request.method, std::move(path), std::move(request.headers), call.body};
    auto response = transport->send(http, call.sink);
    if (!response) return response.error();
    if (response->status / 100 != 2) {
      return detail::error_from_response(response->status, response->headers, response->body);
    }
    return response;
  }

  Result<PutObjectResult> put(std::string_view bucket, std::string_view key, detail::BodySource& body,
                              const PutObjectOptions& options) {
    detail::TrackedSource tracked(body, options.progress);
    Call call{"PUT", bucket, key};
    call.headers = options.headers;
    if (!has_header(call.headers, "Content-Type")) {
      call.headers.push_back(
          {"Content-Type", options.content_type.empty() ? "application/octet-stream" : options.content_type});
    }
    call.body = &tracked;
    auto response = execute(std::move(call));
    if (!response) return response.error();
    PutObjectResult result;
    result.etag = detail::unquote_etag(header_or_empty(response->headers, "ETag"));
    result.crc64 = crc_header(response->headers);
    result.request_id = header_or_empty(response->headers, "x-oss-request-id");
    if (auto checked = check_digests("PutObject", result.etag, tracked.md5_hex(), result.crc64, tracked.crc64());
        !checked) {
      return checked.error();
    }
    return result;
  }

  struct UploadedPart {
    std::string etag;
    uint64_t crc64 = 0;
  };

  Result<UploadedPart> upload_part(std::string_view bucket, std::string_view key, std::string_view upload_id,
                                   uint32_t part_number, const std::filesystem::path& file, uint64_t offset,
                                   uint64_t size, const ProgressCallback& progress, uint64_t progress_base,
                                   uint64_t progress_total) {
    auto source = detail::FileSource::open(file, offset, size);
    if (!source) return source.error();
    detail::TrackedSource tracked(**source, progress, progress_base, progress_total);
    Call call{"PUT", bucket, key};
    call.query = {{"partNumber", std::to_string(part_number), true}, {"uploadId", std::string(upload_id), true}};
    call.body = &tracked;
    auto response = execute(std::move(call));
    if (!response) return response.error();
    UploadedPart part{detail::unquote_etag(header_or_empty(response->headers, "ETag")), tracked.crc64()};
    if (auto checked = check_digests("UploadPart " + std::to_string(part_number), part.etag, tracked.md5_hex(),
                                     crc_header(response->headers), part.crc64);
        !checked) {
      return checked.error();
    }
    return part;
  }
};

Client::Client(ClientOptions options, std::shared_ptr<const Clock> clock)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(clock))) {}
Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

Status Client::validate() const {
  if (!impl_->endpoint) return impl_->endpoint.error();
  const auto& c = impl_->options.credentials;
  if (c.access_key_id.empty() != c.access_key_secret.empty()) {
    return Error(ErrorCode::InvalidArgument, "an access key id needs its secret and the other way round");
  }
  return ok_status();
}

const ClientOptions& Client::options() const { return impl_->options; }

Result<UrlSigningConfig> Client::url_signing_config() const {
  if (!impl_->endpoint) return impl_->endpoint.error();
  return UrlSigningConfig{*impl_->endpoint, impl_->options.style, impl_->options.region, impl_->options.credentials};
}

Result<std::string> Client::signature_url(std::string_view bucket, std::string_view key,
                                          const SignUrlOptions& options) const {
  auto config = url_signing_config();
  if (!config) return config.error();
  return client::signature_url(*config, bucket, key, options, impl_->clock->now());
}

Result<std::string> Client::signature_url_v4(std::string_view bucket, std::string_view method,
                                             std::chrono::seconds expires, const SignUrlV4Request& request,
                                             std::string_view key,
                                             const std::vector<std::string>& additional_headers) const {
  auto config = url_signing_config();
  if (!config) return config.error();
  return client::signature_url_v4(*config, bucket, method, expires, request, key, additional_headers,
                                  impl_->clock->now());
}

Result<std::vector<BucketSummary>> Client::list_buckets(std::string_view prefix) {
  std::vector<BucketSummary> buckets;
  std::string marker;
  while (true) {
    Impl::Call call{"GET", "", ""};
    if (!prefix.empty()) call.query.push_back({"prefix", std::string(prefix), true});
    if (!marker.empty()) call.query.push_back({"marker", marker, true});
    call.query.push_back({"max-keys", "1000", true});
    auto response = impl_->execute(std::move(call));
    if (!response) return response.error();
    auto page = detail::parse_list_buckets(response->body);
    if (!page) return page.error();
    std::move(page->buckets.begin(), page->buckets.end(), std::back_inserter(buckets));
    if (!page->truncated || page->next_marker.empty() || page->next_marker == marker) break;
    marker = page->next_marker;
  }
  return buckets;
}

Status Client::create_bucket(std::string_view bucket, std::string_view acl) {
  Impl::Call call{"PUT", bucket, ""};
  if (!acl.empty()) call.headers.push_back({"x-oss-acl", std::string(acl)});
  auto response = impl_->execute(std::move(call));
  if (!response) return response.error();
  return ok_status();
}

Status Client::delete_bucket(std::string_view bucket) {
  auto response = impl_->execute({"DELETE", bucket, ""});
  if (!response) return response.error();
  return ok_status();
}

Status Client::put_bucket_cors(std::string_view bucket, const oss::CorsConfiguration& config) {
  const std::string document = oss::render_cors_configuration(config);
  detail::MemorySource body(document);
  Impl::Call call{"PUT", bucket, ""};
  call.query = {{"cors", "", true}};
  call.headers = {{"Content-Type", "application/xml"}};
  call.body = &body;
  auto response = impl_->execute(std::move(call));
  if (!response) return response.error();
  return ok_status();
}

Result<PutObjectResult> Client::put_object(std::string_view bucket, std::string_view key,
                                           const std::filesystem::path& file, const PutObjectOptions& options) {
  auto source = detail::FileSource::open(file);
  if (!source) return source.error();
  return impl_->put(bucket, key, **source, options);
}

Result<PutObjectResult> Client::put_object_data(std::string_view bucket, std::string_view key, std::string_view data,
                                                const PutObjectOptions& options) {
  detail::MemorySource source(data);
  return impl_->put(bucket, key, source, options);
}

Result<ObjectMeta> Client::get_object(std::string_view bucket, std::string_view key, std::ostream& out,
                                      const GetObjectOptions& options) {
  detail::StreamSink sink(out, options.progress);
  Impl::Call call{"GET", bucket, key};
  if (!options.process.empty()) call.query.push_back({"x-oss-process", options.process, true});
  call.headers = options.headers;
  if (options.range) {
    call.headers.push_back(
        {"Range", "bytes=" + std::to_string(options.range->first) + "-" + std::to_string(options.range->second)});
  }
  call.sink = &sink;
  auto response = impl_->execute(std::move(call));
  if (!response) return response.error();
  ObjectMeta meta = detail::object_meta_from_headers(response->headers);
  out.flush();
  if (!out) return Error(ErrorCode::InternalError, "cannot write the downloaded data");
  // The CRC-64 header describes the whole stored object, so it only checks
  // a plain, complete download.
  const bool whole_object = response->status == 200 && !options.range && options.process.empty();
  if (whole_object) {
    if (auto checked = check_digests("GetObject", "", "", meta.crc64, sink.crc64()); !checked) {
      return checked.error();
    }
  }
  return meta;
}

Result<ObjectMeta> Client::get_object_to_file(std::string_view bucket, std::string_view key,
                                              const std::filesystem::path& file, const GetObjectOptions& options) {
  crypto::SecureRandom random;
  std::filesystem::path partial = file;
  partial += ".part-" + random.hex(6);
  Result<ObjectMeta> meta = Error(ErrorCode::InternalError);
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out) return Error(ErrorCode::InvalidArgument, "cannot create " + partial.string());
    meta = get_object(bucket, key, out, options);
    out.close();
    if (meta.ok() && !out) meta = Error(ErrorCode::InternalError, "cannot write " + partial.string());
  }
  std::error_code ec;
  if (meta.ok()) {
    std::filesystem::rename(partial, file, ec);
    if (!ec) return meta;
    meta = Error(ErrorCode::InternalError, "cannot move the download to " + file.string() + ": " + ec.message());
  }
  std::filesystem::remove(partial, ec);
  return meta;
}

Result<ObjectMeta> Client::head_object(std::string_view bucket, std::string_view key) {
  auto response = impl_->execute({"HEAD", bucket, key});
  if (!response) return response.error();
  return detail::object_meta_from_headers(response->headers);
}

Status Client::delete_object(std::string_view bucket, std::string_view key) {
  auto response = impl_->execute({"DELETE", bucket, key});
  if (!response) return response.error();
  return ok_status();
}

Result<ListObjectsPage> Client::list_objects(std::string_view bucket, const ListObjectsOptions& options) {
  Impl::Call call{"GET", bucket, ""};
  if (!options.prefix.empty()) call.query.push_back({"prefix", options.prefix, true});
  if (!options.delimiter.empty()) call.query.push_back({"delimiter", options.delimiter, true});
  if (!options.marker.empty()) call.query.push_back({"marker", options.marker, true});
  if (options.max_keys != 0) call.query.push_back({"max-keys", std::to_string(options.max_keys), true});
  call.query.push_back({"encoding-type", "url", true});
  auto response = impl_->execute(std::move(call));
  if (!response) return response.error();
  return detail::parse_list_objects(response->body);
}

Result<ListObjectsPage> Client::list_objects_v2(std::string_view bucket, const ListObjectsV2Options& options) {
  Impl::Call call{"GET", bucket, ""};
  call.query.push_back({"list-type", "2", true});
  if (!options.prefix.empty()) call.query.push_back({"prefix", options.prefix, true});
  if (!options.delimiter.empty()) call.query.push_back({"delimiter", options.delimiter, true});
  if (!options.continuation_token.empty()) {
    call.query.push_back({"continuation-token", options.continuation_token, true});
  }
  if (!options.start_after.empty()) call.query.push_back({"start-after", options.start_after, true});
  if (options.max_keys != 0) call.query.push_back({"max-keys", std::to_string(options.max_keys), true});
  if (options.fetch_owner) call.query.push_back({"fetch-owner", "true", true});
  call.query.push_back({"encoding-type", "url", true});
  auto response = impl_->execute(std::move(call));
  if (!response) return response.error();
  return detail::parse_list_objects(response->body);
}

Status Client::list_all_objects(std::string_view bucket, ListObjectsV2Options options,
                                const std::function<bool(const ListObjectsPage&)>& visit) {
  while (true) {
    auto page = list_objects_v2(bucket, options);
    if (!page) return page.error();
    if (!visit(*page)) return ok_status();
    // A server that says "truncated" without a new token would loop forever.
    if (!page->truncated || page->next_continuation_token.empty() ||
        page->next_continuation_token == options.continuation_token) {
      return ok_status();
    }
    options.continuation_token = page->next_continuation_token;
  }
}

Result<std::string> Client::initiate_multipart_upload(std::string_view bucket, std::string_view key,
                                                      const PutObjectOptions& options) {
  Impl::Call call{"POST", bucket, key};
  call.query = {{"uploads", "", false}};
  call.headers = options.headers;
  if (!has_header(call.headers, "Content-Type")) {
    call.headers.push_back(
        {"Content-Type", options.content_type.empty() ? "application/octet-stream" : options.content_type});
  }
  auto response = impl_->execute(std::move(call));
  if (!response) return response.error();
  return detail::parse_initiate_multipart(response->body);
}

Result<std::string> Client::upload_part(std::string_view bucket, std::string_view key, std::string_view upload_id,
                                        uint32_t part_number, const std::filesystem::path& file, uint64_t offset,
                                        uint64_t size, const ProgressCallback& progress) {
  auto part = impl_->upload_part(bucket, key, upload_id, part_number, file, offset, size, progress, 0, size);
  if (!part) return part.error();
  return std::move(part->etag);
}

Result<PutObjectResult> Client::complete_multipart_upload(std::string_view bucket, std::string_view key,
                                                          std::string_view upload_id,
                                                          const std::vector<CompletedPart>& parts) {
  const std::string body = detail::render_complete_multipart(parts);
  detail::MemorySource source(body);
  Impl::Call call{"POST", bucket, key};
  call.query = {{"uploadId", std::string(upload_id), true}};
  call.headers = {{"Content-Type", "application/xml"}};
  call.body = &source;
  auto response = impl_->execute(std::move(call));
  if (!response) return response.error();
  auto etag = detail::parse_complete_multipart(response->body);
  if (!etag) return etag.error();
  return PutObjectResult{std::move(*etag), crc_header(response->headers),
                         header_or_empty(response->headers, "x-oss-request-id")};
}

Status Client::abort_multipart_upload(std::string_view bucket, std::string_view key, std::string_view upload_id) {
  Impl::Call call{"DELETE", bucket, key};
  call.query = {{"uploadId", std::string(upload_id), true}};
  auto response = impl_->execute(std::move(call));
  if (!response) return response.error();
  return ok_status();
}

Result<PutObjectResult> Client::upload_file(std::string_view bucket, std::string_view key,
                                            const std::filesystem::path& file, const UploadFileOptions& options) {
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(file, ec);
  if (ec) return Error(ErrorCode::InvalidArgument, "cannot read " + file.string() + ": " + ec.message());
  if (size < options.multipart_threshold || size == 0) return put_object(bucket, key, file, options.put);

  uint64_t part_size = std::max({options.part_size, kMinPartSize, (size + kMaxParts - 1) / kMaxParts});
  auto upload_id = initiate_multipart_upload(bucket, key, options.put);
  if (!upload_id) return upload_id.error();

  std::vector<CompletedPart> parts;
  uint64_t crc = 0;
  auto fail = [&](Error error) -> Result<PutObjectResult> {
    // Best effort: the original error matters more than a failed abort.
    (void)abort_multipart_upload(bucket, key, *upload_id);
    return error;
  };
  for (uint64_t offset = 0; offset < size; offset += part_size) {
    const uint64_t length = std::min(part_size, size - offset);
    const auto number = static_cast<uint32_t>(parts.size() + 1);
    auto part =
        impl_->upload_part(bucket, key, *upload_id, number, file, offset, length, options.put.progress, offset, size);
    if (!part) return fail(std::move(part).error());
    crc = crypto::crc64_combine(crc, part->crc64, length);
    parts.push_back({number, std::move(part->etag)});
  }
  auto completed = complete_multipart_upload(bucket, key, *upload_id, parts);
  if (!completed) return fail(std::move(completed).error());
  if (auto checked = check_digests("CompleteMultipartUpload", "", "", completed->crc64, crc); !checked) {
    return checked.error();
  }
  return completed;
}

}  // namespace ossd::client
