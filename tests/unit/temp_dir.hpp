#pragma once
// A fresh directory under GoogleTest's temp dir for one test (or fixture),
// removed with everything in it when the object goes.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace ossd::test {

class TempDir {
 public:
  // prefix names the directory ("<prefix>-XXXXXX"), to tell suites apart.
  explicit TempDir(std::string_view prefix = "ossd-test") {
    std::string pattern = (std::filesystem::path(::testing::TempDir()) / (std::string(prefix) + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed: " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace ossd::test
