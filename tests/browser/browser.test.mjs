// Browser suite: headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) loads a page that uses ali-oss's browser build
// (dist/aliyun-oss-sdk.min.js) against the real ossd binary.
//
// The page is served by a tiny node server on http://127.0.0.1:<port2>, ossd
// answers on http://localhost:<port> (path-style, sldEnable) and
// http://<bucket>.localhost:<port> (virtual-hosted; Chromium resolves
// *.localhost to loopback by itself), so every SDK call from the page is a
// real cross-origin request and goes through ossd's CORS handling (preflight
// OPTIONS + Access-Control-* on the actual responses).
//
// Per addressing mode: putBucketCORS/getBucketCORS from the page, put/get of a
// Blob and a File, a 10 MiB multipartUpload (SHA-256 compared in the page and
// in node, multipart ETag checked in node), fetch(signatureUrl(...)) (V1, V4,
// signed PUT), a PostObject form upload with policy + Signature computed in the
// page, and a bucket whose CORS rules do not allow the page's origin.
//
// Loopback only: Chromium runs with a host-resolver rule that fails every
// name except localhost and *.localhost, and the test asserts that every
// request the page made went to a loopback host.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import OSS from 'ali-oss';
import { startServer } from '../lib/server.mjs';
import { assertLoopbackOnly, launchChromium, loopbackAgent, openTab } from './lib/chromium.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SDK_FILE = path.join(here, '..', 'node_modules', 'ali-oss', 'dist', 'aliyun-oss-sdk.min.js');
const PAGE_DIR = path.join(here, 'page');

const REGION = 'oss-cn-hangzhou';
const STEP_TIMEOUT = 90_000; // one page.evaluate step
const TEST_TIMEOUT = 120_000; // one node:test test
const PART_SIZE = 1024 * 1024; // 10 MiB upload -> 10 parts

// ---------------------------------------------------------------- node side

const agent = loopbackAgent({ maxSockets: 8 });

// A node ali-oss client, path-style (http://localhost:PORT/<bucket>/<key>).
function nodeClient(server, bucket) {
  return new OSS({
    region: REGION,
    endpoint: server.localhostEndpoint,
    sldEnable: true,
    accessKeyId: server.accessKeyId,
    accessKeySecret: server.accessKeySecret,
    bucket,
    agent,
    timeout: 20_000,
    retryMax: 0,
  });
}

function request(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

// What ossd answers to a CORS preflight, for assertions and failure messages.
async function preflight(url, origin, method, requestHeaders) {
  const headers = { Origin: origin, 'Access-Control-Request-Method': method };
  if (requestHeaders) headers['Access-Control-Request-Headers'] = requestHeaders;
  const r = await request(url, { method: 'OPTIONS', headers });
  const acHeaders = Object.fromEntries(Object.entries(r.headers).filter(([k]) => k.startsWith('access-control-')));
  return { status: r.status, headers: acHeaders, body: r.body.toString().slice(0, 500) };
}

const sha256hex = (buf) => crypto.createHash('sha256').update(buf).digest('hex');
const md5hex = (buf) => crypto.createHash('md5').update(buf).digest('hex');
const simpleEtag = (buf) => `"${md5hex(buf).toUpperCase()}"`;
function multipartEtag(buf, partSize) {
  const digests = [];
  for (let off = 0; off < buf.length; off += partSize) {
    digests.push(crypto.createHash('md5').update(buf.subarray(off, Math.min(off + partSize, buf.length))).digest());
  }
  return `"${md5hex(Buffer.concat(digests)).toUpperCase()}-${digests.length}"`;
}
const asList = (v) => (v === undefined ? [] : [].concat(v));

// ------------------------------------------------------------- page server

const PAGE_FILES = {
  '/': { file: path.join(PAGE_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
  '/index.html': { file: path.join(PAGE_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
  '/app.js': { file: path.join(PAGE_DIR, 'app.js'), type: 'text/javascript; charset=utf-8' },
  '/aliyun-oss-sdk.min.js': { file: SDK_FILE, type: 'text/javascript; charset=utf-8' },
};

function startPageServer() {
  const server = http.createServer((req, res) => {
    const entry = req.method === 'GET' ? PAGE_FILES[new URL(req.url, 'http://x').pathname] : undefined;
    if (!entry) {
      res.writeHead(req.url === '/favicon.ico' ? 204 : 404, { 'Content-Length': 0 });
      res.end();
      return;
    }
    const body = readFileSync(entry.file);
    res.writeHead(200, { 'Content-Type': entry.type, 'Content-Length': body.length, 'Cache-Control': 'no-store' });
    res.end(body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        origin: `http://127.0.0.1:${port}`,
        close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }),
      });
    });
  });
}

