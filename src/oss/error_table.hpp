#pragma once
// The one place an ErrorCode becomes an OSS <Code>, an HTTP status and a
// default message (DESIGN rule 9).
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace ossd::oss {

struct ErrorInfo {
  std::string_view code;  // <Code> in the body
  unsigned http_status;
  std::string_view default_message;  // used when Error::message is empty
  std::string_view ec;               // <EC> and the x-oss-ec header, "NNNN-NNNNNNNN"
};

ErrorInfo describe(ErrorCode code);

// False for NotModified: a 304 has no body (and no x-oss-err header).
bool has_error_body(ErrorCode code);

// <?xml ...?><Error><Code/><Message/><RequestId/><HostId/>{details}<EC/><RecommendDoc/></Error>
// Details whose name is not a plain XML name are dropped rather than risk
// an ill-formed document.
std::string render_error_xml(const Error& error, std::string_view request_id, std::string_view host_id);

}  // namespace ossd::oss
