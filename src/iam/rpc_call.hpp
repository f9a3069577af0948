#pragma once
// One verified call of an RPC-style API (RAM 2015-05-01, STS 2015-04-01) as
// the services see it: the action, its decoded parameters (the signature's
// common parameters included; services read only their own), who signed it
// and the request facts that policy conditions may test.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "auth/identity.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "policy/policy.hpp"

namespace ossd::iam {

using RpcParams = std::map<std::string, std::string, std::less<>>;

struct RpcCall {
  std::string action;  // "CreateUser", "AssumeRole"
  RpcParams params;
  auth::Identity caller;  // verified
  SystemTime now;
  std::string source_ip;  // peer address
  bool secure_transport = false;
  std::string user_agent;

  const std::string* param(std::string_view name) const {
    auto it = params.find(name);
    return it == params.end() ? nullptr : &it->second;
  }
};

// Facts for judging the caller's own policies on `action` and `resource`:
// acs:sourceip, acs:currenttime, acs:securetransport, acs:useragent (when
// sent) and acs:accessid. principal_ids stays empty (the Authorizer fills it).
policy::Facts rpc_call_facts(const RpcCall& call, std::string action, std::string resource);

// "acs:ram::<account>:<suffix>", e.g. suffix "role/oss-writer". The region
// part is empty, so it matches policy resources written either as
// "acs:ram::<account>:role/x" or "acs:ram:*:<account>:role/x".
std::string ram_arn(std::string_view account_id, std::string_view suffix);

// Decimal digits of a RAM id or a count (no sign, no spaces); nullopt otherwise.
std::optional<int64_t> parse_rpc_integer(std::string_view text);

}  // namespace ossd::iam
