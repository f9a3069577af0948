#include "cli/app.hpp"

#include <CLI/CLI.hpp>
#include <array>
#include <filesystem>

#include "cli/commands.hpp"
#include "cli/iam_app.hpp"
#include "cli/settings.hpp"
#include "ossd/client.hpp"
#include "ossd/error.hpp"

namespace ossd::cli {

namespace {

constexpr std::array<const char*, 6> kResponseOverrides = {"content-type",  "content-language",    "expires",
                                                           "cache-control", "content-disposition", "content-encoding"};

std::string setting_help(std::string_view flag) {
  if (flag == "--endpoint") return "Endpoint URL, e.g. http://127.0.0.1:9000 (default: http://<region>.aliyuncs.com)";
  if (flag == "--region") return "Region, as in oss-<region>.aliyuncs.com (default oss-cn-hangzhou)";
  if (flag == "--access-key-id") return "AccessKey id (long-term, or the STS temporary id)";
  if (flag == "--access-key-secret") return "AccessKey secret";
  if (flag == "--sts-token") return "STS security token, for temporary credentials";
  if (flag == "--path-style") return "Put the bucket in the path (http://host/bucket/key); automatic for IP endpoints";
  if (flag == "--cname") return "The endpoint host is a CNAME of the bucket (no bucket in the URL)";
  if (flag == "--signature-version") return "Signature version of ossctl's own requests: 1 or 4 (default 1)";
  return "";
}

// Reads the INI file with CLI11's parser. A missing default file is fine; a
// missing --config file is not.
Result<std::vector<ConfigEntry>> read_config(const std::string& path, bool required) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (!required) return std::vector<ConfigEntry>{};
    return Error(ErrorCode::InvalidArgument, "cannot read config file " + path);
  }
  std::vector<ConfigEntry> entries;
  try {
    for (const CLI::ConfigItem& item : CLI::ConfigINI().from_file(path)) {
      if (item.name == "++" || item.name == "--") continue;  // CLI11's section markers
      std::string section;
      for (const auto& parent : item.parents) section += (section.empty() ? "" : ".") + parent;
      std::string value;
      for (const auto& input : item.inputs) value += (value.empty() ? "" : ",") + input;
      entries.push_back({std::move(section), item.name, std::move(value)});
    }
  } catch (const CLI::Error& e) {
    return Error(ErrorCode::InvalidArgument, "cannot read config file " + path + ": " + e.what());
  }
  return entries;
}

int report(const Error& error, std::ostream& err) {
  err << "ossctl: " << client::describe(error) << '\n';
  const client::ServiceError typed = client::service_error(error);
  return typed.http_status == 0 && error.code == ErrorCode::InvalidArgument ? 2 : 1;
}

}  // namespace

