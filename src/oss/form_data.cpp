#include "oss/form_data.hpp"

#include <utility>
#include <vector>

#include "core/strings.hpp"

namespace ossd::oss {

namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr std::size_t kMaxBoundary = 70;  // RFC 2046 §5.1.1

Error malformed(std::string message) {
  return Error(ErrorCode::MalformedPOSTRequest,
               "The body of your POST request is not well-formed multipart/form-data: " + std::move(message));
}

struct HeaderValue {
  std::string type;
  std::vector<std::pair<std::string, std::string>> params;  // names lower-cased
};

std::string_view skip_blanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  return text;
}

// `type; name=value; name="quoted value"`. Browsers percent-encode '"', CR
// and LF inside quoted names and filenames and leave '\' alone (WHATWG
// form encoding), so a quoted string simply runs to the next '"'.
std::optional<HeaderValue> parse_header_value(std::string_view text) {
  HeaderValue out;
  const std::size_t semicolon = text.find(';');
  out.type = to_lower(trim(text.substr(0, semicolon)));
  if (semicolon == std::string_view::npos) return out;
  text.remove_prefix(semicolon);
  while (!text.empty()) {
    if (text.front() != ';') return std::nullopt;
    text = skip_blanks(text.substr(1));
    if (text.empty()) break;
    const std::size_t end_of_name = text.find_first_of("=;");
    std::string name = to_lower(trim(text.substr(0, end_of_name)));
    if (end_of_name == std::string_view::npos || text[end_of_name] == ';') {
      out.params.emplace_back(std::move(name), "");
      text.remove_prefix(end_of_name == std::string_view::npos ? text.size() : end_of_name);
      continue;
    }
    text = skip_blanks(text.substr(end_of_name + 1));
    std::string value;
    if (!text.empty() && text.front() == '"') {
      const std::size_t close = text.find('"', 1);
      if (close == std::string_view::npos) return std::nullopt;
      value = std::string(text.substr(1, close - 1));
      text = skip_blanks(text.substr(close + 1));
    } else {
      const std::size_t end = text.find(';');
      value = std::string(trim(text.substr(0, end)));
      text.remove_prefix(end == std::string_view::npos ? text.size() : end);
    }
    out.params.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

const std::string* param(const HeaderValue& value, std::string_view name) {
  for (const auto& [n, v] : value.params) {
    if (n == name) return &v;
  }
  return nullptr;
}

Result<FormPartHeaders> parse_part_headers(std::string_view block) {
  FormPartHeaders part;
  bool have_disposition = false;
  while (!block.empty()) {
    const std::size_t eol = block.find(kCrlf);
    const std::string_view line = block.substr(0, eol);
    block.remove_prefix(eol == std::string_view::npos ? block.size() : eol + kCrlf.size());
    if (line.empty()) continue;
    if (line.front() == ' ' || line.front() == '\t') return malformed("folded part header lines are not supported.");
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return malformed("a part header line has no name.");
    const std::string_view name = trim(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "Content-Disposition")) {
      if (have_disposition) return malformed("a part has two Content-Disposition headers.");
      auto parsed = parse_header_value(value);
      if (!parsed || parsed->type != "form-data") {
        return malformed("a part's Content-Disposition must be form-data.");
      }
      const std::string* field_name = param(*parsed, "name");
      if (!field_name || field_name->empty()) return malformed("a part's Content-Disposition has no name.");
      part.name = *field_name;
      if (const std::string* filename = param(*parsed, "filename")) part.filename = *filename;
      have_disposition = true;
    } else if (iequals(name, "Content-Type")) {
      part.content_type = std::string(value);
    }
  }
  if (!have_disposition) return malformed("a part has no Content-Disposition header.");
  return part;
}

FormEvent event(FormEventKind kind, std::size_t consumed, std::string_view data = {}) {
  return FormEvent{kind, consumed, data};
}

}  // namespace

Result<std::string> form_data_boundary(std::string_view content_type) {
  auto parsed = parse_header_value(content_type);
  if (!parsed || parsed->type != "multipart/form-data") {
    return malformed("the Content-Type must be multipart/form-data.");
  }
  const std::string* boundary = param(*parsed, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > kMaxBoundary) {
    return malformed("the Content-Type needs a boundary of 1 to 70 characters.");
  }
  for (char c : *boundary) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return malformed("the boundary has control characters.");
  }
  return *boundary;
}

FormDataParser::FormDataParser(const std::string& boundary, FormLimits limits)
    : delimiter_(std::string(kCrlf) + "--" + boundary),
      searcher_(delimiter_.cbegin(), delimiter_.cend()),
      limits_(limits) {}

std::size_t FormDataParser::find_delimiter(std::string_view input) const {
  auto found = std::search(input.begin(), input.end(), searcher_);
  return found == input.end() ? std::string_view::npos : static_cast<std::size_t>(found - input.begin());
}

