// Multipart upload through ali-oss: the managed multipartUpload of a 20 MiB
// file, and the low-level calls (init/uploadPart/listParts/listUploads/
// complete/abort).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CORE_MODES, MODES, TEST_TIMEOUT, assertRequestId, crc64, expectOssError, freshBucket, makeClient, md5hex,
  multipartEtag, randomBytesSeeded, simpleEtag, startOssd, stopOssd,
} from './lib/common.mjs';

const MiB = 1024 * 1024;
const BIG_SIZE = 20 * MiB;
const PART_SIZE = 1 * MiB;

let server;
let tmp;
let bigFile;
let bigBody;
let bigCrc;
before(async () => {
  server = await startOssd();
  tmp = mkdtempSync(path.join(tmpdir(), 'ossd-interop-mpu-'));
  bigBody = crypto.randomBytes(BIG_SIZE);
  bigFile = path.join(tmp, 'big.bin');
  writeFileSync(bigFile, bigBody);
  bigCrc = crc64(bigBody);
});
after(async () => {
  await stopOssd(server);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

for (const mode of CORE_MODES) {
  describe(`multipartUpload [${mode.name}]`, () => {
    it('multipartUpload of a 20 MiB file, then get and compare MD5', { timeout: 60_000 }, async () => {
      const { client } = await freshBucket(server, mode, 'mpu');
      const progress = [];
      const r = await client.multipartUpload('big/file.bin', bigFile, {
        partSize: PART_SIZE,
        parallel: 4,
        meta: { kind: 'multipart' },
        progress: (p) => { progress.push(p); },
      });
      assert.equal(r.res.status, 200);
      assertRequestId(r.res, 'completeMultipartUpload');
      assert.equal(r.etag, multipartEtag(bigBody, PART_SIZE), 'multipart ETag = MD5 of part MD5s + "-20"');
      assert.equal(progress[progress.length - 1], 1, 'progress reached 1');

      const g = await client.get('big/file.bin');
      assert.equal(g.res.status, 200);
      assert.equal(g.content.length, BIG_SIZE);
      assert.equal(md5hex(g.content), md5hex(bigBody), 'downloaded MD5 equals uploaded MD5');
      assert.equal(g.res.headers.etag, r.etag);
      assert.equal(g.res.headers['x-oss-object-type'], 'Multipart');
      assert.equal(g.res.headers['x-oss-meta-kind'], 'multipart', 'meta given at initiate is kept');
      assert.equal(g.res.headers['x-oss-hash-crc64ecma'], bigCrc, 'CRC64 of the whole multipart object');

      // A range across a part boundary.
      const start = PART_SIZE - 10;
      const rg = await client.get('big/file.bin', { headers: { Range: `bytes=${start}-${start + 19}` } });
      assert.equal(rg.res.status, 206);
      assert.ok(rg.content.equals(bigBody.subarray(start, start + 20)), 'range across a part boundary');

      const h = await client.getObjectMeta('big/file.bin');
      assert.equal(h.res.headers['content-length'], String(BIG_SIZE));

      const l = await client.list({ prefix: 'big/' });
      assert.equal(l.objects.length, 1);
      assert.equal(l.objects[0].size, BIG_SIZE);
      assert.equal(l.objects[0].type, 'Multipart');
      assert.equal(l.objects[0].etag, r.etag);
    });
  });
}

for (const mode of MODES) {
  describe(`multipart low-level [${mode.name}]`, () => {
    it('initMultipartUpload, uploadPart, listParts, listUploads, completeMultipartUpload', { timeout: TEST_TIMEOUT }, async () => {
      const { name: bucket, client } = await freshBucket(server, mode, 'mpl');
      const key = 'parts/视频 file.bin';
      const partSize = 200 * 1024;
      const body = randomBytesSeeded(partSize * 2 + 12345, 42);
      const pieces = [body.subarray(0, partSize), body.subarray(partSize, 2 * partSize), body.subarray(2 * partSize)];

      const init = await client.initMultipartUpload(key, { meta: { stage: 'init' }, mime: 'video/mp4' });
      assertRequestId(init.res, 'initMultipartUpload');
      assert.equal(init.bucket, bucket);
      assert.equal(init.name, key);
      assert.ok(init.uploadId, 'UploadId');

      const parts = [];
      // upload out of order: part 3 first
      for (const no of [3, 1, 2]) {
        const piece = pieces[no - 1];
        const up = await client.uploadPart(key, init.uploadId, no, body, (no - 1) * partSize, (no - 1) * partSize + piece.length);
        assertRequestId(up.res, `uploadPart ${no}`);
        assert.equal(up.etag, simpleEtag(piece), `part ${no} ETag = MD5 of the part`);
        parts.push({ number: no, etag: up.etag });
      }
      // re-upload part 2 (same content) -> replaces, still one entry
      const again = await client.uploadPart(key, init.uploadId, 2, body, partSize, 2 * partSize);
      assert.equal(again.etag, simpleEtag(pieces[1]));

      const lp = await client.listParts(key, init.uploadId);
      assertRequestId(lp.res, 'listParts');
      assert.equal(lp.uploadId, init.uploadId);
      assert.equal(lp.name, key);
      const lparts = Array.isArray(lp.parts) ? lp.parts : [lp.parts];
      assert.deepEqual(lparts.map((p) => Number(p.PartNumber)), [1, 2, 3], 'parts sorted by number, no duplicates');
      lparts.forEach((p, i) => {
        assert.equal(Number(p.Size), pieces[i].length, `part ${i + 1} Size`);
        assert.equal(p.ETag, simpleEtag(pieces[i]), `part ${i + 1} ETag`);
        assert.equal(p.HashCrc64ecma, crc64(pieces[i]), `part ${i + 1} HashCrc64ecma`);
        assert.ok(Number.isFinite(Date.parse(p.LastModified)), `part ${i + 1} LastModified`);
      });

      const lp1 = await client.listParts(key, init.uploadId, { 'max-parts': 2 });
      const lp1parts = Array.isArray(lp1.parts) ? lp1.parts : [lp1.parts];
      assert.deepEqual(lp1parts.map((p) => Number(p.PartNumber)), [1, 2]);
      assert.equal(lp1.isTruncated, 'true');
      assert.equal(String(lp1.nextPartNumberMarker), '2');
      const lp2 = await client.listParts(key, init.uploadId, { 'part-number-marker': lp1.nextPartNumberMarker });
      const lp2parts = Array.isArray(lp2.parts) ? lp2.parts : [lp2.parts];
      assert.deepEqual(lp2parts.map((p) => Number(p.PartNumber)), [3]);
      assert.equal(lp2.isTruncated, 'false');

      const lu = await client.listUploads({});
      assertRequestId(lu.res, 'listUploads');
      const mine = lu.uploads.filter((u) => u.uploadId === init.uploadId);
      assert.equal(mine.length, 1, 'listUploads shows the in-progress upload');
      assert.equal(mine[0].name, key);
      assert.ok(Number.isFinite(Date.parse(mine[0].initiated)));

      await expectOssError(client.head(key), 'NoSuchKey', 404, 'object invisible before complete');

      const done = await client.completeMultipartUpload(key, init.uploadId, parts);
      assertRequestId(done.res, 'completeMultipartUpload');
      assert.equal(done.etag, multipartEtag(body, partSize));

      const g = await client.get(key);
      assert.ok(g.content.equals(body), 'completed object = concatenated parts');
      assert.equal(g.res.headers['content-type'], 'video/mp4', 'Content-Type from initiate');
      assert.equal(g.res.headers['x-oss-meta-stage'], 'init');
      assert.equal(g.res.headers['x-oss-hash-crc64ecma'], crc64(body));

      const lu2 = await client.listUploads({});
      assert.equal(lu2.uploads.filter((u) => u.uploadId === init.uploadId).length, 0, 'completed upload no longer listed');
      await expectOssError(client.listParts(key, init.uploadId), 'NoSuchUpload', 404, 'listParts after complete');
    });

    it('abortMultipartUpload; errors: NoSuchUpload, InvalidPart, EntityTooSmall', { timeout: TEST_TIMEOUT }, async () => {
      const { client } = await freshBucket(server, mode, 'mpa');
      const key = 'abort/me.bin';
      const init = await client.initMultipartUpload(key);
      const body = randomBytesSeeded(300 * 1024, 3);
      await client.uploadPart(key, init.uploadId, 1, body, 0, body.length);

      const ab = await client.abortMultipartUpload(key, init.uploadId);
      assert.equal(ab.res.status, 204);
      assertRequestId(ab.res, 'abortMultipartUpload');
      const lu = await client.listUploads({ prefix: 'abort/' });
      assert.deepEqual(lu.uploads, [], 'aborted upload no longer listed');
      await expectOssError(client.listParts(key, init.uploadId), 'NoSuchUpload', 404, 'listParts after abort');
      await expectOssError(client.uploadPart(key, init.uploadId, 2, body, 0, 1000), 'NoSuchUpload', 404, 'uploadPart after abort');
      await expectOssError(client.abortMultipartUpload(key, init.uploadId), 'NoSuchUpload', 404, 'abort twice');
      await expectOssError(client.head(key), 'NoSuchKey', 404, 'no object after abort');

      // InvalidPart: complete with an ETag that was never uploaded.
      const init2 = await client.initMultipartUpload('bad/etag.bin');
      const up = await client.uploadPart('bad/etag.bin', init2.uploadId, 1, body, 0, body.length);
      assert.equal(up.etag, simpleEtag(body));
      await expectOssError(client.completeMultipartUpload('bad/etag.bin', init2.uploadId,
        [{ number: 1, etag: '"0123456789ABCDEF0123456789ABCDEF"' }]), 'InvalidPart', 400, 'complete with unknown ETag');
      await client.abortMultipartUpload('bad/etag.bin', init2.uploadId);

      // EntityTooSmall: a non-last part below 100 KiB.
      const init3 = await client.initMultipartUpload('small/parts.bin');
      const small = randomBytesSeeded(10 * 1024, 4);
      const s1 = await client.uploadPart('small/parts.bin', init3.uploadId, 1, small, 0, small.length);
      const s2 = await client.uploadPart('small/parts.bin', init3.uploadId, 2, small, 0, small.length);
      await expectOssError(client.completeMultipartUpload('small/parts.bin', init3.uploadId,
        [{ number: 1, etag: s1.etag }, { number: 2, etag: s2.etag }]), 'EntityTooSmall', 400, 'complete with a small non-last part');
      await client.abortMultipartUpload('small/parts.bin', init3.uploadId);

      // A single small part is fine (the last part may be any size).
      const init4 = await client.initMultipartUpload('small/single.bin');
      const only = await client.uploadPart('small/single.bin', init4.uploadId, 1, small, 0, small.length);
      const c4 = await client.completeMultipartUpload('small/single.bin', init4.uploadId, [{ number: 1, etag: only.etag }]);
      assert.equal(c4.etag, multipartEtag(small, small.length));
      assert.ok((await client.get('small/single.bin')).content.equals(small));
    });
  });
}

describe('multipart [bucket delete]', () => {
  it('a bucket with an in-progress upload is not empty', { timeout: TEST_TIMEOUT }, async () => {
    const mode = MODES[0];
    const { name, client } = await freshBucket(server, mode, 'mpbk');
    const init = await client.initMultipartUpload('pending.bin');
    await expectOssError(makeClient(server, mode).deleteBucket(name), 'BucketNotEmpty', 409, 'deleteBucket with pending upload');
    await client.abortMultipartUpload('pending.bin', init.uploadId);
    assert.equal((await makeClient(server, mode).deleteBucket(name)).res.status, 204);
  });
});
