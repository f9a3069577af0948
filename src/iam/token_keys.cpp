#include "iam/token_keys.hpp"

#include <algorithm>

#include "crypto/aead.hpp"

namespace ossd::iam {

Result<auth::TokenKeyRing> ring_from_records(const std::vector<meta::TokenKeyRecord>& records, const SecretBox& box) {
  if (records.empty()) return Error(ErrorCode::InvalidArgument, "the token key ring is empty");
  auth::TokenKeyRing ring;
  const meta::TokenKeyRecord* newest = nullptr;
  for (const auto& record : records) {
    auto key = box.open(record.key_sealed, token_key_context(record.key_id));
    if (!key) return Error(ErrorCode::InternalError, "STS token key " + record.key_id + ": " + key.error().message);
    if (key->size() != crypto::kAeadKeyBytes) {
      return Error(ErrorCode::InternalError, "STS token key " + record.key_id + " has the wrong size");
    }
    ring.keys.push_back({record.key_id, std::move(key.value())});
    if (newest == nullptr || record.created_ms > newest->created_ms ||
        (record.created_ms == newest->created_ms && record.key_id > newest->key_id)) {
      newest = &record;
    }
  }
  ring.current_id = newest->key_id;
  return ring;
}

meta::TokenKeyRecord new_token_key_record(const SecretBox& box, Random& random, SystemTime now) {
  std::string key(crypto::kAeadKeyBytes, '\0');
  random.fill({reinterpret_cast<unsigned char*>(key.data()), key.size()});
  meta::TokenKeyRecord record;
  record.key_id = "k" + random.hex(4);
  record.key_sealed = box.seal(key, token_key_context(record.key_id), random);
  record.created_ms = to_unix_millis(now);
  return record;
}

Status TokenKeys::load(Random& random, SystemTime now) {
  auto records = store_.list_token_keys();
  if (!records) return records.error();
  if (records->empty()) {
    // Two gateways starting together may both add a first key: both stay in
    // the ring, and either opens the other's tokens.
    if (auto added = store_.add_token_key(new_token_key_record(box_, random, now)); !added) return added.error();
  }
  return reload();
}

Status TokenKeys::reload() {
  auto records = store_.list_token_keys();
  if (!records) return records.error();
  auto ring = ring_from_records(records.value(), box_);
  if (!ring) return ring.error();
  auto shared = std::make_shared<const auth::TokenKeyRing>(std::move(ring.value()));
  std::lock_guard lock(mutex_);
  ring_ = std::move(shared);
  return ok_status();
}

Result<std::string> TokenKeys::rotate(Random& random, SystemTime now) {
  auto existing = store_.list_token_keys();
  if (!existing) return existing.error();
  // The new key must be the newest even when the clock has not moved since
  // the last key (or moved back): ties would be broken by the random id.
  int64_t newest_ms = 0;
  for (const auto& key : existing.value()) newest_ms = std::max(newest_ms, key.created_ms);
  if (to_unix_millis(now) <= newest_ms) now = from_unix_millis(newest_ms + 1);
  auto record = new_token_key_record(box_, random, now);
  if (auto added = store_.add_token_key(record); !added) return added.error();
  if (auto reloaded = reload(); !reloaded) return reloaded.error();
  return record.key_id;
}

std::shared_ptr<const auth::TokenKeyRing> TokenKeys::ring() const {
  std::lock_guard lock(mutex_);
  return ring_;
}

}  // namespace ossd::iam
