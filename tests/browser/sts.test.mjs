// The seed end to end in a browser: headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core) opens examples/browser-sts/
// as examples/browser-sts/serve.sh serves it (ossctl sts serve --static),
// against a real ossd:
//  * the page fetches a temporary credential from the token service, uploads
//    a file picked in its form with it (ali-oss's browser build, stsToken),
//    and shows the file back through a signed URL;
//  * a second token service, whose session policy allows only GetObject,
//    hands the page a credential that reads but cannot upload: PutObject is
//    refused in the browser too.
// The page (http://127.0.0.1:<token port>) and ossd
// (http://<bucket>.localhost:<port>) are different origins, so every SDK call
// passes through the bucket's CORS rule, and the denied token service is a
// third origin the page fetches cross-origin (its --allow-origin).
//
// Loopback only, as in browser.test.mjs: Chromium resolves nothing but
// 127.0.0.1, localhost and *.localhost, and the test asserts the page talked
// to nothing else.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import OSS from 'ali-oss';
import { startServer } from '../lib/server.mjs';
import { ossctlBinary, startTokenService } from '../lib/token-service.mjs';
import { assertLoopbackOnly, launchChromium, loopbackAgent, openTab } from './lib/chromium.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const REGION = 'oss-cn-hangzhou';
const TEST_TIMEOUT = 120_000;

const agent = loopbackAgent();

const bucket = `sts-browser-${crypto.randomBytes(3).toString('hex')}`;

let ossd;
let tokens;        // examples/browser-sts/serve.sh: the page and its token service
let readOnly;      // a second token service: session policy allows GetObject only
let context;
let work;
let rootStore;
const ossctlEnv = () => {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OSS_')));
  return {
    ...clean,
    HOME: work,
    OSS_ENDPOINT: ossd.endpoint,
    OSS_ACCESS_KEY_ID: ossd.accessKeyId,
    OSS_ACCESS_KEY_SECRET: ossd.accessKeySecret,
  };
};

async function teardown() {
  const steps = [
    () => context && Promise.race([context.close(), new Promise((r) => setTimeout(r, 15_000))]),
    () => readOnly && readOnly.stop(),
    () => tokens && tokens.stop(),
    () => ossd && ossd.stop(),
  ];
  for (const step of steps) {
    try { await step(); } catch { /* keep tearing down */ }
  }
  agent.destroy();
  if (work) rmSync(work, { recursive: true, force: true });
}

before(async () => {
  try {
    work = mkdtempSync(path.join(tmpdir(), 'ossd-sts-browser-'));
    ossd = await startServer({ args: ['--no-access-log'] });
    // The page's origin is the token service's, known only once it listens,
    // so the bucket's CORS rule names any port of 127.0.0.1.
    tokens = await startTokenService({
      command: 'bash',
      args: [path.join(repoRoot, 'examples', 'browser-sts', 'serve.sh')],
      env: { ...ossctlEnv(), OSSCTL: ossctlBinary, BUCKET: bucket, ADDRESS: '127.0.0.1:0', PAGE_ORIGIN: 'http://127.0.0.1:*' },
    });
    const account = await accountId();
    const readOnlyPolicy = path.join(work, 'read-only.json');
    writeFileSync(readOnlyPolicy, JSON.stringify({
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: 'oss:GetObject', Resource: `acs:oss:*:*:${bucket}/*` }],
    }));
    readOnly = await startTokenService({
      args: ['sts', 'serve', '--role-arn', `acs:ram::${account}:role/oss-browser-role`, '--session', 'reader',
        '--policy', readOnlyPolicy, '--address', '127.0.0.1:0', '--allow-origin', tokens.origin],
      env: ossctlEnv(),
    });
    rootStore = new OSS({
      region: REGION, endpoint: ossd.localhostEndpoint, sldEnable: true, bucket, agent, timeout: 20_000,
      accessKeyId: ossd.accessKeyId, accessKeySecret: ossd.accessKeySecret,
    });
    context = await launchChromium(path.join(work, 'chromium'));
  } catch (err) {
    await teardown();
    throw err;
  }
}, { timeout: 120_000 });

after(async () => { await teardown(); }, { timeout: 60_000 });

async function accountId() {
  const { execFileSync } = await import('node:child_process');
  const out = execFileSync(ossctlBinary, ['sts', 'get-caller-identity'], { env: ossctlEnv(), timeout: 20_000 });
  return JSON.parse(out.toString()).AccountId;
}

// The page as a user opens it: the query names the local ossd and the bucket.
function openPage(stsUrl) {
  const query = new URLSearchParams({ endpoint: ossd.localhostEndpoint, bucket, region: REGION });
  if (stsUrl) query.set('sts', stsUrl);
  return openTab(context, `${tokens.origin}/?${query}`, 'stsDemoReady');
}

