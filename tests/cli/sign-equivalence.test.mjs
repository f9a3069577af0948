// `ossctl sign` prints exactly what ali-oss@6.23.0 returns for the same
// client options, object and signing options at the same instant: V1 from
// signatureUrl, V4 (--v4) from signatureUrlV4. Both sides read a frozen
// clock: ossctl through --now, the SDK through a stubbed Date.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import OSS from 'ali-oss';
import { ossctl } from './lib/ossctl.mjs';

const NOW = 1716193800;  // 2024-05-20T08:30:00Z, the vectors' clock
const KEY_ID = 'LTAI5tTestAccessKeyId';
const SECRET = 'TestSecretKey0123456789abcdefghij';
const STS = {
  accessKeyId: 'STS.NTestTempAccessKeyId01',
  accessKeySecret: 'TempSecret/abc+def=0123456789XYZ',
  stsToken: 'CAIS8wF1q6Ft5B2yfSjIr5bkKtD+h5Vw0ZaCY0fzgEYHZb5/2qLJjzz2IHtKdXVvA+sWv/0znWxU7fwZlqx6T5p/8q+/GgIAY1r0mQ7hT7RbMbnNugpB3R4+GAAAAAAAAA==',
};

// Runs fn with Date.now() and `new Date()` reading `seconds`.
async function atFrozenTime(seconds, fn) {
  const RealDate = globalThis.Date;
  const ms = seconds * 1000;
  class FrozenDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(ms);
      else super(...args);
    }
    static now() { return ms; }
  }
  globalThis.Date = FrozenDate;
  try {
    return await fn();
  } finally {
    globalThis.Date = RealDate;
  }
}

function sdkClient(client) {
  // ali-oss warns about STS credentials without a refresh callback; not relevant here.
  const warn = console.warn;
  console.warn = () => {};
  try {
    return new OSS({ accessKeyId: KEY_ID, accessKeySecret: SECRET, ...client });
  } finally {
    console.warn = warn;
  }
}

// The ossctl flags for an ali-oss client configuration.
function connectionArgs(client) {
  const args = ['--access-key-id', client.accessKeyId || KEY_ID, '--access-key-secret', client.accessKeySecret || SECRET];
  if (client.stsToken) args.push('--sts-token', client.stsToken);
  if (client.region) args.push('--region', client.region);
  if (client.endpoint) args.push('--endpoint', client.endpoint);
  else if (client.secure) args.push('--endpoint', `https://${client.region || 'oss-cn-hangzhou'}.aliyuncs.com`);
  if (client.sldEnable) args.push('--path-style');
  if (client.cname) args.push('--cname');
  return args;
}

// The ossctl flags for signatureUrl options.
function v1Args(options = {}) {
  const args = [];
  for (const [name, value] of Object.entries(options)) {
    if (name === 'method') args.push('--method', value);
    else if (name === 'expires') args.push('--expires', String(value));
    else if (name === 'Content-Type') args.push('--content-type', value);
    else if (name === 'Content-MD5') args.push('--content-md5', value);
    else if (name === 'process') args.push('--process', value);
    else if (name === 'trafficLimit') args.push('--traffic-limit', String(value));
    else if (name === 'response') {
      for (const [k, v] of Object.entries(value)) args.push(`--response-${k}`, v);
    } else if (name.startsWith('x-oss-')) args.push('--header', `${name}=${value}`);
    else throw new Error(`no ossctl flag for option ${name}`);
  }
  return args;
}

// The ossctl flags for signatureUrlV4(method, expires, request, key, additionalHeaders).
function v4Args(method, expires, request = {}, additionalHeaders = []) {
  const args = ['--v4', '--method', method, '--expires', String(expires)];
  for (const [name, value] of Object.entries(request.headers || {})) {
    if (name.toLowerCase() === 'content-type') args.push('--content-type', value);
    else if (name.toLowerCase() === 'content-md5') args.push('--content-md5', value);
    else args.push('--header', `${name}=${value}`);
  }
  for (const [name, value] of Object.entries(request.queries || {})) {
    if (name.startsWith('response-')) args.push(`--${name}`, value);
    else if (name === 'x-oss-process') args.push('--process', value);
    else if (name === 'x-oss-traffic-limit') args.push('--traffic-limit', String(value));
    else throw new Error(`no ossctl flag for query ${name}`);
  }
  for (const name of additionalHeaders) args.push('--additional-header', name);
  return args;
}

