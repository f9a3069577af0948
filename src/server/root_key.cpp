#include "server/root_key.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <system_error>

#include "fileio/durable_file.hpp"
#include "iam/random_text.hpp"

namespace ossd::server {
namespace {

namespace fs = std::filesystem;

constexpr const char* kEnvKeyId = "OSSD_ROOT_ACCESS_KEY_ID";
constexpr const char* kEnvKeySecret = "OSSD_ROOT_ACCESS_KEY_SECRET";
constexpr const char* kEnvAccountId = "OSSD_ROOT_ACCOUNT_ID";

// No leading zero: the id is also read as a number by some tools.
std::string new_account_id(Random& random) { return iam::random_numeric_id(random, 16); }

bool is_account_id(const std::string& s) {
  return s.size() == 16 && s.find_first_not_of(iam::kDigits) == std::string::npos;
}

Error io_error(const std::string& what, const fs::path& path, int err) {
  return Error(ErrorCode::InternalError, what + " " + path.string() + ": " + std::strerror(err));
}

struct StoredAccount {
  std::string account_id;
  std::string access_key_id;  // empty when the keys come from the environment
  std::string access_key_secret;
};

std::optional<std::string> lookup(const std::map<std::string, std::string>& env, const char* name) {
  auto it = env.find(name);
  if (it == env.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

Status ensure_data_dir(const fs::path& dir) {
  std::error_code ec;
  auto st = fs::status(dir, ec);
  if (!ec && fs::is_directory(st)) return ok_status();
  if (!ec && fs::exists(st))
    return Error(ErrorCode::InvalidArgument, "data dir " + dir.string() + " is not a directory");
  fs::create_directories(dir, ec);
  if (ec) return Error(ErrorCode::InternalError, "cannot create data dir " + dir.string() + ": " + ec.message());
  // The directory holds secrets and objects: nobody but the owner gets in.
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) return Error(ErrorCode::InternalError, "cannot chmod data dir " + dir.string() + ": " + ec.message());
  return ok_status();
}

Result<std::optional<StoredAccount>> read_file(const fs::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::optional<StoredAccount>{};
    return io_error("cannot stat", path, errno);
  }
  if (!S_ISREG(st.st_mode)) return Error(ErrorCode::InvalidArgument, path.string() + " is not a regular file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Error(ErrorCode::InvalidArgument, path.string() + " has mode " + mode +
                                                 "; it holds a secret and must be accessible by its owner only "
                                                 "(chmod 600)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return io_error("cannot read", path, errno);
  std::stringstream text;
  text << in.rdbuf();

  auto bad = [&](const std::string& why) { return Error(ErrorCode::InvalidArgument, path.string() + ": " + why); };
  auto json = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return bad("not a JSON object");
  auto string_field = [&](const char* name) -> std::optional<std::string> {
    auto it = json.find(name);
    if (it == json.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  StoredAccount a;
  auto id = string_field("account_id");
  if (!id || !is_account_id(*id)) return bad("account_id must be a string of 16 digits");
  a.account_id = *id;
  auto key_id = string_field("access_key_id");
  auto secret = string_field("access_key_secret");
  if (key_id.value_or("").empty() != secret.value_or("").empty()) {
    return bad("access_key_id and access_key_secret must be present together");
  }
  a.access_key_id = key_id.value_or("");
  a.access_key_secret = secret.value_or("");
  return std::optional<StoredAccount>(std::move(a));
}

// Written to a temporary file that is fsynced and renamed over the old one,
// then the directory is fsynced: after a crash the file is old or new, never
// torn, and a completed call survives power loss.
Status write_file(const fs::path& path, const StoredAccount& a, Random& random) {
  nlohmann::json json = {{"account_id", a.account_id}};
  if (!a.access_key_id.empty()) {
    json["access_key_id"] = a.access_key_id;
    json["access_key_secret"] = a.access_key_secret;
  }
  return fileio::replace_private_file(path, json.dump(2) + "\n", ".tmp-" + random.hex(8));
}

}  // namespace

Result<RootAccount> load_or_create_root_account(const fs::path& data_dir, const std::map<std::string, std::string>& env,
                                                Random& random) {
  auto env_id = lookup(env, kEnvKeyId);
  auto env_secret = lookup(env, kEnvKeySecret);
  if (env_id.has_value() != env_secret.has_value()) {
    return Error(ErrorCode::InvalidArgument,
                 std::string(kEnvKeyId) + " and " + kEnvKeySecret + " must be set together");
  }
  auto env_account = lookup(env, kEnvAccountId);
  if (env_account && !is_account_id(*env_account)) {
    return Error(ErrorCode::InvalidArgument, std::string(kEnvAccountId) + " must be 16 digits");
  }

  if (auto st = ensure_data_dir(data_dir); !st) return st.error();
  const fs::path path = data_dir / kRootAccountFile;
  auto stored = read_file(path);
  if (!stored) return stored.error();

  StoredAccount file;
  bool dirty = false;
  if (stored->has_value()) {
    file = **stored;
  } else {
    file.account_id = env_account ? *env_account : new_account_id(random);
    dirty = true;
  }

  RootAccount account;
  account.account_id = env_account ? *env_account : file.account_id;
  if (env_id) {
    // Secrets from the environment stay there: the file keeps only the id.
    account.access_key_id = *env_id;
    account.access_key_secret = *env_secret;
  } else {
    if (file.access_key_id.empty()) {
      file.access_key_id = "LTAI" + iam::random_text(random, iam::kAlphanumeric, 20);
      file.access_key_secret = iam::random_text(random, iam::kAlphanumeric, 30);
      account.generated_now = true;
      dirty = true;
    }
    account.access_key_id = file.access_key_id;
    account.access_key_secret = file.access_key_secret;
  }

  if (dirty) {
    if (auto st = write_file(path, file, random); !st) return st.error();
  }
  return account;
}

std::map<std::string, std::string> root_account_environment() {
  std::map<std::string, std::string> env;
  for (const char* name : {kEnvKeyId, kEnvKeySecret, kEnvAccountId}) {
    if (const char* value = std::getenv(name)) env.emplace(name, value);
  }
  return env;
}

}  // namespace ossd::server
