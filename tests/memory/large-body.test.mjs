// A 1 GiB PUT and GET stream through ossd: the bytes come back intact and the
// server's peak resident memory stays under 100 MiB (bodies are never held
// whole). The upload uses ali-oss putStream (chunked transfer encoding).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import OSS from 'ali-oss';
import { startServer } from '../lib/server.mjs';

const SIZE = 1024 * 1024 * 1024;
const PIECE = 1024 * 1024;
const RSS_LIMIT_KIB = 100 * 1024;

// Random (incompressible) bytes, generated piece by piece so the test never
// holds the whole body either.
function* pieces() {
  for (let sent = 0; sent < SIZE; sent += PIECE) yield crypto.randomFillSync(Buffer.allocUnsafe(PIECE));
}

function peakRssKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/VmHWM:\s+(\d+)\s+kB/)[1]);
}

test('1 GiB PUT and GET stream in bounded memory', { timeout: 240_000 }, async () => {
  const server = await startServer({ args: ['--no-access-log'] });
  try {
    const client = new OSS({
      endpoint: server.localhostEndpoint,
      sldEnable: true,
      region: 'oss-cn-hangzhou',
      accessKeyId: server.accessKeyId,
      accessKeySecret: server.accessKeySecret,
      timeout: 200_000,
    });
    await client.putBucket('large-body');
    client.useBucket('large-body');

    const sentHash = crypto.createHash('md5');
    const source = Readable.from((function* () {
      for (const block of pieces()) {
        sentHash.update(block);
        yield block;
      }
    })());
    const put = await client.putStream('big.bin', source);
    assert.equal(put.res.status, 200);
    const expectedMd5 = sentHash.digest('hex').toUpperCase();
    assert.equal(put.res.headers.etag, `"${expectedMd5}"`);

    const head = await client.head('big.bin');
    assert.equal(Number(head.res.headers['content-length']), SIZE);

    const got = await client.getStream('big.bin');
    const receivedHash = crypto.createHash('md5');
    let received = 0;
    for await (const chunk of got.stream) {
      receivedHash.update(chunk);
      received += chunk.length;
    }
    assert.equal(received, SIZE);
    assert.equal(receivedHash.digest('hex').toUpperCase(), expectedMd5);

    const peak = peakRssKiB(server.pid);
    console.log(`ossd peak RSS after 1 GiB PUT + GET: ${(peak / 1024).toFixed(1)} MiB`);
    assert.ok(peak < RSS_LIMIT_KIB, `peak RSS ${peak} KiB is over ${RSS_LIMIT_KIB} KiB`);
  } finally {
    await server.stop();
  }
});
