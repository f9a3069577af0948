// RAM policy language: parsing and evaluating the 100-statement policy
// (bench_support.hpp) and the evaluations a role session's request costs.
#include <memory>

#include "bench_support.hpp"
#include "iam/request_facts.hpp"
#include "policy/policy.hpp"

namespace ossd::bench {
namespace {

policy::ParseLimits roomy_limits() {
  policy::ParseLimits limits;
  limits.max_bytes = 64 << 10;  // the document is ~14 KiB: over the 6 KiB RAM limit, see iam_bench.cpp
  return limits;
}

std::shared_ptr<const policy::Document> parsed(const std::string& json) {
  return std::make_shared<policy::Document>(must(policy::parse(json, roomy_limits()), "parse policy"));
}

// The facts of `GET photos/2024/05/a.jpg` from 10.0.0.5 over plain HTTP.
struct GetObjectFacts {
  std::vector<QueryParam> query;
  std::vector<HeaderField> headers{{"User-Agent", "aliyun-sdk-js/6.23.0"}};
  iam::OssRequest request() const {
    iam::OssRequest r;
    r.action = "oss:GetObject";
    r.account_id = kAccount;
    r.bucket = "photos";
    r.key = "2024/05/a.jpg";
    r.source_ip = "10.0.0.5";
    r.access_key_id = kKeyId;
    r.query = &query;
    r.headers = &headers;
    r.now = bench_now();
    return r;
  }
};

void BM_PolicyParse100Statements(benchmark::State& state) {
  const std::string json = hundred_statement_policy();
  const policy::ParseLimits limits = roomy_limits();
  for (auto _ : state) {
    auto document = policy::parse(json, limits);
    benchmark::DoNotOptimize(document);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
  state.counters["bytes"] = static_cast<double>(json.size());
}
BENCHMARK(BM_PolicyParse100Statements);

// The per-request facts (action, ARN, condition keys) the pipeline builds
// before any evaluation.
void BM_PolicyFactsGetObject(benchmark::State& state) {
  const GetObjectFacts input;
  for (auto _ : state) {
    policy::Facts facts = iam::oss_request_facts(input.request());
    benchmark::DoNotOptimize(facts);
  }
}
BENCHMARK(BM_PolicyFactsGetObject);

// One identity policy of 100 statements; the allowing statement is the last.
void BM_PolicyEvaluate100Statements(benchmark::State& state) {
  const policy::NamedDocument documents[] = {{"large-policy", parsed(hundred_statement_policy())}};
  const GetObjectFacts input;
  const policy::Facts facts = iam::oss_request_facts(input.request());
  check(policy::evaluate(documents, facts).decision == policy::Decision::Allow, "100-statement policy allows");
  for (auto _ : state) {
    policy::Verdict verdict = policy::evaluate(documents, facts);
    benchmark::DoNotOptimize(verdict);
  }
}
BENCHMARK(BM_PolicyEvaluate100Statements);

// What the Authorizer evaluates for a role session: the role's policy (100
// statements), then the session policy, then the bucket policy with
// Principal matching (three evaluate() calls, as iam/authorizer.cpp does).
void BM_PolicyEvaluate100PlusSessionAndBucket(benchmark::State& state) {
  const policy::NamedDocument role[] = {{"large-policy", parsed(hundred_statement_policy())}};
  const policy::NamedDocument session[] = {{"session-policy", parsed(session_policy_json())}};
  const policy::NamedDocument bucket[] = {{"bucket-policy", parsed(bucket_policy_json())}};
  const GetObjectFacts input;
  policy::Facts facts = iam::oss_request_facts(input.request());
  facts.principal_ids = {"300000000000001", "300000000000001:bench", "acs:ram::1234567890123456:role/reader",
                         "arn:sts::1234567890123456:assumed-role/reader/bench"};
  check(policy::evaluate(role, facts).decision == policy::Decision::Allow, "role policy allows");
  check(policy::evaluate(session, facts).decision == policy::Decision::Allow, "session policy allows");
  check(policy::evaluate(bucket, facts, true).decision == policy::Decision::ImplicitDeny, "bucket policy is silent");
  for (auto _ : state) {
    policy::Verdict own = policy::evaluate(role, facts);
    policy::Verdict narrowed = policy::evaluate(session, facts);
    policy::Verdict by_bucket = policy::evaluate(bucket, facts, true);
    benchmark::DoNotOptimize(own);
    benchmark::DoNotOptimize(narrowed);
    benchmark::DoNotOptimize(by_bucket);
  }
}
BENCHMARK(BM_PolicyEvaluate100PlusSessionAndBucket);

}  // namespace
}  // namespace ossd::bench
