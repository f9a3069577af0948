// libFuzzer target for the STS/RAM RPC front end as the server runs it:
// parameters from the query and a form-urlencoded body
// (collect_rpc_parameters), the signing envelope (parse_rpc_envelope: RPC
// v1 common parameters or an ACS3-HMAC-SHA256 Authorization with its x-acs-*
// headers), verification (verify_rpc_request) against the production
// CredentialStore, and AssumeRole's parameter checks (RoleArn,
// RoleSessionName, DurationSeconds, Policy, SourceIdentity) on a real SQLite
// identity store in a temporary directory.
//
// Input (text): METHOD \n QUERY \n CONTENT-TYPE \n (Name: value \n)* \n BODY
// 1. As received: every stage answers a value or an Error, never a crash.
// 2. Re-signed: the input's parameters (its own signature parameters
//    replaced) are signed by the root key as pop-core does (RPC v1, form body)
//    and as the ACS3 SDKs do (query + x-acs-* headers); both must verify as
//    the root. A one-byte change of any signed element (a parameter value,
//    the method, the signature, the key id; for ACS3 a signed header or the
//    body) must be refused. The verified call then goes to StsService; an
//    AssumeRole that succeeds must issue a token that opens to its claims.
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/rpc_request.hpp"
#include "auth/rpc_signature.hpp"
#include "auth/session_token.hpp"
#include "core/time_format.hpp"
#include "crypto/hash.hpp"
#include "crypto/secure_random.hpp"
#include "fuzz_input.hpp"
#include "iam/authorizer.hpp"
#include "iam/credential_store.hpp"
#include "iam/identity_service.hpp"
#include "iam/secret_box.hpp"
#include "iam/sts_service.hpp"
#include "iam/token_keys.hpp"
#include "meta/sqlite_identity_store.hpp"

namespace {

using namespace ossd;

constexpr std::string_view kAccount = "1234567890123456";
constexpr std::string_view kRootKeyId = "LTAI5tTestAccessKeyId";
constexpr std::string_view kRootSecret = "TestSecretKey0123456789abcdefghij";

class FixedClock final : public Clock {
 public:
  SystemTime now() const override { return parse_iso8601("2024-05-20T08:30:00Z").value(); }
};

// The iam stack as the server wires it, once per process.
struct Iam {
  std::filesystem::path dir;
  FixedClock clock;
  crypto::SecureRandom random;
  std::unique_ptr<meta::IdentityStore> store;
  std::unique_ptr<iam::SecretBox> box;
  std::unique_ptr<iam::TokenKeys> keys;
  std::unique_ptr<iam::CredentialStore> credentials;
  std::unique_ptr<iam::Authorizer> authorizer;
  std::unique_ptr<iam::IdentityService> ram;
  std::unique_ptr<iam::StsService> sts;

  Iam() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ossd-sts-fuzz-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) __builtin_trap();
    dir = pattern;
    auto opened = meta::open_sqlite_identity_store(dir / "identity.db");
    if (!opened) __builtin_trap();
    store = std::move(opened.value());
    box = std::make_unique<iam::SecretBox>(iam::SecretBox::create(std::string(32, 'k')).value());
    keys = std::make_unique<iam::TokenKeys>(*store, *box);
    if (!keys->load(random, clock.now())) __builtin_trap();
    credentials = std::make_unique<iam::CredentialStore>(
        auth::Credential{std::string(kRootKeyId), std::string(kRootSecret), std::string(kAccount), "root"}, *store,
        *box, *keys, clock);
    authorizer = std::make_unique<iam::Authorizer>(*store, std::string(kAccount));
    ram = std::make_unique<iam::IdentityService>(*store, *box, random, std::string(kAccount), authorizer.get(), [this] {
      credentials->invalidate();
      authorizer->invalidate();
    });
    sts = std::make_unique<iam::StsService>(*store, *keys, random, std::string(kAccount), authorizer.get());
    iam::RpcCall create;
    create.action = "CreateRole";
    create.params = {{"RoleName", "oss-browser-role"},
                     {"AssumeRolePolicyDocument",
                      std::string(R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",)") +
                          R"("Principal":{"RAM":["acs:ram::)" + std::string(kAccount) + R"(:root"]}}]})"},
                     {"MaxSessionDuration", "7200"}};
    create.caller = root();
    create.now = clock.now();
    if (!ram->call(create)) __builtin_trap();
  }

  // libFuzzer ends with exit(), which runs this: the store's files go with
  // the process (a crash leaves them in the temporary directory).
  ~Iam() {
    sts.reset();
    ram.reset();
    authorizer.reset();
    credentials.reset();
    keys.reset();
    store.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }

  static auth::Identity root() {
    auth::Identity who;
    who.method = auth::AuthMethod::V1Query;
    who.access_key_id = std::string(kRootKeyId);
    who.account_id = std::string(kAccount);
    who.principal = "root";
    return who;
  }

  static Iam& instance() {
    static Iam iam;
    return iam;
  }
};

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

