// Crash test: SIGKILL ossd while 100 PUTs are in flight, restart on the same
// data dir, and check that no acknowledged write is lost, no partial object is
// visible, the listing matches what is readable, and no temporaries remain.
// Run: node --test crash/   or   node crash/crash.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import { startServer } from '../lib/server.mjs';
import { walkFiles, pacedPut, isTemporary } from '../lib/crash.mjs';
import {
  send, assertOk, assertError, createBucket, uniqueName, xmlAll, xmlText, xmlUnescape, etagOf, md5hex, sleep,
} from '../integration/lib/oss.mjs';

const N = 100;
const KILL_AFTER_ACKS = 50;
const MIN_SIZE = 64 * 1024;
const MAX_SIZE = 1024 * 1024;

test('SIGKILL during 100 concurrent PUTs: no acknowledged write lost, no partial object, no temporaries', { timeout: 120000 }, async (t) => {
  const srv = await startServer();
  let srv2 = null;
  t.after(async () => {
    if (srv2) await srv2.stop();
    await srv.kill();
    await srv.stop(); // removes the data dir (harness-owned)
  });
  const bucket = uniqueName('crash');
  await createBucket(srv, bucket);

  const items = Array.from({ length: N }, (_, i) => {
    const size = MIN_SIZE + crypto.randomInt(MAX_SIZE - MIN_SIZE + 1);
    const body = crypto.randomBytes(size);
    return { key: `crash/${String(i).padStart(3, '0')}`, body, md5: md5hex(body), result: null, settledBeforeKill: false };
  });

  let acks = 0;
  let killed = false;
  let killAt = 0;
  const killNow = () => {
    if (killed) return;
    killed = true;
    killAt = Date.now();
    srv.kill(); // SIGKILL, sent synchronously
  };
  const t0 = Date.now();
  const puts = items.map((it) => pacedPut(srv, bucket, it.key, it.body, crypto.randomInt(200)).then((r) => {
    it.result = r;
    it.settledBeforeKill = !killed;
    if (r.status === 200) {
      acks++;
      if (acks >= KILL_AFTER_ACKS) killNow();
    }
  }));
  // Safety net: kill after 20 s even if acks are slow.
  const safety = setTimeout(killNow, 20000);
  await Promise.all(puts);
  clearTimeout(safety);
  killNow();
  await srv.exited;

  const acked = items.filter((it) => it.result?.status === 200);
  const inFlight = items.filter((it) => !it.settledBeforeKill && it.result?.status !== 200);
  const rejected = items.filter((it) => it.settledBeforeKill && it.result?.status !== 200);
  for (const it of acked) assert.equal(it.result.etag, etagOf(it.body), `ack for ${it.key} carried a wrong ETag`);
  assert.equal(rejected.length, 0,
    `requests failed before the kill: ${rejected.map((it) => `${it.key}:${it.result.status ?? it.result.error}`).join(', ')}`);
  assert.ok(inFlight.length > 0, `the kill came after every PUT settled (acks=${acks}); the test proved nothing`);

  const tmpBefore = walkFiles(srv.dataDir).filter((p) => isTemporary(srv.dataDir, p));

  // Restart on the same data dir.
  srv2 = await startServer({ dataDir: srv.dataDir });

  let visible = 0;
  let partial = 0;
  const lost = [];
  const visibleKeys = new Set();
  for (const it of items) {
    const res = await send(srv2, { bucket, key: it.key, timeoutMs: 20000 });
    if (res.status === 200) {
      visible++;
      visibleKeys.add(it.key);
      const ok = res.body.length === it.body.length && md5hex(res.body) === it.md5;
      if (!ok) partial++;
      assert.ok(ok, `${it.key}: visible with ${res.body.length}/${it.body.length} bytes or wrong MD5 (acked=${it.result?.status === 200})`);
      assert.equal(res.headers.etag, etagOf(it.body), `${it.key}: ETag`);
    } else {
      assertError(res, 404, 'NoSuchKey', it.key);
      if (it.result?.status === 200) lost.push(it.key);
    }
  }
  assert.deepEqual(lost, [], `acknowledged PUTs lost after the crash: ${lost.join(', ')}`);

  // The listing shows exactly the readable keys, with their sizes.
  const list = assertOk(await send(srv2, { bucket, query: { 'max-keys': '1000' } }));
  const listed = xmlAll(list.text, 'Contents').map((c) => [xmlUnescape(xmlText(c, 'Key')), Number(xmlText(c, 'Size'))]);
  assert.deepEqual(listed.map(([k]) => k).sort(), [...visibleKeys].sort(), 'listing differs from the readable keys');
  for (const [k, size] of listed) assert.equal(size, items.find((it) => it.key === k).body.length, `listed size of ${k}`);

  // No temporaries remain after start-up; committed blobs == visible objects (orphans collected).
  let tmpAfter = [];
  let blobs = [];
  const deadline = Date.now() + 5000;
  do {
    const files = walkFiles(srv2.dataDir);
    tmpAfter = files.filter((p) => isTemporary(srv2.dataDir, p));
    blobs = files.filter((p) => /^[0-9a-f]{32}$/.test(path.basename(p)));
    if (tmpAfter.length === 0 && blobs.length === visible) break;
    await sleep(250);
  } while (Date.now() < deadline);

  const inFlightVisible = inFlight.filter((it) => visibleKeys.has(it.key)).length;
  console.log(`crash: puts=${N} acknowledged=${acked.length} in-flight-at-kill=${inFlight.length} `
    + `(of which visible after restart=${inFlightVisible}) visible=${visible} lost=${lost.length} partial=${partial} `
    + `temporaries before restart=${tmpBefore.length} after=${tmpAfter.length} blob-files=${blobs.length} `
    + `kill at +${killAt - t0} ms`);
  const startup = srv2.output().split('\n').filter((l) => /orphan|tempor|collect|removed|recover/i.test(l));
  if (startup.length) console.log(`start-up: ${startup.join(' | ').slice(0, 500)}`);

  assert.deepEqual(tmpAfter.map((p) => path.relative(srv2.dataDir, p)), [], 'temporary files left after restart');
  assert.equal(blobs.length, visible, `blob files (${blobs.length}) != visible objects (${visible}): orphans not collected`);

  // The restarted server takes new writes.
  const fresh = crypto.randomBytes(100000);
  assert.equal(assertOk(await send(srv2, { method: 'PUT', bucket, key: 'after-crash', body: fresh })).headers.etag, etagOf(fresh));
  assert.ok(assertOk(await send(srv2, { bucket, key: 'after-crash' })).body.equals(fresh));
});
