// The faults issue #7 says a deployment of gateways must survive, each on two
// ossd gateways sharing PostgreSQL metadata and a RADOS pool
// (tests/lib/deployment.mjs), driven by ali-oss:
//  - a gateway killed with -9 under load: clients retry on the other one
//    and nothing acknowledged is lost;
//  - PostgreSQL stopped under load: 503 ServiceUnavailable while it is down,
//    nothing acknowledged lost, service resumes by itself;
//  - the OSD stopped: 503 for data, metadata untouched, data again once it
//    is back;
//  - two gateways overwriting one key at once: one body wins, whole;
//  - an overwrite and a delete while another gateway streams the old body:
//    that GET still gets it whole;
//  - orphan blobs: only the elected gateway collects them, sparing young
//    ones, and the lead passes on when that gateway dies.
// Bounded: every load runs for a fixed count of requests or a fixed time.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import { writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import OSS from 'ali-oss';
import { cephSkipReason } from '../lib/ceph.mjs';
import { startTwoGateways } from '../lib/deployment.mjs';
import { postgresSkipReason } from '../lib/postgres.mjs';

const skip = postgresSkipReason() ?? cephSkipReason();
if (skip) console.log(`# ${skip}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const md5 = (buf) => crypto.createHash('md5').update(buf).digest('hex');

function clientFor(gateway, deployment, bucket) {
  return new OSS({
    endpoint: `http://localhost:${gateway.port}`,
    sldEnable: true,
    accessKeyId: deployment.accessKeyId,
    accessKeySecret: deployment.accessKeySecret,
    region: 'oss-cn-hangzhou',
    bucket,
    timeout: 15_000,
    retryMax: 0,
  });
}

// What a client of a load-balanced deployment does: send to one gateway, and
// when it fails without an answer (connection refused or reset) or answers
// 503, try again on the other. Returns the response, or throws the last error.
async function putWithFailover(clients, first, key, body, attempts = 6) {
  let last;
  for (let i = 0; i < attempts; i += 1) {
    const client = clients[(first + i) % clients.length];
    try {
      return await client.put(key, body);
    } catch (err) {
      last = err;
      const retriable = err.status === 503 || err.status === -1 || !err.status ||
        /ECONNREFUSED|ECONNRESET|socket hang up|EPIPE/.test(String(err.code ?? err.message));
      if (!retriable) throw err;
      await sleep(100);
    }
  }
  throw last;
}

