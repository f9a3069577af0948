#pragma once
// Streams an object's bytes to the HTTP layer, one work-pool hop per chunk,
// so large GETs run in constant memory and never block an I/O thread.
#include <optional>

#include "api/context.hpp"
#include "service/object_reader.hpp"

namespace ossd::api {

class ObjectBodySource final : public http::BodySource {
 public:
  ObjectBodySource(http::WorkPool& pool, service::ObjectReader reader) : pool_(pool), reader_(std::move(reader)) {}

  boost::asio::awaitable<Result<size_t>> read_some(std::span<char> out) override {
    co_return co_await pool_.run([&] { return reader_.read(out); });
  }

  boost::asio::awaitable<Result<std::optional<http::FileRegion>>> next_file_region(uint64_t max) override {
    auto region = co_await pool_.run([&] { return reader_.next_file_region(max); });
    if (!region) co_return std::move(region).error();
    if (!*region) co_return std::optional<http::FileRegion>();
    co_return http::FileRegion{(*region)->fd, (*region)->offset, (*region)->length};
  }

 private:
  http::WorkPool& pool_;
  service::ObjectReader reader_;
};

}  // namespace ossd::api
