// Hostile and broken input for x-oss-process: every case gets a clear 4xx
// with an OSS XML error, and plain GETs keep working meanwhile. Also the
// load-correctness check: thumbnails under a small image queue are 200 or
// 503 (never another 5xx) while every concurrent plain GET is served intact.
// No timing assertions: "quickly" is bounded by the per-test timeouts only.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer } from '../lib/server.mjs';
import { claimedSizePng, encodePng, manyFrameGif } from '../lib/png.mjs';
import {
  assertError, assertOk, buildRequest, createBucket, putObject, rawConnect, rawHead, send, sleep, uniqueName, xmlRoot,
  xmlText,
} from './lib/oss.mjs';

const b64 = (text) => Buffer.from(text, 'utf8').toString('base64url');
const TIMEOUT = 60_000;

let server;
let bucket;
const plainBody = Buffer.alloc(4096, 'p');
before(async () => {
  // Cache off and a small queue, so the load test below really runs (and
  // refuses) image work instead of answering from memory.
  server = await startServer({ args: ['--image-cache-bytes', '0', '--image-threads', '2', '--image-queue', '4'] });
  bucket = uniqueName('img-bad');
  await createBucket(server, bucket);
  await putObject(server, bucket, 'plain.bin', plainBody);
  await putObject(server, bucket, 'photo.png', encodePng({ width: 400, height: 300 }));
});
after(async () => {
  await server?.stop();
});

function processed(key, process, extra = {}) {
  return send(server, { method: 'GET', bucket, key, query: [['x-oss-process', process]], timeoutMs: 30000, ...extra });
}

async function assertPlainGetWorks(what) {
  const res = await send(server, { method: 'GET', bucket, key: 'plain.bin' });
  assertOk(res, 200, `plain GET after ${what}`);
  assert.ok(res.body.equals(plainBody), `plain GET after ${what} returns the right bytes`);
}

describe('x-oss-process: objects that are not usable images', () => {
  const photo = encodePng({ width: 400, height: 300 });
  const cases = [
    ['text.txt', Buffer.from('this is not an image\n'.repeat(50)), 'a text object'],
    // image/info reads only the header, which is intact: it is not asked here.
    ['truncated.png', photo.subarray(0, Math.floor(photo.length / 2)), 'a PNG cut in half', ['image/resize,w_100', 'image/format,webp']],
    ['corrupt.png', Buffer.concat([photo.subarray(0, 33), Buffer.alloc(4000, 0xa5)]), 'a PNG with garbage after its header'],
    ['corrupt.jpg', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(4000, 0x5a)]), 'a JPEG with a garbage body'],
    ['empty.png', Buffer.alloc(0), 'an empty object'],
    ['bomb.png', claimedSizePng(50000, 50000), 'a 50000x50000 PNG header in a few KB'],
    ['tall.png', encodePng({ width: 1, height: 100000 }), 'a 1x100000 PNG'],
    ['frames.gif', manyFrameGif(300, 300, 10000), 'a GIF with 10000 frames of 300x300'],
  ];
  for (const [key, body, what, processes = ['image/resize,w_100', 'image/info', 'image/format,webp']] of cases) {
    it(`${what} -> 400 InvalidArgument`, { timeout: TIMEOUT }, async () => {
      assert.ok(body.length < 1 << 20, 'each hostile input is small');
      await putObject(server, bucket, key, body);
      for (const process of processes) {
        const res = await processed(key, process);
        assertError(res, 400, 'InvalidArgument', `${what} with ${process}`);
      }
      await assertPlainGetWorks(what);
    });
  }

  it('a source over the 20 MB limit is refused before it is read', { timeout: TIMEOUT }, async () => {
    await putObject(server, bucket, 'huge.png', Buffer.concat([encodePng({ width: 8, height: 8 }), Buffer.alloc(21 << 20)]));
    const res = await processed('huge.png', 'image/resize,w_10');
    const { xml } = assertError(res, 400, 'InvalidArgument', 'source over the size limit');
    assert.match(xmlText(xml, 'Message'), /bytes/);
    await assertPlainGetWorks('an oversized source');
  });
});