// Another RFC 3986 unreserved byte. Both encodings the verifier accepts
// (RFC 3986 and Node's querystring) leave unreserved bytes as they are, so
// changing one unreserved byte for another changes the string to sign at
// exactly that byte under either encoding and can never turn a request
// signed with one encoding into one that verifies under the other.
char other_unreserved(char c) {
  if (c >= '0' && c <= '9') return c == '9' ? '0' : static_cast<char>(c + 1);
  if (c >= 'a' && c <= 'z') return c == 'z' ? 'a' : static_cast<char>(c + 1);
  if (c >= 'A' && c <= 'Z') return c == 'Z' ? 'A' : static_cast<char>(c + 1);
  return c == '-' ? '_' : '-';
}

// Changes the first unreserved byte at or after `pick` (cyclically);
// false when the text has none.
bool mutate_unreserved(std::string& text, uint8_t pick) {
  for (size_t i = 0; i < text.size(); ++i) {
    const size_t at = (pick + i) % text.size();
    if (is_unreserved(text[at])) {
      text[at] = other_unreserved(text[at]);
      return true;
    }
  }
  return false;
}

bool is_signature_param(std::string_view name) {
  for (std::string_view n : {"Signature", "AccessKeyId", "SignatureMethod", "SignatureVersion", "SignatureNonce",
                             "Timestamp", "SecurityToken"}) {
    if (name == n) return true;
  }
  return false;
}

std::string form_encode(const auth::RpcParams& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    out += uri_encode(name) + "=" + uri_encode(value);
  }
  return out;
}

struct Call {
  std::string method;
  std::string query;
  std::string content_type;
  std::vector<HeaderField> headers;
  std::string body;
};

Result<auth::Identity> verify(const Call& call, api::RpcEnvelope* envelope_out = nullptr,
                              api::RpcParameters* params_out = nullptr) {
  Iam& iam = Iam::instance();
  auto params = api::collect_rpc_parameters(call.query, call.content_type, call.body);
  if (!params) return params.error();
  auto envelope = api::parse_rpc_envelope(*params, call.headers);
  if (!envelope) return envelope.error();
  auto identity = api::verify_rpc_request(*envelope, *params, call.method, "/", call.headers, call.body,
                                          *iam.credentials, iam.clock.now(), api::RpcVerifySettings{});
  if (identity && envelope_out) *envelope_out = std::move(envelope.value());
  if (identity && params_out) *params_out = std::move(params.value());
  return identity;
}

void must_refuse(const Call& call) {
  if (verify(call)) __builtin_trap();
}

// The verified call goes to the STS service like rpc_handler does it.
void run_sts(const api::RpcEnvelope& envelope, const api::RpcParameters& params, const auth::Identity& who) {
  Iam& iam = Iam::instance();
  if (!iam::StsService::handles(envelope.action)) return;
  iam::RpcCall call;
  call.action = envelope.action;
  call.params = params.all;
  call.caller = who;
  call.now = iam.clock.now();
  call.source_ip = "127.0.0.1";
  if (envelope.action != "AssumeRole") {
    (void)iam.sts->call(call);
    return;
  }
  auto issued = iam.sts->assume_role(call);
  if (!issued) return;
  auto claims = auth::open_session_token(issued->security_token, *iam.keys->ring());
  if (!claims || claims->access_key_id != issued->access_key_id || claims->role_name != "oss-browser-role" ||
      claims->expiration != issued->expiration) {
    __builtin_trap();
  }
  const std::string* policy = call.param("Policy");
  if (claims->session_policy != (policy ? *policy : std::string())) __builtin_trap();
}

// pop-core's way: every parameter in a form body, RPC v1 signature.
void v1_round_trip(const auth::RpcParams& base, std::string_view method, std::string_view control) {
  auth::RpcParams params;
  bool has_action = false, has_version = false;
  for (const auto& [name, value] : base) {
    if (is_signature_param(name)) continue;
    has_action = has_action || name == "Action";
    has_version = has_version || name == "Version";
    params.emplace_back(name, value);
  }
  if (!has_action) params.emplace_back("Action", "AssumeRole");
  if (!has_version) params.emplace_back("Version", "2015-04-01");
  params.emplace_back("AccessKeyId", std::string(kRootKeyId));
  params.emplace_back("SignatureMethod", "HMAC-SHA1");
  params.emplace_back("SignatureVersion", "1.0");
  params.emplace_back("SignatureNonce", "fuzz-nonce-0001");
  params.emplace_back("Timestamp", format_iso8601(Iam::instance().clock.now()));
  const auto encoding =
      !control.empty() && (control[0] & 1) ? auth::RpcEncoding::NodeQuerystring : auth::RpcEncoding::Rfc3986;
  const std::string signature = auth::rpc_signature(kRootSecret, auth::rpc_string_to_sign(method, params, encoding));
  auth::RpcParams with_signature = params;
  with_signature.emplace_back("Signature", signature);

  Call good{std::string(method), "", "application/x-www-form-urlencoded", {}, form_encode(with_signature)};
  api::RpcEnvelope envelope;
  api::RpcParameters parsed;
  auto who = verify(good, &envelope, &parsed);
  // A parameter whose value is empty after the fuzzer's own (e.g. an empty
  // Action) makes the envelope incomplete: that is a refusal, not a bug.
  bool complete = true;
  for (const auto& [name, value] : with_signature) complete = complete && !value.empty();
  if (!who) {
    if (complete) __builtin_trap();
    return;
  }
  if (who->access_key_id != kRootKeyId) __builtin_trap();

  size_t pick_index = 1;
  auto pick = [&]() -> uint8_t {
    return control.size() > 1 ? static_cast<uint8_t>(control[pick_index++ % control.size()])
                              : static_cast<uint8_t>(pick_index++ * 13);
  };
  for (size_t i = 0; i < with_signature.size(); ++i) {
    auth::RpcParams changed = with_signature;
    if (!mutate_unreserved(changed[i].second, pick())) continue;
    must_refuse({good.method, "", good.content_type, {}, form_encode(changed)});
  }
  Call other_method = good;
  if (mutate_unreserved(other_method.method, pick())) must_refuse(other_method);

  run_sts(envelope, parsed, *who);
}

