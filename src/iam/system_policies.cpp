#include "iam/system_policies.hpp"

#include <algorithm>
#include <array>

namespace ossd::iam {

namespace {

// Documents as Alibaba Cloud's RAM console shows them (current versions).
constexpr std::array<SystemPolicy, 4> kSystemPolicies = {{
    {"AdministratorAccess", "Provides full access to Alibaba Cloud services and resources.",
     R"({"Statement":[{"Action":"*","Effect":"Allow","Resource":"*"}],"Version":"1"})"},
    {"AliyunOSSFullAccess", "Provides full access to Object Storage Service(OSS) via Management Console.",
     R"({"Statement":[{"Action":"oss:*","Effect":"Allow","Resource":"*"}],"Version":"1"})"},
    {"AliyunOSSReadOnlyAccess", "Provides read-only access to Object Storage Service(OSS) via Management Console.",
     R"({"Statement":[{"Action":["oss:Get*","oss:List*"],"Effect":"Allow","Resource":"*"}],"Version":"1"})"},
    {"AliyunSTSAssumeRoleAccess", "Provides access to the API AssumeRole of Security Token Service(STS).",
     R"({"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Resource":"*"}],"Version":"1"})"},
}};

static_assert(std::is_sorted(kSystemPolicies.begin(), kSystemPolicies.end(),
                             [](const SystemPolicy& a, const SystemPolicy& b) { return a.name < b.name; }),
              "kSystemPolicies must stay in name order");

}  // namespace

std::span<const SystemPolicy> system_policies() { return kSystemPolicies; }

const SystemPolicy* find_system_policy(std::string_view name) {
  for (const SystemPolicy& policy : kSystemPolicies) {
    if (policy.name == name) return &policy;
  }
  return nullptr;
}

}  // namespace ossd::iam
