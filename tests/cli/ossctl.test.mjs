// ossctl against the real ossd: bucket and object commands, multipart
// upload, downloads compared byte for byte, and signed URLs fetched with a
// plain HTTP client (GET and PUT), as a browser or curl would use them.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ossctl } from './lib/ossctl.mjs';
import { ossdForOssctl } from './lib/ossd-suite.mjs';

const TIMEOUT = 60_000;
const BUCKET = 'ossctl-e2e';

const small = crypto.randomBytes(1000);
const large = crypto.randomBytes(3 * 1024 * 1024 + 12345);  // 13 parts of 256 KiB, the last one short

const suite = ossdForOssctl({
  workPrefix: 'ossctl-e2e-',
  prepare: ({ work }) => {
    writeFileSync(path.join(work, 'small.bin'), small);
    writeFileSync(path.join(work, 'large.bin'), large);
  },
});
const { run, ok } = suite;

// Fetch with a timeout; returns status, headers and the body bytes.
async function fetchBytes(url, init = {}) {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

const errorCode = (body) => (body.toString().match(/<Code>([^<]*)<\/Code>/) || [])[1];

describe('ossctl against ossd', { timeout: 5 * TIMEOUT }, () => {
  it('mb creates a bucket that ls lists', async () => {
    assert.match(await ok(['mb', `oss://${BUCKET}`]), /created oss:\/\/ossctl-e2e/);
    assert.match(await ok(['ls']), /BUCKET  oss:\/\/ossctl-e2e\n/);
  });

  it('cp uploads a small file with one PutObject', async () => {
    const out = await ok(['cp', 'small.bin', `oss://${BUCKET}/dir/small.bin`]);
    assert.match(out, /uploaded small\.bin -> oss:\/\/ossctl-e2e\/dir\/small\.bin \(1000 bytes, etag [0-9A-F]{32}\)/);
    assert.doesNotMatch(out, /multipart/);
  });

  it('cp uploads a file above --multipart-threshold in parts', async () => {
    const out = await ok(['cp', 'large.bin', `oss://${BUCKET}/dir/`, '--multipart-threshold', '1MiB',
      '--part-size', '256KiB']);
    assert.match(out, new RegExp(`uploaded large\\.bin -> oss://${BUCKET}/dir/large\\.bin \\(${large.length} bytes, multipart, etag [0-9A-F]{32}-13\\)`));
    const stat = await ok(['stat', `oss://${BUCKET}/dir/large.bin`]);
    assert.match(stat, /x-oss-object-type: Multipart/);
    assert.match(stat, new RegExp(`Content-Length: ${large.length}\n`));
    assert.match(stat, /ETag: [0-9A-F]{32}-13\n/);
  });

  it('cp to a missing bucket fails with the OSS error', async () => {
    const r = await run(['cp', 'large.bin', 'oss://no-such-bucket-here/x', '--multipart-threshold', '1MiB']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /NoSuchBucket \(HTTP 404\)/);
  });

  it('ls shows one level with DIR entries, -r every key', async () => {
    const top = await ok(['ls', `oss://${BUCKET}`]);
    assert.match(top, /DIR  oss:\/\/ossctl-e2e\/dir\/\n/);
    assert.doesNotMatch(top, /small\.bin/);
    const level = await ok(['ls', `oss://${BUCKET}/dir/`]);
    assert.match(level, /\s1000  oss:\/\/ossctl-e2e\/dir\/small\.bin\n/);
    assert.match(level, new RegExp(`\\s${large.length}  oss://${BUCKET}/dir/large\\.bin\\n`));
    const all = await ok(['ls', '-r', `oss://${BUCKET}`]);
    assert.equal(all.trim().split('\n').length, 2);
  });

  it('stat prints the object metadata', async () => {
    const stat = await ok(['stat', `oss://${BUCKET}/dir/small.bin`]);
    const md5 = crypto.createHash('md5').update(small).digest('hex').toUpperCase();
    assert.match(stat, /Content-Length: 1000\n/);
    assert.match(stat, new RegExp(`ETag: ${md5}\n`));
    assert.match(stat, /x-oss-hash-crc64ecma: \d+\n/);
  });

  it('cp downloads both objects byte for byte', async () => {
    await ok(['cp', `oss://${BUCKET}/dir/small.bin`, 'small.down']);
    await ok(['cp', `oss://${BUCKET}/dir/large.bin`, 'large.down']);
    assert.ok(readFileSync(path.join(suite.work, 'small.down')).equals(small));
    assert.ok(readFileSync(path.join(suite.work, 'large.down')).equals(large));
    const piped = await run(['cp', `oss://${BUCKET}/dir/small.bin`, '-']);
    assert.equal(piped.code, 0);
    assert.ok(piped.raw.equals(small));
  });

  it('works virtual-hosted through a localhost endpoint, and with V4 request signing', async () => {
    const out = await ok(['ls', `oss://${BUCKET}/dir/`, '--signature-version', '4'],
      { OSS_ENDPOINT: suite.server.localhostEndpoint });
    assert.match(out, /oss:\/\/ossctl-e2e\/dir\/small\.bin/);
  });

  it('a signed GET URL fetches the object with plain HTTP', async () => {
    const url = (await ok(['sign', `oss://${BUCKET}/dir/small.bin`, '--expires', '600'])).trim();
    assert.ok(url.startsWith(`${suite.server.endpoint}/${BUCKET}/dir/small.bin?OSSAccessKeyId=`), url);
    const r = await fetchBytes(url);
    assert.equal(r.status, 200);
    assert.ok(r.body.equals(small));
  });

  it('a signed V4 GET URL with a response override fetches the object', async () => {
    const url = (await ok(['sign', '--v4', `oss://${BUCKET}/dir/small.bin`,
      '--response-content-disposition', 'attachment; filename="s.bin"'])).trim();
    assert.match(url, /x-oss-signature-version=OSS4-HMAC-SHA256/);
    const r = await fetchBytes(url);
    assert.equal(r.status, 200);
    assert.ok(r.body.equals(small));
    assert.equal(r.headers.get('content-disposition'), 'attachment; filename="s.bin"');
  });

  it('a signed PUT URL uploads with the bound Content-Type, and only with it', async () => {
    const url = (await ok(['sign', `oss://${BUCKET}/put/hello.txt`, '--method', 'PUT',
      '--content-type', 'text/plain'])).trim();
    const wrongType = await fetchBytes(url, { method: 'PUT', headers: { 'Content-Type': 'text/html' }, body: 'x' });
    assert.equal(wrongType.status, 403);
    assert.equal(errorCode(wrongType.body), 'SignatureDoesNotMatch');

    const put = await fetchBytes(url, { method: 'PUT', headers: { 'Content-Type': 'text/plain' }, body: 'hello ossctl' });
    assert.equal(put.status, 200);
    await ok(['cp', `oss://${BUCKET}/put/hello.txt`, 'hello.down']);
    assert.equal(readFileSync(path.join(suite.work, 'hello.down'), 'utf8'), 'hello ossctl');
    assert.match(await ok(['stat', `oss://${BUCKET}/put/hello.txt`]), /Content-Type: text\/plain\n/);
  });

  it('a URL signed for a past time (--now) has expired', async () => {
    const past = Math.floor(Date.now() / 1000) - 7200;
    const url = (await ok(['sign', `oss://${BUCKET}/dir/small.bin`, '--now', String(past), '--expires', '60'])).trim();
    const r = await fetchBytes(url);
    assert.equal(r.status, 403);
    assert.equal(errorCode(r.body), 'AccessDenied');
  });

  it('reports server errors with the OSS code and exit status 1', async () => {
    const missing = await run(['stat', `oss://${BUCKET}/nope`]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /NoSuchKey \(HTTP 404\)/);
    const badKey = await run(['ls', `oss://${BUCKET}`], { OSS_ACCESS_KEY_SECRET: 'wrong-secret' });
    assert.equal(badKey.code, 1);
    assert.match(badKey.stderr, /SignatureDoesNotMatch \(HTTP 403\).*request id [0-9A-F]+/);
    const notEmpty = await run(['rb', `oss://${BUCKET}`]);
    assert.equal(notEmpty.code, 1);
    assert.match(notEmpty.stderr, /BucketNotEmpty/);
  });

  it('reads settings from --config when neither flags nor environment give them', async () => {
    const ini = path.join(suite.work, 'ossctl.ini');
    writeFileSync(ini, `[default]\nendpoint = ${suite.server.endpoint}\naccess-key-id = ${suite.server.accessKeyId}\n`
      + `access-key-secret = ${suite.server.accessKeySecret}\n`);
    const r = await ossctl(['--config', ini, 'ls', `oss://${BUCKET}/dir/`], { cwd: suite.work });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /small\.bin/);
    // The environment wins over the file.
    const overridden = await ossctl(['--config', ini, 'ls', `oss://${BUCKET}/dir/`],
      { cwd: suite.work, env: { OSS_ACCESS_KEY_SECRET: 'wrong-secret' } });
    assert.equal(overridden.code, 1);
  });

  it('rm deletes objects and rb the emptied bucket', async () => {
    assert.match(await ok(['rm', `oss://${BUCKET}/dir/small.bin`]), /deleted oss:\/\/ossctl-e2e\/dir\/small\.bin/);
    const removed = await ok(['rm', '-r', `oss://${BUCKET}/`]);
    assert.match(removed, /deleted oss:\/\/ossctl-e2e\/dir\/large\.bin/);
    assert.match(removed, /deleted oss:\/\/ossctl-e2e\/put\/hello\.txt/);
    assert.equal(await ok(['ls', '-r', `oss://${BUCKET}`]), '');
    assert.match(await ok(['rb', `oss://${BUCKET}`]), /removed oss:\/\/ossctl-e2e/);
    assert.doesNotMatch(await ok(['ls']), /ossctl-e2e/);
  });

  it('every command has --help', async () => {
    for (const command of [[], ['sign'], ['ls'], ['cp'], ['rm'], ['stat'], ['mb'], ['rb']]) {
      const r = await ossctl([...command, '--help']);
      assert.equal(r.code, 0, `${command} --help`);
      assert.match(r.stdout, /Usage: ossctl/);
    }
  });
});