describe('examples/browser-sts in Chromium', () => {
  it('the seed flow: a file picked in the form is uploaded with the temporary credential and shown through a signed URL', { timeout: TEST_TIMEOUT }, async () => {
    const tab = await openPage();
    try {
      const content = `hello from the browser ${crypto.randomUUID()}\n`;
      const file = path.join(work, 'ossdemo.txt');
      writeFileSync(file, content);
      await tab.page.setInputFiles('#file', file);
      await tab.page.click('#upload');
      await tab.page.waitForFunction(() => !['ready', 'uploading'].includes(document.getElementById('status').textContent), null, { timeout: 60_000 });
      const status = await tab.page.textContent('#status');
      assert.equal(status, 'done', `page status ${status}\nlog: ${await tab.page.textContent('#log')}\nconsole:\n${tab.consoleLines.join('\n')}`);
      assert.equal(await tab.page.textContent('#preview-text'), content);

      const href = await tab.page.getAttribute('#link', 'href');
      const url = new URL(href);
      assert.equal(url.hostname, `${bucket}.localhost`, href);
      assert.equal(url.pathname, '/ossdemo.txt');
      assert.match(url.searchParams.get('OSSAccessKeyId'), /^STS\./);
      assert.ok(url.searchParams.get('security-token'), 'the signed URL carries the STS token');
      assert.ok(url.searchParams.get('Signature'));
      // What the browser uploaded is in the bucket, byte for byte.
      assert.equal((await rootStore.get('ossdemo.txt')).content.toString(), content);
      // The seed's own line ran: it logged a signed URL for ossdemo.txt.
      assert.ok(tab.consoleLines.some((l) => l.includes('/ossdemo.txt?') && l.includes('security-token=')), tab.consoleLines.join('\n'));

      // An image goes back through an <img> the browser loads from the signed URL.
      const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
      writeFileSync(path.join(work, 'pixel.png'), png);
      await tab.page.setInputFiles('#file', path.join(work, 'pixel.png'));
      await tab.page.fill('#key', 'images/pixel.png');
      await tab.page.click('#upload');
      await tab.page.waitForFunction(() => {
        const img = document.querySelector('#preview img');
        return img && img.complete && img.naturalWidth > 0;
      }, null, { timeout: 60_000 });
      assert.ok((await rootStore.get('images/pixel.png')).content.equals(png));
    } finally {
      await tab.page.close();
      assertLoopbackOnly(tab);
    }
  });

  it('a credential whose session policy allows only GetObject reads but cannot upload', { timeout: TEST_TIMEOUT }, async () => {
    await rootStore.put('shared/notice.txt', Buffer.from('read me'));
    const tab = await openPage(readOnly.tokenUrl);
    try {
      const settings = await tab.page.evaluate(() => window.stsDemo.settingsFromForm());
      assert.equal(settings.sts, readOnly.tokenUrl);

      const denied = await tab.page.evaluate(([s]) => window.stsDemo.uploadAndShow(s, 'shared/denied.txt', 'not allowed'), [settings]);
      assert.match(denied.accessKeyId, /^STS\./, JSON.stringify(denied));
      assert.ok(denied.putError, `the upload went through: ${JSON.stringify(denied)}`);
      assert.equal(denied.putError.status, 403, JSON.stringify(denied));
      assert.equal(denied.putError.code, 'AccessDenied', JSON.stringify(denied));
      await assert.rejects(rootStore.head('shared/denied.txt'), (e) => e.status === 404);

      const read = await tab.page.evaluate(([s]) => window.stsDemo.readBack(s, 'shared/notice.txt'), [settings]);
      assert.deepEqual(read, { status: 200, body: 'read me' });

      // Through the form as well: the page reports the refusal.
      const file = path.join(work, 'refused.txt');
      writeFileSync(file, 'refused');
      await tab.page.setInputFiles('#file', file);
      await tab.page.click('#upload');
      await tab.page.waitForFunction(() => document.getElementById('status').textContent.startsWith('upload refused'), null, { timeout: 60_000 });
      assert.equal(await tab.page.textContent('#status'), 'upload refused: AccessDenied');
      await assert.rejects(rootStore.head('refused.txt'), (e) => e.status === 404);
    } finally {
      await tab.page.close();
      assertLoopbackOnly(tab);
    }
  });

  it('the token services answer CORS only for the allowed origin, and stop on SIGTERM', { timeout: TEST_TIMEOUT }, async () => {
    const allowed = await fetch(readOnly.tokenUrl, { headers: { Origin: tokens.origin } });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), tokens.origin);
    assert.equal(allowed.headers.get('cache-control'), 'no-store');
    const body = await allowed.json();
    assert.deepEqual(Object.keys(body).sort(), ['AccessKeyId', 'AccessKeySecret', 'Expiration', 'SecurityToken']);
    const other = await fetch(readOnly.tokenUrl, { headers: { Origin: 'http://elsewhere.test' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    const preflight = await fetch(readOnly.tokenUrl, {
      method: 'OPTIONS', headers: { Origin: tokens.origin, 'Access-Control-Request-Method': 'GET' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), tokens.origin);

    const { code, signal } = await readOnly.stop();
    assert.equal(signal, null);
    assert.equal(code, 0);
    readOnly = undefined;
  });
});
