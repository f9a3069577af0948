// ListObjects (v1) and ListObjectsV2 through ali-oss: prefix, delimiter,
// pagination, start-after, continuation tokens, encoding-type=url.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  MODES, TEST_TIMEOUT, assertRequestId, freshBucket, simpleEtag, startOssd, stopOssd,
} from './lib/common.mjs';

let server;
before(async () => { server = await startOssd(); });
after(async () => { await stopOssd(server); });

const LIST_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const PAGE_KEYS = Array.from({ length: 25 }, (_, i) => `page/${String(i).padStart(3, '0')}`);
const TREE_KEYS = ['a/1.txt', 'a/2.txt', 'a/b/3.txt', 'b/4.txt', 'c.txt'];

async function populate(client) {
  // Sequential-ish but bounded: 30 small PUTs, 6 in flight.
  const all = [...TREE_KEYS, ...PAGE_KEYS];
  for (let i = 0; i < all.length; i += 6) {
    await Promise.all(all.slice(i, i + 6).map((k) => client.put(k, Buffer.from(`v:${k}`))));
  }
  return all;
}

for (const mode of MODES) {
  describe(`list [${mode.name}]`, () => {
    it('list v1: fields, prefix, delimiter -> prefixes', { timeout: TEST_TIMEOUT }, async () => {
      const { client } = await freshBucket(server, mode, 'l1');
      const all = await populate(client);

      const everything = await client.list({ 'max-keys': 1000 });
      assertRequestId(everything.res, 'list');
      assert.equal(everything.isTruncated, false);
      assert.deepEqual(everything.objects.map((o) => o.name), [...all].sort(), 'all keys, in byte order');
      const c = everything.objects.find((o) => o.name === 'c.txt');
      assert.equal(c.size, Buffer.from('v:c.txt').length);
      assert.equal(c.etag, simpleEtag(Buffer.from('v:c.txt')));
      assert.match(c.lastModified, LIST_DATE);
      assert.equal(c.type, 'Normal');
      assert.equal(c.storageClass, 'Standard');
      assert.ok(c.owner && c.owner.id, 'v1 Contents carry Owner');

      const pre = await client.list({ prefix: 'a/' });
      assert.deepEqual(pre.objects.map((o) => o.name), ['a/1.txt', 'a/2.txt', 'a/b/3.txt']);
      assert.equal(pre.prefixes, null);

      const top = await client.list({ delimiter: '/' });
      assert.deepEqual(top.objects.map((o) => o.name), ['c.txt']);
      assert.deepEqual(top.prefixes, ['a/', 'b/', 'page/']);

      const sub = await client.list({ prefix: 'a/', delimiter: '/' });
      assert.deepEqual(sub.objects.map((o) => o.name), ['a/1.txt', 'a/2.txt']);
      assert.deepEqual(sub.prefixes, ['a/b/']);

      const none = await client.list({ prefix: 'zzz/' });
      assert.deepEqual(none.objects, []);
      assert.equal(none.isTruncated, false);

      const marked = await client.list({ marker: 'page/020' });
      assert.deepEqual(marked.objects.map((o) => o.name), ['page/021', 'page/022', 'page/023', 'page/024']);
    });

    it('list v1 pagination: max-keys + marker until not truncated', { timeout: TEST_TIMEOUT }, async () => {
      const { client } = await freshBucket(server, mode, 'l1p');
      await populate(client);
      const seen = [];
      let marker;
      let pages = 0;
      for (;;) {
        const q = { prefix: 'page/', 'max-keys': 7 };
        if (marker) q.marker = marker;
        const r = await client.list(q);
        pages += 1;
        assert.ok(pages <= 10, 'pagination terminates');
        assert.ok(r.objects.length <= 7, 'page size respects max-keys');
        seen.push(...r.objects.map((o) => o.name));
        if (!r.isTruncated) {
          assert.equal(r.nextMarker, null, 'no NextMarker on the last page');
          break;
        }
        assert.equal(r.objects.length, 7, 'a truncated page is full');
        assert.equal(r.nextMarker, r.objects[r.objects.length - 1].name, 'NextMarker = last key of the page');
        marker = r.nextMarker;
      }
      assert.equal(pages, 4);
      assert.deepEqual(seen, PAGE_KEYS, 'every key exactly once, in order');

      // Delimiter pagination counts common prefixes toward max-keys.
      const p1 = await client.list({ delimiter: '/', 'max-keys': 2 });
      assert.equal(p1.isTruncated, true);
      assert.deepEqual([...p1.prefixes || [], ...p1.objects.map((o) => o.name)], ['a/', 'b/']);
      const p2 = await client.list({ delimiter: '/', 'max-keys': 2, marker: p1.nextMarker });
      assert.deepEqual([...p2.objects.map((o) => o.name), ...(p2.prefixes || [])].sort(), ['c.txt', 'page/']);
      assert.equal(p2.isTruncated, false);
    });

    it('listV2: continuation-token pagination, keyCount, start-after, fetch-owner', { timeout: TEST_TIMEOUT }, async () => {
      const { client } = await freshBucket(server, mode, 'l2');
      await populate(client);

      const seen = [];
      let token;
      let pages = 0;
      for (;;) {
        const q = { prefix: 'page/', 'max-keys': 10 };
        if (token) q['continuation-token'] = token;
        const r = await client.listV2(q);
        assertRequestId(r.res, 'listV2');
        pages += 1;
        assert.ok(pages <= 10, 'pagination terminates');
        assert.equal(r.keyCount, r.objects.length, 'KeyCount = number of Contents');
        if (token) assert.equal(r.continuationToken, token, 'ContinuationToken echoed');
        seen.push(...r.objects.map((o) => o.name));
        if (!r.isTruncated) {
          assert.equal(r.nextContinuationToken, null);
          break;
        }
        assert.equal(r.objects.length, 10);
        assert.ok(r.nextContinuationToken, 'NextContinuationToken on a truncated page');
        token = r.nextContinuationToken;
      }
      assert.equal(pages, 3);
      assert.deepEqual(seen, PAGE_KEYS);

      const after = await client.listV2({ prefix: 'page/', 'start-after': 'page/019' });
      assert.deepEqual(after.objects.map((o) => o.name), PAGE_KEYS.slice(20));
      assert.equal(after.keyCount, 5);

      const noOwner = await client.listV2({ prefix: 'a/' });
      assert.deepEqual(noOwner.objects.map((o) => o.name), ['a/1.txt', 'a/2.txt', 'a/b/3.txt']);
      assert.ok(noOwner.objects.every((o) => o.owner === null), 'no Owner without fetch-owner');
      const withOwner = await client.listV2({ prefix: 'a/', 'fetch-owner': true });
      assert.ok(withOwner.objects.every((o) => o.owner && o.owner.id), 'Owner with fetch-owner=true');

      const delim = await client.listV2({ delimiter: '/' });
      assert.deepEqual(delim.objects.map((o) => o.name), ['c.txt']);
      assert.deepEqual(delim.prefixes, ['a/', 'b/', 'page/']);
      assert.equal(delim.keyCount, 4, 'KeyCount counts Contents and CommonPrefixes');
    });

    it('encoding-type=url: keys and prefixes come back URL-encoded', { timeout: TEST_TIMEOUT }, async () => {
      const { client } = await freshBucket(server, mode, 'enc');
      const keys = ['enc/a b+c.txt', 'enc/中文.txt', 'enc/sub dir/x&y.txt', 'enc/ctl\u0001char.txt'];
      for (const k of keys) await client.put(k, Buffer.from(k));

      const check = (encoded, original) => {
        assert.doesNotMatch(encoded, /[ +\u0001]|[^\x00-\x7f]/, `encoded key has no raw space/plus/control/non-ASCII: ${encoded}`);
        assert.equal(decodeURIComponent(encoded), original);
      };

      const v1 = await client.list({ prefix: 'enc/', delimiter: '/', 'encoding-type': 'url' });
      const plain = ['enc/a b+c.txt', 'enc/ctl\u0001char.txt', 'enc/中文.txt'];
      assert.equal(v1.objects.length, 3);
      v1.objects.forEach((o, i) => check(o.name, plain[i]));
      assert.equal(v1.prefixes.length, 1);
      check(v1.prefixes[0], 'enc/sub dir/');

      const v2 = await client.listV2({ prefix: 'enc/', 'encoding-type': 'url' });
      assert.equal(v2.objects.length, 4);
      const sorted = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      v2.objects.forEach((o, i) => check(o.name, sorted[i]));

      // Without encoding-type the raw keys are returned (XML-escaped on the wire).
      const raw = await client.listV2({ prefix: 'enc/sub' });
      assert.deepEqual(raw.objects.map((o) => o.name), ['enc/sub dir/x&y.txt']);
    });
  });
}
