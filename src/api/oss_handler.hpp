#pragma once
// The request pipeline (DESIGN "life of a request"): resolve bucket and key,
// route, authenticate, authorize, run the handler, render errors in one
// place, write one access-log line.
#include <memory>

#include "api/context.hpp"
#include "api/metrics.hpp"
#include "api/request_ids.hpp"
#include "http/exchange.hpp"

namespace spdlog {
class logger;
}

namespace ossd::api {

class OssHandler final : public http::Handler {
 public:
  // access_log may be null (logging off).
  OssHandler(Services& services, RequestIds& ids, std::shared_ptr<spdlog::logger> access_log);

  boost::asio::awaitable<http::Response> handle(const http::Request& request, http::BodyReader& body) override;

  // Renders an error produced before a request reached the pipeline (bad
  // request line, header too large, timeout) the same way as any other.
  http::Response render_transport_error(ErrorCode code, const std::string& message);

 private:
  boost::asio::awaitable<Result<http::Response>> process(RequestContext& ctx);

  Services& services_;
  RequestIds& ids_;
  std::shared_ptr<spdlog::logger> access_log_;
};

}  // namespace ossd::api
