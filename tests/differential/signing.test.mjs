// Differential signing test: random requests signed by ali-oss 6.23.0 and by
// ossd's C++ client (through `ossctl sign`) must be accepted by the real ossd,
// and a one-byte change of any element the signature covers must be refused.
//
// Signers:
//  * ali-oss, header-signed (V1 and authorizationV4), through its real request
//    path: the client gets a `urllib` that records what it sends and then
//    sends it with the real urllib, so the genuine request is ali-oss's own.
//  * ali-oss signatureUrl (V1) and signatureUrlV4 (V4).
//  * ossctl sign (V1 and --v4), the C++ client's signed URLs. ossctl prints
//    URLs only; its header-signed requests cannot be captured, so header
//    signing is covered by ali-oss alone.
// Each signer runs with the root key and with STS credentials (a role of the
// account with AliyunOSSFullAccess, assumed through the RPC API).
//
// What is changed (spec OSS-PROTOCOL.md §1-§3): the method, the bucket, the
// key, the value of every signed header (V1: Content-MD5, Content-Type,
// x-oss-*; V4: those and the additional headers), the value of every signed
// query parameter (V1: the sub-resource whitelist; V4: all of them), the
// expiry, the date, the signature, the credential and the security token.
// Changes replace one alphanumeric byte by another of the same class (digit,
// lower, upper): never a case change (the method is upper-cased and the V4
// signature compared case-insensitively), never inside a %XX escape, never
// whitespace (values are trimmed). Elements OSS does not sign (V1: query
// parameters off the whitelist such as prefix, headers such as User-Agent)
// are changed too, and those requests must still be accepted.
//
// Expected refusals: 403 with SignatureDoesNotMatch, AccessDenied,
// InvalidAccessKeyId, RequestTimeTooSkewed or InvalidSecurityToken. Spec §8
// answers 400 InvalidArgument for a malformed or foreign V4 scope, so a
// change inside the scope part of a V4 credential, of x-oss-date or of
// x-oss-signature-version may also get that, and nothing else. A changed
// method that is no HTTP method OSS knows is refused before authentication
// (405 MethodNotAllowed); a swap to another real method is also sent and must
// get 403.
//
// The PRNG seed is printed; OSSD_DIFF_SEED=<n> replays a run, and
// OSSD_DIFF_REQUESTS sets how many genuine requests are made (default 160).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import dns from 'node:dns';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import OSS from 'ali-oss';
import urllib from 'urllib';
import { startServer } from '../lib/server.mjs';
import { popClient } from '../interop/lib/iam.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ossctlBinary = process.env.OSSCTL_BIN || path.join(repoRoot, 'build', 'src', 'cli', 'ossctl');

const SEED = process.env.OSSD_DIFF_SEED !== undefined ? Number(process.env.OSSD_DIFF_SEED) : crypto.randomInt(2 ** 31);
const REQUESTS = Number(process.env.OSSD_DIFF_REQUESTS || 160);
console.log(`differential signing: seed ${SEED} (replay with OSSD_DIFF_SEED=${SEED}), ${REQUESTS} requests`);

// mulberry32: small, seedable, good enough to pick test inputs.
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
  };
}
const rnd = prng(SEED);

const AUTH_REFUSALS = new Set(['SignatureDoesNotMatch', 'AccessDenied', 'InvalidAccessKeyId', 'RequestTimeTooSkewed',
  'InvalidSecurityToken']);
const STRICT = { status: 403, codes: AUTH_REFUSALS };
// Spec §8: a V4 scope for another day or region, or a malformed credential,
// date or signature version, is InvalidArgument.
const SCOPE = { status: 403, codes: AUTH_REFUSALS, alsoInvalidArgument: true };

// 1x1 PNG, so x-oss-process has an image to work on.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==', 'base64');

const KEY_PARTS = ['a', 'Zed', '42', ' ', '中文', 'é', '+', '&', '=', '?', '#', '%', '~', '!', '*', "'", '(', ')', ',',
  ';', ':', '@', '$', '[', ']', '-', '_', '.', '/', 'dir/', 'ü ß'];