Result<FormEvent> FormDataParser::next(std::string_view input, bool input_ended) {
  switch (state_) {
    case State::Preamble: return preamble(input, input_ended);
    case State::AfterDelimiter: return after_delimiter(input, input_ended);
    case State::Headers: return headers(input, input_ended);
    case State::Data: return data(input, input_ended);
    case State::Epilogue: return event(FormEventKind::End, input.size());
  }
  return malformed("internal parser state.");
}

Result<FormEvent> FormDataParser::preamble(std::string_view input, bool input_ended) {
  // The very first delimiter usually starts the body, without the CRLF that
  // precedes every later one.
  const std::string_view first = std::string_view(delimiter_).substr(kCrlf.size());
  if (at_start_) {
    if (input.size() < first.size() && first.starts_with(input)) {
      if (input_ended) return malformed("the body ends before its first boundary.");
      return event(FormEventKind::NeedMore, 0);
    }
    at_start_ = false;
    if (input.starts_with(first)) {
      state_ = State::AfterDelimiter;
      return event(FormEventKind::NeedMore, first.size());
    }
  }
  const std::size_t at = find_delimiter(input);
  if (at != std::string_view::npos) {
    preamble_seen_ += at;
    if (preamble_seen_ > limits_.max_preamble_bytes) return malformed("too many bytes before the first boundary.");
    state_ = State::AfterDelimiter;
    return event(FormEventKind::NeedMore, at + delimiter_.size());
  }
  if (input_ended) return malformed("the body has no boundary.");
  // Keep a tail that could be the start of a delimiter; drop the rest.
  const std::size_t droppable = input.size() >= delimiter_.size() ? input.size() - delimiter_.size() + 1 : 0;
  preamble_seen_ += droppable;
  if (preamble_seen_ > limits_.max_preamble_bytes) return malformed("too many bytes before the first boundary.");
  return event(FormEventKind::NeedMore, droppable);
}

Result<FormEvent> FormDataParser::after_delimiter(std::string_view input, bool input_ended) {
  if (input.size() >= 2 && input.starts_with("--")) {
    state_ = State::Epilogue;
    return event(FormEventKind::End, input.size());
  }
  // Transport padding (blanks) may follow a delimiter before its CRLF.
  std::size_t i = 0;
  while (i < input.size() && (input[i] == ' ' || input[i] == '\t')) ++i;
  if (i > 256) return malformed("a boundary line is too long.");
  if (input.size() - i >= 2) {
    if (input.substr(i, 2) != kCrlf) return malformed("a boundary line does not end with CRLF.");
    state_ = State::Headers;
    return event(FormEventKind::NeedMore, i + 2);
  }
  if (input.size() == 1 && input[0] == '-' && !input_ended) return event(FormEventKind::NeedMore, 0);
  if (input_ended) return malformed("the body ends inside a boundary line.");
  return event(FormEventKind::NeedMore, 0);
}

Result<FormEvent> FormDataParser::headers(std::string_view input, bool input_ended) {
  std::size_t end;
  std::size_t terminator;
  if (input.starts_with(kCrlf)) {
    end = 0;  // no header lines at all
    terminator = kCrlf.size();
  } else {
    end = input.find("\r\n\r\n");
    terminator = 4;
  }
  if (end == std::string_view::npos) {
    if (input.size() > limits_.max_part_header_bytes) return malformed("a part's header block is too large.");
    if (input_ended) return malformed("the body ends inside a part's headers.");
    return event(FormEventKind::NeedMore, 0);
  }
  if (end > limits_.max_part_header_bytes) return malformed("a part's header block is too large.");
  auto parsed = parse_part_headers(input.substr(0, end));
  if (!parsed) return std::move(parsed).error();
  part_ = std::move(parsed.value());
  state_ = State::Data;
  return event(FormEventKind::PartBegin, end + terminator);
}

Result<FormEvent> FormDataParser::data(std::string_view input, bool input_ended) {
  const std::size_t at = find_delimiter(input);
  if (at == 0) {
    state_ = State::AfterDelimiter;
    return event(FormEventKind::PartEnd, delimiter_.size());
  }
  if (at != std::string_view::npos) return event(FormEventKind::PartData, at, input.substr(0, at));
  // Everything but a tail that could be the start of the delimiter is data.
  const std::size_t keep = std::min(input.size(), delimiter_.size() - 1);
  const std::size_t safe = input.size() - keep;
  if (safe > 0) return event(FormEventKind::PartData, safe, input.substr(0, safe));
  if (input_ended) return malformed("the body ends before the closing boundary.");
  return event(FormEventKind::NeedMore, 0);
}

}  // namespace ossd::oss
