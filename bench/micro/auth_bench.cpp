// Signing and verification: OSS V1/V4 header signatures and signed URLs as
// the server verifies them (auth::authenticate on a prepared request), STS
// session tokens, and the RPC v1 signature of STS/RAM calls.
#include "api/rpc_request.hpp"
#include "auth/authenticate.hpp"
#include "auth/in_memory_credentials.hpp"
#include "auth/rpc_signature.hpp"
#include "auth/session_token.hpp"
#include "auth/v1_signature.hpp"
#include "auth/v4_signature.hpp"
#include "bench_support.hpp"
#include "crypto/aead.hpp"
#include "ossd/rpc_client.hpp"

namespace ossd::bench {
namespace {

using namespace std::chrono_literals;

// What authentication sees of `GET /2024/05/a.jpg` on photos.<endpoint>,
// with the headers ali-oss sends; owns its strings.
struct GetRequest {
  std::string method = "GET";
  std::string bucket = "photos";
  std::string key = "2024/05/a.jpg";
  std::vector<QueryParam> query;
  std::vector<HeaderField> headers{{"Host", "photos.oss-cn-hangzhou.aliyuncs.com"},
                                   {"User-Agent", "aliyun-sdk-js/6.23.0 Node.js 18.19.0 on linux x64"},
                                   {"Accept", "*/*"},
                                   {"Accept-Encoding", "gzip, deflate"},
                                   {"Connection", "keep-alive"}};

