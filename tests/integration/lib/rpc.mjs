// Raw STS / RAM RPC calls for the integration suites: RPC v1 (HMAC-SHA1,
// GET query or POST form) and ACS3-HMAC-SHA256, signed here so tests can
// bend any part of a request (spec §6.1, §6.2).
import crypto from 'node:crypto';
import http from 'node:http';

export const STS_VERSION = '2015-04-01';
export const RAM_VERSION = '2015-05-01';
const STS_ACTIONS = new Set(['AssumeRole', 'GetCallerIdentity']);

// RFC 3986 percent-encoding (what pop-core and the real service use).
export function rpcEncode(text) {
  return encodeURIComponent(String(text)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function rpcStringToSign(method, params) {
  const canonical = Object.keys(params).sort().map((k) => `${rpcEncode(k)}=${rpcEncode(params[k])}`).join('&');
  return `${method}&${rpcEncode('/')}&${rpcEncode(canonical)}`;
}

export function rpcSignature(secret, stringToSign) {
  return crypto.createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
}

export function timestamp(date = new Date()) {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function rawRequest(port, { method, path, headers, body }) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try { json = JSON.parse(text); } catch { /* XML or empty */ }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(15000, () => req.destroy(new Error(`timed out: ${method} ${path}`)));
    if (body) req.end(body); else req.end();
  });
}

// One RPC v1 call. opts: action, params (action parameters), method ('GET' |
// 'POST'), inBody (POST form instead of query), accessKeyId, accessKeySecret,
// securityToken, date (Date) or timestampText, nonce, format, version,
// signature (override), tamper(params) (after signing), omit ([names]).
export async function rpc(server, opts) {
  const method = opts.method || 'GET';
  const params = {
    Action: opts.action,
    Version: opts.version ?? (STS_ACTIONS.has(opts.action) ? STS_VERSION : RAM_VERSION),
    Format: opts.format ?? 'JSON',
    AccessKeyId: opts.accessKeyId ?? server.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: opts.nonce ?? crypto.randomUUID(),
    Timestamp: opts.timestampText ?? timestamp(opts.date),
    ...(opts.securityToken ? { SecurityToken: opts.securityToken } : {}),
    ...(opts.params || {}),
  };
  for (const name of opts.omit || []) delete params[name];
  for (const [k, v] of Object.entries(params)) if (v === undefined) delete params[k];
  const stringToSign = rpcStringToSign(method, params);
  params.Signature = opts.signature ?? rpcSignature(opts.accessKeySecret ?? server.accessKeySecret, stringToSign);
  if (opts.tamper) opts.tamper(params);
  const encoded = Object.entries(params).map(([k, v]) => `${rpcEncode(k)}=${rpcEncode(v)}`).join('&');
  const headers = { Host: `127.0.0.1:${opts.port ?? server.port}` };
  let path = `/?${encoded}`;
  let body = null;
  if (opts.inBody) {
    path = '/';
    body = Buffer.from(encoded);
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    headers['Content-Length'] = body.length;
  }
  const res = await rawRequest(opts.port ?? server.port, { method, path, headers, body });
  return { ...res, stringToSign, params };
}

// One ACS3-HMAC-SHA256 call (what @alicloud/sts20150401 and ram20150501 send).
// opts: action, query, body (string), accessKeyId, accessKeySecret,
// securityToken, date, nonce, contentSha256 (override), version.
export async function acs3(server, opts) {
  const body = opts.body ?? '';
  const query = opts.query || {};
  const headers = {
    host: `127.0.0.1:${server.port}`,
    'x-acs-action': opts.action,
    'x-acs-version': opts.version ?? (STS_ACTIONS.has(opts.action) ? STS_VERSION : RAM_VERSION),
    'x-acs-date': timestamp(opts.date),
    'x-acs-signature-nonce': opts.nonce ?? crypto.randomUUID(),
    'x-acs-content-sha256': crypto.createHash('sha256').update(body).digest('hex'),
    ...(opts.securityToken ? { 'x-acs-security-token': opts.securityToken } : {}),
  };
  if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
  const names = Object.keys(headers).sort();
  const canonicalQuery = Object.keys(query).sort().map((k) => `${rpcEncode(k)}=${rpcEncode(query[k])}`).join('&');
  const canonicalRequest = ['POST', '/', canonicalQuery, names.map((n) => `${n}:${String(headers[n]).trim()}\n`).join(''),
    names.join(';'), headers['x-acs-content-sha256']].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${crypto.createHash('sha256').update(canonicalRequest).digest('hex')}`;
  const signature = crypto.createHmac('sha256', opts.accessKeySecret ?? server.accessKeySecret).update(stringToSign).digest('hex');
  headers.Authorization = `ACS3-HMAC-SHA256 Credential=${opts.accessKeyId ?? server.accessKeyId},SignedHeaders=${names.join(';')},Signature=${signature}`;
  if (opts.contentSha256) headers['x-acs-content-sha256'] = opts.contentSha256;
  if (body) headers['content-length'] = Buffer.byteLength(body);
  const path = canonicalQuery ? `/?${canonicalQuery}` : '/';
  return rawRequest(server.port, { method: 'POST', path, headers, body: body ? Buffer.from(body) : null });
}

// A successful call's JSON, or a thrown error naming the code.
export async function rpcOk(server, opts) {
  const res = await rpc(server, opts);
  if (res.status !== 200) throw new Error(`${opts.action} failed: ${res.status} ${res.text}`);
  return res.json;
}
