// PostObject (browser form uploads) against the real binary: policies signed
// by ali-oss (calculatePostSignature = V1, signPostObjectPolicyV4 = V4),
// forms posted with node's fetch/FormData as a browser would, every response
// shape, and every attack on the policy, the signature and the form itself.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { startServer } from '../lib/server.mjs';
import { makeClient, startOssd, stopOssd } from '../interop/lib/common.mjs';
import { xmlRoot, xmlText, uniqueName } from './lib/oss.mjs';

const require = createRequire(import.meta.url);
const { getCredential } = require('ali-oss/lib/common/signUtils.js');
const { policy2Str } = require('ali-oss/lib/common/utils/policy2Str.js');

const PATH_V1 = { name: 'path-v1', style: 'path', v4: false };
const REGION_SCOPE = 'cn-hangzhou';
const APP = 'https://app.example.com';

let server;
let root;     // ali-oss client without a bucket (bucket-level calls)
let bucket;   // private bucket
let signer;   // ali-oss client bound to `bucket`
before(async () => {
  server = await startOssd();
  root = makeClient(server, PATH_V1);
  bucket = uniqueName('post');
  await root.putBucket(bucket);
  signer = makeClient(server, PATH_V1, bucket);
});
after(async () => { await stopOssd(server); });

const inOneHour = () => new Date(Date.now() + 3600_000).toISOString();
const b64 = (text) => Buffer.from(text, 'utf8').toString('base64');

// Fields in order, then the file last (unless the test says otherwise).
function form(fields, file = { data: 'hello form', filename: 'hello.txt', type: 'text/plain' }) {
  const fd = new FormData();
  for (const [name, value] of fields) fd.append(name, value);
  if (file) fd.append('file', new Blob([file.data], { type: file.type }), file.filename);
  return fd;
}

async function post(body, { target = `/${bucket}`, headers = {} } = {}) {
  const res = await fetch(`${server.endpoint}${target}`, { method: 'POST', body, headers, redirect: 'manual' });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text };
}

function v1Fields(policy, key, extra = []) {
  const signed = signer.calculatePostSignature(policy);
  return [['key', key], ...extra, ['OSSAccessKeyId', signed.OSSAccessKeyId], ['policy', signed.policy],
    ['Signature', signed.Signature]];
}

function v4Fields(policyFor, key, extra = [], date = new Date()) {
  const stamp = date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const credential = getCredential(stamp.slice(0, 8), REGION_SCOPE, server.accessKeyId);
  const policy = policyFor({ credential, stamp });
  const signature = signer.signPostObjectPolicyV4(policy, date);
  return [['key', key], ...extra, ['x-oss-signature-version', 'OSS4-HMAC-SHA256'], ['x-oss-credential', credential],
    ['x-oss-date', stamp], ['policy', b64(policy2Str(policy))], ['x-oss-signature', signature]];
}

function assertOssError(res, status, code, what = code) {
  assert.equal(res.status, status, `${what}: ${res.text}`);
  assert.equal(xmlRoot(res.text), 'Error', `${what}: ${res.text}`);
  assert.equal(xmlText(res.text, 'Code'), code, `${what}: ${res.text}`);
  assert.match(res.headers.get('x-oss-request-id') ?? '', /^[0-9A-F]{24}$/);
  return xmlText(res.text, 'Message');
}

async function assertNoObject(key) {
  await assert.rejects(signer.head(key), { status: 404 }, `${key} should not exist`);
}

