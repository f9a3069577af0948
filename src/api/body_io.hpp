#pragma once
// Moving request bodies: small control documents into memory (bounded), and
// object bodies into a blob through the work pool, chunk by chunk.
#include <optional>
#include <string>

#include "api/context.hpp"
#include "service/object_writer.hpp"

namespace ossd::api {

// Reads the whole body if it is at most `limit` bytes, else EntityTooLarge
// (MalformedXML-style callers may map it).
boost::asio::awaitable<Result<std::string>> read_small_body(RequestContext& ctx, size_t limit);

// The declared body length: Content-Length, or nullopt for chunked bodies.
// MissingContentLength when neither is given; EntityTooLarge over the limit.
Result<std::optional<uint64_t>> declared_body_length(const RequestContext& ctx);

// The Content-MD5 header decoded to 16 raw bytes (nullopt when absent), or
// InvalidDigest when it is not base64 of 16 bytes.
Result<std::optional<std::string>> content_md5(const RequestContext& ctx);

// What a streamed body must satisfy before its blob is committed.
struct BlobIntake {
  std::optional<uint64_t> expected_length;  // the body must be exactly this long (IncompleteBody)
  uint64_t min_size = 0;                    // EntityTooSmall below
  uint64_t max_size = 0;                    // EntityTooLarge above, as soon as it is passed
  std::optional<std::string> expected_md5;  // raw 16 bytes (InvalidDigest)
};

// Streams `source` into a new blob, one work-pool hop per chunk, and commits
// it only when every check of `intake` holds; otherwise nothing stays behind.
boost::asio::awaitable<Result<service::WrittenBlob>> receive_into_blob(RequestContext& ctx, http::BodyReader& source,
                                                                       BlobIntake intake);

// Streams the request body into a new, committed blob. Checks the length
// against Content-Length and the MD5 against Content-MD5 (InvalidDigest); on
// any failure the blob is discarded and nothing becomes visible.
// x-oss-traffic-limit (traffic_limit()) paces the reading.
boost::asio::awaitable<Result<service::WrittenBlob>> receive_body_into_blob(RequestContext& ctx);

}  // namespace ossd::api