describe('x-oss-process: bad process strings', () => {
  const bad = [
    'image/explode,x_1', // unknown action
    'image/resize,q_1', // unknown parameter
    'image/resize,w_0',
    'image/resize,w_16385',
    'image/resize,w_abc',
    'image/resize,p_1001',
    'image/resize,m_sideways,w_10',
    'image/rotate,361',
    'image/blur,r_51,s_2',
    'image/bright,101',
    'image/contrast,-101',
    'image/sharpen,20',
    'image/quality,q_0',
    'image/format,exe',
    'image/crop,w_10,g_nowhere',
    'image/rounded-corners,r_4097',
    'video/snapshot,t_1000',
    'image/resize,w_10/' + 'resize,w_10/'.repeat(40), // too many actions
    `image/resize,${'w_1,'.repeat(2000)}`, // over the process-text length limit
  ];
  for (const process of bad) {
    it(`${process.slice(0, 60)} -> 400`, { timeout: TIMEOUT }, async () => {
      const res = await processed('photo.png', process);
      assertError(res, 400, 'InvalidArgument', process.slice(0, 60));
    });
  }

  it('a 10 MB process string is answered 4xx long before it is all sent', { timeout: TIMEOUT }, async () => {
    const req = buildRequest(server, {
      method: 'GET', bucket, key: 'photo.png', query: [['x-oss-process', `image/resize,w_${'1'.repeat(10 << 20)}`]], auth: 'none',
    });
    const head = Buffer.from(rawHead(req));
    const conn = rawConnect(server);
    await conn.connected;
    // Sent the way a client that reads while it writes would: chunk by
    // chunk, stopping once the server has answered. (A client that pushes
    // all 10 MB without reading is reset once the server's lingering close
    // has drained 1 MiB, and may never see the answer.)
    let sent = 0;
    while (sent < head.length && !conn.state.data.includes('\r\n\r\n') && !conn.state.closed) {
      if (!(await conn.write(head.subarray(sent, sent + 65536)))) break;
      sent += 65536;
      await sleep(1);
    }
    await conn.waitFor((s) => s.data.includes('\r\n\r\n') || s.closed, 10000);
    conn.destroy();
    const text = conn.state.data.toString('latin1');
    const status = Number(text.match(/^HTTP\/1\.1 (\d{3})/)?.[1]);
    assert.ok([400, 414, 431].includes(status), `status ${status} after ${sent} bytes: ${text.slice(0, 300)}`);
    assert.ok(sent < head.length / 4, `answered after ${sent} of ${head.length} bytes`);
    const body = text.slice(text.indexOf('\r\n\r\n') + 4);
    assert.equal(xmlRoot(body), 'Error');
    assert.equal(xmlText(body, 'Code'), 'InvalidArgument');
    await assertPlainGetWorks('a 10 MB process string');
  });

  it('HEAD with a bad process string: 400, no body, the error in x-oss-err', { timeout: TIMEOUT }, async () => {
    const res = await processed('photo.png', 'image/resize,w_0', { method: 'HEAD' });
    assertError(res, 400, 'InvalidArgument', 'HEAD w_0');
  });

  it('a missing style is 404 NoSuchStyle', { timeout: TIMEOUT }, async () => {
    assertError(await processed('photo.png', 'style/nothing-here'), 404, 'NoSuchStyle');
  });

  it('sys/saveas on a GET is refused', { timeout: TIMEOUT }, async () => {
    const res = await processed('photo.png', `image/resize,w_10|sys/saveas,o_${b64('out.png')}`);
    assertError(res, 400, 'InvalidArgument', 'saveas on GET');
  });
});

