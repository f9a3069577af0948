#include "server/backends.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

#include "core/strings.hpp"
#include "meta/pg_store.hpp"
#include "meta/sqlite_store.hpp"

namespace ossd::server {
namespace {

constexpr std::string_view kSqliteSpec = "sqlite";
constexpr std::string_view kKeyValuePrefix = "pg:";
constexpr std::string_view kRedacted = "***";

// libpq's two URI schemes, which it matches case-sensitively.
std::optional<size_t> uri_scheme_length(std::string_view text) {
  for (std::string_view scheme : {"postgresql://", "postgres://"}) {
    if (text.starts_with(scheme)) return scheme.size();
  }
  return std::nullopt;
}

// For redaction only: a scheme in any case counts, so an upper-case URI
// (which libpq would refuse) is still treated as one and not printed whole.
std::optional<size_t> uri_scheme_length_any_case(std::string_view text) {
  for (std::string_view scheme : {"postgresql://", "postgres://"}) {
    if (istarts_with(text, scheme)) return scheme.size();
  }
  return std::nullopt;
}

bool is_secret_keyword(std::string_view keyword) { return keyword == "password" || keyword == "sslpassword"; }

bool is_conninfo_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// One `keyword = value` of a libpq key=value string, with the byte range of
// the value as written (quotes included) so it can be replaced in place.
struct KeyValueToken {
  std::string keyword;
  std::string value;  // unquoted and unescaped
  size_t value_begin = 0;
  size_t value_end = 0;
};

struct KeyValueParse {
  std::vector<KeyValueToken> tokens;
  // Where the first malformed token starts (npos: none), and why.
  size_t malformed_at = std::string_view::npos;
  std::string problem;
};

// The grammar libpq's conninfo_parse accepts: tokens separated by white
// space, '=' with optional white space around it, a value either quoted with
// single quotes or running to the next white space, '\' escaping the next
// character in both.
KeyValueParse parse_key_values(std::string_view text) {
  KeyValueParse parse;
  size_t i = 0;
  while (true) {
    while (i < text.size() && is_conninfo_space(text[i])) ++i;
    if (i == text.size()) return parse;
    const size_t token_begin = i;
    KeyValueToken token;
    while (i < text.size() && !is_conninfo_space(text[i]) && text[i] != '=') token.keyword += text[i++];
    while (i < text.size() && is_conninfo_space(text[i])) ++i;
    if (i == text.size() || text[i] != '=') {
      parse.malformed_at = token_begin;
      parse.problem = "a setting without '=' (settings are keyword=value)";
      return parse;
    }
    ++i;
    while (i < text.size() && is_conninfo_space(text[i])) ++i;
    token.value_begin = i;
    if (i < text.size() && text[i] == '\'') {
      ++i;
      bool closed = false;
      while (i < text.size()) {
        if (text[i] == '\\' && i + 1 < text.size()) {
          token.value += text[i + 1];
          i += 2;
        } else if (text[i] == '\'') {
          ++i;
          closed = true;
          break;
        } else {
          token.value += text[i++];
        }
      }
      if (!closed) {
        parse.malformed_at = token_begin;
        parse.problem = "an unterminated quoted value";
        return parse;
      }
    } else {
      while (i < text.size() && !is_conninfo_space(text[i])) {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        token.value += text[i++];
      }
    }
    token.value_end = i;
    parse.tokens.push_back(std::move(token));
  }
}

std::string redact_key_values(std::string_view text) {
  const KeyValueParse parse = parse_key_values(text);
  std::string out;
  size_t copied = 0;
  for (const auto& token : parse.tokens) {
    if (!is_secret_keyword(token.keyword)) continue;
    out.append(text.substr(copied, token.value_begin - copied));
    out.append(kRedacted);
    copied = token.value_end;
  }
  // Past a malformed token nothing can be told apart, so none of it is shown
  // ("passwordsecret" is a typo for "password=secret").
  const size_t shown_until = std::min(parse.malformed_at, text.size());
  out.append(text.substr(copied, shown_until - copied));
  if (parse.malformed_at != std::string_view::npos) out.append(kRedacted);
  return out;
}

// Where a URI's user info ends: the last '@' before the query, or, when the
// query holds the only '@', the first '@' at all (a password with an
// unencoded '?'). npos: no user info.
size_t user_info_end(std::string_view rest) {
  const size_t query = rest.find('?');
  const size_t at = rest.substr(0, query).rfind('@');
  if (at != std::string_view::npos) return at;
  return rest.find('@');
}

struct UriSecrets {
  std::string redacted;
  std::vector<std::string> secrets;  // as written
};

UriSecrets redact_uri(std::string_view uri, size_t scheme_length) {
  UriSecrets result;
  const std::string_view rest = uri.substr(scheme_length);
  result.redacted.append(uri.substr(0, scheme_length));
  size_t position = 0;
  if (const size_t at = user_info_end(rest); at != std::string_view::npos) {
    const std::string_view user_info = rest.substr(0, at);
    if (const size_t colon = user_info.find(':'); colon != std::string_view::npos) {
      result.secrets.emplace_back(user_info.substr(colon + 1));
      result.redacted.append(user_info.substr(0, colon + 1));
      result.redacted.append(kRedacted);
      position = at;
    }
  }
  const size_t query = rest.find('?', position);
  if (query == std::string_view::npos) {
    result.redacted.append(rest.substr(position));
    return result;
  }
  result.redacted.append(rest.substr(position, query + 1 - position));
  std::string_view parameters = rest.substr(query + 1);
  bool first = true;
  while (true) {
    const size_t amp = parameters.find('&');
    const std::string_view parameter = parameters.substr(0, amp);
    if (!first) result.redacted += '&';
    first = false;
    const size_t eq = parameter.find('=');
    const std::string_view name = parameter.substr(0, eq);
    const std::string decoded_name = percent_decode(name).value_or(std::string(name));
    if (eq != std::string_view::npos && is_secret_keyword(decoded_name)) {
      result.secrets.emplace_back(parameter.substr(eq + 1));
      result.redacted.append(parameter.substr(0, eq + 1));
      result.redacted.append(kRedacted);
    } else {
      result.redacted.append(parameter);
    }
    if (amp == std::string_view::npos) break;
    parameters.remove_prefix(amp + 1);
  }
  return result;
}

// libpq's messages end lines with "\n" and indent hints with "\t"; a start-up
// failure is one log line.
std::string on_one_line(std::string_view text) {
  std::string out;
  bool at_break = false;
  for (char c : text) {
    if (c == '\n' || c == '\r' || (at_break && (c == '\t' || c == ' '))) {
      at_break = true;
      continue;
    }
    if (at_break && !out.empty()) out += ' ';
    at_break = false;
    out += c;
  }
  return out;
}

std::vector<std::string> secrets_of(std::string_view spec) {
  std::vector<std::string> secrets;
  if (auto scheme = uri_scheme_length_any_case(spec)) {
    for (auto& secret : redact_uri(spec, *scheme).secrets) {
      if (auto decoded = percent_decode(secret)) secrets.push_back(*decoded);
      secrets.push_back(std::move(secret));
    }
  } else {
    if (spec.starts_with(kKeyValuePrefix)) spec.remove_prefix(kKeyValuePrefix.size());
    for (const auto& token : parse_key_values(spec).tokens) {
      if (!is_secret_keyword(token.keyword)) continue;
      secrets.push_back(token.value);
      secrets.emplace_back(spec.substr(token.value_begin, token.value_end - token.value_begin));
    }
  }
  std::erase_if(secrets, [](const std::string& s) { return s.empty(); });
  // Longest first, so a secret that contains another is replaced whole; a
  // secret whose decoded form is itself appears once.
  std::sort(secrets.begin(), secrets.end(),
            [](const auto& a, const auto& b) { return a.size() != b.size() ? a.size() > b.size() : a < b; });
  secrets.erase(std::unique(secrets.begin(), secrets.end()), secrets.end());
  return secrets;
}

}  // namespace

Result<MetadataSpec> parse_metadata_spec(std::string_view spec) {
  if (spec == kSqliteSpec) return MetadataSpec{MetadataBackend::Sqlite, {}};
  if (uri_scheme_length(spec)) return MetadataSpec{MetadataBackend::Postgres, std::string(spec)};
  if (spec.starts_with(kKeyValuePrefix)) {
    const std::string_view settings = spec.substr(kKeyValuePrefix.size());
    const KeyValueParse parse = parse_key_values(settings);
    if (parse.malformed_at != std::string_view::npos) {
      return Error(ErrorCode::InvalidArgument,
                   "--meta " + redact_conninfo(spec) + ": " + parse.problem + " in the libpq settings after 'pg:'");
    }
    return MetadataSpec{MetadataBackend::Postgres, std::string(settings)};
  }
  return Error(ErrorCode::InvalidArgument,
               "--meta must be 'sqlite', a postgres:// or postgresql:// URI, or 'pg:' "
               "followed by libpq keyword=value settings; got '" +
                   redact_conninfo(spec) + "'");
}

std::string redact_conninfo(std::string_view spec) {
  if (auto scheme = uri_scheme_length_any_case(spec)) return redact_uri(spec, *scheme).redacted;
  if (spec.starts_with(kKeyValuePrefix)) {
    return std::string(kKeyValuePrefix) + redact_key_values(spec.substr(kKeyValuePrefix.size()));
  }
  return redact_key_values(spec);
}

std::string scrub_secrets(std::string_view text, std::string_view spec) {
  std::string out(text);
  for (const auto& secret : secrets_of(spec)) {
    for (size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at + kRedacted.size())) {
      out.replace(at, secret.size(), kRedacted);
    }
  }
  return out;
}

std::string describe_metadata_store(const MetadataSpec& spec, const std::filesystem::path& data_dir) {
  switch (spec.backend) {
    case MetadataBackend::Sqlite: return "sqlite " + (data_dir / "meta.db").string();
    case MetadataBackend::Postgres: return "postgresql " + redact_conninfo(spec.conninfo);
  }
  return "unknown";
}

Result<std::unique_ptr<meta::MetadataStore>> open_metadata_store(const MetadataSpec& spec,
                                                                 const std::filesystem::path& data_dir,
                                                                 size_t pg_connections) {
  Result<std::unique_ptr<meta::MetadataStore>> store =
      spec.backend == MetadataBackend::Sqlite
          ? meta::open_sqlite_store(data_dir / "meta.db")
          : meta::open_pg_metadata_store(spec.conninfo, {.max_connections = pg_connections});
  if (store) return store;
  // libpq's messages name hosts and users, and for a malformed string may
  // quote a piece of it: the spec's passwords are taken out either way.
  return Error(store.error().code, "cannot open the metadata store " + describe_metadata_store(spec, data_dir) + ": " +
                                       on_one_line(scrub_secrets(store.error().message, spec.conninfo)));
}

}  // namespace ossd::server
