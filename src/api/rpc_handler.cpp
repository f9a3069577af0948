#include "api/rpc_handler.hpp"

#include <spdlog/spdlog.h>

#include "api/body_io.hpp"
#include "api/rpc_request.hpp"
#include "api/rpc_response.hpp"
#include "iam/identity_service.hpp"
#include "iam/rpc_error.hpp"
#include "iam/sts_service.hpp"
#include "meta/nonce_ledger.hpp"

namespace ossd::api {
namespace {

constexpr std::string_view kStsVersion = "2015-04-01";
constexpr std::string_view kRamVersion = "2015-05-01";

enum class Api { Sts, Ram };

Result<Api> api_for(const RpcEnvelope& envelope) {
  std::optional<Api> api;
  if (iam::StsService::handles(envelope.action)) {
    api = Api::Sts;
  } else if (iam::IdentityService::handles(envelope.action)) {
    api = Api::Ram;
  }
  if (!api) {
    return iam::rpc_error(ErrorCode::InvalidArgument, "InvalidAction.NotFound",
                          "Specified api is not found, please check your url and method.");
  }
  const std::string_view expected = *api == Api::Sts ? kStsVersion : kRamVersion;
  if (envelope.version != expected) {
    return iam::rpc_error(ErrorCode::InvalidArgument, "InvalidVersion",
                          "Specified parameter Version is not valid: " + std::string(envelope.action) + " needs " +
                              std::string(expected) + ".");
  }
  return *api;
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

// A nonce the ledger could not check refuses the call (never lets it through
// unchecked), with the status the database failure has elsewhere: 503 when
// the database cannot be reached, 500 otherwise. Its message may name the
// database, so it goes to the log and the client gets the code's own.
Error public_view_of_ledger_error(const Error& error, std::string_view request_id) {
  spdlog::warn("request {}: SignatureNonce ledger: {}", request_id, error.message);
  if (error.code == ErrorCode::ServiceUnavailable) {
    return Error(ErrorCode::ServiceUnavailable, "The service is temporarily unavailable. Please try again later.");
  }
  return Error(ErrorCode::InternalError);
}

}  // namespace

boost::asio::awaitable<Result<http::Response>> handle_rpc(RequestContext& ctx) {
  Services& s = ctx.services;
  const std::string* host = ctx.header("Host");
  const std::string host_id = host ? *host : std::string();
  bool xml = false;
  auto fail = [&](const Error& error) -> Result<http::Response> {
    // Internals (a database host, a libpq error) go to the log, not to the client.
    if (error.message_for_log_only) spdlog::warn("request {} failed: {}", ctx.request_id, error.message);
    return rpc_error_response(error, ctx.request_id, host_id, xml);
  };

  auto body = co_await read_small_body(ctx, kMaxRpcBody);
  if (!body) {
    if (body.error().code != ErrorCode::EntityTooLarge) co_return fail(body.error());
    co_return fail(iam::invalid_parameter(
        "InvalidParameter", "The request body is larger than " + std::to_string(kMaxRpcBody) + " bytes."));
  }
  const std::string* content_type = ctx.header("Content-Type");
  auto params = collect_rpc_parameters(ctx.resource.raw_query, content_type ? *content_type : "", body.value());
  if (!params) co_return fail(params.error());
  xml = wants_xml(params->all);

  if (s.sts == nullptr && s.identity == nullptr) {
    co_return fail(iam::rpc_error(ErrorCode::NotImplemented, "InvalidAction.NotSupported",
                                  "The STS and RAM APIs are not enabled on this server."));
  }
  auto envelope = parse_rpc_envelope(params.value(), ctx.http.headers);
  if (!envelope) co_return fail(envelope.error());
  ctx.rpc_action = envelope->action;
  RpcVerifySettings settings;
  settings.max_skew = s.config.auth.max_skew;
  auto identity = verify_rpc_request(envelope.value(), params.value(), ctx.http.method, path_of(ctx.http.target),
                                     ctx.http.headers, body.value(), s.credentials, ctx.now, settings);
  if (!identity) co_return fail(identity.error());
  ctx.identity = std::move(identity.value());

  // After the signature: only signed calls can spend room in the ledger.
  if (s.nonces != nullptr) {
    meta::NonceLedger& ledger = *s.nonces;
    auto remember = [&] { return ledger.remember(envelope->access_key_id, envelope->nonce, ctx.now); };
    // The shared (PostgreSQL) ledger waits on the database: a write, so the
    // write pool, as every blocking store write; the in-memory one answers here.
    Result<meta::NonceLedger::Outcome> outcome = Error(ErrorCode::InternalError);
    if (ledger.blocks()) {
      outcome = co_await s.pool.run(remember);
    } else {
      outcome = remember();
    }
    if (!outcome) co_return fail(public_view_of_ledger_error(outcome.error(), ctx.request_id));
    switch (outcome.value()) {
      case meta::NonceLedger::Outcome::Fresh: break;
      case meta::NonceLedger::Outcome::Replayed:
        co_return fail(iam::rpc_error(ErrorCode::InvalidArgument, "SignatureNonceUsed",
                                      "Specified signature nonce was used already."));
      case meta::NonceLedger::Outcome::Full:
        co_return fail(iam::rpc_error(ErrorCode::ServiceUnavailable, "Throttling",
                                      "Request was denied due to request throttling."));
    }
  }

  auto api = api_for(envelope.value());
  if (!api) co_return fail(api.error());

  iam::RpcCall call;
  call.action = envelope->action;
  call.params = params->all;
  call.caller = ctx.identity;
  call.now = ctx.now;
  call.source_ip = ctx.http.remote_address;
  call.secure_transport = ctx.http.secure;
  if (const std::string* agent = ctx.header("User-Agent")) call.user_agent = *agent;

  Result<nlohmann::ordered_json> result = Error(ErrorCode::InternalError);
  if (api.value() == Api::Sts) {
    if (s.sts == nullptr)
      co_return fail(iam::rpc_error(ErrorCode::NotImplemented, "InvalidAction.NotSupported",
                                    "The STS API is not enabled on this server."));
    // Answered here on the I/O thread when the caches suffice (no store
    // read can block it); otherwise one hop to the read pool.
    if (auto cached = s.sts->call_cached(call)) {
      result = std::move(*cached);
    } else {
      result = co_await s.read_pool.run([&] { return s.sts->call(call); });
    }
  } else {
    if (s.identity == nullptr)
      co_return fail(iam::rpc_error(ErrorCode::NotImplemented, "InvalidAction.NotSupported",
                                    "The RAM API is not enabled on this server."));
    auto& pool = iam::IdentityService::is_read_only(call.action) ? s.read_pool : s.pool;
    result = co_await pool.run([&] { return s.identity->call(call); });
  }
  if (!result) co_return fail(result.error());
  co_return rpc_result_response(result.value(), call.action, ctx.request_id, xml);
}

}  // namespace ossd::api