function randomKey(prefix) {
  let key = prefix;
  const parts = 1 + rnd.int(6);
  for (let i = 0; i < parts; i += 1) key += rnd.pick(KEY_PARTS);
  return key + rnd.pick(['x', 'y9', 'Q.txt', 'file.bin']);  // ends with an alphanumeric, so there is one to change
}
const CONTENT_TYPES = ['text/plain', 'application/octet-stream', 'image/png', 'text/html; charset=utf-8',
  'application/json', 'application/x-custom+xml'];
const randomText = (n) => Array.from({ length: n }, () => rnd.pick('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.'.split(''))).join('');
const randomAlnum = (n) => Array.from({ length: n }, () => rnd.pick('abcdefghijklmnopqrstuvwxyz0123456789'.split(''))).join('');

// ---------------------------------------------------------------- mutation

// Another alphanumeric of the same class: never a case change.
function shifted(c) {
  if (c === '9') return '0';
  if (c === 'z') return 'a';
  if (c === 'Z') return 'A';
  return String.fromCharCode(c.charCodeAt(0) + 1);
}
const isAlnum = (c) => /[A-Za-z0-9]/.test(c);

// Indices of alphanumerics of `text` in [from, to) outside %XX escapes.
function alnumPositions(text, from = 0, to = text.length) {
  const out = [];
  for (let i = from; i < to; i += 1) {
    if (text[i] === '%') { i += 2; continue; }
    if (isAlnum(text[i])) out.push(i);
  }
  return out;
}
function mutateAt(text, positions) {
  if (positions.length === 0) return null;
  const i = rnd.pick(positions);
  return text.slice(0, i) + shifted(text[i]) + text.slice(i + 1);
}

// ---------------------------------------------------------------- raw HTTP

// One request as it goes on the wire. path = the request-target (encoded).
function send(server, raw) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port: server.port, method: raw.method, path: raw.path,
      headers: { ...raw.headers, Host: raw.host }, agent: false,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`${raw.method} ${raw.path} timed out`)));
    req.on('error', reject);
    if (raw.body && raw.body.length) req.write(raw.body);
    req.end();
  });
}
function errorCode(response) {
  const text = response.body.length ? response.body.toString()
    : Buffer.from(String(response.headers['x-oss-err'] || ''), 'base64').toString();
  return (text.match(/<Code>([^<]*)<\/Code>/) || [])[1];
}

function describeRaw(raw) {
  const headers = Object.entries(raw.headers).map(([k, v]) => `  ${k}: ${v}`).join('\n');
  return `${raw.method} ${raw.path}\n  Host: ${raw.host}\n${headers}`;
}

// ---------------------------------------------------------------- the run

const stats = { genuine: 0, refused: 0, unsignedAccepted: 0, bySigner: {}, answers: {} };

function count(name) { stats.bySigner[name] = (stats.bySigner[name] || 0) + 1; }

async function expectAccepted(server, raw, what) {
  const r = await send(server, raw);
  assert.ok(r.status >= 200 && r.status < 300,
    `${what}: genuine request refused with ${r.status} ${errorCode(r)} (seed ${SEED})\n${describeRaw(raw)}\n${r.body}`);
  return r;
}

// An unsigned element changed: the request still authenticates. Its answer
// may be the operation's own (an append replayed at position 0 is
// PositionNotEqualToLength), never an authentication refusal.
async function expectAuthenticated(server, raw, what) {
  const r = await send(server, raw);
  const code = errorCode(r);
  assert.ok(r.status < 400 || !(AUTH_REFUSALS.has(code) || code === 'InvalidArgument'),
    `${what}: refused with ${r.status} ${code} (seed ${SEED})\n${describeRaw(raw)}\n${r.body}`);
  stats.unsignedAccepted += 1;
}

