#pragma once
// Where ossctl's connection settings come from. Each setting is taken from
// the first source that has it: command-line flag, then the environment
// variable Alibaba's tools read, then the config file, then the default.
#include <array>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "ossd/client.hpp"

namespace ossd::cli {

struct Settings {
  std::string endpoint;  // empty: http://<region>.aliyuncs.com
  std::string region = "oss-cn-hangzhou";
  std::string access_key_id;
  std::string access_key_secret;
  std::string sts_token;
  bool path_style = false;
  bool cname = false;
  int signature_version = 1;  // of ossctl's own requests (1 or 4)
};

// One setting's name in each source.
struct SettingNames {
  std::string_view flag;  // "--endpoint"
  std::string_view env;   // "OSS_ENDPOINT", or "" when none
};

// The settings, in the order --help lists them.
inline constexpr std::array<SettingNames, 8> kSettingNames = {{
    {"--endpoint", "OSS_ENDPOINT"},
    {"--region", "OSS_REGION"},
    {"--access-key-id", "OSS_ACCESS_KEY_ID"},
    {"--access-key-secret", "OSS_ACCESS_KEY_SECRET"},
    {"--sts-token", "OSS_SESSION_TOKEN"},
    {"--path-style", ""},
    {"--cname", ""},
    {"--signature-version", ""},
}};

// The settings that are on/off flags rather than options with a value.
constexpr bool is_switch(std::string_view flag) { return flag == "--path-style" || flag == "--cname"; }

// A key=value line of the config file. Sections other than none,
// [default], [Credentials] (ossutil's) and [ossctl] are ignored; key names
// are compared without case, '-' and '_', so access-key-id, accessKeyID
// and access_key_id are one key.
struct ConfigEntry {
  std::string section;
  std::string key;
  std::string value;
};

// flag_values: what the command line gave (flag -> value, only for flags
// present). env: a lookup (nullopt = unset). An unknown config key or a bad
// value is InvalidArgument.
Result<Settings> resolve_settings(const std::vector<std::pair<std::string, std::string>>& flag_values,
                                  const std::function<std::optional<std::string>(std::string_view)>& env,
                                  const std::vector<ConfigEntry>& config);

client::ClientOptions client_options(const Settings& settings);

}  // namespace ossd::cli
