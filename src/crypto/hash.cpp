#include "crypto/hash.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace ossd::crypto {

namespace {

// A failure here means OpenSSL itself is broken (no provider for a basic
// digest): nothing a request could cause, so it is a start-up-class fault.
[[noreturn]] void openssl_failure(const char* what) { throw std::runtime_error(std::string("OpenSSL: ") + what); }

std::string one_shot(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), out, &length, md, nullptr) != 1) openssl_failure("EVP_Digest failed");
  return std::string(reinterpret_cast<const char*>(out), length);
}

}  // namespace

std::string sha1(std::string_view data) { return one_shot(EVP_sha1(), data); }
std::string sha256(std::string_view data) { return one_shot(EVP_sha256(), data); }
std::string md5(std::string_view data) { return one_shot(EVP_md5(), data); }

struct Md5::Context {
  EVP_MD_CTX* ctx = nullptr;
  Context() : ctx(EVP_MD_CTX_new()) {
    if (ctx == nullptr) openssl_failure("EVP_MD_CTX_new failed");
  }
  ~Context() { EVP_MD_CTX_free(ctx); }
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
};

Md5::Md5() : context_(std::make_unique<Context>()) { reset(); }
Md5::~Md5() = default;
Md5::Md5(Md5&&) noexcept = default;
Md5& Md5::operator=(Md5&&) noexcept = default;

void Md5::reset() {
  if (EVP_DigestInit_ex(context_->ctx, EVP_md5(), nullptr) != 1) openssl_failure("EVP_DigestInit_ex(md5) failed");
}

void Md5::update(std::span<const char> data) {
  if (EVP_DigestUpdate(context_->ctx, data.data(), data.size()) != 1) openssl_failure("EVP_DigestUpdate failed");
}

std::string Md5::finish() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context_->ctx, out, &length) != 1) openssl_failure("EVP_DigestFinal_ex failed");
  return std::string(reinterpret_cast<const char*>(out), length);
}

}  // namespace ossd::crypto
