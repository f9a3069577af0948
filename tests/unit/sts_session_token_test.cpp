// Sealed STS session tokens (auth/session_token): round trip, rotation, and
// every way a token can be forged, damaged or stale.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "auth/session_token.hpp"
#include "core/strings.hpp"
#include "crypto/aead.hpp"
#include "crypto/base64.hpp"

namespace ossd::auth {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr std::string_view kInvalidMessage = "The security token you provided is invalid.";
constexpr std::string_view kExpiredMessage = "The security token you provided has expired.";
const std::string kBase64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string repeated_key(char byte) { return std::string(crypto::kAeadKeyBytes, byte); }
const std::string kNonce = "nonce-12byte";  // exactly 12 bytes

const TokenKey kOldKey{"k1", repeated_key('\x11')};
const TokenKey kNewKey{"k2", repeated_key('\x22')};

TokenKeyRing ring_of(std::vector<TokenKey> keys, std::string current) {
  return TokenKeyRing{std::move(keys), std::move(current)};
}

SessionClaims sample_claims() {
  SessionClaims claims;
  claims.access_key_id = "STS.NUabcdef0123456789";
  claims.access_key_secret = "TmpSecret0123456789abcdefghijklmnopqrstu";
  claims.account_id = "1234567890123456";
  claims.role_name = "oss-browser-role";
  claims.role_id = "344584339364951186";
  claims.session_name = "alice-session";
  claims.session_policy =
      R"({"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:GetObject"],"Resource":["acs:oss:*:*:b/u/*"]}]})";
  claims.source_identity = "alice@example.com";
  claims.issued = from_unix_seconds(1716193800);  // 2024-05-20T08:30:00Z
  claims.expiration = claims.issued + 3600s;
  return claims;
}

std::string seal(const SessionClaims& claims, const TokenKeyRing& ring) {
  Result<std::string> token = seal_session_token(claims, ring, kNonce);
  if (!token.ok()) throw std::runtime_error("seal failed: " + token.error().message);
  return std::move(token).value();
}

void expect_same_claims(const SessionClaims& a, const SessionClaims& b) {
  EXPECT_EQ(a.access_key_id, b.access_key_id);
  EXPECT_EQ(a.access_key_secret, b.access_key_secret);
  EXPECT_EQ(a.account_id, b.account_id);
  EXPECT_EQ(a.role_name, b.role_name);
  EXPECT_EQ(a.role_id, b.role_id);
  EXPECT_EQ(a.session_name, b.session_name);
  EXPECT_EQ(a.session_policy, b.session_policy);
  EXPECT_EQ(a.source_identity, b.source_identity);
  EXPECT_EQ(a.issued, b.issued);
  EXPECT_EQ(a.expiration, b.expiration);
}

void expect_invalid(const Result<SessionClaims>& opened, const std::string& what) {
  ASSERT_FALSE(opened.ok()) << what;
  EXPECT_EQ(opened.error().code, ErrorCode::InvalidSecurityToken) << what;
  EXPECT_EQ(opened.error().message, kInvalidMessage) << what;
}

// The documented layout, built by hand, so the tests can seal what
// seal_session_token never would (other versions, bad claims).
std::string hand_sealed(std::string_view plaintext, const TokenKey& key, uint8_t version = 1) {
  std::string header;
  header.push_back(static_cast<char>(version));
  header.push_back(static_cast<char>(key.id.size()));
  header += key.id;
  header += kNonce;
  return "CAIS" + crypto::base64_encode(header + crypto::aes256_gcm_seal(key.key, kNonce, plaintext, header));
}

std::string decoded(const std::string& token) { return crypto::base64_decode(token.substr(4)).value(); }
std::string encoded(const std::string& raw) { return "CAIS" + crypto::base64_encode(raw); }

TEST(SessionToken, RoundTripKeepsEveryClaim) {
  const TokenKeyRing ring = ring_of({kOldKey}, "k1");
  const SessionClaims claims = sample_claims();
  const std::string token = seal(claims, ring);
  Result<SessionClaims> opened = open_session_token(token, ring);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  expect_same_claims(*opened, claims);
}

TEST(SessionToken, LooksLikeARealTokenAndHidesTheSecret) {
  const std::string token = seal(sample_claims(), ring_of({kOldKey}, "k1"));
  EXPECT_TRUE(token.starts_with("CAIS"));
  EXPECT_TRUE(crypto::base64_decode(token.substr(4)).has_value()) << "standard base64 after the prefix";
  EXPECT_LE(token.size(), kMaxSessionTokenBytes);
  // Sealed, not merely encoded: no claim is readable from the bytes.
  const std::string raw = decoded(token);
  EXPECT_EQ(raw.find("TmpSecret"), std::string::npos);
  EXPECT_EQ(raw.find("alice"), std::string::npos);
  EXPECT_EQ(raw.find("oss:GetObject"), std::string::npos);
  // Header: version 1, key id length, key id, nonce.
  EXPECT_EQ(raw.substr(0, 4), std::string("\x01\x02k1", 4));
  EXPECT_EQ(raw.substr(4, 12), kNonce);
}

TEST(SessionToken, EmptyOptionalClaimsRoundTrip) {
  SessionClaims claims = sample_claims();
  claims.session_policy.clear();
  claims.source_identity.clear();
  const TokenKeyRing ring = ring_of({kOldKey}, "k1");
  Result<SessionClaims> opened = open_session_token(seal(claims, ring), ring);
  ASSERT_TRUE(opened.ok());
  expect_same_claims(*opened, claims);
}

TEST(SessionToken, TimesKeepMillisecondsAndDropFinerPrecision) {
  SessionClaims claims = sample_claims();
  claims.issued = from_unix_millis(1716193800123) + std::chrono::microseconds(999);
  claims.expiration = from_unix_millis(1716197400456);
  const TokenKeyRing ring = ring_of({kOldKey}, "k1");
  Result<SessionClaims> opened = open_session_token(seal(claims, ring), ring);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->issued, from_unix_millis(1716193800123));
  EXPECT_EQ(opened->expiration, from_unix_millis(1716197400456));
}

TEST(SessionToken, MaximalSessionPolicyFits) {
  // 2048 characters, every one a quote: JSON doubles it, the worst a
  // printable policy can expand.
  SessionClaims claims = sample_claims();
  claims.session_policy = std::string(2048, '"');
  claims.source_identity = std::string(128, 's');
  const TokenKeyRing ring = ring_of({kOldKey}, "k1");
  const std::string token = seal(claims, ring);
  EXPECT_LE(token.size(), kMaxSessionTokenBytes);
  Result<SessionClaims> opened = open_session_token(token, ring);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->session_policy, claims.session_policy);
}

TEST(SessionToken, SealRefusesClaimsThatWouldNotOpen) {
  SessionClaims claims = sample_claims();
  claims.session_policy = std::string(kMaxSessionTokenBytes, 'p');
  Result<std::string> too_big = seal_session_token(claims, ring_of({kOldKey}, "k1"), kNonce);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, ErrorCode::InvalidArgument);

  claims = sample_claims();
  claims.session_name = "bad\xff";
  Result<std::string> not_utf8 = seal_session_token(claims, ring_of({kOldKey}, "k1"), kNonce);
  ASSERT_FALSE(not_utf8.ok());
  EXPECT_EQ(not_utf8.error().code, ErrorCode::InvalidArgument);
}

TEST(SessionToken, TimesOutsideTheRepresentableRangeAreRefused) {
  const TokenKeyRing ring = ring_of({kOldKey}, "k1");
  SessionClaims claims = sample_claims();
  claims.expiration = from_unix_seconds(7'258'118'400 + 1);  // after 2200
  EXPECT_FALSE(seal_session_token(claims, ring, kNonce).ok());
  claims = sample_claims();
  claims.issued = from_unix_seconds(-1);
  EXPECT_FALSE(seal_session_token(claims, ring, kNonce).ok());

  // Sealed by hand: times that would overflow SystemTime do not open.
  const json base = {{"ak", "STS.x"}, {"sk", "s"},   {"acct", "a"}, {"role", "r"},
                     {"rid", "i"},    {"sess", "n"}, {"iat", 0}};
  for (json exp : {json(-1), json(INT64_MAX), json(UINT64_MAX), json(7'258'118'400'001)}) {
    json claims_json = base;
    claims_json["exp"] = exp;
    expect_invalid(open_session_token(hand_sealed(claims_json.dump(), kOldKey), ring), "exp " + exp.dump());
  }
  json edge = base;
  edge["exp"] = 7'258'118'400'000;
  EXPECT_TRUE(open_session_token(hand_sealed(edge.dump(), kOldKey), ring).ok());
}

TEST(SessionToken, SealRejectsABadRingOrNonce) {
  const SessionClaims claims = sample_claims();
  auto code_of = [&](const TokenKeyRing& ring, std::string_view nonce) {
    Result<std::string> token = seal_session_token(claims, ring, nonce);
    return token.ok() ? std::optional<ErrorCode>{} : std::optional<ErrorCode>{token.error().code};
  };
  EXPECT_EQ(code_of(ring_of({kOldKey}, "k9"), kNonce), ErrorCode::InternalError) << "no current key";
  EXPECT_EQ(code_of(ring_of({}, ""), kNonce), ErrorCode::InternalError) << "empty ring";
  EXPECT_EQ(code_of(ring_of({{"k1", "short"}}, "k1"), kNonce), ErrorCode::InternalError) << "key not 32 bytes";
  EXPECT_EQ(code_of(ring_of({{"bad id", repeated_key('x')}}, "bad id"), kNonce), ErrorCode::InternalError);
  EXPECT_EQ(code_of(ring_of({{std::string(65, 'k'), repeated_key('x')}}, std::string(65, 'k')), kNonce),
            ErrorCode::InternalError)
      << "key id too long";
  EXPECT_EQ(code_of(ring_of({kOldKey}, "k1"), "short nonce"), ErrorCode::InternalError);
  EXPECT_EQ(code_of(ring_of({kOldKey}, "k1"), "a nonce of 13"), ErrorCode::InternalError);
  EXPECT_FALSE(code_of(ring_of({kOldKey}, "k1"), kNonce).has_value());
}

TEST(SessionToken, DifferentNoncesGiveDifferentTokens) {
  const TokenKeyRing ring = ring_of({kOldKey}, "k1");
  const std::string a = seal_session_token(sample_claims(), ring, "nonce-000001").value();
  const std::string b = seal_session_token(sample_claims(), ring, "nonce-000002").value();
  EXPECT_NE(a, b);
  EXPECT_TRUE(open_session_token(a, ring).ok());
  EXPECT_TRUE(open_session_token(b, ring).ok());
}

TEST(SessionToken, RotationKeepsOldTokensOpenWhileTheOldKeyStays) {
  const std::string old_token = seal(sample_claims(), ring_of({kOldKey}, "k1"));

  const TokenKeyRing rotated = ring_of({kNewKey, kOldKey}, "k2");
  Result<SessionClaims> opened = open_session_token(old_token, rotated);
  ASSERT_TRUE(opened.ok());
  expect_same_claims(*opened, sample_claims());

  // New tokens use the new key, which the old ring does not know.
  const std::string new_token = seal(sample_claims(), rotated);
  EXPECT_EQ(decoded(new_token).substr(1, 3), "\x02k2");
  EXPECT_TRUE(open_session_token(new_token, rotated).ok());
  expect_invalid(open_session_token(new_token, ring_of({kOldKey}, "k1")), "new token, old ring");

  // Once the old key is retired its tokens are dead.
  expect_invalid(open_session_token(old_token, ring_of({kNewKey}, "k2")), "old token, retired key");
}

TEST(SessionToken, ForeignKeyWithTheSameIdFails) {
  const std::string token = seal(sample_claims(), ring_of({kOldKey}, "k1"));
  expect_invalid(open_session_token(token, ring_of({{"k1", repeated_key('\x33')}}, "k1")), "foreign k1");
  expect_invalid(open_session_token(token, ring_of({}, "")), "empty ring");
}

TEST(SessionToken, KeyIdIsBoundByTheTag) {
  // Two ids for the same key bytes: if the header were not authenticated,
  // relabelling k1 as k2 would still open.
  const TokenKeyRing ring = ring_of({{"k1", repeated_key('\x44')}, {"k2", repeated_key('\x44')}}, "k1");
  std::string raw = decoded(seal(sample_claims(), ring));
  ASSERT_EQ(raw.substr(2, 2), "k1");
  raw[3] = '2';
  expect_invalid(open_session_token(encoded(raw), ring), "relabelled key id");
}

TEST(SessionToken, EveryTamperedByteFails) {
  const TokenKeyRing ring = ring_of({kOldKey, kNewKey}, "k1");
  const std::string raw = decoded(seal(sample_claims(), ring));
  for (size_t i = 0; i < raw.size(); ++i) {
    for (int mask : {0x01, 0x80, 0xff}) {
      std::string tampered = raw;
      tampered[i] = static_cast<char>(tampered[i] ^ mask);
      expect_invalid(open_session_token(encoded(tampered), ring), "byte " + std::to_string(i));
    }
  }
}

TEST(SessionToken, EveryTamperedCharacterFailsIncludingPaddingBits) {
  // Session names of three lengths give no, one and two '=' of padding; the
  // opener must also refuse non-canonical spare bits before the padding.
  const TokenKeyRing ring = ring_of({kOldKey}, "k1");
  std::set<size_t> paddings;
  for (const char* name : {"a", "ab", "abc"}) {
    SessionClaims claims = sample_claims();
    claims.session_name = name;
    const std::string token = seal(claims, ring);
    ASSERT_TRUE(open_session_token(token, ring).ok());
    paddings.insert(token.size() - token.find_last_not_of('='));
    for (size_t i = 0; i < token.size(); ++i) {
      for (char replacement : kBase64Alphabet + "=-_ .%\n") {
        if (replacement == token[i]) continue;
        std::string tampered = token;
        tampered[i] = replacement;
        ASSERT_FALSE(open_session_token(tampered, ring).ok()) << "position " << i << " -> '" << replacement << "'";
      }
    }
  }
  EXPECT_EQ(paddings.size(), 3u) << "all three padding shapes exercised";
}

TEST(SessionToken, EveryTruncationFails) {
  const TokenKeyRing ring = ring_of({kOldKey}, "k1");
  const std::string token = seal(sample_claims(), ring);
  for (size_t length = 0; length < token.size(); ++length) {
    expect_invalid(open_session_token(token.substr(0, length), ring), "text length " + std::to_string(length));
  }
  // Truncated bytes that are still valid base64.
  const std::string raw = decoded(token);
  for (size_t length = 0; length < raw.size(); ++length) {
    expect_invalid(open_session_token(encoded(raw.substr(0, length)), ring), "raw length " + std::to_string(length));
  }
}

TEST(SessionToken, ExtendedTokensFail) {
  const TokenKeyRing ring = ring_of({kOldKey}, "k1");
  const std::string token = seal(sample_claims(), ring);
  expect_invalid(open_session_token(token + "AAAA", ring), "four more characters");
  expect_invalid(open_session_token(token + "=", ring), "extra padding");
  expect_invalid(open_session_token(token + "\n", ring), "newline");
  expect_invalid(open_session_token(" " + token, ring), "leading space");
  expect_invalid(open_session_token(encoded(decoded(token) + '\0'), ring), "extra byte");
}

TEST(SessionToken, MalformedTextFails) {
  const TokenKeyRing ring = ring_of({kOldKey}, "k1");
  const std::string token = seal(sample_claims(), ring);
  expect_invalid(open_session_token("", ring), "empty");
  expect_invalid(open_session_token("CAIS", ring), "prefix only");
  expect_invalid(open_session_token(token.substr(4), ring), "no prefix");
  expect_invalid(open_session_token("cais" + token.substr(4), ring), "lower-case prefix");
  expect_invalid(open_session_token("CAIS!!!!", ring), "not base64");
  std::string url_alphabet = token;
  for (char& c : url_alphabet) c = c == '+' ? '-' : c == '/' ? '_' : c;
  if (url_alphabet != token) expect_invalid(open_session_token(url_alphabet, ring), "base64url");
}

TEST(SessionToken, OversizedFailsBeforeDecoding) {
  const TokenKeyRing ring = ring_of({kOldKey}, "k1");
  std::string oversized = "CAIS" + std::string(kMaxSessionTokenBytes - 4 + 4, 'A');
  ASSERT_GT(oversized.size(), kMaxSessionTokenBytes);
  expect_invalid(open_session_token(oversized, ring), "oversized");
  // A genuinely sealed token that is too long is refused too.
  std::string big_policy(6200, 'p');
  std::string json_text =
      R"({"ak":"STS.x","sk":"s","acct":"a","role":"r","rid":"i","sess":"n","iat":0,"exp":1,"pol":")" + big_policy +
      "\"}";
  const std::string huge = hand_sealed(json_text, kOldKey);
  ASSERT_GT(huge.size(), kMaxSessionTokenBytes);
  expect_invalid(open_session_token(huge, ring), "sealed but oversized");
  // The same layout under the limit opens, so the refusal above is the size.
  const std::string small =
      hand_sealed(R"({"ak":"STS.x","sk":"s","acct":"a","role":"r","rid":"i","sess":"n","iat":0,"exp":1})", kOldKey);
  EXPECT_TRUE(open_session_token(small, ring).ok());
}

TEST(SessionToken, HandSealedLayoutMatchesTheReal) {
  // Guards the helper the next tests rely on: it produces what
  // seal_session_token produces for the same plaintext.
  const TokenKeyRing ring = ring_of({kOldKey}, "k1");
  const std::string token = seal(sample_claims(), ring);
  const std::string raw = decoded(token);
  const std::string header = raw.substr(0, 16);
  const std::string plaintext = crypto::aes256_gcm_open(kOldKey.key, kNonce, raw.substr(16), header).value();
  EXPECT_EQ(hand_sealed(plaintext, kOldKey), token);
  EXPECT_TRUE(json::parse(plaintext).is_object());
}

TEST(SessionToken, WrongVersionFails) {
  const TokenKeyRing ring = ring_of({kOldKey}, "k1");
  const std::string plaintext = R"({"ak":"STS.x","sk":"s","acct":"a","role":"r","rid":"i","sess":"n","iat":0,"exp":1})";
  ASSERT_TRUE(open_session_token(hand_sealed(plaintext, kOldKey, 1), ring).ok());
  for (uint8_t version : {0, 2, 0x08, 0xff}) {
    expect_invalid(open_session_token(hand_sealed(plaintext, kOldKey, version), ring),
                   "version " + std::to_string(version));
  }
}

TEST(SessionToken, MalformedClaimsFail) {
  const TokenKeyRing ring = ring_of({kOldKey}, "k1");
  const json complete = {{"ak", "STS.x"}, {"sk", "s"},   {"acct", "a"}, {"role", "r"}, {"rid", "i"},
                         {"sess", "n"},   {"iat", 1000}, {"exp", 2000}, {"pol", "{}"}, {"src", "x"}};
  ASSERT_TRUE(open_session_token(hand_sealed(complete.dump(), kOldKey), ring).ok());

  for (const char* required : {"ak", "sk", "acct", "role", "rid", "sess", "iat", "exp"}) {
    json missing = complete;
    missing.erase(required);
    expect_invalid(open_session_token(hand_sealed(missing.dump(), kOldKey), ring), std::string("missing ") + required);
    json wrong_type = complete;
    wrong_type[required] = json::array();
    expect_invalid(open_session_token(hand_sealed(wrong_type.dump(), kOldKey), ring),
                   std::string("wrong type ") + required);
  }
  for (const char* optional : {"pol", "src"}) {
    json missing = complete;
    missing.erase(optional);
    EXPECT_TRUE(open_session_token(hand_sealed(missing.dump(), kOldKey), ring).ok()) << optional;
    json wrong_type = complete;
    wrong_type[optional] = 7;
    expect_invalid(open_session_token(hand_sealed(wrong_type.dump(), kOldKey), ring),
                   std::string("wrong type ") + optional);
  }
  json fractional_time = complete;
  fractional_time["exp"] = 2000.5;
  expect_invalid(open_session_token(hand_sealed(fractional_time.dump(), kOldKey), ring), "fractional exp");
  for (const char* not_claims : {"", "not json", "[]", "\"text\"", "null", "{\"ak\":", "{}"}) {
    expect_invalid(open_session_token(hand_sealed(not_claims, kOldKey), ring), std::string("plaintext ") + not_claims);
  }
}

TEST(SessionToken, KeyRingFindsById) {
  const TokenKeyRing ring = ring_of({kOldKey, kNewKey}, "k2");
  ASSERT_NE(ring.find("k1"), nullptr);
  EXPECT_EQ(ring.find("k1")->key, kOldKey.key);
  ASSERT_NE(ring.find("k2"), nullptr);
  EXPECT_EQ(ring.find("k2")->key, kNewKey.key);
  EXPECT_EQ(ring.find("k3"), nullptr);
  EXPECT_EQ(ring.find("K1"), nullptr) << "ids are exact";
  EXPECT_EQ(ring.find(""), nullptr);
  EXPECT_EQ(TokenKeyRing{}.find("k1"), nullptr);
}

TEST(CheckSession, ExpiryBoundary) {
  const SessionClaims claims = sample_claims();
  EXPECT_TRUE(check_session(claims, claims.access_key_id, claims.issued).ok());
  EXPECT_TRUE(check_session(claims, claims.access_key_id, claims.expiration - 1ms).ok());
  EXPECT_TRUE(check_session(claims, claims.access_key_id, claims.expiration - 1ns).ok());
  for (SystemTime now : {claims.expiration, claims.expiration + 1ns, claims.expiration + 1s, claims.expiration + 24h}) {
    Status status = check_session(claims, claims.access_key_id, now);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::SecurityTokenExpired);
    EXPECT_EQ(status.error().message, kExpiredMessage);
  }
}

TEST(CheckSession, AccessKeyMismatchIsInvalidToken) {
  const SessionClaims claims = sample_claims();
  for (std::string_view other :
       {"STS.NUabcdef012345678", "STS.NUabcdef0123456789x", "sts.NUabcdef0123456789", "LTAI5tTestAccessKeyId", ""}) {
    Status status = check_session(claims, other, claims.issued);
    ASSERT_FALSE(status.ok()) << other;
    EXPECT_EQ(status.error().code, ErrorCode::InvalidSecurityToken);
    EXPECT_EQ(status.error().message, kInvalidMessage);
  }
  // A stolen, expired token used with another key: the key mismatch is reported.
  Status both = check_session(claims, "STS.other", claims.expiration + 1s);
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.error().code, ErrorCode::InvalidSecurityToken);
}

}  // namespace
}  // namespace ossd::auth
