// Simple object operations through ali-oss: put/get/head/getObjectMeta/delete/
// deleteMulti, errors, range and conditional GET, forbid-overwrite.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import {
  MODES, TEST_TIMEOUT, assertRequestId, crc64, expectOssError, freshBucket, makeClient, md5b64, randomBytesSeeded,
  simpleEtag, startOssd, stopOssd,
} from './lib/common.mjs';

let server;
let tmp;
before(async () => {
  server = await startOssd();
  tmp = mkdtempSync(path.join(tmpdir(), 'ossd-interop-obj-'));
});
after(async () => {
  await stopOssd(server);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

for (const mode of MODES) {
  describe(`object [${mode.name}]`, () => {
    it('put Buffer with meta and headers; get, head, getObjectMeta agree', { timeout: TEST_TIMEOUT }, async () => {
      const { client } = await freshBucket(server, mode, 'put');
      const body = randomBytesSeeded(64 * 1024 + 7, 11);
      const put = await client.put('dir/data.bin', body, {
        meta: { Project: 'ossd', 'Build-Id': 'AbC-123' },
        mime: 'application/x-custom',
        headers: { 'Cache-Control': 'no-cache', 'Content-Disposition': 'attachment; filename="data.bin"' },
      });
      assert.equal(put.res.status, 200);
      assertRequestId(put.res, 'put');
      assert.equal(put.name, 'dir/data.bin');
      assert.equal(put.res.headers.etag, simpleEtag(body), 'PutObject ETag = quoted upper-case MD5');
      assert.equal(put.res.headers['x-oss-hash-crc64ecma'], crc64(body), 'PutObject x-oss-hash-crc64ecma');
      assert.equal(put.res.headers['content-md5'], md5b64(body), 'PutObject Content-MD5 response header');

      const get = await client.get('dir/data.bin');
      assert.equal(get.res.status, 200);
      assertRequestId(get.res, 'get');
      assert.ok(Buffer.isBuffer(get.content));
      assert.equal(get.content.length, body.length);
      assert.ok(get.content.equals(body), 'GET returns the bytes that were PUT');
      const gh = get.res.headers;
      assert.equal(gh.etag, simpleEtag(body));
      assert.equal(gh['content-length'], String(body.length));
      assert.equal(gh['content-type'], 'application/x-custom');
      assert.equal(gh['cache-control'], 'no-cache');
      assert.equal(gh['content-disposition'], 'attachment; filename="data.bin"');
      assert.equal(gh['x-oss-meta-project'], 'ossd');
      assert.equal(gh['x-oss-meta-build-id'], 'AbC-123', 'meta value case preserved');
      assert.equal(gh['x-oss-object-type'], 'Normal');
      assert.equal(gh['x-oss-storage-class'], 'Standard');
      assert.equal(gh['x-oss-hash-crc64ecma'], crc64(body));
      assert.equal(gh['accept-ranges'], 'bytes');
      assert.match(gh['last-modified'] || '', HTTP_DATE);
      assert.ok(Math.abs(Date.parse(gh['last-modified']) - Date.now()) < 10 * 60 * 1000, 'Last-Modified is now');

      const head = await client.head('dir/data.bin');
      assert.equal(head.status, 200);
      assertRequestId(head.res, 'head');
      assert.deepEqual(head.meta, { project: 'ossd', 'build-id': 'AbC-123' }, 'head meta: names lower-cased, values verbatim');
      assert.equal(head.res.headers['content-length'], String(body.length));
      assert.equal(head.res.headers.etag, simpleEtag(body));
      assert.equal(head.res.headers['content-type'], 'application/x-custom');
      assert.equal(head.res.headers['x-oss-object-type'], 'Normal');
      assert.equal(head.res.headers['last-modified'], gh['last-modified']);

      const meta = await client.getObjectMeta('dir/data.bin');
      assert.equal(meta.status, 200);
      assertRequestId(meta.res, 'getObjectMeta');
      assert.equal(meta.res.headers.etag, simpleEtag(body));
      assert.equal(meta.res.headers['content-length'], String(body.length));
      assert.equal(meta.res.headers['last-modified'], gh['last-modified']);
    });

    it('put from a string (UTF-8 text and a file path) and from a stream', { timeout: TEST_TIMEOUT }, async () => {
      const { client } = await freshBucket(server, mode, 'str');
      // A string body goes through Buffer.from (ali-oss treats a string argument as a file path).
      const text = 'héllo, 世界 — ossd\n';
      const r1 = await client.put('text/hello.txt', Buffer.from(text, 'utf8'));
      assert.equal(r1.res.headers.etag, simpleEtag(Buffer.from(text, 'utf8')));
      const g1 = await client.get('text/hello.txt');
      assert.equal(g1.content.toString('utf8'), text);
      assert.equal(g1.res.headers['content-type'], 'text/plain', 'Content-Type guessed from .txt by the SDK is stored');

      const file = path.join(tmp, `upload-${mode.name}.json`);
      const fileBody = Buffer.from(JSON.stringify({ mode: mode.name, n: [1, 2, 3] }));
      writeFileSync(file, fileBody);
      const r2 = await client.put('text/from-file.json', file);
      assert.equal(r2.res.status, 200);
      assert.equal(r2.res.headers.etag, simpleEtag(fileBody));
      const g2 = await client.get('text/from-file.json');
      assert.ok(g2.content.equals(fileBody));
      assert.equal(g2.res.headers['content-type'], 'application/json');

      // putStream without contentLength -> Transfer-Encoding: chunked
      const streamBody = randomBytesSeeded(150 * 1024, 5);
      const r3 = await client.putStream('text/chunked.bin', Readable.from([streamBody.subarray(0, 70000), streamBody.subarray(70000)]));
      assert.equal(r3.res.status, 200);
      assert.equal(r3.res.headers.etag, simpleEtag(streamBody));
      const g3 = await client.get('text/chunked.bin');
      assert.ok(g3.content.equals(streamBody), 'chunked upload stored intact');

      // empty object
      const r4 = await client.put('text/empty', Buffer.alloc(0));
      assert.equal(r4.res.headers.etag, simpleEtag(Buffer.alloc(0)));
      const g4 = await client.get('text/empty');
      assert.equal(g4.content.length, 0);
      assert.equal(g4.res.headers['content-length'], '0');
    });

    it('keys with special characters round-trip (signing and URL encoding)', { timeout: TEST_TIMEOUT }, async () => {
      const { name: bucket, client } = await freshBucket(server, mode, 'keys');
      const keys = [
        'sp ace/a+b=c&d.txt',
        '中文/文件 名.txt',
        "odd!'()*~@$,;:.bin",
        'pct%20literal%2F.txt',
        `${bucket}/starts-with-bucket-name.txt`, // vhost: the whole path is the key
        'a//double/slash/',
      ];
      for (const [i, key] of keys.entries()) {
        const body = Buffer.from(`body ${i} of ${key}`);
        const put = await client.put(key, body);
        assert.equal(put.res.headers.etag, simpleEtag(body), `put ${key}`);
        const got = await client.get(key);
        assert.ok(got.content.equals(body), `get ${key}`);
        const head = await client.head(key);
        assert.equal(head.res.headers['content-length'], String(body.length), `head ${key}`);
      }
      const listed = (await client.list({ 'max-keys': 100 })).objects.map((o) => o.name).sort();
      assert.deepEqual(listed, [...keys].sort(), 'listing shows exactly the keys that were written');
    });

    it('delete, deleteMulti (verbose and quiet)', { timeout: TEST_TIMEOUT }, async () => {
      const { client } = await freshBucket(server, mode, 'del');
      await client.put('one.txt', Buffer.from('1'));
      const del = await client.delete('one.txt');
      assert.equal(del.res.status, 204);
      assertRequestId(del.res, 'delete');
      await expectOssError(client.get('one.txt'), 'NoSuchKey', 404, 'get after delete');
      const again = await client.delete('one.txt');
      assert.equal(again.res.status, 204, 'DeleteObject of a missing key is 204');

      const names = ['m/a.txt', 'm/b.txt', 'm/c&<d>.txt', 'm/中.txt'];
      for (const n of names) await client.put(n, Buffer.from(n));
      await client.put('m/keep.txt', Buffer.from('keep'));

      const verbose = await client.deleteMulti([...names.slice(0, 2), 'm/never-existed.txt']);
      assert.equal(verbose.res.status, 200);
      assertRequestId(verbose.res, 'deleteMulti verbose');
      assert.deepEqual(verbose.deleted.map((d) => d.Key).sort(), ['m/a.txt', 'm/b.txt', 'm/never-existed.txt'],
        'verbose DeleteResult lists every requested key, missing ones included');

      const quiet = await client.deleteMulti(names.slice(2), { quiet: true });
      assert.equal(quiet.res.status, 200);
      assertRequestId(quiet.res, 'deleteMulti quiet');
      assert.deepEqual(quiet.deleted, [], 'quiet DeleteResult lists nothing');

      const left = await client.list({ prefix: 'm/' });
      assert.deepEqual(left.objects.map((o) => o.name), ['m/keep.txt']);
    });

    it('missing key: get -> NoSuchKey (XML), head/getObjectMeta -> NoSuchKey', { timeout: TEST_TIMEOUT }, async () => {
      const { client } = await freshBucket(server, mode, 'miss');
      const e1 = await expectOssError(client.get('no/such.txt'), 'NoSuchKey', 404, 'get missing');
      assert.equal(e1.name, 'NoSuchKeyError');
      assert.ok(e1.hostId, 'error XML has HostId');
      assert.ok(e1.ecCode, 'error XML has EC');
      const e2 = await expectOssError(client.head('no/such.txt'), 'NoSuchKey', 404, 'head missing');
      assert.equal(e2.name, 'NoSuchKeyError');
      await expectOssError(client.getObjectMeta('no/such.txt'), 'NoSuchKey', 404, 'getObjectMeta missing');
    });

    it('range get -> 206 and the right bytes', { timeout: TEST_TIMEOUT }, async () => {
      const { client } = await freshBucket(server, mode, 'range');
      const body = Buffer.from('0123456789abcdefghij');
      await client.put('r.txt', body);

      const r = await client.get('r.txt', { headers: { Range: 'bytes=2-5' } });
      assert.equal(r.res.status, 206);
      assertRequestId(r.res, 'range get');
      assert.equal(r.content.toString(), '2345');
      assert.equal(r.res.headers['content-range'], `bytes 2-5/${body.length}`);
      assert.equal(r.res.headers['content-length'], '4');
      assert.equal(r.res.headers.etag, simpleEtag(body), 'range response carries the whole-object ETag');

      const tail = await client.get('r.txt', { headers: { Range: 'bytes=-3' } });
      assert.equal(tail.res.status, 206);
      assert.equal(tail.content.toString(), 'hij');
      const open = await client.get('r.txt', { headers: { Range: 'bytes=15-' } });
      assert.equal(open.res.status, 206);
      assert.equal(open.content.toString(), 'fghij');
    });

    it('range beyond the object (OSS default): Range ignored -> 200 with the whole object', { timeout: TEST_TIMEOUT }, async () => {
      const { client } = await freshBucket(server, mode, 'range2');
      const body = Buffer.from('0123456789abcdefghij');
      await client.put('r.txt', body);
      // OSS default range behaviour (GetObject docs): a range whose end or start
      // lies beyond the object is ignored -> 200 with the whole object.
      const over = await client.get('r.txt', { headers: { Range: 'bytes=18-100' } });
      assert.equal(over.res.status, 200, 'end beyond size: Range ignored');
      assert.ok(over.content.equals(body));
      const beyond = await client.get('r.txt', { headers: { Range: 'bytes=100-200' } });
      assert.equal(beyond.res.status, 200, 'start beyond size: Range ignored');
      assert.ok(beyond.content.equals(body));
      const suffix = await client.get('r.txt', { headers: { Range: 'bytes=-100' } });
      assert.equal(suffix.res.status, 200, 'suffix longer than the object: Range ignored');
      assert.ok(suffix.content.equals(body));
      // Malformed range: ignored too.
      const bad = await client.get('r.txt', { headers: { Range: 'bytes=abc' } });
      assert.equal(bad.res.status, 200);
      assert.ok(bad.content.equals(body));
    });

    it('range with x-oss-range-behavior: standard: end clamped (206), start beyond the end -> InvalidRange 416', { timeout: TEST_TIMEOUT }, async () => {
      const { client } = await freshBucket(server, mode, 'range3');
      const body = Buffer.from('0123456789abcdefghij');
      await client.put('r.txt', body);
      const std = { 'x-oss-range-behavior': 'standard' };
      const clamp = await client.get('r.txt', { headers: { ...std, Range: 'bytes=18-100' } });
      assert.equal(clamp.res.status, 206, 'standard: end clamped');
      assert.equal(clamp.content.toString(), 'ij');
      assert.equal(clamp.res.headers['content-range'], `bytes 18-19/${body.length}`);
      await expectOssError(client.get('r.txt', { headers: { ...std, Range: 'bytes=100-200' } }), 'InvalidRange', 416,
        'standard: unsatisfiable range');
    });

    it('conditional get/head: If-None-Match -> 304, If-Match mismatch -> PreconditionFailed', { timeout: TEST_TIMEOUT }, async () => {
      const { client } = await freshBucket(server, mode, 'cond');
      const body = Buffer.from('conditional body');
      const put = await client.put('c.txt', body);
      const { etag } = put.res.headers;
      assert.equal(etag, simpleEtag(body));

      const nm = await client.get('c.txt', { headers: { 'If-None-Match': etag } });
      assert.equal(nm.res.status, 304);
      assertRequestId(nm.res, '304 get');
      assert.equal(nm.content.length, 0, '304 has no body');

      const nm2 = await client.get('c.txt', { headers: { 'If-None-Match': '"0123456789ABCDEF0123456789ABCDEF"' } });
      assert.equal(nm2.res.status, 200);
      assert.ok(nm2.content.equals(body));

      const m = await client.get('c.txt', { headers: { 'If-Match': etag } });
      assert.equal(m.res.status, 200);
      assert.ok(m.content.equals(body));

      const e = await expectOssError(client.get('c.txt', { headers: { 'If-Match': '"0123456789ABCDEF0123456789ABCDEF"' } }),
        'PreconditionFailed', 412, 'If-Match mismatch');
      assert.equal(e.name, 'PreconditionFailedError');

      const future = new Date(Date.now() + 24 * 3600 * 1000).toUTCString();
      const past = new Date(Date.now() - 24 * 3600 * 1000).toUTCString();
      const ims = await client.get('c.txt', { headers: { 'If-Modified-Since': future } });
      assert.equal(ims.res.status, 304, 'If-Modified-Since in the future -> 304');
      const ims2 = await client.get('c.txt', { headers: { 'If-Modified-Since': past } });
      assert.equal(ims2.res.status, 200);
      await expectOssError(client.get('c.txt', { headers: { 'If-Unmodified-Since': past } }),
        'PreconditionFailed', 412, 'If-Unmodified-Since in the past');

      const hnm = await client.head('c.txt', { headers: { 'If-None-Match': etag } });
      assert.equal(hnm.status, 304, 'HEAD If-None-Match -> 304');
      await expectOssError(client.head('c.txt', { headers: { 'If-Match': '"0123456789ABCDEF0123456789ABCDEF"' } }),
        'PreconditionFailed', 412, 'HEAD If-Match mismatch');
    });

    it('x-oss-forbid-overwrite: true on an existing key -> FileAlreadyExists', { timeout: TEST_TIMEOUT }, async () => {
      const { client } = await freshBucket(server, mode, 'nover');
      const first = await client.put('f.txt', Buffer.from('first'), { headers: { 'x-oss-forbid-overwrite': 'true' } });
      assert.equal(first.res.status, 200, 'forbid-overwrite on a new key is allowed');
      await expectOssError(client.put('f.txt', Buffer.from('second'), { headers: { 'x-oss-forbid-overwrite': 'true' } }),
        'FileAlreadyExists', 409, 'forbid-overwrite on existing key');
      assert.equal((await client.get('f.txt')).content.toString(), 'first', 'object not overwritten');
      const over = await client.put('f.txt', Buffer.from('third'), { headers: { 'x-oss-forbid-overwrite': 'false' } });
      assert.equal(over.res.status, 200);
      assert.equal((await client.get('f.txt')).content.toString(), 'third');
    });

    it('Content-MD5 mismatch -> InvalidDigest; object not created', { timeout: TEST_TIMEOUT }, async () => {
      // OSS (unlike S3's BadDigest) answers a well-formed but wrong Content-MD5
      // with InvalidDigest "The Content-MD5 you specified did not match what we received."
      const { client } = await freshBucket(server, mode, 'md5');
      await client.put('bad.txt', Buffer.from('original'));
      await expectOssError(client.put('bad.txt', Buffer.from('payload'), { headers: { 'Content-MD5': md5b64(Buffer.from('other')) } }),
        'InvalidDigest', 400, 'wrong Content-MD5');
      assert.equal((await client.get('bad.txt')).content.toString(), 'original', 'rejected PUT leaves the old object');
      await expectOssError(client.put('new.txt', Buffer.from('payload'), { headers: { 'Content-MD5': md5b64(Buffer.from('other')) } }),
        'InvalidDigest', 400, 'wrong Content-MD5, new key');
      await expectOssError(client.head('new.txt'), 'NoSuchKey', 404, 'object after InvalidDigest');
    });

    it('every response, success or error, has x-oss-request-id', { timeout: TEST_TIMEOUT }, async () => {
      const { name, client } = await freshBucket(server, mode, 'rid');
      const ids = [];
      ids.push(assertRequestId((await client.put('a.txt', Buffer.from('a'))).res, 'put'));
      ids.push(assertRequestId((await client.get('a.txt')).res, 'get'));
      ids.push(assertRequestId((await client.head('a.txt')).res, 'head'));
      ids.push(assertRequestId((await client.list()).res, 'list'));
      ids.push(assertRequestId((await client.getBucketInfo(name)).res, 'getBucketInfo'));
      ids.push(assertRequestId((await client.delete('a.txt')).res, 'delete'));
      ids.push((await expectOssError(client.get('a.txt'), 'NoSuchKey', 404)).requestId);
      ids.push((await expectOssError(client.head('a.txt'), 'NoSuchKey', 404)).requestId);
      assert.equal(new Set(ids).size, ids.length, `request ids are unique: ${ids.join(',')}`);
    });
  });
}

describe('object [cross-mode]', () => {
  it('an object written in one addressing mode is read identically in every other', { timeout: TEST_TIMEOUT }, async () => {
    const { name } = await freshBucket(server, MODES[0], 'cross');
    const body = randomBytesSeeded(10_000, 99);
    for (const writer of MODES) {
      const key = `by-${writer.name}/x y+z.bin`;
      await makeClient(server, writer, name).put(key, body, { meta: { writer: writer.name } });
    }
    for (const reader of MODES) {
      const c = makeClient(server, reader, name);
      for (const writer of MODES) {
        const key = `by-${writer.name}/x y+z.bin`;
        const g = await c.get(key);
        assert.ok(g.content.equals(body), `${reader.name} reads ${key}`);
        assert.equal(g.res.headers['x-oss-meta-writer'], writer.name);
      }
      const l = await c.list({ delimiter: '/' });
      assert.deepEqual(l.prefixes.sort(), MODES.map((m) => `by-${m.name}/`).sort(), `${reader.name} list`);
    }
  });
});
