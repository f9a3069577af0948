// Authorization and STS on a real SQLite identity store in a temporary
// directory, as the server wires them (iam::Authorizer with its caches warm,
// iam::StsService with the OpenSSL CSPRNG): the per-request cost of
// authorization with 100 statements, and AssumeRole without HTTP, with the
// pieces it is made of.
#include <stdlib.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <memory>

#include "api/rpc_response.hpp"
#include "auth/session_token.hpp"
#include "bench_support.hpp"
#include "crypto/secure_random.hpp"
#include "iam/authorizer.hpp"
#include "iam/random_text.hpp"
#include "iam/request_facts.hpp"
#include "iam/rpc_call.hpp"
#include "iam/secret_box.hpp"
#include "iam/sts_service.hpp"
#include "iam/token_keys.hpp"
#include "meta/sqlite_identity_store.hpp"
#include "policy/policy.hpp"

namespace ossd::bench {
namespace {

namespace fs = std::filesystem;

constexpr const char* kUser = "bench-user";
constexpr const char* kUserId = "200000000000001";
constexpr const char* kStsUser = "sts-user";
constexpr const char* kRole = "photo-reader";
constexpr const char* kRoleId = "300000000000001";
constexpr int kPolicies = 5;              // RAM caps one document at 6144 characters, so the
constexpr int kStatementsPerPolicy = 20;  // 100 statements come as 5 attached policies of 20

std::string trust_policy() {
  return std::string(R"({"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::)") +
         kAccount + R"(:root"]}}],"Version":"1"})";
}

// The identity store and the services on it, built once per process; the
// directory goes when the process exits.
struct IamWorld {
  fs::path dir;
  crypto::SecureRandom random;
  std::unique_ptr<meta::IdentityStore> store;
  std::unique_ptr<iam::SecretBox> box;
  std::unique_ptr<iam::TokenKeys> keys;
  std::unique_ptr<iam::Authorizer> authorizer;
  std::unique_ptr<iam::StsService> sts;
  size_t largest_policy_bytes = 0;

