#pragma once
// x-oss-traffic-limit: a token bucket that paces a body to a byte rate, and
// the body source / reader wrappers that wait on an Asio timer (never
// sleeping a thread) when the bucket runs dry.
#include <chrono>
#include <cstdint>
#include <memory>

#include "http/exchange.hpp"

namespace ossd::api {

// Pure: time is a parameter. Starts empty, so N bytes take N / rate seconds
// from the first take; an idle bucket refills to at most `burst` bytes.
class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  // The burst is a tenth of a second of traffic (at least one byte): small
  // enough that pacing looks smooth, large enough for few timer waits.
  TokenBucket(uint64_t bytes_per_second, Clock::time_point start);

  // Largest piece worth taking at once (the burst).
  std::size_t max_chunk() const { return static_cast<std::size_t>(burst_); }

  // Takes `bytes` tokens at `now`, going into debt if needed; returns how long
  // to wait before the bytes may be passed on (zero when they were there).
  Clock::duration take(uint64_t bytes, Clock::time_point now);

 private:
  double rate_;   // bytes per second
  double burst_;  // bytes
  double tokens_ = 0;
  Clock::time_point last_;
};

// Bits per second (the header's unit) -> a bucket for bytes.
TokenBucket bucket_for_bits_per_second(uint64_t bits_per_second);

// A response body paced by a token bucket.
class ThrottledSource final : public http::BodySource {
 public:
  ThrottledSource(std::unique_ptr<http::BodySource> inner, uint64_t bits_per_second);
  boost::asio::awaitable<Result<std::size_t>> read_some(std::span<char> out) override;

 private:
  std::unique_ptr<http::BodySource> inner_;
  TokenBucket bucket_;
};

// A request body (or a form's file part) consumed no faster than the limit;
// TCP flow control then slows the sender.
class ThrottledReader final : public http::BodyReader {
 public:
  ThrottledReader(http::BodyReader& inner, uint64_t bits_per_second);
  boost::asio::awaitable<Result<std::size_t>> read_some(std::span<char> out) override;
  bool finished() const override { return inner_.finished(); }

 private:
  http::BodyReader& inner_;
  TokenBucket bucket_;
};

}  // namespace ossd::api
