#pragma once
// Shared by the store conformance suites (meta_store_conformance_test.cpp,
// identity_store_test.cpp): Result assertions, and a fixture that opens the
// store under test in a temporary directory through one factory per
// implementation, so a new implementation joins by adding a factory.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "core/result.hpp"
#include "temp_dir.hpp"

#define EXPECT_OK(expr) \
  do { \
    const auto& result_ = (expr); \
    EXPECT_TRUE(result_.ok()) << (result_.ok() ? "" : result_.error().message); \
  } while (0)
#define ASSERT_OK(expr) \
  do { \
    const auto& result_ = (expr); \
    ASSERT_TRUE(result_.ok()) << (result_.ok() ? "" : result_.error().message); \
  } while (0)
#define EXPECT_ERROR(expr, expected) \
  do { \
    const auto& result_ = (expr); \
    ASSERT_FALSE(result_.ok()) << "expected an error"; \
    EXPECT_EQ(result_.error().code, ErrorCode::expected) << result_.error().message; \
  } while (0)

namespace ossd::meta::test {

namespace fs = std::filesystem;

// One implementation of Store under test.
template <class Store>
struct StoreFactory {
  std::string name;
  // Opens the store whose data lives under dir; opening the same dir again
  // must see the same data (persistence).
  std::function<Result<std::unique_ptr<Store>>(const fs::path& dir)> open;
  // When set and it gives a reason, the implementation's tests are skipped
  // (a server-backed store on a machine without that server, on purpose).
  std::function<std::optional<std::string>()> skip_reason;
};

template <class Store>
void PrintTo(const StoreFactory<Store>& factory, std::ostream* out) {
  *out << factory.name;
}

// Names the instantiated tests after the implementation ("Stores/.../Sqlite").
template <class Store>
std::string factory_name(const ::testing::TestParamInfo<StoreFactory<Store>>& info) {
  return info.param.name;
}

// Each test gets a fresh store of the implementation it is instantiated
// with, in a directory of its own; reopen() opens the same data again.
template <class Store>
class StoreConformance : public ::testing::TestWithParam<StoreFactory<Store>> {
 protected:
  void SetUp() override {
    if (const auto& skip_reason = this->GetParam().skip_reason) {
      if (std::optional<std::string> why = skip_reason()) GTEST_SKIP() << *why;
    }
    reopen();
  }
  void TearDown() override { store_.reset(); }

  void reopen() {
    store_.reset();
    auto opened = this->GetParam().open(dir_.path());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
  }

  Store& store() { return *store_; }

  ossd::test::TempDir dir_{"ossd-store"};
  std::unique_ptr<Store> store_;
};

}  // namespace ossd::meta::test