// The ACS3 SDKs' way: parameters in the query, the action in x-acs-* headers,
// a SHA-256 of the body.
void acs3_round_trip(const auth::RpcParams& base, std::string_view method, std::string_view body,
                     std::string_view control) {
  auth::RpcParams query;
  std::string action = "GetCallerIdentity";
  for (const auto& [name, value] : base) {
    if (is_signature_param(name)) continue;
    if (name == "Action") {
      if (!trim(value).empty() && trim(value) == value) action = value;
      continue;
    }
    query.emplace_back(name, value);
  }
  std::vector<HeaderField> headers = {
      {"host", "127.0.0.1"},
      {"x-acs-action", action},
      {"x-acs-version", "2015-04-01"},
      {"x-acs-date", format_iso8601(Iam::instance().clock.now())},
      {"x-acs-signature-nonce", "fuzz-nonce-0002"},
      {"x-acs-content-sha256", hex_lower(crypto::sha256(body))},
  };
  const std::vector<std::string> signed_headers = {"host",       "x-acs-action",          "x-acs-content-sha256",
                                                   "x-acs-date", "x-acs-signature-nonce", "x-acs-version"};
  const std::string canonical =
      auth::acs3_canonical_request(method, "/", query, headers, signed_headers, hex_lower(crypto::sha256(body)));
  const std::string signature = auth::acs3_signature(kRootSecret, auth::acs3_string_to_sign(canonical));
  headers.push_back({"Authorization", "ACS3-HMAC-SHA256 Credential=" + std::string(kRootKeyId) +
                                          ",SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;"
                                          "x-acs-signature-nonce;x-acs-version,Signature=" +
                                          signature});
  // The body is hashed, not parsed: a type other than a form keeps it out of
  // the parameters.
  Call good{std::string(method), form_encode(query), "application/octet-stream", headers, std::string(body)};
  api::RpcEnvelope envelope;
  api::RpcParameters parsed;
  auto who = verify(good, &envelope, &parsed);
  if (!who || who->access_key_id != kRootKeyId) __builtin_trap();

  size_t pick_index = 0;
  auto pick = [&]() -> uint8_t {
    return !control.empty() ? static_cast<uint8_t>(control[pick_index++ % control.size()])
                            : static_cast<uint8_t>(pick_index++ * 11);
  };
  for (size_t i = 0; i < query.size(); ++i) {
    auth::RpcParams changed = query;
    if (!mutate_unreserved(changed[i].second, pick())) continue;
    Call m = good;
    m.query = form_encode(changed);
    must_refuse(m);
  }
  for (size_t i = 0; i < good.headers.size(); ++i) {
    Call m = good;
    if (mutate_unreserved(m.headers[i].value, pick())) must_refuse(m);
  }
  Call other_method = good;
  if (mutate_unreserved(other_method.method, pick())) must_refuse(other_method);
  if (!body.empty()) {
    Call other_body = good;
    other_body.body[pick() % body.size()] ^= 1;
    must_refuse(other_body);
  }
  run_sts(envelope, parsed, *who);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 70000) return 0;  // the handler reads at most kMaxRpcBody
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  Call received;
  received.method = std::string(fuzz::next_line(rest));
  received.query = std::string(fuzz::next_line(rest));
  received.content_type = std::string(fuzz::next_line(rest));
  while (!rest.empty()) {
    const std::string_view line = fuzz::next_line(rest);
    if (line.empty()) break;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    received.headers.push_back({std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1)))});
  }
  received.body = std::string(rest);

  (void)verify(received);

  auto params = api::collect_rpc_parameters(received.query, received.content_type, received.body);
  if (!params) return 0;
  auth::RpcParams all(params->all.begin(), params->all.end());
  const std::string method = received.method.empty() ? "POST" : received.method;
  v1_round_trip(all, method, received.body.substr(0, 16));
  acs3_round_trip(all, method, received.body.substr(0, 256), received.query.substr(0, 16));
  return 0;
}
