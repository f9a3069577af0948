#include "api/responses.hpp"

#include "core/time_format.hpp"
#include "crypto/base64.hpp"
#include "oss/error_table.hpp"
#include "oss/xml_responses.hpp"

namespace ossd::api {

http::Response xml_response(std::string xml, unsigned status) {
  http::Response response;
  response.status = status;
  response.set("Content-Type", "application/xml");
  response.body = std::move(xml);
  return response;
}

http::Response empty_response(unsigned status) {
  http::Response response;
  response.status = status;
  return response;
}

http::Response error_response(const Error& error, std::string_view request_id, std::string_view host_id,
                              bool head_request) {
  const oss::ErrorInfo info = oss::describe(error.code);
  http::Response response;
  response.status = info.http_status;
  for (const auto& [name, value] : error.headers) response.set(name, value);
  if (!oss::has_error_body(error.code)) return response;
  response.set("x-oss-ec", std::string(info.ec));
  std::string xml = oss::render_error_xml(error, request_id, host_id);
  if (head_request) {
    response.set("x-oss-err", crypto::base64_encode(xml));
    response.content_length = 0;
  } else {
    response.set("Content-Type", "application/xml");
    response.body = std::move(xml);
  }
  return response;
}

void add_object_headers(http::Response& response, const meta::ObjectRecord& object) {
  response.set("ETag", oss::quote_etag(object.etag));
  response.set("Last-Modified", format_rfc1123(from_unix_millis(object.last_modified_ms)));
  response.set("Content-Type", object.content_type.empty() ? "application/octet-stream" : object.content_type);
  response.set("x-oss-object-type", object.object_type);
  response.set("x-oss-storage-class", object.storage_class);
  response.set("x-oss-hash-crc64ecma", std::to_string(object.crc64));
  response.set("Accept-Ranges", "bytes");
  for (const auto& [name, value] : object.headers) response.set(name, value);
  for (const auto& [name, value] : object.user_meta) response.set("x-oss-meta-" + name, value);
  if (!object.tags.empty()) response.set("x-oss-tagging-count", std::to_string(object.tags.size()));
  if (object.object_type == "Appendable") {
    response.set("x-oss-next-append-position", std::to_string(object.size));
  }
}

}  // namespace ossd::api