int run(int argc, const char* const* argv, const Environment& env) {
  CLI::App app(
      "ossctl: command-line client for ossd and Alibaba Cloud OSS.\n"
      "Settings come from flags, then OSS_* environment variables, then the config file.",
      "ossctl");
  app.require_subcommand(1);

  std::string config_path;
  app.add_option("--config", config_path,
                 "INI file with endpoint, region, access-key-id, access-key-secret, sts-token, path-style "
                 "(default ~/.ossctl.ini)");
  std::vector<std::pair<CLI::Option*, std::string>> setting_values(kSettingNames.size());
  for (std::size_t i = 0; i < kSettingNames.size(); ++i) {
    const SettingNames& names = kSettingNames[i];
    std::string text = setting_help(names.flag);
    if (!names.env.empty()) text += " [env: " + std::string(names.env) + "]";
    // const: CLI11 binds a non-const string argument of add_flag as the flag's variable.
    const std::string& help = text;
    CLI::Option* option = nullptr;
    if (is_switch(names.flag)) {
      option = app.add_flag(std::string(names.flag), help);
    } else {
      option = app.add_option(std::string(names.flag), setting_values[i].second, help);
    }
    option->group("Connection");
    setting_values[i].first = option;
  }

  // sign
  SignArgs sign_args;
  std::array<std::string, kResponseOverrides.size()> response_values;
  std::optional<int64_t> now_seconds;
  CLI::App* sign = app.add_subcommand("sign", "Print a signed URL (ali-oss signatureUrl, or signatureUrlV4 with --v4)");
  sign->add_option("uri", sign_args.uri, "oss://bucket/key")->required();
  sign->add_option("--method", sign_args.method, "HTTP method the URL allows")->capture_default_str();
  sign->add_option("--expires", sign_args.expires, "Validity in seconds")->capture_default_str();
  sign->add_option("--content-type", sign_args.content_type, "Content-Type the requester must send");
  sign->add_option("--content-md5", sign_args.content_md5, "Content-MD5 the requester must send");
  sign->add_option("--header", sign_args.headers,
                   "Header the requester must send, name=value (repeatable); x-oss-* only without --v4");
  std::vector<CLI::Option*> response_options;
  for (std::size_t i = 0; i < kResponseOverrides.size(); ++i) {
    const std::string name = kResponseOverrides[i];
    response_options.push_back(
        sign->add_option("--response-" + name, response_values[i], "Override the response's " + name + " header")
            ->group("Response overrides (bound in the URL, kept in the order given)"));
  }
  sign->add_option("--process", sign_args.process, "x-oss-process, e.g. image/resize,w_200");
  sign->add_option("--traffic-limit", sign_args.traffic_limit, "x-oss-traffic-limit in bit/s");
  sign->add_flag("--v4", sign_args.v4, "Sign with V4 (OSS4-HMAC-SHA256) instead of V1");
  sign->add_option("--additional-header", sign_args.additional_headers,
                   "V4: also sign this header of the request (repeatable)");
  sign->add_option("--now", now_seconds,
                   "Sign as if the clock read this Unix time in seconds. For reproducible output in tests and "
                   "examples only: the URL expires relative to this time")
      ->group("Testing");

  // ls
  std::string ls_uri;
  bool ls_recursive = false;
  CLI::App* ls = app.add_subcommand("ls", "List buckets, or the objects of oss://bucket[/prefix]");
  ls->add_option("uri", ls_uri, "oss://bucket[/prefix]; none lists the buckets");
  ls->add_flag("-r,--recursive", ls_recursive, "List every key under the prefix, not one level");

  // cp
  TransferArgs cp_args;
  bool cp_no_progress = false;
  CLI::App* cp = app.add_subcommand("cp", "Upload a file to oss://bucket/key or download an object to a file");
  cp->add_option("source", cp_args.source, "Local file or oss://bucket/key")->required();
  cp->add_option("destination", cp_args.destination,
                 "oss://bucket/key (a trailing / appends the file name), a local path, or - for stdout")
      ->required();
  cp->add_option("--multipart-threshold", cp_args.multipart_threshold,
                 "Upload files this large or larger in parts (e.g. 100MiB)")
      ->transform(CLI::AsSizeValue(false))
      ->default_str("100MiB");
  cp->add_option("--part-size", cp_args.part_size, "Part size of multipart uploads (e.g. 8MiB)")
      ->transform(CLI::AsSizeValue(false))
      ->default_str("8MiB");
  cp->add_option("--content-type", cp_args.content_type, "Content-Type of the uploaded object");
  cp->add_flag("--no-progress", cp_no_progress, "No progress bar, even on a terminal");

  // rm, stat, mb, rb
  std::string rm_uri;
  bool rm_recursive = false;
  CLI::App* rm = app.add_subcommand("rm", "Delete an object, or with -r every object under a prefix");
  rm->add_option("uri", rm_uri, "oss://bucket/key")->required();
  rm->add_flag("-r,--recursive", rm_recursive, "Delete every object under the prefix");
  std::string stat_uri;
  CLI::App* stat_cmd = app.add_subcommand("stat", "Show an object's metadata");
  stat_cmd->add_option("uri", stat_uri, "oss://bucket/key")->required();
  std::string mb_uri;
  std::string mb_acl;
  CLI::App* mb = app.add_subcommand("mb", "Create a bucket");
  mb->add_option("uri", mb_uri, "oss://bucket")->required();
  mb->add_option("--acl", mb_acl, "private, public-read or public-read-write")
      ->check(CLI::IsMember({"private", "public-read", "public-read-write"}));
  std::string rb_uri;
  CLI::App* rb = app.add_subcommand("rb", "Delete an empty bucket");
  rb->add_option("uri", rb_uri, "oss://bucket")->required();

  CorsArgs cors_args;
  CLI::App* cors = app.add_subcommand("cors", "Bucket CORS rules (what lets a web page call the bucket)");
  cors->require_subcommand(1);
  CLI::App* cors_put = cors->add_subcommand("put", "Replace a bucket's CORS rules with one rule");
  cors_put->add_option("uri", cors_args.uri, "oss://bucket")->required();
  cors_put->add_option("--origin", cors_args.origins, "Allowed origin, e.g. http://127.0.0.1:8080 or * (repeatable)")
      ->required();
  cors_put->add_option("--method", cors_args.methods, "Allowed method (repeatable)")->capture_default_str();
  cors_put->add_option("--header", cors_args.headers, "Allowed request header (repeatable)")->capture_default_str();
  cors_put->add_option("--expose-header", cors_args.expose_headers, "Response header the page may read (repeatable)")
      ->capture_default_str();
  cors_put->add_option("--max-age", cors_args.max_age_seconds, "Seconds a browser may cache a preflight");

  for (CLI::App* sub : {sign, ls, cp, rm, stat_cmd, mb, rb, cors, cors_put}) sub->fallthrough();

  // admin and sts
  IamCommands iam(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e, env.out, env.err);
  }

  // Settings: flags, then environment, then config file.
  std::vector<std::pair<std::string, std::string>> given;
  for (std::size_t i = 0; i < kSettingNames.size(); ++i) {
    CLI::Option* option = setting_values[i].first;
    if (option->count() == 0) continue;
    const std::string_view flag = kSettingNames[i].flag;
    given.emplace_back(std::string(flag), is_switch(flag) ? std::string("true") : setting_values[i].second);
  }
  std::string path = config_path;
  if (path.empty()) {
    if (auto home = env.getenv("HOME")) path = *home + "/.ossctl.ini";
  }
  auto config = path.empty() ? Result<std::vector<ConfigEntry>>(std::vector<ConfigEntry>{})
                             : read_config(path, !config_path.empty());
  if (!config) return report(config.error(), env.err);
  auto settings = resolve_settings(given, env.getenv, *config);
  if (!settings) return report(settings.error(), env.err);

  if (iam.parsed()) return iam.run(*settings, env);

  if (sign->parsed()) {
    // ali-oss orders response-* parameters as its options object lists
    // them, so the command line's order is kept.
    for (CLI::Option* option : sign->parse_order()) {
      for (std::size_t i = 0; i < response_options.size(); ++i) {
        if (option != response_options[i]) continue;
        const std::string name = kResponseOverrides[i];
        std::erase_if(sign_args.response, [&](const auto& entry) { return entry.first == name; });
        sign_args.response.emplace_back(name, response_values[i]);
      }
    }
    const SystemTime now = now_seconds ? from_unix_seconds(*now_seconds) : SystemClock().now();
    auto url = sign_url(*settings, sign_args, now);
    if (!url) return report(url.error(), env.err);
    env.out << *url << '\n';
    return 0;
  }

  client::Client client(client_options(*settings));
  if (auto valid = client.validate(); !valid) return report(valid.error(), env.err);
  Status status = ok_status();
  if (ls->parsed()) {
    status = list(client, ls_uri, ls_recursive, env.out);
  } else if (cp->parsed()) {
    cp_args.progress = env.out_is_terminal && !cp_no_progress;
    status = copy(client, cp_args, env.out);
  } else if (rm->parsed()) {
    status = remove(client, rm_uri, rm_recursive, env.out);
  } else if (stat_cmd->parsed()) {
    status = stat(client, stat_uri, env.out);
  } else if (mb->parsed()) {
    status = make_bucket(client, mb_uri, mb_acl, env.out);
  } else if (rb->parsed()) {
    status = remove_bucket(client, rb_uri, env.out);
  } else if (cors_put->parsed()) {
    status = put_cors(client, cors_args, env.out);
  }
  if (!status) return report(status.error(), env.err);
  return 0;
}

}  // namespace ossd::cli
