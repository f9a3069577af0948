// Bucket CORS against the real binary: ali-oss putBucketCORS / getBucketCORS /
// deleteBucketCORS, browser preflights as raw OPTIONS requests (unsigned, as
// browsers send them), Access-Control-* headers on actual responses including
// errors, and what a signed URL's response-content-disposition can (not) do to
// the response head.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { makeClient, startOssd, stopOssd } from '../interop/lib/common.mjs';
import { assertError, assertOk, send, uniqueName, xmlRoot, xmlText } from './lib/oss.mjs';

const PATH_V1 = { name: 'path-v1', style: 'path', v4: false };
const APP = 'https://app.example.com';

let server;
let client;
before(async () => {
  server = await startOssd();
  client = makeClient(server, PATH_V1);
});
after(async () => { await stopOssd(server); });

// One raw request (no signing) over a fresh connection.
function raw(method, path, headers = {}, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port: server.port, method, path, agent: false, setHost: false,
      headers: { Host: `127.0.0.1:${server.port}`, ...headers },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        resolve({ status: res.statusCode, headers: res.headers, rawHeaders: res.rawHeaders, body: buf,
          text: buf.toString('utf8'), req: { method, path } });
      });
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

const preflight = (path, origin, method, requestHeaders) => raw('OPTIONS', path, {
  ...(origin ? { Origin: origin } : {}),
  ...(method ? { 'Access-Control-Request-Method': method } : {}),
  ...(requestHeaders ? { 'Access-Control-Request-Headers': requestHeaders } : {}),
});

const RULES = [
  {
    allowedOrigin: [APP, 'http://*.example.org'],
    allowedMethod: ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'],
    allowedHeader: ['authorization', 'content-type', 'content-md5', 'x-oss-*', 'range', 'if-*', 'cache-control'],
    exposeHeader: ['ETag', 'x-oss-request-id', 'x-oss-hash-crc64ecma'],
    maxAgeSeconds: '600',
  },
  { allowedOrigin: '*', allowedMethod: 'HEAD', exposeHeader: 'Content-Length' },
];

const list = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