async function ossctlSign(client, bucket, key, args) {
  const r = await ossctl(['sign', `oss://${bucket}/${key}`, '--now', String(NOW), ...connectionArgs(client), ...args]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

const BUCKET = 'examplebucket';

const V1_CASES = [
  { name: 'default GET on the region endpoint', client: {}, key: 'ossdemo.txt', options: undefined },
  { name: 'PUT with Content-Type', client: {}, key: 'ossdemo.txt', options: { method: 'PUT', expires: 3600, 'Content-Type': 'text/plain' } },
  { name: 'Content-MD5 and x-oss-* headers', client: {}, key: 'up/file.bin',
    options: { method: 'PUT', expires: 600, 'Content-Type': 'application/octet-stream', 'Content-MD5': 'XrY7u+Ae7tCTyyK7j1rNww==', 'x-oss-meta-author': 'alice', 'x-oss-object-acl': 'private' } },
  { name: 'all six response overrides in a chosen order', client: {}, key: 'report.pdf',
    options: { expires: 900, response: {
      'content-disposition': 'attachment; filename="report (1).pdf"', 'cache-control': 'no-cache',
      expires: 'Thu, 01 Dec 2094 16:00:00 GMT', 'content-language': 'zh-CN', 'content-encoding': 'gzip',
      'content-type': 'application/pdf' } } },
  { name: 'image processing and traffic limit', client: {}, key: 'photos/cat.jpg',
    options: { expires: 300, process: 'image/resize,m_fill,w_100,h_100/rotate,90', trafficLimit: 819200 } },
  { name: 'STS token', client: STS, key: 'uploads/photo.jpg', options: { method: 'PUT', expires: 600, 'Content-Type': 'image/jpeg' } },
  { name: 'localhost endpoint, virtual-hosted', client: { endpoint: 'http://localhost:9000' }, key: 'a b+c/子目录!*.txt', options: { expires: 60 } },
  { name: 'localhost endpoint, path style', client: { endpoint: 'http://localhost:9000', sldEnable: true }, key: 'dir/x.json', options: { method: 'DELETE' } },
  { name: 'cname', client: { endpoint: 'https://static.example.com', cname: true }, key: 'img/logo.png', options: { process: 'image/resize,w_200' } },
  { name: 'https region endpoint in Beijing', client: { region: 'oss-cn-beijing', secure: true }, key: 'ossdemo.txt', options: { method: 'HEAD', expires: 120 } },
];

describe('ossctl sign equals ali-oss signatureUrl', () => {
  for (const c of V1_CASES) {
    it(c.name, async () => {
      const expected = await atFrozenTime(NOW, () =>
        sdkClient({ bucket: BUCKET, ...c.client }).signatureUrl(c.key, c.options ? structuredClone(c.options) : undefined));
      assert.equal(await ossctlSign(c.client, BUCKET, c.key, v1Args(c.options)), expected);
    });
  }

  it('an IP endpoint gets a path-style URL where ali-oss refuses; the signature is the same', async () => {
    const ipClient = { endpoint: 'http://127.0.0.1:9000' };
    await atFrozenTime(NOW, () => {
      assert.throws(() => sdkClient({ bucket: BUCKET, ...ipClient }).signatureUrl('ossdemo.txt'),
        /can not get the object URL when endpoint is IP/);
    });
    const pathStyle = await atFrozenTime(NOW, () =>
      sdkClient({ bucket: BUCKET, endpoint: 'http://localhost:9000', sldEnable: true }).signatureUrl('ossdemo.txt'));
    const url = await ossctlSign(ipClient, BUCKET, 'ossdemo.txt', []);
    assert.equal(url, pathStyle.replace('http://localhost:9000/', 'http://127.0.0.1:9000/'));
  });
});

const V4_CASES = [
  { name: 'GET', client: {}, key: 'ossdemo.txt', method: 'GET', expires: 3600 },
  { name: 'PUT with Content-Type and x-oss-* headers', client: {}, key: 'up/a b.txt', method: 'PUT', expires: 600,
    request: { headers: { 'Content-Type': 'text/plain', 'x-oss-meta-author': 'alice' } } },
  { name: 'response overrides, processing and traffic limit', client: {}, key: 'photos/cat.jpg', method: 'GET', expires: 300,
    request: { queries: { 'response-content-disposition': 'attachment; filename="cat.jpg"', 'response-content-type': 'image/jpeg',
      'x-oss-process': 'image/resize,w_200', 'x-oss-traffic-limit': 819200 } } },
  { name: 'STS token, path style on localhost', client: { ...STS, endpoint: 'http://localhost:9000', sldEnable: true },
    key: 'ossdemo.txt', method: 'GET', expires: 1800 },
  { name: 'additional signed header', client: { region: 'oss-cn-beijing' }, key: 'k.txt', method: 'PUT', expires: 60,
    request: { headers: { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache' } }, additionalHeaders: ['cache-control'] },
  { name: 'IP endpoint (ossctl path style = ali-oss sldEnable)', client: { endpoint: 'http://127.0.0.1:9000' },
    sdk: { sldEnable: true }, key: 'dir/子.txt', method: 'HEAD', expires: 120 },
];

describe('ossctl sign --v4 equals ali-oss signatureUrlV4', () => {
  for (const c of V4_CASES) {
    it(c.name, async () => {
      const expected = await atFrozenTime(NOW, () =>
        sdkClient({ bucket: BUCKET, ...c.client, ...(c.sdk || {}) }).signatureUrlV4(
          c.method, c.expires, c.request ? structuredClone(c.request) : undefined, c.key, c.additionalHeaders));
      assert.equal(await ossctlSign(c.client, BUCKET, c.key, v4Args(c.method, c.expires, c.request, c.additionalHeaders)),
        expected);
    });
  }
});
