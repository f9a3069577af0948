#pragma once
// A streaming multipart/form-data parser (RFC 7578 over RFC 2046), the body
// of a PostObject. Pure and incremental: the caller owns the input buffer and
// feeds whatever it has; the parser reports one event at a time and how many
// bytes it used, so a part's data never has to sit whole in memory and any
// split of the input (a boundary across two reads, a lone CR) parses alike.
#include <algorithm>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace ossd::oss {

// The boundary parameter of a "multipart/form-data; boundary=..." header
// (quoted or not). MalformedPOSTRequest for another media type, a missing
// boundary, or one that is empty, longer than 70 characters or holds
// control characters.
Result<std::string> form_data_boundary(std::string_view content_type);

struct FormPartHeaders {
  std::string name;                     // Content-Disposition name="..."
  std::optional<std::string> filename;  // Content-Disposition filename="..."
  std::string content_type;             // the part's Content-Type, "" if none
};

enum class FormEventKind {
  NeedMore,   // nothing more can be said without more input
  PartBegin,  // a part's headers were read: see part()
  PartData,   // `data` is the next run of the current part's bytes
  PartEnd,    // the current part is complete
  End,        // the closing boundary was read; the rest is ignored
};

struct FormEvent {
  FormEventKind kind = FormEventKind::NeedMore;
  std::size_t consumed = 0;  // bytes of the input used; drop them before the next call
  std::string_view data;     // PartData only: a view into the input
};

struct FormLimits {
  std::size_t max_part_header_bytes = 8 << 10;  // one part's header block
  std::size_t max_preamble_bytes = 4 << 10;     // bytes before the first boundary
};

class FormDataParser {
 public:
  explicit FormDataParser(const std::string& boundary, FormLimits limits = {});
  FormDataParser(const FormDataParser&) = delete;
  FormDataParser& operator=(const FormDataParser&) = delete;

  // Looks at `input` (everything received and not yet consumed) and reports
  // the next event. `input_ended` says no more bytes will come: the parser
  // then fails instead of asking for more. Errors (MalformedPOSTRequest): a
  // bad delimiter line, a header block too large or without
  // Content-Disposition: form-data; name=..., a preamble too large, or an
  // input that ends before the closing boundary. After an error or End the
  // parser stays where it is.
  Result<FormEvent> next(std::string_view input, bool input_ended);

  // The current part's headers, from PartBegin until the next PartBegin.
  const FormPartHeaders& part() const { return part_; }
  bool done() const { return state_ == State::Epilogue; }

 private:
  enum class State { Preamble, AfterDelimiter, Headers, Data, Epilogue };

  Result<FormEvent> preamble(std::string_view input, bool input_ended);
  Result<FormEvent> after_delimiter(std::string_view input, bool input_ended);
  Result<FormEvent> headers(std::string_view input, bool input_ended);
  Result<FormEvent> data(std::string_view input, bool input_ended);
  std::size_t find_delimiter(std::string_view input) const;

  std::string delimiter_;  // "\r\n--" + boundary
  std::boyer_moore_horspool_searcher<std::string::const_iterator> searcher_;
  FormLimits limits_;
  State state_ = State::Preamble;
  bool at_start_ = true;  // the first delimiter may come without its CRLF
  std::size_t preamble_seen_ = 0;
  FormPartHeaders part_;
};

}  // namespace ossd::oss
