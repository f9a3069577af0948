// Fault injection (b): the data dir on a 16 MiB tmpfs. PUTs fill it until one
// fails; the failure is an OSS error document (InternalError, 500, with a
// request id) whose Message says the server is out of space and names no
// server path; no partial object or temporary file is left; what is stored stays
// readable. Deleting objects makes room again, and so does removing a filler
// file that took the last byte, without a restart.
// Mounting needs root (CI runs as root); elsewhere the test is skipped and says why.
// Run: node --test faults/disk-full.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, openSync, writeSync, closeSync, unlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer } from '../lib/server.mjs';
import { walkFiles, isTemporary } from '../lib/crash.mjs';
import {
  send, assertOk, assertError, createBucket, uniqueName, xmlAll, xmlText, xmlUnescape, etagOf, md5hex,
} from '../integration/lib/oss.mjs';

const SIZE = '16m';
const MiB = 1024 * 1024;

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { ok: r.status === 0, text: `${r.stderr || ''}${r.stdout || ''}${r.error ? r.error.message : ''}`.trim() };
}

// Mounts a small tmpfs; returns null when it cannot be done here, with the reason in `why`.
function mountSmallFs(why) {
  if (process.getuid() !== 0) {
    why.reason = 'mounting a small tmpfs for the data dir needs root (CI runs as root)';
    return null;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'ossd-full-'));
  const m = run('mount', ['-t', 'tmpfs', '-o', `size=${SIZE},mode=0700`, 'tmpfs', dir]);
  if (!m.ok) {
    rmSync(dir, { recursive: true, force: true });
    why.reason = `cannot mount a tmpfs here (no CAP_SYS_ADMIN in this container?): ${m.text}`;
    return null;
  }
  return dir;
}

function unmount(dir) {
  if (!run('umount', [dir]).ok) run('umount', ['-l', dir]);
  rmSync(dir, { recursive: true, force: true });
}

// Fills the file system with one file until the kernel says ENOSPC.
function fillUp(file) {
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(64 * 1024, 0x5a);
  let written = 0;
  try {
    for (;;) {
      try {
        written += writeSync(fd, block);
      } catch (e) {
        if (e.code !== 'ENOSPC') throw e;
        // Partial pages may still take smaller writes.
        for (let small = 4096; small >= 1; small = Math.floor(small / 2)) {
          try { for (;;) written += writeSync(fd, block.subarray(0, small)); } catch (e2) { if (e2.code !== 'ENOSPC') throw e2; }
        }
        return written;
      }
    }
  } finally {
    closeSync(fd);
  }
}

function assertOutOfSpace(res, mountDir, what) {
  const { xml } = assertError(res, 500, 'InternalError', what);
  const message = xmlText(xml, 'Message');
  assert.match(message, /no space left/i, `${what}: the Message does not say the server is out of space: ${message}`);
  assert.ok(!message.includes(mountDir), `${what}: the Message names a server path: ${message}`);
}

