#pragma once
// The RPC APIs (STS 2015-04-01, RAM 2015-05-01) on the OSS listener: the
// pipeline hands a request here when is_rpc_request() says so, right after
// resolving the resource. The response is always rendered by rpc_response
// (JSON or XML), errors included, never as OSS XML.
#include "api/context.hpp"

namespace ossd::api {

// Reads the (small) body, verifies the signature, refuses a replayed
// SignatureNonce, checks Version against the action's API and runs the
// action: STS calls the caches can answer (StsService::call_cached) on this
// I/O thread, everything else on a work pool. Sets ctx.identity for the
// access log.
boost::asio::awaitable<Result<http::Response>> handle_rpc(RequestContext& ctx);

}  // namespace ossd::api
