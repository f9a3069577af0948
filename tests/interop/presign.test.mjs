// Presigned URLs from ali-oss (signatureUrl = V1 query auth, signatureUrlV4 =
// V4 query auth), fetched with a plain HTTP client as a browser or curl would.
// Only path and vhost styles: signatureUrl throws for IP endpoints, and an IP
// URL fetched without the SDK carries no bucket.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  MODES, TEST_TIMEOUT, freshBucket, simpleEtag, startOssd, stopOssd,
} from './lib/common.mjs';

let server;
before(async () => { server = await startOssd(); });
after(async () => { await stopOssd(server); });

function fetchUrl(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: server.agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

const errorCode = (r) => (r.body.toString().match(/<Code>([^<]*)<\/Code>/) || [])[1];

for (const mode of MODES.filter((m) => m.style !== 'ip' && !m.v4)) {
  describe(`presigned [${mode.style}]`, () => {
    it('signatureUrl (V1): GET, GET with response-* overrides, PUT with Content-Type', { timeout: TEST_TIMEOUT }, async () => {
      const { client } = await freshBucket(server, mode, 'sig1');
      const body = Buffer.from('presigned body ✓');
      await client.put('dir/file name+1.txt', body);

      const url = client.signatureUrl('dir/file name+1.txt');
      assert.match(url, /[?&]OSSAccessKeyId=/);
      const g = await fetchUrl(url);
      assert.equal(g.status, 200, `GET ${url}: ${g.body}`);
      assert.ok(g.body.equals(body));
      assert.equal(g.headers.etag, simpleEtag(body));
      assert.match(String(g.headers['x-oss-request-id'] ?? ''), /^[0-9A-Fa-f]{24}$/);

      const url2 = client.signatureUrl('dir/file name+1.txt', {
        expires: 600,
        response: { 'content-type': 'text/custom', 'content-disposition': 'attachment; filename="x.txt"' },
      });
      const g2 = await fetchUrl(url2);
      assert.equal(g2.status, 200, `GET ${url2}: ${g2.body}`);
      assert.equal(g2.headers['content-type'], 'text/custom');
      assert.equal(g2.headers['content-disposition'], 'attachment; filename="x.txt"');
      assert.ok(g2.body.equals(body));

      const putBody = Buffer.from('uploaded through a signed URL');
      const url3 = client.signatureUrl('up/via-url.txt', { method: 'PUT', 'Content-Type': 'text/plain; charset=UTF-8' });
      const p = await fetchUrl(url3, { method: 'PUT', headers: { 'Content-Type': 'text/plain; charset=UTF-8', 'Content-Length': putBody.length }, body: putBody });
      assert.equal(p.status, 200, `PUT ${url3}: ${p.body}`);
      assert.equal(p.headers.etag, simpleEtag(putBody));
      const back = await client.get('up/via-url.txt');
      assert.ok(back.content.equals(putBody));
      assert.equal(back.res.headers['content-type'], 'text/plain; charset=UTF-8');
    });

    it('signatureUrl (V1): expired -> AccessDenied, tampered -> SignatureDoesNotMatch', { timeout: TEST_TIMEOUT }, async () => {
      const { client } = await freshBucket(server, mode, 'sig1e');
      await client.put('k.txt', Buffer.from('k'));
      const expired = await fetchUrl(client.signatureUrl('k.txt', { expires: -60 }));
      assert.equal(expired.status, 403);
      assert.equal(errorCode(expired), 'AccessDenied');

      const good = client.signatureUrl('k.txt');
      const tampered = good.replace(/Signature=[^&]+/, 'Signature=AAAAAAAAAAAAAAAAAAAAAAAAAAA%3D');
      const t = await fetchUrl(tampered);
      assert.equal(t.status, 403);
      assert.equal(errorCode(t), 'SignatureDoesNotMatch');
      // a signed GET URL does not authorise a PUT
      const wrongMethod = await fetchUrl(good, { method: 'PUT', body: Buffer.from('x'), headers: { 'Content-Length': 1 } });
      assert.equal(wrongMethod.status, 403);
      assert.equal(errorCode(wrongMethod), 'SignatureDoesNotMatch');
      assert.equal((await client.get('k.txt')).content.toString(), 'k');
    });

    it('signatureUrlV4: GET, PUT with signed headers; tampered -> SignatureDoesNotMatch', { timeout: TEST_TIMEOUT }, async () => {
      const { client } = await freshBucket(server, mode, 'sig4');
      const body = Buffer.from('v4 presigned');
      await client.put('v4/数据 1.bin', body);

      const url = await client.signatureUrlV4('GET', 300, {}, 'v4/数据 1.bin');
      assert.match(url, /x-oss-signature-version=OSS4-HMAC-SHA256/);
      const g = await fetchUrl(url);
      assert.equal(g.status, 200, `GET ${url}: ${g.body}`);
      assert.ok(g.body.equals(body));

      const putBody = Buffer.from('put via v4 url');
      const headers = { 'Content-Type': 'application/octet-stream', 'x-oss-meta-via': 'v4url' };
      const url2 = await client.signatureUrlV4('PUT', 300, { headers }, 'v4/put.bin');
      const p = await fetchUrl(url2, { method: 'PUT', headers: { ...headers, 'Content-Length': putBody.length }, body: putBody });
      assert.equal(p.status, 200, `PUT ${url2}: ${p.body}`);
      const h = await client.head('v4/put.bin');
      assert.equal(h.meta.via, 'v4url');
      assert.ok((await client.get('v4/put.bin')).content.equals(putBody));

      const t = await fetchUrl(url.replace(/x-oss-signature=[0-9a-f]+/, `x-oss-signature=${'0'.repeat(64)}`));
      assert.equal(t.status, 403);
      assert.equal(errorCode(t), 'SignatureDoesNotMatch');
    });
  });
}
