// x-oss-process through ali-oss: get(key, {process}) and signatureUrl(key,
// {process}) for the seed's image/resize,w_200 in every addressing mode, a
// chain per action, HEAD, the derived-image cache and processObjectSave.
// Results are checked with image-size (npm) and, for PNG results, with the
// test suite's own PNG decoder (tests/lib/png.mjs): never with ossd's code.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { imageSize } from 'image-size';
import {
  CORE_MODES, TEST_TIMEOUT, assertRequestId, expectOssError, freshBucket, startOssd, stopOssd,
} from './lib/common.mjs';
import { decodePng, encodePng, gradient } from '../lib/png.mjs';

const b64 = (text) => Buffer.from(text, 'utf8').toString('base64url');

// Inputs are made before the tests are declared, so a test can be skipped
// when the vips CLI (for the JPEG input) is missing.
const tmp = mkdtempSync(path.join(tmpdir(), 'ossd-interop-image-'));
const photoPng = encodePng({ width: 800, height: 600 }); // RGB gradient
const logoPng = encodePng({ width: 64, height: 64, channels: 4, pixel: (x, y) => [255, 0, 0, (x + y) % 2 ? 255 : 128] });
const photoJpg = (() => {
  writeFileSync(path.join(tmp, 'photo.png'), photoPng);
  try {
    execFileSync('vips', ['copy', path.join(tmp, 'photo.png'), `${path.join(tmp, 'photo.jpg')}[Q=90]`], { stdio: 'pipe' });
    return readFileSync(path.join(tmp, 'photo.jpg'));
  } catch {
    return null; // no libvips-tools: JPEG inputs are skipped
  }
})();

let server;
before(async () => {
  server = await startOssd();
});
after(async () => {
  await stopOssd(server);
  rmSync(tmp, { recursive: true, force: true });
});

// GET through the suite's loopback agent (resolves <bucket>.localhost).
function httpGet(url, agent, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(20000, () => req.destroy(new Error(`timed out: ${url}`)));
    req.on('error', reject);
    req.end();
  });
}

function dimensions(buf) {
  const size = imageSize(buf);
  return { width: size.width, height: size.height, type: size.type };
}

describe('image: the seed call in every addressing mode', () => {
  for (const mode of CORE_MODES) {
    it(`[${mode.name}] get and signatureUrl with image/resize,w_200`, { timeout: TEST_TIMEOUT }, async () => {
      const { client } = await freshBucket(server, mode, 'img-seed');
      await client.put('ossdemo.png', photoPng);
      const got = await client.get('ossdemo.png', { process: 'image/resize,w_200' });
      assert.equal(got.res.status, 200);
      assertRequestId(got.res, 'processed get');
      assert.equal(got.res.headers['content-type'], 'image/png');
      assert.deepEqual(dimensions(got.content), { width: 200, height: 150, type: 'png' });
      assert.equal(Number(got.res.headers['content-length']), got.content.length);

      const url = client.signatureUrl('ossdemo.png', { process: 'image/resize,w_200', expires: 600 });
      assert.match(url, /x-oss-process=image%2Fresize%2Cw_200/);
      const fetched = await httpGet(url, server.agent);
      assert.equal(fetched.status, 200, fetched.body.toString());
      assert.deepEqual(dimensions(fetched.body), { width: 200, height: 150, type: 'png' });
      assert.ok(fetched.body.equals(got.content), 'the signed URL serves the same result');

      // The process string is signed: changing it breaks the signature.
      const tampered = await httpGet(url.replace('w_200', 'w_300'), server.agent);
      assert.equal(tampered.status, 403);
      assert.match(tampered.body.toString(), /<Code>SignatureDoesNotMatch<\/Code>/);
    });
  }
});