describe('signed uploads', () => {
  it('V1 (calculatePostSignature), success_action_status 201 -> PostResponse XML and ETag', async () => {
    const data = crypto.randomBytes(4096);
    const policy = { expiration: inOneHour(), conditions: [{ bucket }, ['content-length-range', 1, 10 * 1024 * 1024],
      ['starts-with', '$key', 'user/alice/'], ['eq', '$success_action_status', '201']] };
    const res = await post(form(v1Fields(policy, 'user/alice/avatar.bin', [['success_action_status', '201']]),
      { data, filename: 'avatar.bin', type: 'application/x-avatar' }));
    assert.equal(res.status, 201, res.text);
    const etag = `"${crypto.createHash('md5').update(data).digest('hex').toUpperCase()}"`;
    assert.equal(res.headers.get('etag'), etag);
    assert.equal(xmlRoot(res.text), 'PostResponse');
    assert.equal(xmlText(res.text, 'Bucket'), bucket);
    assert.equal(xmlText(res.text, 'Key'), 'user/alice/avatar.bin');
    assert.equal(xmlText(res.text, 'ETag'), etag);
    assert.equal(xmlText(res.text, 'Location'), `${server.endpoint}/${bucket}/user/alice/avatar.bin`);
    const got = await signer.get('user/alice/avatar.bin');
    assert.ok(Buffer.compare(got.content, data) === 0);
    assert.equal(got.res.headers['content-type'], 'application/x-avatar');  // from the file part
  });

  it('V4 (signPostObjectPolicyV4) with the README policy, success_action_status 200', async () => {
    const res = await post(form(v4Fields(({ credential, stamp }) => ({
      expiration: inOneHour(),
      conditions: [{ bucket }, { 'x-oss-credential': credential }, { 'x-oss-date': stamp },
        { 'x-oss-signature-version': 'OSS4-HMAC-SHA256' }, ['content-length-range', 1, 100],
        ['eq', '$success_action_status', '200'], ['starts-with', '$key', 'v4/'],
        ['in', '$content-type', ['image/jpg', 'text/plain']], ['not-in', '$cache-control', ['no-cache']]],
    }), 'v4/object.txt', [['Content-Type', 'text/plain'], ['Cache-Control', 'max-age=30'],
      ['success_action_status', '200']])));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.text, '');
    const head = await signer.head('v4/object.txt');
    assert.equal(head.res.headers['content-type'], 'text/plain');
    assert.equal(head.res.headers['cache-control'], 'max-age=30');
    assert.equal((await signer.get('v4/object.txt')).content.toString(), 'hello form');
  });

  it('default 204, ${filename}, metadata fields, object ACL', async () => {
    const policy = { expiration: inOneHour(), conditions: [['starts-with', '$key', 'uploads/']] };
    const res = await post(form(v1Fields(policy, 'uploads/${filename}', [
      ['x-oss-meta-Owner', 'alice'], ['Content-Disposition', 'attachment; filename="x.txt"'],
      ['Content-Encoding', 'identity'], ['x-oss-object-acl', 'public-read'], ['Content-Type', 'text/x-form'],
    ]), { data: 'named by the browser', filename: 'report 2024.txt', type: 'text/plain' }));
    assert.equal(res.status, 204, res.text);
    assert.ok(res.headers.get('etag'));
    const head = await signer.head('uploads/report 2024.txt');
    assert.equal(head.res.headers['x-oss-meta-owner'], 'alice');
    assert.equal(head.res.headers['content-disposition'], 'attachment; filename="x.txt"');
    assert.equal(head.res.headers['content-type'], 'text/x-form');  // the field wins over the file part
    const anonymous = await fetch(`${server.endpoint}/${bucket}/uploads/report%202024.txt`);
    assert.equal(anonymous.status, 200);  // public-read object ACL applied
    assert.equal(await anonymous.text(), 'named by the browser');
  });

  it('success_action_redirect -> 303 with bucket, key and etag in the Location', async () => {
    const redirect = 'https://app.example.com/done?from=form';
    const policy = { expiration: inOneHour(), conditions: [{ success_action_redirect: redirect }] };
    const res = await post(form(v1Fields(policy, 'redir/a b.txt', [['success_action_redirect', redirect]])));
    assert.equal(res.status, 303, res.text);
    const location = new URL(res.headers.get('location'));
    assert.equal(`${location.origin}${location.pathname}`, 'https://app.example.com/done');
    assert.equal(location.searchParams.get('from'), 'form');
    assert.equal(location.searchParams.get('bucket'), bucket);
    assert.equal(location.searchParams.get('key'), 'redir/a b.txt');
    assert.equal(location.searchParams.get('etag'), res.headers.get('etag'));
  });

  it('virtual-hosted POST / works as well as path style', async () => {
    const policy = { expiration: inOneHour(), conditions: [] };
    const fd = form(v1Fields(policy, 'vhost.txt'));
    const request = new Request('http://x/', { method: 'POST', body: fd });
    const body = Buffer.from(await request.arrayBuffer());
    const res = await new Promise((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1', port: server.port, method: 'POST', path: '/', setHost: false, agent: false,
        headers: { Host: `${bucket}.localhost:${server.port}`, 'Content-Type': request.headers.get('content-type'),
          'Content-Length': body.length },
      }, (r) => { r.resume(); r.on('end', () => resolve(r)); });
      req.on('error', reject);
      req.end(body);
    });
    assert.equal(res.statusCode, 204);
    assert.equal((await signer.get('vhost.txt')).content.toString(), 'hello form');
  });

  it('x-oss-forbid-overwrite -> 409 FileAlreadyExists', async () => {
    const policy = { expiration: inOneHour(), conditions: [] };
    assert.equal((await post(form(v1Fields(policy, 'once.txt')))).status, 204);
    const again = await post(form(v1Fields(policy, 'once.txt', [['x-oss-forbid-overwrite', 'true']])));
    assertOssError(again, 409, 'FileAlreadyExists');
  });

  it('a 40 MiB file streams through intact', async () => {
    const data = crypto.randomBytes(40 * 1024 * 1024);
    const policy = { expiration: inOneHour(), conditions: [['content-length-range', 0, 64 * 1024 * 1024]] };
    const res = await post(form(v1Fields(policy, 'big.bin'), { data, filename: 'big.bin', type: 'application/octet-stream' }));
    assert.equal(res.status, 204, res.text);
    assert.equal(res.headers.get('etag'), `"${crypto.createHash('md5').update(data).digest('hex').toUpperCase()}"`);
    const head = await signer.head('big.bin');
    assert.equal(Number(head.res.headers['content-length']), data.length);
  });
});