async function expectRefused(server, raw, expected, what) {
  const r = await send(server, raw);
  const code = errorCode(r);
  const ok = (r.status === expected.status && expected.codes.has(code)) ||
    (expected.alsoInvalidArgument && r.status === 400 && code === 'InvalidArgument') ||
    (expected.methodNotAllowed && r.status === 405 && code === 'MethodNotAllowed');
  assert.ok(ok, `${what}: mutated request got ${r.status} ${code} (seed ${SEED})\n${describeRaw(raw)}\n${r.body}`);
  stats.refused += 1;
  stats.answers[`${r.status} ${code}`] = (stats.answers[`${r.status} ${code}`] || 0) + 1;
}

// A request split so its elements can be changed one at a time.
// raw: {method, host, path, headers, body}; keyRange: [start, end) of the
// encoded key inside path; bucketIn: 'host' | 'path'.
function splitTarget(raw) {
  const q = raw.path.indexOf('?');
  return { pathOnly: q < 0 ? raw.path : raw.path.slice(0, q), query: q < 0 ? '' : raw.path.slice(q + 1) };
}
function queryParams(query) {
  // [name, encodedValue, startOfValue] in the query string.
  const out = [];
  let offset = 0;
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    const name = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    out.push({ name, value: eq < 0 ? '' : part.slice(eq + 1), start: offset + (eq < 0 ? part.length : eq + 1) });
    offset += part.length + 1;
  }
  return out;
}
function withQueryValueChanged(raw, param) {
  const { pathOnly, query } = splitTarget(raw);
  const mutated = mutateAt(query, alnumPositions(query, param.start, param.start + param.value.length));
  return mutated === null ? null : { ...raw, path: `${pathOnly}?${mutated}` };
}
function withHeaderChanged(raw, name, from = 0, to) {
  const value = String(raw.headers[name]);
  const mutated = mutateAt(value, alnumPositions(value, from, to ?? value.length));
  return mutated === null ? null : { ...raw, headers: { ...raw.headers, [name]: mutated } };
}

const V1_SUBRESOURCES = new Set(['acl', 'uploads', 'location', 'cors', 'logging', 'website', 'referer', 'lifecycle',
  'delete', 'append', 'tagging', 'objectMeta', 'uploadId', 'partNumber', 'security-token', 'position', 'img', 'style',
  'styleName', 'replication', 'replicationProgress', 'replicationLocation', 'cname', 'bucketInfo', 'comp', 'qos', 'live',
  'status', 'vod', 'startTime', 'endTime', 'symlink', 'x-oss-process', 'response-content-type',
  'response-content-language', 'response-expires', 'response-cache-control', 'response-content-disposition',
  'response-content-encoding', 'udf', 'udfName', 'udfImage', 'udfId', 'udfImageDesc', 'udfApplication',
  'udfApplicationLog', 'restore', 'callback', 'callback-var', 'qosInfo', 'policy', 'stat', 'encryption', 'versions',
  'versioning', 'versionId', 'requestPayment', 'x-oss-request-payer', 'x-oss-traffic-limit', 'sequential', 'inventory',
  'inventoryId', 'continuation-token', 'asyncFetch', 'worm', 'wormId', 'wormExtend', 'objectInfo', 'group', 'link',
  'transferAcceleration', 'metaQuery', 'resourceGroup']);

