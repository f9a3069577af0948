#pragma once
// Where the RPC APIs' SignatureNonce replay protection remembers the
// (access key, nonce) pairs it has seen: in this process's memory
// (iam::NonceCache, a single gateway on SQLite), or in the PostgreSQL
// database several gateways share (meta/pg_nonce_ledger.hpp), so a nonce
// spent on one gateway is refused on every other.
//
// The interface lives in src/meta, below src/iam, because the PostgreSQL
// ledger is a store and src/meta may not depend on src/iam; the in-memory
// one (src/iam) implements it from above.
#include <string_view>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace ossd::meta {

class NonceLedger {
 public:
  enum class Outcome {
    Fresh,     // not seen within the window: now recorded, the call may go on
    Replayed,  // seen within the window: the call is refused (SignatureNonceUsed)
    Full,      // no room to record it: refused (Throttling), never accepted unrecorded
  };

  virtual ~NonceLedger() = default;

  // Records the pair when it is fresh, as one atomic decision: of several
  // callers presenting the same pair (on any gateway sharing the ledger),
  // exactly one gets Fresh. An error (the database could not be asked) is
  // neither: the caller refuses the request rather than accept it unchecked.
  // Time is a parameter; nothing here reads a clock.
  virtual Result<Outcome> remember(std::string_view access_key_id, std::string_view nonce, SystemTime now) = 0;

  // Whether remember() may wait on I/O (a database round trip). A caller on
  // an I/O thread then runs it on a work pool; an in-memory ledger answers
  // in place.
  virtual bool blocks() const = 0;
};

}  // namespace ossd::meta
