// Fault injection (a): 20 rounds of SIGKILL on one data dir while ~200
// operations are in flight: PUTs of many sizes (the larger ones paced so they
// are mid-body), CompleteMultipartUpload, CopyObject (x-oss-copy-source) and
// concurrent overwrites of the same keys. After every restart:
//   - every key holds a version that is legal (below), whole, with its ETag;
//   - the listing shows exactly the readable keys, with their sizes and ETags;
//   - start-up has removed every temporary and every blob nothing refers to:
//     the blob files on disk are exactly the segments of the visible objects
//     plus the parts of the uploads still open.
// Legal versions of a key after a round: the value it had before the round if
// no write to it was acknowledged; otherwise the content of an acknowledged or
// in-flight write W such that no acknowledged write to the key was sent after
// W's acknowledgement arrived (that one would have committed after W). An
// in-flight write may or may not have happened, but never in part.
// Run: node --test faults/kill9.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startServer } from '../lib/server.mjs';
import { walkFiles, isTemporary, isBlobFile, pacedRequest } from '../lib/crash.mjs';
import {
  send, assertOk, assertError, createBucket, uniqueName, xmlAll, xmlText, xmlUnescape, etagOf, md5, md5hex,
} from '../integration/lib/oss.mjs';

const ROUNDS = 20;
const HOT_KEYS = 8;        // each written by 4 operations per round (PUTs, a copy, maybe a completion)
const HOT_OPS = 32;
const COPY_KEYS = 20;      // one CopyObject each per round
const MULTIPART_KEYS = 10; // one CompleteMultipartUpload each per round
const HOT_COMPLETES = 4;   // completions that race PUTs and copies on hot keys
const SOURCES = 4;         // copy sources, rewritten before each storm
const PLAIN_KEYS = 200 - HOT_OPS - COPY_KEYS - MULTIPART_KEYS; // one PUT each per round
const PART1 = 100 * 1024;  // the smallest non-last part OSS takes

const plainKey = (i) => `plain/${String(i).padStart(3, '0')}`;
const hotKey = (i) => `hot/${i}`;
const copyKey = (i) => `copy/${String(i).padStart(2, '0')}`;
const multipartKey = (i) => `mp/${String(i).padStart(2, '0')}`;
const sourceKey = (i) => `src/${i}`;

// Sizes of PUT bodies: many tiny (including empty), some up to 384 KiB.
function putSize() {
  const r = Math.random();
  if (r < 0.05) return 0;
  if (r < 0.4) return 1 + crypto.randomInt(2048);
  if (r < 0.8) return 2048 + crypto.randomInt(62 * 1024);
  return 64 * 1024 + crypto.randomInt(320 * 1024);
}

function multipartEtag(parts) {
  return `"${md5(Buffer.concat(parts.map((p) => md5(p)))).toString('hex').toUpperCase()}-${parts.length}"`;
}

