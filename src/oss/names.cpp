#include "oss/names.hpp"

#include <string>

#include "core/strings.hpp"

namespace ossd::oss {

namespace {

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

}  // namespace

Status validate_bucket_name(std::string_view name) {
  bool ok = name.size() >= 3 && name.size() <= 63 && lower_alnum(name.front()) && lower_alnum(name.back());
  for (std::size_t i = 0; ok && i < name.size(); ++i) ok = lower_alnum(name[i]) || name[i] == '-';
  if (ok) return ok_status();
  return Error(ErrorCode::InvalidBucketName).with("BucketName", std::string(name));
}

Status validate_object_key(std::string_view key) {
  if (key.empty()) return Error(ErrorCode::InvalidObjectName, "The Object name can not be empty");
  if (key.size() > kMaxObjectKeyBytes) {
    return Error(ErrorCode::InvalidObjectName, "The Length of Object name must be less than 1024");
  }
  if (!is_valid_utf8(key)) return Error(ErrorCode::InvalidObjectName, "The object name is not valid UTF-8.");
  if (key.front() == '/' || key.front() == '\\') {
    return Error(ErrorCode::InvalidObjectName, "The object name can not start with '/' or '\\'.");
  }
  return ok_status();
}

}  // namespace ossd::oss
