#include "http/wire_rules.hpp"

#include <algorithm>

#include "core/strings.hpp"

namespace ossd::http {

namespace {

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

}  // namespace

bool is_framing_header(std::string_view name) {
  return iequals(name, "content-length") || iequals(name, "transfer-encoding") || iequals(name, "connection");
}

bool is_safe_header(const Header& h) {
  return !h.name.empty() && std::all_of(h.name.begin(), h.name.end(), is_token_char) &&
         h.value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos;
}

bool status_has_no_body(unsigned status) { return status < 200 || status == 204 || status == 304; }

std::string_view default_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidRequest: return "InvalidRequest";
    case ErrorCode::RequestHeaderTooLarge: return "RequestHeaderTooLarge";
    case ErrorCode::RequestTimeout: return "RequestTimeout";
    case ErrorCode::ServiceUnavailable: return "ServiceUnavailable";
    case ErrorCode::EntityTooLarge: return "EntityTooLarge";
    case ErrorCode::IncompleteBody: return "IncompleteBody";
    default: return "InternalError";
  }
}

unsigned default_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidRequest: return 400;
    case ErrorCode::RequestHeaderTooLarge: return 431;
    case ErrorCode::RequestTimeout: return 408;
    case ErrorCode::ServiceUnavailable: return 503;
    case ErrorCode::EntityTooLarge: return 413;
    case ErrorCode::IncompleteBody: return 400;
    default: return 500;
  }
}

}  // namespace ossd::http
