#pragma once
// Building responses: the one place errors become OSS XML (DESIGN rule 9),
// and the headers every object response carries.
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "http/exchange.hpp"
#include "meta/records.hpp"

namespace ossd::api {

http::Response xml_response(std::string xml, unsigned status = 200);
http::Response empty_response(unsigned status = 200);

// Renders an Error as OSS does: status and Code from the error table, XML body
// (or, for HEAD, no body and the XML base64-encoded in x-oss-err).
http::Response error_response(const Error& error, std::string_view request_id, std::string_view host_id,
                              bool head_request);

// ETag, Last-Modified, Content-Type, x-oss-object-type, storage class, CRC,
// user metadata and stored standard headers.
void add_object_headers(http::Response& response, const meta::ObjectRecord& object);

}  // namespace ossd::api
