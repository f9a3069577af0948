#pragma once
// The closed set of errors the data path can produce. Each maps to exactly one
// OSS error code and HTTP status in src/oss/error_table.cpp.
#include <string>
#include <utility>
#include <vector>

namespace ossd {

#define OSSD_ERROR_CODES(X) \
  X(AccessDenied) \
  X(AccessForbidden) \
  X(BadDigest) \
  X(BucketAlreadyExists) \
  X(BucketNotEmpty) \
  X(DeleteConflict) \
  X(EntityAlreadyExists) \
  X(EntityNotExist) \
  X(EntityTooLarge) \
  X(EntityTooSmall) \
  X(FileAlreadyExists) \
  X(IncompleteBody) \
  X(InternalError) \
  X(InvalidAccessKeyId) \
  X(InvalidArgument) \
  X(InvalidBucketName) \
  X(InvalidDigest) \
  X(InvalidEncodingType) \
  X(InvalidObjectName) \
  X(InvalidPart) \
  X(InvalidPartOrder) \
  X(InvalidPolicyDocument) \
  X(InvalidRange) \
  X(InvalidRequest) \
  X(InvalidSecurityToken) \
  X(InvalidTag) \
  X(InvalidTargetType) \
  X(LimitExceeded) \
  X(MalformedPOSTRequest) \
  X(MalformedXML) \
  X(MethodNotAllowed) \
  X(MissingArgument) \
  X(MissingContentLength) \
  X(NoSuchBucket) \
  X(NoSuchBucketPolicy) \
  X(NoSuchCORSConfiguration) \
  X(NoSuchKey) \
  X(NoSuchStyle) \
  X(NoSuchUpload) \
  X(NotImplemented) \
  X(NotModified) \
  X(ObjectNotAppendable) \
  X(PositionNotEqualToLength) \
  X(PreconditionFailed) \
  X(RequestHeaderTooLarge) \
  X(RequestTimeTooSkewed) \
  X(RequestTimeout) \
  X(SecurityTokenExpired) \
  X(ServiceUnavailable) \
  X(SignatureDoesNotMatch) \
  X(TooManyBuckets)

enum class ErrorCode {
#define OSSD_ERROR_ENUM(name) name,
  OSSD_ERROR_CODES(OSSD_ERROR_ENUM)
#undef OSSD_ERROR_ENUM
};

// Every code, for code that maps names or walks the set (the client parsing
// OSS error documents, the error-table tests).
inline constexpr ErrorCode kAllErrorCodes[] = {
#define OSSD_ERROR_ITEM(name) ErrorCode::name,
    OSSD_ERROR_CODES(OSSD_ERROR_ITEM)
#undef OSSD_ERROR_ITEM
};

// One error value: the code, a human message (empty = the table's default) and
// extra elements rendered into the OSS XML body (<BucketName>, <Key>,
// <StringToSign>...) and extra response headers (x-oss-next-append-position).
struct Error {
  ErrorCode code = ErrorCode::InternalError;
  std::string message;
  std::vector<std::pair<std::string, std::string>> details;
  std::vector<std::pair<std::string, std::string>> headers;
  // The message names internals (a database host, a libpq error): it goes to
  // the server log, and the client gets a generic message for the code.
  bool message_for_log_only = false;

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
  Error&& log_only() && {
    message_for_log_only = true;
    return std::move(*this);
  }
};

}  // namespace ossd
