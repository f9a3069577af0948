#pragma once
// Reads a PostObject body: the text fields up to the `file` part into memory
// (bounded), then the file's bytes as a stream (a BodyReader), so a form
// upload of any size runs in constant memory like a PUT.
#include <string>
#include <vector>

#include "core/header_field.hpp"
#include "http/exchange.hpp"
#include "oss/form_data.hpp"

namespace ossd::api {

struct PostFormFields {
  std::vector<HeaderField> fields;  // text fields before the file, names as sent, in order
  std::string filename;             // the file part's filename ("" when none)
  std::string file_content_type;    // the file part's Content-Type ("" when none)
};

class PostFormReader final : public http::BodyReader {
 public:
  // `max_field_bytes` bounds the names and values of all text fields together.
  PostFormReader(http::BodyReader& body, const std::string& boundary, std::size_t max_field_bytes,
                 std::size_t buffer_bytes = 256 << 10);

  // The text fields, stopping at the beginning of the `file` part (name
  // compared case-insensitively). InvalidArgument: the fields exceed
  // max_field_bytes or 256 in number, a field appears twice, or there is no
  // file part;
  // MalformedPOSTRequest: the body is not well-formed multipart/form-data.
  boost::asio::awaitable<Result<PostFormFields>> read_fields();

  // The file part's bytes (after read_fields); 0 at the end of the form.
  // InvalidArgument when another part follows the file.
  boost::asio::awaitable<Result<std::size_t>> read_some(std::span<char> out) override;
  bool finished() const override { return finished_; }

 private:
  std::string_view unparsed() const { return {buffer_.data() + begin_, end_ - begin_}; }
  boost::asio::awaitable<Status> fill();

  http::BodyReader& body_;
  oss::FormDataParser parser_;
  std::size_t max_field_bytes_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;  // unparsed input is [begin_, end_)
  std::size_t end_ = 0;
  std::size_t pending_begin_ = 0;  // file bytes parsed but not yet handed out
  std::size_t pending_end_ = 0;
  bool body_ended_ = false;
  bool file_ended_ = false;
  bool finished_ = false;
};

}  // namespace ossd::api
