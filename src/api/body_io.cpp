#include "api/body_io.hpp"

#include <memory>
#include <optional>
#include <span>

#include "api/request_parsing.hpp"
#include "api/throttle.hpp"
#include "crypto/base64.hpp"

namespace ossd::api {

boost::asio::awaitable<Result<std::string>> read_small_body(RequestContext& ctx, size_t limit) {
  std::string body;
  char buffer[16 * 1024];
  for (;;) {
    auto got = co_await ctx.body.read_some(std::span<char>(buffer, sizeof buffer));
    if (!got) co_return std::move(got).error();
    if (got.value() == 0) break;
    if (body.size() + got.value() > limit) {
      co_return Error(ErrorCode::EntityTooLarge,
                      "The request body is larger than " + std::to_string(limit) + " bytes.");
    }
    body.append(buffer, got.value());
  }
  co_return body;
}

Result<std::optional<uint64_t>> declared_body_length(const RequestContext& ctx) {
  const auto& limit = ctx.services.config.max_object_size;
  if (ctx.http.content_length) {
    if (*ctx.http.content_length > limit) {
      return Error(ErrorCode::EntityTooLarge, "Your proposed upload exceeds the maximum allowed size.")
          .with("MaxSizeAllowed", std::to_string(limit))
          .with("ProposedSize", std::to_string(*ctx.http.content_length));
    }
    return std::optional<uint64_t>(*ctx.http.content_length);
  }
  if (ctx.http.chunked) return std::optional<uint64_t>();
  return Error(ErrorCode::MissingContentLength, "You must provide the Content-Length HTTP header.");
}

Result<std::optional<std::string>> content_md5(const RequestContext& ctx) {
  const std::string* header = ctx.header("Content-MD5");
  if (!header) return std::optional<std::string>();
  auto raw = crypto::base64_decode(*header);
  if (!raw || raw->size() != 16) {
    return Error(ErrorCode::InvalidDigest, "The Content-MD5 you specified was invalid.").with("Content-MD5", *header);
  }
  return std::optional<std::string>(std::move(*raw));
}

boost::asio::awaitable<Result<service::WrittenBlob>> receive_into_blob(RequestContext& ctx, http::BodyReader& source,
                                                                       BlobIntake intake) {
  Services& s = ctx.services;
  auto writer = co_await s.pool.run([&] { return service::ObjectWriter::start(s.blobs); });
  if (!writer) co_return std::move(writer).error();

  auto too_large = [&](uint64_t received) {
    return Error(ErrorCode::EntityTooLarge, "Your proposed upload exceeds the maximum allowed size.")
        .with("MaxSizeAllowed", std::to_string(intake.max_size))
        .with("ProposedSize", std::to_string(received));
  };
  // Fill a chunk from the socket on the I/O thread, then hand it to the pool
  // for writing and hashing: one hop per chunk keeps both sides busy-free.
  // A body too small to fill a transfer buffer gets a buffer of its own size.
  const size_t transfer_size = s.transfer_buffers.buffer_size();
  const size_t chunk_size =
      intake.expected_length ? std::min<uint64_t>(*intake.expected_length, transfer_size) : transfer_size;
  std::optional<BufferPool::Buffer> pooled;
  std::unique_ptr<char[]> own;
  std::span<char> chunk;
  if (chunk_size == transfer_size) {
    pooled.emplace(s.transfer_buffers.take());
    chunk = pooled->bytes();
  } else {
    own = std::make_unique_for_overwrite<char[]>(std::max<size_t>(chunk_size, 1));
    chunk = {own.get(), std::max<size_t>(chunk_size, 1)};
  }
  uint64_t received = 0;
  bool finished = false;
  while (!finished) {
    size_t filled = 0;
    while (filled < chunk.size()) {
      auto got = co_await source.read_some(std::span<char>(chunk.data() + filled, chunk.size() - filled));
      if (!got) co_return std::move(got).error();
      if (got.value() == 0) {
        finished = true;
        break;
      }
      filled += got.value();
      if (received + filled > intake.max_size) co_return too_large(received + filled);
    }
    received += filled;
    if (filled > 0) {
      auto written = co_await s.pool.run([&] { return writer->write(std::span<const char>(chunk.data(), filled)); });
      if (!written) co_return std::move(written).error();
    }
  }
  if (intake.expected_length && received != *intake.expected_length) {
    co_return Error(ErrorCode::IncompleteBody, "The request body is shorter than its Content-Length.");
  }
  if (received < intake.min_size) {
    co_return Error(ErrorCode::EntityTooSmall, "Your proposed upload is smaller than the minimum allowed size.")
        .with("MinSizeAllowed", std::to_string(intake.min_size))
        .with("ProposedSize", std::to_string(received));
  }
  co_return co_await s.pool.run([&] { return writer->commit(intake.expected_md5); });
}

boost::asio::awaitable<Result<service::WrittenBlob>> receive_body_into_blob(RequestContext& ctx) {
  auto length = declared_body_length(ctx);
  if (!length) co_return std::move(length).error();
  auto expected_md5 = content_md5(ctx);
  if (!expected_md5) co_return std::move(expected_md5).error();
  auto limit = traffic_limit(ctx);
  if (!limit) co_return std::move(limit).error();

  BlobIntake intake{length.value(), 0, ctx.services.config.max_object_size, std::move(expected_md5.value())};
  if (limit.value()) {
    ThrottledReader paced(ctx.body, *limit.value());
    co_return co_await receive_into_blob(ctx, paced, std::move(intake));
  }
  co_return co_await receive_into_blob(ctx, ctx.body, std::move(intake));
}

}  // namespace ossd::api
