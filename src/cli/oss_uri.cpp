#include "cli/oss_uri.hpp"

#include "core/strings.hpp"

namespace ossd::cli {

namespace {
constexpr std::string_view kScheme = "oss://";
}

bool is_oss_uri(std::string_view text) { return istarts_with(text, kScheme); }

Result<OssUri> parse_oss_uri(std::string_view text) {
  if (!is_oss_uri(text)) {
    return Error(ErrorCode::InvalidArgument, "expected oss://bucket[/key], got '" + std::string(text) + "'");
  }
  std::string_view rest = text.substr(kScheme.size());
  const auto slash = rest.find('/');
  OssUri uri{std::string(rest.substr(0, slash)),
             slash == std::string_view::npos ? "" : std::string(rest.substr(slash + 1))};
  if (uri.bucket.empty()) return Error(ErrorCode::InvalidArgument, "no bucket in '" + std::string(text) + "'");
  return uri;
}

}  // namespace ossd::cli
