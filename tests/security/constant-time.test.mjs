// Constant-time comparison of secrets (issue #6, RELIABILITY §3.2 case 8).
//
// Every signature, MAC, token and secret is compared with
// crypto::constant_time_equal (src/crypto/constant_time.hpp), whose time does
// not depend on where two inputs first differ. This suite reads the sources:
//  * the helper itself is CRYPTO_memcmp behind a length check and nothing else;
//  * every verifier (V1/V4 header and query, PostObject V1/V4, RPC v1 and
//    ACS3, the in-memory test credentials' security token) calls it;
//  * no comparison anywhere in src/ with ==, !=, memcmp, strcmp, std::equal,
//    std::mismatch or .compare() touches an identifier named like a signature,
//    secret, token, MAC, digest, nonce or "expected" value, except the few
//    listed in ALLOWED below, each with the reason it is not a secret.
// The scanner is checked against planted violations, so it can fail.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const srcRoot = path.join(repoRoot, 'src');

// Parts of an identifier (split at '_' and camelCase) that mark a value as a
// secret or as something compared against one.
const SENSITIVE_PARTS = new Set([
  'signature', 'signatures', 'sig', 'secret', 'secrets', 'token', 'mac', 'hmac', 'digest', 'expected', 'nonce',
  'password', 'passwd', 'tag', 'md5', 'sha1', 'sha256', 'key', 'sealed', 'provided',
]);
// An identifier about a sensitive value's size or kind, not its content
// (expected_length, signature_version).
const NOT_CONTENT_PARTS = new Set(['length', 'size', 'count', 'version', 'versions', 'type', 'method', 'bytes']);
// 'key' alone is everywhere (object keys, map keys); it counts only beside one
// of these (signing_key, master_key, token_key ...).
const KEY_QUALIFIERS = new Set(['signing', 'master', 'private', 'aead', 'hmac', 'box', 'sealing']);

// Justified exceptions: file (relative to src/) and a fragment of the
// normalized comparison text (comments and string contents removed).
export const ALLOWED = [
  {
    file: 'api/rpc_handler.cpp',
    fragment: 'envelope.version != expected',
    reason: 'the RPC API Version parameter against the one this endpoint serves (public text)',
  },
  {
    file: 'core/time_format.cpp',
    fragment: '!= expected',
    reason: 'the date parser matching a fixed piece of the format (e.g. "GMT"), not a secret',
  },
  {
    file: 'cli/token_service.cpp',
    fragment: 'path == options_.token_path',
    reason: 'routes the URL path of the token endpoint (configuration, public), not a token',
  },
  {
    file: 'client/client.cpp',
    fragment: 'next_continuation_token == options.continuation_token',
    reason: 'list continuation token: an opaque public cursor the server hands out, not a credential',
  },
  {
    file: 'meta/pg_store.cpp',
    fragment: 'current != expected',
    reason: 'compare-and-set of a bucket configuration document (the style list), the owner\'s data, not a credential',
  },
  {
    file: 'meta/sqlite_store.cpp',
    fragment: 'current != expected',
    reason: 'compare-and-set of a bucket configuration document (the style list), the owner\'s data, not a credential',
  },
  {
    file: 'service/migration.cpp',
    fragment: 'source->md5_hex != target->md5_hex',
    reason: 'ossd migrate\'s verify step: MD5 of object bytes read from both stores by the operator, no authentication',
  },
  {
    file: 'service/migration.cpp',
    fragment: 'target->md5_hex != expected_md5_hex',
    reason: 'ossd migrate\'s verify step: a copied part\'s MD5 against its recorded one, no authentication',
  },
];

function listSources(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listSources(full));
    else if (/\.(cpp|hpp|h|cc)$/.test(entry.name)) out.push(full);
  }
  return out.sort();
}

// Blanks out comments and the contents of string and char literals (keeping
// the quotes and every newline), so words in messages never count.
export function stripCommentsAndLiterals(text) {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      i += 2;
      while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) {
        if (text[i] === '\n') out += '\n';
        i++;
      }
      i += 2;
    } else if (c === 'R' && next === '"') {
      // Raw string R"delim( ... )delim"
      const open = text.indexOf('(', i);
      const delim = text.slice(i + 2, open);
      const close = text.indexOf(`)${delim}"`, open);
      const end = close < 0 ? text.length : close + delim.length + 2;
      out += '""';
      for (const ch of text.slice(i, end)) if (ch === '\n') out += '\n';
      i = end;
    } else if (c === '"' || c === '\'') {
      // A digit separator (1'000'000) is not a char literal.
      if (c === '\'' && /[0-9A-Fa-f]/.test(text[i - 1] ?? '') && /[0-9A-Fa-f]/.test(next ?? '')) {
        out += c;
        i++;
        continue;
      }
      out += c;
      i++;
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\') i++;
        i++;
      }
      out += c;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function identifierParts(expression) {
  const parts = [];
  for (const ident of expression.match(/[A-Za-z_][A-Za-z0-9_]*/g) || []) {
    const words = ident.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().split('_').filter(Boolean);
    parts.push(words);
  }
  return parts;
}

