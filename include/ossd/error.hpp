#pragma once
// What went wrong with a client call, as a typed view over the ossd::Error
// the calls return. The client keeps the project's Result/Error (one error
// type across the code base) and records what OSS said in Error::details
// under the XML element names (Code, Message, RequestId, HostId, EC, ...)
// plus HttpStatus; service_error() reads them back.
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace ossd::client {

struct ServiceError {
  unsigned http_status = 0;  // 0: no HTTP response (connection, local file or argument problem)
  std::string code;          // OSS <Code>, e.g. "NoSuchKey"; empty without a response
  std::string message;
  std::string request_id;  // x-oss-request-id / <RequestId>
  std::string host_id;
  std::string ec;
  // Every other element of the error document (<Key>, <BucketName>,
  // <StringToSign>...), in document order.
  std::vector<std::pair<std::string, std::string>> details;
};

ServiceError service_error(const Error& error);

// One line for people: "NoSuchKey (HTTP 404): The specified key does not
// exist. [request id 5C3D...]", or the local message.
std::string describe(const Error& error);

}  // namespace ossd::client
