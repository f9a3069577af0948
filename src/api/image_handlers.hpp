#pragma once
// x-oss-process over HTTP (spec §9): GET/HEAD of a processed image, and
// POST ?x-oss-process with sys/saveas. The handlers themselves are declared
// in handlers.hpp; these are their pure pieces, for tests.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace ossd::api {

// The x-oss-process value of a sys/saveas POST body, an
// application/x-www-form-urlencoded form ("x-oss-process=image%2F...|sys%2F...";
// '+' is a space). InvalidArgument when the form is malformed or lacks it.
Result<std::string> process_text_from_form(std::string_view body);

// {"bucket":..,"fileSize":..,"object":..,"status":"OK"}, what OSS answers a
// successful sys/saveas with.
std::string saveas_result_json(const std::string& bucket, const std::string& key, uint64_t size);

}  // namespace ossd::api
