// Raw-HTTP helpers for the integration suite: build OSS requests by hand and
// sign them with ali-oss's own signer (lib/common/signUtils.js), never with a
// JS re-implementation of the signing rules.
import { createRequire } from 'node:module';
import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import assert from 'node:assert/strict';

const require = createRequire(import.meta.url);
export const signUtils = require('ali-oss/lib/common/signUtils.js');

// Server-side sub-resource whitelist (spec §1): these query parameters are
// part of the V1 CanonicalizedResource, everything else is sent unsigned.
export const SUB_RESOURCES = new Set(`acl uploads location cors logging website referer lifecycle delete append
tagging objectMeta uploadId partNumber security-token position img style styleName replication replicationProgress
replicationLocation cname bucketInfo comp qos live status vod startTime endTime symlink x-oss-process
response-content-type response-content-language response-expires response-cache-control
response-content-disposition response-content-encoding udf udfName udfImage udfId udfImageDesc udfApplication
udfApplicationLog restore callback callback-var qosInfo policy stat encryption versions versioning versionId
requestPayment x-oss-request-payer x-oss-traffic-limit sequential inventory inventoryId continuation-token
asyncFetch worm wormId wormExtend objectInfo group link transferAcceleration metaQuery resourceGroup`.split(/\s+/));

export const REGION = process.env.OSSD_TEST_REGION || 'cn-hangzhou';

export function md5(buf) { return crypto.createHash('md5').update(buf).digest(); }
export function md5hex(buf) { return md5(buf).toString('hex'); }
export function md5b64(buf) { return md5(buf).toString('base64'); }
export function etagOf(buf) { return `"${md5hex(buf).toUpperCase()}"`; }

export function rfc1123(date = new Date()) { return date.toUTCString(); }
export function iso8601Basic(date = new Date()) {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

// Percent-encodes a key the way ali-oss does for the URL path: every byte but
// unreserved characters and '/', so raw byte keys (Buffers) work too.
export function encodeKeyPath(key) {
  const bytes = Buffer.isBuffer(key) ? key : Buffer.from(key, 'utf8');
  let out = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~/]/.test(c)) out += c;
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function normQuery(query) {
  if (!query) return [];
  if (Array.isArray(query)) return query.map(([k, v]) => [k, v == null ? '' : String(v)]);
  return Object.entries(query).map(([k, v]) => [k, v == null ? '' : String(v)]);
}