  auth::SignedRequest view() const { return auth::SignedRequest{method, bucket, key, &query, &headers}; }
};

const auth::InMemoryCredentials& credentials() {
  static const auth::InMemoryCredentials known({auth::Credential{kKeyId, kSecret, kAccount, "root"}});
  return known;
}

// Verifies `request` until the benchmark stops; the request must verify.
void verify_loop(benchmark::State& state, const GetRequest& request) {
  const auth::AuthSettings settings;
  const SystemTime now = bench_now();
  const auth::SignedRequest view = request.view();
  check(auth::authenticate(view, credentials(), now, settings).ok(), "request verifies");
  for (auto _ : state) {
    auto identity = auth::authenticate(view, credentials(), now, settings);
    benchmark::DoNotOptimize(identity);
  }
}

void BM_AuthV1HeaderVerify(benchmark::State& state) {
  GetRequest request;
  request.headers.push_back({"x-oss-date", format_rfc1123(bench_now())});
  request.headers.push_back({"Authorization", auth::sign_v1_authorization(request.view(), kKeyId, kSecret)});
  verify_loop(state, request);
}
BENCHMARK(BM_AuthV1HeaderVerify);

void BM_AuthV4HeaderVerify(benchmark::State& state) {
  GetRequest request;
  request.headers.push_back({"x-oss-date", format_iso8601_basic(bench_now())});
  request.headers.push_back({"x-oss-content-sha256", std::string(auth::kUnsignedPayload)});
  request.headers.push_back(
      {"Authorization", auth::sign_v4_authorization(request.view(), kKeyId, kSecret, "cn-hangzhou")});
  verify_loop(state, request);
}
BENCHMARK(BM_AuthV4HeaderVerify);

// ali-oss signatureUrl: OSSAccessKeyId, Expires, Signature in the query.
void BM_AuthV1SignedUrlVerify(benchmark::State& state) {
  GetRequest request;
  request.query = auth::presign_v1_query(request.view(), kKeyId, kSecret, to_unix_seconds(bench_now() + 1h));
  verify_loop(state, request);
}
BENCHMARK(BM_AuthV1SignedUrlVerify);

// ali-oss signatureUrlV4.
void BM_AuthV4SignedUrlVerify(benchmark::State& state) {
  GetRequest request;
  request.query = auth::presign_v4_query(request.view(), kKeyId, kSecret, "cn-hangzhou", bench_now(), 3600s);
  verify_loop(state, request);
}
BENCHMARK(BM_AuthV4SignedUrlVerify);

// The client side of a V1 header signature (canonicalize + HMAC-SHA1).
void BM_AuthV1HeaderSign(benchmark::State& state) {
  GetRequest request;
  request.headers.push_back({"x-oss-date", format_rfc1123(bench_now())});
  const auth::SignedRequest view = request.view();
  for (auto _ : state) {
    std::string authorization = auth::sign_v1_authorization(view, kKeyId, kSecret);
    benchmark::DoNotOptimize(authorization);
  }
}
BENCHMARK(BM_AuthV1HeaderSign);

// ---- STS session tokens --------------------------------------------------------

auth::TokenKeyRing token_ring() {
  return auth::TokenKeyRing{{auth::TokenKey{"k1a2b3c4d", std::string(crypto::kAeadKeyBytes, '\x5a')}}, "k1a2b3c4d"};
}

auth::SessionClaims session_claims() {
  auth::SessionClaims claims;
  claims.access_key_id = "STS.NTZx8gDy4VcHz7Qf2hWJp1b3Kk9m";
  claims.access_key_secret = "8sX2JHqk3zN5fW9dCeRtY6uP1vB4mL7aQxS2nD3gH5jK";
  claims.account_id = kAccount;
  claims.role_name = "photo-reader";
  claims.role_id = "300000000000001";
  claims.session_name = "web-session-42";
  claims.session_policy = session_policy_json();
  claims.issued = bench_now();
  claims.expiration = bench_now() + 1h;
  return claims;
}

void BM_SessionTokenSeal(benchmark::State& state) {
  const auth::TokenKeyRing ring = token_ring();
  const auth::SessionClaims claims = session_claims();
  const std::string nonce = "0123456789ab";  // 12 bytes; a fresh random one in the server
  for (auto _ : state) {
    auto token = auth::seal_session_token(claims, ring, nonce);
    benchmark::DoNotOptimize(token);
  }
}
BENCHMARK(BM_SessionTokenSeal);

void BM_SessionTokenOpen(benchmark::State& state) {
  const auth::TokenKeyRing ring = token_ring();
  const std::string token = must(auth::seal_session_token(session_claims(), ring, "0123456789ab"), "seal");
  state.counters["token_bytes"] = static_cast<double>(token.size());
  for (auto _ : state) {
    auto claims = auth::open_session_token(token, ring);
    benchmark::DoNotOptimize(claims);
  }
}
BENCHMARK(BM_SessionTokenOpen);

// ---- RPC (STS / RAM) signature v1 ------------------------------------------------

client::RpcParameters assume_role_params() {
  return {{"RoleArn", "acs:ram::1234567890123456:role/photo-reader"},
          {"RoleSessionName", "web-session-42"},
          {"DurationSeconds", "3600"}};
}

// The string to sign and HMAC-SHA1 of an AssumeRole call (11 parameters),
// what both the client and the server compute.
void BM_RpcV1StringToSignAndSignature(benchmark::State& state) {
  client::RpcParameters signed_params = client::sign_rpc_request(
      client::RpcMethod::Get, "AssumeRole", "2015-04-01", assume_role_params(),
      client::Credentials{kKeyId, kSecret, ""}, bench_now(), "5f0c8d1e2a3b4c5d6e7f8091a2b3c4d5");
  std::erase_if(signed_params, [](const auto& p) { return p.first == "Signature"; });
  const auth::RpcParams params(signed_params.begin(), signed_params.end());
  for (auto _ : state) {
    std::string string_to_sign = auth::rpc_string_to_sign("GET", params, auth::RpcEncoding::Rfc3986);
    std::string signature = auth::rpc_signature(kSecret, string_to_sign);
    benchmark::DoNotOptimize(signature);
  }
}
BENCHMARK(BM_RpcV1StringToSignAndSignature);

// What the server does with an AssumeRole query before the STS service
// runs: decode the parameters, read the envelope, check the window and the
// signature (api/rpc_request.hpp; the nonce cache is not included).
void BM_RpcV1VerifyAssumeRole(benchmark::State& state) {
  const client::RpcParameters signed_params = client::sign_rpc_request(
      client::RpcMethod::Get, "AssumeRole", "2015-04-01", assume_role_params(),
      client::Credentials{kKeyId, kSecret, ""}, bench_now(), "5f0c8d1e2a3b4c5d6e7f8091a2b3c4d5");
  const std::string raw_query = client::rpc_encode_parameters(signed_params);
  const std::vector<HeaderField> headers{{"Host", "127.0.0.1:9000"}, {"User-Agent", "ossd-client/0.1"}};
  const api::RpcVerifySettings settings;
  auto verify = [&]() -> Result<auth::Identity> {
    auto params = api::collect_rpc_parameters(raw_query, "", "");
    if (!params) return params.error();
    auto envelope = api::parse_rpc_envelope(params.value(), headers);
    if (!envelope) return envelope.error();
    return api::verify_rpc_request(envelope.value(), params.value(), "GET", "/", headers, "", credentials(),
                                   bench_now(), settings);
  };
  check(verify().ok(), "AssumeRole query verifies");
  state.counters["query_bytes"] = static_cast<double>(raw_query.size());
  for (auto _ : state) {
    auto identity = verify();
    benchmark::DoNotOptimize(identity);
  }
}
BENCHMARK(BM_RpcV1VerifyAssumeRole);

}  // namespace
}  // namespace ossd::bench
