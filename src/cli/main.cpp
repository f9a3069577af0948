#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cli/app.hpp"

int main(int argc, char** argv) {
  ossd::cli::Environment env{[](std::string_view name) -> std::optional<std::string> {
                               const char* value = std::getenv(std::string(name).c_str());
                               // An empty variable counts as unset, so it does not hide the config file.
                               if (value == nullptr || *value == '\0') return std::nullopt;
                               return std::string(value);
                             },
                             std::cout, std::cerr, isatty(STDOUT_FILENO) == 1};
  return ossd::cli::run(argc, argv, env);
}
