// `ossd migrate` into the scale-out stores and back (issue #7): a single node
// (SQLite + files) filled through ali-oss is stopped, migrated into
// PostgreSQL + RADOS with the verify step, served by two gateways on them,
// then migrated back into a fresh single node. Bytes (small blobs inline in
// their RADOS head, larger ones across chunks), ETags, metadata and the
// listing must survive both ways. (tests/integration/migrate.test.mjs covers
// every kind of record between SQLite and PostgreSQL.)
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import OSS from 'ali-oss';
import { cephSkipReason, startCeph } from '../lib/ceph.mjs';
import { postgresSkipReason, startPostgres } from '../lib/postgres.mjs';
import { runOssd, startServer } from '../lib/server.mjs';

const skip = postgresSkipReason() ?? cephSkipReason();
if (skip) console.log(`# ${skip}`);
const TIMEOUT = 120_000;
const md5 = (buf) => crypto.createHash('md5').update(buf).digest('hex');

function client(server, bucket) {
  return new OSS({
    endpoint: server.localhostEndpoint,
    sldEnable: true,
    accessKeyId: server.accessKeyId,
    accessKeySecret: server.accessKeySecret,
    region: 'oss-cn-hangzhou',
    bucket,
    timeout: 20_000,
    retryMax: 0,
  });
}

const migrate = (args) => runOssd(['migrate', ...args], { timeoutMs: 90_000 });

describe('ossd migrate between a single node and PostgreSQL + RADOS', { skip: skip ?? false }, () => {
  const bucket = `mig-rados-${process.pid}`;
  const dirs = [];
  const tempDir = (tag) => {
    const dir = mkdtempSync(path.join(tmpdir(), `ossd-mig-rados-${tag}-`));
    dirs.push(dir);
    return dir;
  };
  // Inline in the head, exactly one chunk, and several chunks (chunk=64K below).
  const bodies = {
    'small.txt': Buffer.from('small body'),
    'one-chunk.bin': crypto.randomBytes(64 * 1024),
    'dir/several chunks.bin': crypto.randomBytes(300 * 1024 + 7),
  };
  const multipartKey = 'multipart.bin';
  const multipartBody = crypto.randomBytes(250 * 1024);
  const expected = {};
  let pg;
  let ceph;
  let blobSpec;
  let source;

  before(async () => {
    pg = await startPostgres();
    ceph = await startCeph();
    blobSpec = ceph.blobSpec({ chunk: '64K' });
    source = tempDir('single');
    const server = await startServer({ dataDir: source });
    try {
      const c = client(server, bucket);
      await c.putBucket(bucket);
      for (const [key, body] of Object.entries(bodies)) await c.put(key, body, { meta: { size: String(body.length) } });
      const upload = await c.initMultipartUpload(multipartKey);
      const parts = [];
      for (const [i, [start, end]] of [[0, 150 * 1024], [150 * 1024, multipartBody.length]].entries()) {
        const up = await c.uploadPart(multipartKey, upload.uploadId, i + 1, multipartBody, start, end);
        parts.push({ number: i + 1, etag: up.etag });
      }
      await c.completeMultipartUpload(multipartKey, upload.uploadId, parts);
      for (const key of [...Object.keys(bodies), multipartKey]) {
        const head = await c.head(key);
        expected[key] = { etag: head.res.headers.etag, meta: head.meta };
      }
    } finally {
      await server.stop();
    }
  }, { timeout: TIMEOUT });

  after(async () => {
    await ceph?.destroy();
    await pg?.destroy();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  async function check(server) {
    const c = client(server, bucket);
    const all = { ...bodies, [multipartKey]: multipartBody };
    for (const [key, body] of Object.entries(all)) {
      const got = await c.get(key);
      assert.equal(md5(got.content), md5(body), `bytes of ${key}`);
      assert.equal(got.res.headers.etag, expected[key].etag, `ETag of ${key}`);
      assert.deepEqual((await c.head(key)).meta, expected[key].meta, `metadata of ${key}`);
    }
    const listed = await c.list({ 'max-keys': 100 });
    assert.deepEqual(listed.objects.map((o) => o.name).sort(), Object.keys(all).sort());
  }

  let gatewayDir;

  it('moves into PostgreSQL + RADOS, verified, and two gateways serve it', { timeout: TIMEOUT }, async () => {
    gatewayDir = tempDir('gateways');
    const { code, output } = await migrate(['--data-dir', source, '--to-data-dir', gatewayDir,
      '--to-meta', pg.uri(), '--to-blob', blobSpec]);
    assert.equal(code, 0, output);
    assert.match(output, /migration verified/);
    assert.match(output, /target: .*rados pool=ossd/);
    const args = ['--meta', pg.uri(), '--blob', blobSpec];
    const a = await startServer({ dataDir: gatewayDir, args });
    const b = await startServer({ dataDir: gatewayDir, args });
    try {
      await check(a);
      await check(b);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('moves back into a fresh single node, verified', { timeout: TIMEOUT }, async () => {
    const back = tempDir('back');
    const { code, output } = await migrate(['--data-dir', gatewayDir, '--meta', pg.uri(), '--blob', blobSpec,
      '--to-data-dir', back]);
    assert.equal(code, 0, output);
    assert.match(output, /migration verified/);
    const server = await startServer({ dataDir: back });
    try {
      await check(server);
    } finally {
      await server.stop();
    }
  });
});
