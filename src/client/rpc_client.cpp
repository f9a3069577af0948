#include "ossd/rpc_client.hpp"

#include <algorithm>

#include "auth/rpc_signature.hpp"
#include "client/bodies.hpp"
#include "client/http_transport.hpp"
#include "client/response_parsing.hpp"
#include "core/time_format.hpp"
#include "crypto/secure_random.hpp"
#include "ossd/endpoint.hpp"

namespace ossd::client {

namespace {

constexpr std::string_view kMethodNames[] = {"GET", "POST"};

std::string_view method_name(RpcMethod method) { return kMethodNames[method == RpcMethod::Get ? 0 : 1]; }

void set_parameter(RpcParameters& params, std::string_view name, std::string value) {
  auto found = std::find_if(params.begin(), params.end(), [&](const auto& p) { return p.first == name; });
  if (found != params.end()) {
    found->second = std::move(value);
  } else {
    params.emplace_back(std::string(name), std::move(value));
  }
}

std::string string_or_empty(const nlohmann::json& object, const char* name) {
  if (!object.is_object()) return {};
  auto found = object.find(name);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string{};
}

// Codes of the RPC APIs carry a qualifier after a dot
// ("InvalidParameter.RoleArn"); the part before it may be one of ours.
ErrorCode error_code_of(unsigned status, std::string_view code) {
  if (auto named = detail::error_code_named(code)) return *named;
  if (const auto dot = code.find('.'); dot != std::string_view::npos) {
    if (auto named = detail::error_code_named(code.substr(0, dot))) return *named;
  }
  return detail::error_code_for_status(status);
}

std::optional<nlohmann::json> parse_json(std::string_view body) {
  nlohmann::json document = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return std::nullopt;
  return document;
}

}  // namespace

RpcParameters sign_rpc_request(RpcMethod method, std::string_view action, std::string_view version,
                               const RpcParameters& params, const Credentials& credentials, SystemTime now,
                               std::string_view nonce) {
  RpcParameters all = params;
  std::erase_if(all, [](const auto& p) { return p.first == "Signature"; });
  set_parameter(all, "Action", std::string(action));
  set_parameter(all, "Version", std::string(version));
  set_parameter(all, "Format", "JSON");
  set_parameter(all, "AccessKeyId", credentials.access_key_id);
  set_parameter(all, "SignatureMethod", "HMAC-SHA1");
  set_parameter(all, "SignatureVersion", "1.0");
  set_parameter(all, "SignatureNonce", std::string(nonce));
  set_parameter(all, "Timestamp", format_iso8601(now));
  if (credentials.temporary()) set_parameter(all, "SecurityToken", credentials.security_token);
  std::sort(all.begin(), all.end());
  const std::string string_to_sign = auth::rpc_string_to_sign(method_name(method), all, auth::RpcEncoding::Rfc3986);
  all.emplace_back("Signature", auth::rpc_signature(credentials.access_key_secret, string_to_sign));
  return all;
}

std::string rpc_encode_parameters(const RpcParameters& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    out += auth::rpc_percent_encode(name, auth::RpcEncoding::Rfc3986);
    out.push_back('=');
    out += auth::rpc_percent_encode(value, auth::RpcEncoding::Rfc3986);
  }
  return out;
}

Error rpc_error_from_response(unsigned status, std::string_view body) {
  auto document = parse_json(body);
  if (!document || !document->is_object()) return detail::error_from_response(status, {}, body);
  std::vector<std::pair<std::string, std::string>> details;
  for (const char* name : {"Code", "Message", "RequestId", "HostId", "Recommend"}) {
    std::string value = string_or_empty(*document, name);
    if (!value.empty()) details.emplace_back(name, std::move(value));
  }
  details.emplace_back(detail::kHttpStatusDetail, std::to_string(status));
  const std::string code = string_or_empty(*document, "Code");
  std::string message = string_or_empty(*document, "Message");
  if (message.empty()) message = code.empty() ? "HTTP " + std::to_string(status) : code;
  Error error(error_code_of(status, code), std::move(message));
  error.details = std::move(details);
  return error;
}

nlohmann::json to_json(const StsCredentials& credentials) {
  return nlohmann::json{{"AccessKeyId", credentials.access_key_id},
                        {"AccessKeySecret", credentials.access_key_secret},
                        {"SecurityToken", credentials.security_token},
                        {"Expiration", credentials.expiration}};
}

Result<AssumeRoleResult> parse_assume_role_response(const nlohmann::json& response) {
  AssumeRoleResult result;
  const nlohmann::json empty = nlohmann::json::object();
  const nlohmann::json& credentials =
      response.is_object() && response.contains("Credentials") ? response.at("Credentials") : empty;
  result.credentials.access_key_id = string_or_empty(credentials, "AccessKeyId");
  result.credentials.access_key_secret = string_or_empty(credentials, "AccessKeySecret");
  result.credentials.security_token = string_or_empty(credentials, "SecurityToken");
  result.credentials.expiration = string_or_empty(credentials, "Expiration");
  if (result.credentials.access_key_id.empty() || result.credentials.access_key_secret.empty() ||
      result.credentials.security_token.empty()) {
    return Error(ErrorCode::InternalError, "the AssumeRole response carries no complete Credentials");
  }
  const nlohmann::json& user = response.contains("AssumedRoleUser") ? response.at("AssumedRoleUser") : empty;
  result.assumed_role_arn = string_or_empty(user, "Arn");
  result.assumed_role_id = string_or_empty(user, "AssumedRoleId");
  result.request_id = string_or_empty(response, "RequestId");
  result.response = response;
  return result;
}