describe('x-oss-process: watermarks naming other objects', () => {
  it('a missing watermark object is 400 with a clear message', { timeout: TIMEOUT }, async () => {
    const res = await processed('photo.png', `image/watermark,image_${b64('no-such-logo.png')}`);
    const { xml } = assertError(res, 400, 'InvalidArgument', 'missing watermark');
    assert.match(xmlText(xml, 'Message'), /no-such-logo\.png/);
  });

  it('a watermark the caller may not read is 403', { timeout: TIMEOUT }, async () => {
    const open = uniqueName('img-wm');
    await createBucket(server, open, { 'x-oss-acl': 'public-read' });
    await putObject(server, open, 'photo.png', encodePng({ width: 200, height: 100 }));
    await putObject(server, open, 'secret.png', encodePng({ width: 20, height: 20 }), { 'x-oss-object-acl': 'private' });
    // The source itself is public: anonymous processing without a watermark works.
    const ok = await send(server, {
      method: 'GET', bucket: open, key: 'photo.png', query: [['x-oss-process', 'image/resize,w_50']], auth: 'none',
    });
    assertOk(ok, 200, 'anonymous processing of a public object');
    const res = await send(server, {
      method: 'GET', bucket: open, key: 'photo.png', query: [['x-oss-process', `image/watermark,image_${b64('secret.png')}`]], auth: 'none',
    });
    assertError(res, 403, 'AccessDenied', 'private watermark, anonymous caller');
  });
});

describe('x-oss-process: POST (sys/saveas) refusals', () => {
  const post = (key, body, extra = {}) => send(server, {
    method: 'POST', bucket, key, query: [['x-oss-process', '']], body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, ...extra,
  });

  it('without a target, without the field, or with a bad target key', { timeout: TIMEOUT }, async () => {
    assertError(await post('photo.png', 'x-oss-process=image%2Fresize%2Cw_10'), 400, 'InvalidArgument', 'no saveas');
    assertError(await post('photo.png', 'other=1'), 400, 'MissingArgument', 'no x-oss-process field');
    const badKey = `x-oss-process=${encodeURIComponent(`image/resize,w_10|sys/saveas,o_${b64('/starts-with-slash')}`)}`;
    assertError(await post('photo.png', badKey), 400, ['InvalidObjectName', 'InvalidArgument'], 'bad target key');
  });

  it('anonymous callers cannot save', { timeout: TIMEOUT }, async () => {
    const body = `x-oss-process=${encodeURIComponent(`image/resize,w_10|sys/saveas,o_${b64('anon.png')}`)}`;
    assertError(await post('photo.png', body, { auth: 'none' }), 403, 'AccessDenied', 'anonymous saveas');
    assertError(await send(server, { method: 'GET', bucket, key: 'anon.png' }), 404, 'NoSuchKey', 'nothing saved');
  });
});

describe('x-oss-process under load', () => {
  it('32 thumbnail clients and 32 plain GETs: plain GETs all succeed, thumbnails are 200 or 503', { timeout: 120_000 }, async (t) => {
    await putObject(server, bucket, 'large.png', encodePng({ width: 1600, height: 1200 }));
    const thumbnails = Array.from({ length: 32 }, (_, i) => processed('large.png', `image/resize,w_${100 + i}`, { timeoutMs: 100000 }));
    const plains = Array.from({ length: 32 }, () => send(server, { method: 'GET', bucket, key: 'plain.bin', timeoutMs: 100000 }));
    const [thumbResults, plainResults] = await Promise.all([Promise.all(thumbnails), Promise.all(plains)]);
    for (const res of plainResults) {
      assertOk(res, 200, 'plain GET under image load');
      assert.ok(res.body.equals(plainBody), 'plain GET bytes under image load');
    }
    let served = 0;
    let refused = 0;
    for (const res of thumbResults) {
      if (res.status === 200) {
        served += 1;
        assert.equal(res.headers['content-type'], 'image/png');
      } else {
        assertError(res, 503, 'ServiceUnavailable', 'a refused thumbnail');
        refused += 1;
      }
    }
    t.diagnostic(`thumbnails: ${served} served, ${refused} refused with 503`);
    assert.ok(served >= 1, 'some thumbnails were served');
    assert.equal(served + refused, 32);
  });
});
