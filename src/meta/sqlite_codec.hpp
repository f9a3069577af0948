#pragma once
// How the list-valued parts of a record are stored in TEXT columns: JSON that
// a person can read with the sqlite3 shell, and that still round-trips every
// byte. Strings that are not valid UTF-8 (JSON cannot carry them) are stored
// as {"hex": "..."}.
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "meta/records.hpp"

namespace ossd::meta::sqlite {

bool is_valid_utf8(std::string_view text);

// [["name","value"], ...] in the given order.
Result<std::string> encode_pairs(const Pairs& pairs);
Result<Pairs> decode_pairs(std::string_view text);

// [["<blob id>", size], ...] in object order.
Result<std::string> encode_segments(const std::vector<Segment>& segments);
Result<std::vector<Segment>> decode_segments(std::string_view text);

// Every field of an ObjectRecord except bucket and key (which live in columns):
// what a multipart upload applies to the object on completion.
Result<std::string> encode_object_template(const ObjectRecord& object);
Result<ObjectRecord> decode_object_template(std::string_view text);

}  // namespace ossd::meta::sqlite