// Every mutation of `raw` (accepted as it is) and what each must get.
// c = { name, v4, url, keyRange, bucket, additional: [lower names] }
async function checkMutations(server, raw, c) {
  const what = (element) => `${c.name}: ${element}`;
  // The method: one byte changed (no such method), and a swap to a real one.
  const badMethod = mutateAt(raw.method, alnumPositions(raw.method));
  await expectRefused(server, { ...raw, method: badMethod }, { ...STRICT, methodNotAllowed: true }, what(`method ${badMethod}`));
  const swap = { GET: 'DELETE', HEAD: 'GET', PUT: 'POST', POST: 'PUT', DELETE: 'GET' }[raw.method];
  // A swap must keep the request a valid operation: PUT <-> POST only with a
  // body-carrying sub-resource, so object PUTs swap to DELETE instead.
  const swapped = raw.method === 'PUT' || raw.method === 'POST' ? 'DELETE' : swap;
  await expectRefused(server, { ...raw, method: swapped, body: swapped === 'DELETE' || swapped === 'GET' ? undefined : raw.body,
    headers: swapped === 'DELETE' || swapped === 'GET' ? withoutBodyHeaders(raw.headers) : raw.headers },
  STRICT, what(`method ${raw.method} -> ${swapped}`));

  // The key, in the path.
  if (c.keyRange) {
    const mutated = mutateAt(raw.path, alnumPositions(raw.path, c.keyRange[0], c.keyRange[1]));
    if (mutated !== null) await expectRefused(server, { ...raw, path: mutated }, STRICT, what('key'));
  }
  // The bucket, in the Host or the path.
  if (c.bucketIn === 'host') {
    const dot = raw.host.indexOf('.');
    const mutated = mutateAt(raw.host, alnumPositions(raw.host, 0, dot));
    await expectRefused(server, { ...raw, host: mutated }, STRICT, what('bucket (host)'));
  } else if (c.bucketIn === 'path') {
    const end = raw.path.indexOf('/', 1);
    const mutated = mutateAt(raw.path, alnumPositions(raw.path, 1, end < 0 ? raw.path.length : end));
    await expectRefused(server, { ...raw, path: mutated }, STRICT, what('bucket (path)'));
  }

  // Headers.
  for (const name of Object.keys(raw.headers)) {
    const lower = name.toLowerCase();
    if (lower === 'authorization') {
      const value = String(raw.headers[name]);
      if (c.v4) {
        const sig = value.indexOf('Signature=') + 10;
        await expectRefused(server, withHeaderChanged(raw, name, sig), STRICT, what('Authorization signature'));
        const cred = value.indexOf('Credential=') + 11;
        const slash = value.indexOf('/', cred);
        await expectRefused(server, withHeaderChanged(raw, name, cred, slash), STRICT, what('Authorization key id'));
        await expectRefused(server, withHeaderChanged(raw, name, slash, value.indexOf(',', slash)), SCOPE,
          what('Authorization scope'));
      } else {
        const colon = value.lastIndexOf(':');
        await expectRefused(server, withHeaderChanged(raw, name, colon + 1), STRICT, what('Authorization signature'));
        await expectRefused(server, withHeaderChanged(raw, name, 4, colon), STRICT, what('Authorization key id'));
      }
      continue;
    }
    const signed = lower === 'content-type' || lower === 'content-md5' || lower.startsWith('x-oss-') ||
      (c.v4 && c.additional.includes(lower));
    const m = withHeaderChanged(raw, name);
    if (m === null) continue;
    if (signed) {
      const expected = c.v4 && lower === 'x-oss-date' ? SCOPE : STRICT;
      await expectRefused(server, m, expected, what(`header ${name}`));
    } else if (lower === 'user-agent' || lower === 'x-unsigned-note') {
      await expectAuthenticated(server, m, what(`unsigned header ${name}`));
    }
  }

  // Query parameters.
  const { query } = splitTarget(raw);
  if (query) {
    for (const param of queryParams(query)) {
      if (!param.value) continue;
      const signed = c.v4 || V1_SUBRESOURCES.has(param.name) || (c.url && ['OSSAccessKeyId', 'Expires', 'Signature'].includes(param.name));
      if (param.name === 'x-oss-credential') {
        // "<key id>%2F<day>%2F<region>%2Foss%2Faliyun_v4_request" as both clients encode it.
        const idEnd = param.value.indexOf('%2F');
        const { pathOnly, query: q } = splitTarget(raw);
        const idPart = mutateAt(q, alnumPositions(q, param.start, param.start + idEnd));
        await expectRefused(server, { ...raw, path: `${pathOnly}?${idPart}` }, STRICT, what('x-oss-credential key id'));
        const scopePart = mutateAt(q, alnumPositions(q, param.start + idEnd, param.start + param.value.length));
        await expectRefused(server, { ...raw, path: `${pathOnly}?${scopePart}` }, SCOPE, what('x-oss-credential scope'));
        continue;
      }
      const m = withQueryValueChanged(raw, param);
      if (m === null) continue;
      if (signed) {
        const expected = ['x-oss-date', 'x-oss-signature-version'].includes(param.name) ? SCOPE : STRICT;
        await expectRefused(server, m, expected, what(`query ${param.name}`));
      } else if (param.name === 'prefix') {
        await expectAuthenticated(server, m, what(`unsigned query ${param.name}`));
      }
    }
  }
}

