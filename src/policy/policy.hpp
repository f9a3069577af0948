#pragma once
// The RAM policy language (spec §7): identity policies, session policies,
// bucket policies and role trust policies. Pure: parse() turns JSON text into
// a Document, evaluate() judges one request against documents. No I/O, no
// clock: the request's facts (time, source IP...) are values in Facts.
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace ossd::policy {

enum class Effect { Allow, Deny };

// The operator families of spec §7. `negated` forms (StringNotEquals...) are
// separate enumerators so evaluation needs no string compares.
enum class Operator {
  StringEquals,
  StringNotEquals,
  StringEqualsIgnoreCase,
  StringNotEqualsIgnoreCase,
  StringLike,
  StringNotLike,
  NumericEquals,
  NumericNotEquals,
  NumericLessThan,
  NumericLessThanEquals,
  NumericGreaterThan,
  NumericGreaterThanEquals,
  DateEquals,
  DateNotEquals,
  DateLessThan,
  DateLessThanEquals,
  DateGreaterThan,
  DateGreaterThanEquals,
  Bool,
  IpAddress,
  NotIpAddress,
};

struct Condition {
  Operator op;
  std::string key;                  // as written, e.g. "acs:SourceIp"; matched case-insensitively
  std::vector<std::string> values;  // OR of values; numbers and bools kept as their JSON text
};

// Principal of bucket and trust policies: {"RAM": [...]}, {"Service": [...]},
// {"Federated": [...]}, or "*" / ["uid", ...] (bucket policies).
struct Principal {
  std::string kind;  // "RAM", "Service", "Federated", or "" for bare ids / "*"
  std::vector<std::string> ids;
};

struct Statement {
  std::string sid;
  Effect effect = Effect::Allow;
  std::vector<std::string> actions;    // with * and ? wildcards; matched case-insensitively
  bool not_action = false;             // `NotAction` instead of `Action`
  std::vector<std::string> resources;  // ARN patterns with * and ?; case-sensitive
  bool not_resource = false;
  std::vector<Principal> principals;  // empty when the statement has none
  std::vector<Condition> conditions;  // AND of all
};

struct Document {
  std::string version;  // "1"
  std::vector<Statement> statements;
};

struct ParseLimits {
  size_t max_bytes = 6144;  // RAM custom policies; session policies use 2048, bucket 16384
  size_t max_statements = 200;
  size_t max_depth = 10;     // JSON nesting, checked before a full parse
  size_t max_values = 1000;  // entries in any one Action/Resource/condition list
};

// Errors: InvalidPolicyDocument with a message that names what is wrong
// (the RAM/STS layer reports it as InvalidParameter.PolicyGrammar or
// InvalidParameter.PolicySize, OSS PutBucketPolicy as InvalidPolicyDocument).
// Oversized or deeply nested input is refused before it is parsed.
// Grammar: "Version" must be "1"; "Statement" is an object or an array of
// objects; field names are exact-case and unknown or repeated fields are
// refused. Each statement has Effect "Allow"|"Deny", exactly one of Action /
// NotAction ("*" or "<service>:<action>"), at most one of Resource /
// NotResource (optional because trust policies have none; a statement
// without either applies to any resource), optional Principal and Condition.
// Condition values are checked against their operator (a Numeric value must
// be a number, an IpAddress value an address or CIDR...).
Result<Document> parse(std::string_view text, const ParseLimits& limits = {});

// What one request asks: the action ("oss:GetObject", "sts:AssumeRole"),
// the resource ARN ("acs:oss:*:<account>:<bucket>/<key>"), who asks (ids to
// match against Principal, e.g. the account id, "acs:ram::<account>:root",
// the RAM user id) and the condition keys of spec §7, lower-cased
// ("acs:sourceip" -> {"127.0.0.1"}, "acs:currenttime" -> {"2024-05-20T08:30:00Z"},
// "acs:securetransport" -> {"false"}, "oss:prefix" -> {...}).
struct Facts {
  std::string action;
  std::string resource;
  std::vector<std::string> principal_ids;
  std::map<std::string, std::vector<std::string>, std::less<>> keys;
};

enum class Decision { ImplicitDeny, Allow, ExplicitDeny };

// A document with the name it is known by ("AliyunOSSReadOnlyAccess",
// "bucket-policy", "session-policy") so verdicts can say which statement decided.
struct NamedDocument {
  std::string name;
  std::shared_ptr<const Document> document;
};

struct Verdict {
  Decision decision = Decision::ImplicitDeny;
  std::string policy;    // name of the deciding document ("" for implicit deny)
  size_t statement = 0;  // index of the deciding statement in it
  std::string sid;       // its Sid, if any
};

// One policy set: any matching Deny statement -> ExplicitDeny, else any
// matching Allow -> Allow, else ImplicitDeny. A statement matches when its
// Action, Resource, Principal (only checked when `check_principal`) and every
// Condition match the facts. The verdict names the first matching Deny, else
// the first matching Allow, in document then statement order.
// - Principal (when checked): "*" matches every caller, including one with no
//   principal_ids (anonymous); other ids match any of facts.principal_ids,
//   case-sensitively, wildcards allowed; the kind (RAM/Service/Federated) is
//   not compared. A statement WITHOUT Principal does not match.
// - Conditions: the key is looked up lower-cased in facts.keys; an absent key
//   or an empty value list means the request has no value. Positive operators
//   need some request value to match some policy value (no value: false);
//   negated ones (StringNot*, NumericNotEquals, DateNotEquals, NotIpAddress)
//   are exactly their positive form inverted (no value: true). A request or
//   policy value the operator cannot read (a Numeric "abc") matches nothing.
//   Dates: ISO 8601 UTC with optional fraction, a +hh:mm offset, a bare
//   date (midnight UTC) or epoch seconds. IpAddress folds IPv4-mapped IPv6.
Verdict evaluate(std::span<const NamedDocument> documents, const Facts& facts, bool check_principal = false);

// `*` matches any run of characters (including none), `?` exactly one.
bool wildcard_match(std::string_view pattern, std::string_view text, bool ignore_case = false);

// The operator's name as policies spell it ("StringEquals").
std::string_view operator_name(Operator op);
// The operator a policy names, exact case; nullopt for any other text,
// including AWS-only forms such as "StringEqualsIfExists" or "ForAnyValue:...".
std::optional<Operator> operator_from_name(std::string_view name);

}  // namespace ossd::policy
