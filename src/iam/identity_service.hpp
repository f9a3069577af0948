#pragma once
// The RAM API (version 2015-05-01) of the one account: users, access keys,
// groups, roles, custom policies and attachments, with the parameter rules,
// error codes and JSON shapes of Alibaba Cloud's RAM, so @alicloud/ram20150501
// drives it unchanged.
//
// Who may call: the account root always; a RAM user or an assumed role when
// its policies allow "ram:<Action>" on the entity's ARN
// ("acs:ram::<account>:user/<name>", ".../group/<name>", ".../role/<name>",
// ".../policy/<name>"; listings use ".../<kind>/*"). Every successful write
// runs `on_change` (the composition root forgets cached credentials and
// policies there), so a disabled key or a detached policy counts at once.
//
// Blocking (store reads and writes, policy decisions): call from a work pool.
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/random.hpp"
#include "core/result.hpp"
#include "iam/rpc_call.hpp"
#include "iam/secret_box.hpp"
#include "meta/identity_store.hpp"

namespace ossd::iam {

class Authorizer;

// Limits of the RAM API that ossd enforces.
inline constexpr size_t kMaxAccessKeysPerUser = 2;
inline constexpr size_t kMaxPolicyDocumentChars = 6144;  // CreatePolicy / CreatePolicyVersion
inline constexpr size_t kMaxTrustPolicyChars = 2048;     // AssumeRolePolicyDocument
inline constexpr int64_t kMinRoleSessionDuration = 3600;
inline constexpr int64_t kMaxRoleSessionDuration = 43200;

class IdentityService {
 public:
  // authorizer may be null: then only the root may call.
  IdentityService(meta::IdentityStore& store, const SecretBox& box, Random& random, std::string account_id,
                  Authorizer* authorizer, std::function<void()> on_change);
  ~IdentityService();
  IdentityService(const IdentityService&) = delete;
  IdentityService& operator=(const IdentityService&) = delete;

  // Whether `action` is a RAM action this service implements.
  static bool handles(std::string_view action);
  // Whether it only reads (Get*, List*): such calls may use the read pool.
  static bool is_read_only(std::string_view action);

  // The response body without RequestId, or an Error carrying the RAM code
  // (iam/rpc_error.hpp, or the store's "RamCode" detail).
  Result<nlohmann::ordered_json> call(const RpcCall& call);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ossd::iam
