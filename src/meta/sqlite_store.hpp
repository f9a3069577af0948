#pragma once
// MetadataStore on an embedded SQLite database (the single-node default).
//
// Durability: WAL journal with synchronous=FULL, so a call that returned has
// survived power loss. Concurrency: writes go through one connection, one
// IMMEDIATE transaction per call, serialised by a mutex (SQLite has a single
// writer anyway); reads use a small pool of connections and run in parallel
// with each other and with the writer, each on its own snapshot.
#include <cstddef>
#include <filesystem>
#include <memory>

#include "core/result.hpp"
#include "meta/metadata_store.hpp"

namespace ossd::meta {

struct SqliteStoreOptions {
  // Reader connections opened on demand, at most this many; further readers wait.
  size_t max_readers = 8;
};

// Opens or creates db_file (plus its -wal and -shm files beside it) and brings
// the schema up to date.
Result<std::unique_ptr<MetadataStore>> open_sqlite_store(const std::filesystem::path& db_file,
                                                         SqliteStoreOptions options = {});

}  // namespace ossd::meta