// One chain per action on an 800x600 source; `expect` checks the result.
const CHAINS = [
  ['resize,w_200', { width: 200, height: 150 }],
  ['resize,h_300', { width: 400, height: 300 }],
  ['resize,m_lfit,w_100,h_100', { width: 100, height: 75 }],
  ['resize,m_mfit,w_100,h_100', { width: 133, height: 100 }],
  ['resize,m_fill,w_100,h_100', { width: 100, height: 100 }],
  ['resize,m_pad,w_100,h_100,color_FF0000', { width: 100, height: 100 }],
  ['resize,m_fixed,w_100,h_30', { width: 100, height: 30 }],
  ['resize,l_400', { width: 400, height: 300 }],
  ['resize,s_150', { width: 200, height: 150 }],
  ['resize,p_50', { width: 400, height: 300 }],
  ['resize,w_1600', { width: 800, height: 600 }], // limit_1 (default) never enlarges
  ['resize,w_1600,limit_0', { width: 1600, height: 1200 }],
  ['crop,w_100,h_50,g_center', { width: 100, height: 50 }],
  ['crop,x_700,y_500', { width: 100, height: 100 }],
  ['indexcrop,x_300,i_1', { width: 300, height: 600 }],
  ['indexcrop,y_250,i_2', { width: 800, height: 100 }],
  ['circle,r_100', { width: 200, height: 200 }],
  ['rounded-corners,r_30', { width: 800, height: 600 }],
  ['rotate,90', { width: 600, height: 800 }],
  ['auto-orient,1', { width: 800, height: 600 }],
  ['flip,1', { width: 800, height: 600 }],
  ['blur,r_3,s_2', { width: 800, height: 600 }],
  ['bright,50', { width: 800, height: 600 }],
  ['contrast,-50', { width: 800, height: 600 }],
  ['sharpen,100', { width: 800, height: 600 }],
  ['interlace,1', { width: 800, height: 600 }],
  ['quality,q_50', { width: 800, height: 600 }],
  [`watermark,text_${b64('ossd 水印')},size_40,color_FFFFFF,g_center`, { width: 800, height: 600 }],
  [`watermark,image_${b64('logo.png')},g_nw,x_5,y_5`, { width: 800, height: 600 }],
  [`watermark,image_${b64('logo.png?x-oss-process=image/resize,P_10')},t_50`, { width: 800, height: 600 }],
  ['resize,w_400/crop,w_200,h_100/rotate,90/format,webp', { width: 100, height: 200, type: 'webp' }],
];