describe('PutBucketCors / GetBucketCors / DeleteBucketCors with ali-oss', () => {
  let bucket;
  before(async () => {
    bucket = uniqueName('cors-api');
    await client.putBucket(bucket);
  });

  it('GetBucketCors of a bucket without rules -> 404 NoSuchCORSConfiguration', async () => {
    await assert.rejects(client.getBucketCORS(bucket), (err) => {
      assert.equal(err.status, 404);
      assert.equal(err.code, 'NoSuchCORSConfiguration');
      assert.match(err.requestId, /^[0-9A-F]{24}$/);
      return true;
    });
  });

  it('put, get back the same rules, delete -> 204, then 404 again', async () => {
    const put = await client.putBucketCORS(bucket, RULES);
    assert.equal(put.res.status, 200);
    const got = await client.getBucketCORS(bucket);
    assert.equal(got.rules.length, 2);
    assert.deepEqual(list(got.rules[0].allowedOrigin), RULES[0].allowedOrigin);
    assert.deepEqual(list(got.rules[0].allowedMethod), RULES[0].allowedMethod);
    assert.deepEqual(list(got.rules[0].allowedHeader), RULES[0].allowedHeader);
    assert.deepEqual(list(got.rules[0].exposeHeader), RULES[0].exposeHeader);
    assert.equal(got.rules[0].maxAgeSeconds, '600');
    assert.deepEqual(list(got.rules[1].allowedOrigin), ['*']);
    assert.equal(got.rules[1].maxAgeSeconds, undefined);

    const raw = assertOk(await send(server, { bucket, query: { cors: '' } }));
    assert.equal(xmlRoot(raw.text), 'CORSConfiguration', raw.text);
    assert.equal(xmlText(raw.text, 'ResponseVary'), 'false');

    const del = await client.deleteBucketCORS(bucket);
    assert.equal(del.res.status, 204);
    await assert.rejects(client.getBucketCORS(bucket), { code: 'NoSuchCORSConfiguration', status: 404 });
  });

  it('ResponseVary round-trips and adds Vary: Origin', async () => {
    const xml = '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>'
      + '</CORSRule><ResponseVary>true</ResponseVary></CORSConfiguration>';
    assertOk(await send(server, { method: 'PUT', bucket, query: { cors: '' }, body: xml }));
    const got = assertOk(await send(server, { bucket, query: { cors: '' } }));
    assert.equal(xmlText(got.text, 'ResponseVary'), 'true');
    const res = await preflight(`/${bucket}/k`, APP, 'GET');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.vary, 'Origin');
    await client.deleteBucketCORS(bucket);
  });

  it('at most 10 rules; bad methods, wildcards and documents are refused', async () => {
    const rule = { allowedOrigin: '*', allowedMethod: 'GET' };
    await client.putBucketCORS(bucket, Array(10).fill(rule));
    assert.equal((await client.getBucketCORS(bucket)).rules.length, 10);
    await assert.rejects(client.putBucketCORS(bucket, Array(11).fill(rule)), { code: 'InvalidArgument', status: 400 });
    await assert.rejects(client.putBucketCORS(bucket, [{ allowedOrigin: '*', allowedMethod: 'PATCH' }]),
      { code: 'InvalidArgument', status: 400 });
    await assert.rejects(client.putBucketCORS(bucket, [{ allowedOrigin: 'http://*.*.example', allowedMethod: 'GET' }]),
      { code: 'InvalidArgument', status: 400 });
    await assert.rejects(client.putBucketCORS(bucket, [{ allowedOrigin: '*', allowedMethod: 'GET', exposeHeader: 'x-*' }]),
      { code: 'InvalidArgument', status: 400 });
    for (const body of ['<CORSConfiguration/>', '<CORSConfiguration><CORSRule>', '<NotCors/>',
      '<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>']) {
      assertError(await send(server, { method: 'PUT', bucket, query: { cors: '' }, body }), 400, 'MalformedXML', body);
    }
    // The earlier valid configuration is untouched by the refused ones.
    assert.equal((await client.getBucketCORS(bucket)).rules.length, 10);
    await client.deleteBucketCORS(bucket);
  });

  it('anonymous callers cannot read or change the rules', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const body = method === 'PUT'
        ? '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>'
        : undefined;
      assertError(await send(server, { method, bucket, query: { cors: '' }, auth: 'none', body }), 403, 'AccessDenied', method);
    }
  });

  it('a bucket that does not exist -> 404 NoSuchBucket', async () => {
    await assert.rejects(client.getBucketCORS(uniqueName('cors-missing')), { code: 'NoSuchBucket', status: 404 });
  });
});

