// `ossd migrate` (issue #7): a single-node deployment (SQLite metadata, blobs
// under the data dir) filled through ali-oss and the RAM API is stopped,
// migrated to PostgreSQL metadata + a fresh blob directory, served from there,
// migrated back to a fresh SQLite data dir and served again. Each time every
// bucket setting, object (bytes, ETag, Last-Modified, user metadata), the open
// multipart upload and the RAM user's access key must have survived.
// Starts its own throwaway cluster (tests/lib/postgres.mjs); OSSD_SKIP_POSTGRES=1 skips.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import OSS from 'ali-oss';
import { expectOssError } from '../interop/lib/common.mjs';
import { postgresSkipReason, startPostgres } from '../lib/postgres.mjs';
import { runOssd, startServer } from '../lib/server.mjs';
import { Ram, bucketPolicy, ramClient } from '../interop/lib/iam.mjs';

const skip = postgresSkipReason();
if (skip) console.log(`# ${skip}`);
const TIMEOUT = 120_000;
// Ignored by the cluster (trust authentication), so it only shows whether
// ossd ever prints it.
const PASSWORD = 'never-print-this-pw';

function ossClient(server, bucket, credentials = server) {
  return new OSS({
    endpoint: server.localhostEndpoint,
    sldEnable: true,
    accessKeyId: credentials.accessKeyId,
    accessKeySecret: credentials.accessKeySecret,
    region: 'oss-cn-hangzhou',
    bucket,
    timeout: 20_000,
    retryMax: 0,
  });
}

const migrate = (args) => runOssd(['migrate', ...args]);

const tempDir = (tag) => mkdtempSync(path.join(tmpdir(), `ossd-migrate-${tag}-`));