  IamWorld() {
    std::string pattern = (fs::temp_directory_path() / "ossd-micro-bench-XXXXXX").string();
    check(::mkdtemp(pattern.data()) != nullptr, "mkdtemp");
    dir = pattern;
    store = must(meta::open_sqlite_identity_store(dir / "identity.db"), "open identity store");
    box = std::make_unique<iam::SecretBox>(must(iam::SecretBox::create(std::string(32, 'm')), "secret box"));
    keys = std::make_unique<iam::TokenKeys>(*store, *box);
    must(keys->load(random, bench_now()), "token keys");

    must(store->create_user(meta::UserRecord{.user_id = kUserId, .name = kUser}), "create user");
    must(store->create_user(meta::UserRecord{.user_id = "200000000000002", .name = kStsUser}), "create sts user");
    meta::RoleRecord role;
    role.role_id = kRoleId;
    role.name = kRole;
    role.trust_policy = trust_policy();
    role.max_session_duration_s = 3600;
    must(store->create_role(role), "create role");
    for (int p = 0; p < kPolicies; ++p) {
      meta::PolicyRecord record;
      record.name = "large-policy-" + std::to_string(p + 1);
      record.document = policy_document(p * kStatementsPerPolicy, (p + 1) * kStatementsPerPolicy);
      largest_policy_bytes = std::max(largest_policy_bytes, record.document.size());
      check(record.document.size() <= 6144, "each policy fits RAM's 6144-character limit");
      must(store->create_policy(record), "create policy");
      for (const char* type : {"User", "Role"}) {
        meta::AttachmentRecord attachment;
        attachment.policy_name = record.name;
        attachment.policy_type = "Custom";
        attachment.principal_type = type;
        attachment.principal_name = std::string(type) == "User" ? kUser : kRole;
        must(store->attach_policy(attachment), "attach policy");
      }
    }
    meta::AttachmentRecord assume;
    assume.policy_name = "AliyunSTSAssumeRoleAccess";
    assume.policy_type = "System";
    assume.principal_type = "User";
    assume.principal_name = kStsUser;
    must(store->attach_policy(assume), "attach AliyunSTSAssumeRoleAccess");

    authorizer = std::make_unique<iam::Authorizer>(*store, kAccount);  // 1 s generation poll, as served
    sts = std::make_unique<iam::StsService>(*store, *keys, random, kAccount, authorizer.get());
  }
  ~IamWorld() {
    sts.reset();
    authorizer.reset();
    keys.reset();
    store.reset();
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
};

IamWorld& world() {
  static IamWorld instance;
  return instance;
}

auth::Identity root_caller() {
  auth::Identity who;
  who.method = auth::AuthMethod::V1Query;
  who.access_key_id = kKeyId;
  who.account_id = kAccount;
  who.principal = "root";
  who.kind = auth::PrincipalKind::Account;
  return who;
}

auth::Identity user_caller(const char* name, const char* id) {
  auth::Identity who = root_caller();
  who.access_key_id = "LTAI5tUserKey000000001";
  who.principal = name;
  who.principal_id = id;
  who.kind = auth::PrincipalKind::RamUser;
  return who;
}

auth::Identity role_caller() {
  auth::Identity who = root_caller();
  who.method = auth::AuthMethod::V1Header;
  who.access_key_id = "STS.NTZx8gDy4VcHz7Qf2hWJp1b3Kk9m";
  who.principal = kRole;
  who.principal_id = kRoleId;
  who.kind = auth::PrincipalKind::AssumedRole;
  who.session_name = "web-session-42";
  who.session_policy = session_policy_json();
  return who;
}

struct GetObjectInput {
  std::vector<QueryParam> query;
  std::vector<HeaderField> headers{{"User-Agent", "aliyun-sdk-js/6.23.0"}};
  iam::OssRequest request() const {
    iam::OssRequest r;
    r.action = "oss:GetObject";
    r.account_id = kAccount;
    r.bucket = "photos";
    r.key = "2024/05/a.jpg";
    r.source_ip = "10.0.0.5";
    r.access_key_id = "LTAI5tUserKey000000001";
    r.query = &query;
    r.headers = &headers;
    r.now = bench_now();
    return r;
  }
};

// The per-request cost of authorization: the request's facts, then
// Authorizer::decide with warm caches (the policies parsed once; the store
// is read only by the once-a-second generation poll).
void authorize_loop(benchmark::State& state, const auth::Identity& who, const policy::Document* bucket_policy,
                    std::string_view deciding_statement) {
  IamWorld& w = world();
  const GetObjectInput input;
  auto first = must(w.authorizer->decide(who, iam::oss_request_facts(input.request()), bucket_policy), "decide");
  check(first.allowed && first.statement == deciding_statement, "allowed by the expected statement");
  if (!deciding_statement.empty()) state.counters["statements"] = kPolicies * kStatementsPerPolicy;
  for (auto _ : state) {
    auto decision = w.authorizer->decide(who, iam::oss_request_facts(input.request()), bucket_policy);
    benchmark::DoNotOptimize(decision);
  }
}

void BM_AuthorizeRamUser100Statements(benchmark::State& state) {
  state.counters["largest_policy_bytes"] = static_cast<double>(world().largest_policy_bytes);
  authorize_loop(state, user_caller(kUser, kUserId), nullptr, "photos-office-read");
}
BENCHMARK(BM_AuthorizeRamUser100Statements);

// A role session with the same 100 statements on its role, a session policy
// and a 4-statement bucket policy (Principal matching).
void BM_AuthorizeRoleSession100StatementsSessionBucket(benchmark::State& state) {
  const policy::Document bucket_policy = must(policy::parse(bucket_policy_json()), "bucket policy");
  authorize_loop(state, role_caller(), &bucket_policy, "photos-office-read");
}
BENCHMARK(BM_AuthorizeRoleSession100StatementsSessionBucket);

// The account root with no bucket policy: the pipeline's fast path.
void BM_AuthorizeRootNoBucketPolicy(benchmark::State& state) { authorize_loop(state, root_caller(), nullptr, ""); }
BENCHMARK(BM_AuthorizeRootNoBucketPolicy);

// ---- AssumeRole without HTTP -------------------------------------------------------

iam::RpcCall assume_role_call(const auth::Identity& who) {
  iam::RpcCall call;
  call.action = "AssumeRole";
  call.params = {{"RoleArn", std::string("acs:ram::") + kAccount + ":role/" + kRole},
                 {"RoleSessionName", "web-session-42"},
                 {"DurationSeconds", "3600"}};
  call.caller = who;
  call.now = bench_now();
  call.source_ip = "127.0.0.1";
  call.user_agent = "ossd-client/0.1";
  return call;
}

// StsService::call and the JSON response body, what the read pool runs for
// one AssumeRole (after the HTTP layer and the signature check).
void sts_call_loop(benchmark::State& state, const auth::Identity& who) {
  IamWorld& w = world();
  const iam::RpcCall call = assume_role_call(who);
  must(w.sts->call(call), "AssumeRole");
  for (auto _ : state) {
    auto body = w.sts->call(call);
    if (!body) {
      state.SkipWithError(body.error().message.c_str());
      break;
    }
    http::Response response = api::rpc_result_response(body.value(), "AssumeRole", "5F0C8D1E-2A3B-4C5D", false);
    benchmark::DoNotOptimize(response);
  }
}

void BM_StsAssumeRoleRoot(benchmark::State& state) { sts_call_loop(state, root_caller()); }
BENCHMARK(BM_StsAssumeRoleRoot)->Threads(1)->Threads(2)->UseRealTime();

// A RAM user caller adds Authorizer::decide for sts:AssumeRole.
void BM_StsAssumeRoleRamUser(benchmark::State& state) {
  sts_call_loop(state, user_caller(kStsUser, "200000000000002"));
}
BENCHMARK(BM_StsAssumeRoleRamUser);

// The pieces of AssumeRole, each alone.
void BM_StsPieceGetRole(benchmark::State& state) {
  IamWorld& w = world();
  for (auto _ : state) {
    auto role = w.store->get_role(kRole);
    benchmark::DoNotOptimize(role);
  }
}
BENCHMARK(BM_StsPieceGetRole)->Threads(1)->Threads(2)->UseRealTime();

void BM_StsPieceTrustPolicyParseAndEvaluate(benchmark::State& state) {
  const std::string trust = trust_policy();
  const iam::RpcCall call = assume_role_call(root_caller());
  const std::string arn = std::string("acs:ram::") + kAccount + ":role/" + kRole;
  for (auto _ : state) {
    auto parsed = policy::parse(trust, policy::ParseLimits{.max_bytes = trust.size()});
    policy::Facts facts = iam::rpc_call_facts(call, "sts:AssumeRole", arn);
    facts.principal_ids = {iam::ram_arn(kAccount, "root"), kAccount};
    const policy::NamedDocument document{"trust-policy",
                                         std::make_shared<const policy::Document>(std::move(parsed.value()))};
    policy::Verdict verdict = policy::evaluate({&document, 1}, facts, true);
    benchmark::DoNotOptimize(verdict);
  }
}
BENCHMARK(BM_StsPieceTrustPolicyParseAndEvaluate);

// The temporary key id and secret (28 + 44 base58 characters) and the token
// nonce from the OpenSSL CSPRNG.
void BM_StsPieceRandomKeyAndNonce(benchmark::State& state) {
  crypto::SecureRandom random;
  unsigned char nonce[12];
  for (auto _ : state) {
    std::string id = iam::random_text(random, iam::kBase58, 28);
    std::string secret = iam::random_text(random, iam::kBase58, 44);
    random.fill(nonce);
    benchmark::DoNotOptimize(id);
    benchmark::DoNotOptimize(secret);
    benchmark::DoNotOptimize(nonce);
  }
}
BENCHMARK(BM_StsPieceRandomKeyAndNonce);

// One RAND_bytes call: OpenSSL 3.0 checks for a fork with getpid() on every
// call, a system call that is not cheap on this VM.
void BM_StsPieceRandBytes(benchmark::State& state) {
  crypto::SecureRandom random;
  std::vector<unsigned char> bytes(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    random.fill(bytes);
    benchmark::DoNotOptimize(bytes.data());
  }
}
BENCHMARK(BM_StsPieceRandBytes)->ArgName("bytes")->Arg(12)->Arg(256);

// A sketch of the cheaper AssumeRole the report proposes (not the server's
// code): the role record and its parsed trust policy come from a cache (no
// store read, no parse), and all random bytes of one call come from one
// RAND_bytes call. Everything else is what StsService::assume_role and the
// response do: facts, trust evaluation, key id, secret, nonce, sealing, JSON.
class OneDrawRandom final : public Random {
 public:
  explicit OneDrawRandom(Random& source) : source_(source) {}
  void refill() {
    source_.fill(pool_);
    used_ = 0;
  }
  void fill(std::span<unsigned char> out) override {
    if (used_ + out.size() > pool_.size()) refill();
    std::copy_n(pool_.begin() + static_cast<std::ptrdiff_t>(used_), out.size(), out.begin());
    used_ += out.size();
  }

