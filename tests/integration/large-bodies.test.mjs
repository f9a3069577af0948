// Bodies larger than the server's in-memory limits, on both paths that move
// them without a full copy: request bodies read straight from the socket into
// the blob writer's buffer, and plain GETs sent from the blob files with
// sendfile(2), across multipart segments and ranges. Also: a client that stops
// reading a large GET is cut off after --body-idle-timeout, and the server
// keeps serving.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startServer } from '../lib/server.mjs';
import {
  send, buildRequest, rawConnect, rawHead, assertOk, createBucket, uniqueName, xmlText, etagOf, sleep,
} from './lib/oss.mjs';

const MiB = 1024 * 1024;

describe('large bodies', () => {
  let srv;
  const bucket = uniqueName('large');
  const whole = crypto.randomBytes(3 * MiB + 12345);
  const parts = [crypto.randomBytes(MiB + 7), crypto.randomBytes(700 * 1024), crypto.randomBytes(300 * 1024 + 1)];
  const joined = Buffer.concat(parts);

  before(async () => {
    srv = await startServer({ args: ['--body-idle-timeout', '2'] });
    await createBucket(srv, bucket);
  });
  after(async () => { await srv?.stop(); });

  it('a 3 MiB PUT stores every byte: ETag is its MD5, GET returns it whole', async () => {
    const put = assertOk(await send(srv, { method: 'PUT', bucket, key: 'big/whole', body: whole }));
    assert.equal(put.headers.etag, etagOf(whole));
    const got = assertOk(await send(srv, { bucket, key: 'big/whole' }));
    assert.equal(got.headers['content-length'], String(whole.length));
    assert.ok(got.body.equals(whole), 'GET body differs from what was PUT');
  });

  it('ranges of a large object: the middle, a suffix, and one byte at the end', async () => {
    for (const [range, first, last] of [
      [`bytes=1000-${2 * MiB + 999}`, 1000, 2 * MiB + 999],
      ['bytes=-70000', whole.length - 70000, whole.length - 1],
      [`bytes=${whole.length - 1}-`, whole.length - 1, whole.length - 1],
    ]) {
      const res = assertOk(await send(srv, { bucket, key: 'big/whole', headers: { Range: range } }), 206, range);
      assert.equal(res.headers['content-range'], `bytes ${first}-${last}/${whole.length}`, range);
      assert.ok(res.body.equals(whole.subarray(first, last + 1)), `${range}: wrong bytes`);
    }
  });

  it('a multipart object is sent across its parts, whole and in a range that spans all three', async () => {
    const key = 'big/multipart';
    const init = assertOk(await send(srv, { method: 'POST', bucket, key, query: { uploads: '' } }));
    const uploadId = xmlText(init.text, 'UploadId');
    const etags = [];
    for (const [i, body] of parts.entries()) {
      const res = assertOk(await send(srv, { method: 'PUT', bucket, key, query: { partNumber: String(i + 1), uploadId }, body }));
      etags.push(res.headers.etag);
    }
    const xml = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
    assertOk(await send(srv, { method: 'POST', bucket, key, query: { uploadId }, body: xml }));
    const got = assertOk(await send(srv, { bucket, key }));
    assert.ok(got.body.equals(joined), 'multipart GET differs from the parts joined');
    const first = parts[0].length - 5;
    const last = parts[0].length + parts[1].length + 9;
    const res = assertOk(await send(srv, { bucket, key, headers: { Range: `bytes=${first}-${last}` } }), 206);
    assert.ok(res.body.equals(joined.subarray(first, last + 1)), 'range across parts: wrong bytes');
  });

  it('many large GETs at once all get every byte', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, () => send(srv, { bucket, key: 'big/whole' })));
    for (const r of results) {
      assertOk(r);
      assert.ok(r.body.equals(whole), 'a concurrent GET got different bytes');
    }
  });

  it('a client that stops reading a large GET is cut off after the body idle timeout; others are served', async () => {
    const key = 'big/unread';
    assertOk(await send(srv, { method: 'PUT', bucket, key, body: Buffer.alloc(48 * MiB, 0x5a), timeoutMs: 60000 }));
    const c = rawConnect(srv);
    await c.connected;
    c.sock.pause(); // reads nothing: the socket buffers fill and the server's sends stall
    await c.write(rawHead(buildRequest(srv, { bucket, key })));
    await sleep(500);
    assertOk(await send(srv, { bucket, query: { 'max-keys': '1' }, timeoutMs: 5000 }), 200, 'served while a reader stalls');
    // Wait for the server to give up (2 s idle), then read what it had sent: the socket ends early.
    await sleep(5000);
    c.sock.resume();
    const ended = await c.waitFor((s) => s.closed, 20000);
    c.destroy();
    assert.ok(ended, 'the stalled GET connection was not closed by the server');
    assert.ok(c.state.data.length < 48 * MiB, `the whole body arrived (${c.state.data.length} bytes) although the reader stalled`);
    assertOk(await send(srv, { bucket, query: { 'max-keys': '1' }, timeoutMs: 5000 }), 200, 'served after the stalled reader');
  });

  it('clients that hang up in the middle of large GETs do not take the server down', async () => {
    // A send to a socket the peer has closed raises SIGPIPE, which ends a
    // process that does not ignore it; sendfile(2) has no MSG_NOSIGNAL.
    for (let round = 0; round < 6; ++round) {
      const clients = await Promise.all(Array.from({ length: 16 }, async () => {
        const c = rawConnect(srv);
        await c.connected;
        await c.write(rawHead(buildRequest(srv, { bucket, key: 'big/unread' })));
        return c;
      }));
      await Promise.all(clients.map((c) => c.waitFor((s) => s.data.length > 256 * 1024, 10000)));
      clients.forEach((c, i) => { if ((i + round) % 2) c.sock.resetAndDestroy(); else c.destroy(); });
    }
    await sleep(300);
    assertOk(await send(srv, { bucket, query: { 'max-keys': '1' }, timeoutMs: 5000 }), 200, 'served after the hang-ups');
    const got = assertOk(await send(srv, { bucket, key: 'big/whole' }));
    assert.ok(got.body.equals(whole));
  });
});
