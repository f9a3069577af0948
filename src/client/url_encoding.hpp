#pragma once
// The percent-encodings ali-oss's URLs are made of. They come from
// JavaScript and Node, whose unreserved sets differ from RFC 3986 (which
// core/strings.hpp's uri_encode implements, for the V4 canonical forms), so
// byte-identical URLs need these exact sets.
#include <string>
#include <string_view>
#include <vector>

#include "core/strings.hpp"

namespace ossd::client::detail {

// encodeURIComponent, and Node's querystring.escape, which keeps the same
// set: A-Z a-z 0-9 - _ . ! ~ * ' ( ).
std::string encode_uri_component(std::string_view text);

// encodeURI: encodeURIComponent's set plus ; , / ? : @ & = + $ #.
std::string encode_uri(std::string_view text);

// ali-oss _escape: encodeURIComponent with '/' kept.
std::string escape_object_path(std::string_view key);

// Node's querystring.stringify as url.format uses it: "name=value" joined
// by '&', a name without value still written "name=".
std::string node_query_string(const std::vector<QueryParam>& query);

// Sets name=value in place when the name is present, else appends it: how a
// JavaScript object assignment orders keys.
void set_param(std::vector<QueryParam>& query, std::string name, std::string value);

}  // namespace ossd::client::detail