 private:
  Random& source_;
  std::array<unsigned char, 256> pool_{};
  size_t used_ = 0;
};

void BM_StsSketchCachedRoleOneRandomDraw(benchmark::State& state) {
  IamWorld& w = world();
  const iam::RpcCall call = assume_role_call(root_caller());
  const meta::RoleRecord role = must(w.store->get_role(kRole), "get role");
  const auto trust = std::make_shared<const policy::Document>(must(policy::parse(role.trust_policy), "trust"));
  const std::string arn = iam::ram_arn(kAccount, std::string("role/") + kRole);
  OneDrawRandom random(w.random);
  for (auto _ : state) {
    policy::Facts facts = iam::rpc_call_facts(call, "sts:AssumeRole", arn);
    facts.principal_ids = {iam::ram_arn(kAccount, "root"), kAccount};
    const policy::NamedDocument document{"trust-policy", trust};
    if (policy::evaluate({&document, 1}, facts, true).decision != policy::Decision::Allow) {
      state.SkipWithError("trust policy refuses");
      break;
    }
    auto ring = w.keys->ring();
    random.refill();
    auth::SessionClaims claims;
    claims.access_key_id = "STS." + iam::random_text(random, iam::kBase58, 28);
    claims.access_key_secret = iam::random_text(random, iam::kBase58, 44);
    claims.account_id = kAccount;
    claims.role_name = role.name;
    claims.role_id = role.role_id;
    claims.session_name = "web-session-42";
    claims.issued = call.now;
    claims.expiration = call.now + std::chrono::seconds(3600);
    std::string nonce(12, '\0');
    random.fill({reinterpret_cast<unsigned char*>(nonce.data()), nonce.size()});
    auto token = auth::seal_session_token(claims, *ring, nonce);
    if (!token) {
      state.SkipWithError(token.error().message.c_str());
      break;
    }
    iam::AssumeRoleResult result;
    result.access_key_id = claims.access_key_id;
    result.access_key_secret = claims.access_key_secret;
    result.security_token = std::move(token.value());
    result.expiration = claims.expiration;
    result.assumed_role_arn = iam::ram_arn(kAccount, "role/" + role.name + "/" + claims.session_name);
    result.assumed_role_id = role.role_id + ":" + claims.session_name;
    http::Response response =
        api::rpc_result_response(iam::assume_role_json(result), "AssumeRole", "5F0C8D1E-2A3B-4C5D", false);
    benchmark::DoNotOptimize(response);
  }
}
BENCHMARK(BM_StsSketchCachedRoleOneRandomDraw);

void BM_StsPieceGeneration(benchmark::State& state) {
  IamWorld& w = world();
  for (auto _ : state) {
    auto generation = w.store->generation();
    benchmark::DoNotOptimize(generation);
  }
}
BENCHMARK(BM_StsPieceGeneration);

}  // namespace
}  // namespace ossd::bench
