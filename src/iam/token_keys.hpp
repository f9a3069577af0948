#pragma once
// The STS token key ring, kept in the identity store (each key sealed under
// the master key) so every gateway sharing the store opens every token. The
// newest key seals new tokens; older keys stay and keep opening the tokens
// they sealed, so a rotation never cuts live sessions.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "auth/session_token.hpp"
#include "core/clock.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "iam/secret_box.hpp"
#include "meta/identity_store.hpp"

namespace ossd::iam {

// Pure: the ring the stored records describe (every key opened with `box`;
// the newest by creation time, then id, is current). InternalError when a
// key does not open; InvalidArgument for an empty list.
Result<auth::TokenKeyRing> ring_from_records(const std::vector<meta::TokenKeyRecord>& records, const SecretBox& box);

// A new random 32-byte key, sealed for the store.
meta::TokenKeyRecord new_token_key_record(const SecretBox& box, Random& random, SystemTime now);

// The ring of this process. Blocking (store reads): call at start-up and from
// a work pool.
class TokenKeys {
 public:
  TokenKeys(meta::IdentityStore& store, const SecretBox& box) : store_(store), box_(box) {}

  // Loads the ring from the store, creating the first key when there is none.
  Status load(Random& random, SystemTime now);
  // Re-reads the store (another process may have rotated).
  Status reload();
  // Adds a key that becomes current at once; returns its id.
  Result<std::string> rotate(Random& random, SystemTime now);

  // The current ring (a snapshot; never null after a successful load()).
  std::shared_ptr<const auth::TokenKeyRing> ring() const;

 private:
  meta::IdentityStore& store_;
  const SecretBox& box_;
  mutable std::mutex mutex_;
  std::shared_ptr<const auth::TokenKeyRing> ring_;
};

}  // namespace ossd::iam