export function isSensitive(expression) {
  for (const words of identifierParts(expression)) {
    if (words.some((word) => NOT_CONTENT_PARTS.has(word))) continue;
    for (const word of words) {
      if (word === 'key') {
        if (words.some((other) => KEY_QUALIFIERS.has(other))) return true;
        continue;
      }
      if (SENSITIVE_PARTS.has(word)) return true;
    }
  }
  return false;
}

// The operand left of position `end` (exclusive): identifiers, member access,
// calls and subscripts, balanced brackets.
function operandBefore(line, end) {
  let i = end - 1;
  while (i >= 0 && line[i] === ' ') i--;
  const stop = i + 1;
  let depth = 0;
  while (i >= 0) {
    const c = line[i];
    if (c === ')' || c === ']') depth++;
    else if (c === '(' || c === '[') {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && !/[\w.:>\-*"'!]/.test(c)) break;
    else if (depth === 0 && c === '>' && line[i - 1] !== '-') break;
    else if (depth === 0 && c === '-' && line[i + 1] !== '>') break;
    i--;
  }
  return line.slice(i + 1, stop).replace(/^!+/, '').trim();
}

function operandAfter(line, start) {
  let i = start;
  while (i < line.length && line[i] === ' ') i++;
  const begin = i;
  let depth = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && !/[\w.:>\-*"'!]/.test(c)) break;
    else if (depth === 0 && c === '-' && line[i + 1] !== '>') break;
    else if (depth === 0 && c === '>' && line[i - 1] !== '-') break;
    i++;
  }
  return line.slice(begin, i).trim();
}

// An operand whose comparison says nothing about a secret's content: a
// literal, a null/end sentinel, a size, an emptiness or presence test.
function isContentFree(operand) {
  return /^(""|''|-?\d[\w.']*|nullptr|NULL|true|false|std::nullopt|(std::)?string(_view)?::npos|\w*::npos)$/.test(operand)
    || /(\.|->)(size|length|empty|has_value|count)\(\)$/.test(operand)
    || /\b(end|cend|begin)\(\)$/.test(operand)
    || /^(\w+::)*k[A-Z]\w*$/.test(operand)  // named constants (kTokenVersion, kAeadNonceBytes)
    || /^(\w+::)*[A-Z]\w*::[A-Za-z]\w*$/.test(operand);  // enumerators (MacAlgorithm::SipHash64)
}

const CALL_COMPARES = /\b(memcmp|bcmp|strcmp|strncmp|strcasecmp|std::equal|std::ranges::equal|std::mismatch|std::lexicographical_compare)\s*\(|\.compare\s*\(/g;

// Every comparison in one source text that touches a sensitive name:
// [{line, text}] with text the normalized statement line.
export function findSensitiveComparisons(source) {
  const stripped = stripCommentsAndLiterals(source);
  const lines = stripped.split('\n');
  const found = [];
  lines.forEach((raw, index) => {
    const line = raw.replace(/\s+/g, ' ');
    if (/^\s*#/.test(line)) return;
    // operator==/!= declarations and defaulted comparisons are not uses.
    if (/operator\s*(==|!=|<=>)/.test(line)) return;
    const hits = new Set();
    for (const m of line.matchAll(/(==|!=)/g)) {
      const left = operandBefore(line, m.index);
      const right = operandAfter(line, m.index + 2);
      if (isContentFree(left) || isContentFree(right)) continue;
      if (isSensitive(left) || isSensitive(right)) hits.add(`${left} ${m[1]} ${right}`);
    }
    for (const m of line.matchAll(CALL_COMPARES)) {
      // The call's argument list (to the matching parenthesis) plus, for
      // .compare, the object it is called on.
      const open = line.indexOf('(', m.index);
      let depth = 0;
      let close = open;
      for (; close < line.length; close++) {
        if (line[close] === '(') depth++;
        else if (line[close] === ')' && --depth === 0) break;
      }
      const args = line.slice(open + 1, close);
      const subject = m[0].startsWith('.') ? operandBefore(line, m.index) : '';
      if (isSensitive(args) || isSensitive(subject)) hits.add(`${subject}${m[0]}${args})`);
    }
    for (const text of hits) found.push({ line: index + 1, text });
  });
  return found;
}

function allowedReason(file, text) {
  const entry = ALLOWED.find((a) => a.file === file && text.includes(a.fragment));
  return entry?.reason;
}

function scanTree() {
  const violations = [];
  const allowedHits = [];
  for (const full of listSources(srcRoot)) {
    const file = path.relative(srcRoot, full).split(path.sep).join('/');
    for (const hit of findSensitiveComparisons(readFileSync(full, 'utf8'))) {
      const reason = allowedReason(file, hit.text);
      if (reason) allowedHits.push({ file, ...hit, reason });
      else violations.push(`src/${file}:${hit.line}: ${hit.text}`);
    }
  }
  return { violations, allowedHits };
}

describe('constant-time comparison', () => {
  it('the helper is CRYPTO_memcmp behind a length check, with no early exit on content', () => {
    const header = readFileSync(path.join(srcRoot, 'crypto/constant_time.hpp'), 'utf8');
    assert.match(header, /bool constant_time_equal\(std::string_view a, std::string_view b\);/);
    const body = stripCommentsAndLiterals(readFileSync(path.join(srcRoot, 'crypto/constant_time.cpp'), 'utf8'));
    const fn = body.slice(body.indexOf('bool constant_time_equal'));
    assert.match(fn, /CRYPTO_memcmp\(a\.data\(\), b\.data\(\), a\.size\(\)\) == 0/, 'compares with CRYPTO_memcmp over the whole length');
    // The only returns before CRYPTO_memcmp depend on the lengths alone.
    const early = fn.slice(0, fn.indexOf('CRYPTO_memcmp')).match(/return [^;]*;/g) || [];
    for (const statement of early) {
      assert.ok(/^return (false|true);$/.test(statement), `an early return that is not a length decision: ${statement}`);
    }
    const conditions = fn.slice(0, fn.indexOf('CRYPTO_memcmp')).match(/if \(([^)]*\))*[^)]*\)/g) || [];
    for (const condition of conditions) {
      assert.ok(/^if \((a|b)\.(size|empty)\(\)/.test(condition), `a branch before CRYPTO_memcmp on content: ${condition}`);
    }
    assert.doesNotMatch(fn, /\bfor\b|\bwhile\b|\[i\]/, 'no hand-written byte loop');
  });

  it('every signature and token verifier calls crypto::constant_time_equal', () => {
    // file -> how many comparisons of secrets it makes (each must use the helper).
    const verifiers = {
      'auth/verify_v1.cpp': 2,          // V1 header, V1 query (signed URL)
      'auth/verify_v4.cpp': 1,          // V4 header and query share check_signature
      'auth/post_signature.cpp': 2,     // PostObject V1 and V4 policy signatures
      'api/rpc_request.cpp': 3,         // RPC v1 signature, ACS3 body hash, ACS3 signature
      'auth/in_memory_credentials.hpp': 1,  // security token of the test credential lookup
    };
    for (const [file, count] of Object.entries(verifiers)) {
      const text = stripCommentsAndLiterals(readFileSync(path.join(srcRoot, file), 'utf8'));
      const uses = text.match(/crypto::constant_time_equal\(/g) || [];
      assert.ok(uses.length >= count, `${file}: ${uses.length} constant_time_equal calls, expected ${count}`);
    }
  });

  it('no early-exit comparison of a signature, secret, token, MAC or digest anywhere in src/', () => {
    const { violations, allowedHits } = scanTree();
    assert.deepEqual(violations, [], `early-exit comparisons of secrets (use crypto::constant_time_equal, or add a justified entry to ALLOWED):\n${violations.join('\n')}`);
    // Every allow-list entry still matches something; a stale entry would
    // silently allow a future violation that happens to contain its fragment.
    for (const entry of ALLOWED) {
      assert.ok(allowedHits.some((h) => h.file === entry.file && h.text.includes(entry.fragment)),
        `stale ALLOWED entry ${entry.file}: ${entry.fragment}`);
    }
  });

  it('the scanner catches planted early-exit comparisons (and ignores comments and messages)', () => {
    const planted = [
      'if (parsed->signature != expected) return mismatch();',
      'if (provided == v4_signature(signing_key, string_to_sign)) return ok;',
      'return std::memcmp(mac.data(), computed.data(), mac.size()) == 0;',
      'bool same = std::equal(token.begin(), token.end(), other.begin());',
      'if (security_token.compare(stored) == 0) {}',
      'if (strcmp(secret, input) == 0) {}',
      'if (envelope.signature == auth::rpc_signature(credential->secret, sts)) {}',
      'if (*expected_md5 != md5) return bad_digest();',
      'const bool ok = claims.nonce == nonce_of(request);',
      'if (master_key == other) {}',
      'if (AccessKeySecret == given) {}',
    ];
    for (const line of planted) {
      const hits = findSensitiveComparisons(`void f() {\n  ${line}\n}\n`);
      assert.equal(hits.length, 1, `not caught: ${line}`);
      assert.equal(hits[0].line, 2);
    }
    const harmless = [
      '// if (signature == expected) is an early exit',
      'return Error("signature == expected failed");',
      'if (signature.size() != 64) return bad();',
      'if (token.empty() || token == nullptr) {}',
      'if (name == "Signature") continue;',
      'if (it == tokens.end()) {}',
      'if (crypto::constant_time_equal(signature, expected)) {}',
      'if (object_key == other_key) {}',
      'if (EVP_DecryptInit_ex(ctx, cipher, nullptr, k, bytes(nonce)) != 1) {}',
      'if (nonce.size() != kAeadNonceBytes) {}',
      'if (algorithm == MacAlgorithm::HmacSha1) {}',
    ];
    for (const line of harmless) {
      assert.deepEqual(findSensitiveComparisons(`void f() {\n  ${line}\n}\n`), [], `false positive: ${line}`);
    }
  });
});