function withoutBodyHeaders(headers) {
  const out = {};
  for (const [k, v] of Object.entries(headers)) {
    if (!['content-length', 'content-md5', 'transfer-encoding'].includes(k.toLowerCase())) out[k] = v;
  }
  return out;
}

// Where the key is in an encoded path, for path style or virtual-hosted.
function keyRangeOf(pathOnly, pathStyle) {
  if (pathStyle) {
    const slash = pathOnly.indexOf('/', 1);
    if (slash < 0 || slash + 1 >= pathOnly.length) return null;
    return [slash + 1, pathOnly.length];
  }
  return pathOnly.length > 1 ? [1, pathOnly.length] : null;
}

// ---------------------------------------------------------------- fixtures

let server;
let work;
let agent;
const bucket = `diff-${(SEED >>> 0).toString(16)}-${crypto.randomBytes(2).toString('hex')}`;
const fixtures = { text: 'fixture/plain text 中文+&=.txt', png: 'fixture/图 片 (1).png' };
const creds = {};

function loopbackLookup(hostname, options, callback) {
  if (typeof options === 'function') { callback = options; options = {}; }
  const name = String(hostname).toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost')) {
    dns.lookup('127.0.0.1', { ...options, family: 4 }, callback);
    return;
  }
  process.nextTick(callback, Object.assign(new Error(`loopback only: ${hostname}`), { code: 'ENOTFOUND' }));
}

// ali-oss with a urllib that records each request it sends.
function aliClient({ v4, pathStyle, sts, captured }) {
  const who = sts ? creds.sts : creds.root;
  const warn = console.warn;
  console.warn = () => {};  // the STS-without-refresh advice
  try {
    return new OSS({
      accessKeyId: who.accessKeyId,
      accessKeySecret: who.accessKeySecret,
      stsToken: who.securityToken,
      region: 'oss-cn-hangzhou',
      endpoint: server.localhostEndpoint,
      sldEnable: pathStyle,
      authorizationV4: v4,
      bucket,
      agent,
      timeout: 20_000,
      urllib: captured && {
        request: (url, params) => {
          captured.push({ url, params });
          // With its own urllib ali-oss sets no agent; ours resolves *.localhost.
          return urllib.request(url, { ...params, agent });
        },
      },
    });
  } finally {
    console.warn = warn;
  }
}

function rawFromCapture({ url, params }) {
  const u = new URL(url);
  const headers = {};
  for (const [k, v] of Object.entries(params.headers)) {
    if (k.toLowerCase() !== 'host') headers[k] = String(v);
  }
  let body;
  if (params.content !== undefined) body = Buffer.isBuffer(params.content) ? params.content : Buffer.from(String(params.content));
  return { method: params.method, host: u.host, path: u.pathname + u.search, headers, body };
}

function rawFromUrl(url, method, headers, body) {
  const u = new URL(url);
  const h = { ...headers };
  if (body !== undefined) h['Content-Length'] = String(body.length);
  return { method, host: u.host, path: u.pathname + u.search, headers: h, body };
}

function runOssctl(args) {
  return new Promise((resolve, reject) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OSS_')));
    execFile(ossctlBinary, args, { env: { ...env, HOME: work }, timeout: 20_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`ossctl ${args.join(' ')}: ${error.message}\n${stderr}`));
      else resolve(stdout.trim());
    });
  });
}

// ---------------------------------------------------------------- generators

// The operations a request can be, with what makes them succeed.
function pickOperation() {
  return rnd.pick(['put', 'put', 'get', 'get', 'head', 'delete', 'getAcl', 'putAcl', 'list', 'bucketInfo', 'meta',
    'append', 'process']);
}

