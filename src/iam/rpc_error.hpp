#pragma once
// Errors of the RPC-style APIs (STS 2015-04-01, RAM 2015-05-01). Their codes
// are finer than the closed ErrorCode set ("InvalidParameter.RoleArn",
// "EntityNotExist.User"), so the exact code travels as a detail of the Error
// and api/rpc_response.cpp, the one place RPC errors are rendered, prefers it
// over the default for the ErrorCode.
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace ossd::iam {

// Name of the Error detail that carries the RPC code.
inline constexpr std::string_view kRpcCodeDetail = "RpcCode";

// `code` picks the HTTP status family when the RPC code is unknown to the
// renderer; `rpc_code` is what the client sees as Code.
inline Error rpc_error(ErrorCode code, std::string rpc_code, std::string message) {
  return Error(code, std::move(message)).with(std::string(kRpcCodeDetail), std::move(rpc_code));
}

// The RPC code an Error carries, or "" when it has none.
inline std::string_view rpc_code_detail(const Error& error) {
  for (const auto& [name, value] : error.details) {
    if (name == kRpcCodeDetail) return value;
  }
  return {};
}

// Messages shared by several services.
inline constexpr std::string_view kNoPermissionMessage =
    "You are not authorized to do this action. You should be authorized by RAM.";

inline Error no_permission(std::string message = std::string(kNoPermissionMessage)) {
  return rpc_error(ErrorCode::AccessDenied, "NoPermission", std::move(message));
}

inline Error missing_parameter(std::string_view name) {
  return rpc_error(ErrorCode::MissingArgument, "MissingParameter",
                   "The input parameter \"" + std::string(name) +
                       "\" that is mandatory for processing this request is not supplied.");
}

inline Error invalid_parameter(std::string rpc_code, std::string message) {
  return rpc_error(ErrorCode::InvalidArgument, std::move(rpc_code), std::move(message));
}

}  // namespace ossd::iam
