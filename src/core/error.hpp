#pragma once
// The closed set of errors the data path can produce. Each maps to exactly one
// OSS error code and HTTP status in src/oss/error_table.cpp.
#include <string>
#include <utility>
#include <vector>

namespace ossd {

enum class ErrorCode {
  AccessDenied,
  AccessForbidden,
  BadDigest,
  BucketAlreadyExists,
  BucketNotEmpty,
  EntityTooLarge,
  EntityTooSmall,
  FileAlreadyExists,
  IncompleteBody,
  InternalError,
  InvalidAccessKeyId,
  InvalidArgument,
  InvalidBucketName,
  InvalidDigest,
  InvalidEncodingType,
  InvalidObjectName,
  InvalidPart,
  InvalidPartOrder,
  InvalidPolicyDocument,
  InvalidRange,
  InvalidRequest,
  InvalidSecurityToken,
  InvalidTag,
  InvalidTargetType,
  MalformedPOSTRequest,
  MalformedXML,
  MethodNotAllowed,
  MissingArgument,
  MissingContentLength,
  NoSuchBucket,
  NoSuchCORSConfiguration,
  NoSuchKey,
  NoSuchUpload,
  NotImplemented,
  NotModified,
  ObjectNotAppendable,
  PositionNotEqualToLength,
  PreconditionFailed,
  RequestHeaderTooLarge,
  RequestTimeTooSkewed,
  RequestTimeout,
  SecurityTokenExpired,
  ServiceUnavailable,
  SignatureDoesNotMatch,
  TooManyBuckets,
};

// One error value: the code, a human message (empty = the table's default) and
// extra elements rendered into the OSS XML body (<BucketName>, <Key>,
// <StringToSign>...) and extra response headers (x-oss-next-append-position).
struct Error {
  ErrorCode code = ErrorCode::InternalError;
  std::string message;
  std::vector<std::pair<std::string, std::string>> details;
  std::vector<std::pair<std::string, std::string>> headers;

  Error() = default;
  Error(ErrorCode c, std::string msg = {}) : code(c), message(std::move(msg)) {}

  Error&& with(std::string name, std::string value) && {
    details.emplace_back(std::move(name), std::move(value));
    return std::move(*this);
  }
  Error&& with_header(std::string name, std::string value) && {
    headers.emplace_back(std::move(name), std::move(value));
    return std::move(*this);
  }
};

}  // namespace ossd
