#pragma once
// Shared inputs of the micro-benchmarks: a fixed clock reading, the account,
// and the 100-statement policy that stands for a large real-world RAM policy.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/time_format.hpp"

namespace ossd::bench {

inline constexpr const char* kAccount = "1234567890123456";
inline constexpr const char* kKeyId = "LTAI5tBenchKeyId000000";
inline constexpr const char* kSecret = "BenchSecret0123456789abcdefghijk";

inline SystemTime bench_now() { return *parse_iso8601("2024-05-20T08:30:00Z"); }

// A benchmark must measure work that succeeds: a setup that fails (or a
// measured call that starts failing) aborts the run instead of timing an
// error path.
template <class T>
T must(Result<T> result, std::string_view what) {
  if (!result) {
    std::cerr << "bench setup failed: " << what << ": " << result.error().message << "\n";
    std::abort();
  }
  return std::move(result.value());
}
inline void must(const Status& status, std::string_view what) {
  if (!status) {
    std::cerr << "bench setup failed: " << what << ": " << status.error().message << "\n";
    std::abort();
  }
}
inline void check(bool ok, std::string_view what) {
  if (!ok) {
    std::cerr << "bench check failed: " << what << "\n";
    std::abort();
  }
}

// One statement of the large policy, by index. The mix is what a big
// identity policy of a multi-tenant application looks like: per-bucket
// read/write grants, upload areas restricted to office networks, listing
// limited to a home prefix, time-limited grants, and Deny guards. For the
// benchmark request (oss:GetObject on photos/2024/05/a.jpg from 10.0.0.5 at
// 2024-05-20, plain HTTP) many statements match the action but not the
// resource, a few match action and resource but fail a condition, and no
// Deny applies, so the evaluator has to look at every statement.
// Index 99 (the last) is the one that allows the request.
inline std::string policy_statement(int i) {
  const std::string n = std::to_string(i);
  if (i == 99) {
    return R"({"Sid":"photos-office-read","Effect":"Allow","Action":["oss:GetObject","oss:ListObjects"],)"
           R"("Resource":["acs:oss:*:*:photos","acs:oss:*:*:photos/*"],)"
           R"("Condition":{"IpAddress":{"acs:SourceIp":["10.0.0.0/8","192.168.0.0/16"]}}})";
  }
  switch (i % 10) {
    case 0:
      return R"({"Effect":"Allow","Action":["oss:GetObject","oss:GetObjectAcl"],"Resource":"acs:oss:*:*:tenant-)" + n +
             R"(/*"})";
    case 1:
    case 7:
      return R"({"Effect":"Allow","Action":["oss:PutObject","oss:AbortMultipartUpload","oss:ListParts"],)"
             R"("Resource":["acs:oss:*:*:tenant-)" +
             n + R"(/uploads/*","acs:oss:*:*:tenant-)" + n +
             R"(/tmp/*"],"Condition":{"IpAddress":{"acs:SourceIp":"172.16.0.0/12"}}})";
    case 2:
      return R"({"Effect":"Deny","Action":["oss:DeleteObject","oss:PutObjectAcl"],"Resource":"acs:oss:*:*:tenant-)" +
             n + R"(/*","Condition":{"NotIpAddress":{"acs:SourceIp":"10.0.0.0/8"}}})";
    case 3:
    case 8:
      return R"({"Effect":"Allow","Action":"oss:ListObjects","Resource":"acs:oss:*:*:tenant-)" + n +
             R"(","Condition":{"StringLike":{"oss:Prefix":["home/user-)" + n + R"(/*","shared/*"]}}})";
    case 4:  // a Deny on the request's resource, only from blocked networks
      return R"({"Effect":"Deny","Action":["oss:Get*","oss:Put*"],"Resource":"acs:oss:*:*:photos/*",)"
             R"("Condition":{"IpAddress":{"acs:SourceIp":["203.0.113.0/24","198.51.100.)" +
             n + R"(/32"]}}})";
    case 5:  // the action matches, the resource does not
      return R"({"Effect":"Allow","Action":"oss:Get*","Resource":"acs:oss:*:*:photos/archive-)" + n +
             R"(/*","Condition":{"DateLessThan":{"acs:CurrentTime":"2030-01-01T00:00:00Z"}}})";
    case 6:
      return R"({"Effect":"Allow","Action":"oss:GetObject","Resource":["acs:oss:*:*:photos/users/user-)" + n +
             R"(/*","acs:oss:*:*:media-)" + n + R"(/*"]})";
    default:  // 9: action and resource match; the condition does not (plain HTTP)
      return R"({"Effect":"Allow","Action":"oss:GetObject","Resource":"acs:oss:*:*:photos/*",)"
             R"("Condition":{"Bool":{"acs:SecureTransport":"true"}}})";
  }
}

// Statements [first, last) as one policy document.
inline std::string policy_document(int first, int last) {
  std::string out = R"({"Version":"1","Statement":[)";
  for (int i = first; i < last; ++i) {
    if (i != first) out += ',';
    out += policy_statement(i);
  }
  out += "]}";
  return out;
}

inline std::string hundred_statement_policy() { return policy_document(0, 100); }

// A session policy as an application hands to AssumeRole: read-only on one prefix.
inline std::string session_policy_json() {
  return R"({"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:GetObject","oss:ListObjects"],)"
         R"("Resource":["acs:oss:*:*:photos","acs:oss:*:*:photos/2024/*"]}]})";
}

// A bucket policy of a few statements with Principals (what OSS's console
// writes): public read of a prefix, a partner's write area, a Deny of
// deletes for everybody but the account.
inline std::string bucket_policy_json() {
  return R"({"Version":"1","Statement":[)"
         R"({"Effect":"Allow","Principal":["*"],"Action":["oss:GetObject"],"Resource":["acs:oss:*:*:photos/public/*"]},)"
         R"({"Effect":"Allow","Principal":["20000000000001"],"Action":["oss:PutObject"],)"
         R"("Resource":["acs:oss:*:*:photos/partner/*"]},)"
         R"({"Effect":"Deny","Principal":["*"],"Action":["oss:DeleteObject"],"Resource":["acs:oss:*:*:photos/*"],)"
         R"("Condition":{"StringNotEquals":{"acs:SourceIp":["10.0.0.1"]}}},)"
         R"({"Effect":"Allow","Principal":["20000000000002"],"Action":["oss:ListObjects"],"Resource":["acs:oss:*:*:photos"]}]})";
}

}  // namespace ossd::bench
