#pragma once
// What the HTTP server enforces on every message whatever the handler says:
// who owns framing, which response headers may reach the wire, which
// statuses carry no body, and how its own errors are named. Beast-free, so
// the connection code of both stream types and the tests share one copy.
#include <string_view>

#include "core/error.hpp"
#include "http/exchange.hpp"

namespace ossd::http {

// Content-Length, Transfer-Encoding and Connection: the server owns message
// framing; a handler cannot override it.
bool is_framing_header(std::string_view name);

// Last line of defence against response splitting: the API layer validates
// user-supplied header values, but a CR, LF or NUL must never reach the wire,
// and a name must be a token or the head becomes unparseable.
bool is_safe_header(const Header& h);

bool status_has_no_body(unsigned status);

// The code and status of the errors the server answers by itself, before or
// around a handler (default_error_response renders them).
std::string_view default_code_name(ErrorCode code);
unsigned default_status(ErrorCode code);

}  // namespace ossd::http