describe('two gateways: faults', { skip: skip ?? false, concurrency: 1 }, () => {
  describe('a gateway killed with -9 under load', () => {
    let d;
    const bucket = `kill-gw-${process.pid}`;
    before(async () => {
      d = await startTwoGateways();
      await clientFor(d.gateways[0], d, bucket).putBucket(bucket);
    }, { timeout: 120_000 });
    after(async () => { await d?.stop(); });

    it('loses nothing acknowledged: every 200 is read back whole from the survivor', { timeout: 120_000 }, async () => {
      const clients = d.gateways.map((g) => clientFor(g, d, bucket));
      const acknowledged = new Map();
      const failed = [];
      let sent = 0;
      const WORKERS = 16;
      const PER_WORKER = 40;
      const worker = async (w) => {
        for (let i = 0; i < PER_WORKER; i += 1) {
          const key = `w${w}/k${i}`;
          const body = crypto.randomBytes(1024 + ((w * 131 + i * 977) % 300_000));
          sent += 1;
          if (w === 0 && i === 10) await d.gateways[0].kill();  // the middle of the load
          try {
            await putWithFailover(clients, (w + i) % 2, key, body);
            acknowledged.set(key, md5(body));
          } catch (err) {
            failed.push(`${key}: ${err.status} ${err.code} ${err.message}`);
          }
        }
      };
      await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
      assert.deepEqual(failed, [], 'with a surviving gateway every PUT succeeds on some attempt');
      assert.equal(acknowledged.size, WORKERS * PER_WORKER);
      const survivor = clients[1];
      let checked = 0;
      for (const [key, digest] of acknowledged) {
        const got = await survivor.get(key);
        assert.equal(md5(got.content), digest, `${key} reads back whole`);
        checked += 1;
      }
      const listed = [];
      let marker;
      do {
        const page = await survivor.list({ 'max-keys': 1000, marker });
        for (const o of page.objects ?? []) listed.push(o.name);
        marker = page.nextMarker;
      } while (marker);
      assert.equal(listed.length, acknowledged.size, 'the listing holds every acknowledged key and nothing else');
      console.log(`# gateway kill: ${sent} PUTs sent, ${acknowledged.size} acknowledged, ${checked} read back whole`);
    });
  });

  describe('PostgreSQL stopped and started under load', () => {
    let d;
    const bucket = `pg-restart-${process.pid}`;
    before(async () => {
      d = await startTwoGateways();
      await clientFor(d.gateways[0], d, bucket).putBucket(bucket);
    }, { timeout: 120_000 });
    after(async () => { await d?.stop(); });

    it('answers 503 while it is down, loses nothing acknowledged and resumes by itself', { timeout: 120_000 }, async () => {
      const clients = d.gateways.map((g) => clientFor(g, d, bucket));
      const acknowledged = new Map();
      const statuses = new Map();
      let stop = false;
      const worker = async (w) => {
        for (let i = 0; !stop; i += 1) {
          const key = `w${w}/k${i}`;
          const body = crypto.randomBytes(2048 + i);
          try {
            await clients[(w + i) % 2].put(key, body);
            acknowledged.set(key, md5(body));
            statuses.set(200, (statuses.get(200) ?? 0) + 1);
          } catch (err) {
            statuses.set(err.status, (statuses.get(err.status) ?? 0) + 1);
            if (err.status !== 503) throw new Error(`${key}: unexpected ${err.status} ${err.code} ${err.message}`);
            assert.equal(err.code, 'ServiceUnavailable');
            await sleep(50);
          }
        }
      };
      const load = Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
      await sleep(1500);
      const beforeStop = acknowledged.size;
      await d.pg.stop();
      await sleep(2500);
      const downtime503 = statuses.get(503) ?? 0;
      await d.pg.start();
      // Service resumes without touching the gateways: wait for new acknowledgements.
      const resumedAt = acknowledged.size;
      const deadline = Date.now() + 30_000;
      while (acknowledged.size < resumedAt + 50 && Date.now() < deadline) await sleep(100);
      stop = true;
      await load;
      assert.ok(beforeStop > 0, 'writes were acknowledged before the stop');
      assert.ok(downtime503 > 0, 'requests while PostgreSQL was down got 503 ServiceUnavailable');
      assert.ok(acknowledged.size >= resumedAt + 50, 'writes are acknowledged again after the start');
      for (const [key, digest] of acknowledged) {
        const got = await clients[0].get(key);
        assert.equal(md5(got.content), digest, `${key} reads back whole`);
      }
      console.log(`# PostgreSQL restart: ${acknowledged.size} acknowledged and read back; answers ${JSON.stringify([...statuses])}`);
    });
  });

  describe('the OSD stopped and started', () => {
    let d;
    const bucket = `osd-stop-${process.pid}`;
    before(async () => {
      // A cluster of its own: stopping the shared one's OSD would fail other suites.
      d = await startTwoGateways({ ownCeph: true, blob: { timeout: 3 } });
      await clientFor(d.gateways[0], d, bucket).putBucket(bucket);
    }, { timeout: 180_000 });
    after(async () => { await d?.stop(); });

    it('answers 503 for data and serves metadata while it is down, and data again once it is back', { timeout: 180_000 }, async () => {
      const [a, b] = d.gateways.map((g) => clientFor(g, d, bucket));
      const small = crypto.randomBytes(4096);
      const large = crypto.randomBytes(9 * 1024 * 1024);  // several chunks
      await a.put('small.bin', small);
      await b.put('large.bin', large);

      await d.ceph.stopOsd();
      const errGet = await b.get('large.bin').then(() => null, (e) => e);
      assert.ok(errGet, 'a GET of data while the OSD is down fails');
      assert.equal(errGet.status, 503, `GET: ${errGet.code} ${errGet.message}`);
      assert.equal(errGet.code, 'ServiceUnavailable');
      const errPut = await a.put('during.bin', Buffer.from('x')).then(() => null, (e) => e);
      assert.ok(errPut, 'a PUT while the OSD is down fails');
      assert.equal(errPut.status, 503, `PUT: ${errPut.code} ${errPut.message}`);
      // Metadata lives in PostgreSQL: it answers as before.
      const head = await a.head('large.bin');
      assert.equal(Number(head.res.headers['content-length']), large.length);
      const listed = await b.list();
      assert.deepEqual(listed.objects.map((o) => o.name).sort(), ['large.bin', 'small.bin']);
      await assert.rejects(a.head('during.bin'), (e) => e.status === 404, 'the refused PUT left no object');

      await d.ceph.startOsd();
      let got;
      const deadline = Date.now() + 60_000;
      while (!got && Date.now() < deadline) {
        got = await b.get('large.bin').catch(() => null);
        if (!got) await sleep(500);
      }
      assert.ok(got, 'data is served again once the OSD is back');
      assert.equal(md5(got.content), md5(large));
      assert.equal(md5((await a.get('small.bin')).content), md5(small));
      await a.put('after.bin', Buffer.from('after'));
      assert.equal((await b.get('after.bin')).content.toString(), 'after');
    });
  });

  describe('two gateways overwriting one key at once', () => {
    let d;
    const bucket = `race-${process.pid}`;
    before(async () => {
      d = await startTwoGateways();
      await clientFor(d.gateways[0], d, bucket).putBucket(bucket);
    }, { timeout: 120_000 });
    after(async () => { await d?.stop(); });

    it('one body wins whole, and its ETag is the one stored', { timeout: 120_000 }, async () => {
      const [a, b] = d.gateways.map((g) => clientFor(g, d, bucket));
      const outcomes = { a: 0, b: 0 };
      for (let round = 0; round < 30; round += 1) {
        const key = `contested-${round % 3}`;
        const bodyA = crypto.randomBytes(100_000 + round);
        const bodyB = crypto.randomBytes(100_000 + round);
        await Promise.all([a.put(key, bodyA), b.put(key, bodyB)]);
        const [viaA, viaB] = await Promise.all([a.get(key), b.get(key)]);
        const digest = md5(viaA.content);
        assert.equal(md5(viaB.content), digest, 'both gateways serve the same body');
        assert.ok(digest === md5(bodyA) || digest === md5(bodyB), `round ${round}: the body is one of the two, whole`);
        assert.equal(viaA.res.headers.etag.replaceAll('"', '').toLowerCase(), digest, 'the ETag is the winner\'s');
        outcomes[digest === md5(bodyA) ? 'a' : 'b'] += 1;
      }
      console.log(`# overwrite race: 30 rounds, A won ${outcomes.a}, B won ${outcomes.b}`);
    });
  });
  describe('an overwrite while another gateway streams the old body', () => {
    let d;
    const bucket = `stream-${process.pid}`;
    before(async () => {
      d = await startTwoGateways();
      await clientFor(d.gateways[0], d, bucket).putBucket(bucket);
    }, { timeout: 120_000 });
    after(async () => { await d?.stop(); });

    it('the GET that started first gets the old body whole', { timeout: 120_000 }, async () => {
      const [a, b] = d.gateways.map((g) => clientFor(g, d, bucket));
      const oldBody = crypto.randomBytes(24 * 1024 * 1024);
      await a.put('big.bin', oldBody);
      const { stream } = await b.getStream('big.bin');
      const chunks = [];
      const firstChunk = new Promise((resolve) => stream.once('data', (c) => { chunks.push(c); stream.pause(); resolve(); }));
      await firstChunk;
      const newBody = crypto.randomBytes(1024);
      await a.put('big.bin', newBody);
      await a.delete('big.bin');
      stream.on('data', (c) => chunks.push(c));
      await new Promise((resolve, reject) => { stream.on('end', resolve); stream.on('error', reject); stream.resume(); });
      const got = Buffer.concat(chunks);
      assert.equal(got.length, oldBody.length);
      assert.equal(md5(got), md5(oldBody));
    });
  });

  describe('orphan collection on the elected gateway', () => {
    let d;
    const bucket = `orphans-${process.pid}`;
    before(async () => {
      d = await startTwoGateways({ args: ['--orphan-scan-interval', '1', '--orphan-grace', '3'] });
      await clientFor(d.gateways[0], d, bucket).putBucket(bucket);
    }, { timeout: 120_000 });
    after(async () => { await d?.stop(); });

    const rados = (...args) => new Promise((resolve, reject) => {
      const namespace = /namespace=([^,]+)/.exec(d.blobSpec)[1];
      execFile('rados', ['-c', d.ceph.conf, '-p', 'ossd', '-N', namespace, ...args], { timeout: 30_000 },
        (err, stdout, stderr) => (err ? reject(new Error(`rados ${args.join(' ')}: ${err.message} ${stderr}`)) : resolve(stdout)));
    });
    const leaders = () => d.gateways.filter((g) => g.output().includes('orphan collection: this gateway leads'));

    it('one gateway leads, removes an orphan after the grace and spares every object\'s blob', { timeout: 120_000 }, async () => {
      const deadline = Date.now() + 20_000;
      while (leaders().length === 0 && Date.now() < deadline) await sleep(200);
      assert.equal(leaders().length, 1, 'exactly one gateway leads');

      const orphanId = crypto.randomBytes(16).toString('hex');
      const file = path.join(tmpdir(), `ossd-orphan-${process.pid}`);
      writeFileSync(file, 'a blob no record names');
      await rados('put', orphanId, file);
      rmSync(file);
      const [a, b] = d.gateways.map((g) => clientFor(g, d, bucket));
      const bodies = new Map();
      // Objects written all along the grace: none of their blobs may go.
      const writeUntil = Date.now() + 6000;
      for (let i = 0; Date.now() < writeUntil; i += 1) {
        const body = crypto.randomBytes(1000 + i);
        await (i % 2 ? a : b).put(`k${i}`, body);
        bodies.set(`k${i}`, md5(body));
      }
      const gone = Date.now() + 30_000;
      while ((await rados('ls')).includes(orphanId) && Date.now() < gone) await sleep(500);
      assert.ok(!(await rados('ls')).includes(orphanId), 'the orphan was removed');
      for (const [key, digest] of bodies) assert.equal(md5((await a.get(key)).content), digest, key);
      assert.match(leaders()[0].output(), /orphan collection: \d+ blobs checked, [1-9]\d* orphans removed/);
    });

    it('the lead passes to the other gateway when the leader dies', { timeout: 60_000 }, async () => {
      const [leader] = leaders();
      const other = d.gateways.find((g) => g !== leader);
      await leader.kill();
      const deadline = Date.now() + 30_000;
      while (!other.output().includes('orphan collection: this gateway leads') && Date.now() < deadline) await sleep(200);
      assert.match(other.output(), /orphan collection: this gateway leads/);
    });
  });
});
