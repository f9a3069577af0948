#pragma once
// Which metadata store the server runs on, chosen by `--meta <spec>`
// (env OSSD_META):
//
//   sqlite                          <data-dir>/meta.db, the embedded default
//   postgres://user:pw@host/db?...  a PostgreSQL URI (also postgresql://),
//                                   passed to libpq as written
//   pg:host=... dbname=... ...      a libpq key=value string after "pg:"
//
// A PostgreSQL store may be shared by several gateways; the SQLite one
// belongs to this process alone. libpq's connect_timeout defaults to 10 s
// (meta/pg_connection.cpp) unless the spec sets one, so an unreachable
// database ends the start-up instead of hanging it.
//
// Specs carry passwords, so nothing here or in the callers prints a spec
// except through redact_conninfo().
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "meta/metadata_store.hpp"
#include "meta/pg_store.hpp"

namespace ossd::server {

enum class MetadataBackend { Sqlite, Postgres };

struct MetadataSpec {
  MetadataBackend backend = MetadataBackend::Sqlite;
  std::string conninfo;  // Postgres: what libpq gets (a URI or a key=value string); Sqlite: empty
};

// Pure. InvalidArgument (with a message that never quotes a password) for
// anything but the three forms above, or a key=value string libpq would
// refuse (a token without '=', an unterminated quote).
Result<MetadataSpec> parse_metadata_spec(std::string_view spec);

// Pure. The spec (or a bare conninfo) with every password replaced by "***":
// the user:password@ of a URI, its ?password= / &sslpassword= parameters, and
// password= / sslpassword= in key=value form. Where the text is malformed it
// redacts more rather than less (a URI's user info up to the last '@', an
// unterminated quoted password to the end).
std::string redact_conninfo(std::string_view spec);

// Pure. `text` (e.g. a libpq error message) with every password the spec
// holds, as written and percent-decoded, replaced by "***", for messages that
// might echo a piece of the connection string.
std::string scrub_secrets(std::string_view text, std::string_view spec);

// Whether other processes may write the same metadata: then this process
// cannot tell an orphan blob from another gateway's blob in flight.
constexpr bool is_shared(MetadataBackend backend) { return backend == MetadataBackend::Postgres; }

// What the log calls the store: "sqlite <path>" or the redacted conninfo.
std::string describe_metadata_store(const MetadataSpec& spec, const std::filesystem::path& data_dir);

// Opens the store the spec names (the schema migrated), PostgreSQL with at
// most pg_connections connections. Error messages name the store only in its
// redacted form.
Result<std::unique_ptr<meta::MetadataStore>> open_metadata_store(
    const MetadataSpec& spec, const std::filesystem::path& data_dir,
    size_t pg_connections = meta::PgStoreOptions{}.max_connections);

}  // namespace ossd::server
