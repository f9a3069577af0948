#pragma once
// Who signs: a long-term AccessKey pair, or an STS temporary one with its
// security token (spec §4).
#include <string>

namespace ossd::client {

struct Credentials {
  std::string access_key_id;
  std::string access_key_secret;
  std::string security_token;  // empty for long-term keys

  bool temporary() const { return !security_token.empty(); }
};

}  // namespace ossd::client
