// Object keys, bucket names and Content-MD5: hostile values are rejected with
// the OSS code, traversal-looking keys are just data, digests are enforced.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, lstatSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { startServer } from '../lib/server.mjs';
import {
  send, assertError, assertOk, createBucket, putObject, uniqueName, xmlAll, xmlUnescape, etagOf, md5b64,
} from './lib/oss.mjs';

// Percent-encodes every byte, so the server must decode ("%2E%2E%2F..").
function encodeAll(key) {
  return [...Buffer.from(key, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    out.push(p);
    const st = lstatSync(p);
    if (st.isDirectory() && !st.isSymbolicLink()) walk(p, out);
  }
  return out;
}

describe('object keys', () => {
  let srv;
  const bucket = uniqueName('keys');
  before(async () => {
    srv = await startServer();
    await createBucket(srv, bucket);
  });
  after(async () => { await srv?.stop(); });

  it('key of 1023 bytes is accepted and reads back', async () => {
    const key = `k/${'x'.repeat(1021)}`;
    assert.equal(Buffer.byteLength(key), 1023);
    await putObject(srv, bucket, key, 'long');
    assert.equal(assertOk(await send(srv, { bucket, key })).text, 'long');
  });

  it('key of 1024 bytes -> 400 InvalidObjectName', async () => {
    const key = `k/${'y'.repeat(1022)}`;
    assertError(await send(srv, { method: 'PUT', bucket, key, body: 'x' }), 400, 'InvalidObjectName');
  });

  it('key of 1024 bytes made of multi-byte UTF-8 -> 400 InvalidObjectName', async () => {
    const key = '\u4e2d'.repeat(341) + 'a'; // 341*3 + 1 = 1024 bytes
    assert.equal(Buffer.byteLength(key), 1024);
    assertError(await send(srv, { method: 'PUT', bucket, key, body: 'x' }), 400, 'InvalidObjectName');
  });

  for (const [name, bytes] of [['%FF', [0xff]], ['%C3%28', [0x61, 0xc3, 0x28]], ['overlong %C0%AF', [0xc0, 0xaf]],
    ['surrogate %ED%A0%80', [0xed, 0xa0, 0x80]], ['truncated %E4%B8', [0x61, 0xe4, 0xb8]]]) {
    it(`invalid UTF-8 key (${name}) -> 400 InvalidObjectName`, async () => {
      const key = Buffer.from(bytes);
      assertError(await send(srv, { method: 'PUT', bucket, key, body: 'x' }), 400, 'InvalidObjectName', name);
    });
  }

  it('key starting with "/" (path //x) -> 400 InvalidObjectName', async () => {
    const res = await send(srv, { method: 'PUT', bucket, key: '/x', body: 'x', rawPath: `/${bucket}//x` });
    assertError(res, 400, 'InvalidObjectName');
  });

  it('key starting with "/" (encoded %2Fx) -> 400 InvalidObjectName', async () => {
    const res = await send(srv, { method: 'PUT', bucket, key: '/x', body: 'x', rawPath: `/${bucket}/%2Fx` });
    assertError(res, 400, 'InvalidObjectName');
  });

  it('key starting with "/" in virtual-hosted style (path //x) -> 400 InvalidObjectName', async () => {
    const res = await send(srv, { method: 'PUT', bucket, key: '/x', body: 'x', vhost: 'localhost', rawPath: '//x' });
    assertError(res, 400, 'InvalidObjectName');
  });

  it('key starting with "\\" (raw and %5C) -> 400 InvalidObjectName', async () => {
    assertError(await send(srv, { method: 'PUT', bucket, key: '\\x', body: 'x', rawPath: `/${bucket}/\\x` }),
      400, 'InvalidObjectName', 'raw backslash');
    assertError(await send(srv, { method: 'PUT', bucket, key: '\\x', body: 'x', rawPath: `/${bucket}/%5Cx` }),
      400, 'InvalidObjectName', '%5C');
  });

  it('empty key as copy source (x-oss-copy-source: /bucket/) -> 400 InvalidObjectName/InvalidArgument', async () => {
    await putObject(srv, bucket, 'copy-dst-existing', 'keep');
    const res = await send(srv, {
      method: 'PUT', bucket, key: 'copy-dst-existing', headers: { 'x-oss-copy-source': `/${bucket}/` },
    });
    assertError(res, 400, ['InvalidObjectName', 'InvalidArgument']);
    assert.equal(assertOk(await send(srv, { bucket, key: 'copy-dst-existing' })).text, 'keep');
  });

  it('empty key in DeleteMultipleObjects (<Key></Key>) -> 400 InvalidObjectName, nothing deleted', async () => {
    await putObject(srv, bucket, 'dm-keep', 'keep');
    const xml = '<Delete><Quiet>false</Quiet><Object><Key>dm-keep</Key></Object><Object><Key></Key></Object></Delete>';
    const res = await send(srv, {
      method: 'POST', bucket, query: { delete: '' }, body: xml, headers: { 'Content-MD5': md5b64(Buffer.from(xml)) },
    });
    assertError(res, 400, 'InvalidObjectName');
    assert.equal(assertOk(await send(srv, { bucket, key: 'dm-keep' })).text, 'keep');
  });

  it('key over 1023 bytes in DeleteMultipleObjects -> 400 InvalidObjectName', async () => {
    const xml = `<Delete><Object><Key>${'z'.repeat(1024)}</Key></Object></Delete>`;
    const res = await send(srv, {
      method: 'POST', bucket, query: { delete: '' }, body: xml, headers: { 'Content-MD5': md5b64(Buffer.from(xml)) },
    });
    assertError(res, 400, 'InvalidObjectName');
  });

  it('key with a NUL byte -> 400 InvalidObjectName, or stored verbatim', async () => {
    const key = 'nul\u0000byte';
    const res = await send(srv, { method: 'PUT', bucket, key, body: 'nul' });
    if (res.status === 400) {
      assertError(res, 400, ['InvalidObjectName', 'InvalidArgument']);
    } else {
      assertOk(res);
      assert.equal(assertOk(await send(srv, { bucket, key })).text, 'nul');
      assertError(await send(srv, { bucket, key: 'nul' }), 404, 'NoSuchKey', 'key truncated at NUL');
    }
  });

  it('traversal-looking keys are stored verbatim as distinct keys and never become paths', async () => {
    const passwdOutside = [
      path.join(path.dirname(srv.dataDir), 'etc', 'passwd'),
      path.join(tmpdir(), 'etc', 'passwd'),
      path.join(srv.dataDir, 'etc', 'passwd'),
    ];
    const existedBefore = passwdOutside.map((p) => existsSync(p));
    // [key, raw path used for the PUT]
    const cases = [
      ['../../etc/passwd', `/${bucket}/../../etc/passwd`],
      ['../../../../../../etc/passwd', `/${bucket}/..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd`],
      ['a/../b', `/${bucket}/a/../b`],
      ['b', `/${bucket}/b`],
      ['%2e%2e', `/${bucket}/%252e%252e`],
      ['..', `/${bucket}/%2e%2e`],
      ['.', `/${bucket}/.`],
      ['./c', `/${bucket}/./c`],
      ['c', `/${bucket}/c`],
      ['../x', `/${bucket}/%2E%2E/x`],
      ['x/..', `/${bucket}/x/..`],
      ['a/./b', `/${bucket}/a/./b`],
      ['a//b', `/${bucket}/a//b`],
    ];
    const bodyOf = (k) => `content of [${k}]`;
    for (const [key, rawPath] of cases) {
      const res = await send(srv, { method: 'PUT', bucket, key, rawPath, body: bodyOf(key) });
      assertOk(res, 200, `PUT ${JSON.stringify(key)} via ${rawPath}`);
      assert.equal(res.headers.etag, etagOf(Buffer.from(bodyOf(key))));
    }
    // Read each back through a fully percent-encoded path: same key, own content.
    for (const [key] of cases) {
      const res = await send(srv, { bucket, key, rawPath: `/${bucket}/${encodeAll(key)}` });
      assertOk(res, 200, `GET ${JSON.stringify(key)}`);
      assert.equal(res.text, bodyOf(key), `content of ${JSON.stringify(key)}`);
    }
    // ...and through its raw form.
    for (const [key, rawPath] of cases) {
      const res = await send(srv, { bucket, key, rawPath });
      assert.equal(assertOk(res, 200, `GET raw ${rawPath}`).text, bodyOf(key));
    }
    // Listing shows every key verbatim.
    const list = assertOk(await send(srv, { bucket, query: { 'max-keys': '1000' } }));
    const listed = new Set(xmlAll(list.text, 'Key').map(xmlUnescape));
    for (const [key] of cases) assert.ok(listed.has(key), `list is missing ${JSON.stringify(key)}: ${[...listed]}`);
    // Nothing derived from a key exists as a path, inside or outside the data dir.
    const entries = walk(srv.dataDir).map((p) => path.relative(srv.dataDir, p));
    for (const rel of entries) {
      const segs = rel.split(path.sep);
      assert.ok(!segs.includes('passwd') && !segs.includes('etc'), `data dir has key-derived path ${rel}`);
      assert.ok(!/%2e|content of/i.test(rel), `data dir has key-derived path ${rel}`);
    }
    assert.deepEqual(passwdOutside.map((p) => existsSync(p)), existedBefore, 'a passwd file appeared outside the data dir');
  });

  it('DELETE of a traversal key deletes only that key', async () => {
    await putObject(srv, bucket, 'del/b', 'B');
    const res = await send(srv, { method: 'DELETE', bucket, key: 'del/a/../b', rawPath: `/${bucket}/del/a/../b` });
    assertOk(res, 204);
    assert.equal(assertOk(await send(srv, { bucket, key: 'del/b' })).text, 'B');
  });

  it('copy source with ../ does not escape the bucket', async () => {
    const other = uniqueName('keys-other');
    await createBucket(srv, other);
    await putObject(srv, other, 'victim', 'secret-other');
    const res = await send(srv, {
      method: 'PUT', bucket, key: 'copied',
      headers: { 'x-oss-copy-source': `/${bucket}/..%2F${other}%2Fvictim` },
    });
    // The key "../<other>/victim" does not exist in this bucket.
    assertError(res, 404, 'NoSuchKey');
    assertError(await send(srv, { bucket, key: 'copied' }), 404, 'NoSuchKey');
  });
});

describe('Content-MD5', () => {
  let srv;
  const bucket = uniqueName('md5');
  const key = 'digest.txt';
  const original = Buffer.from('original body');
  before(async () => {
    srv = await startServer();
    await createBucket(srv, bucket);
    await putObject(srv, bucket, key, original, { 'Content-MD5': md5b64(original) });
  });
  after(async () => { await srv?.stop(); });

  async function unchanged() {
    const res = assertOk(await send(srv, { bucket, key }));
    assert.equal(res.text, original.toString());
    assert.equal(res.headers.etag, etagOf(original));
  }

  it('correct Content-MD5 is accepted', async () => {
    const body = Buffer.from('fresh');
    assertOk(await send(srv, { method: 'PUT', bucket, key: 'ok-md5', body, headers: { 'Content-MD5': md5b64(body) } }));
  });

  it('wrong Content-MD5 (valid digest of other data) -> 400 InvalidDigest/BadDigest, old object unchanged', async () => {
    const res = await send(srv, {
      method: 'PUT', bucket, key, body: 'replacement body', headers: { 'Content-MD5': md5b64(Buffer.from('something else')) },
    });
    assertError(res, 400, ['InvalidDigest', 'BadDigest']);
    await unchanged();
  });

  it('wrong Content-MD5 on a new key -> 400 and no object', async () => {
    const res = await send(srv, {
      method: 'PUT', bucket, key: 'new-bad-md5', body: 'abc', headers: { 'Content-MD5': md5b64(Buffer.from('abd')) },
    });
    assertError(res, 400, ['InvalidDigest', 'BadDigest']);
    assertError(await send(srv, { bucket, key: 'new-bad-md5' }), 404, 'NoSuchKey');
  });

  for (const [name, value] of [['not base64', 'not-base64!!'], ['5 bytes', 'aGVsbG8='], ['empty-ish', '=='],
    ['hex digest', 'd41d8cd98f00b204e9800998ecf8427e'], ['17 bytes', Buffer.alloc(17).toString('base64')]]) {
    it(`malformed Content-MD5 (${name}) -> 400 InvalidDigest, old object unchanged`, async () => {
      const res = await send(srv, { method: 'PUT', bucket, key, body: 'replacement', headers: { 'Content-MD5': value } });
      assertError(res, 400, 'InvalidDigest', name);
      await unchanged();
    });
  }

  it('wrong Content-MD5 on UploadPart -> 400 and the part is not listed', async () => {
    const init = assertOk(await send(srv, { method: 'POST', bucket, key: 'mp-md5', query: { uploads: '' } }));
    const uploadId = xmlAll(init.text, 'UploadId')[0];
    assert.ok(uploadId);
    const res = await send(srv, {
      method: 'PUT', bucket, key: 'mp-md5', query: { partNumber: '1', uploadId }, body: 'part',
      headers: { 'Content-MD5': md5b64(Buffer.from('trap')) },
    });
    assertError(res, 400, ['InvalidDigest', 'BadDigest']);
    const parts = assertOk(await send(srv, { bucket, key: 'mp-md5', query: { uploadId } }));
    assert.equal(xmlAll(parts.text, 'Part').length, 0, parts.text);
    assertOk(await send(srv, { method: 'DELETE', bucket, key: 'mp-md5', query: { uploadId } }), 204);
  });
});

describe('bucket names', () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await srv?.stop(); });

  const bad = {
    'too short (2)': 'ab',
    'too long (64)': `a${'b'.repeat(62)}c`,
    'uppercase': 'UpperCase',
    'one uppercase letter': 'bucket-A1',
    'underscore': 'under_score',
    'leading -': '-leading',
    'trailing -': 'trailing-',
    'dot': 'a.b.c',
    'percent-encoded space': 'a%20bc',
  };
  for (const [name, bucket] of Object.entries(bad)) {
    it(`PutBucket "${bucket}" (${name}) -> 400 InvalidBucketName`, async () => {
      const res = await send(srv, { method: 'PUT', bucket, rawPath: `/${bucket}/` });
      assertError(res, 400, 'InvalidBucketName', name);
    });
  }

  it('invalid bucket name via virtual host (UPPER.localhost) -> 400 InvalidBucketName or path-style fallback, never created', async () => {
    const res = await send(srv, { method: 'PUT', bucket: 'Bad_Name', vhost: 'localhost', rawPath: '/' });
    assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
    const list = assertOk(await send(srv, {}));
    assert.ok(!/Bad_Name/i.test(list.text), 'invalid bucket got created');
  });

  it('3- and 63-character names are accepted (boundaries)', async () => {
    const short = `b${(Date.now() % 10)}z`;
    const long = `l${'0123456789'.repeat(7)}`.slice(0, 62) + 'z';
    assert.equal(long.length, 63);
    await createBucket(srv, short);
    await createBucket(srv, long);
    const list = assertOk(await send(srv, {}));
    assert.ok(list.text.includes(`<Name>${short}</Name>`));
    assert.ok(list.text.includes(`<Name>${long}</Name>`));
  });

  it('object request on an invalid bucket name -> 400 InvalidBucketName', async () => {
    assertError(await send(srv, { bucket: 'under_score', key: 'k' }), 400, 'InvalidBucketName');
  });

  it('object request on a missing bucket -> 404 NoSuchBucket with BucketName', async () => {
    const b = uniqueName('missing');
    const { xml } = assertError(await send(srv, { bucket: b, key: 'k' }), 404, 'NoSuchBucket');
    assert.equal(xmlAll(xml, 'BucketName')[0], b);
  });
});
