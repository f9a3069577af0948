#pragma once
// What a PostObject (HTML form upload, spec §5) answers: the status chosen by
// success_action_status, the 201 <PostResponse> document and the 303
// redirect target. Pure.
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace ossd::oss {

// success_action_status: "200", "201" or "204"; absent or anything else is
// 204, as OSS does.
unsigned post_success_status(const std::string* success_action_status);

// <PostResponse><Bucket/><Location/><Key/><ETag/></PostResponse>; etag
// without quotes (they are added).
std::string render_post_response(std::string_view bucket, std::string_view location, std::string_view key,
                                 std::string_view etag);

// Checks a success_action_redirect value: an absolute http(s) URL of
// visible ASCII (it becomes a Location header). InvalidArgument otherwise.
Status validate_post_redirect(std::string_view url);

// The redirect target: url + ('?' or '&') + "bucket=..&key=..&etag=.."
// with each value RFC 3986-encoded; etag without quotes (they are added).
// A fragment in url stays at the end.
std::string post_redirect_location(std::string_view url, std::string_view bucket, std::string_view key,
                                   std::string_view etag);

}  // namespace ossd::oss