// ------------------------------------------------------------ suite set-up

let ossd;
let pageServer;
let context;
let userDataDir;

async function teardown() {
  try {
    if (context) await Promise.race([context.close(), new Promise((r) => setTimeout(r, 15_000))]);
  } finally {
    context = undefined;
    try {
      if (pageServer) await pageServer.close();
    } finally {
      pageServer = undefined;
      try {
        if (ossd) await ossd.stop();
      } finally {
        ossd = undefined;
        agent.destroy();
        if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
        userDataDir = undefined;
      }
    }
  }
}

before(async () => {
  try {
    ossd = await startServer();
    pageServer = await startPageServer();
    userDataDir = mkdtempSync(path.join(tmpdir(), 'ossd-chromium-'));
    context = await launchChromium(userDataDir);
  } catch (err) {
    await teardown();
    throw err;
  }
}, { timeout: 120_000 });

after(async () => { await teardown(); }, { timeout: 60_000 });

// One tab per addressing mode.
const openPage = () => openTab(context, `${pageServer.origin}/`, 'ossdReady');

// Runs one step of page/app.js; throws (with the page's console) if it threw.
async function step(tab, name, cfg, diagnose) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`page step ${name} did not finish within ${STEP_TIMEOUT} ms`)), STEP_TIMEOUT);
  });
  let out;
  try {
    out = await Promise.race([tab.page.evaluate(([n, c]) => window.ossdRun(n, c), [name, cfg]), timeout]);
  } finally {
    clearTimeout(timer);
  }
  if (!out.ok) {
    let extra = '';
    if (diagnose) {
      try {
        extra = `\nnode-side diagnosis: ${JSON.stringify(await diagnose())}`;
      } catch (e) {
        extra = `\nnode-side diagnosis failed: ${e.message}`;
      }
    }
    assert.fail(`page step ${name} threw ${JSON.stringify(out.error)}${extra}\npage console:\n${tab.consoleLines.join('\n')}`);
  }
  return out.value;
}

// ------------------------------------------------------------------- tests

let bucketSeq = 0;
const runTag = crypto.randomBytes(3).toString('hex');
const bucketName = (tag) => `br-${tag}-${runTag}${++bucketSeq}`;

const MODES = [
  { name: 'vhost', sldEnable: false },
  { name: 'path', sldEnable: true },
];