describe('anonymous forms are judged by the bucket ACL', () => {
  it('private bucket -> 403 AccessDenied; public-read-write -> 204', async () => {
    const res = await post(form([['key', 'anon.txt']]));
    assertOssError(res, 403, 'AccessDenied');
    await assertNoObject('anon.txt');

    const open = uniqueName('post-open');
    await root.putBucket(open, { acl: 'public-read-write' });
    const ok = await post(form([['key', 'anon.txt']]), { target: `/${open}` });
    assert.equal(ok.status, 204, ok.text);
    const client = makeClient(server, PATH_V1, open);
    assert.equal((await client.get('anon.txt')).content.toString(), 'hello form');
  });
});

describe('attacks and malformed forms', () => {
  const policyOk = () => ({ expiration: inOneHour(), conditions: [['content-length-range', 1, 100],
    ['starts-with', '$key', 'safe/']] });

  it('expired policy -> 403 AccessDenied "Policy expired."', async () => {
    const policy = { expiration: new Date(Date.now() - 1000).toISOString(), conditions: [] };
    const message = assertOssError(await post(form(v1Fields(policy, 'safe/expired.txt'))), 403, 'AccessDenied');
    assert.equal(message, 'Invalid according to Policy: Policy expired.');
    await assertNoObject('safe/expired.txt');
  });

  it('a condition that fails -> 403 AccessDenied "Policy Condition failed"', async () => {
    const cases = [
      ['key outside the prefix', policyOk(), 'unsafe/x.txt', []],
      ['wrong bucket', { expiration: inOneHour(), conditions: [{ bucket: 'another-bucket' }] }, 'safe/b.txt', []],
      ['content-type not in the list', { expiration: inOneHour(), conditions: [['in', '$content-type', ['image/png']]] },
        'safe/c.txt', [['Content-Type', 'text/html']]],
      ['acl in the not-in list', { expiration: inOneHour(), conditions: [['not-in', '$x-oss-object-acl', ['public-read-write']]] },
        'safe/d.txt', [['x-oss-object-acl', 'public-read-write']]],
      ['status not the one signed', { expiration: inOneHour(), conditions: [['eq', '$success_action_status', '201']] },
        'safe/e.txt', [['success_action_status', '200']]],
      // The condition sees the key after ${filename} is substituted.
      ['${filename} outside the prefix', policyOk(), '${filename}', []],
    ];
    for (const [what, policy, key, extra] of cases) {
      const message = assertOssError(await post(form(v1Fields(policy, key, extra),
        { data: 'x', filename: 'other.txt', type: 'text/plain' })), 403, 'AccessDenied', what);
      assert.match(message, /^Invalid according to Policy: Policy Condition failed: /, what);
    }
  });

  it('file larger / smaller than content-length-range -> EntityTooLarge / EntityTooSmall, nothing stored', async () => {
    const large = await post(form(v1Fields(policyOk(), 'safe/large.bin'), { data: Buffer.alloc(101), filename: 'l' }));
    assertOssError(large, 400, 'EntityTooLarge');
    await assertNoObject('safe/large.bin');
    const small = await post(form(v1Fields(policyOk(), 'safe/small.bin'), { data: Buffer.alloc(0), filename: 's' }));
    assertOssError(small, 400, 'EntityTooSmall');
    await assertNoObject('safe/small.bin');
    const exact = await post(form(v1Fields(policyOk(), 'safe/exact.bin'), { data: Buffer.alloc(100), filename: 'e' }));
    assert.equal(exact.status, 204, exact.text);
  });

  it('a file far over the range is refused while it is still arriving, not stored first', async () => {
    // 64 MiB offered at a trickle: the refusal must come long before the end.
    const boundary = 'cutoff';
    const head = Buffer.from(v1Fields(policyOk(), 'safe/huge.bin')
      .map(([n, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`).join('')
      + `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="h"\r\n\r\n`);
    const total = 64 * 1024 * 1024;
    let sent = 0;
    const res = await new Promise((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1', port: server.port, method: 'POST', path: `/${bucket}`, agent: false,
        headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': head.length + total },
      }, (r) => {
        const chunks = [];
        r.on('data', (c) => chunks.push(c));
        r.on('end', () => { resolve({ status: r.statusCode, text: Buffer.concat(chunks).toString(), headers: new Headers(r.headers) }); req.destroy(); });
      });
      req.on('error', () => {});  // the server may close its side once it has answered
      req.write(head);
      const chunk = Buffer.alloc(64 * 1024);
      const timer = setInterval(() => {
        if (req.destroyed || sent >= total) return clearInterval(timer);
        sent += chunk.length;
        req.write(chunk);
      }, 2);
      req.setTimeout(20_000, () => { clearInterval(timer); reject(new Error('no response to an oversized form')); });
    });
    assertOssError(res, 400, 'EntityTooLarge');
    assert.ok(sent < total / 4, `the refusal came only after ${sent} bytes`);
    await assertNoObject('safe/huge.bin');
  });

  it('tampered signature or policy -> 403 SignatureDoesNotMatch', async () => {
    const fields = v1Fields(policyOk(), 'safe/t.txt');
    // A digit for a digit: a V4 signature is hex, compared without regard to case, so 'a' -> 'A'
    // would change nothing when the signature starts with 'a' (one signature in 16).
    const flip = (v) => `${v[0] === '0' ? '1' : '0'}${v.slice(1)}`;
    const badSig = fields.map(([n, v]) => [n, n === 'Signature' ? flip(v) : v]);
    assertOssError(await post(form(badSig)), 403, 'SignatureDoesNotMatch', 'signature');
    const wider = b64(JSON.stringify({ expiration: inOneHour(), conditions: [] }));
    const badPolicy = v1Fields(policyOk(), 'unsafe/t.txt').map(([n, v]) => [n, n === 'policy' ? wider : v]);
    assertOssError(await post(form(badPolicy)), 403, 'SignatureDoesNotMatch', 'policy');
    const v4 = v4Fields(() => policyOk(), 'safe/t4.txt');
    const badV4 = v4.map(([n, v]) => [n, n === 'x-oss-signature' ? flip(v) : v]);
    assertOssError(await post(form(badV4)), 403, 'SignatureDoesNotMatch', 'v4 signature');
    await assertNoObject('safe/t.txt');
  });

  it('unknown access key -> 403 InvalidAccessKeyId; an STS key with a forged token -> 403 InvalidSecurityToken', async () => {
    const fields = v1Fields(policyOk(), 'safe/u.txt').map(([n, v]) => [n, n === 'OSSAccessKeyId' ? 'LTAI5tNobody' : v]);
    assertOssError(await post(form(fields)), 403, 'InvalidAccessKeyId');
    const sts = v1Fields(policyOk(), 'safe/u.txt', [['x-oss-security-token', 'CAIS-some-token']])
      .map(([n, v]) => [n, n === 'OSSAccessKeyId' ? 'STS.NTemporaryKeyId' : v]);
    assertOssError(await post(form(sts)), 403, 'InvalidSecurityToken');
  });

  it('missing fields -> 400 InvalidArgument naming the field', async () => {
    const full = v1Fields(policyOk(), 'safe/m.txt');
    for (const name of ['key', 'OSSAccessKeyId', 'Signature', 'policy']) {
      const message = assertOssError(await post(form(full.filter(([n]) => n !== name))), 400, 'InvalidArgument', name);
      assert.ok(message.includes(name), `${name}: ${message}`);
    }
    const noFile = await post(form(full, null));
    assert.match(assertOssError(noFile, 400, 'InvalidArgument', 'file'), /file/);
    const v4 = v4Fields(() => policyOk(), 'safe/m4.txt');
    for (const name of ['x-oss-credential', 'x-oss-date', 'x-oss-signature']) {
      assertOssError(await post(form(v4.filter(([n]) => n !== name))), 400, 'InvalidArgument', name);
    }
  });

  it('the file is not the last field -> 400 InvalidArgument, nothing stored', async () => {
    const fd = new FormData();
    for (const [n, v] of v1Fields(policyOk(), 'safe/order.txt')) fd.append(n, v);
    fd.append('file', new Blob(['data']), 'order.txt');
    fd.append('x-oss-meta-late', 'too late');
    const message = assertOssError(await post(fd), 400, 'InvalidArgument');
    assert.match(message, /last field/);
    await assertNoObject('safe/order.txt');

    const first = new FormData();
    first.append('file', new Blob(['data']), 'order.txt');
    for (const [n, v] of v1Fields(policyOk(), 'safe/order.txt')) first.append(n, v);
    assert.match(assertOssError(await post(first), 400, 'InvalidArgument'), /last field/);
  });

  it('a field twice -> 400 InvalidArgument (no ambiguity between policy and upload)', async () => {
    const fields = [...v1Fields(policyOk(), 'safe/dup.txt'), ['key', 'unsafe/dup.txt']];
    assertOssError(await post(form(fields)), 400, 'InvalidArgument');
  });

  it('not multipart/form-data, or a broken body -> 400 MalformedPOSTRequest', async () => {
    assertOssError(await post('key=a&file=b', { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }),
      400, 'MalformedPOSTRequest', 'urlencoded');
    assertOssError(await post('whatever', { headers: { 'Content-Type': 'multipart/form-data' } }),
      400, 'MalformedPOSTRequest', 'no boundary');
    // Signed and allowed: the only fault is the missing closing boundary.
    const truncated = v1Fields(policyOk(), 'safe/truncated.txt')
      .map(([n, v]) => `--b\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`).join('')
      + '--b\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n\r\nno closing boundary';
    assertOssError(await post(truncated, { headers: { 'Content-Type': 'multipart/form-data; boundary=b' } }),
      400, 'MalformedPOSTRequest', 'truncated');
  });

  it('a garbage policy with a valid signature -> 400 InvalidPolicyDocument', async () => {
    const policy = b64('{"conditions":[]}');
    const signature = crypto.createHmac('sha1', server.accessKeySecret).update(policy).digest('base64');
    const res = await post(form([['key', 'safe/g.txt'], ['OSSAccessKeyId', server.accessKeyId], ['policy', policy],
      ['Signature', signature]]));
    assertOssError(res, 400, 'InvalidPolicyDocument');
  });

  it('form fields over 64 KiB before the file -> 400 InvalidArgument', async () => {
    const res = await post(form([['key', 'safe/f.txt'], ['x-oss-meta-pad', 'p'.repeat(70 * 1024)]]));
    assertOssError(res, 400, 'InvalidArgument');
  });

  it('a bad success_action_redirect -> 400 InvalidArgument', async () => {
    const policy = { expiration: inOneHour(), conditions: [] };
    const res = await post(form(v1Fields(policy, 'safe/r.txt', [['success_action_redirect', 'javascript:alert(1)']])));
    assertOssError(res, 400, 'InvalidArgument');
  });
});

describe('CORS on form uploads', () => {
  it('a POST with an allowed Origin exposes ETag and x-oss-request-id, on success and on errors', async () => {
    await root.putBucketCORS(bucket, [{ allowedOrigin: APP, allowedMethod: ['POST', 'GET'], allowedHeader: '*',
      exposeHeader: ['ETag', 'x-oss-request-id'] }]);
    const policy = { expiration: inOneHour(), conditions: [] };
    const ok = await post(form(v1Fields(policy, 'cors.txt')), { headers: { Origin: APP } });
    assert.equal(ok.status, 204, ok.text);
    assert.equal(ok.headers.get('access-control-allow-origin'), APP);
    assert.equal(ok.headers.get('access-control-expose-headers'), 'ETag, x-oss-request-id');
    const denied = await post(form([['key', 'cors-anon.txt']]), { headers: { Origin: APP } });
    assertOssError(denied, 403, 'AccessDenied');
    assert.equal(denied.headers.get('access-control-allow-origin'), APP);
    const other = await post(form(v1Fields(policy, 'cors2.txt')), { headers: { Origin: 'https://evil.net' } });
    assert.equal(other.status, 204);
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    await root.deleteBucketCORS(bucket);
  });
});

describe('memory', () => {
  it('a 1 GiB form upload streams in bounded memory', { timeout: 240_000 }, async () => {
    const own = await startServer({ args: ['--no-access-log'] });
    try {
      const client = makeClient({ ...own, agent: server.agent }, PATH_V1);
      const name = uniqueName('post-mem');
      await client.putBucket(name, { acl: 'public-read-write' });
      const size = 1024 * 1024 * 1024;
      const piece = crypto.randomBytes(1024 * 1024);
      const boundary = `----ossd${crypto.randomBytes(8).toString('hex')}`;
      const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="key"\r\n\r\nbig.bin\r\n`
        + `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n`);
      const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
      const status = await new Promise((resolve, reject) => {
        const req = http.request({
          host: '127.0.0.1', port: own.port, method: 'POST', path: `/${name}`, agent: false,
          headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`,
            'Content-Length': head.length + size + tail.length },
        }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
        req.on('error', reject);
        (async () => {
          req.write(head);
          for (let sent = 0; sent < size; sent += piece.length) {
            if (!req.write(piece)) await new Promise((r) => req.once('drain', r));
          }
          req.end(tail);
        })().catch(reject);
      });
      assert.equal(status, 204);
      const peak = Number(readFileSync(`/proc/${own.pid}/status`, 'utf8').match(/VmHWM:\s+(\d+)\s+kB/)[1]);
      console.log(`ossd peak RSS after a 1 GiB form upload: ${(peak / 1024).toFixed(1)} MiB`);
      // Under a sanitizer (scripts/sanitize.sh) shadow memory and ASan's quarantine make RSS no measure of buffering.
      if (!process.env.OSSD_SANITIZER) assert.ok(peak < 100 * 1024, `peak RSS ${peak} KiB after a 1 GiB form upload`);
    } finally {
      await own.stop();
    }
  });
});
