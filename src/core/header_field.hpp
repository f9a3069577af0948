#pragma once
#include <string>

namespace ossd {

// One HTTP header as received or to be sent; names keep their spelling.
struct HeaderField {
  std::string name;
  std::string value;
};

}  // namespace ossd
