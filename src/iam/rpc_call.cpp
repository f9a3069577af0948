#include "iam/rpc_call.hpp"

#include <cstdint>

#include "core/strings.hpp"
#include "core/time_format.hpp"

namespace ossd::iam {

policy::Facts rpc_call_facts(const RpcCall& call, std::string action, std::string resource) {
  policy::Facts facts;
  facts.action = std::move(action);
  facts.resource = std::move(resource);
  if (!call.source_ip.empty()) facts.keys["acs:sourceip"] = {call.source_ip};
  facts.keys["acs:currenttime"] = {format_iso8601(call.now)};
  facts.keys["acs:securetransport"] = {call.secure_transport ? "true" : "false"};
  if (!call.user_agent.empty()) facts.keys["acs:useragent"] = {call.user_agent};
  if (!call.caller.access_key_id.empty()) facts.keys["acs:accessid"] = {call.caller.access_key_id};
  return facts;
}

std::string ram_arn(std::string_view account_id, std::string_view suffix) {
  std::string arn = "acs:ram::";
  arn.append(account_id).push_back(':');
  arn.append(suffix);
  return arn;
}

std::optional<int64_t> parse_rpc_integer(std::string_view text) {
  auto value = parse_uint64(text);
  if (!value || *value > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(*value);
}

}  // namespace ossd::iam
