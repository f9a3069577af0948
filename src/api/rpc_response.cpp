#include "api/rpc_response.hpp"

#include <pugixml.hpp>
#include <sstream>

#include "iam/rpc_error.hpp"
#include "oss/error_table.hpp"

namespace ossd::api {
namespace {

using json = nlohmann::ordered_json;

std::string_view detail(const Error& error, std::string_view name) {
  for (const auto& [key, value] : error.details) {
    if (key == name) return value;
  }
  return {};
}

// Statuses of the RPC codes whose family does not follow from their prefix.
unsigned status_of(std::string_view code, ErrorCode error_code) {
  struct Exact {
    std::string_view code;
    unsigned status;
  };
  static constexpr Exact kExact[] = {
      {"NoPermission", 403},           {"InvalidAccessKeyId.NotFound", 404},
      {"InvalidAction.NotFound", 404}, {"Throttling", 400},
      {"InternalError", 500},          {"ServiceUnavailable", 503},
  };
  for (const auto& exact : kExact) {
    if (code == exact.code) return exact.status;
  }
  auto family = [&](std::string_view prefix) { return code == prefix || code.starts_with(std::string(prefix) + "."); };
  if (family("EntityNotExist")) return 404;
  if (family("EntityAlreadyExists") || family("DeleteConflict") || family("LimitExceeded")) return 409;
  switch (error_code) {
    case ErrorCode::AccessDenied: return 403;
    case ErrorCode::InternalError: return 500;
    case ErrorCode::ServiceUnavailable: return 503;
    case ErrorCode::NotImplemented: return 501;
    default: return 400;
  }
}

// The RPC code for errors that carry none.
std::string default_code(ErrorCode code) {
  switch (code) {
    case ErrorCode::AccessDenied: return "NoPermission";
    case ErrorCode::InvalidAccessKeyId: return "InvalidAccessKeyId.NotFound";
    case ErrorCode::SignatureDoesNotMatch: return "SignatureDoesNotMatch";
    case ErrorCode::InvalidSecurityToken: return "InvalidSecurityToken.Malformed";
    case ErrorCode::SecurityTokenExpired: return "InvalidSecurityToken.Expired";
    case ErrorCode::RequestTimeTooSkewed: return "InvalidTimeStamp.Expired";
    case ErrorCode::InvalidPolicyDocument: return "MalformedPolicyDocument";
    case ErrorCode::MissingArgument: return "MissingParameter";
    case ErrorCode::InvalidArgument:
    case ErrorCode::EntityTooLarge:
    case ErrorCode::IncompleteBody: return "InvalidParameter";
    case ErrorCode::NotImplemented: return "InvalidAction.NotSupported";
    default: return std::string(oss::describe(code).code);
  }
}

void append_xml(pugi::xml_node parent, const std::string& name, const json& value) {
  if (value.is_array()) {
    for (const auto& item : value) append_xml(parent, name, item);
    return;
  }
  pugi::xml_node node = parent.append_child(name.c_str());
  if (value.is_object()) {
    for (const auto& [key, member] : value.items()) append_xml(node, key, member);
  } else if (value.is_string()) {
    node.text().set(value.get_ref<const std::string&>().c_str());
  } else if (!value.is_null()) {
    node.text().set(value.dump().c_str());
  }
}

http::Response body_response(unsigned status, std::string body, bool xml) {
  http::Response response;
  response.status = status;
  response.set("Content-Type", xml ? "text/xml;charset=utf-8" : "application/json;charset=utf-8");
  response.body = std::move(body);
  return response;
}

std::string dump_json(const json& body) { return body.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

RpcErrorView describe_rpc_error(const Error& error) {
  RpcErrorView view;
  std::string_view code = iam::rpc_code_detail(error);
  if (code.empty()) code = detail(error, "RamCode");
  view.code = code.empty() ? default_code(error.code) : std::string(code);
  view.status = status_of(view.code, error.code);
  view.message = error.message_for_log_only ? std::string() : error.message;
  if (view.message.empty()) view.message = std::string(oss::describe(error.code).default_message);
  // Internal failures say nothing about their insides.
  if (view.status >= 500 && error.code == ErrorCode::InternalError) {
    view.message = "The request processing has failed due to some unknown error, exception or failure.";
  }
  return view;
}

std::string rpc_xml(std::string_view root, const json& body) {
  pugi::xml_document document;
  auto declaration = document.append_child(pugi::node_declaration);
  declaration.append_attribute("version") = "1.0";
  declaration.append_attribute("encoding") = "UTF-8";
  pugi::xml_node top = document.append_child(std::string(root).c_str());
  for (const auto& [key, member] : body.items()) append_xml(top, key, member);
  std::ostringstream out;
  document.save(out, "", pugi::format_raw);
  return out.str();
}

http::Response rpc_result_response(const json& body, std::string_view action, std::string_view request_id, bool xml) {
  json full = {{"RequestId", request_id}};
  for (const auto& [key, member] : body.items()) full[key] = member;
  return body_response(200, xml ? rpc_xml(std::string(action) + "Response", full) : dump_json(full), xml);
}

http::Response rpc_error_response(const Error& error, std::string_view request_id, std::string_view host_id, bool xml) {
  const RpcErrorView view = describe_rpc_error(error);
  json body = {{"RequestId", request_id},
               {"HostId", host_id},
               {"Code", view.code},
               {"Message", view.message},
               {"Recommend", "https://api.aliyun.com/troubleshoot?q=" + view.code}};
  return body_response(view.status, xml ? rpc_xml("Error", body) : dump_json(body), xml);
}

}  // namespace ossd::api
