// --meta parsing and the redaction of passwords from metadata store specs.
#include <gtest/gtest.h>

#include "server/backends.hpp"

namespace ossd::server {
namespace {

TEST(MetadataSpec, SqliteIsTheEmbeddedStore) {
  auto spec = parse_metadata_spec("sqlite");
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->backend, MetadataBackend::Sqlite);
  EXPECT_TRUE(spec->conninfo.empty());
  EXPECT_FALSE(is_shared(spec->backend));
  EXPECT_EQ(describe_metadata_store(*spec, "/srv/data"), "sqlite /srv/data/meta.db");
}

TEST(MetadataSpec, BothUriSchemesPassToLibpqAsWritten) {
  for (const char* uri :
       {"postgres://ossd:pw@db.internal:5433/meta?sslmode=require", "postgresql://localhost/meta", "postgres://"}) {
    auto spec = parse_metadata_spec(uri);
    ASSERT_TRUE(spec.ok()) << uri;
    EXPECT_EQ(spec->backend, MetadataBackend::Postgres);
    EXPECT_EQ(spec->conninfo, uri);
    EXPECT_TRUE(is_shared(spec->backend));
  }
}

TEST(MetadataSpec, PgPrefixCarriesLibpqKeyValueSettings) {
  auto spec = parse_metadata_spec("pg:host=127.0.0.1 port=5432 dbname=meta password='a b\\'c'");
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->backend, MetadataBackend::Postgres);
  EXPECT_EQ(spec->conninfo, "host=127.0.0.1 port=5432 dbname=meta password='a b\\'c'");
  auto defaults = parse_metadata_spec("pg:");  // libpq's defaults and PG* variables
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->conninfo, "");
}

