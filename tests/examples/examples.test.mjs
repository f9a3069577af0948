// The examples in examples/ run against a fresh ossd and every signed URL
// they fetch answers as documented.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startServer } from '../lib/server.mjs';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

test('examples/seed-signed-urls.cjs: the seed calls work through ali-oss', { timeout: 60_000 }, async () => {
  const server = await startServer({ args: ['--no-access-log'] });
  try {
    const { stdout } = await run(process.execPath, [path.join(root, 'examples', 'seed-signed-urls.cjs')], {
      env: {
        ...process.env,
        OSS_ENDPOINT: server.localhostEndpoint,
        OSS_ACCESS_KEY_ID: server.accessKeyId,
        OSS_ACCESS_KEY_SECRET: server.accessKeySecret,
        NODE_PATH: path.join(root, 'tests', 'node_modules'),
      },
      timeout: 50_000,
    });
    assert.match(stdout, /GET signatureUrl\(ossdemo\.txt\): 200 .*body="Hello OSS"/);
    assert.match(stdout, /PUT \{expires: 3600, method: PUT\}: 200/);
    assert.match(stdout, /PUT with Content-Type: 200/);
    assert.match(stdout, /GET with response overrides: 200 content-type=text\/custom content-disposition=attachment body="Hello again"/);
    assert.match(stdout, /GET with process: 200 content-type=image\/png size=200x150/);
    assert.match(stdout, /GET with expires and process: 200 content-type=image\/png size=200x150/);
  } finally {
    await server.stop();
  }
});

test('examples/seed-ossctl.sh: the same URLs made by ossctl', { timeout: 60_000 }, async () => {
  const server = await startServer({ args: ['--no-access-log'] });
  try {
    const { stdout } = await run('bash', [path.join(root, 'examples', 'seed-ossctl.sh')], {
      env: {
        ...process.env,
        OSS_ENDPOINT: server.endpoint,
        OSS_ACCESS_KEY_ID: server.accessKeyId,
        OSS_ACCESS_KEY_SECRET: server.accessKeySecret,
        OSSCTL: process.env.OSSCTL_BIN || path.join(root, 'build', 'src', 'cli', 'ossctl'),
      },
      timeout: 50_000,
    });
    assert.match(stdout, /GET signed URL: 200/);
    assert.match(stdout, /PUT \{expires 3600\}: 200/);
    assert.match(stdout, /PUT with Content-Type: 200/);
    assert.match(stdout, /GET with response overrides: 200 text\/custom/);
    assert.match(stdout, /GET V4 signed URL: 200/);
  } finally {
    await server.stop();
  }
});

test('a signed process URL is verified: the process string cannot be changed or added', { timeout: 30_000 }, async () => {
  const server = await startServer({ args: ['--no-access-log'] });
  try {
    const { default: OSS } = await import('ali-oss');
    const store = new OSS({
      endpoint: server.localhostEndpoint,
      sldEnable: true,
      region: 'oss-cn-hangzhou',
      accessKeyId: server.accessKeyId,
      accessKeySecret: server.accessKeySecret,
      bucket: 'processbucket',
    });
    await store.putBucket('processbucket');
    await store.put('ossdemo.png', path.join(root, 'examples', 'ossdemo.png'));
    const url = store.signatureUrl('ossdemo.png', { process: 'image/resize,w_200' });
    const intact = await fetch(url);
    assert.equal(intact.status, 200);
    const thumbnail = Buffer.from(await intact.arrayBuffer());
    assert.deepEqual([thumbnail.readUInt32BE(16), thumbnail.readUInt32BE(20)], [200, 150]);
    const tampered = await fetch(url.replace('w_200', 'w_201'));
    assert.equal(tampered.status, 403);
    assert.match(await tampered.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
    const added = await fetch(store.signatureUrl('ossdemo.png') + '&x-oss-process=image%2Fresize%2Cw_200');
    assert.equal(added.status, 403);
    assert.match(await added.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
  } finally {
    await server.stop();
  }
});
