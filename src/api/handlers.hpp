#pragma once
// One handler per OSS operation. Each runs after routing, authentication and
// authorization, and returns a response or an Error for the pipeline to render.
#include "api/context.hpp"

namespace ossd::api {

// bucket_handlers.cpp
HandlerResult list_buckets(RequestContext& ctx);
HandlerResult put_bucket(RequestContext& ctx);
HandlerResult delete_bucket(RequestContext& ctx);
HandlerResult get_bucket_info(RequestContext& ctx);
HandlerResult get_bucket_location(RequestContext& ctx);
HandlerResult get_bucket_acl(RequestContext& ctx);
HandlerResult put_bucket_acl(RequestContext& ctx);
HandlerResult list_objects(RequestContext& ctx);
HandlerResult list_objects_v2(RequestContext& ctx);
HandlerResult delete_multiple_objects(RequestContext& ctx);

// cors_handlers.cpp
HandlerResult put_bucket_cors(RequestContext& ctx);
HandlerResult get_bucket_cors(RequestContext& ctx);
HandlerResult delete_bucket_cors(RequestContext& ctx);
HandlerResult option_object(RequestContext& ctx);  // runs unauthenticated

// bucket_policy_handlers.cpp
HandlerResult put_bucket_policy(RequestContext& ctx);
HandlerResult get_bucket_policy(RequestContext& ctx);
HandlerResult delete_bucket_policy(RequestContext& ctx);

// style_handlers.cpp (bucket image styles, used as x-oss-process=style/<name>)
HandlerResult put_style(RequestContext& ctx);
HandlerResult get_style(RequestContext& ctx);
HandlerResult list_style(RequestContext& ctx);
HandlerResult delete_style(RequestContext& ctx);

// image_handlers.cpp: x-oss-process on GET/HEAD (want_body false for HEAD:
// the same headers, no body), and POST ?x-oss-process (sys/saveas).
HandlerResult get_processed_image(RequestContext& ctx, bool want_body);
HandlerResult process_object(RequestContext& ctx);

// post_object.cpp (after authenticate_post_form)
HandlerResult post_object(RequestContext& ctx);

// object_handlers.cpp
HandlerResult put_object(RequestContext& ctx);
HandlerResult copy_object(RequestContext& ctx);
HandlerResult get_object(RequestContext& ctx);
HandlerResult head_object(RequestContext& ctx);
HandlerResult get_object_meta(RequestContext& ctx);
HandlerResult delete_object(RequestContext& ctx);
HandlerResult append_object(RequestContext& ctx);
HandlerResult get_object_acl(RequestContext& ctx);
HandlerResult put_object_acl(RequestContext& ctx);
HandlerResult get_object_tagging(RequestContext& ctx);
HandlerResult put_object_tagging(RequestContext& ctx);
HandlerResult delete_object_tagging(RequestContext& ctx);

// multipart_handlers.cpp
HandlerResult initiate_multipart_upload(RequestContext& ctx);
HandlerResult upload_part(RequestContext& ctx);
HandlerResult upload_part_copy(RequestContext& ctx);
HandlerResult complete_multipart_upload(RequestContext& ctx);
HandlerResult abort_multipart_upload(RequestContext& ctx);
HandlerResult list_parts(RequestContext& ctx);
HandlerResult list_multipart_uploads(RequestContext& ctx);

// Runs the handler of ctx.operation.
HandlerResult dispatch(RequestContext& ctx);

}  // namespace ossd::api
