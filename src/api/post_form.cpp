#include "api/post_form.hpp"

#include <cstring>

#include "core/strings.hpp"

namespace ossd::api {

namespace {

// Real forms carry a dozen fields; the cap keeps a flood of tiny fields from
// costing more than the byte cap suggests.
constexpr std::size_t kMaxFields = 256;

Error invalid(std::string message, std::string_view name = {}) {
  Error error(ErrorCode::InvalidArgument, std::move(message));
  if (!name.empty()) error.details.emplace_back("ArgumentName", std::string(name));
  return error;
}

}  // namespace

PostFormReader::PostFormReader(http::BodyReader& body, const std::string& boundary, std::size_t max_field_bytes,
                               std::size_t buffer_bytes)
    : body_(body), parser_(boundary), max_field_bytes_(max_field_bytes), buffer_(buffer_bytes) {}

boost::asio::awaitable<Status> PostFormReader::fill() {
  if (body_ended_) {
    co_return Error(ErrorCode::MalformedPOSTRequest, "The body of your POST request ended unexpectedly.");
  }
  // Unparsed bytes move to the front; handed-out file bytes are never in
  // the way (fill runs only once they are gone).
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
    pending_begin_ = pending_end_ = 0;
  }
  if (end_ == buffer_.size()) {
    co_return Error(ErrorCode::MalformedPOSTRequest, "A part of your POST request is too large to parse.");
  }
  auto got = co_await body_.read_some(std::span<char>(buffer_.data() + end_, buffer_.size() - end_));
  if (!got) co_return std::move(got).error();
  if (got.value() == 0) body_ended_ = true;
  end_ += got.value();
  co_return ok_status();
}

boost::asio::awaitable<Result<PostFormFields>> PostFormReader::read_fields() {
  PostFormFields form;
  std::size_t field_bytes = 0;
  HeaderField current;
  for (;;) {
    auto event = parser_.next(unparsed(), body_ended_);
    if (!event) co_return std::move(event).error();
    const std::size_t consumed = event->consumed;
    const oss::FormEventKind kind = event->kind;
    if (kind == oss::FormEventKind::PartData) current.value.append(event->data);
    begin_ += consumed;
    switch (kind) {
      case oss::FormEventKind::NeedMore:
        if (consumed == 0) {
          if (auto filled = co_await fill(); !filled) co_return std::move(filled).error();
        }
        break;
      case oss::FormEventKind::PartBegin: {
        const oss::FormPartHeaders& part = parser_.part();
        if (iequals(part.name, "file")) {
          form.filename = part.filename.value_or("");
          form.file_content_type = part.content_type;
          co_return form;
        }
        if (form.fields.size() >= kMaxFields) {
          co_return invalid("A form can have at most " + std::to_string(kMaxFields) + " fields before the file.");
        }
        for (const auto& field : form.fields) {
          if (iequals(field.name, part.name)) {
            co_return invalid("The form field " + part.name + " appears more than once.", part.name);
          }
        }
        current = HeaderField{part.name, {}};
        field_bytes += part.name.size();
        break;
      }
      case oss::FormEventKind::PartData: field_bytes += consumed; break;
      case oss::FormEventKind::PartEnd:
        form.fields.push_back(std::move(current));
        current = {};
        break;
      case oss::FormEventKind::End:
        co_return invalid("POST requires exactly one file upload per request: the form has no field named file.",
                          "file");
    }
    if (field_bytes > max_field_bytes_) {
      co_return invalid("The form fields before the file exceed " + std::to_string(max_field_bytes_) + " bytes.");
    }
  }
}

boost::asio::awaitable<Result<std::size_t>> PostFormReader::read_some(std::span<char> out) {
  for (;;) {
    if (pending_begin_ < pending_end_) {
      const std::size_t n = std::min(out.size(), pending_end_ - pending_begin_);
      std::memcpy(out.data(), buffer_.data() + pending_begin_, n);
      pending_begin_ += n;
      co_return n;
    }
    if (finished_) co_return std::size_t{0};
    auto event = parser_.next(unparsed(), body_ended_);
    if (!event) co_return std::move(event).error();
    switch (event->kind) {
      case oss::FormEventKind::NeedMore:
        begin_ += event->consumed;
        if (event->consumed == 0) {
          if (auto filled = co_await fill(); !filled) co_return std::move(filled).error();
        }
        break;
      case oss::FormEventKind::PartData:
        pending_begin_ = begin_;
        pending_end_ = begin_ + event->consumed;
        begin_ += event->consumed;
        break;
      case oss::FormEventKind::PartEnd:
        begin_ += event->consumed;
        file_ended_ = true;
        break;
      case oss::FormEventKind::PartBegin:
        co_return invalid(
            "The file field must be the last field of the form; \"" + parser_.part().name + "\" follows it.", "file");
      case oss::FormEventKind::End:
        begin_ += event->consumed;
        finished_ = true;
        co_return std::size_t{0};
    }
  }
}

}  // namespace ossd::api