struct RpcClient::Impl {
  Impl(RpcClientOptions o, std::shared_ptr<const Clock> c, std::shared_ptr<Random> r)
      : options(std::move(o)),
        clock(std::move(c)),
        random(r ? std::move(r) : std::make_shared<crypto::SecureRandom>()),
        endpoint(parse_endpoint(options.endpoint)) {}

  RpcClientOptions options;
  std::shared_ptr<const Clock> clock;
  std::shared_ptr<Random> random;
  Result<Endpoint> endpoint;
  std::unique_ptr<detail::HttpTransport> transport;

  Status validate() const {
    if (options.endpoint.empty()) return Error(ErrorCode::InvalidArgument, "the RPC client needs an endpoint");
    if (!endpoint) return endpoint.error();
    if (endpoint->scheme != "http") {
      return Error(ErrorCode::NotImplemented, "this client speaks plain HTTP only");
    }
    if (options.credentials.access_key_id.empty() || options.credentials.access_key_secret.empty()) {
      return Error(ErrorCode::InvalidArgument, "RPC calls need an AccessKeyId and an AccessKeySecret");
    }
    return ok_status();
  }

  Result<nlohmann::json> call(std::string_view action, std::string_view version, const RpcParameters& params) {
    if (auto valid = validate(); !valid) return valid.error();
    const Endpoint& ep = *endpoint;
    // 16 random bytes: unique per request, as the server's replay check needs.
    const RpcParameters signed_params =
        sign_rpc_request(options.method, action, version, params, options.credentials, clock->now(), random->hex(16));
    const std::string encoded = rpc_encode_parameters(signed_params);

    // pop-core also names the action and version in headers; ossd routes
    // on either.
    std::vector<HeaderField> headers{{"Host", ep.authority()},
                                     {"User-Agent", options.user_agent},
                                     {"Accept", "application/json"},
                                     {"x-acs-action", std::string(action)},
                                     {"x-acs-version", std::string(version)}};
    detail::MemorySource form(encoded);
    detail::HttpRequest request{std::string(method_name(options.method)), "/", std::move(headers), nullptr};
    if (options.method == RpcMethod::Get) {
      request.target += "?" + encoded;
    } else {
      request.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
      request.body = &form;
    }

    if (!transport) {
      detail::TransportOptions transport_options;
      transport_options.host = ep.host.starts_with('[') ? ep.host.substr(1, ep.host.size() - 2) : ep.host;
      transport_options.port = ep.effective_port();
      transport_options.connect_timeout = options.connect_timeout;
      transport_options.io_timeout = options.io_timeout;
      transport = std::make_unique<detail::HttpTransport>(std::move(transport_options));
    }
    auto response = transport->send(request, nullptr);
    if (!response) return response.error();
    if (response->status / 100 != 2) return rpc_error_from_response(response->status, response->body);
    auto document = parse_json(response->body);
    if (!document) {
      return Error(ErrorCode::InternalError, std::string(action) + ": the answer is not JSON");
    }
    return std::move(*document);
  }
};

RpcClient::RpcClient(RpcClientOptions options, std::shared_ptr<const Clock> clock, std::shared_ptr<Random> random)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(clock), std::move(random))) {}
RpcClient::~RpcClient() = default;
RpcClient::RpcClient(RpcClient&&) noexcept = default;
RpcClient& RpcClient::operator=(RpcClient&&) noexcept = default;

Status RpcClient::validate() const { return impl_->validate(); }
const RpcClientOptions& RpcClient::options() const { return impl_->options; }

Result<nlohmann::json> RpcClient::call(std::string_view action, std::string_view version, const RpcParameters& params) {
  return impl_->call(action, version, params);
}

Result<AssumeRoleResult> RpcClient::assume_role(const AssumeRoleRequest& request) {
  RpcParameters params{{"RoleArn", request.role_arn},
                       {"RoleSessionName", request.session_name},
                       {"DurationSeconds", std::to_string(request.duration.count())}};
  if (!request.policy.empty()) params.emplace_back("Policy", request.policy);
  if (!request.external_id.empty()) params.emplace_back("ExternalId", request.external_id);
  auto response = call("AssumeRole", kStsApiVersion, params);
  if (!response) return response.error();
  return parse_assume_role_response(*response);
}

Result<nlohmann::json> RpcClient::get_caller_identity() { return call("GetCallerIdentity", kStsApiVersion); }

}  // namespace ossd::client
