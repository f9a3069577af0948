// SecretBox, the master key file and the STS key ring (the nonce cache: iam_nonce_cache_test.cpp).
#include <sys/stat.h>

#include <fstream>
#include <thread>

#include "auth/session_token.hpp"
#include "iam/master_key.hpp"
#include "iam/random_text.hpp"
#include "iam_test_support.hpp"

namespace ossd::iam::test {
namespace {

using namespace std::chrono_literals;

SecretBox make_box(char fill) { return SecretBox::create(std::string(32, fill)).value(); }

TEST(SecretBox, RejectsKeysOfTheWrongSize) {
  EXPECT_FALSE(SecretBox::create(std::string(31, 'k')));
  EXPECT_FALSE(SecretBox::create(std::string(33, 'k')));
  EXPECT_TRUE(SecretBox::create(std::string(32, 'k')));
}

TEST(SecretBox, SealsPrintablyAndOpensWithTheSameContext) {
  crypto::SecureRandom random;
  SecretBox box = make_box('a');
  const std::string sealed = box.seal("s3cr3t", "ctx-1", random);
  EXPECT_TRUE(sealed.starts_with("v1:"));
  EXPECT_EQ(sealed.find("s3cr3t"), std::string::npos);
  for (char c : sealed) EXPECT_TRUE(std::isprint(static_cast<unsigned char>(c)));
  auto opened = box.open(sealed, "ctx-1");
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened.value(), "s3cr3t");
}

TEST(SecretBox, TwoSealsOfOneSecretDiffer) {
  crypto::SecureRandom random;
  SecretBox box = make_box('a');
  EXPECT_NE(box.seal("same", "c", random), box.seal("same", "c", random));
}

TEST(SecretBox, RefusesAnotherContextKeyOrTamperedText) {
  crypto::SecureRandom random;
  SecretBox box = make_box('a');
  const std::string sealed = box.seal("s3cr3t", access_key_secret_context("LTAI1"), random);
  EXPECT_FALSE(box.open(sealed, access_key_secret_context("LTAI2")));
  EXPECT_FALSE(make_box('b').open(sealed, access_key_secret_context("LTAI1")));
  std::string tampered = sealed;
  // A character in the middle: every bit of it is ciphertext or tag (the
  // last characters may carry base64 padding bits that decode to nothing).
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(box.open(tampered, access_key_secret_context("LTAI1")));
  EXPECT_FALSE(box.open("v1:", "c"));
  EXPECT_FALSE(box.open("v2:AAAA", "c"));
  EXPECT_FALSE(box.open("", "c"));
}

TEST(MasterKey, IsCreatedOnceWithMode0600AndReadBack) {
  TempDir dir;
  crypto::SecureRandom random;
  const auto path = dir.path() / "master.key";
  auto created = load_or_create_master_key(path, true, random);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->size(), 32u);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = load_or_create_master_key(path, true, random);
  ASSERT_TRUE(again);
  EXPECT_EQ(again.value(), created.value());
}

TEST(MasterKey, AGivenFileMustExist) {
  TempDir dir;
  crypto::SecureRandom random;
  EXPECT_FALSE(load_or_create_master_key(dir.path() / "missing.key", false, random));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "missing.key"));
}

TEST(MasterKey, RefusesOpenModesAndMalformedFiles) {
  TempDir dir;
  crypto::SecureRandom random;
  const auto path = dir.path() / "k";
  {
    std::ofstream out(path);
    out << std::string(64, 'a') << "\n";
  }
  ::chmod(path.c_str(), 0644);
  EXPECT_FALSE(load_or_create_master_key(path, false, random));
  ::chmod(path.c_str(), 0600);
  auto ok = load_or_create_master_key(path, false, random);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok.value(), std::string(32, '\xaa'));
  {
    std::ofstream out(path, std::ios::trunc);
    out << "not hex at all";
  }
  EXPECT_FALSE(load_or_create_master_key(path, false, random));
  {
    std::ofstream out(path, std::ios::trunc);
    out << std::string(62, 'a');
  }
  EXPECT_FALSE(load_or_create_master_key(path, false, random));
}

TEST(RandomText, UsesOnlyTheAlphabetAndTheLength) {
  crypto::SecureRandom random;
  const std::string text = random_text(random, kBase58, 500);
  EXPECT_EQ(text.size(), 500u);
  EXPECT_EQ(text.find_first_not_of(kBase58), std::string::npos);
  const std::string id = random_numeric_id(random, 16);
  EXPECT_EQ(id.size(), 16u);
  EXPECT_NE(id[0], '0');
  EXPECT_EQ(id.find_first_not_of(kDigits), std::string::npos);
}

struct TokenKeysTest : IamFixture {};

TEST_F(TokenKeysTest, LoadCreatesOneKeyAndIsIdempotent) {
  auto ring = keys->ring();
  ASSERT_TRUE(ring);
  ASSERT_EQ(ring->keys.size(), 1u);
  EXPECT_EQ(ring->current_id, ring->keys[0].id);
  EXPECT_EQ(ring->keys[0].key.size(), 32u);
  TokenKeys again(*store, *box);
  ASSERT_TRUE(again.load(random, clock.now()));
  EXPECT_EQ(again.ring()->keys.size(), 1u);
  EXPECT_EQ(again.ring()->current_id, ring->current_id);
  auto stored = store->list_token_keys();
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ(stored->at(0).key_sealed.find(ring->keys[0].key), std::string::npos) << "stored sealed, not raw";
}

TEST_F(TokenKeysTest, RotationMakesANewCurrentKeyAndOldTokensStillOpen) {
  auth::SessionClaims claims;
  claims.access_key_id = "STS.abc";
  claims.access_key_secret = "secret";
  claims.account_id = kAccount;
  claims.role_name = "r";
  claims.role_id = "1";
  claims.session_name = "s";
  claims.issued = clock.now();
  claims.expiration = clock.now() + 1h;
  auto old_token = auth::seal_session_token(claims, *keys->ring(), std::string(12, 'n'));
  ASSERT_TRUE(old_token);
  const std::string old_id = keys->ring()->current_id;

  auto rotated = keys->rotate(random, clock.now());  // same millisecond: must still become current
  ASSERT_TRUE(rotated) << rotated.error().message;
  EXPECT_NE(rotated.value(), old_id);
  EXPECT_EQ(keys->ring()->current_id, rotated.value());
  EXPECT_EQ(keys->ring()->keys.size(), 2u);
  EXPECT_TRUE(auth::open_session_token(old_token.value(), *keys->ring()));

  // Another process sharing the store sees the rotation after reload().
  TokenKeys other(*store, *box);
  ASSERT_TRUE(other.reload());
  EXPECT_EQ(other.ring()->current_id, rotated.value());
}

TEST_F(TokenKeysTest, AWrongMasterKeyIsAnErrorNotAnEmptyRing) {
  SecretBox wrong = SecretBox::create(std::string(32, 'x')).value();
  TokenKeys other(*store, wrong);
  EXPECT_FALSE(other.load(random, clock.now()));
}

}  // namespace
}  // namespace ossd::iam::test