for (const mode of MODES) {
  describe(`browser ali-oss [${mode.name}]`, () => {
    let tab;
    let bucket;
    let cfg;
    let admin;
    // URL of the bucket as the page reaches it (for node-side preflights).
    const bucketUrl = (b, key = '') => (mode.sldEnable
      ? `http://localhost:${ossd.port}/${b}/${key}`
      : `http://${b}.localhost:${ossd.port}/${key}`);
    const diagnose = (method, headers) => () => preflight(bucketUrl(bucket, 'probe'), pageServer.origin, method, headers);
    const finalRules = () => [{
      allowedOrigin: [pageServer.origin],
      allowedMethod: ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'],
      allowedHeader: '*',
      exposeHeader: ['ETag', 'x-oss-request-id'],
      maxAgeSeconds: '5',
    }];

    before(async () => {
      bucket = bucketName(mode.name);
      admin = nodeClient(ossd, bucket);
      await admin.putBucket(bucket);
      // Permissive rule first: OSS lets the browser's own putBucketCORS through
      // only when the bucket's CORS rules already allow it.
      await admin.putBucketCORS(bucket, [{
        allowedOrigin: '*',
        allowedMethod: ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'],
        allowedHeader: '*',
        exposeHeader: ['ETag', 'x-oss-request-id'],
      }]);
      cfg = {
        endpoint: ossd.localhostEndpoint,
        sldEnable: mode.sldEnable,
        accessKeyId: ossd.accessKeyId,
        accessKeySecret: ossd.accessKeySecret,
        bucket,
      };
      tab = await openPage();
    }, { timeout: 60_000 });

    after(async () => {
      if (tab) await tab.page.close().catch(() => {});
      if (tab) assertLoopbackOnly(tab);
    }, { timeout: 30_000 });

    it('putBucketCORS + getBucketCORS from the page; the final rules govern preflights', { timeout: TEST_TIMEOUT }, async () => {
      const rules = finalRules();
      const r = await step(tab, 'cors', { ...cfg, rules }, diagnose('PUT', 'authorization,content-type,x-oss-date'));
      assert.equal(r.putStatus, 200);
      assert.equal(r.getStatus, 200);
      assert.equal(r.rules.length, 1, `getBucketCORS rules: ${JSON.stringify(r.rules)}`);
      const got = r.rules[0];
      assert.deepEqual(asList(got.allowedOrigin), [pageServer.origin]);
      assert.deepEqual(asList(got.allowedMethod).sort(), ['DELETE', 'GET', 'HEAD', 'POST', 'PUT']);
      assert.deepEqual(asList(got.allowedHeader), ['*']);
      assert.deepEqual(asList(got.exposeHeader).map((h) => h.toLowerCase()).sort(), ['etag', 'x-oss-request-id']);
      assert.equal(String(got.maxAgeSeconds), '5');

      // The page's rules replaced the permissive one: the page origin passes a
      // preflight, any other origin is refused.
      const ok = await preflight(bucketUrl(bucket, 'k'), pageServer.origin, 'PUT', 'authorization,content-type,x-oss-date');
      assert.equal(ok.status, 200, JSON.stringify(ok));
      assert.equal(ok.headers['access-control-allow-origin'], pageServer.origin, JSON.stringify(ok));
      assert.match(ok.headers['access-control-allow-methods'] ?? '', /PUT/, JSON.stringify(ok));
      const other = await preflight(bucketUrl(bucket, 'k'), 'http://elsewhere.invalid', 'PUT');
      assert.equal(other.status, 403, JSON.stringify(other));
      assert.equal(other.headers['access-control-allow-origin'], undefined, JSON.stringify(other));
    });

    it('put a Blob and a File, get/head them back', { timeout: TEST_TIMEOUT }, async () => {
      const r = await step(tab, 'putGet', cfg, diagnose('PUT', 'authorization,content-type,x-oss-date,x-oss-user-agent'));
      const text = Buffer.from(r.text, 'utf8');
      assert.equal(r.put1.status, 200);
      assert.equal(r.put1.name, 'browser/hello.txt');
      assert.equal(r.put1.etag, simpleEtag(text), 'PUT ETag readable through Access-Control-Expose-Headers');
      assert.equal(r.get1.status, 200);
      assert.equal(r.get1.text, r.text);
      assert.equal(r.get1.etag, simpleEtag(text));
      assert.equal(r.head1.status, 200);
      assert.equal(r.head1.etag, simpleEtag(text));
      assert.match(r.head1.contentType ?? '', /^text\/plain/);
      assert.equal(r.put2.status, 200);
      assert.equal(r.get2.status, 200);
      assert.equal(r.get2.size, r.binSize);
      assert.equal(r.get2.sha, r.binSha, 'File read back through the SDK matches what the page uploaded');

      // node sees the same bytes
      const n1 = await admin.get('browser/hello.txt');
      assert.ok(n1.content.equals(text));
      const n2 = await admin.get('browser/bin.dat');
      assert.equal(n2.content.length, r.binSize);
      assert.equal(sha256hex(n2.content), r.binSha);
      assert.equal(r.put2.etag, simpleEtag(n2.content));
    });

    it('multipartUpload of a 10 MiB File, downloaded back via get and fetch(signatureUrl)', { timeout: TEST_TIMEOUT }, async () => {
      const r = await step(tab, 'multipart', { ...cfg, partSize: PART_SIZE }, diagnose('POST', 'authorization,content-type,x-oss-date'));
      assert.equal(r.size, 10 * 1024 * 1024);
      assert.equal(r.upload.status, 200);
      assert.equal(r.upload.name, 'browser/big.bin');
      assert.ok(r.progressCalls >= 10, `progress called ${r.progressCalls} times`);
      assert.equal(r.lastProgress, 1);
      assert.equal(r.get.status, 200);
      assert.equal(r.get.size, r.size);
      assert.equal(r.get.sha, r.sha, 'SDK download SHA-256 = uploaded SHA-256');
      assert.equal(r.fetch.status, 200);
      assert.equal(r.fetch.size, r.size);
      assert.equal(r.fetch.sha, r.sha, 'fetch(signatureUrl) SHA-256 = uploaded SHA-256');

      const n = await admin.get('browser/big.bin');
      assert.equal(n.content.length, r.size);
      assert.equal(sha256hex(n.content), r.sha, 'node download SHA-256 = SHA-256 computed in the page');
      const etag = multipartEtag(n.content, PART_SIZE);
      assert.equal(n.res.headers.etag, etag, 'multipart ETag over 10 parts of 1 MiB');
      assert.equal(r.get.etag, etag);
    });

    it('fetch(signatureUrl(...)): V1 GET, V4 GET, signed PUT, tampered signature', { timeout: TEST_TIMEOUT }, async () => {
      const r = await step(tab, 'signedUrl', cfg, diagnose('PUT', 'content-type'));
      assert.ok(r.urlV1.startsWith(bucketUrl(bucket, 'signed/url.txt')), r.urlV1);
      assert.match(r.urlV1, /[?&]OSSAccessKeyId=/);
      assert.equal(r.v1.status, 200, JSON.stringify(r.v1));
      assert.equal(r.v1.text, r.text);
      assert.equal(r.v1.headers.etag, simpleEtag(Buffer.from(r.text)));
      assert.match(r.v1.headers['x-oss-request-id'] ?? '', /^[0-9A-Fa-f]{24}$/);
      assert.match(r.urlV4, /[?&]x-oss-signature-version=OSS4-HMAC-SHA256/);
      assert.equal(r.v4.status, 200, JSON.stringify(r.v4));
      assert.equal(r.v4.text, r.text);
      assert.equal(r.put.status, 200, JSON.stringify(r.put));
      assert.equal(r.put.headers.etag, simpleEtag(Buffer.from(r.put.text)));
      assert.equal(r.put.back, r.put.text);
      const n = await admin.get('signed/put.txt');
      assert.equal(n.content.toString(), r.put.text);
      assert.equal(n.res.headers['content-type'], 'text/plain');
      assert.equal(r.tampered.status, 403);
      assert.equal(r.tampered.code, 'SignatureDoesNotMatch');
    });

    it('PostObject form upload with policy + Signature computed in the page', { timeout: TEST_TIMEOUT }, async () => {
      const r = await step(tab, 'postObject', cfg, diagnose('POST'));
      assert.equal(r.signature, r.webCryptoSignature, 'SDK signature = WebCrypto HMAC-SHA1 of the policy');
      assert.equal(r.url, bucketUrl(bucket));
      assert.equal(r.post.status, 200, `POST ${r.url}: ${JSON.stringify(r.post)}`);
      assert.equal(r.post.body, '');
      const content = Buffer.from(r.content);
      assert.equal(r.post.headers.etag, simpleEtag(content), 'ETag of the form upload, exposed to the page');
      assert.equal(r.back.status, 200);
      assert.equal(r.back.text, r.content);
      assert.equal(r.badSignature.status, 403);
      assert.equal(r.badSignature.code, 'SignatureDoesNotMatch');
      assert.equal(r.tooLarge.status, 400, `over content-length-range: ${JSON.stringify(r.tooLarge)}`);
      assert.equal(r.tooLarge.code, 'EntityTooLarge');
      assert.equal(r.afterLarge, r.content, 'a rejected form upload leaves the object as it was');

      const n = await admin.get(r.key);
      assert.ok(n.content.equals(content));
      assert.equal(n.res.headers['content-type'], 'text/plain');
    });

    it('a bucket whose CORS rules do not allow the page origin is refused by the browser', { timeout: TEST_TIMEOUT }, async () => {
      for (const variant of ['none', 'other']) {
        const denied = bucketName(`deny-${variant}`);
        const c = nodeClient(ossd, denied);
        await c.putBucket(denied);
        if (variant === 'other') {
          await c.putBucketCORS(denied, [{
            allowedOrigin: 'http://elsewhere.invalid',
            allowedMethod: ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'],
            allowedHeader: '*',
            exposeHeader: ['ETag'],
          }]);
        }
        await c.put('denied/obj.txt', Buffer.from('secret'));
        const r = await step(tab, 'corsDenied', { ...cfg, deniedBucket: denied, deniedKey: 'denied/obj.txt' });
        // The signed URL itself is valid (node fetches it), so only CORS stops the page.
        const direct = await request(r.url, { headers: { Origin: pageServer.origin } });
        assert.equal(direct.status, 200, `${variant}: node GET ${r.url}`);
        assert.equal(direct.body.toString(), 'secret');
        assert.equal(direct.headers['access-control-allow-origin'], undefined, `${variant}: no CORS headers for a foreign origin`);
        assert.equal(r.fetch, undefined, `${variant}: the page could read ${JSON.stringify(r.fetch)}`);
        assert.equal(r.fetchError?.name, 'TypeError', `${variant}: ${JSON.stringify(r.fetchError)}`);
        assert.equal(r.put, undefined, `${variant}: the page's put succeeded`);
        assert.ok(r.putError, `${variant}: put must fail`);
        await assert.rejects(c.head('denied/put.txt'), (e) => e.status === 404, `${variant}: the refused preflight stopped the PUT`);
      }
    });
  });
}
