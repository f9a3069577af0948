#pragma once
// Rendering of RPC API (STS, RAM) results and errors: THE one place their
// codes, HTTP statuses and bodies are decided. JSON by default; XML when the
// call asked for Format=XML (<AssumeRoleResponse>...</AssumeRoleResponse>).
// Error body: {"RequestId","HostId","Code","Message","Recommend"} (spec §6.3).
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "http/exchange.hpp"

namespace ossd::api {

struct RpcErrorView {
  std::string code;  // "InvalidParameter.RoleArn"
  unsigned status = 400;
  std::string message;
};

// The RPC code (the Error's "RpcCode" or the store's "RamCode" detail, else
// a default for its ErrorCode), HTTP status and message of an error.
RpcErrorView describe_rpc_error(const Error& error);

// 200 with RequestId added to `body`.
http::Response rpc_result_response(const nlohmann::ordered_json& body, std::string_view action,
                                   std::string_view request_id, bool xml);

http::Response rpc_error_response(const Error& error, std::string_view request_id, std::string_view host_id, bool xml);

// <Root><RequestId/>...members...</Root>: objects become elements, arrays
// repeat the element of their key (RAM's {"Users":{"User":[...]}} becomes
// <Users><User/><User/></Users>), scalars become text.
std::string rpc_xml(std::string_view root, const nlohmann::ordered_json& body);

}  // namespace ossd::api
