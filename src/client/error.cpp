#include "ossd/error.hpp"

#include <cstdlib>

#include "client/response_parsing.hpp"

namespace ossd::client {

ServiceError service_error(const Error& error) {
  ServiceError out;
  for (const auto& [name, value] : error.details) {
    if (name == detail::kHttpStatusDetail) {
      out.http_status = static_cast<unsigned>(std::strtoul(value.c_str(), nullptr, 10));
    } else if (name == "Code") {
      out.code = value;
    } else if (name == "Message") {
      out.message = value;
    } else if (name == "RequestId") {
      out.request_id = value;
    } else if (name == "HostId") {
      out.host_id = value;
    } else if (name == "EC") {
      out.ec = value;
    } else {
      out.details.emplace_back(name, value);
    }
  }
  if (out.message.empty()) out.message = error.message;
  return out;
}

std::string describe(const Error& error) {
  ServiceError e = service_error(error);
  if (e.http_status == 0) return e.message.empty() ? std::string("unknown error") : e.message;
  std::string out = e.code.empty() ? std::string("HTTP ") + std::to_string(e.http_status)
                                   : e.code + " (HTTP " + std::to_string(e.http_status) + ")";
  if (!e.message.empty()) out += ": " + e.message;
  if (!e.request_id.empty()) out += " [request id " + e.request_id + "]";
  return out;
}

}  // namespace ossd::client
