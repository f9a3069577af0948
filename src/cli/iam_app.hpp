#pragma once
// The command line of ossctl's identity commands (`admin ...` and
// `sts ...`): adds them to the CLI11 application and runs whichever was
// parsed. The commands themselves are in iam_commands.hpp and
// token_service.hpp.
#include <memory>

#include "cli/app.hpp"
#include "cli/settings.hpp"

namespace CLI {
class App;
}

namespace ossd::cli {

class IamCommands {
 public:
  explicit IamCommands(CLI::App& app);
  ~IamCommands();
  IamCommands(const IamCommands&) = delete;
  IamCommands& operator=(const IamCommands&) = delete;

  // One of the admin or sts commands was on the command line.
  bool parsed() const;
  // Its exit code (see app.hpp).
  int run(const Settings& settings, const Environment& env);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ossd::cli
