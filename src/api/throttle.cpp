#include "api/throttle.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ossd::api {

namespace {

boost::asio::awaitable<void> wait_for(TokenBucket::Clock::duration delay) {
  if (delay <= TokenBucket::Clock::duration::zero()) co_return;
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, delay);
  // A cancelled wait (shutdown) just lets the bytes through early.
  auto [ec] = co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  (void)ec;
}

}  // namespace

TokenBucket::TokenBucket(uint64_t bytes_per_second, Clock::time_point start)
    : rate_(static_cast<double>(std::max<uint64_t>(bytes_per_second, 1))),
      burst_(std::max(1.0, static_cast<double>(bytes_per_second) / 10)),
      last_(start) {}

TokenBucket::Clock::duration TokenBucket::take(uint64_t bytes, Clock::time_point now) {
  if (now > last_) {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
    last_ = now;
  }
  tokens_ -= static_cast<double>(bytes);
  if (tokens_ >= 0) return Clock::duration::zero();
  return std::chrono::ceil<Clock::duration>(std::chrono::duration<double>(-tokens_ / rate_));
}

TokenBucket bucket_for_bits_per_second(uint64_t bits_per_second) {
  return TokenBucket(bits_per_second / 8, TokenBucket::Clock::now());
}

ThrottledSource::ThrottledSource(std::unique_ptr<http::BodySource> inner, uint64_t bits_per_second)
    : inner_(std::move(inner)), bucket_(bucket_for_bits_per_second(bits_per_second)) {}

boost::asio::awaitable<Result<std::size_t>> ThrottledSource::read_some(std::span<char> out) {
  auto got = co_await inner_->read_some(out.first(std::min(out.size(), bucket_.max_chunk())));
  if (got && got.value() > 0) co_await wait_for(bucket_.take(got.value(), TokenBucket::Clock::now()));
  co_return got;
}

ThrottledReader::ThrottledReader(http::BodyReader& inner, uint64_t bits_per_second)
    : inner_(inner), bucket_(bucket_for_bits_per_second(bits_per_second)) {}

boost::asio::awaitable<Result<std::size_t>> ThrottledReader::read_some(std::span<char> out) {
  auto got = co_await inner_.read_some(out.first(std::min(out.size(), bucket_.max_chunk())));
  if (got && got.value() > 0) co_await wait_for(bucket_.take(got.value(), TokenBucket::Clock::now()));
  co_return got;
}

}  // namespace ossd::api
