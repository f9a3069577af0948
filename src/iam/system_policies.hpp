#pragma once
// The built-in System policies of RAM that ossd knows (PolicyType "System"):
// attachable to users, groups and roles like Custom policies, never stored or
// changed. Their documents are the ones Alibaba Cloud publishes, so a policy
// set that works on Alibaba Cloud works the same here.
#include <span>
#include <string_view>

namespace ossd::iam {

struct SystemPolicy {
  std::string_view name;  // e.g. "AliyunOSSReadOnlyAccess"
  std::string_view description;
  std::string_view document;  // the policy JSON
};

// Every System policy, in name order.
std::span<const SystemPolicy> system_policies();

// The System policy with exactly this name, or nullptr.
const SystemPolicy* find_system_policy(std::string_view name);

}  // namespace ossd::iam
