// Bucket operations through ali-oss, in every addressing mode x signature version.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  MODES, REGION, TEST_TIMEOUT, assertRequestId, bucketName, expectOssError, makeClient, startOssd, stopOssd,
} from './lib/common.mjs';

let server;
before(async () => { server = await startOssd(); });
after(async () => { await stopOssd(server); });

const ISO_OR_HTTP_DATE = (s) => Number.isFinite(Date.parse(s));

for (const mode of MODES) {
  describe(`bucket [${mode.name}]`, () => {
    it('putBucket, getBucketInfo, getBucketLocation, listBuckets, deleteBucket', { timeout: TEST_TIMEOUT }, async () => {
      const oss = makeClient(server, mode);
      const name = bucketName('life', mode);

      const put = await oss.putBucket(name);
      assert.equal(put.res.status, 200);
      assertRequestId(put.res, 'putBucket');

      const info = await oss.getBucketInfo(name);
      assert.equal(info.res.status, 200);
      assertRequestId(info.res, 'getBucketInfo');
      assert.equal(info.bucket.Name, name);
      assert.equal(info.bucket.Location, REGION);
      assert.ok(ISO_OR_HTTP_DATE(info.bucket.CreationDate), `CreationDate ${info.bucket.CreationDate}`);
      assert.ok(Math.abs(Date.parse(info.bucket.CreationDate) - Date.now()) < 10 * 60 * 1000, 'CreationDate is now');
      assert.equal(info.bucket.StorageClass, 'Standard');
      assert.equal(info.bucket.AccessControlList.Grant, 'private');
      assert.ok(info.bucket.Owner && info.bucket.Owner.ID, 'Owner.ID present');

      const loc = await oss.getBucketLocation(name);
      assertRequestId(loc.res, 'getBucketLocation');
      assert.equal(loc.location, REGION);

      if (mode.style !== 'ip') {
        // ip mode: the node build sends Host ".oss-cn-hangzhou.aliyuncs.com" here (see
        // lib/common.mjs); covered separately by the 'ip endpoint, service level' test.
        const list = await oss.listBuckets({ 'max-keys': 1000 });
        assertRequestId(list.res, 'listBuckets');
        const mine = (list.buckets || []).find((b) => b.name === name);
        assert.ok(mine, `listBuckets lists ${name}: ${JSON.stringify((list.buckets || []).map((b) => b.name))}`);
        assert.equal(mine.region, REGION);
        assert.equal(mine.storageClass, 'Standard');
        assert.ok(ISO_OR_HTTP_DATE(mine.creationDate));
        assert.ok(list.owner && list.owner.id, 'listBuckets owner id');

        const filtered = await oss.listBuckets({ prefix: name });
        assert.deepEqual(filtered.buckets.map((b) => b.name), [name], 'listBuckets prefix filter');
      }

      const del = await oss.deleteBucket(name);
      assert.equal(del.res.status, 204);
      assertRequestId(del.res, 'deleteBucket');
      await expectOssError(oss.getBucketInfo(name), 'NoSuchBucket', 404, 'getBucketInfo after delete');
      await expectOssError(oss.deleteBucket(name), 'NoSuchBucket', 404, 'deleteBucket twice');
    });

    it('putBucketACL / getBucketACL, and putBucket with acl', { timeout: TEST_TIMEOUT }, async () => {
      const oss = makeClient(server, mode);
      const name = bucketName('acl', mode);
      await oss.putBucket(name);

      const acl0 = await oss.getBucketACL(name);
      assertRequestId(acl0.res, 'getBucketACL');
      assert.equal(acl0.acl, 'private');
      assert.ok(acl0.owner.id, 'owner id');

      const put = await oss.putBucketACL(name, 'public-read');
      assert.equal(put.res.status, 200);
      assertRequestId(put.res, 'putBucketACL');
      assert.equal((await oss.getBucketACL(name)).acl, 'public-read');
      await oss.putBucketACL(name, 'public-read-write');
      assert.equal((await oss.getBucketACL(name)).acl, 'public-read-write');
      assert.equal((await oss.getBucketInfo(name)).bucket.AccessControlList.Grant, 'public-read-write');
      await oss.putBucketACL(name, 'private');
      assert.equal((await oss.getBucketACL(name)).acl, 'private');

      const name2 = bucketName('acl2', mode);
      await oss.putBucket(name2, { acl: 'public-read' });
      assert.equal((await oss.getBucketACL(name2)).acl, 'public-read');

      await oss.deleteBucket(name);
      await oss.deleteBucket(name2);
    });

    it('deleteBucket of a non-empty bucket -> BucketNotEmpty (409)', { timeout: TEST_TIMEOUT }, async () => {
      const oss = makeClient(server, mode);
      const name = bucketName('full', mode);
      await oss.putBucket(name);
      const b = makeClient(server, mode, name);
      await b.put('keep.txt', Buffer.from('x'));
      await expectOssError(oss.deleteBucket(name), 'BucketNotEmpty', 409, 'deleteBucket non-empty');
      // still there, object intact
      assert.equal((await b.get('keep.txt')).content.toString(), 'x');
      await b.delete('keep.txt');
      assert.equal((await oss.deleteBucket(name)).res.status, 204);
    });

    it('operations on a missing bucket -> NoSuchBucket (404)', { timeout: TEST_TIMEOUT }, async () => {
      const name = bucketName('ghost', mode);
      const b = makeClient(server, mode, name);
      await expectOssError(b.put('a.txt', Buffer.from('x')), 'NoSuchBucket', 404, 'put into missing bucket');
      await expectOssError(b.get('a.txt'), 'NoSuchBucket', 404, 'get from missing bucket');
      await expectOssError(b.list(), 'NoSuchBucket', 404, 'list missing bucket');
      await expectOssError(makeClient(server, mode).getBucketACL(name), 'NoSuchBucket', 404, 'getBucketACL missing');
    });

    it('putBucket twice by the owner is idempotent (200) and keeps the bucket', { timeout: TEST_TIMEOUT }, async () => {
      // OSS PutBucket docs (alibabacloud.com/help/en/oss/developer-reference/putbucket, usage notes):
      // "If multiple PutBucket operations are called from the same Alibaba Cloud account to create
      // the same bucket, the first operation creates the bucket and subsequent operations modify the
      // metadata of the bucket" -> 200; BucketAlreadyExists (409) is for a name owned by someone else.
      const oss = makeClient(server, mode);
      const name = bucketName('twice', mode);
      await oss.putBucket(name);
      const b = makeClient(server, mode, name);
      await b.put('k', Buffer.from('still here'));
      const again = await oss.putBucket(name);
      assert.equal(again.res.status, 200);
      assert.equal((await b.get('k')).content.toString(), 'still here');
      await b.delete('k');
      await oss.deleteBucket(name);
    });

    it('wrong secret -> SignatureDoesNotMatch, unknown key id -> InvalidAccessKeyId', { timeout: TEST_TIMEOUT }, async () => {
      const name = bucketName('auth', mode);
      await makeClient(server, mode).putBucket(name);
      const badSecret = makeClient(server, mode, name, { accessKeySecret: 'definitely-not-the-secret' });
      await expectOssError(badSecret.put('x.txt', Buffer.from('x')), 'SignatureDoesNotMatch', 403, 'bad secret put');
      await expectOssError(badSecret.getBucketInfo(name), 'SignatureDoesNotMatch', 403, 'bad secret bucketInfo');
      const badId = makeClient(server, mode, name, { accessKeyId: 'LTAI5tNoSuchKeyId0000' });
      await expectOssError(badId.list(), 'InvalidAccessKeyId', 403, 'unknown access key id');
      await makeClient(server, mode).deleteBucket(name);
    });
  });
}

describe('bucket [ip endpoint, service level]', () => {
  it('listBuckets with an IP endpoint (SDK sends Host ".oss-cn-hangzhou.aliyuncs.com") lists the buckets', { timeout: TEST_TIMEOUT }, async () => {
    // Not an OSS behaviour one can rely on (real OSS is never addressed by IP);
    // ossd treats a Host without a bucket label as the service endpoint.
    for (const mode of MODES.filter((m) => m.style === 'ip')) {
      const oss = makeClient(server, mode);
      const name = bucketName('ipls', mode);
      await oss.putBucket(name);
      const list = await oss.listBuckets({ prefix: name });
      assertRequestId(list.res, 'listBuckets via IP');
      assert.deepEqual(list.buckets.map((b) => b.name), [name]);
      await oss.deleteBucket(name);
    }
  });
});