function randomMeta() {
  const meta = {};
  for (let i = rnd.int(3); i > 0; i -= 1) meta[`m${randomAlnum(3)}`] = randomText(1 + rnd.int(20)).trim() + 'v';
  return meta;
}

// ali-oss sends the genuine request itself (it throws on a refusal).
async function aliHeaderSigned(i) {
  const v4 = rnd.chance(0.5);
  const sts = rnd.chance(0.3);
  const pathStyle = rnd.chance(0.5);
  const captured = [];
  const client = aliClient({ v4, pathStyle, sts, captured });
  const op = pickOperation();
  const key = randomKey(`h${i}/`);
  const body = Buffer.from(randomText(rnd.int(1500)));
  const headers = { 'x-unsigned-note': 'n' + randomAlnum(4) };
  switch (op) {
    case 'put':
      await client.put(key, body, { meta: randomMeta(), mime: rnd.pick(CONTENT_TYPES), headers });
      break;
    case 'get':
      await client.get(fixtures.text, { headers, response: rnd.chance(0.5) ? { 'content-type': rnd.pick(CONTENT_TYPES) } : undefined });
      break;
    case 'process':
      await client.get(fixtures.png, { process: `image/resize,w_${1 + rnd.int(9)}`, headers });
      break;
    case 'head': await client.head(fixtures.text, { headers }); break;
    case 'delete': await client.delete(key, { headers }); break;
    case 'getAcl': await client.getACL(fixtures.text, { headers }); break;
    case 'putAcl': await client.putACL(fixtures.text, rnd.pick(['private', 'default', 'public-read'])); break;
    case 'list': await client.list({ prefix: `fix${rnd.pick(['', 'ture', 'ture/'])}x${randomAlnum(2)}`, 'max-keys': 1 + rnd.int(50) }, { headers }); break;
    case 'bucketInfo': await client.getBucketInfo(bucket); break;
    case 'meta': await client.getObjectMeta(fixtures.text); break;
    case 'append': await client.append(key, body.length ? body : Buffer.from('x'), { position: 0, headers }); break;
    default: throw new Error(op);
  }
  assert.equal(captured.length, 1, `${op}: ali-oss sent ${captured.length} requests`);
  const raw = rawFromCapture(captured[0]);
  const { pathOnly } = splitTarget(raw);
  const objectLevel = !['list', 'bucketInfo'].includes(op);
  return {
    raw,
    c: {
      name: `ali-oss header ${v4 ? 'V4' : 'V1'}${sts ? ' STS' : ''} ${pathStyle ? 'path' : 'vhost'} ${op} #${i}`,
      v4, url: false, additional: [],
      keyRange: objectLevel ? keyRangeOf(pathOnly, pathStyle) : null,
      bucketIn: pathStyle ? 'path' : 'host',
    },
    alreadySent: true,
    signer: `ali-oss-header-${v4 ? 'v4' : 'v1'}`,
  };
}

// Object operations a signed URL can carry, with the request to send.
function urlOperation(i) {
  const op = rnd.pick(['put', 'get', 'get', 'head', 'delete', 'process']);
  const method = { put: 'PUT', get: 'GET', head: 'HEAD', delete: 'DELETE', process: 'GET' }[op];
  const key = op === 'put' || op === 'delete' ? randomKey(`u${i}/`) : op === 'process' ? fixtures.png : fixtures.text;
  const body = op === 'put' ? Buffer.from(randomText(rnd.int(1500))) : undefined;
  return { op, method, key, body };
}

