#include "meta/pg_codec.hpp"

namespace ossd::meta::pg {

namespace {

void append_big_endian(std::string& out, uint64_t value, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xFF));
  }
}

void append_int32(std::string& out, int32_t value) { append_big_endian(out, static_cast<uint32_t>(value), 4); }

}  // namespace

std::string encode_int64(int64_t value) {
  std::string out;
  append_big_endian(out, static_cast<uint64_t>(value), 8);
  return out;
}

std::optional<int64_t> decode_integer(std::string_view bytes) {
  if (bytes.size() != 2 && bytes.size() != 4 && bytes.size() != 8) return std::nullopt;
  uint64_t value = 0;
  for (char c : bytes) value = (value << 8) | static_cast<unsigned char>(c);
  // Sign-extend the narrower types from their top bit.
  const unsigned bits = static_cast<unsigned>(bytes.size()) * 8;
  if (bits < 64 && (value >> (bits - 1)) != 0) value |= ~uint64_t{0} << bits;
  return static_cast<int64_t>(value);
}

std::string encode_text_array(const std::vector<std::string>& elements) {
  std::string out;
  const bool empty = elements.empty();
  append_int32(out, empty ? 0 : 1);  // dimensions
  append_int32(out, 0);              // no NULL elements
  append_int32(out, static_cast<int32_t>(kTextOid));
  if (empty) return out;
  append_int32(out, static_cast<int32_t>(elements.size()));
  append_int32(out, 1);  // lower bound
  for (const std::string& element : elements) {
    append_int32(out, static_cast<int32_t>(element.size()));
    out += element;
  }
  return out;
}

}  // namespace ossd::meta::pg
