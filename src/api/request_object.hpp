#pragma once
// The record of the object a request names, read once per request.
#include "api/context.hpp"
#include "core/result.hpp"
#include "meta/records.hpp"

namespace ossd::api {

// The record read with the bucket when there is one, else a read of the
// metadata store (blocking: run it on a work pool unless
// ctx.prefetched_object is set). NoSuchBucket, NoSuchKey.
Result<meta::ObjectRecord> request_object(const RequestContext& ctx);

}  // namespace ossd::api
