// Behind a front (docs/DEPLOY.md): with --trusted-proxy, the client address
// and scheme that a trusted front reports in X-Forwarded-For and
// X-Forwarded-Proto are what bucket-policy conditions see (acs:SourceIp,
// acs:SecureTransport); from anyone else those headers change nothing.
// Here the test itself, on 127.0.0.1, plays the front.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runOssd, startServer } from '../lib/server.mjs';
import { assertError, createBucket, send, uniqueName, xmlText } from './lib/oss.mjs';

const CLIENT_NET = '203.0.113.0/24';

// GetObject only from CLIENT_NET, PutObject only over TLS: both conditions
// bind the owner too (a Deny with a Condition applies to everyone).
function policyFor(bucket) {
  return JSON.stringify({
    Version: '1',
    Statement: [
      { Effect: 'Deny', Action: ['oss:GetObject'], Principal: ['*'], Resource: [`acs:oss:*:*:${bucket}/*`],
        Condition: { NotIpAddress: { 'acs:SourceIp': [CLIENT_NET] } } },
      { Effect: 'Deny', Action: ['oss:PutObject'], Principal: ['*'], Resource: [`acs:oss:*:*:${bucket}/*`],
        Condition: { Bool: { 'acs:SecureTransport': ['false'] } } },
    ],
  });
}

async function serverWithPolicy(args) {
  const server = await startServer({ args });
  const bucket = uniqueName('front');
  await createBucket(server, bucket);
  const put = await send(server, { bucket, key: 'k', method: 'PUT', body: 'before the policy' });
  assert.equal(put.status, 200, put.text);
  const policy = await send(server, { bucket, method: 'PUT', query: { policy: '' }, body: policyFor(bucket) });
  assert.equal(policy.status, 200, policy.text);
  return { server, bucket };
}

function assertDeniedByPolicy(res, what) {
  assertError(res, 403, 'AccessDenied', what);
  assert.equal(xmlText(res.text, 'Message'), 'Access denied by bucket policy.', what);
}

describe('--trusted-proxy 127.0.0.1: the front is believed', () => {
  let server;
  let bucket;
  before(async () => { ({ server, bucket } = await serverWithPolicy(['--trusted-proxy', '127.0.0.1,10.0.0.0/8'])); });
  after(async () => { await server?.stop(); });

  const get = (forwardedFor) => send(server, {
    bucket, key: 'k', headers: forwardedFor === undefined ? {} : { 'X-Forwarded-For': forwardedFor },
  });

  it('acs:SourceIp is the client the front names', async () => {
    const res = await get('203.0.113.9');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.text, 'before the policy');
    assertDeniedByPolicy(await get(undefined), 'no header: the source is the front, 127.0.0.1');
  });

  it('the rightmost hop that is not a trusted front is the client, whatever the client prepended', async () => {
    assert.equal((await get('198.51.100.1, 203.0.113.9, 10.1.2.3')).status, 200, 'through a second, trusted front');
    assertDeniedByPolicy(await get('203.0.113.9, 198.51.100.1'), 'a forged entry left of the real client');
    assertDeniedByPolicy(await get('203.0.113.9, garbage'), 'a garbled hop stops at the front');
  });

  it('acs:SecureTransport follows X-Forwarded-Proto', async () => {
    const over = (proto) => send(server, {
      bucket, key: 'tls-only', method: 'PUT', body: 'x', headers: proto ? { 'X-Forwarded-Proto': proto } : {},
    });
    assert.equal((await over('https')).status, 200);
    assertDeniedByPolicy(await over('http'), 'the client spoke plain HTTP to the front');
    assertDeniedByPolicy(await over(undefined), 'no header: the connection itself, plain HTTP');
  });
});

describe('without --trusted-proxy the headers change nothing', () => {
  let server;
  let bucket;
  before(async () => { ({ server, bucket } = await serverWithPolicy([])); });
  after(async () => { await server?.stop(); });

  it('a client cannot claim another address or TLS', async () => {
    assertDeniedByPolicy(await send(server, { bucket, key: 'k', headers: { 'X-Forwarded-For': '203.0.113.9' } }),
      'X-Forwarded-For from an untrusted peer');
    const put = await send(server, {
      bucket, key: 'tls-only', method: 'PUT', body: 'x', headers: { 'X-Forwarded-Proto': 'https' },
    });
    assertDeniedByPolicy(put, 'X-Forwarded-Proto from an untrusted peer');
  });
});

describe('--trusted-proxy values', () => {
  it('an entry that is not an address or network stops the start, naming it', async () => {
    const run = await runOssd(['--trusted-proxy', '10.0.0.0/8,proxy.internal', '--data-dir', '/nonexistent'],
      { timeoutMs: 10_000 });
    assert.notEqual(run.code, 0);
    assert.match(run.output, /--trusted-proxy: .*'proxy\.internal'/);
  });
});
