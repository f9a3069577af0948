// File permissions of the data directory (issue #6): a data dir that ossd
// creates is 0700, the master key and the root account file are 0600, and so
// is every other file it writes there (the identity database holds the sealed
// secrets and STS token keys; the metadata database and blobs hold customer
// data), whatever the umask, even 000. Each case starts the real binary on a
// path that does not exist yet, does some work, stops it, then stats
// everything under the directory.
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { startServer } from '../lib/server.mjs';
import { createBucket, putObject } from '../integration/lib/oss.mjs';
import { rpcOk } from '../integration/lib/rpc.mjs';

const scratch = mkdtempSync(path.join(tmpdir(), 'ossd-perm-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const mode = (p) => (lstatSync(p).mode & 0o777);
const octal = (m) => m.toString(8).padStart(4, '0');

function walk(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    out.push(full);
    if (entry.isDirectory()) out.push(...walk(full));
  }
  return out;
}

// Runs ossd with `umask` (the child inherits this process's umask; node runs
// each test file in its own process) on a fresh dir, writes an object and a
// RAM access key so every store has content, stops it and returns the tree.
async function runOnFreshDir({ umask, name, env = {}, args = [] }) {
  // The parent exists (ossd refuses to create a missing parent: an unmounted volume).
  const dataDir = path.join(scratch, `${name}-data`);
  assert.throws(() => statSync(dataDir), { code: 'ENOENT' });
  const previous = process.umask(umask);
  let server;
  try {
    server = await startServer({ dataDir, env, args });
  } finally {
    process.umask(previous);
  }
  // A generated root key is printed once at first start; use it.
  const generated = server.output().match(/root AccessKeyId: (\S+)[^\n]*\nroot AccessKeySecret: (\S+)/);
  if (generated) [, server.accessKeyId, server.accessKeySecret] = generated;
  try {
    const bucket = `perm-${name}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
    await createBucket(server, bucket);
    await putObject(server, bucket, 'object.txt', 'some customer data');
    await rpcOk(server, { action: 'CreateUser', params: { UserName: 'perm-user' } });
    await rpcOk(server, { action: 'CreateAccessKey', params: { UserName: 'perm-user' } });
  } finally {
    await server.stop();
  }
  return { dataDir, output: server.output(), entries: walk(dataDir) };
}

function assertPrivateTree(dataDir, entries, what) {
  assert.equal(octal(mode(dataDir)), '0700', `${what}: the data dir`);
  const wrong = [];
  for (const entry of entries) {
    const st = lstatSync(entry);
    const rel = path.relative(dataDir, entry);
    if (st.isSymbolicLink()) wrong.push(`${rel}: a symlink`);
    else if (st.isDirectory() && (st.mode & 0o777) !== 0o700) wrong.push(`${rel}/: ${octal(st.mode & 0o777)}`);
    else if (st.isFile() && (st.mode & 0o777) !== 0o600) wrong.push(`${rel}: ${octal(st.mode & 0o777)}`);
  }
  assert.deepEqual(wrong, [], `${what}: entries not private (dirs 0700, files 0600)`);
}

describe('a data dir ossd creates', () => {
  for (const umask of [0o000, 0o022, 0o077]) {
    it(`is 0700 with master.key, root-account.json and every other file 0600 (umask ${octal(umask)})`, async () => {
      const { dataDir, entries } = await runOnFreshDir({ umask, name: `umask-${octal(umask)}` });
      const names = entries.map((e) => path.relative(dataDir, e));
      // What ossd keeps there (so a new secret file is noticed and covered).
      for (const expected of ['master.key', 'root-account.json', 'identity.db', 'meta.db', 'objects', 'objects/blobs']) {
        assert.ok(names.includes(expected), `${expected} missing from ${names.filter((n) => !n.startsWith('objects/blobs/')).join(', ')}`);
      }
      assert.ok(names.some((n) => /^objects\/blobs\/[0-9a-f]{2}\/./.test(n)), 'a blob was written');
      assert.equal(octal(mode(path.join(dataDir, 'master.key'))), '0600', 'master.key');
      assert.equal(octal(mode(path.join(dataDir, 'root-account.json'))), '0600', 'root-account.json');
      assertPrivateTree(dataDir, entries, `umask ${octal(umask)}`);
    });
  }

  it('keeps a generated root secret in a 0600 file (umask 000, no root key in the environment)', async () => {
    const { dataDir, entries, output } = await runOnFreshDir({
      umask: 0o000, name: 'generated-root',
      env: { OSSD_ROOT_ACCESS_KEY_ID: '', OSSD_ROOT_ACCESS_KEY_SECRET: '' },
    });
    const account = JSON.parse(readFileSync(path.join(dataDir, 'root-account.json'), 'utf8'));
    assert.match(account.access_key_secret ?? '', /^\S{20,}$/, 'the generated secret is kept in the file');
    assert.equal(octal(mode(path.join(dataDir, 'root-account.json'))), '0600');
    assertPrivateTree(dataDir, entries, 'generated root key');
    // Shown once on stdout by design (the operator's only chance to see it).
    assert.ok(output.includes(account.access_key_secret), 'the generated secret is shown once at first start');
  });

  it('uses an operator\'s --master-key-file only when it is private, and writes no second key (umask 000)', async () => {
    // The operator provides the file (ossd never creates it); ossd refuses it
    // unless it is readable by its owner alone.
    const keyFile = path.join(scratch, 'ossd-master.key');
    writeFileSync(keyFile, `${'ab'.repeat(32)}\n`, { mode: 0o644 });
    chmodSync(keyFile, 0o644);
    const loose = path.join(scratch, 'loose-master-key-data');
    await assert.rejects(startServer({ dataDir: loose, args: ['--master-key-file', keyFile] }), /exited early/);
    chmodSync(keyFile, 0o600);
    const { dataDir, entries } = await runOnFreshDir({ umask: 0o000, name: 'master-key-file', args: ['--master-key-file', keyFile] });
    assert.equal(octal(mode(keyFile)), '0600', 'the master key file');
    assert.ok(!entries.some((e) => path.basename(e) === 'master.key'), 'no second master key in the data dir');
    assertPrivateTree(dataDir, entries, '--master-key-file');
  });
});

describe('an existing data dir', () => {
  it('refuses a master key or root account file that others can read', async () => {
    const { dataDir } = await runOnFreshDir({ umask: 0o022, name: 'loosened' });
    for (const file of ['master.key', 'root-account.json']) {
      const target = path.join(dataDir, file);
      chmodSync(target, 0o644);
      await assert.rejects(startServer({ dataDir }), /exited early|did not start/, `a 0644 ${file} is refused`);
      chmodSync(target, 0o600);
    }
    const server = await startServer({ dataDir });
    await server.stop();
  });
});
