#pragma once
// The PostgreSQL wire formats the metadata store speaks, as pure functions of
// values: every parameter is sent in binary format with an explicit type, so
// bytes reach the server exactly as given (bytea keys keep 0xFF and NUL, text
// is checked by the server for valid encoding instead of being cut at a NUL),
// and every result column comes back in binary format. libpq stays in
// pg_connection.cpp (DESIGN rule 2). Private to src/meta.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace ossd::meta::pg {

// Type OIDs of the built-in types used here (pg_type.dat; stable across versions).
inline constexpr unsigned kBoolOid = 16;
inline constexpr unsigned kByteaOid = 17;
inline constexpr unsigned kInt8Oid = 20;
inline constexpr unsigned kInt4Oid = 23;
inline constexpr unsigned kTextOid = 25;
inline constexpr unsigned kTextArrayOid = 1009;

// Network byte order, as the binary format of int8 has it.
std::string encode_int64(int64_t value);
// Any binary integer column (int2, int4, int8), sign-extended; nullopt for another length.
std::optional<int64_t> decode_integer(std::string_view bytes);

// The binary format of a one-dimensional text[] without NULLs (array_send):
// header (dimensions, has-nulls flag, element type), the dimension (length,
// lower bound 1), then each element as a length and its bytes. An empty array
// has no dimensions.
std::string encode_text_array(const std::vector<std::string>& elements);

// The parameters of one statement ($1, $2... in order), each with its type.
class Params {
 public:
  Params& text(std::string_view value) { return add(kTextOid, std::string(value)); }
  Params& bytes(std::string_view value) { return add(kByteaOid, std::string(value)); }
  Params& int64(int64_t value) { return add(kInt8Oid, encode_int64(value)); }
  // Unsigned 64-bit values (sizes, CRC-64) keep their bits in a signed column.
  Params& uint64(uint64_t value) { return int64(static_cast<int64_t>(value)); }
  Params& text_array(const std::vector<std::string>& values) { return add(kTextArrayOid, encode_text_array(values)); }

  size_t size() const { return values_.size(); }
  const std::vector<unsigned>& types() const { return types_; }
  const std::vector<std::string>& values() const { return values_; }

 private:
  Params& add(unsigned type, std::string value) {
    types_.push_back(type);
    values_.push_back(std::move(value));
    return *this;
  }

  std::vector<unsigned> types_;
  std::vector<std::string> values_;
};

}  // namespace ossd::meta::pg
