#pragma once
// A one-line progress bar for interactive terminals, redrawn in place.
#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace ossd::cli {

class ProgressBar {
 public:
  ProgressBar(std::ostream& out, std::string label) : out_(out), label_(std::move(label)) {}
  // Redraws at most every 100 ms (and always at 100%), so a fast local
  // transfer does not spend its time writing to the terminal.
  void update(uint64_t done, uint64_t total);
  // Ends the line.
  void finish();

 private:
  void draw(uint64_t done, uint64_t total);
  std::ostream& out_;
  std::string label_;
  std::chrono::steady_clock::time_point last_draw_{};
  bool drawn_ = false;
};

// "1.5 MiB", "512 B".
std::string human_size(uint64_t bytes);

}  // namespace ossd::cli
