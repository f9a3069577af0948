// Authentication against the real ossd: anonymous, unknown keys, wrong
// secrets, garbage Authorization headers, clock skew, V4 header signatures.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import {
  send, assertError, assertOk, createBucket, putObject, uniqueName, xmlText, etagOf, REGION, signUtils, encodeKeyPath,
} from './lib/oss.mjs';

describe('authentication', () => {
  let srv;
  const bucket = uniqueName('auth');
  const key = 'secret/doc.txt';
  const content = 'top secret content\n';

  before(async () => {
    srv = await startServer();
    await createBucket(srv, bucket);
    await putObject(srv, bucket, key, content);
  });
  after(async () => { await srv?.stop(); });

  it('signed V1 request with the root key reads the object', async () => {
    const res = assertOk(await send(srv, { bucket, key }));
    assert.equal(res.text, content);
    assert.equal(res.headers.etag, etagOf(Buffer.from(content)));
  });

  it('no Authorization on a private bucket: GET object -> 403 AccessDenied', async () => {
    assertError(await send(srv, { bucket, key, auth: 'none' }), 403, 'AccessDenied', 'anonymous GET');
  });

  it('no Authorization on a private bucket: HEAD -> 403 with x-oss-err AccessDenied', async () => {
    assertError(await send(srv, { method: 'HEAD', bucket, key, auth: 'none' }), 403, 'AccessDenied', 'anonymous HEAD');
  });

  it('no Authorization: ListObjects, PutObject, DeleteObject, ListBuckets -> 403 AccessDenied', async () => {
    assertError(await send(srv, { bucket, auth: 'none' }), 403, 'AccessDenied', 'anonymous list');
    assertError(await send(srv, { method: 'PUT', bucket, key: 'anon.txt', body: 'x', auth: 'none' }), 403, 'AccessDenied', 'anonymous put');
    assertError(await send(srv, { method: 'DELETE', bucket, key, auth: 'none' }), 403, 'AccessDenied', 'anonymous delete');
    assertError(await send(srv, { auth: 'none' }), 403, 'AccessDenied', 'anonymous ListBuckets');
    // Nothing was written or deleted by the anonymous calls.
    assertError(await send(srv, { bucket, key: 'anon.txt' }), 404, 'NoSuchKey');
    assert.equal(assertOk(await send(srv, { bucket, key })).text, content);
  });

  it('unknown AccessKeyId -> 403 InvalidAccessKeyId naming the key', async () => {
    const res = await send(srv, { bucket, key, accessKeyId: 'LTAI5tNoSuchKeyId0000' });
    const { xml } = assertError(res, 403, 'InvalidAccessKeyId');
    assert.equal(xmlText(xml, 'OSSAccessKeyId'), 'LTAI5tNoSuchKeyId0000');
  });

  it('wrong secret -> 403 SignatureDoesNotMatch, StringToSign equals what the client signed, secret not echoed', async () => {
    const res = await send(srv, {
      method: 'PUT', bucket, key: 'sig/test.txt', body: 'abc',
      headers: { 'Content-Type': 'text/plain', 'x-oss-meta-Color': ' blue ' },
      accessKeySecret: 'WrongSecret0123456789abcdefghijklm',
    });
    const { xml } = assertError(res, 403, 'SignatureDoesNotMatch');
    assert.equal(xmlText(xml, 'StringToSign'), res.req.stringToSign);
    assert.equal(xmlText(xml, 'OSSAccessKeyId'), srv.accessKeyId);
    assert.equal(xmlText(xml, 'SignatureProvided'), res.req.headers.Authorization.split(':')[1]);
    assert.ok(!res.text.includes(srv.accessKeySecret), 'error body leaks the real secret');
    assertError(await send(srv, { bucket, key: 'sig/test.txt' }), 404, 'NoSuchKey', 'object must not exist');
  });

  it('wrong secret on a GET with sub-resources: StringToSign carries the canonical resource', async () => {
    const res = await send(srv, {
      bucket, key, query: { 'response-content-type': 'text/x-a b', acl: '' },
      accessKeySecret: 'WrongSecret0123456789abcdefghijklm',
    });
    const { xml } = assertError(res, 403, 'SignatureDoesNotMatch');
    assert.equal(xmlText(xml, 'StringToSign'), res.req.stringToSign);
    assert.ok(res.req.stringToSign.endsWith(`/${bucket}/${key}?acl&response-content-type=text/x-a b`));
  });

  it('tampered V1 request (header changed after signing) -> SignatureDoesNotMatch', async () => {
    const res = await send(srv, {
      method: 'PUT', bucket, key: 'tamper.txt', body: 'abc', headers: { 'x-oss-meta-a': '1' },
      mutate: (r) => { r.headers['x-oss-meta-a'] = '2'; },
    });
    assertError(res, 403, 'SignatureDoesNotMatch');
    assertError(await send(srv, { bucket, key: 'tamper.txt' }), 404, 'NoSuchKey');
  });

  it('signature for another key cannot be replayed on a different path', async () => {
    const res = await send(srv, {
      bucket, key: 'other.txt',
      mutate: (r) => { r.path = `/${bucket}/${key}`; },
    });
    assertError(res, 403, 'SignatureDoesNotMatch');
  });

  const garbage = {
    'OSS': 'OSS',
    'OSS :': 'OSS :',
    'OSS <id> (no colon)': `OSS ${'LTAI5tTestRootKeyId00'}`,
    'OSS <id>: (empty signature)': 'OSS LTAI5tTestRootKeyId00:',
    'OSS :<sig> (empty id)': 'OSS :AAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    'OSS4-HMAC-SHA256 garbage': 'OSS4-HMAC-SHA256 garbage',
    'OSS4-HMAC-SHA256 without Signature': `OSS4-HMAC-SHA256 Credential=LTAI5tTestRootKeyId00/20240520/${REGION}/oss/aliyun_v4_request`,
    'OSS4-HMAC-SHA256 with bad credential scope': 'OSS4-HMAC-SHA256 Credential=x,Signature=00',
    'Basic abc': 'Basic abc',
    'Bearer token': 'Bearer eyJhbGciOiJub25lIn0.e30.',
    'AWS4-HMAC-SHA256 (S3 form)': 'AWS4-HMAC-SHA256 Credential=a/b/c/s3/aws4_request, SignedHeaders=host, Signature=00',
    'empty value': '',
    'only spaces': '   ',
    'non-ASCII bytes': 'OSS \u00ff\u00fe:\u00e9',
  };
  for (const [name, value] of Object.entries(garbage)) {
    it(`garbage Authorization "${name}" -> 400/403 OSS XML, never 5xx`, async () => {
      const res = await send(srv, {
        bucket, key, auth: 'none',
        headers: { 'x-oss-date': new Date().toUTCString(), Authorization: value },
      });
      const { code } = assertError(res, [400, 403],
        ['AccessDenied', 'InvalidArgument', 'InvalidAccessKeyId', 'SignatureDoesNotMatch'], name);
      // An empty Authorization header may legitimately count as anonymous (AccessDenied);
      // anything else must not be let through or be classified as a server fault.
      assert.notEqual(code, 'InternalError');
    });
  }

  it('garbage Authorization of 10 KB -> 400/403 OSS XML (or 431), never 5xx', async () => {
    const res = await send(srv, {
      bucket, key, auth: 'none',
      headers: { 'x-oss-date': new Date().toUTCString(), Authorization: `OSS ${'A'.repeat(5000)}:${'B'.repeat(5240)}` },
    });
    if (res.status === 431) return; // a header-size limit below 10 KB is an acceptable answer
    assertError(res, [400, 403], ['AccessDenied', 'InvalidArgument', 'InvalidAccessKeyId', 'SignatureDoesNotMatch'], '10KB');
  });

  it('two Authorization headers -> rejected (400/403), never 200', async () => {
    const res = await send(srv, {
      bucket, key,
      mutate: (r) => { r.headers.Authorization = [r.headers.Authorization, 'OSS x:y']; },
    });
    assertError(res, [400, 403], ['AccessDenied', 'InvalidArgument', 'InvalidAccessKeyId', 'SignatureDoesNotMatch']);
  });

  it('a signature made for GET cannot be replayed as DELETE', async () => {
    const res = await send(srv, { bucket, key, mutate: (r) => { r.method = 'DELETE'; } });
    assertError(res, 403, 'SignatureDoesNotMatch');
    assert.equal(assertOk(await send(srv, { bucket, key })).text, content);
  });

  it('signature with altered case -> 403 SignatureDoesNotMatch', async () => {
    const res = await send(srv, {
      bucket, key,
      mutate: (r) => {
        const [head, sig] = r.headers.Authorization.split(':');
        const flipped = sig.replace(/[a-zA-Z]/, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()));
        r.headers.Authorization = `${head}:${flipped}`;
      },
    });
    assertError(res, 403, 'SignatureDoesNotMatch');
  });

  it('bucket in Host and another bucket in the path: the path is the key inside the Host bucket', async () => {
    const other = uniqueName('auth-other');
    await createBucket(srv, other);
    await putObject(srv, other, 'private.txt', 'other bucket data');
    // Virtual-hosted on `bucket`: key = "<other>/private.txt", which does not exist there.
    const res = await send(srv, { bucket, key: `${other}/private.txt`, vhost: 'localhost' });
    assertError(res, 404, 'NoSuchKey');
    // Signing for the other bucket's resource while addressing `bucket` does not work either.
    const forged = await send(srv, {
      bucket: other, key: 'private.txt',
      mutate: (r) => { r.headers.Host = `${bucket}.localhost:${srv.port}`; r.path = `/${other}/private.txt`; },
    });
    assert.notEqual(forged.status, 200, 'cross-bucket read through Host/path confusion');
    assert.ok(!forged.text.includes('other bucket data'));
  });

  describe('V1 signed URLs (signed with ali-oss _signatureForURL)', () => {
    function signedUrl({ method = 'GET', k = key, expires, extra = {} }) {
      const resource = `/${bucket}/${k}`;
      const { Signature, subResource } = signUtils._signatureForURL(srv.accessKeySecret, { method, ...extra }, resource, expires);
      const q = new URLSearchParams({ OSSAccessKeyId: srv.accessKeyId, Expires: String(expires), Signature, ...subResource });
      return `/${bucket}/${encodeKeyPath(k)}?${q.toString().replace(/\+/g, '%20')}`;
    }
    const now = () => Math.floor(Date.now() / 1000);

    it('valid signed URL reads the object anonymously', async () => {
      const res = assertOk(await send(srv, { auth: 'none', rawPath: signedUrl({ expires: now() + 600 }) }));
      assert.equal(res.text, content);
    });

    it('signed URL with response-content-type override works and the override is bound', async () => {
      const url = signedUrl({ expires: now() + 600, extra: { response: { 'content-type': 'text/x-signed' } } });
      const res = assertOk(await send(srv, { auth: 'none', rawPath: url }));
      assert.equal(res.headers['content-type'], 'text/x-signed');
      const tampered = url.replace('text%2Fx-signed', 'text%2Fhtml');
      assert.notEqual(tampered, url);
      assertError(await send(srv, { auth: 'none', rawPath: tampered }), 403, 'SignatureDoesNotMatch');
    });

    it('expired signed URL -> 403 AccessDenied', async () => {
      assertError(await send(srv, { auth: 'none', rawPath: signedUrl({ expires: now() - 60 }) }), 403, 'AccessDenied');
    });

    it('signed URL with Expires moved forward -> 403 SignatureDoesNotMatch', async () => {
      const exp = now() + 60;
      const url = signedUrl({ expires: exp }).replace(`Expires=${exp}`, `Expires=${exp + 86400}`);
      assertError(await send(srv, { auth: 'none', rawPath: url }), 403, 'SignatureDoesNotMatch');
    });

    it('GET-signed URL used for PUT -> 403, no object written', async () => {
      const url = signedUrl({ k: 'url/put.txt', expires: now() + 600 });
      assertError(await send(srv, { method: 'PUT', auth: 'none', rawPath: url, body: 'x' }), 403, 'SignatureDoesNotMatch');
      assertError(await send(srv, { bucket, key: 'url/put.txt' }), 404, 'NoSuchKey');
    });

    it('signed URL for one key used on another -> 403', async () => {
      const url = signedUrl({ k: 'a.txt', expires: now() + 600 }).replace(`/${bucket}/a.txt?`, `/${bucket}/${encodeKeyPath(key)}?`);
      assertError(await send(srv, { auth: 'none', rawPath: url }), 403, 'SignatureDoesNotMatch');
    });
  });

  it('x-oss-date 20 minutes in the past -> 403 RequestTimeTooSkewed with ServerTime', async () => {
    const before = Date.now();
    const res = await send(srv, { bucket, key, date: new Date(Date.now() - 20 * 60 * 1000) });
    const { xml } = assertError(res, 403, 'RequestTimeTooSkewed');
    const serverTime = xmlText(xml, 'ServerTime');
    assert.ok(serverTime, 'no <ServerTime> element');
    const t = Date.parse(serverTime);
    assert.ok(Number.isFinite(t), `unparsable ServerTime ${serverTime}`);
    assert.ok(Math.abs(t - before) < 60 * 1000, `ServerTime ${serverTime} far from now`);
  });

  it('x-oss-date 20 minutes in the future -> 403 RequestTimeTooSkewed', async () => {
    const res = await send(srv, { bucket, key, date: new Date(Date.now() + 20 * 60 * 1000) });
    const { xml } = assertError(res, 403, 'RequestTimeTooSkewed');
    assert.ok(xmlText(xml, 'ServerTime'));
  });

  it('x-oss-date 14 minutes off is still inside the 15-minute window', async () => {
    assertOk(await send(srv, { bucket, key, date: new Date(Date.now() - 14 * 60 * 1000) }));
    assertOk(await send(srv, { bucket, key, date: new Date(Date.now() + 14 * 60 * 1000) }));
  });

  it('unparsable x-oss-date -> 403 (AccessDenied/RequestTimeTooSkewed) or 400, never 200/5xx', async () => {
    const res = await send(srv, { bucket, key, headers: { 'x-oss-date': 'yesterday-ish' } });
    assertError(res, [400, 403], ['AccessDenied', 'RequestTimeTooSkewed', 'InvalidArgument']);
  });

  it('signed request with no date at all -> 403 AccessDenied', async () => {
    const res = await send(srv, { bucket, key, noDate: true });
    assertError(res, [400, 403], ['AccessDenied', 'InvalidArgument']);
  });

  it('V1 signed with a Date header instead of x-oss-date works', async () => {
    const res = assertOk(await send(srv, { bucket, key, dateHeader: true }));
    assert.equal(res.text, content);
  });

  it('V4 header-signed PUT, GET, bucket GET with sub-resource and query all work', async () => {
    const body = 'v4 body \u4e2d\u6587';
    const k = 'v4/\u4e2d\u6587 key+1.txt';
    const put = assertOk(await send(srv, {
      auth: 'v4', method: 'PUT', bucket, key: k, body,
      headers: { 'Content-Type': 'text/plain', 'x-oss-meta-mode': 'v4' },
    }));
    assert.equal(put.headers.etag, etagOf(Buffer.from(body)));
    const get = assertOk(await send(srv, { auth: 'v4', bucket, key: k }));
    assert.equal(get.text, body);
    assert.equal(get.headers['x-oss-meta-mode'], 'v4');
    const acl = assertOk(await send(srv, { auth: 'v4', bucket, query: { acl: '' } }));
    assert.equal(xmlText(acl.text, 'Grant'), 'private');
    const list = assertOk(await send(srv, { auth: 'v4', bucket, query: { prefix: 'v4/', 'max-keys': '10' } }));
    assert.equal(xmlText(list.text, 'Key'), k);
  });

  it('V4 with AdditionalHeaders signed works', async () => {
    const res = assertOk(await send(srv, {
      auth: 'v4', bucket, key, headers: { Range: 'bytes=0-2' }, additionalHeaders: ['range'],
    }), 206);
    assert.equal(res.text, content.slice(0, 3));
  });

  it('V4 tampered signature -> 403 SignatureDoesNotMatch', async () => {
    const res = await send(srv, {
      auth: 'v4', bucket, key,
      mutate: (r) => {
        const a = r.headers.Authorization;
        const last = a.at(-1) === '0' ? '1' : '0';
        r.headers.Authorization = a.slice(0, -1) + last;
      },
    });
    assertError(res, 403, 'SignatureDoesNotMatch');
  });

  it('V4 header changed after signing -> 403 SignatureDoesNotMatch and no object', async () => {
    const res = await send(srv, {
      auth: 'v4', method: 'PUT', bucket, key: 'v4-tamper.txt', body: 'abc', headers: { 'x-oss-meta-a': '1' },
      mutate: (r) => { r.headers['x-oss-meta-a'] = '2'; },
    });
    assertError(res, 403, 'SignatureDoesNotMatch');
    assertError(await send(srv, { bucket, key: 'v4-tamper.txt' }), 404, 'NoSuchKey');
  });

  it('V4 signed with the wrong secret -> 403 SignatureDoesNotMatch', async () => {
    const res = await send(srv, { auth: 'v4', bucket, key, accessKeySecret: 'nope-nope-nope' });
    assertError(res, 403, 'SignatureDoesNotMatch');
  });

  it('V4 x-oss-date 20 minutes off -> 403 RequestTimeTooSkewed', async () => {
    const res = await send(srv, { auth: 'v4', bucket, key, date: new Date(Date.now() - 20 * 60 * 1000) });
    const { xml } = assertError(res, 403, 'RequestTimeTooSkewed');
    assert.ok(xmlText(xml, 'ServerTime'));
  });

  it('V4 credential date differing from x-oss-date -> rejected 400/403', async () => {
    const res = await send(srv, {
      auth: 'v4', bucket, key,
      mutate: (r) => { r.headers.Authorization = r.headers.Authorization.replace(/Credential=([^/]+)\/\d{8}\//, 'Credential=$1/20200101/'); },
    });
    assertError(res, [400, 403], ['SignatureDoesNotMatch', 'InvalidArgument', 'AccessDenied']);
  });
});
