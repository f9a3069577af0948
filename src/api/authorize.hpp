#pragma once
// Decides whether an authenticated identity may perform the routed operation.
// Runs in the pipeline, before any handler. RAM users, roles and policies come
// with the STS issue; until then the account owner may do everything and
// anonymous callers are judged by the bucket and object ACLs (spec §7).
#include <optional>
#include <string>

#include "api/context.hpp"

namespace ossd::api {

// object_acl: the object's own ACL when the caller is anonymous and the
// operation reads or writes an existing object ("default" = inherit).
Status authorize(const RequestContext& ctx, const std::optional<std::string>& object_acl);

// Whether authorize() needs the object's ACL for this request.
bool needs_object_acl(const RequestContext& ctx);

}  // namespace ossd::api
