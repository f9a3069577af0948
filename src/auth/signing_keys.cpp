#include "auth/signing_keys.hpp"

#include "auth/credential.hpp"
#include "auth/v4_signature.hpp"
#include "core/strings.hpp"
#include "crypto/base64.hpp"

namespace ossd::auth {

const crypto::KeyedMac& SigningKeys::v1() const {
  std::call_once(v1_once_,
                 [this] { v1_ = std::make_unique<crypto::KeyedMac>(crypto::MacAlgorithm::HmacSha1, secret_); });
  return *v1_;
}

const crypto::KeyedMac& SigningKeys::rpc_v1() const {
  std::call_once(rpc_v1_once_, [this] {
    rpc_v1_ = std::make_unique<crypto::KeyedMac>(crypto::MacAlgorithm::HmacSha1, secret_ + "&");
  });
  return *rpc_v1_;
}

const crypto::KeyedMac& SigningKeys::acs3() const {
  std::call_once(acs3_once_,
                 [this] { acs3_ = std::make_unique<crypto::KeyedMac>(crypto::MacAlgorithm::HmacSha256, secret_); });
  return *acs3_;
}

std::shared_ptr<const crypto::KeyedMac> SigningKeys::v4(std::string_view yyyymmdd, std::string_view region) const {
  std::string scope(yyyymmdd);
  scope.push_back('/');
  scope.append(region);
  {
    std::lock_guard lock(v4_mutex_);
    for (const auto& [known, mac] : v4_) {
      if (known == scope) return mac;
    }
  }
  // Derived outside the lock; two threads may both derive the same scope,
  // which is harmless (the second insert finds the first).
  auto mac = std::make_shared<const crypto::KeyedMac>(crypto::MacAlgorithm::HmacSha256,
                                                      v4_signing_key(secret_, yyyymmdd, region));
  std::lock_guard lock(v4_mutex_);
  for (const auto& [known, existing] : v4_) {
    if (known == scope) return existing;
  }
  if (v4_.size() >= kV4Scopes) v4_.erase(v4_.begin());
  v4_.emplace_back(std::move(scope), mac);
  return mac;
}

std::shared_ptr<const SigningKeys> signing_keys_of(const Credential& credential) {
  if (credential.signing_keys) return credential.signing_keys;
  return std::make_shared<const SigningKeys>(credential.secret);
}

std::string v1_signature(const SigningKeys& keys, std::string_view string_to_sign) {
  return crypto::base64_encode(keys.v1().mac(string_to_sign));
}

std::string rpc_signature(const SigningKeys& keys, std::string_view string_to_sign) {
  return crypto::base64_encode(keys.rpc_v1().mac(string_to_sign));
}

std::string acs3_signature(const SigningKeys& keys, std::string_view string_to_sign) {
  return hex_lower(keys.acs3().mac(string_to_sign));
}

std::string v4_signature(const SigningKeys& keys, std::string_view yyyymmdd, std::string_view region,
                         std::string_view string_to_sign) {
  return hex_lower(keys.v4(yyyymmdd, region)->mac(string_to_sign));
}

}  // namespace ossd::auth
