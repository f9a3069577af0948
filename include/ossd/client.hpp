#pragma once
// A synchronous OSS client: object and bucket calls, listings with
// pagination and multipart upload of large files, signed like ali-oss. One
// Client keeps one connection alive and is not thread-safe; use one per
// thread. Every call returns a Result; what OSS answered on failure is in
// ossd/error.hpp.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/header_field.hpp"
#include "core/result.hpp"
#include "oss/cors.hpp"
#include "ossd/credentials.hpp"
#include "ossd/endpoint.hpp"
#include "ossd/error.hpp"
#include "ossd/signing.hpp"

namespace ossd::client {

struct ClientOptions {
  // "http://127.0.0.1:9000", "oss-cn-hangzhou.aliyuncs.com"...; empty means
  // http(s)://<region>.aliyuncs.com.
  std::string endpoint;
  std::string region = "oss-cn-hangzhou";
  bool secure = false;  // scheme for an endpoint written without one
  AddressingStyle style = AddressingStyle::Auto;
  Credentials credentials;
  SignatureVersion signature_version = SignatureVersion::V1;
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds io_timeout{60};  // longest wait for any single read or write
  std::string user_agent = "ossd-client/0.1";
};

// Bytes done so far and the total expected (0 when unknown).
using ProgressCallback = std::function<void(uint64_t done, uint64_t total)>;

struct ObjectMeta {
  uint64_t size = 0;
  std::string etag;  // without quotes
  std::string content_type;
  std::optional<SystemTime> last_modified;
  std::optional<uint64_t> crc64;  // x-oss-hash-crc64ecma
  std::string object_type;        // Normal, Multipart, Appendable
  std::string storage_class;
  std::map<std::string, std::string> user_meta;  // x-oss-meta-<name> (lower-case name without prefix)
  std::string request_id;
  std::vector<HeaderField> headers;  // everything the server sent
};

struct PutObjectOptions {
  std::string content_type;          // empty: application/octet-stream
  std::vector<HeaderField> headers;  // x-oss-meta-*, x-oss-object-acl, Cache-Control...
  ProgressCallback progress;
};

struct PutObjectResult {
  std::string etag;
  std::optional<uint64_t> crc64;
  std::string request_id;
};

struct GetObjectOptions {
  std::optional<std::pair<uint64_t, uint64_t>> range;  // inclusive byte range
  std::string process;                                 // x-oss-process
  std::vector<HeaderField> headers;                    // If-Match...
  ProgressCallback progress;
};

struct ObjectSummary {
  std::string key;
  uint64_t size = 0;
  std::string etag;
  std::optional<SystemTime> last_modified;
  std::string type;
  std::string storage_class;
};

struct ListObjectsOptions {  // GET Bucket (v1)
  std::string prefix;
  std::string delimiter;
  std::string marker;
  unsigned max_keys = 0;  // 0: the server's default (100)
};

struct ListObjectsV2Options {
  std::string prefix;
  std::string delimiter;
  std::string continuation_token;
  std::string start_after;
  unsigned max_keys = 0;
  bool fetch_owner = false;
};

// One page of either listing. Keys and prefixes are decoded even when the
// server url-encoded them (the client always asks for encoding-type=url, so
// keys with control characters survive the XML).
struct ListObjectsPage {
  std::vector<ObjectSummary> objects;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_marker;              // v1
  std::string next_continuation_token;  // v2
};

struct BucketSummary {
  std::string name;
  std::string location;
  std::optional<SystemTime> creation_date;
  std::string storage_class;
};

struct CompletedPart {
  uint32_t part_number = 0;
  std::string etag;  // without quotes
};

struct UploadFileOptions {
  uint64_t multipart_threshold = 100ull << 20;  // files at least this large go multipart
  uint64_t part_size = 8ull << 20;              // grown when the file would need more than 10000 parts
  PutObjectOptions put;                         // content type, headers and progress for either path
};

class Client {
 public:
  explicit Client(ClientOptions options, std::shared_ptr<const Clock> clock = std::make_shared<SystemClock>());
  ~Client();
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Valid endpoint and options; every call reports the same problem anyway.
  Status validate() const;
  const ClientOptions& options() const;

  // The configuration the signed-URL functions need, from this client.
  Result<UrlSigningConfig> url_signing_config() const;
  Result<std::string> signature_url(std::string_view bucket, std::string_view key, const SignUrlOptions& options) const;
  Result<std::string> signature_url_v4(std::string_view bucket, std::string_view method, std::chrono::seconds expires,
                                       const SignUrlV4Request& request, std::string_view key,
                                       const std::vector<std::string>& additional_headers = {}) const;

  // Buckets.
  Result<std::vector<BucketSummary>> list_buckets(std::string_view prefix = {});  // every page
  Status create_bucket(std::string_view bucket, std::string_view acl = {});
  Status delete_bucket(std::string_view bucket);
  // PutBucketCors: `config` replaces the bucket's CORS rules.
  Status put_bucket_cors(std::string_view bucket, const oss::CorsConfiguration& config);

  // Objects.
  Result<PutObjectResult> put_object(std::string_view bucket, std::string_view key, const std::filesystem::path& file,
                                     const PutObjectOptions& options = {});
  Result<PutObjectResult> put_object_data(std::string_view bucket, std::string_view key, std::string_view data,
                                          const PutObjectOptions& options = {});
  // Streams the body into `out`; nothing is written on an error response.
  Result<ObjectMeta> get_object(std::string_view bucket, std::string_view key, std::ostream& out,
                                const GetObjectOptions& options = {});
  // Writes a temporary file beside `file` and renames it into place only
  // when the whole body arrived (and matched x-oss-hash-crc64ecma).
  Result<ObjectMeta> get_object_to_file(std::string_view bucket, std::string_view key,
                                        const std::filesystem::path& file, const GetObjectOptions& options = {});
  Result<ObjectMeta> head_object(std::string_view bucket, std::string_view key);
  Status delete_object(std::string_view bucket, std::string_view key);

  // Listings: one page per call, or every page through `visit` (return
  // false from visit to stop early).
  Result<ListObjectsPage> list_objects(std::string_view bucket, const ListObjectsOptions& options = {});
  Result<ListObjectsPage> list_objects_v2(std::string_view bucket, const ListObjectsV2Options& options = {});
  Status list_all_objects(std::string_view bucket, ListObjectsV2Options options,
                          const std::function<bool(const ListObjectsPage&)>& visit);

  // Multipart, step by step.
  Result<std::string> initiate_multipart_upload(std::string_view bucket, std::string_view key,
                                                const PutObjectOptions& options = {});
  // Uploads `size` bytes of `file` starting at `offset`; returns the ETag.
  Result<std::string> upload_part(std::string_view bucket, std::string_view key, std::string_view upload_id,
                                  uint32_t part_number, const std::filesystem::path& file, uint64_t offset,
                                  uint64_t size, const ProgressCallback& progress = {});
  Result<PutObjectResult> complete_multipart_upload(std::string_view bucket, std::string_view key,
                                                    std::string_view upload_id,
                                                    const std::vector<CompletedPart>& parts);
  Status abort_multipart_upload(std::string_view bucket, std::string_view key, std::string_view upload_id);

  // PutObject below the threshold, multipart from it on; a failed multipart
  // upload is aborted so no parts are left behind.
  Result<PutObjectResult> upload_file(std::string_view bucket, std::string_view key, const std::filesystem::path& file,
                                      const UploadFileOptions& options = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ossd::client