// Runs fn over items with at most `limit` at a time; resolves to the results in order.
async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function shuffle(list) {
  for (let i = list.length - 1; i > 0; i--) {
    const j = crypto.randomInt(i + 1);
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

// A version of a key: what a GET must return in full. segments: blob files it owns.
const version = (body, etag, segments, label) => ({ md5: md5hex(body), size: body.length, etag, segments, label });

test(`SIGKILL in ${ROUNDS} rounds of ~200 concurrent PUTs, completions, copies and overwrites`, { timeout: 300000 }, async (t) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ossd-kill9-'));
  let srv = null;
  t.after(async () => {
    if (srv) await srv.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const bucket = uniqueName('kill9');
  const allKeys = [
    ...Array.from({ length: PLAIN_KEYS }, (_, i) => plainKey(i)),
    ...Array.from({ length: HOT_KEYS }, (_, i) => hotKey(i)),
    ...Array.from({ length: COPY_KEYS }, (_, i) => copyKey(i)),
    ...Array.from({ length: MULTIPART_KEYS }, (_, i) => multipartKey(i)),
    ...Array.from({ length: SOURCES }, (_, i) => sourceKey(i)),
  ];
  // What each key held when last verified (null: absent).
  const state = new Map(allKeys.map((k) => [k, null]));
  let ops = [];           // the last storm's operations
  let roundUploads = [];  // the last storm's multipart uploads
  const figures = [];
  let verifiedTotal = 0;

  // After a restart: every key against the last storm, the listing, the files.
  const verify = async (round) => {
    // Start-up collection has run before the server listened; nothing has written since.
    const files = walkFiles(dataDir);
    const temporaries = files.filter((p) => isTemporary(dataDir, p)).map((p) => path.relative(dataDir, p));
    const blobFiles = files.filter(isBlobFile).length;

    const byKey = new Map();
    for (const op of ops) {
      if (!byKey.has(op.key)) byKey.set(op.key, []);
      byKey.get(op.key).push(op);
    }
    const observed = await mapLimit(allKeys, 16, async (key) => {
      const res = await send(srv, { bucket, key, timeoutMs: 30000 });
      if (res.status === 404) {
        assertError(res, 404, 'NoSuchKey', key);
        return { key, present: false };
      }
      assertOk(res, 200, `GET ${key} after round ${round}`);
      return { key, present: true, md5: md5hex(res.body), size: res.body.length, etag: res.headers.etag };
    });
    let fromInFlight = 0;
    for (const got of observed) {
      const { key } = got;
      const keyOps = byKey.get(key) ?? [];
      const acked = keyOps.filter((op) => op.acked);
      const legal = keyOps.filter((w) => !acked.some((a) => w.acked && a.startedAt > w.settledAt));
      const priorLegal = acked.length === 0;
      const prior = state.get(key);
      const what = `${key} after round ${round} (writes: ${keyOps.map((op) => `${op.label}${op.acked ? ' acked' : ' in flight'}`).join(', ') || 'none'}; before: ${prior?.label ?? 'absent'})`;
      if (!got.present) {
        assert.ok(priorLegal && prior === null, `${what}: the key is gone`);
        continue;
      }
      const matches = (v) => v && v.md5 === got.md5 && v.size === got.size;
      const match = legal.find((w) => matches(w.version));
      let now;
      if (match) {
        now = match.version;
        if (!match.acked) fromInFlight++;
      } else if (priorLegal && matches(prior)) {
        now = prior;
      } else {
        const any = keyOps.find((w) => matches(w.version)) ?? (matches(prior) ? prior : null);
        assert.fail(any
          ? `${what}: holds ${any.label}, which a later acknowledged write must have replaced`
          : `${what}: holds ${got.size} bytes (MD5 ${got.md5}) that no write sent: a partial or foreign body`);
      }
      assert.equal(got.etag, now.etag, `${what}: ETag of ${now.label}`);
      state.set(key, now);
    }
    verifiedTotal += observed.length;

    // The listing is what is readable.
    const list = assertOk(await send(srv, { bucket, query: { 'max-keys': '1000' } }));
    assert.equal(xmlText(list.text, 'IsTruncated'), 'false');
    const listed = new Map(xmlAll(list.text, 'Contents').map((c) => [
      xmlUnescape(xmlText(c, 'Key')), { size: Number(xmlText(c, 'Size')), etag: xmlText(c, 'ETag') }]));
    const readable = observed.filter((o) => o.present);
    assert.deepEqual([...listed.keys()].sort(), readable.map((o) => o.key).sort(), `round ${round}: listing differs from the readable keys`);
    for (const o of readable) {
      assert.equal(listed.get(o.key).size, o.size, `round ${round}: listed size of ${o.key}`);
      assert.equal(listed.get(o.key).etag, o.etag, `round ${round}: listed ETag of ${o.key}`);
    }

    // Uploads still open: only ours, never one whose completion was acknowledged.
    const uploadsXml = assertOk(await send(srv, { bucket, query: { uploads: '', 'max-uploads': '1000' } })).text;
    const open = xmlAll(uploadsXml, 'Upload').map((u) => ({ key: xmlUnescape(xmlText(u, 'Key')), uploadId: xmlText(u, 'UploadId') }));
    for (const u of open) {
      const mine = roundUploads.find((m) => m.uploadId === u.uploadId);
      assert.ok(mine, `round ${round}: an upload nobody started is open: ${u.key} ${u.uploadId}`);
      assert.ok(!mine.complete.acked, `round ${round}: the acknowledged completion of ${u.key} left its upload open`);
    }
    const partCounts = await mapLimit(open, 8, async (u) => {
      const partsXml = assertOk(await send(srv, { bucket, key: u.key, query: { uploadId: u.uploadId } })).text;
      return xmlAll(partsXml, 'Part').length;
    });
    const openParts = partCounts.reduce((a, b) => a + b, 0);

    // Orphans: every blob file belongs to a visible object or an open upload.
    const referenced = [...state.values()].reduce((n, v) => n + (v ? v.segments : 0), 0) + openParts;
    assert.deepEqual(temporaries, [], `round ${round}: temporary files left after start-up`);
    assert.equal(blobFiles, referenced,
      `round ${round}: ${blobFiles} blob files on disk, ${referenced} referenced (objects and open parts): orphans not collected`);

    // Open uploads would pile up over the rounds; their parts are freed like any blob.
    await mapLimit(open, 8, async (u) => {
      assertOk(await send(srv, { method: 'DELETE', bucket, key: u.key, query: { uploadId: u.uploadId } }), 204, `abort ${u.key}`);
    });
    return { visible: readable.length, fromInFlight, openUploads: open.length, blobFiles };
  };

  // Writes that are done (acknowledged) before the storm: copy sources and uploaded parts.
  const prepare = async () => {
    const sources = await mapLimit(Array.from({ length: SOURCES }, (_, i) => i), 4, async (i) => {
      const body = crypto.randomBytes(1 + crypto.randomInt(150 * 1024));
      const res = assertOk(await send(srv, { method: 'PUT', bucket, key: sourceKey(i), body, timeoutMs: 30000 }));
      assert.equal(res.headers.etag, etagOf(body));
      const v = version(body, etagOf(body), 1, `source ${sourceKey(i)}`);
      state.set(sourceKey(i), v);
      return v;
    });
    const uploadKeys = [
      ...Array.from({ length: MULTIPART_KEYS }, (_, i) => multipartKey(i)),
      ...Array.from({ length: HOT_COMPLETES }, (_, i) => hotKey(i)),
    ];
    const uploads = await mapLimit(uploadKeys, 6, async (key) => {
      const init = assertOk(await send(srv, { method: 'POST', bucket, key, query: { uploads: '' } }));
      const uploadId = xmlText(init.text, 'UploadId');
      const parts = [crypto.randomBytes(PART1), crypto.randomBytes(1 + crypto.randomInt(20000))];
      const etags = [];
      for (const [n, body] of parts.entries()) {
        const res = assertOk(await send(srv, { method: 'PUT', bucket, key, query: { partNumber: String(n + 1), uploadId }, body, timeoutMs: 30000 }));
        assert.equal(res.headers.etag, etagOf(body));
        etags.push(res.headers.etag);
      }
      const xml = `<CompleteMultipartUpload>${etags.map((e, n) => `<Part><PartNumber>${n + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
      return { key, uploadId, xml, version: version(Buffer.concat(parts), multipartEtag(parts), parts.length, `completion of ${uploadId.slice(0, 8)}`) };
    });
    return { sources, uploads };
  };

  const storm = async (round, { sources, uploads }) => {
    const put = (key) => {
      const body = crypto.randomBytes(putSize());
      return {
        kind: 'put', key, label: `PUT of ${body.length} B`, body, version: version(body, etagOf(body), 1, `PUT of ${body.length} B (${md5hex(body).slice(0, 8)})`),
        request: { method: 'PUT', bucket, key, body, chunk: body.length > 64 * 1024 ? 32 * 1024 : body.length || 1 },
      };
    };
    const copy = (key) => {
      const src = crypto.randomInt(SOURCES);
      return {
        kind: 'copy', key, label: `copy of ${sourceKey(src)}`, version: { ...sources[src], label: `copy of ${sources[src].label}` },
        request: { method: 'PUT', bucket, key, headers: { 'x-oss-copy-source': `/${bucket}/${encodeURIComponent(sourceKey(src))}` } },
      };
    };
    const complete = (upload) => ({
      kind: 'complete', key: upload.key, label: upload.version.label, version: upload.version, upload,
      request: { method: 'POST', bucket, key: upload.key, query: { uploadId: upload.uploadId }, body: Buffer.from(upload.xml) },
    });
    const list = [];
    for (let i = 0; i < PLAIN_KEYS; i++) list.push(put(plainKey(i)));
    for (let i = 0; i < COPY_KEYS; i++) list.push(copy(copyKey(i)));
    for (const u of uploads.slice(0, MULTIPART_KEYS)) list.push(complete(u));
    const hotCompletes = uploads.slice(MULTIPART_KEYS);
    for (let i = 0; i < HOT_OPS; i++) {
      const key = hotKey(i % HOT_KEYS);
      if (i < HOT_COMPLETES) list.push(complete(hotCompletes[i]));
      else if (i < HOT_COMPLETES + HOT_KEYS) list.push(copy(key));
      else list.push(put(key));
    }
    shuffle(list);
    for (const u of uploads) u.complete = list.find((op) => op.upload === u);

    // Kill at a random point once some writes are acknowledged.
    const killAfter = 10 + crypto.randomInt(100);
    let acks = 0;
    let killed = false;
    const killNow = () => {
      if (killed) return;
      killed = true;
      srv.kill(); // SIGKILL to this server's pid only
    };
    const safety = setTimeout(killNow, 60000);
    await Promise.all(list.map(async (op) => {
      const res = await pacedRequest(srv, { ...op.request, startDelayMs: crypto.randomInt(300), timeoutMs: 60000 });
      op.body = undefined; // the MD5 is kept; the bytes are not needed any more
      op.request = undefined;
      op.startedAt = res.startedAt;
      op.settledAt = res.settledAt;
      op.status = res.status;
      op.text = res.text ?? res.error;
      op.acked = res.status === 200;
      if (!op.acked) op.settledAt = Infinity; // no answer: it may commit up to the moment of the kill
      if (op.acked) {
        const etag = op.kind === 'put' ? res.etag : xmlText(res.text, 'ETag');
        assert.equal(etag, op.version.etag, `round ${round}: acknowledgement of ${op.label} on ${op.key} carried ETag ${etag}`);
        acks++;
        if (acks >= killAfter) killNow();
      }
    }));
    clearTimeout(safety);
    killNow();
    const exit = await srv.exited;
    assert.equal(exit.signal, 'SIGKILL', `round ${round}: ossd ended by ${exit.signal ?? `exit ${exit.code}`}, not by the kill`);
    srv = null;

    const refused = list.filter((op) => op.status !== undefined && op.status !== 200);
    assert.deepEqual(refused.map((op) => `${op.key} ${op.label}: ${op.status} ${op.text?.slice(0, 300)}`), [],
      `round ${round}: writes refused before the kill`);
    const inFlight = list.filter((op) => !op.acked).length;
    assert.ok(inFlight > 0, `round ${round}: the kill came after every write settled; the round proved nothing`);
    ops = list;
    roundUploads = uploads;
    return { acked: acks, inFlight, killAfter };
  };

  for (let round = 1; round <= ROUNDS + 1; round++) {
    srv = await startServer({ dataDir });
    const check = round > 1 ? await verify(round - 1) : null;
    if (check) Object.assign(figures[figures.length - 1], check);
    if (round > ROUNDS) break;
    if (round === 1) await createBucket(srv, bucket);
    const prepared = await prepare();
    figures.push({ round, ...(await storm(round, prepared)) });
  }
  await srv.stop();
  srv = null;

  for (const f of figures) {
    console.log(`kill9 round ${String(f.round).padStart(2)}: ops=${ops.length} acknowledged=${f.acked} in-flight=${f.inFlight} `
      + `(kill after ${f.killAfter} acks) visible=${f.visible} whole-from-in-flight=${f.fromInFlight} `
      + `open-uploads=${f.openUploads} blob-files=${f.blobFiles}`);
  }
  const acked = figures.reduce((n, f) => n + f.acked, 0);
  console.log(`kill9: rounds=${figures.length} acknowledged=${acked} (per round ${figures.map((f) => f.acked).join(',')}) `
    + `keys verified=${verifiedTotal} in-flight writes found whole=${figures.reduce((n, f) => n + f.fromInFlight, 0)}`);
  assert.equal(figures.length, ROUNDS);
});
