#pragma once
// Message digests (OpenSSL EVP). All results are raw digest bytes; hex or
// base64 them at the call site.
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace ossd::crypto {

std::string sha1(std::string_view data);
std::string sha256(std::string_view data);
std::string md5(std::string_view data);

// Streaming MD5 for bodies that never sit whole in memory (ETag,
// Content-MD5 checks).
class Md5 {
 public:
  Md5();
  ~Md5();
  Md5(Md5&&) noexcept;
  Md5& operator=(Md5&&) noexcept;
  Md5(const Md5&) = delete;
  Md5& operator=(const Md5&) = delete;

  void update(std::span<const char> data);
  // The 16 raw digest bytes. The object is then spent: call reset() to reuse.
  std::string finish();
  void reset();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

}  // namespace ossd::crypto