describe('ossd migrate between SQLite and PostgreSQL', { skip: skip ?? false }, () => {
  const bucket = `migrate-${process.pid}`;
  const plainBucket = `migrate-plain-${process.pid}`;
  const dirs = [];
  let pg;
  let user;
  let uploadId;
  const keys = {
    odd: 'dir/é t+%?#&=~!$\'()*,;@[] 视频.txt',
    nested: 'a//b c',
    big: 'multipart/whole.bin',
  };
  const bodies = {
    odd: Buffer.from('odd key body \u00e9\u0000\u00ff', 'utf8'),
    nested: Buffer.from('nested'),
    big: Buffer.alloc(250 * 1024 + 17, 7),
  };
  const openUpload = { key: 'uploads/left open.bin', parts: [Buffer.alloc(100 * 1024, 1), Buffer.alloc(5000, 2)] };
  const cors = [{ allowedOrigin: 'https://example.com', allowedMethod: ['GET', 'PUT'], allowedHeader: '*', maxAgeSeconds: 60 }];
  // What the source served: name -> { etag, lastModified, meta, type }.
  const expected = {};

  before(async () => {
    pg = await startPostgres();
    const dataDir = tempDir('sqlite');
    dirs.push(dataDir);
    const server = await startServer({ dataDir });
    try {
      const root = ossClient(server, bucket);
      await root.putBucket(bucket);
      await root.putBucketACL(bucket, 'public-read');
      await root.putBucketCORS(bucket, cors);
      await ossClient(server, plainBucket).putBucket(plainBucket);

      await root.put(keys.odd, bodies.odd, { mime: 'text/x-odd', meta: { author: 'zhang san', empty: '' } });
      await root.put(keys.nested, bodies.nested);
      await root.putACL(keys.nested, 'public-read');
      await root.put(keys.big, bodies.big.subarray(0, 10));  // replaced below: the old blob must not matter
      const big = await root.initMultipartUpload(keys.big, { meta: { stage: 'done' } });
      const parts = [];
      for (const [i, [start, end]] of [[0, 200 * 1024], [200 * 1024, bodies.big.length]].entries()) {
        const up = await root.uploadPart(keys.big, big.uploadId, i + 1, bodies.big, start, end);
        parts.push({ number: i + 1, etag: up.etag });
      }
      await root.completeMultipartUpload(keys.big, big.uploadId, parts);
      await ossClient(server, plainBucket).put('only', Buffer.from('in the other bucket'));

      const open = await root.initMultipartUpload(openUpload.key, { mime: 'video/mp4', meta: { origin: 'left-open' } });
      uploadId = open.uploadId;
      const whole = Buffer.concat(openUpload.parts);
      await root.uploadPart(openUpload.key, uploadId, 1, whole, 0, openUpload.parts[0].length);
      await root.uploadPart(openUpload.key, uploadId, 2, whole, openUpload.parts[0].length, whole.length);

      const ram = ramClient(server);
      await ram.createUser(new Ram.CreateUserRequest({ userName: 'migrated-user', displayName: 'Migrated' }));
      await ram.createPolicy(new Ram.CreatePolicyRequest({ policyName: 'migrated-rw', policyDocument: bucketPolicy(bucket) }));
      await ram.attachPolicyToUser(new Ram.AttachPolicyToUserRequest({
        policyType: 'Custom', policyName: 'migrated-rw', userName: 'migrated-user',
      }));
      const key = await ram.createAccessKey(new Ram.CreateAccessKeyRequest({ userName: 'migrated-user' }));
      user = { accessKeyId: key.body.accessKey.accessKeyId, accessKeySecret: key.body.accessKey.accessKeySecret };
      await ossClient(server, bucket, user).put('by-ram-user.txt', Buffer.from('signed by the RAM key'));

      for (const name of [keys.odd, keys.nested, keys.big, 'by-ram-user.txt']) {
        const head = await root.head(name);
        expected[name] = {
          etag: head.res.headers.etag,
          lastModified: head.res.headers['last-modified'],
          type: head.res.headers['content-type'],
          meta: head.meta,
        };
      }
    } finally {
      await server.stop();
    }
  }, { timeout: TIMEOUT });

  after(async () => {
    await pg?.destroy();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  // Everything the source held, read back through `server`.
  async function checkDeployment(server) {
    const root = ossClient(server, bucket);
    for (const [tag, name] of Object.entries(keys)) {
      const got = await root.get(name);
      assert.ok(got.content.equals(bodies[tag]), `bytes of ${name}`);
      assert.equal(got.res.headers.etag, expected[name].etag, `ETag of ${name}`);
      assert.equal(got.res.headers['last-modified'], expected[name].lastModified, `Last-Modified of ${name}`);
      assert.equal(got.res.headers['content-type'], expected[name].type, `Content-Type of ${name}`);
      assert.deepEqual((await root.head(name)).meta, expected[name].meta, `user metadata of ${name}`);
    }
    assert.equal((await root.head(keys.odd)).meta.author, 'zhang san');
    assert.equal((await root.getACL(keys.nested)).acl, 'public-read');
    assert.equal((await root.getBucketACL(bucket)).acl, 'public-read');
    const rules = (await root.getBucketCORS(bucket)).rules;
    assert.equal(rules.length, 1);
    assert.equal(rules[0].allowedOrigin, 'https://example.com');
    assert.deepEqual([rules[0].allowedMethod].flat(), ['GET', 'PUT']);
    const listed = await root.list({ 'max-keys': 100 });
    assert.deepEqual(listed.objects.map((o) => o.name).sort(),
      [keys.odd, keys.nested, keys.big, 'by-ram-user.txt'].sort());
    const buckets = (await root.listBuckets()).buckets.map((b) => b.name);
    assert.ok(buckets.includes(bucket) && buckets.includes(plainBucket), `buckets: ${buckets}`);
    assert.equal((await ossClient(server, plainBucket).get('only')).content.toString(), 'in the other bucket');

    const uploads = (await root.listUploads({})).uploads;
    assert.deepEqual(uploads.map((u) => [u.name, u.uploadId]), [[openUpload.key, uploadId]]);
    const parts = (await root.listParts(openUpload.key, uploadId)).parts;
    assert.deepEqual(parts.map((p) => Number(p.Size)), openUpload.parts.map((p) => p.length));

    // The RAM user's key (its secret was sealed in the source) still signs.
    const asUser = ossClient(server, bucket, user);
    assert.equal((await asUser.get('by-ram-user.txt')).content.toString(), 'signed by the RAM key');
    await asUser.put('after-migration.txt', Buffer.from('new write'));
    await asUser.delete('after-migration.txt');
    await expectOssError(ossClient(server, plainBucket, user).get('only'), 'AccessDenied', 403);
  }

  let pgDataDir;

  it('migrates SQLite + files to PostgreSQL + a fresh blob directory, verified', { timeout: TIMEOUT }, async () => {
    pgDataDir = tempDir('pg');
    dirs.push(pgDataDir);
    const { code, output } = await migrate(['--data-dir', dirs[0], '--to-data-dir', pgDataDir,
      '--to-meta', pg.uri({ password: PASSWORD })]);
    assert.equal(code, 0, output);
    console.log(output.trim());
    assert.ok(!output.includes(PASSWORD), `the password was printed:\n${output}`);
    assert.match(output, /target: postgresql postgres:\/\/ossd:\*\*\*@127\.0\.0\.1/);
    assert.match(output, /copied: buckets 2 \(1 settings\), objects 5 \(\d+ bytes\), multipart uploads 1 with 2 parts/);
    assert.match(output, /users 1, access keys 1/);
    assert.match(output, /migration verified/);

    const server = await startServer({ dataDir: pgDataDir, args: ['--meta', pg.uri()] });
    try {
      await checkDeployment(server);
    } finally {
      await server.stop();
    }
  });

  it('refuses a target that is not empty', { timeout: TIMEOUT }, async () => {
    const refusedDir = tempDir('refused');
    dirs.push(refusedDir);
    const { code, output } = await migrate(['--data-dir', dirs[0], '--to-data-dir', refusedDir,
      '--to-meta', pg.uri({ password: PASSWORD })]);
    assert.notEqual(code, 0);
    assert.match(output, /the target is not empty \(it holds bucket migrate-/);
    assert.ok(!output.includes(PASSWORD));
  });

  it('migrates PostgreSQL back to a fresh SQLite data dir, verified, and the open upload completes', { timeout: TIMEOUT }, async () => {
    const backDir = tempDir('back');
    dirs.push(backDir);
    const { code, output } = await migrate(['--data-dir', pgDataDir, '--meta', pg.uri({ password: PASSWORD }),
      '--to-data-dir', backDir]);
    assert.equal(code, 0, output);
    assert.ok(!output.includes(PASSWORD), `the password was printed:\n${output}`);
    assert.match(output, /target: sqlite .*meta\.db/);
    assert.match(output, /migration verified/);
    const verified = await migrate(['--data-dir', pgDataDir, '--meta', pg.uri(), '--to-data-dir', backDir,
      '--verify-only']);
    assert.equal(verified.code, 0, verified.output);

    const server = await startServer({ dataDir: backDir });
    try {
      await checkDeployment(server);
      const root = ossClient(server, bucket);
      const parts = (await root.listParts(openUpload.key, uploadId)).parts;
      await root.completeMultipartUpload(openUpload.key, uploadId,
        parts.map((p) => ({ number: Number(p.PartNumber), etag: p.ETag })));
      const done = await root.get(openUpload.key);
      assert.ok(done.content.equals(Buffer.concat(openUpload.parts)), 'the parts kept their bytes');
      assert.equal(done.res.headers['content-type'], 'video/mp4');
      assert.equal(done.res.headers['x-oss-meta-origin'], 'left-open');
    } finally {
      await server.stop();
    }
  });

  it('--verify-only reports a difference and exits non-zero', { timeout: TIMEOUT }, async () => {
    // The SQLite copy has moved on (the upload was completed), so it no longer matches the PostgreSQL one.
    const { code, output } = await migrate(['--data-dir', pgDataDir, '--meta', pg.uri(), '--to-data-dir', dirs.at(-1),
      '--verify-only']);
    assert.notEqual(code, 0, output);
    assert.match(output, /MISMATCH multipart upload .* is missing from the target/);
    assert.match(output, /mismatches between the source and the target/);
  });
});