async function aliUrlSigned(i) {
  const v4 = rnd.chance(0.5);
  const sts = rnd.chance(0.3);
  const pathStyle = rnd.chance(0.5);
  const client = aliClient({ v4, pathStyle, sts });
  const { op, method, key, body } = urlOperation(i);
  const headers = {};
  const meta = rnd.chance(0.5) ? { [`x-oss-meta-${randomAlnum(4)}`]: randomText(8).trim() + 'v' } : {};
  const contentType = op === 'put' && rnd.chance(0.7) ? rnd.pick(CONTENT_TYPES) : undefined;
  let url;
  let additional = [];
  if (!v4) {
    const options = { method, expires: 60 + rnd.int(3600), ...meta };
    if (contentType) { options['Content-Type'] = contentType; headers['Content-Type'] = contentType; }
    if (op === 'put' && rnd.chance(0.5)) {
      options['Content-MD5'] = crypto.createHash('md5').update(body).digest('base64');
      headers['Content-MD5'] = options['Content-MD5'];
    }
    if (op === 'get' && rnd.chance(0.6)) options.response = { 'content-type': rnd.pick(CONTENT_TYPES), 'cache-control': 'no-cache' };
    if (op === 'process') options.process = `image/resize,w_${1 + rnd.int(9)}`;
    Object.assign(headers, meta);
    url = client.signatureUrl(key, options);
  } else {
    const request = { headers: { ...meta }, queries: {} };
    if (contentType) request.headers['Content-Type'] = contentType;
    if (op === 'get' && rnd.chance(0.6)) request.queries['response-content-type'] = rnd.pick(CONTENT_TYPES);
    if (op === 'process') request.queries['x-oss-process'] = `image/resize,w_${1 + rnd.int(9)}`;
    if (rnd.chance(0.4)) {
      request.headers['x-additional-' + randomAlnum(3)] = randomAlnum(6);
      additional = Object.keys(request.headers).filter((h) => h.startsWith('x-additional-'));
    }
    url = await client.signatureUrlV4(method, 60 + rnd.int(3600), request, key, additional);
    Object.assign(headers, request.headers);
  }
  const raw = rawFromUrl(url, method, headers, body);
  return {
    raw,
    c: {
      name: `ali-oss url ${v4 ? 'V4' : 'V1'}${sts ? ' STS' : ''} ${pathStyle ? 'path' : 'vhost'} ${op} #${i}`,
      v4, url: true, additional: additional.map((h) => h.toLowerCase()),
      keyRange: keyRangeOf(splitTarget(raw).pathOnly, pathStyle),
      bucketIn: pathStyle ? 'path' : 'host',
    },
    signer: `ali-oss-url-${v4 ? 'v4' : 'v1'}`,
  };
}

async function ossctlUrlSigned(i) {
  const v4 = rnd.chance(0.5);
  const sts = rnd.chance(0.3);
  const pathStyle = rnd.chance(0.5);
  const who = sts ? creds.sts : creds.root;
  const { op, method, key, body } = urlOperation(i);
  const args = ['--endpoint', server.localhostEndpoint, '--access-key-id', who.accessKeyId,
    '--access-key-secret', who.accessKeySecret, 'sign', `oss://${bucket}/${key}`, '--method', method,
    '--expires', String(60 + rnd.int(3600))];
  if (sts) args.unshift('--sts-token', who.securityToken);
  if (pathStyle) args.unshift('--path-style');
  if (v4) args.push('--v4');
  const headers = {};
  if (op === 'put' && rnd.chance(0.7)) {
    headers['Content-Type'] = rnd.pick(CONTENT_TYPES);
    args.push('--content-type', headers['Content-Type']);
  }
  if (op === 'put' && !v4 && rnd.chance(0.5)) {
    headers['Content-MD5'] = crypto.createHash('md5').update(body).digest('base64');
    args.push('--content-md5', headers['Content-MD5']);
  }
  if (rnd.chance(0.5)) {
    const name = `x-oss-meta-${randomAlnum(4)}`;
    headers[name] = randomAlnum(3) + randomText(6).trim() + 'v';
    args.push('--header', `${name}=${headers[name]}`);
  }
  const additional = [];
  if (v4 && rnd.chance(0.4)) {
    const name = `x-additional-${randomAlnum(3)}`;
    headers[name] = randomAlnum(6);
    args.push('--header', `${name}=${headers[name]}`, '--additional-header', name);
    additional.push(name);
  }
  if (op === 'get' && rnd.chance(0.6)) args.push('--response-content-type', rnd.pick(CONTENT_TYPES), '--response-cache-control', 'no-cache');
  if (op === 'process') args.push('--process', `image/resize,w_${1 + rnd.int(9)}`);
  const url = await runOssctl(args);
  const raw = rawFromUrl(url, method, headers, body);
  return {
    raw,
    c: {
      name: `ossctl url ${v4 ? 'V4' : 'V1'}${sts ? ' STS' : ''} ${pathStyle ? 'path' : 'vhost'} ${op} #${i}`,
      v4, url: true, additional,
      keyRange: keyRangeOf(splitTarget(raw).pathOnly, pathStyle),
      bucketIn: pathStyle ? 'path' : 'host',
    },
    signer: `ossctl-url-${v4 ? 'v4' : 'v1'}`,
  };
}