describe('image: one chain per action (path-v1)', () => {
  const mode = CORE_MODES.find((m) => m.name === 'path-v1');
  let client;
  before(async () => {
    ({ client } = await freshBucket(server, mode, 'img-chain'));
    await client.put('photo.png', photoPng);
    await client.put('logo.png', logoPng);
    if (photoJpg) await client.put('photo.jpg', photoJpg);
  });

  for (const [action, expected] of CHAINS) {
    it(`image/${action}`, { timeout: TEST_TIMEOUT }, async () => {
      const sources = photoJpg ? [['photo.png', 'png'], ['photo.jpg', 'jpg']] : [['photo.png', 'png']];
      for (const [key, format] of sources) {
        const r = await client.get(key, { process: `image/${action}` });
        assert.equal(r.res.status, 200);
        const size = dimensions(r.content);
        // Without a format action the source format is kept (circle and
        // rounded corners on a JPEG keep JPEG: OSS fills the corners white).
        assert.equal(size.type, expected.type ?? format, `${key}: output format`);
        assert.equal(size.width, expected.width, `${key}: width`);
        assert.equal(size.height, expected.height, `${key}: height`);
      }
    });
  }

  it('every output format decodes as what was asked', { timeout: TEST_TIMEOUT }, async () => {
    const formats = [['jpg', 'jpg', 'image/jpeg'], ['png', 'png', 'image/png'], ['webp', 'webp', 'image/webp'],
      ['gif', 'gif', 'image/gif'], ['bmp', 'bmp', 'image/bmp'], ['tiff', 'tiff', 'image/tiff']];
    for (const [format, type, mime] of formats) {
      const r = await client.get('photo.png', { process: `image/resize,w_120/format,${format}` });
      assert.equal(r.res.headers['content-type'], mime, format);
      assert.deepEqual(dimensions(r.content), { width: 120, height: 90, type }, format);
    }
  });

  it('pixels: crop, flip and circle transparency are where they should be', { timeout: TEST_TIMEOUT }, async () => {
    const source = gradient(800, 600);
    const crop = decodePng((await client.get('photo.png', { process: 'image/crop,x_700,y_500' })).content);
    assert.deepEqual(crop.pixel(0, 0).slice(0, 3), source(700, 500).slice(0, 3), 'crop starts at x_700,y_500');
    const flipped = decodePng((await client.get('photo.png', { process: 'image/flip,1' })).content);
    assert.deepEqual(flipped.pixel(0, 0).slice(0, 3), source(799, 0).slice(0, 3), 'flip,1 mirrors left-right');
    const circle = decodePng((await client.get('photo.png', { process: 'image/crop,w_200,h_200/circle,r_100' })).content);
    assert.equal(circle.channels, 4, 'a PNG circle keeps an alpha channel');
    assert.equal(circle.pixel(0, 0)[3], 0, 'outside the circle is transparent');
    assert.equal(circle.pixel(100, 100)[3], 255, 'the centre is opaque');
    const padded = decodePng((await client.get('photo.png', { process: 'image/resize,m_pad,w_100,h_100,color_FF0000' })).content);
    assert.deepEqual(padded.pixel(50, 2).slice(0, 3), [255, 0, 0], 'pad fills with color_');
  });

  it('quality and interlace change the JPEG as asked', { timeout: TEST_TIMEOUT, skip: !photoJpg && 'no vips CLI' }, async () => {
    const low = (await client.get('photo.jpg', { process: 'image/quality,Q_20' })).content;
    const high = (await client.get('photo.jpg', { process: 'image/quality,Q_95' })).content;
    assert.ok(low.length < high.length, `Q_20 (${low.length} B) is smaller than Q_95 (${high.length} B)`);
    const progressive = (await client.get('photo.jpg', { process: 'image/interlace,1' })).content;
    const baseline = (await client.get('photo.jpg', { process: 'image/interlace,0' })).content;
    const hasSof2 = (buf) => buf.includes(Buffer.from([0xff, 0xc2]));
    assert.ok(hasSof2(progressive), 'interlace,1 writes a progressive JPEG (SOF2)');
    assert.ok(!hasSof2(baseline), 'interlace,0 writes a baseline JPEG');
  });

  it('info and average-hue answer JSON', { timeout: TEST_TIMEOUT }, async () => {
    const info = await client.get('photo.png', { process: 'image/info' });
    assert.equal(info.res.headers['content-type'], 'application/json');
    const json = JSON.parse(info.content.toString());
    assert.deepEqual(json.ImageWidth, { value: '800' });
    assert.deepEqual(json.ImageHeight, { value: '600' });
    assert.deepEqual(json.FileSize, { value: String(photoPng.length) });
    assert.deepEqual(json.Format, { value: 'png' });
    const hue = await client.get('logo.png', { process: 'image/average-hue' });
    assert.equal(hue.res.headers['content-type'], 'application/json');
    assert.match(JSON.parse(hue.content.toString()).RGB, /^0x[0-9a-f]{6}$/i);
  });

  it('HEAD with x-oss-process announces what GET sends', { timeout: TEST_TIMEOUT }, async () => {
    const got = await client.get('photo.png', { process: 'image/resize,w_300/format,webp' });
    const url = client.signatureUrl('photo.png', { process: 'image/resize,w_300/format,webp', method: 'HEAD' });
    const head = await httpGet(url, server.agent, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-type'], 'image/webp');
    assert.equal(Number(head.headers['content-length']), got.content.length);
    assert.equal(head.body.length, 0);
  });

  it('a repeated request returns the same bytes; an overwrite is never served stale', { timeout: TEST_TIMEOUT }, async () => {
    await client.put('changing.png', encodePng({ width: 400, height: 200 }));
    const first = await client.get('changing.png', { process: 'image/resize,p_50' });
    const second = await client.get('changing.png', { process: 'image/resize,p_50' });
    assert.deepEqual(dimensions(first.content), { width: 200, height: 100, type: 'png' });
    assert.ok(second.content.equals(first.content));
    await client.put('changing.png', encodePng({ width: 300, height: 300 }));
    const third = await client.get('changing.png', { process: 'image/resize,p_50' });
    assert.deepEqual(dimensions(third.content), { width: 150, height: 150, type: 'png' }, 'the new source is processed');
  });

  it('errors: a bad process string and a missing object', { timeout: TEST_TIMEOUT }, async () => {
    await expectOssError(client.get('photo.png', { process: 'image/resize,w_0' }), 'InvalidArgument', 400, 'w_0');
    await expectOssError(client.get('photo.png', { process: 'image/explode,x_1' }), 'InvalidArgument', 400, 'unknown');
    await expectOssError(client.get('missing.png', { process: 'image/resize,w_10' }), 'NoSuchKey', 404, 'missing');
    await expectOssError(client.get('photo.png', { process: `image/watermark,image_${b64('nope.png')}` }),
      'InvalidArgument', 400, 'missing watermark');
  });
});

describe('image: processObjectSave (sys/saveas)', () => {
  const mode = CORE_MODES.find((m) => m.name === 'path-v1');

  it('writes the result into the same bucket, under a key whose base64 has + and =', { timeout: TEST_TIMEOUT }, async () => {
    const { client } = await freshBucket(server, mode, 'img-save');
    await client.put('photo.png', photoPng);
    const target = 'saved/~~~.jpg';
    assert.match(Buffer.from(target).toString('base64'), /[+=]/);
    const saved = await client.processObjectSave('photo.png', target, 'image/resize,w_100/format,jpg');
    assert.equal(saved.status, 200);
    assertRequestId(saved.res, 'processObjectSave');
    const stored = await client.get(target);
    assert.equal(stored.res.headers['content-type'], 'image/jpeg');
    assert.deepEqual(dimensions(stored.content), { width: 100, height: 75, type: 'jpg' });
    const head = await client.head(target);
    assert.equal(Number(head.res.headers['content-length']), stored.content.length);
    assert.match(head.res.headers.etag, /^"[0-9A-F]{32}"$/);
  });

  it('answers OSS JSON and can target another bucket', { timeout: TEST_TIMEOUT }, async () => {
    const { name: source, client } = await freshBucket(server, mode, 'img-src');
    const { name: targetBucket, client: targetClient } = await freshBucket(server, mode, 'img-dst');
    await client.put('photo.png', photoPng);
    const saved = await client.processObjectSave('photo.png', 'thumb.webp', 'image/resize,w_64/format,webp', targetBucket);
    assert.equal(saved.status, 200);
    const stored = await targetClient.get('thumb.webp');
    assert.deepEqual(dimensions(stored.content), { width: 64, height: 48, type: 'webp' });
    await expectOssError(client.head('thumb.webp'), 'NoSuchKey', 404, 'not in the source bucket');
    assert.ok(source !== targetBucket);
  });

  it('refuses a missing target bucket and a missing source', { timeout: TEST_TIMEOUT }, async () => {
    const { client } = await freshBucket(server, mode, 'img-save-err');
    await client.put('photo.png', photoPng);
    // processObjectSave sets no success statuses, so ali-oss resolves with
    // the error status instead of throwing.
    const noBucket = await client.processObjectSave('photo.png', 'x.jpg', 'image/resize,w_10', 'no-such-bucket-img');
    assert.equal(noBucket.status, 404);
    assert.match(String(noBucket.res.data), /<Code>NoSuchBucket<\/Code>/);
    const noSource = await client.processObjectSave('nothing.png', 'x.jpg', 'image/resize,w_10');
    assert.equal(noSource.status, 404);
    assert.match(String(noSource.res.data), /<Code>NoSuchKey<\/Code>/);
    await expectOssError(client.head('x.jpg'), 'NoSuchKey', 404, 'nothing was written');
  });
});
