// SignatureNonce replay protection across gateways (issue #7): two ossd
// gateways on one PostgreSQL database share the ledger of spent nonces
// (iam_nonces), so an RPC request signed once and accepted by gateway A is
// refused by gateway B exactly as a single gateway refuses a replay (400
// SignatureNonceUsed, see sts-rpc.test.mjs), and with the database down a
// nonce cannot be checked, so the call is refused with 503 rather than
// accepted unchecked.
// Starts its own throwaway cluster (tests/lib/postgres.mjs); OSSD_SKIP_POSTGRES=1 skips.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { postgresSkipReason, startPostgres } from '../lib/postgres.mjs';
import { startServer } from '../lib/server.mjs';
import { acs3, rpcEncode, rpcOk, rpcSignature, rpcStringToSign, timestamp } from './lib/rpc.mjs';

const skip = postgresSkipReason();
if (skip) console.log(`# ${skip}`);
const TIMEOUT = 60_000;

const trustRoot = (account) => JSON.stringify({
  Version: '1',
  Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${account}:root`] } }],
});

// One RPC v1 request, signed here once: the same path (query and signature)
// can then be sent, byte for byte, to any gateway.
function signedOnce(server, action, params, nonce = `nonce-${crypto.randomUUID()}`) {
  const all = {
    Action: action, Version: '2015-04-01', Format: 'JSON', AccessKeyId: server.accessKeyId,
    SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0', SignatureNonce: nonce, Timestamp: timestamp(), ...params,
  };
  const signature = rpcSignature(server.accessKeySecret, rpcStringToSign('GET', all));
  const query = Object.entries(all).map(([k, v]) => `${rpcEncode(k)}=${rpcEncode(v)}`).join('&');
  return `/?${query}&Signature=${rpcEncode(signature)}`;
}

async function send(server, requestPath) {
  const res = await fetch(`${server.endpoint}${requestPath}`);
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, text, json, requestId: res.headers.get('x-oss-request-id') };
}

// What a single gateway answers to a replayed nonce (sts-rpc.test.mjs), with
// the full RPC error body.
function assertNonceUsed(res, what) {
  assert.equal(res.status, 400, `${what}: ${res.status} ${res.text}`);
  assert.ok(res.json, `${what}: a JSON error body, got ${res.text}`);
  assert.equal(res.json.Code, 'SignatureNonceUsed', `${what}: ${res.text}`);
  assert.equal(res.json.Message, 'Specified signature nonce was used already.');
  assert.equal(res.json.RequestId, res.requestId);
  for (const field of ['HostId', 'Recommend']) assert.ok(field in res.json, `${what}: no ${field}: ${res.text}`);
}

describe('SignatureNonce replay across two gateways on one PostgreSQL database', { skip: skip ?? false }, () => {
  let pg;
  let dataDir;
  let a;
  let b;
  let roleArn;

  before(async () => {
    pg = await startPostgres();
    dataDir = mkdtempSync(path.join(tmpdir(), 'ossd-nonce-'));
    const args = ['--meta', pg.uri()];
    // One after the other: the first creates the master key and the root
    // account file in the shared directory, the second reads them.
    a = await startServer({ dataDir, args });
    b = await startServer({ dataDir, args });
    const account = (await rpcOk(a, { action: 'GetCallerIdentity' })).AccountId;
    await rpcOk(a, { action: 'CreateRole', params: { RoleName: 'nonce-role', AssumeRolePolicyDocument: trustRoot(account) } });
    await rpcOk(a, { action: 'AttachPolicyToRole',
      params: { PolicyType: 'System', PolicyName: 'AliyunOSSFullAccess', RoleName: 'nonce-role' } });
    roleArn = `acs:ram::${account}:role/nonce-role`;
  }, { timeout: TIMEOUT });

  after(async () => {
    await a?.stop();
    await b?.stop();
    await pg?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const assumeRole = (server, nonce) => signedOnce(server, 'AssumeRole',
    { RoleArn: roleArn, RoleSessionName: 'nonce-session', DurationSeconds: '900' }, nonce);

  it('an AssumeRole signed once is accepted by gateway A and refused as a replay by gateway B', { timeout: TIMEOUT }, async () => {
    const request = assumeRole(a, `fixed-nonce-${process.pid}-${Date.now()}`);
    const first = await send(a, request);
    assert.equal(first.status, 200, first.text);
    assert.ok(first.json.Credentials?.SecurityToken, first.text);

    assertNonceUsed(await send(b, request), 'the same request on gateway B');
    assertNonceUsed(await send(a, request), 'and again on gateway A');
    assertNonceUsed(await send(b, request), 'and on B once more');

    // Gateway B itself accepts AssumeRole: only the nonce made it refuse.
    const control = await send(b, assumeRole(b));
    assert.equal(control.status, 200, control.text);
  });

  it('a nonce spent on B first is refused on A, also by the ACS3 signature', { timeout: TIMEOUT }, async () => {
    const nonce = `acs3-nonce-${process.pid}-${Date.now()}`;
    const onB = await acs3(b, { action: 'GetCallerIdentity', nonce });
    assert.equal(onB.status, 200, onB.text);
    const onA = await acs3(a, { action: 'GetCallerIdentity', nonce });
    assert.equal(onA.status, 400, onA.text);
    assert.equal(onA.json?.Code, 'SignatureNonceUsed', onA.text);
  });

  it('racing the same request at both gateways: exactly one is accepted', { timeout: TIMEOUT }, async () => {
    for (let round = 0; round < 5; round++) {
      const request = signedOnce(a, 'GetCallerIdentity', {});
      const answers = await Promise.all([a, b, a, b].map((server) => send(server, request)));
      const accepted = answers.filter((res) => res.status === 200);
      assert.equal(accepted.length, 1, answers.map((res) => `${res.status} ${res.text}`).join('\n'));
      for (const res of answers.filter((r) => r.status !== 200)) assertNonceUsed(res, `round ${round}`);
    }
  });

  // Last: stops the database.
  it('with the database down a nonce cannot be checked: 503, never accepted unchecked', { timeout: TIMEOUT }, async () => {
    await pg.stop();
    const res = await send(a, signedOnce(a, 'GetCallerIdentity', {}));
    assert.equal(res.status, 503, res.text);
    assert.equal(res.json?.Code, 'ServiceUnavailable', res.text);
    assert.ok(!/postgres|127\.0\.0\.1:\d+|connection/i.test(res.json?.Message ?? ''), `no database details: ${res.text}`);
  });
});
