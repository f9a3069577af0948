// Health probes: GET/HEAD /-/health/live and /-/health/ready, unauthenticated,
// path-style only; a bucket named "health" keeps its objects, and a
// virtual-hosted "-/health/live" stays an object key.
import assert from 'node:assert/strict';
import { renameSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServer } from '../lib/server.mjs';
import { assertError, assertOk, createBucket, putObject, send, uniqueName } from './lib/oss.mjs';

describe('health probes', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  const probe = (method, target) => send(server, { method, rawPath: target, auth: 'none' });

  it('live answers 200 {"status":"ok"} without authentication, to GET and HEAD', async () => {
    const res = await probe('GET', '/-/health/live');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(JSON.parse(res.text), { status: 'ok' });
    assert.equal(res.headers['content-type'], 'application/json');
    assert.equal(res.headers['cache-control'], 'no-store');
    const head = await probe('HEAD', '/-/health/live');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
  });

  it('ready answers 200 when the metadata and blob stores answer', async () => {
    const res = await probe('GET', '/-/health/ready');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(JSON.parse(res.text), { status: 'ok', metadata: 'ok', blobs: 'ok' });
    assert.equal((await probe('HEAD', '/-/health/ready')).status, 200);
  });

  it('other methods, a query or another path on "/-/" are OSS requests (an invalid bucket)', async () => {
    for (const [method, target] of [['PUT', '/-/health/live'], ['DELETE', '/-/health/live'],
      ['GET', '/-/health/live?acl'], ['GET', '/-/health'], ['GET', '/-/health/live/']]) {
      const res = await probe(method, target);
      assertError(res, 400, 'InvalidBucketName', `${method} ${target}`);
    }
    // A POST without a form is refused by routing, before the bucket name is looked at.
    assertError(await probe('POST', '/-/health/ready'), 405, 'MethodNotAllowed');
  });

  it('a bucket named "health" keeps /health/live and /health/ready as its objects', async () => {
    // Another test run may own "health" already on a shared data dir; this one is fresh.
    await createBucket(server, 'health');
    await putObject(server, 'health', 'live', 'object, not a probe');
    const res = assertOk(await send(server, { bucket: 'health', key: 'live' }));
    assert.equal(res.text, 'object, not a probe');
    // Unsigned it is an anonymous read of a private object, not a probe.
    assertError(await probe('GET', '/health/live'), 403, 'AccessDenied');
    assertError(await probe('GET', '/health/ready'), 403, 'AccessDenied');
  });

  it('virtual-hosted, "-/health/live" is an object key of the bucket', async () => {
    const bucket = uniqueName('health-vh');
    await createBucket(server, bucket);
    assertOk(await send(server, { method: 'PUT', bucket, key: '-/health/live', body: 'key', vhost: 'localhost' }));
    const res = assertOk(await send(server, { bucket, key: '-/health/live', vhost: 'localhost' }));
    assert.equal(res.text, 'key');
    const unsigned = await send(server, { bucket, key: '-/health/live', vhost: 'localhost', auth: 'none' });
    assertError(unsigned, 403, 'AccessDenied');
  });

  it('ready answers 503 naming the blob store when its directory is gone, and recovers', async () => {
    const blobs = path.join(server.dataDir, 'objects', 'blobs');
    renameSync(blobs, `${blobs}.away`);
    try {
      const res = await probe('GET', '/-/health/ready');
      assert.equal(res.status, 503, res.text);
      assert.deepEqual(JSON.parse(res.text), { status: 'unavailable', metadata: 'ok', blobs: 'unavailable' });
      assert.ok(!res.text.includes(server.dataDir), 'the body must not name server paths');
      assert.equal((await probe('GET', '/-/health/live')).status, 200, 'live does not depend on the stores');
    } finally {
      renameSync(`${blobs}.away`, blobs);
    }
    assert.equal((await probe('GET', '/-/health/ready')).status, 200);
  });
});