TEST(MetadataSpec, AnythingElseIsRefusedWithoutQuotingAPassword) {
  for (const char* bad : {"", "SQLite", "sqlite:", "mysql://u:pw@h/db", "host=h password=hunter2",
                          "POSTGRES://u:hunter2@h/db", "postgres:/u:hunter2@h"}) {
    auto spec = parse_metadata_spec(bad);
    ASSERT_FALSE(spec.ok()) << bad;
    EXPECT_EQ(spec.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(spec.error().message.find("hunter2"), std::string::npos) << spec.error().message;
    EXPECT_EQ(spec.error().message.find("pw@"), std::string::npos) << spec.error().message;
  }
}

TEST(MetadataSpec, MalformedKeyValueSettingsAreRefusedWithoutQuotingThem) {
  auto missing_equals = parse_metadata_spec("pg:host=h passwordhunter2");
  ASSERT_FALSE(missing_equals.ok());
  EXPECT_NE(missing_equals.error().message.find("without '='"), std::string::npos) << missing_equals.error().message;
  EXPECT_EQ(missing_equals.error().message.find("hunter2"), std::string::npos);

  auto unterminated = parse_metadata_spec("pg:host=h password='hunter2");
  ASSERT_FALSE(unterminated.ok());
  EXPECT_NE(unterminated.error().message.find("unterminated"), std::string::npos) << unterminated.error().message;
  EXPECT_EQ(unterminated.error().message.find("hunter2"), std::string::npos);
}

TEST(RedactConninfo, UriUserPasswordIsReplaced) {
  EXPECT_EQ(redact_conninfo("postgres://ossd:hunter2@db:5432/meta"), "postgres://ossd:***@db:5432/meta");
  EXPECT_EQ(redact_conninfo("postgresql://ossd:hunter2@db/meta?sslmode=require"),
            "postgresql://ossd:***@db/meta?sslmode=require");
  // No password: nothing to hide, nothing changed.
  EXPECT_EQ(redact_conninfo("postgres://ossd@db/meta"), "postgres://ossd@db/meta");
  EXPECT_EQ(redact_conninfo("postgres://db:5432/meta"), "postgres://db:5432/meta");
}

TEST(RedactConninfo, UriPasswordsInTheQueryAreReplaced) {
  EXPECT_EQ(redact_conninfo("postgres://db/meta?password=hunter2"), "postgres://db/meta?password=***");
}

TEST(RedactConninfo, UriQueryParametersAreReplacedOneByOne) {
  EXPECT_EQ(
      redact_conninfo("postgres://u@db/meta?sslmode=require&password=hunter2&sslpassword=key2&application_name=x"),
      "postgres://u@db/meta?sslmode=require&password=***&sslpassword=***&application_name=x");
  // libpq decodes parameter names, so an encoded name is a password too.
  EXPECT_EQ(redact_conninfo("postgres://db/meta?%70assword=hunter2"), "postgres://db/meta?%70assword=***");
}

TEST(RedactConninfo, OddUrisAreRedactedMoreRatherThanLess) {
  // '@' and '?' inside an unencoded password.
  EXPECT_EQ(redact_conninfo("postgres://u:hun@ter2@db/meta"), "postgres://u:***@db/meta");
  EXPECT_EQ(redact_conninfo("postgres://u:hun?ter2@db/meta"), "postgres://u:***@db/meta");
  // A scheme in capitals is not libpq's, but it is still not printed whole.
  EXPECT_EQ(redact_conninfo("POSTGRES://u:hunter2@db/meta"), "POSTGRES://u:***@db/meta");
  EXPECT_EQ(redact_conninfo("postgres://u:hunter2@db/meta?password=two&x=1"),
            "postgres://u:***@db/meta?password=***&x=1");
}

TEST(RedactConninfo, KeyValuePasswordsAreReplaced) {
  EXPECT_EQ(redact_conninfo("pg:host=db password=hunter2 dbname=meta"), "pg:host=db password=*** dbname=meta");
  EXPECT_EQ(redact_conninfo("host=db password = 'hunter 2' dbname=meta"), "host=db password = *** dbname=meta");
  EXPECT_EQ(redact_conninfo("pg:password='it\\'s' sslpassword=k"), "pg:password=*** sslpassword=***");
  // "password" inside another value is not a password setting.
  EXPECT_EQ(redact_conninfo("pg:options='-c password=x' host=db"), "pg:options='-c password=x' host=db");
  EXPECT_EQ(redact_conninfo("pg:host=db"), "pg:host=db");
}

TEST(RedactConninfo, MalformedKeyValueTextIsHiddenFromTheFirstBadToken) {
  EXPECT_EQ(redact_conninfo("pg:host=db passwordhunter2 port=1"), "pg:host=db ***");
  EXPECT_EQ(redact_conninfo("pg:host=db password='hunter2"), "pg:host=db ***");
}

TEST(ScrubSecrets, RemovesEveryPasswordTheSpecHoldsFromAMessage) {
  EXPECT_EQ(scrub_secrets("bad port in \"hunter2@db\"", "postgres://u:hunter2@db:x/meta"), "bad port in \"***@db\"");
  // Percent-decoded too: libpq reports decoded values.
  EXPECT_EQ(scrub_secrets("user u password p@ss failed", "postgres://u:p%40ss@db/meta"), "user u password *** failed");
  EXPECT_EQ(scrub_secrets("saw 'a b' twice: a b", "host=db password='a b'"), "saw *** twice: ***");
  EXPECT_EQ(scrub_secrets("nothing secret", "postgres://u@db/meta"), "nothing secret");
}

TEST(OpenMetadataStore, UnreachablePostgresNamesTheStoreWithoutItsPassword) {
  // Port 1 on the loopback refuses at once, so this needs no server.
  auto spec = parse_metadata_spec("postgres://ossd:hunter2@127.0.0.1:1/meta?connect_timeout=2");
  ASSERT_TRUE(spec.ok());
  auto store = open_metadata_store(*spec, "/nonexistent");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::ServiceUnavailable);
  EXPECT_NE(store.error().message.find("postgres://ossd:***@127.0.0.1:1/meta"), std::string::npos)
      << store.error().message;
  EXPECT_EQ(store.error().message.find("hunter2"), std::string::npos) << store.error().message;
  // libpq adds a hint on a second line; a start-up failure is one log line.
  EXPECT_EQ(store.error().message.find('\n'), std::string::npos) << store.error().message;
}

}  // namespace
}  // namespace ossd::server
