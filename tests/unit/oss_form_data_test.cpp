// The streaming multipart/form-data parser: every body is fed in every
// split (down to one byte at a time), since a real body arrives in reads of
// any size and a boundary may straddle two of them.
#include <gtest/gtest.h>

#include <random>

#include "oss/form_data.hpp"

namespace ossd::oss {
namespace {

struct Part {
  std::string name;
  std::optional<std::string> filename;
  std::string content_type;
  std::string data;
  bool complete = false;
};

struct Parsed {
  std::vector<Part> parts;
  bool ended = false;  // End was reported
  std::optional<Error> error;
  std::size_t unconsumed = 0;
};

// Feeds `body` in pieces of `piece` bytes (0 = all at once) the way a
// reader does: keep what was not consumed, add input only on NeedMore.
Parsed parse(const std::string& boundary, const std::string& body, std::size_t piece, FormLimits limits = {}) {
  FormDataParser parser(boundary, limits);
  Parsed out;
  std::string buffer;
  std::size_t offset = 0;
  bool input_ended = false;
  auto feed = [&] {
    const std::size_t n = piece == 0 ? body.size() - offset : std::min(piece, body.size() - offset);
    buffer.append(body, offset, n);
    offset += n;
    input_ended = offset == body.size();
  };
  feed();
  for (int guard = 0; guard < 1000000; ++guard) {
    auto event = parser.next(buffer, input_ended);
    if (!event) {
      out.error = event.error();
      return out;
    }
    switch (event->kind) {
      case FormEventKind::NeedMore:
        if (event->consumed == 0) {
          if (input_ended) {
            ADD_FAILURE() << "NeedMore after the input ended";
            return out;
          }
          feed();
        }
        break;
      case FormEventKind::PartBegin:
        out.parts.push_back(Part{parser.part().name, parser.part().filename, parser.part().content_type, {}, false});
        break;
      case FormEventKind::PartData:
        EXPECT_FALSE(out.parts.empty());
        EXPECT_EQ(event->data.size(), event->consumed);
        if (!out.parts.empty()) out.parts.back().data.append(event->data);
        break;
      case FormEventKind::PartEnd:
        if (!out.parts.empty()) out.parts.back().complete = true;
        break;
      case FormEventKind::End:
        out.ended = true;
        buffer.erase(0, event->consumed);
        out.unconsumed = buffer.size();
        return out;
    }
    buffer.erase(0, event->consumed);
  }
  ADD_FAILURE() << "parser did not terminate";
  return out;
}

const std::string kBoundary = "----formdata-undici-0123456789";

std::string field(const std::string& name, const std::string& value) {
  return "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
}

std::string file_part(const std::string& filename, const std::string& type, const std::string& data) {
  return "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename +
         "\"\r\nContent-Type: " + type + "\r\n\r\n" + data + "\r\n";
}

std::string closing() { return "--" + kBoundary + "--\r\n"; }

// Every split size from 1 byte up, plus all at once.
template <class F>
void for_every_split(const std::string& body, F check) {
  for (std::size_t piece = 0; piece <= body.size() + 1; ++piece) {
    SCOPED_TRACE("piece size " + std::to_string(piece));
    check(piece);
    if (::testing::Test::HasFailure()) return;
  }
}

TEST(FormData, FieldsThenFileInEverySplit) {
  const std::string data = "line one\r\nline two\r\n--not-the-boundary\r\n-" + std::string("\r") + "x\n\r\n";
  const std::string body = field("key", "user/${filename}") + field("policy", "eyJ4Ijp7fX0=") +
                           file_part("photo.jpg", "image/jpeg", data) + closing();
  for_every_split(body, [&](std::size_t piece) {
    Parsed parsed = parse(kBoundary, body, piece);
    ASSERT_FALSE(parsed.error) << parsed.error->message;
    ASSERT_TRUE(parsed.ended);
    ASSERT_EQ(parsed.parts.size(), 3u);
    EXPECT_EQ(parsed.parts[0].name, "key");
    EXPECT_EQ(parsed.parts[0].data, "user/${filename}");
    EXPECT_FALSE(parsed.parts[0].filename);
    EXPECT_EQ(parsed.parts[1].data, "eyJ4Ijp7fX0=");
    EXPECT_EQ(parsed.parts[2].name, "file");
    EXPECT_EQ(parsed.parts[2].filename, "photo.jpg");
    EXPECT_EQ(parsed.parts[2].content_type, "image/jpeg");
    EXPECT_EQ(parsed.parts[2].data, data);
    for (const Part& p : parsed.parts) EXPECT_TRUE(p.complete);
  });
}

TEST(FormData, DataThatAlmostContainsTheDelimiter) {
  // Prefixes of "\r\n--<boundary>" inside the data, and the boundary text
  // without its leading CRLF: all data.
  const std::string tricky = "\r\n--" + kBoundary.substr(0, kBoundary.size() - 1) + "X" + "--" + kBoundary +
                             "\r\r\n\r\n-\r\n--" + "\r\n--" + kBoundary.substr(0, 5);
  const std::string body = field("a", tricky) + file_part("f", "text/plain", tricky + "\r") + closing();
  for_every_split(body, [&](std::size_t piece) {
    Parsed parsed = parse(kBoundary, body, piece);
    ASSERT_FALSE(parsed.error) << parsed.error->message;
    ASSERT_EQ(parsed.parts.size(), 2u);
    EXPECT_EQ(parsed.parts[0].data, tricky);
    EXPECT_EQ(parsed.parts[1].data, tricky + "\r");
  });
}

TEST(FormData, EmptyValuesAndEmptyFile) {
  const std::string body = field("empty", "") + file_part("", "application/octet-stream", "") + closing();
  for_every_split(body, [&](std::size_t piece) {
    Parsed parsed = parse(kBoundary, body, piece);
    ASSERT_FALSE(parsed.error) << parsed.error->message;
    ASSERT_EQ(parsed.parts.size(), 2u);
    EXPECT_EQ(parsed.parts[0].data, "");
    EXPECT_EQ(parsed.parts[1].filename, "");
    EXPECT_EQ(parsed.parts[1].data, "");
  });
}

TEST(FormData, PreambleEpiloguePaddingAndHeaderVariants) {
  const std::string body = "This is a preamble.\r\n--" + kBoundary + "  \t\r\n" +
                           "content-disposition:form-data;name=key; filename=\"a;b.txt\"\r\n"
                           "X-Ignored: yes\r\n\r\n"
                           "v\r\n--" +
                           kBoundary +
                           "\r\n"
                           "Content-Disposition: FORM-DATA; NAME=file\r\n\r\n"
                           "bytes\r\n--" +
                           kBoundary + "--\r\nthe epilogue is ignored --" + kBoundary + "\r\n";
  for_every_split(body, [&](std::size_t piece) {
    Parsed parsed = parse(kBoundary, body, piece);
    ASSERT_FALSE(parsed.error) << parsed.error->message;
    ASSERT_TRUE(parsed.ended);
    ASSERT_EQ(parsed.parts.size(), 2u);
    EXPECT_EQ(parsed.parts[0].name, "key");
    EXPECT_EQ(parsed.parts[0].filename, "a;b.txt");
    EXPECT_EQ(parsed.parts[0].data, "v");
    EXPECT_EQ(parsed.parts[1].name, "file");
    EXPECT_EQ(parsed.parts[1].data, "bytes");
    EXPECT_EQ(parsed.unconsumed, 0u);
  });
}

TEST(FormData, BinaryDataWithEveryByteValue) {
  std::string data;
  for (int round = 0; round < 3; ++round) {
    for (int b = 0; b < 256; ++b) data.push_back(static_cast<char>(b));
  }
  const std::string body = file_part("bin", "application/octet-stream", data) + closing();
  for (std::size_t piece : {1u, 2u, 7u, 31u, 32u, 33u, 100u, 4096u}) {
    Parsed parsed = parse(kBoundary, body, piece);
    ASSERT_FALSE(parsed.error) << parsed.error->message;
    ASSERT_EQ(parsed.parts.size(), 1u);
    EXPECT_EQ(parsed.parts[0].data, data) << piece;
  }
}

TEST(FormData, MalformedBodies) {
  const std::string ok_field = field("key", "k");
  struct Row {
    const char* what;
    std::string body;
  };
  const Row rows[] = {
      {"empty body", ""},
      {"no boundary at all", "just some bytes\r\n"},
      {"missing final boundary", ok_field + file_part("f", "text/plain", "data")},
      {"data without any closing delimiter", ok_field + "--" + kBoundary +
                                                 "\r\nContent-Disposition: form-data; "
                                                 "name=\"file\"\r\n\r\nabc"},
      {"ends inside the headers", "--" + kBoundary + "\r\nContent-Disposition: form-da"},
      {"ends right after a delimiter", ok_field + "--" + kBoundary},
      {"garbage after a delimiter", "--" + kBoundary + "X\r\n" + ok_field + closing()},
      {"LF instead of CRLF after a delimiter",
       "--" + kBoundary + "\nContent-Disposition: form-data; name=a\n\nv\n" + closing()},
      {"no Content-Disposition", "--" + kBoundary + "\r\nContent-Type: text/plain\r\n\r\nv\r\n" + closing()},
      {"no headers at all", "--" + kBoundary + "\r\n\r\nv\r\n" + closing()},
      {"not form-data", "--" + kBoundary + "\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n" + closing()},
      {"no name", "--" + kBoundary + "\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nv\r\n" + closing()},
      {"unterminated quoted name",
       "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n" + closing()},
      {"folded header line",
       "--" + kBoundary + "\r\nContent-Disposition: form-data;\r\n name=a\r\n\r\nv\r\n" + closing()},
      {"two dispositions", "--" + kBoundary +
                               "\r\nContent-Disposition: form-data; name=a\r\nContent-Disposition: form-data; "
                               "name=b\r\n\r\nv\r\n" +
                               closing()},
  };
  for (const Row& row : rows) {
    for (std::size_t piece : {0u, 1u, 3u, 17u}) {
      Parsed parsed = parse(kBoundary, row.body, piece);
      ASSERT_TRUE(parsed.error.has_value()) << row.what << " (piece " << piece << ")";
      EXPECT_EQ(parsed.error->code, ErrorCode::MalformedPOSTRequest) << row.what;
      EXPECT_FALSE(parsed.error->message.empty());
    }
  }
}

TEST(FormData, LimitsOnHeadersAndPreamble) {
  FormLimits limits;
  limits.max_part_header_bytes = 200;
  limits.max_preamble_bytes = 100;
  const std::string big_header = "--" + kBoundary +
                                 "\r\nContent-Disposition: form-data; name=a\r\nX-Pad: " + std::string(300, 'p') +
                                 "\r\n\r\nv\r\n" + closing();
  const std::string big_preamble = std::string(500, 'x') + "\r\n" + field("a", "v") + closing();
  for (std::size_t piece : {0u, 1u, 64u}) {
    Parsed header = parse(kBoundary, big_header, piece, limits);
    ASSERT_TRUE(header.error) << piece;
    EXPECT_EQ(header.error->code, ErrorCode::MalformedPOSTRequest);
    Parsed preamble = parse(kBoundary, big_preamble, piece, limits);
    ASSERT_TRUE(preamble.error) << piece;
    EXPECT_EQ(preamble.error->code, ErrorCode::MalformedPOSTRequest);
  }
  // A header block without its blank line never grows past the limit.
  const std::string endless = "--" + kBoundary + "\r\nX: " + std::string(100000, 'y');
  Parsed parsed = parse(kBoundary, endless, 1000, limits);
  ASSERT_TRUE(parsed.error);
}

TEST(FormData, BoundaryFromContentType) {
  struct Row {
    const char* content_type;
    std::optional<const char*> boundary;
  };
  const Row rows[] = {
      {"multipart/form-data; boundary=abc", "abc"},
      {"multipart/form-data;boundary=abc", "abc"},
      {"Multipart/Form-Data; BOUNDARY=----WebKitFormBoundary7MA4YWxkTrZu0gW", "----WebKitFormBoundary7MA4YWxkTrZu0gW"},
      {"multipart/form-data; charset=utf-8; boundary=\"quoted boundary; with=specials\"",
       "quoted boundary; with=specials"},
      {"multipart/form-data; boundary=\"abc\"; charset=utf-8", "abc"},
      {"multipart/form-data", std::nullopt},
      {"multipart/form-data; boundary=", std::nullopt},
      {"multipart/form-data; boundary=\"\"", std::nullopt},
      {"multipart/mixed; boundary=abc", std::nullopt},
      {"text/plain", std::nullopt},
      {"", std::nullopt},
      {"multipart/form-data; boundary=\"unterminated", std::nullopt},
  };
  for (const Row& row : rows) {
    auto boundary = form_data_boundary(row.content_type);
    ASSERT_EQ(boundary.ok(), row.boundary.has_value()) << row.content_type;
    if (boundary) {
      EXPECT_EQ(boundary.value(), *row.boundary);
    } else {
      EXPECT_EQ(boundary.error().code, ErrorCode::MalformedPOSTRequest);
    }
  }
  EXPECT_TRUE(form_data_boundary("multipart/form-data; boundary=" + std::string(70, 'b')));
  EXPECT_FALSE(form_data_boundary("multipart/form-data; boundary=" + std::string(71, 'b')));
}

TEST(FormData, QuotedBoundaryWithSpacesParses) {
  const std::string boundary = "a b'c";
  const std::string body =
      "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nxyz\r\n--" + boundary + "--";
  for_every_split(body, [&](std::size_t piece) {
    Parsed parsed = parse(boundary, body, piece);
    ASSERT_FALSE(parsed.error) << parsed.error->message;
    ASSERT_TRUE(parsed.ended);
    ASSERT_EQ(parsed.parts.size(), 1u);
    EXPECT_EQ(parsed.parts[0].data, "xyz");
  });
}

// Random mutations of a valid body: the parser must always finish (an
// error or End), never read out of bounds (ASan builds) or loop.
TEST(FormData, MutatedBodiesAlwaysTerminate) {
  const std::string valid =
      field("key", "k") + field("policy", "p") + file_part("f", "text/plain", "hello") + closing();
  std::mt19937 rng(12345);
  for (int round = 0; round < 400; ++round) {
    std::string body = valid;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = rng() % body.size();
      switch (rng() % 3) {
        case 0: body[at] = static_cast<char>(rng() % 256); break;
        case 1: body.erase(at, 1 + rng() % 8); break;
        default: body.insert(at, std::string(1 + rng() % 3, "\r\n-"[rng() % 3])); break;
      }
      if (body.empty()) body.push_back('x');
    }
    Parsed parsed = parse(kBoundary, body, 1 + rng() % 40);
    EXPECT_TRUE(parsed.error.has_value() || parsed.ended);
  }
}

}  // namespace
}  // namespace ossd::oss
