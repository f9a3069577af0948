#pragma once
// The root account: the one identity that exists before any other, with the
// long-term AccessKey an operator uses to create buckets, RAM users and STS
// roles. Loaded at start-up from the environment or <data_dir>/root-account.json,
// or generated once and stored there (mode 0600).
#include <filesystem>
#include <map>
#include <string>

#include "core/random.hpp"
#include "core/result.hpp"

namespace ossd::server {

struct RootAccount {
  std::string account_id;         // 16 decimal digits, stable across restarts
  std::string access_key_id;      // "LTAI" + 20 alphanumerics when generated
  std::string access_key_secret;  // 30 alphanumerics when generated
  bool generated_now = false;     // the key pair was created by this call: show it to the operator once
};

inline constexpr const char* kRootAccountFile = "root-account.json";

// Variable names read from `env_or_overrides`:
//   OSSD_ROOT_ACCESS_KEY_ID, OSSD_ROOT_ACCESS_KEY_SECRET  both or neither; they win over the file
//                                                         and are never written to disk
//   OSSD_ROOT_ACCOUNT_ID                                  optional, 16 digits; wins over the file
//                                                         (several gateways must agree on it)
// Without env keys: the keys in the file, else newly generated ones written to the file. The
// account id is always persisted in the file (generated on first start) so that it stays stable.
// The data directory is created with mode 0700 when missing; the file must not be accessible
// to group or others.
Result<RootAccount> load_or_create_root_account(const std::filesystem::path& data_dir,
                                                const std::map<std::string, std::string>& env_or_overrides,
                                                Random& random);

// The OSSD_ROOT_* variables of this process, for load_or_create_root_account.
std::map<std::string, std::string> root_account_environment();

}  // namespace ossd::server
