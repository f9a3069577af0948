#include "oss/post_object.hpp"

#include <algorithm>

#include "core/strings.hpp"
#include "oss/xml_responses.hpp"
#include "oss/xml_util.hpp"

namespace ossd::oss {

unsigned post_success_status(const std::string* success_action_status) {
  if (!success_action_status) return 204;
  if (*success_action_status == "200") return 200;
  if (*success_action_status == "201") return 201;
  return 204;
}

std::string render_post_response(std::string_view bucket, std::string_view location, std::string_view key,
                                 std::string_view etag) {
  pugi::xml_document doc;
  pugi::xml_node root = detail::start_document(doc, "PostResponse");
  detail::add_text(root, "Bucket", bucket);
  detail::add_text(root, "Location", location);
  detail::add_text(root, "Key", key);
  detail::add_text(root, "ETag", quote_etag(etag));
  return detail::save_document(doc);
}

Status validate_post_redirect(std::string_view url) {
  const bool visible = std::all_of(url.begin(), url.end(), [](char c) { return c > 0x20 && c < 0x7f; });
  const bool absolute = istarts_with(url, "http://") || istarts_with(url, "https://");
  if (!visible || !absolute || url.size() > 2048) {
    return Error(ErrorCode::InvalidArgument,
                 "success_action_redirect must be an absolute http or https URL of printable ASCII.")
        .with("ArgumentName", "success_action_redirect")
        .with("ArgumentValue", std::string(url));
  }
  return ok_status();
}

std::string post_redirect_location(std::string_view url, std::string_view bucket, std::string_view key,
                                   std::string_view etag) {
  const std::size_t hash = url.find('#');
  const std::string_view base = url.substr(0, hash);
  const std::string_view fragment = hash == std::string_view::npos ? std::string_view() : url.substr(hash);
  std::string out(base);
  if (base.find('?') == std::string_view::npos) {
    out += '?';
  } else if (!base.ends_with('?') && !base.ends_with('&')) {
    out += '&';
  }
  out += "bucket=" + uri_encode(bucket);
  out += "&key=" + uri_encode(key);
  out += "&etag=" + uri_encode(quote_etag(etag));
  out += fragment;
  return out;
}

}  // namespace ossd::oss
