#include "cli/settings.hpp"

#include <algorithm>

#include "core/strings.hpp"

namespace ossd::cli {

namespace {

// Lower-case without '-' and '_'.
std::string squash(std::string_view name) {
  std::string out;
  for (char c : to_lower(name)) {
    if (c != '-' && c != '_') out.push_back(c);
  }
  return out;
}

Result<bool> parse_bool(std::string_view name, std::string_view value) {
  const std::string v = to_lower(trim(value));
  if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
  if (v == "0" || v == "false" || v == "no" || v == "off" || v.empty()) return false;
  return Error(ErrorCode::InvalidArgument,
               std::string(name) + " must be true or false, got '" + std::string(value) + "'");
}

Status apply(Settings& s, std::string_view flag, const std::string& value) {
  if (flag == "--endpoint") {
    s.endpoint = value;
  } else if (flag == "--region") {
    s.region = value;
  } else if (flag == "--access-key-id") {
    s.access_key_id = value;
  } else if (flag == "--access-key-secret") {
    s.access_key_secret = value;
  } else if (flag == "--sts-token") {
    s.sts_token = value;
  } else if (is_switch(flag)) {
    auto on = parse_bool(flag, value);
    if (!on) return on.error();
    (flag == "--path-style" ? s.path_style : s.cname) = *on;
  } else if (flag == "--signature-version") {
    const std::string v = std::string(trim(value));
    if (v != "1" && v != "4") return Error(ErrorCode::InvalidArgument, "--signature-version must be 1 or 4");
    s.signature_version = v == "1" ? 1 : 4;
  }
  return ok_status();
}

// The config key for a flag: "--access-key-id" -> "accesskeyid", plus the
// names ossutil's config file uses.
std::vector<std::string> config_keys_of(std::string_view flag) {
  std::vector<std::string> keys{squash(flag.substr(2))};
  if (flag == "--sts-token") keys.push_back("securitytoken");
  return keys;
}

}  // namespace

Result<Settings> resolve_settings(const std::vector<std::pair<std::string, std::string>>& flag_values,
                                  const std::function<std::optional<std::string>(std::string_view)>& env,
                                  const std::vector<ConfigEntry>& config) {
  std::vector<const ConfigEntry*> entries;
  for (const auto& entry : config) {
    const std::string section = squash(entry.section);
    if (!section.empty() && section != "default" && section != "credentials" && section != "ossctl") continue;
    const std::string key = squash(entry.key);
    const bool known = std::any_of(kSettingNames.begin(), kSettingNames.end(), [&](const SettingNames& n) {
      auto keys = config_keys_of(n.flag);
      return std::find(keys.begin(), keys.end(), key) != keys.end();
    });
    // ossutil writes "language" into the same section; it means nothing here.
    if (!known && key != "language") {
      return Error(ErrorCode::InvalidArgument, "unknown key '" + entry.key + "' in the config file");
    }
    entries.push_back(&entry);
  }

  Settings settings;
  for (const SettingNames& names : kSettingNames) {
    std::optional<std::string> value;
    for (const auto& [flag, given] : flag_values) {
      if (flag == names.flag) value = given;
    }
    if (!value && !names.env.empty()) value = env(names.env);
    if (!value) {
      const auto keys = config_keys_of(names.flag);
      for (const ConfigEntry* entry : entries) {
        if (std::find(keys.begin(), keys.end(), squash(entry->key)) != keys.end()) value = entry->value;
      }
    }
    if (value) {
      if (auto applied = apply(settings, names.flag, *value); !applied) return applied.error();
    }
  }
  if (settings.path_style && settings.cname) {
    return Error(ErrorCode::InvalidArgument, "--path-style and --cname exclude each other");
  }
  return settings;
}

client::ClientOptions client_options(const Settings& s) {
  client::ClientOptions options;
  options.endpoint = s.endpoint;
  options.region = s.region;
  options.credentials = {s.access_key_id, s.access_key_secret, s.sts_token};
  options.style = s.path_style ? client::AddressingStyle::Path
                  : s.cname    ? client::AddressingStyle::Cname
                               : client::AddressingStyle::Auto;
  options.signature_version = s.signature_version == 4 ? client::SignatureVersion::V4 : client::SignatureVersion::V1;
  options.user_agent = "ossctl/0.1";
  return options;
}

}  // namespace ossd::cli
