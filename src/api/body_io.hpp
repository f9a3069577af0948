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

// Streams the request body into a new, committed blob. Checks the length
// against Content-Length and the MD5 against Content-MD5 (InvalidDigest); on
// any failure the blob is discarded and nothing becomes visible.
boost::asio::awaitable<Result<service::WrittenBlob>> receive_body_into_blob(RequestContext& ctx);

}  // namespace ossd::api
