#include "api/request_object.hpp"

namespace ossd::api {

Result<meta::ObjectRecord> request_object(const RequestContext& ctx) {
  if (!ctx.prefetched_object) return ctx.services.meta.get_object(ctx.bucket_name(), ctx.key());
  if (ctx.prefetched_object->record) return *ctx.prefetched_object->record;
  return Error(ErrorCode::NoSuchKey).with("Key", ctx.key());
}

}  // namespace ossd::api