test('a full data volume: PUTs fail with a clear OSS error, nothing partial, reads go on, writes recover', { timeout: 120000 }, async (t) => {
  const why = {};
  const mnt = mountSmallFs(why);
  if (!mnt) {
    t.skip(why.reason);
    return;
  }
  let srv = null;
  t.after(async () => {
    if (srv) await srv.stop();
    unmount(mnt);
  });
  const dataDir = path.join(mnt, 'data');
  const filler = path.join(mnt, 'filler');
  srv = await startServer({ dataDir });
  const bucket = uniqueName('full');
  await createBucket(srv, bucket);

  const stored = new Map();
  const put = async (key, size) => {
    const body = crypto.randomBytes(size);
    const res = await send(srv, { method: 'PUT', bucket, key, body, timeoutMs: 30000 });
    if (res.status === 200) {
      assert.equal(res.headers.etag, etagOf(body), `ETag of ${key}`);
      stored.set(key, md5hex(body));
    }
    return res;
  };
  const assertReadable = async (when) => {
    for (const [key, digest] of stored) {
      const res = assertOk(await send(srv, { bucket, key, timeoutMs: 30000 }), 200, `${when}: GET ${key}`);
      assert.equal(md5hex(res.body), digest, `${when}: ${key} changed`);
    }
    const list = assertOk(await send(srv, { bucket, query: { 'max-keys': '1000' } }));
    const listed = xmlAll(list.text, 'Contents').map((c) => xmlUnescape(xmlText(c, 'Key'))).sort();
    assert.deepEqual(listed, [...stored.keys()].sort(), `${when}: the listing is not what was stored`);
    const temporaries = walkFiles(dataDir).filter((p) => isTemporary(dataDir, p));
    assert.deepEqual(temporaries, [], `${when}: temporary files left`);
  };

  for (let i = 0; i < 3; i++) assertOk(await put(`keep/${i}`, 256 * 1024));

  // Fill with 1 MiB objects until the volume refuses one.
  let refused = null;
  let filled = 0;
  for (let i = 0; i < 40 && !refused; i++) {
    const res = await put(`fill/${i}`, MiB);
    if (res.status === 200) filled++;
    else refused = { key: `fill/${i}`, res };
  }
  assert.ok(refused, `40 MiB went into a ${SIZE} volume`);
  assertOutOfSpace(refused.res, mnt, `PUT ${refused.key} on a full volume`);
  assertError(await send(srv, { bucket, key: refused.key }), 404, 'NoSuchKey', `${refused.key} after its PUT failed`);
  await assertReadable('after the first refused PUT');

  // Deleting objects makes room.
  for (const key of ['fill/0', 'fill/1']) {
    assertOk(await send(srv, { method: 'DELETE', bucket, key }), 204, `DELETE ${key}`);
    stored.delete(key);
  }
  assertOk(await put('after-delete', MiB), 200, 'PUT after deleting objects');
  await assertReadable('after deleting objects');

  // Now take the last byte with a file beside the data dir: every write must fail cleanly.
  const fillerBytes = fillUp(filler);
  assertOutOfSpace(await put('tiny', 10), mnt, 'PUT of 10 bytes on a full volume');
  assertOutOfSpace(await put('medium', 200 * 1024), mnt, 'PUT of 200 KiB on a full volume');
  assertOutOfSpace(await send(srv, {
    method: 'PUT', bucket, key: 'copy-on-full', headers: { 'x-oss-copy-source': `/${bucket}/keep%2F0` },
  }), mnt, 'CopyObject on a full volume');
  for (const key of ['tiny', 'medium', 'copy-on-full']) {
    assertError(await send(srv, { bucket, key }), 404, 'NoSuchKey', `${key} after its write failed`);
  }
  const head = await send(srv, { method: 'HEAD', bucket, key: 'keep/1' });
  assertOk(head, 200, 'HEAD on a full volume');
  await assertReadable('on a full volume');

  // Space returns: the same server takes writes again.
  unlinkSync(filler);
  assert.ok(!existsSync(filler));
  assertOk(await put('tiny', 10), 200, 'PUT after space returned');
  assertOk(await put('big-again', MiB), 200, 'PUT of 1 MiB after space returned');
  const copied = assertOk(await send(srv, {
    method: 'PUT', bucket, key: 'copy-after', headers: { 'x-oss-copy-source': `/${bucket}/keep%2F0` },
  }), 200, 'CopyObject after space returned');
  assert.equal(xmlText(copied.text, 'ETag'), `"${stored.get('keep/0').toUpperCase()}"`);
  stored.set('copy-after', stored.get('keep/0'));
  await assertReadable('after space returned');

  const log = srv.output().split('\n').filter((l) => /no space left/i.test(l));
  console.log(`disk-full: volume ${SIZE}, ${filled} MiB objects stored before the first refusal, `
    + `filler took ${fillerBytes} B, ${stored.size} objects readable at the end; server log lines about space: ${log.length}`);
  assert.ok(log.length > 0, 'the server logged no detail of the out-of-space failures');
});
