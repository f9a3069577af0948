// Raw HTTP over a TCP socket for the security suites: requests go out byte for
// byte as written (node's HTTP client would refuse or clean CR/LF), and the
// response head comes back as bytes, so a split header is visible.
import assert from 'node:assert/strict';
import net from 'node:net';
import { buildRequest } from '../../integration/lib/oss.mjs';

// Sends `head` (string, latin1 bytes, or Buffer) and `body`, reads until the
// server closes (requests carry Connection: close) or `timeoutMs`.
export function rawExchange(server, head, body = null, { timeoutMs = 15000 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port: server.port });
    const chunks = [];
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms to ${String(head).split('\r\n')[0]}`));
    }, timeoutMs);
    sock.on('connect', () => {
      sock.write(Buffer.isBuffer(head) ? head : Buffer.from(head, 'latin1'));
      if (body) sock.write(body);
    });
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', (e) => {
      // A reset after the answer is still an answer.
      if (chunks.length) return;
      clearTimeout(timer);
      reject(e);
    });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(parseRaw(Buffer.concat(chunks)));
    });
  });
}

// Splits one raw response into its head lines and body, keeping the head's
// exact bytes for the CR/LF checks.
export function parseRaw(raw) {
  const end = raw.indexOf('\r\n\r\n');
  const head = (end < 0 ? raw : raw.subarray(0, end)).toString('latin1');
  const body = end < 0 ? Buffer.alloc(0) : raw.subarray(end + 4);
  const lines = head.split('\r\n');
  const status = Number((lines[0].match(/^HTTP\/1\.[01] (\d{3})/) || [])[1]);
  const headers = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    headers.push({ name: colon > 0 ? line.slice(0, colon) : line, value: colon > 0 ? line.slice(colon + 1).trim() : '' });
  }
  return { raw, head, status, headers, body, text: body.toString('utf8') };
}

export function header(res, name) {
  const found = res.headers.find((h) => h.name.toLowerCase() === name.toLowerCase());
  return found?.value;
}

// Header names an injection would add.
export const INJECTED_NAMES = ['x-injected', 'set-cookie'];
// What the tests put after a CR/LF: a header line that must never appear.
export const INJECTION = 'X-Injected: yes';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

// The head is a status line and well-formed "name: value" lines: no bare CR
// or LF anywhere, no line that is not a header, no injected header name.
export function assertNoSplitting(res, what) {
  assert.ok(res.status >= 100 && res.status <= 599, `${what}: no HTTP status line in ${JSON.stringify(res.head.slice(0, 200))}`);
  const withoutPairs = res.head.split('\r\n').join('');
  assert.ok(!withoutPairs.includes('\r') && !withoutPairs.includes('\n'), `${what}: a bare CR or LF in the response head:\n${JSON.stringify(res.head)}`);
  for (const h of res.headers) {
    assert.match(h.name, TOKEN, `${what}: a head line that is not a header: ${JSON.stringify(h.name)}\n${res.head}`);
    assert.ok(!INJECTED_NAMES.includes(h.name.toLowerCase()), `${what}: injected header ${h.name}: ${h.value}\n${res.head}`);
  }
  assert.ok(!/\r\n\s*x-injected\s*:/i.test(res.head), `${what}: injected line in\n${res.head}`);
}

// A refusal: 400 with an OSS <Error> document (or, for HEAD, x-oss-err).
export function assertCleanRefusal(res, what, codes = ['InvalidArgument', 'InvalidRequest', 'InvalidHeaderValue', 'MalformedXML', 'InvalidDigest']) {
  assertNoSplitting(res, what);
  assert.equal(res.status, 400, `${what}: status ${res.status}\n${res.head}\n${res.text.slice(0, 500)}`);
  const xml = res.text || Buffer.from(header(res, 'x-oss-err') ?? '', 'base64').toString('utf8');
  const code = (xml.match(/<Code>([^<]*)<\/Code>/) || [])[1];
  assert.ok(codes.includes(code), `${what}: Code ${code} not in ${codes}\n${xml}`);
  assert.match(header(res, 'x-oss-request-id') ?? '', /^\S+$/, `${what}: no request id`);
  return code;
}

// Either a clean 400 or success whose echoed header (if any) has no line
// break; returns the response's outcome for the caller's further checks.
export function assertRefusedOrClean(res, what, echoed = []) {
  assertNoSplitting(res, what);
  if (res.status === 400) return { refused: true, code: assertCleanRefusal(res, what) };
  assert.ok(res.status >= 200 && res.status < 400, `${what}: status ${res.status}\n${res.head}\n${res.text.slice(0, 500)}`);
  for (const name of echoed) {
    const value = header(res, name);
    if (value !== undefined) assert.ok(!/[\r\n]/.test(value), `${what}: ${name} carries a line break`);
  }
  return { refused: false };
}

// A request signed with ali-oss's signer (integration/lib/oss.mjs), sent raw.
// opts as buildRequest's, plus body (Buffer | string), extraLines (raw
// header lines appended after signing) and rawHeaderValues ({name: bytes}:
// what goes on the wire instead of the signed value, e.g. an obs-fold).
export async function signedRaw(server, opts) {
  const req = buildRequest(server, opts);
  const body = opts.body == null ? null : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body);
  if (body || ['PUT', 'POST'].includes(req.method)) req.headers['Content-Length'] = body ? body.length : 0;
  req.headers.Connection = 'close';
  const lines = [`${req.method} ${req.path} HTTP/1.1`];
  for (const [k, v] of Object.entries(req.headers)) lines.push(`${k}: ${opts.rawHeaderValues?.[k] ?? v}`);
  lines.push(...(opts.extraLines || []));
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
  return rawExchange(server, head, body);
}

// GET of a path (e.g. a signed URL's path and query), sent raw.
export function rawGet(server, pathAndQuery, { method = 'GET', headers = {} } = {}) {
  const lines = [`${method} ${pathAndQuery} HTTP/1.1`, 'Connection: close'];
  if (!Object.keys(headers).some((k) => k.toLowerCase() === 'host')) lines.push(`Host: 127.0.0.1:${server.port}`);
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  return rawExchange(server, `${lines.join('\r\n')}\r\n\r\n`);
}

// A signed URL (as an SDK built it) fetched raw: path and query byte for byte.
export function getSignedUrl(server, url, method = 'GET') {
  const u = new URL(url);
  return rawGet(server, u.pathname + u.search, { method, headers: { Host: u.host } });
}

// A PostObject form as a browser sends it, built by hand so that field values
// keep any bytes (CR/LF included): `fields` in order, then the file part.
export function postForm(server, bucket, fields, { fileType = 'text/plain', fileBody = 'hello' } = {}) {
  const boundary = '----ossdSecurityBoundary7MA4YWxk';
  const parts = fields.map(([n, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`);
  parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f.txt"\r\nContent-Type: ${fileType}\r\n\r\n`
    + `${fileBody}\r\n--${boundary}--\r\n`);
  const body = Buffer.from(parts.join(''), 'utf8');
  const head = `POST /${bucket} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n`
    + `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  return rawExchange(server, head, body);
}
