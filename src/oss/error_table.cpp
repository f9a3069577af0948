#include "oss/error_table.hpp"

#include "oss/xml_util.hpp"

namespace ossd::oss {

// A missing ErrorCode must fail the build, not fall through at run time.
#pragma GCC diagnostic push
#pragma GCC diagnostic error "-Wswitch"

ErrorInfo describe(ErrorCode code) {
  // EC values follow OSS's "module-detail" shape. Where the public OSS
  // documentation shows one (SignatureDoesNotMatch, AccessDenied,
  // MissingArgument) it is used; the others are our own stable numbers.
  switch (code) {
    case ErrorCode::AccessDenied:
      return {"AccessDenied", 403, "You have no right to access this resource.", "0003-00000001"};
    case ErrorCode::AccessForbidden:
      return {"AccessForbidden", 403,
              "CORSResponse: This CORS request is not allowed. The origin, request method or request headers are "
              "not allowed by the resource's CORS rules.",
              "0003-00000201"};
    case ErrorCode::BadDigest:
      return {"BadDigest", 400, "The Content-MD5 you specified did not match what we received.", "0005-00000102"};
    case ErrorCode::BucketAlreadyExists:
      return {"BucketAlreadyExists", 409,
              "The requested bucket name is not available. The bucket namespace is shared by all users of the "
              "system. Please select a different name and try again.",
              "0015-00000104"};
    case ErrorCode::BucketNotEmpty:
      return {"BucketNotEmpty", 409, "The bucket you tried to delete is not empty.", "0015-00000301"};
    // The identity store's errors; the RAM/STS API renders them with its own
    // codes (EntityNotExist.User...). On the OSS API they would be conflicts.
    case ErrorCode::DeleteConflict:
      return {"DeleteConflict", 409, "The entity is still in use and cannot be deleted.", "0030-00000001"};
    case ErrorCode::EntityAlreadyExists:
      return {"EntityAlreadyExists", 409, "The entity already exists.", "0030-00000002"};
    case ErrorCode::EntityNotExist: return {"EntityNotExist", 404, "The entity does not exist.", "0030-00000003"};
    case ErrorCode::EntityTooLarge:
      return {"EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed size.", "0005-00000103"};
    case ErrorCode::EntityTooSmall:
      return {"EntityTooSmall", 400, "Your proposed upload smaller than the minimum allowed size.", "0042-00000306"};
    case ErrorCode::FileAlreadyExists:
      return {"FileAlreadyExists", 409, "The object you specified already exists and can not be overwritten.",
              "0026-00000109"};
    case ErrorCode::IncompleteBody:
      return {"IncompleteBody", 400,
              "You did not provide the number of bytes specified by the Content-Length HTTP header.", "0005-00000104"};
    case ErrorCode::LimitExceeded:
      return {"LimitExceeded", 409, "The limit of this entity has been reached.", "0030-00000004"};
    case ErrorCode::InternalError:
      return {"InternalError", 500, "We encountered an internal error. Please try again.", "0000-00000001"};
    case ErrorCode::InvalidAccessKeyId:
      return {"InvalidAccessKeyId", 403, "The OSS Access Key Id you provided does not exist in our records.",
              "0002-00000902"};
    case ErrorCode::InvalidArgument: return {"InvalidArgument", 400, "Invalid Argument.", "0016-00000001"};
    case ErrorCode::InvalidBucketName:
      return {"InvalidBucketName", 400, "The specified bucket is not valid.", "0015-00000001"};
    case ErrorCode::InvalidDigest:
      return {"InvalidDigest", 400, "The Content-MD5 you specified is not valid.", "0005-00000101"};
    case ErrorCode::InvalidEncodingType:
      return {"InvalidEncodingType", 400, "The Encoding Type is invalid.", "0016-00000801"};
    case ErrorCode::InvalidObjectName:
      return {"InvalidObjectName", 400, "The specified object is not valid.", "0016-00000003"};
    case ErrorCode::InvalidPart:
      return {"InvalidPart", 400,
              "One or more of the specified parts could not be found or the specified entity tag might not have "
              "matched the part's entity tag.",
              "0042-00000002"};
    case ErrorCode::InvalidPartOrder:
      return {"InvalidPartOrder", 400,
              "The list of parts was not in ascending order. Parts list must specified in order by part number.",
              "0042-00000003"};
    case ErrorCode::InvalidPolicyDocument:
      return {"InvalidPolicyDocument", 400, "Invalid Policy: the policy document is not valid.", "0016-00000901"};
    case ErrorCode::InvalidRange:
      return {"InvalidRange", 416, "The requested range cannot be satisfied", "0003-00000401"};
    case ErrorCode::InvalidRequest: return {"InvalidRequest", 400, "Invalid request.", "0016-00000002"};
    case ErrorCode::InvalidSecurityToken:
      return {"InvalidSecurityToken", 403, "The security token you provided is invalid.", "0002-00000903"};
    case ErrorCode::InvalidTag: return {"InvalidTag", 400, "The tag provided was not a valid tag.", "0016-00000601"};
    case ErrorCode::InvalidTargetType:
      return {"InvalidTargetType", 400, "The symlink target object type is not supported.", "0016-00000701"};
    case ErrorCode::MalformedPOSTRequest:
      return {"MalformedPOSTRequest", 400, "The body of your POST request is not well-formed multipart/form-data.",
              "0016-00000902"};
    case ErrorCode::MalformedXML:
      return {"MalformedXML", 400,
              "The XML you provided was not well-formed or did not validate against our published schema.",
              "0016-00000101"};
    case ErrorCode::MethodNotAllowed:
      return {"MethodNotAllowed", 405, "The specified method is not allowed against this resource.", "0016-00000301"};
    case ErrorCode::MissingArgument:
      return {"MissingArgument", 400, "Missing Some Required Arguments.", "0016-00000502"};
    case ErrorCode::MissingContentLength:
      return {"MissingContentLength", 411, "You must provide the Content-Length HTTP header.", "0005-00000105"};
    case ErrorCode::NoSuchBucketPolicy:
      return {"NoSuchBucketPolicy", 404, "The bucket policy does not exist.", "0016-00000302"};
    case ErrorCode::NoSuchBucket: return {"NoSuchBucket", 404, "The specified bucket does not exist.", "0015-00000101"};
    case ErrorCode::NoSuchCORSConfiguration:
      return {"NoSuchCORSConfiguration", 404, "The CORS configuration does not exist.", "0021-00000101"};
    case ErrorCode::NoSuchKey: return {"NoSuchKey", 404, "The specified key does not exist.", "0026-00000001"};
    case ErrorCode::NoSuchStyle: return {"NoSuchStyle", 404, "The specified style does not exist.", "0027-00000101"};
    case ErrorCode::NoSuchUpload:
      return {"NoSuchUpload", 404,
              "The specified upload does not exist. The upload ID may be invalid, or the upload may have been "
              "aborted or completed.",
              "0042-00000001"};
    case ErrorCode::NotImplemented:
      return {"NotImplemented", 501, "A header you provided implies functionality that is not implemented.",
              "0016-00000401"};
    case ErrorCode::NotModified:
      // Sent as a bare 304: the code exists for logs, never for a body.
      return {"NotModified", 304, "Not Modified", "0026-00000201"};
    case ErrorCode::ObjectNotAppendable:
      return {"ObjectNotAppendable", 409, "The object is not appendable", "0026-00000301"};
    case ErrorCode::PositionNotEqualToLength:
      return {"PositionNotEqualToLength", 409, "Position is not equal to file length", "0026-00000302"};
    case ErrorCode::PreconditionFailed:
      return {"PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold",
              "0026-00000202"};
    case ErrorCode::RequestHeaderTooLarge:
      // OSS answers an oversized header section with a plain 400; there is no
      // dedicated OSS code, so clients see it as a bad argument.
      return {"InvalidArgument", 400, "Your request header section exceeds the maximum allowed size.", "0016-00000004"};
    case ErrorCode::RequestTimeTooSkewed:
      return {"RequestTimeTooSkewed", 403, "The difference between the request time and the current time is too large.",
              "0002-00000504"};
    case ErrorCode::RequestTimeout:
      return {"RequestTimeout", 400,
              "Your socket connection to the server was not read from or written to within the timeout period.",
              "0005-00000106"};
    case ErrorCode::SecurityTokenExpired:
      return {"SecurityTokenExpired", 403, "The security token you provided has expired.", "0002-00000904"};
    case ErrorCode::ServiceUnavailable:
      return {"ServiceUnavailable", 503, "Please reduce your request rate.", "0000-00000002"};
    case ErrorCode::SignatureDoesNotMatch:
      return {"SignatureDoesNotMatch", 403,
              "The request signature we calculated does not match the signature you provided. Check your key and "
              "signing method.",
              "0002-00000040"};
    case ErrorCode::TooManyBuckets:
      return {"TooManyBuckets", 400, "You have attempted to create more buckets than allowed.", "0015-00000105"};
  }
  // Only reachable with a value outside the enum (a cast integer).
  return {"InternalError", 500, "We encountered an internal error. Please try again.", "0000-00000001"};
}

#pragma GCC diagnostic pop

bool has_error_body(ErrorCode code) { return code != ErrorCode::NotModified; }

std::string render_error_xml(const Error& error, std::string_view request_id, std::string_view host_id) {
  const ErrorInfo info = describe(error.code);
  pugi::xml_document doc;
  pugi::xml_node root = detail::start_document(doc, "Error");
  detail::add_text(root, "Code", info.code);
  detail::add_text(root, "Message", error.message.empty() ? info.default_message : std::string_view(error.message));
  detail::add_text(root, "RequestId", request_id);
  detail::add_text(root, "HostId", host_id);
  for (const auto& [name, value] : error.details) {
    if (detail::is_xml_name(name)) detail::add_text(root, name.c_str(), value);
  }
  detail::add_text(root, "EC", info.ec);
  detail::add_text(root, "RecommendDoc", std::string("https://api.aliyun.com/troubleshoot?q=") + std::string(info.ec));
  return detail::save_document(doc);
}

}  // namespace ossd::oss
