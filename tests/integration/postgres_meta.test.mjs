// ossd on PostgreSQL metadata (--meta postgres://...), driven by the real
// ali-oss SDK: the object API works, /-/health/ready follows the database,
// requests get 503 ServiceUnavailable while PostgreSQL is down and work again
// by themselves once it is back, and the password never reaches a log line.
// Starts its own throwaway cluster (tests/lib/postgres.mjs); OSSD_SKIP_POSTGRES=1 skips.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import OSS from 'ali-oss';
import { expectOssError } from '../interop/lib/common.mjs';
import { postgresSkipReason, startPostgres } from '../lib/postgres.mjs';
import { startServer } from '../lib/server.mjs';

const skip = postgresSkipReason();
if (skip) console.log(`# ${skip}`);
const PASSWORD = 'pg-Secret-7f3a9c';  // trust authentication accepts it; it must never be printed
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function get(server, target) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: target, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.setTimeout(20000, () => req.destroy(new Error(`timeout: GET ${target}`)));
    req.on('error', reject);
    req.end();
  });
}

describe('PostgreSQL metadata store', { skip: skip ?? false }, () => {
  let pg;
  let server;
  let client;
  const bucket = `pg-meta-${process.pid}`;

  before(async () => {
    pg = await startPostgres();
    server = await startServer({ args: ['--meta', pg.uri({ password: PASSWORD })] });
    client = new OSS({
      endpoint: server.endpoint.replace('127.0.0.1', 'localhost'),
      sldEnable: true,  // path-style: no *.localhost name to resolve
      accessKeyId: server.accessKeyId,
      accessKeySecret: server.accessKeySecret,
      region: 'oss-cn-hangzhou',
      bucket,
      timeout: 30000,
      retryMax: 0,
    });
  });

  after(async () => {
    if (server) {
      await server.stop();
      assert.ok(!server.output().includes(PASSWORD), 'the database password appeared in the server output');
    }
    await pg?.destroy();
  });

  it('logs the store redacted and skips start-up orphan collection (the store is shared)', () => {
    const output = server.output();
    assert.match(output, /metadata store: postgresql postgres:\/\/ossd:\*\*\*@127\.0\.0\.1:\d+\/postgres/);
    assert.match(output, /orphan collection skipped: the metadata store is shared/);
    assert.doesNotMatch(output, /orphan blobs removed/);
  });

  it('serves buckets and objects through the real SDK', async () => {
    await client.putBucket(bucket);
    await client.put('a/one.txt', Buffer.from('first'));
    await client.put('a/two.txt', Buffer.from('second'));
    assert.equal((await client.get('a/one.txt')).content.toString(), 'first');
    const listed = await client.list({ prefix: 'a/', 'max-keys': 10 });
    assert.deepEqual(listed.objects.map((o) => o.name), ['a/one.txt', 'a/two.txt']);
    await client.delete('a/two.txt');
    const after = await client.list({ prefix: 'a/' });
    assert.deepEqual(after.objects.map((o) => o.name), ['a/one.txt']);
    const ready = await get(server, '/-/health/ready');
    assert.equal(ready.status, 200, ready.body);
    assert.deepEqual(JSON.parse(ready.body), { status: 'ok', metadata: 'ok', blobs: 'ok' });
  });

  it('answers 503 ServiceUnavailable while PostgreSQL is down and resumes by itself', async () => {
    await pg.stop();
    await expectOssError(client.put('down.txt', Buffer.from('x')), 'ServiceUnavailable', 503);
    const failed = await expectOssError(client.get('a/one.txt'), 'ServiceUnavailable', 503);
    assert.ok(!failed.message.includes('127.0.0.1'), `the client is not told where the database is: ${failed.message}`);
    const ready = await get(server, '/-/health/ready');
    assert.equal(ready.status, 503, ready.body);
    assert.deepEqual(JSON.parse(ready.body), { status: 'unavailable', metadata: 'unavailable', blobs: 'ok' });
    assert.equal((await get(server, '/-/health/live')).status, 200, 'live does not depend on the stores');

    await pg.start();
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = (await get(server, '/-/health/ready')).status;
      if (status !== 200) await sleep(100);
    }
    assert.equal(status, 200, 'ready again once PostgreSQL is back');
    await client.put('back.txt', Buffer.from('again'));
    assert.equal((await client.get('back.txt')).content.toString(), 'again');
    assert.equal((await client.get('a/one.txt')).content.toString(), 'first', 'what was written before survived');
  });

  it('an unreachable database at start is one critical line and exit code 1', async () => {
    const started = Date.now();
    // The cluster's port with the server stopped refuses at once.
    await pg.stop();
    try {
      await assert.rejects(startServer({ args: ['--meta', pg.uri({ password: PASSWORD })] }), (err) => {
        assert.match(err.message, /exited early \(code 1/);
        assert.match(err.message, /cannot open the metadata store postgresql postgres:\/\/ossd:\*\*\*@/);
        assert.ok(!err.message.includes(PASSWORD), 'the password is in the start-up error');
        const printed = err.message.split('\n').slice(1).filter((line) => line.trim() !== '');
        assert.equal(printed.length, 1, `one line, not:\n${printed.join('\n')}`);
        assert.match(printed[0], /\[critical\]/);
        return true;
      });
    } finally {
      await pg.start();
    }
    assert.ok(Date.now() - started < 30000, 'a refused connection does not hang the start-up');
  });

  it('a malformed --meta is refused without echoing it', async () => {
    await assert.rejects(startServer({ args: ['--meta', `pg:host=127.0.0.1 password${PASSWORD}`] }), (err) => {
      assert.match(err.message, /exited early \(code [1-9]/);
      assert.match(err.message, /--meta/);
      assert.ok(!err.message.includes(PASSWORD), 'the password is in the usage error');
      return true;
    });
  });
});