// ---------------------------------------------------------------- tests

before(async () => {
  server = await startServer();
  work = mkdtempSync(path.join(tmpdir(), 'ossd-diff-'));
  agent = new http.Agent({ keepAlive: true, maxSockets: 8, lookup: loopbackLookup });
  creds.root = { accessKeyId: server.accessKeyId, accessKeySecret: server.accessKeySecret };

  // A role with full OSS access, assumed by the root for STS credentials.
  const ram = popClient(server, server, '2015-05-01');
  const account = (await popClient(server).request('GetCallerIdentity', {})).AccountId;
  await ram.request('CreateRole', {
    RoleName: 'diff-role',
    AssumeRolePolicyDocument: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole',
      Principal: { RAM: [`acs:ram::${account}:root`] } }] }),
  }, { method: 'POST' });
  await ram.request('AttachPolicyToRole', { PolicyType: 'System', PolicyName: 'AliyunOSSFullAccess', RoleName: 'diff-role' },
    { method: 'POST' });
  const assumed = await popClient(server).request('AssumeRole', {
    RoleArn: `acs:ram::${account}:role/diff-role`, RoleSessionName: 'differential', DurationSeconds: 3600,
  }, { method: 'POST' });
  creds.sts = {
    accessKeyId: assumed.Credentials.AccessKeyId,
    accessKeySecret: assumed.Credentials.AccessKeySecret,
    securityToken: assumed.Credentials.SecurityToken,
  };

  const admin = aliClient({ v4: false, pathStyle: true, sts: false });
  await admin.putBucket(bucket);
  await admin.put(fixtures.text, Buffer.from('fixture text'));
  await admin.put(fixtures.png, PNG, { mime: 'image/png' });
});

after(async () => {
  if (agent) agent.destroy();
  if (server) await server.stop();
  if (work) rmSync(work, { recursive: true, force: true });
  console.log(`differential signing: seed ${SEED}: ${stats.genuine} genuine requests accepted, ${stats.refused} ` +
    `mutations refused ${JSON.stringify(stats.answers)}, ${stats.unsignedAccepted} unsigned changes accepted; ` +
    `signers ${JSON.stringify(stats.bySigner)}`);
});

describe(`differential signing (seed ${SEED})`, () => {
  it('accepts every genuine request and refuses every one-byte change of a signed element', { timeout: 120_000 }, async () => {
    const generators = [aliHeaderSigned, aliUrlSigned, ossctlUrlSigned];
    for (let i = 0; i < REQUESTS; i += 1) {
      const generated = await rnd.pick(generators)(i);
      count(generated.signer);
      if (!generated.alreadySent) await expectAccepted(server, generated.raw, generated.c.name);
      stats.genuine += 1;
      await checkMutations(server, generated.raw, generated.c);
    }
    // Every signer was exercised (REQUESTS is large enough for each to come up).
    for (const signer of ['ali-oss-header-v1', 'ali-oss-header-v4', 'ali-oss-url-v1', 'ali-oss-url-v4', 'ossctl-url-v1',
      'ossctl-url-v4']) {
      assert.ok(stats.bySigner[signer] > 0, `no request signed by ${signer}`);
    }
  });
});
