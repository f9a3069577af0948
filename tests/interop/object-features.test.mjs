// CopyObject, AppendObject, object ACL (incl. anonymous access), object tagging.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  MODES, TEST_TIMEOUT, assertRequestId, crc64, expectOssError, freshBucket, makeClient, simpleEtag, startOssd, stopOssd,
} from './lib/common.mjs';

let server;
before(async () => { server = await startOssd(); });
after(async () => { await stopOssd(server); });

// Unsigned (anonymous) GET in path style, straight to the loopback server.
function anonymousGet(bucket, key) {
  const p = `/${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: p, method: 'GET', headers: { Host: `localhost:${server.port}` }, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('anonymous GET timed out')));
    req.on('error', reject);
    req.end();
  });
}

for (const mode of MODES) {
  describe(`copy [${mode.name}]`, () => {
    it('copy in the same bucket keeps data and meta (COPY directive)', { timeout: TEST_TIMEOUT }, async () => {
      const { client } = await freshBucket(server, mode, 'cp');
      const body = Buffer.from('copy me, please — 复制');
      await client.put('src/orig.txt', body, { meta: { color: 'blue' }, headers: { 'Cache-Control': 'max-age=60' } });
      const r = await client.copy('dst/copy.txt', 'src/orig.txt');
      assert.equal(r.res.status, 200);
      assertRequestId(r.res, 'copy');
      assert.equal(r.data.etag, simpleEtag(body), 'CopyObjectResult ETag');
      assert.ok(Number.isFinite(Date.parse(r.data.lastModified)), `CopyObjectResult LastModified ${r.data.lastModified}`);

      const g = await client.get('dst/copy.txt');
      assert.ok(g.content.equals(body));
      assert.equal(g.res.headers['x-oss-meta-color'], 'blue');
      assert.equal(g.res.headers['cache-control'], 'max-age=60');
      assert.equal(g.res.headers['content-type'], 'text/plain');
      assert.equal(g.res.headers['x-oss-hash-crc64ecma'], crc64(body));
      // the source is untouched
      assert.ok((await client.get('src/orig.txt')).content.equals(body));
    });

    it('copy with meta -> REPLACE directive replaces the user metadata', { timeout: TEST_TIMEOUT }, async () => {
      const { client } = await freshBucket(server, mode, 'cpr');
      const body = Buffer.from('replace my meta');
      await client.put('a.txt', body, { meta: { old: '1', keep: 'no' } });
      const r = await client.copy('b.txt', 'a.txt', { meta: { fresh: 'yes' } });
      assert.equal(r.res.status, 200);
      const h = await client.head('b.txt');
      assert.deepEqual(h.meta, { fresh: 'yes' }, 'only the new meta');
      assert.ok((await client.get('b.txt')).content.equals(body));
      // putMeta = copy onto itself with REPLACE
      await client.putMeta('a.txt', { only: 'this' });
      const h2 = await client.head('a.txt');
      assert.deepEqual(h2.meta, { only: 'this' });
      assert.ok((await client.get('a.txt')).content.equals(body), 'data unchanged by putMeta');
    });

    it('copy from another bucket (key with / and CJK), and missing source -> NoSuchKey', { timeout: TEST_TIMEOUT }, async () => {
      const src = await freshBucket(server, mode, 'cpsrc');
      const dst = await freshBucket(server, mode, 'cpdst');
      const body = Buffer.from('cross-bucket payload');
      await src.client.put('deep/路径/file name.txt', body, { meta: { from: 'src' } });
      const r = await dst.client.copy('landed.txt', 'deep/路径/file name.txt', src.name);
      assert.equal(r.res.status, 200);
      assert.equal(r.data.etag, simpleEtag(body));
      const g = await dst.client.get('landed.txt');
      assert.ok(g.content.equals(body));
      assert.equal(g.res.headers['x-oss-meta-from'], 'src');
      // The '/bucket/key' source form of the same call.
      const r2 = await dst.client.copy('landed2.txt', `/${src.name}/deep/路径/file name.txt`);
      assert.equal(r2.data.etag, simpleEtag(body));

      await expectOssError(dst.client.copy('x.txt', 'does/not/exist.txt', src.name), 'NoSuchKey', 404, 'copy missing source');
      await expectOssError(dst.client.copy('x.txt', 'a.txt', `${src.name}-nope`), 'NoSuchBucket', 404, 'copy from missing bucket');
    });
  });

  describe(`append [${mode.name}]`, () => {
    it('append at 0, then at nextAppendPosition; wrong position -> PositionNotEqualToLength', { timeout: TEST_TIMEOUT }, async () => {
      const { client } = await freshBucket(server, mode, 'app');
      const p1 = Buffer.from('first part|');
      const p2 = Buffer.from('second part|');
      const p3 = Buffer.from('third');

      const a1 = await client.append('log.txt', p1);
      assert.equal(a1.res.status, 200);
      assertRequestId(a1.res, 'append');
      assert.equal(a1.nextAppendPosition, String(p1.length));
      assert.equal(a1.res.headers['x-oss-hash-crc64ecma'], crc64(p1));

      const a2 = await client.append('log.txt', p2, { position: a1.nextAppendPosition });
      assert.equal(a2.nextAppendPosition, String(p1.length + p2.length));
      const a3 = await client.append('log.txt', p3, { position: a2.nextAppendPosition });
      const whole = Buffer.concat([p1, p2, p3]);
      assert.equal(a3.nextAppendPosition, String(whole.length));
      assert.equal(a3.res.headers['x-oss-hash-crc64ecma'], crc64(whole), 'CRC of the whole object after append');

      const g = await client.get('log.txt');
      assert.ok(g.content.equals(whole));
      assert.equal(g.res.headers['x-oss-object-type'], 'Appendable');
      assert.equal(g.res.headers['x-oss-next-append-position'], String(whole.length));

      const e = await expectOssError(client.append('log.txt', Buffer.from('x'), { position: 3 }),
        'PositionNotEqualToLength', 409, 'append at wrong position');
      assert.ok(e);
      assert.ok((await client.get('log.txt')).content.equals(whole), 'object unchanged after rejected append');

      await client.put('normal.txt', Buffer.from('normal'));
      await expectOssError(client.append('normal.txt', Buffer.from('x'), { position: 6 }),
        'ObjectNotAppendable', 409, 'append to a Normal object');

      // a PUT over an appendable object makes it Normal again
      await client.put('log.txt', Buffer.from('reset'));
      const h = await client.head('log.txt');
      assert.equal(h.res.headers['x-oss-object-type'], 'Normal');
    });
  });

  describe(`object acl [${mode.name}]`, () => {
    it('putACL/getACL, x-oss-object-acl on put', { timeout: TEST_TIMEOUT }, async () => {
      const { client } = await freshBucket(server, mode, 'oacl');
      await client.put('o.txt', Buffer.from('acl'));
      const a0 = await client.getACL('o.txt');
      assertRequestId(a0.res, 'getACL');
      assert.equal(a0.acl, 'default', 'new objects inherit the bucket ACL');
      assert.ok(a0.owner.id);

      const p = await client.putACL('o.txt', 'public-read');
      assert.equal(p.res.status, 200);
      assertRequestId(p.res, 'putACL');
      assert.equal((await client.getACL('o.txt')).acl, 'public-read');
      await client.putACL('o.txt', 'private');
      assert.equal((await client.getACL('o.txt')).acl, 'private');

      await client.put('p.txt', Buffer.from('acl2'), { headers: { 'x-oss-object-acl': 'public-read-write' } });
      assert.equal((await client.getACL('p.txt')).acl, 'public-read-write');

      await expectOssError(client.getACL('missing.txt'), 'NoSuchKey', 404, 'getACL missing object');
    });
  });

  describe(`tagging [${mode.name}]`, () => {
    it('putObjectTagging / getObjectTagging / deleteObjectTagging, x-oss-tagging on put', { timeout: TEST_TIMEOUT }, async () => {
      const { client } = await freshBucket(server, mode, 'tag');
      await client.put('t.txt', Buffer.from('tagged'));
      const t0 = await client.getObjectTagging('t.txt');
      assert.equal(t0.status, 200);
      assert.deepEqual(t0.tag, {});

      const p = await client.putObjectTagging('t.txt', { project: 'ossd', 'cost center': 'a+b=c' });
      assert.equal(p.status, 200);
      assertRequestId(p.res, 'putObjectTagging');
      const t1 = await client.getObjectTagging('t.txt');
      assertRequestId(t1.res, 'getObjectTagging');
      assert.deepEqual(t1.tag, { project: 'ossd', 'cost center': 'a+b=c' });
      assert.equal((await client.head('t.txt')).res.headers['x-oss-tagging-count'], '2');

      const replaced = await client.putObjectTagging('t.txt', { only: 'one' });
      assert.equal(replaced.status, 200);
      assert.deepEqual((await client.getObjectTagging('t.txt')).tag, { only: 'one' }, 'PutObjectTagging replaces the set');

      const d = await client.deleteObjectTagging('t.txt');
      assert.equal(d.status, 204);
      assertRequestId(d.res, 'deleteObjectTagging');
      assert.deepEqual((await client.getObjectTagging('t.txt')).tag, {});
      assert.equal((await client.get('t.txt')).content.toString(), 'tagged', 'data untouched by tagging calls');

      await client.put('h.txt', Buffer.from('hdr'), { headers: { 'x-oss-tagging': 'k1=v1&k2=v%202' } });
      assert.deepEqual((await client.getObjectTagging('h.txt')).tag, { k1: 'v1', k2: 'v 2' });

      await expectOssError(client.getObjectTagging('missing.txt'), 'NoSuchKey', 404, 'getObjectTagging missing');
    });
  });
}

describe('acl enforcement [anonymous]', () => {
  it('anonymous GET: private -> AccessDenied 403, public-read object or bucket -> 200', { timeout: TEST_TIMEOUT }, async () => {
    const mode = MODES[0];
    const { name, client } = await freshBucket(server, mode, 'anon');
    const body = Buffer.from('world readable?');
    await client.put('o.txt', body);

    const denied = await anonymousGet(name, 'o.txt');
    assert.equal(denied.status, 403);
    assert.match(denied.body.toString(), /<Code>AccessDenied<\/Code>/);
    assert.match(String(denied.headers['x-oss-request-id'] ?? ''), /^[0-9A-Fa-f]{24}$/);

    await client.putACL('o.txt', 'public-read');
    const ok = await anonymousGet(name, 'o.txt');
    assert.equal(ok.status, 200);
    assert.ok(ok.body.equals(body));

    await client.put('p.txt', body); // ACL default -> inherits private bucket
    assert.equal((await anonymousGet(name, 'p.txt')).status, 403);
    await makeClient(server, mode).putBucketACL(name, 'public-read');
    const viaBucket = await anonymousGet(name, 'p.txt');
    assert.equal(viaBucket.status, 200, 'default object ACL inherits public-read bucket');
    assert.ok(viaBucket.body.equals(body));

    await client.putACL('p.txt', 'private');
    assert.equal((await anonymousGet(name, 'p.txt')).status, 403, 'explicit private object ACL overrides the bucket');
  });
});
