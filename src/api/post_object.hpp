#pragma once
// PostObject, the browser form upload (spec §5). Its credentials and policy
// travel in the body, so the pipeline calls authenticate_post_form instead
// of the header/URL authentication: it reads the form's text fields, works
// out the key, verifies the signature and every policy condition it can
// check before the file arrives, and leaves the file's stream in the
// context for the handler (post_object in handlers.hpp).
#include <memory>
#include <optional>
#include <vector>

#include "api/context.hpp"
#include "api/post_form.hpp"
#include "auth/post_policy.hpp"

namespace ossd::api {

struct PostUpload {
  std::unique_ptr<PostFormReader> reader;  // positioned at the file's first byte
  std::vector<HeaderField> fields;         // the text fields, plus Content-Type from the file part if absent
  std::optional<auth::PostPolicy> policy;  // signed forms only
};

// The bytes of text fields a form may carry before its file.
inline constexpr std::size_t kMaxPostFieldBytes = 64 << 10;

// Sets ctx.post_upload and ctx.resource.key. Errors: MalformedPOSTRequest,
// InvalidArgument (missing key or file, bad success_action_redirect),
// InvalidObjectName, any of auth::authenticate_post, and AccessDenied for a
// policy condition that fails.
boost::asio::awaitable<Result<auth::Identity>> authenticate_post_form(RequestContext& ctx);

}  // namespace ossd::api