describe('preflight (OPTIONS)', () => {
  let bucket;
  let bare;
  before(async () => {
    bucket = uniqueName('cors-pre');
    bare = uniqueName('cors-bare');
    await client.putBucket(bucket);
    await client.putBucket(bare);
    await client.putBucketCORS(bucket, RULES);
  });

  it('a matching rule -> 200 with every Access-Control-* header, no authentication needed', async () => {
    const res = await preflight(`/${bucket}/dir/photo.jpg`, APP, 'PUT',
      'authorization,content-type,x-oss-date,x-oss-meta-owner,X-OSS-Security-Token');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['access-control-allow-origin'], APP);
    assert.equal(res.headers['access-control-allow-methods'], 'GET, PUT, POST, DELETE, HEAD');
    assert.equal(res.headers['access-control-allow-headers'],
      'authorization, content-type, x-oss-date, x-oss-meta-owner, X-OSS-Security-Token');
    assert.equal(res.headers['access-control-expose-headers'], 'ETag, x-oss-request-id, x-oss-hash-crc64ecma');
    assert.equal(res.headers['access-control-max-age'], '600');
    assert.match(res.headers['x-oss-request-id'], /^[0-9A-F]{24}$/);
  });

  it('works on the bucket itself, with a wildcard origin, and virtual-hosted', async () => {
    const onBucket = await preflight(`/${bucket}`, 'http://cdn.example.org', 'GET', 'range');
    assert.equal(onBucket.status, 200, onBucket.text);
    assert.equal(onBucket.headers['access-control-allow-origin'], 'http://cdn.example.org');
    const vhost = await raw('OPTIONS', '/some/key', {
      Host: `${bucket}.localhost:${server.port}`, Origin: APP, 'Access-Control-Request-Method': 'GET',
    });
    assert.equal(vhost.status, 200, vhost.text);
    assert.equal(vhost.headers['access-control-allow-origin'], APP);
  });

  it('a rule of exactly "*" answers "*"', async () => {
    const res = await preflight(`/${bucket}/k`, 'https://anyone.net', 'HEAD');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.equal(res.headers['access-control-expose-headers'], 'Content-Length');
    assert.equal(res.headers['access-control-max-age'], undefined);
  });

  const refused = [
    ['an origin no rule allows', 'https://evil.example.net', 'GET', undefined],
    ['an origin that only starts like an allowed one', `${APP}.evil.net`, 'GET', undefined],
    ['http instead of https', 'http://app.example.com', 'GET', undefined],
    ['a method no rule allows for that origin', 'https://anyone.net', 'PUT', undefined],
    ['a method outside the OSS set', APP, 'PATCH', undefined],
    ['a header the rule does not allow', APP, 'PUT', 'authorization, x-evil-header'],
    ['a lower-case method', APP, 'get', undefined],
  ];
  for (const [what, origin, method, headers] of refused) {
    it(`${what} -> 403 AccessForbidden without Access-Control headers`, async () => {
      const res = await preflight(`/${bucket}/k`, origin, method, headers);
      assertError(res, 403, 'AccessForbidden', what);
      for (const name of Object.keys(res.headers)) assert.ok(!name.startsWith('access-control-'), `${name} on a refusal`);
    });
  }

  it('missing Origin or Access-Control-Request-Method -> 403 AccessForbidden', async () => {
    assertError(await preflight(`/${bucket}/k`, undefined, 'GET'), 403, 'AccessForbidden');
    assertError(await preflight(`/${bucket}/k`, APP, undefined), 403, 'AccessForbidden');
  });

  it('a bucket without CORS rules -> 403 AccessForbidden; no bucket -> 404 NoSuchBucket', async () => {
    assertError(await preflight(`/${bare}/k`, APP, 'GET'), 403, 'AccessForbidden');
    assertError(await preflight(`/${uniqueName('cors-none')}/k`, APP, 'GET'), 404, 'NoSuchBucket');
  });

  it('a signature on a preflight is ignored, a bad one does not matter', async () => {
    const res = await raw('OPTIONS', `/${bucket}/k`, {
      Origin: APP, 'Access-Control-Request-Method': 'GET', Authorization: 'OSS nobody:bad-signature',
    });
    assert.equal(res.status, 200, res.text);
  });
});

