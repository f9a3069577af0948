// libFuzzer target for the request bodies ossd parses: the XML of
// CompleteMultipartUpload, Delete, Tagging (and the x-oss-tagging header),
// CreateBucketConfiguration and CORS; the PostObject policy JSON; and the
// multipart/form-data stream of a PostObject, fed in irregular slices the way
// a socket delivers it. Any input must come back as a value or an Error,
// never a crash, hang or sanitizer report.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/post_policy.hpp"
#include "oss/cors.hpp"
#include "oss/form_data.hpp"
#include "oss/xml_requests.hpp"

namespace {

// Runs the form parser over `body`, handing it slices of at most `step` bytes.
void parse_form(std::string_view body, size_t step) {
  ossd::oss::FormDataParser parser("fuzzboundary");
  std::string buffered;
  size_t offset = 0;
  for (int events = 0; events < 100000; ++events) {
    const size_t take = std::min(step, body.size() - offset);
    buffered.append(body.substr(offset, take));
    offset += take;
    const bool ended = offset == body.size();
    auto event = parser.next(buffered, ended);
    if (!event) return;
    if (event->consumed > buffered.size()) __builtin_trap();
    buffered.erase(0, event->consumed);
    if (event->kind == ossd::oss::FormEventKind::End) return;
    if (event->kind == ossd::oss::FormEventKind::NeedMore && ended) return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  (void)ossd::oss::parse_complete_multipart(body);
  (void)ossd::oss::parse_delete(body);
  if (auto tags = ossd::oss::parse_tagging(body)) (void)ossd::oss::validate_tags(*tags);
  (void)ossd::oss::parse_tagging_header(body);
  (void)ossd::oss::parse_create_bucket(body);
  (void)ossd::oss::parse_cors_configuration(body);
  (void)ossd::auth::parse_post_policy(body);
  (void)ossd::oss::form_data_boundary(body);
  const size_t step = size == 0 ? 1 : 1 + data[0] % 17;
  parse_form(body, step);
  parse_form(body, body.size() + 1);
  return 0;
}
