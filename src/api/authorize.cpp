#include "api/authorize.hpp"

namespace ossd::api {

namespace {

bool is_anonymous_read(Operation op) {
  return op == Operation::GetObject || op == Operation::HeadObject || op == Operation::GetObjectMeta;
}

bool is_anonymous_write(Operation op) {
  switch (op) {
    case Operation::PutObject:
    case Operation::AppendObject:
    case Operation::DeleteObject:
    case Operation::InitiateMultipartUpload:
    case Operation::UploadPart:
    case Operation::CompleteMultipartUpload:
    case Operation::AbortMultipartUpload:
    case Operation::ListParts:
    case Operation::PostObject:
      return true;
    default:
      return false;
  }
}

Error denied(std::string message) { return Error(ErrorCode::AccessDenied, std::move(message)); }

}  // namespace

bool needs_object_acl(const RequestContext& ctx) {
  return ctx.identity.anonymous() && is_anonymous_read(ctx.operation);
}

Status authorize(const RequestContext& ctx, const std::optional<std::string>& object_acl) {
  const auth::Identity& who = ctx.identity;
  if (!who.anonymous()) {
    // Single-account server: every bucket belongs to the account whose keys
    // are configured, so a verified signature of that account is the owner.
    if (who.account_id == ctx.services.account_id) return ok_status();
    return denied("You have no right to access this resource.");
  }
  if (!ctx.bucket) return denied("AccessDenied: anonymous access to the service is not allowed.");
  const std::string& bucket_acl = ctx.bucket->acl;
  std::string effective = bucket_acl;
  if (object_acl && *object_acl != "default") effective = *object_acl;

  const Operation op = ctx.operation;
  if (is_anonymous_read(op)) {
    if (effective == "public-read" || effective == "public-read-write") return ok_status();
    return denied("You have no right to access this object because of bucket acl.");
  }
  if (op == Operation::ListObjects || op == Operation::ListObjectsV2) {
    if (bucket_acl == "public-read" || bucket_acl == "public-read-write") return ok_status();
    return denied("You have no right to access this bucket because of bucket acl.");
  }
  if (is_anonymous_write(op)) {
    if (bucket_acl == "public-read-write") return ok_status();
    return denied("You have no right to access this object because of bucket acl.");
  }
  return denied("Anonymous access is forbidden for this operation.");
}

}  // namespace ossd::api
