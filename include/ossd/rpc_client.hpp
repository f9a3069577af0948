#pragma once
// A synchronous client for Alibaba Cloud's RPC-style APIs as ossd serves
// them at its service root: STS (2015-04-01: AssumeRole, GetCallerIdentity)
// and RAM (2015-05-01: users, keys, groups, roles, policies). Requests are
// signed like @alicloud/pop-core (signature 1.0, HMAC-SHA1, spec §6.1)
// through src/auth, sent as GET with the parameters in the query or as a
// POST form, and answered in JSON (Format=JSON). One RpcClient keeps one
// connection alive and is not thread-safe; use one per thread.
//
// Errors: a JSON error document ({"Code","Message","RequestId","HostId",
// "Recommend"}) becomes an ossd::Error whose details hold those names plus
// HttpStatus, so service_error() and describe() of ossd/error.hpp read it
// like an OSS error.
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "ossd/credentials.hpp"

namespace ossd::client {

inline constexpr std::string_view kStsApiVersion = "2015-04-01";
inline constexpr std::string_view kRamApiVersion = "2015-05-01";

enum class RpcMethod { Get, Post };

// Name/value pairs, decoded. Order does not matter to the signature.
using RpcParameters = std::vector<std::pair<std::string, std::string>>;

struct RpcClientOptions {
  // "http://127.0.0.1:9000": where ossd listens. Any path is ignored; RPC
  // requests go to "/". Plain HTTP only, like the OSS client.
  std::string endpoint;
  Credentials credentials;  // a temporary key adds the SecurityToken parameter
  RpcMethod method = RpcMethod::Post;
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds io_timeout{60};
  std::string user_agent = "ossd-client/0.1";
};

// ---------------------------------------------------------------- pure parts

// Every parameter of a request: `params`, then the common ones (Action,
// Version, Format=JSON, AccessKeyId, SignatureMethod=HMAC-SHA1,
// SignatureVersion=1.0, SignatureNonce, Timestamp as YYYY-MM-DDThh:mm:ssZ,
// SecurityToken for a temporary key), sorted by name, with Signature last:
// the order pop-core sends them in. A common name given in `params` is
// replaced.
RpcParameters sign_rpc_request(RpcMethod method, std::string_view action, std::string_view version,
                               const RpcParameters& params, const Credentials& credentials, SystemTime now,
                               std::string_view nonce);

// name=value pairs joined by '&', each RFC 3986-encoded: the GET query and
// the POST form body.
std::string rpc_encode_parameters(const RpcParameters& params);

// The Error of a non-2xx answer. The body is the JSON error document; a
// body that is not JSON (an OSS XML error, a proxy's page) is read as an
// OSS error instead. The ErrorCode is the one named by Code when there is
// one ("SignatureDoesNotMatch"), else the one named by Code's first part
// ("EntityNotExist" of "EntityNotExist.Role"), else the nearest one for
// the status.
Error rpc_error_from_response(unsigned status, std::string_view body);

// What AssumeRole hands out, and what a token service returns to browsers.
struct StsCredentials {
  std::string access_key_id;  // "STS.…"
  std::string access_key_secret;
  std::string security_token;
  std::string expiration;  // UTC ISO 8601, as the server wrote it

  Credentials as_credentials() const { return {access_key_id, access_key_secret, security_token}; }
};

struct AssumeRoleRequest {
  std::string role_arn;      // acs:ram::<account-id>:role/<name>
  std::string session_name;  // RoleSessionName
  std::chrono::seconds duration{3600};
  std::string policy;       // session policy JSON; empty: none
  std::string external_id;  // empty: none
};

struct AssumeRoleResult {
  StsCredentials credentials;
  std::string assumed_role_arn;  // AssumedRoleUser.Arn
  std::string assumed_role_id;   // AssumedRoleUser.AssumedRoleId
  std::string request_id;
  nlohmann::json response;  // the whole document
};

// {"AccessKeyId","AccessKeySecret","SecurityToken","Expiration"}: the shape
// the seed's token service returns.
nlohmann::json to_json(const StsCredentials& credentials);

// An AssumeRole response document; InternalError when Credentials is
// missing or incomplete.
Result<AssumeRoleResult> parse_assume_role_response(const nlohmann::json& response);

// ---------------------------------------------------------------- the client

class RpcClient {
 public:
  // `random` makes the SignatureNonce values; null means the OpenSSL CSPRNG.
  explicit RpcClient(RpcClientOptions options, std::shared_ptr<const Clock> clock = std::make_shared<SystemClock>(),
                     std::shared_ptr<Random> random = nullptr);
  ~RpcClient();
  RpcClient(RpcClient&&) noexcept;
  RpcClient& operator=(RpcClient&&) noexcept;
  RpcClient(const RpcClient&) = delete;
  RpcClient& operator=(const RpcClient&) = delete;

  // A usable endpoint and a complete key pair.
  Status validate() const;
  const RpcClientOptions& options() const;

  // Any action: the parsed JSON answer of a 2xx response, or the error.
  Result<nlohmann::json> call(std::string_view action, std::string_view version, const RpcParameters& params = {});

  // STS.
  Result<AssumeRoleResult> assume_role(const AssumeRoleRequest& request);
  Result<nlohmann::json> get_caller_identity();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ossd::client
