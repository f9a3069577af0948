#pragma once
// ossctl's command line (CLI11): global settings, the commands and their
// flags, exit codes.
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace ossd::cli {

struct Environment {
  std::function<std::optional<std::string>(std::string_view)> getenv;
  std::ostream& out;
  std::ostream& err;
  bool out_is_terminal = false;  // progress bars only on a terminal
};

// Exit codes: 0 success, 1 the operation failed (the server or the
// network said no), 2 bad usage or local input, CLI11's own codes for
// flags it rejects.
int run(int argc, const char* const* argv, const Environment& env);

}  // namespace ossd::cli