export function queryString(pairs) {
  if (!pairs.length) return '';
  return `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
}

// Builds {path, headers, stringToSign} for one request.
// opts: method, bucket, key (string | Buffer of raw bytes), query (object or [k,v] list),
//   headers, body, auth ('v1' default | 'v4' | 'none'), accessKeyId/accessKeySecret overrides,
//   date (Date), noDate (send no date at all), dateHeader (Date instead of x-oss-date), vhost ('localhost' | 'aliyun' | undefined), rawPath (sent as-is),
//   resourceKey (key as it goes into the signature when rawPath is used), contentLength (override/false).
export function buildRequest(server, opts) {
  const method = (opts.method || 'GET').toUpperCase();
  const { bucket } = opts;
  const key = opts.key;
  const pairs = normQuery(opts.query);
  const headers = { ...(opts.headers || {}) };
  const accessKeyId = opts.accessKeyId ?? server.accessKeyId;
  const accessKeySecret = opts.accessKeySecret ?? server.accessKeySecret;
  const date = opts.date || new Date();
  const auth = opts.auth || 'v1';

  let host = `127.0.0.1:${server.port}`;
  let pathPart;
  const keyPath = key == null ? '' : encodeKeyPath(key);
  if (opts.vhost && bucket) {
    host = opts.vhost === 'aliyun' ? `${bucket}.oss-${REGION}.aliyuncs.com` : `${bucket}.localhost:${server.port}`;
    pathPart = `/${keyPath}`;
  } else if (bucket) {
    pathPart = `/${bucket}/${keyPath}`;
  } else {
    pathPart = '/';
  }
  const path = opts.rawPath ?? `${pathPart}${queryString(pairs)}`;
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'host')) headers.Host = host;

  let stringToSign = null;
  if (auth === 'v1') {
    if (!opts.noDate && !opts.dateHeader) headers['x-oss-date'] = headers['x-oss-date'] ?? rfc1123(date);
    // With dateHeader, a plain Date header carries the time; ali-oss's signer
    // takes it through its `expires` argument (the date line of the string).
    if (opts.dateHeader) headers.Date = headers.Date ?? rfc1123(date);
    // The decoded key as raw bytes; latin1 keeps every byte as one char so
    // invalid UTF-8 keys can be signed byte-exactly.
    const rk = opts.resourceKey ?? key;
    const keyBytes = rk == null ? Buffer.alloc(0) : (Buffer.isBuffer(rk) ? rk : Buffer.from(rk, 'utf8'));
    let resource = '/';
    if (bucket) resource += `${bucket}/`;
    resource += keyBytes.toString('latin1');
    const subres = {};
    for (const [k, v] of pairs) if (SUB_RESOURCES.has(k)) subres[k] = Buffer.from(v, 'utf8').toString('latin1');
    const latinHeaders = {};
    for (const [k, v] of Object.entries(headers)) {
      if (k.toLowerCase() === 'host') continue;
      latinHeaders[k] = Buffer.from(String(v), 'utf8').toString('latin1');
    }
    stringToSign = signUtils.buildCanonicalString(method, resource, { headers: latinHeaders, parameters: subres },
      opts.dateHeader ? headers.Date : undefined);
    headers.Authorization = signUtils.authorization(accessKeyId, accessKeySecret, stringToSign, 'latin1');
    stringToSign = Buffer.from(stringToSign, 'latin1').toString('utf8');
  } else if (auth === 'v4') {
    headers['x-oss-date'] = headers['x-oss-date'] ?? iso8601Basic(date);
    headers['x-oss-content-sha256'] = headers['x-oss-content-sha256'] ?? 'UNSIGNED-PAYLOAD';
    const queries = {};
    for (const [k, v] of pairs) queries[k] = v === '' ? null : v;
    const signHeaders = {};
    for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() !== 'host') signHeaders[k] = v;
    headers.Authorization = signUtils.authorizationV4(
      accessKeyId, accessKeySecret, REGION, method, { headers: signHeaders, queries },
      bucket, key == null ? undefined : key, opts.additionalHeaders);
  }
  return { method, path, headers, stringToSign, host };
}

// Sends one request over a fresh connection and collects the response.
export function send(server, opts) {
  const req = buildRequest(server, opts);
  const body = opts.body == null ? null : (Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body));
  if (body && opts.contentLength !== false && !Object.keys(req.headers).some((h) => h.toLowerCase() === 'content-length')) {
    req.headers['Content-Length'] = body.length;
  } else if (!body && ['PUT', 'POST'].includes(req.method) && opts.contentLength !== false
    && !Object.keys(req.headers).some((h) => h.toLowerCase() === 'content-length')) {
    req.headers['Content-Length'] = 0;
  }
  if (opts.mutate) opts.mutate(req);
  return new Promise((resolve, reject) => {
    const r = http.request({
      host: '127.0.0.1', port: server.port, method: req.method, path: req.path,
      headers: req.headers, agent: false, setHost: false,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        resolve({ status: res.statusCode, headers: res.headers, body: buf, text: buf.toString('utf8'), req });
      });
      res.on('error', reject);
    });
    r.setTimeout(opts.timeoutMs ?? 15000, () => r.destroy(new Error(`request timed out: ${req.method} ${req.path}`)));
    r.on('error', reject);
    if (body) r.end(body); else r.end();
  });
}

// --- minimal XML reading (enough for asserting response shapes) -------------
export function xmlUnescape(s) {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'")
    .replace(/&#x([0-9a-fA-F]+);/g, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');
}
// Inner XML of every <tag>...</tag> (non-nested same-name elements); <tag/> gives ''.
export function xmlAll(xml, tag) {
  const re = new RegExp(`<${tag}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</${tag}>)`, 'g');
  const out = [];
  let m;
  while ((m = re.exec(xml)) !== null) out.push(m[1] ?? '');
  return out;
}
export function xmlText(xml, tag) {
  const all = xmlAll(xml, tag);
  return all.length ? xmlUnescape(all[0]) : undefined;
}
export function xmlRoot(xml) {
  const m = xml.replace(/^\s*<\?xml[^>]*\?>/, '').match(/^\s*<([A-Za-z][\w.-]*)/);
  return m ? m[1] : undefined;
}
export function xmlHas(xml, tag) { return xmlAll(xml, tag).length > 0; }

// Asserts an OSS error response: status, Code, XML shape and request id.
export function assertError(res, status, codes, what = '') {
  const codeList = Array.isArray(codes) ? codes : [codes];
  const ctx = `${what} -> ${res.status} ${res.req?.method ?? ''} ${res.req?.path?.slice(0, 120) ?? ''}\n${res.text.slice(0, 2000)}`;
  if (Array.isArray(status)) assert.ok(status.includes(res.status), `status ${res.status} not in ${status}: ${ctx}`);
  else assert.equal(res.status, status, `status: ${ctx}`);
  assert.match(res.headers['x-oss-request-id'] ?? '', /^\S+$/, `x-oss-request-id missing: ${ctx}`);
  let xml = res.text;
  if (res.req?.method === 'HEAD') {
    assert.equal(res.body.length, 0, `HEAD error has a body: ${ctx}`);
    assert.ok(res.headers['x-oss-err'], `HEAD error without x-oss-err: ${ctx}`);
    xml = Buffer.from(res.headers['x-oss-err'], 'base64').toString('utf8');
  }
  assert.equal(xmlRoot(xml), 'Error', `not an <Error> document: ${ctx}`);
  const code = xmlText(xml, 'Code');
  assert.ok(codeList.includes(code), `Code ${code} not in [${codeList}]: ${ctx}`);
  assert.ok(xmlText(xml, 'Message') !== undefined, `no <Message>: ${ctx}`);
  assert.equal(xmlText(xml, 'RequestId'), res.headers['x-oss-request-id'], `RequestId differs from header: ${ctx}`);
  return { code, xml };
}

export function assertOk(res, status = 200, what = '') {
  assert.equal(res.status, status,
    `${what} expected ${status}, got ${res.status} for ${res.req?.method} ${res.req?.path?.slice(0, 200)}\n${res.text.slice(0, 2000)}`);
  assert.ok(res.headers['x-oss-request-id'], `x-oss-request-id missing on ${res.req?.method} ${res.req?.path}`);
  return res;
}

// --- raw sockets ---------------------------------------------------------------
// Opens a socket and collects everything the server sends until it closes or
// `until` says stop. Resolves {data, closed, error}.
export function rawConnect(server) {
  const sock = net.connect({ host: '127.0.0.1', port: server.port });
  const state = { data: Buffer.alloc(0), closed: false, error: null };
  const waiters = [];
  const wake = () => { for (const w of waiters.splice(0)) w(); };
  sock.on('data', (c) => { state.data = Buffer.concat([state.data, c]); wake(); });
  sock.on('error', (e) => { state.error = e; wake(); });
  sock.on('close', () => { state.closed = true; wake(); });
  const connected = new Promise((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
  return {
    sock, state, connected,
    write(b) { return new Promise((resolve) => { if (sock.destroyed) return resolve(false); sock.write(b, (e) => resolve(!e)); }); },
    // Waits until pred(state) or timeout; returns whether pred became true.
    async waitFor(pred, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!pred(state)) {
        const left = deadline - Date.now();
        if (left <= 0) return false;
        await new Promise((resolve) => { const t = setTimeout(resolve, left); waiters.push(() => { clearTimeout(t); resolve(); }); });
      }
      return true;
    },
    destroy() { sock.destroy(); },
  };
}

// Serialises a request head (from buildRequest) as raw HTTP/1.1 text.
export function rawHead(req, extraLines = []) {
  const lines = [`${req.method} ${req.path} HTTP/1.1`];
  for (const [k, v] of Object.entries(req.headers)) lines.push(`${k}: ${v}`);
  lines.push(...extraLines);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

// Parses complete HTTP responses from a byte buffer (enough for tests:
// Content-Length bodies and bodiless statuses).
export function parseResponses(buf, headMethods = []) {
  const out = [];
  let off = 0;
  let i = 0;
  while (off < buf.length) {
    const end = buf.indexOf('\r\n\r\n', off);
    if (end < 0) break;
    const head = buf.subarray(off, end).toString('latin1');
    const [statusLine, ...hl] = head.split('\r\n');
    const m = statusLine.match(/^HTTP\/1\.[01] (\d{3})/);
    if (!m) break;
    const headers = {};
    for (const l of hl) { const p = l.indexOf(':'); if (p > 0) headers[l.slice(0, p).trim().toLowerCase()] = l.slice(p + 1).trim(); }
    const status = Number(m[1]);
    let len = Number(headers['content-length'] || 0);
    if (headMethods[i] === 'HEAD' || status === 204 || status === 304) len = 0;
    if (end + 4 + len > buf.length) break;
    const body = buf.subarray(end + 4, end + 4 + len);
    out.push({ status, headers, body, text: body.toString('utf8') });
    off = end + 4 + len;
    i++;
  }
  return out;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let counter = 0;
export function uniqueName(prefix = 'it') {
  counter++;
  return `${prefix}-${process.pid.toString(36)}-${Date.now().toString(36)}-${counter}`.toLowerCase().slice(0, 63);
}

// Creates a bucket with a signed PutBucket and asserts 200.
export async function createBucket(server, bucket, headers = {}) {
  const res = await send(server, { method: 'PUT', bucket, headers });
  assertOk(res, 200, `PutBucket ${bucket}`);
  return res;
}

export async function putObject(server, bucket, key, body, headers = {}) {
  const res = await send(server, { method: 'PUT', bucket, key, body, headers });
  assertOk(res, 200, `PutObject ${bucket}/${key}`);
  return res;
}
