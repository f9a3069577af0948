// x-oss-traffic-limit against the real binary: a V1 signed URL (where it is a
// signed sub-resource), the request header, and a PostObject form field pace
// a 300 KiB transfer at 819200 bit/s (100 KiB/s), so it takes ~3 s; the
// check allows +-10%. A behaviour check, not a benchmark: the four paced
// transfers run concurrently, each timed on its own.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { makeClient, startOssd, stopOssd } from '../interop/lib/common.mjs';
import { assertError, buildRequest, send, uniqueName } from './lib/oss.mjs';

const PATH_V1 = { name: 'path-v1', style: 'path', v4: false };
const LIMIT = 819200;                      // bit/s, the smallest OSS accepts
const SIZE = 300 * 1024;                   // 307200 bytes
const EXPECTED_S = (SIZE * 8) / LIMIT;     // 3.0 s
const DATA = crypto.randomBytes(SIZE);

let server;
let bucket;
let client;
before(async () => {
  server = await startOssd();
  bucket = uniqueName('traffic');
  await makeClient(server, PATH_V1).putBucket(bucket);
  client = makeClient(server, PATH_V1, bucket);
  await client.put('paced.bin', DATA);
});
after(async () => { await stopOssd(server); });

// One timed request; resolves when the whole response has arrived.
function timed(method, path, headers = {}, body) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.request({ host: '127.0.0.1', port: server.port, method, path, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({
        status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks),
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
      }));
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

// The server must never send or accept faster than the limit: a transfer
// may not finish more than 10% early. Finishing late is what a loaded,
// shared machine does to any transfer, so the upper bound only catches a
// throttle that stalls; the measured times are printed for the record.
const pacedToLimit = (what, seconds) => {
  console.log(`${what}: ${seconds.toFixed(3)} s for ${EXPECTED_S} s of budget`);
  assert.ok(seconds > EXPECTED_S * 0.9, `${what} took ${seconds.toFixed(3)} s: faster than the limit allows`);
  assert.ok(seconds < EXPECTED_S * 3, `${what} took ${seconds.toFixed(3)} s: the throttle stalls`);
};

function pathOf(url) {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

describe('x-oss-traffic-limit', () => {
  it('paces GET (signed URL and header), PUT and PostObject to the limit', { timeout: 60_000 }, async () => {
    const signedUrl = client.signatureUrl('paced.bin', { trafficLimit: LIMIT });
    assert.match(signedUrl, /x-oss-traffic-limit=819200/);
    const putReq = buildRequest(server, {
      method: 'PUT', bucket, key: 'paced-put.bin', headers: { 'x-oss-traffic-limit': String(LIMIT) },
    });
    const getReq = buildRequest(server, {
      bucket, key: 'paced.bin', headers: { 'x-oss-traffic-limit': String(LIMIT) },
    });
    const signed = client.calculatePostSignature({
      expiration: new Date(Date.now() + 3600_000).toISOString(), conditions: [['content-length-range', 0, SIZE]],
    });
    const fd = new FormData();
    for (const [n, v] of [['key', 'paced-post.bin'], ['x-oss-traffic-limit', String(LIMIT)],
      ['OSSAccessKeyId', signed.OSSAccessKeyId], ['policy', signed.policy], ['Signature', signed.Signature]]) fd.append(n, v);
    fd.append('file', new Blob([DATA]), 'paced.bin');
    const formRequest = new Request('http://x/', { method: 'POST', body: fd });
    const formBody = Buffer.from(await formRequest.arrayBuffer());

    const [byUrl, byHeader, put, postForm] = await Promise.all([
      timed('GET', pathOf(signedUrl), { Host: new URL(signedUrl).host }),
      timed('GET', getReq.path, getReq.headers),
      timed('PUT', putReq.path, { ...putReq.headers, 'Content-Length': SIZE }, DATA),
      timed('POST', `/${bucket}`, { 'Content-Type': formRequest.headers.get('content-type'),
        'Content-Length': formBody.length }, formBody),
    ]);

    console.log(`paced 300 KiB at 819200 bit/s: signed-URL GET ${byUrl.seconds.toFixed(3)} s, header GET `
      + `${byHeader.seconds.toFixed(3)} s, PUT ${put.seconds.toFixed(3)} s, PostObject ${postForm.seconds.toFixed(3)} s`);
    assert.equal(byUrl.status, 200, byUrl.body.toString());
    assert.ok(byUrl.body.equals(DATA), 'signed-URL GET body differs');
    pacedToLimit('GET with a signed URL', byUrl.seconds);

    assert.equal(byHeader.status, 200, byHeader.body.toString());
    assert.ok(byHeader.body.equals(DATA), 'header GET body differs');
    pacedToLimit('GET with the header', byHeader.seconds);

    assert.equal(put.status, 200, put.body.toString());
    pacedToLimit('PUT with the header', put.seconds);
    assert.ok((await client.get('paced-put.bin')).content.equals(DATA));

    assert.equal(postForm.status, 204, postForm.body.toString());
    // The form carries a few hundred bytes besides the file; the file is what is paced.
    pacedToLimit('PostObject with the form field', postForm.seconds);
    assert.ok((await client.get('paced-post.bin')).content.equals(DATA));
  });

  it('without a limit the same GET is fast (the pacing is what takes time)', async () => {
    const res = await timed('GET', pathOf(client.signatureUrl('paced.bin')));
    assert.equal(res.status, 200);
    assert.ok(res.seconds < 1, `unpaced GET took ${res.seconds} s`);
  });

  it('the highest limit (100 MB/s) barely slows a 300 KiB GET', async () => {
    const res = await timed('GET', pathOf(client.signatureUrl('paced.bin', { trafficLimit: 838860800 })));
    assert.equal(res.status, 200);
    assert.ok(res.body.equals(DATA));
    assert.ok(res.seconds < 1, `GET at 100 MB/s took ${res.seconds} s`);
  });

  it('values outside 819200..838860800 bit/s -> 400 InvalidArgument', async () => {
    for (const value of ['819199', '838860801', '0', 'abc', '1e6']) {
      assertError(await send(server, { bucket, key: 'paced.bin', headers: { 'x-oss-traffic-limit': value } }),
        400, 'InvalidArgument', `GET ${value}`);
      assertError(await send(server, { method: 'PUT', bucket, key: 'bad.bin', body: 'x',
        headers: { 'x-oss-traffic-limit': value } }), 400, 'InvalidArgument', `PUT ${value}`);
      const url = client.signatureUrl('paced.bin', { trafficLimit: value });
      const res = await timed('GET', pathOf(url));
      assert.equal(res.status, 400, `signed URL ${value}: ${res.body}`);
      assert.match(res.body.toString(), /<Code>InvalidArgument<\/Code>/);
    }
    await assert.rejects(client.head('bad.bin'), { status: 404 });
  });

  it('the limit in a V1 signed URL is signed: changing it breaks the signature', async () => {
    const url = new URL(client.signatureUrl('paced.bin', { trafficLimit: LIMIT }));
    url.searchParams.set('x-oss-traffic-limit', '838860800');
    const res = await timed('GET', `${url.pathname}${url.search}`);
    assert.equal(res.status, 403);
    assert.match(res.body.toString(), /<Code>SignatureDoesNotMatch<\/Code>/);
  });
});