describe('actual requests carry the matching rule\'s headers', () => {
  let bucket;
  before(async () => {
    bucket = uniqueName('cors-act');
    await client.putBucket(bucket);
    await client.putBucketCORS(bucket, RULES);
    assertOk(await send(server, { method: 'PUT', bucket, key: 'obj.txt', body: 'hello cors' }));
  });

  const hasCors = (res, origin) => {
    assert.equal(res.headers['access-control-allow-origin'], origin, JSON.stringify(res.headers));
    assert.equal(res.headers['access-control-expose-headers'], 'ETag, x-oss-request-id, x-oss-hash-crc64ecma');
    assert.equal(res.headers['access-control-allow-methods'], 'GET, PUT, POST, DELETE, HEAD');
  };

  it('GET and PUT with an allowed Origin', async () => {
    const get = assertOk(await send(server, { bucket, key: 'obj.txt', headers: { Origin: APP } }));
    assert.equal(get.text, 'hello cors');
    hasCors(get, APP);
    assert.ok(get.headers.etag);
    const put = assertOk(await send(server, { method: 'PUT', bucket, key: 'new.txt', body: 'x', headers: { Origin: APP } }));
    hasCors(put, APP);
  });

  it('error responses too: NoSuchKey, SignatureDoesNotMatch, AccessDenied (the browser must read them)', async () => {
    const missing = await send(server, { bucket, key: 'nope.txt', headers: { Origin: APP } });
    assertError(missing, 404, 'NoSuchKey');
    hasCors(missing, APP);
    const badSig = await send(server, { bucket, key: 'obj.txt', headers: { Origin: APP }, accessKeySecret: 'wrong' });
    assertError(badSig, 403, 'SignatureDoesNotMatch');
    hasCors(badSig, APP);
    const anonymous = await send(server, { bucket, key: 'obj.txt', headers: { Origin: APP }, auth: 'none' });
    assertError(anonymous, 403, 'AccessDenied');
    hasCors(anonymous, APP);
    const head = await send(server, { method: 'HEAD', bucket, key: 'nope.txt', headers: { Origin: 'https://x.net' } });
    assert.equal(head.status, 404);
    assert.equal(head.headers['access-control-allow-origin'], '*');  // the HEAD rule of "*"
  });

  it('an Origin no rule allows for that method gets no CORS headers', async () => {
    const res = assertOk(await send(server, { bucket, key: 'obj.txt', headers: { Origin: 'https://evil.net' } }));
    for (const name of Object.keys(res.headers)) assert.ok(!name.startsWith('access-control-'), name);
    const noOrigin = assertOk(await send(server, { bucket, key: 'obj.txt' }));
    for (const name of Object.keys(noOrigin.headers)) assert.ok(!name.startsWith('access-control-'), name);
  });

  it('ali-oss requests with an Origin header see the headers', async () => {
    const c = makeClient(server, PATH_V1, bucket);
    const r = await c.get('obj.txt', { headers: { Origin: APP } });
    assert.equal(r.res.headers['access-control-allow-origin'], APP);
    assert.equal(r.content.toString(), 'hello cors');
  });
});

describe('signed URL response-content-disposition cannot inject headers', () => {
  let bucket;
  let signer;
  before(async () => {
    bucket = uniqueName('cors-sig');
    await client.putBucket(bucket);
    signer = makeClient(server, PATH_V1, bucket);
    await signer.put('doc.txt', Buffer.from('document'));
  });

  const fetchSigned = (url) => {
    const u = new URL(url);
    return raw('GET', `${u.pathname}${u.search}`, { Host: u.host });
  };
  const noInjected = (res) => {
    for (let i = 0; i < res.rawHeaders.length; i += 2) {
      assert.doesNotMatch(res.rawHeaders[i], /^(x-injected|set-cookie)$/i, `injected header ${res.rawHeaders[i]}`);
    }
  };

  it('CR/LF in the value -> 400 InvalidArgument, nothing injected', async () => {
    for (const value of ['attachment; filename="a.txt"\r\nX-Injected: 1', 'inline\nSet-Cookie: s=1', 'a\rb']) {
      const url = signer.signatureUrl('doc.txt', { response: { 'content-disposition': value } });
      const res = await fetchSigned(url);
      assertError(res, 400, 'InvalidArgument', JSON.stringify(value));
      noInjected(res);
    }
  });

  it('non-ASCII is passed through as bytes and cannot fake a line break', async () => {
    // U+010D U+010A: node's latin1 truncation of these would be CR LF; the
    // server sends their UTF-8 bytes, which contain neither.
    for (const value of ['attachment; filename="r\u00e9sum\u00e9.txt"', 'inline; \u010d\u010aX-Injected: 1']) {
      const url = signer.signatureUrl('doc.txt', { response: { 'content-disposition': value } });
      const res = await fetchSigned(url);
      assert.equal(res.status, 200, res.text);
      noInjected(res);
      assert.equal(Buffer.from(res.headers['content-disposition'], 'latin1').toString('utf8'), value);
      assert.equal(res.text, 'document');
    }
  });

  it('a tampered override (not what was signed) -> 403 SignatureDoesNotMatch', async () => {
    const url = new URL(signer.signatureUrl('doc.txt', { response: { 'content-disposition': 'inline' } }));
    url.searchParams.set('response-content-disposition', 'attachment; filename="evil.html"');
    assertError(await fetchSigned(url.toString()), 403, 'SignatureDoesNotMatch');
  });
});
