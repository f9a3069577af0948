// Fault injection (c): ossd started on a data dir it cannot use must stop at
// once with one line on stderr that names the path and the reason, a non-zero
// exit code, and no stack trace or abort:
//   - a data dir under a parent that does not exist (a volume not mounted);
//   - a regular file, and a path below one;
//   - a directory without write permission (as root, which ignores permission
//     bits, ossd runs as nobody for this case);
//   - a read-only mount of a populated data dir (root only).
// Run: node --test faults/bad-data-dir.test.mjs
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync, chmodSync, chownSync, copyFileSync, statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, ossdBinary, ROOT_KEY_ID, ROOT_KEY_SECRET } from '../lib/server.mjs';
import { createBucket, putObject } from '../integration/lib/oss.mjs';

const NOBODY = 65534;
const isRoot = process.getuid() === 0;

// Runs ossd to its exit (20 s safety stop, then SIGKILL to its pid and a failure).
function runOssd(dataDir, { binary = ossdBinary, uid, gid } = {}) {
  return new Promise((resolve, reject) => {
    const proc = spawn(binary, ['--address', '127.0.0.1:0', '--data-dir', dataDir], {
      env: { ...process.env, OSSD_ROOT_ACCESS_KEY_ID: ROOT_KEY_ID, OSSD_ROOT_ACCESS_KEY_SECRET: ROOT_KEY_SECRET },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(uid !== undefined ? { uid, gid } : {}),
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c) => { stdout += c; });
    proc.stderr.on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`ossd was still running after 20 s on ${dataDir}:\n${stdout}${stderr}`));
    }, 20000);
    proc.on('error', (e) => { clearTimeout(timer); reject(e); });
    proc.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
  });
}

function assertRefused(r, dataDir, reason) {
  const all = `exit ${r.code} signal ${r.signal}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
  assert.equal(r.signal, null, `ossd died by a signal: ${all}`);
  assert.ok(r.code !== 0 && r.code !== null, `ossd exited with code ${r.code}: ${all}`);
  assert.doesNotMatch(r.stdout, /listening/, `ossd started listening: ${all}`);
  assert.doesNotMatch(r.stderr, /terminate called|what\(\)|Aborted|core dumped|^\s+at |#\d+\s+0x|Segmentation/m,
    `a crash or stack trace instead of a message: ${all}`);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `expected one line on stderr: ${all}`);
  assert.ok(lines[0].includes(dataDir), `the message does not name ${dataDir}: ${all}`);
  assert.match(lines[0], reason, `the message does not give the reason: ${all}`);
  return lines[0];
}

// Whether a user other than the owner may execute `file`: every directory above
// it searchable by others, the file itself executable by them.
function reachableByOthers(file) {
  const abs = path.resolve(file);
  if ((statSync(abs).mode & 0o005) !== 0o005) return false;
  for (let dir = path.dirname(abs); ; dir = path.dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
    if (dir === path.dirname(dir)) return true;
  }
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { ok: r.status === 0, text: `${r.stderr || ''}${r.stdout || ''}${r.error ? r.error.message : ''}`.trim() };
}

// A data dir that held a bucket and an object, made by a real server.
async function populate(dir) {
  const srv = await startServer({ dataDir: dir });
  try {
    await createBucket(srv, 'kept');
    await putObject(srv, 'kept', 'object', 'bytes');
  } finally {
    await srv.stop();
  }
}

describe('ossd refuses a data dir it cannot use', () => {
  let base;
  const messages = [];
  before(() => {
    base = mkdtempSync(path.join(tmpdir(), 'ossd-baddir-'));
  });
  after(() => {
    for (const m of messages) console.log(`bad-data-dir: ${m}`);
    rmSync(base, { recursive: true, force: true });
  });

  it('a data dir whose parent does not exist (a volume not mounted): refused, nothing created', async () => {
    const dir = path.join(base, 'not-mounted', 'data');
    messages.push(assertRefused(await runOssd(dir), dir, /does not exist/));
    assert.ok(!existsSync(path.join(base, 'not-mounted')), 'ossd created the missing parent');
  });

  it('a data dir that does not exist under an existing parent is created (first start)', async () => {
    const dir = path.join(base, 'fresh');
    const srv = await startServer({ dataDir: dir });
    await srv.stop();
    assert.ok(existsSync(path.join(dir, 'meta.db')));
  });

  it('a regular file as data dir, and a path below one: refused', async () => {
    const file = path.join(base, 'plain-file');
    writeFileSync(file, 'not a directory');
    messages.push(assertRefused(await runOssd(file), file, /not a directory/i));
    const below = path.join(file, 'data');
    messages.push(assertRefused(await runOssd(below), below, /not a directory/i));
  });

  it('a directory without write permission (chmod 0500): refused', async (t) => {
    const dir = path.join(base, 'no-write');
    mkdirSync(dir);
    await populate(dir);
    let opts = {};
    if (isRoot) {
      // Root ignores permission bits: run ossd as nobody, from a copy of the
      // binary when nobody cannot reach the checkout's.
      let binary = ossdBinary;
      if (!reachableByOthers(ossdBinary)) {
        const binDir = path.join(base, 'bin');
        mkdirSync(binDir, { recursive: true });
        binary = path.join(binDir, 'ossd');
        copyFileSync(ossdBinary, binary);
        chmodSync(binary, 0o755);
        chmodSync(binDir, 0o755);
      }
      chmodSync(base, 0o711);
      const own = (p) => {
        chownSync(p, NOBODY, NOBODY);
        for (const entry of spawnSync('find', [p, '-mindepth', '1'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean)) {
          chownSync(entry, NOBODY, NOBODY);
        }
      };
      own(dir);
      opts = { binary, uid: NOBODY, gid: NOBODY };
    }
    chmodSync(dir, 0o500);
    t.after(() => chmodSync(dir, 0o700));
    messages.push(assertRefused(await runOssd(dir, opts), dir, /not writable: Permission denied/));
  });

  it('a read-only mount of a populated data dir: refused', async (t) => {
    if (!isRoot) {
      t.skip('a read-only bind mount needs root (CI runs as root)');
      return;
    }
    const source = path.join(base, 'populated');
    const view = path.join(base, 'read-only-view');
    mkdirSync(source);
    mkdirSync(view);
    await populate(source);
    const bind = run('mount', ['--bind', source, view]);
    if (!bind.ok) {
      t.skip(`cannot bind-mount here (no CAP_SYS_ADMIN in this container?): ${bind.text}`);
      return;
    }
    t.after(() => { if (!run('umount', [view]).ok) run('umount', ['-l', view]); });
    const ro = run('mount', ['-o', 'remount,bind,ro', view]);
    assert.ok(ro.ok, `remount read-only: ${ro.text}`);
    messages.push(assertRefused(await runOssd(view), view, /not writable: Read-only file system/));
  });
});
