// Secrets never appear in logs (issue #6, RELIABILITY §3.2 cases 7 and 17):
// one ossd with the access log on and every log level enabled serves a broad
// workload (root key V1/V4 headers and signed URLs; RAM users and keys made
// through the RAM API; STS credentials from AssumeRole used in headers, signed
// URLs, PostObject and RPC; PostObject V1/V4 policies; RPC v1 and ACS3 calls;
// and failures: wrong secrets, tampered and foreign tokens, bad signatures,
// an oversized head). Then everything the process wrote (access log on
// stdout, error log on stderr) is searched for every secret, security token
// and signature value the run used, and for the master key; none may appear.
// tests/integration/authorization.test.mjs checks the STS secret and token
// for its own requests; this is the full-run version across every auth mode.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeClient, startOssd, stopOssd } from '../interop/lib/common.mjs';
import { send } from '../integration/lib/oss.mjs';
import { acs3, rpc, rpcOk } from '../integration/lib/rpc.mjs';
import { getSignedUrl, postForm, rawExchange } from './lib/raw.mjs';

const require = (await import('node:module')).createRequire(import.meta.url);
const { getCredential } = require('ali-oss/lib/common/signUtils.js');
const { policy2Str } = require('ali-oss/lib/common/utils/policy2Str.js');

const PATH_V1 = { name: 'path-v1', style: 'path', v4: false };
const PATH_V4 = { name: 'path-v4', style: 'path', v4: true };

let server;
let bucket;
let log = '';           // everything ossd wrote, read after a graceful stop
let accessLines = [];   // the parsed access-log lines
const secrets = new Map();     // label -> value that must never be logged
const signatures = new Map();  // label -> signature value sent on the wire
const statuses = [];           // [label, expected, actual] for the workload's own checks

function secret(label, value) {
  assert.ok(typeof value === 'string' && value.length >= 8, `${label}: no value to track (${value})`);
  secrets.set(label, value);
  return value;
}
function signature(label, value) {
  assert.ok(typeof value === 'string' && value.length >= 16, `${label}: no signature to track (${value})`);
  signatures.set(label, value);
  return value;
}
function expectStatus(label, res, expected) {
  statuses.push([label, expected, res.status ?? res.statusCode]);
  return res;
}

// The signature inside an Authorization header (V1 "OSS id:sig", V4 "...,Signature=hex").
function authorizationSignature(authorization) {
  const v4 = /Signature=([0-9a-f]+)/.exec(authorization);
  if (v4) return v4[1];
  return authorization.slice(authorization.lastIndexOf(':') + 1);
}

// One header-signed OSS request; records its signature.
async function signed(label, who, opts, expected) {
  const headers = { ...(opts.headers || {}) };
  if (who?.securityToken) headers['x-oss-security-token'] = who.securityToken;
  const res = await send(server, { bucket, ...opts, headers, ...(who ? { accessKeyId: who.accessKeyId, accessKeySecret: who.accessKeySecret } : {}) });
  signature(label, authorizationSignature(res.req.headers.Authorization));
  return expectStatus(label, res, expected);
}

// A signed URL fetched raw; records its signature and any token in it.
async function viaUrl(label, url, expected, method = 'GET') {
  const q = new URL(url).searchParams;
  signature(label, q.get('Signature') ?? q.get('x-oss-signature'));
  return expectStatus(label, await getSignedUrl(server, url, method), expected);
}

function ossClient(mode, who) {
  return makeClient(server, mode, bucket, {
    accessKeyId: who.accessKeyId, accessKeySecret: who.accessKeySecret, ...(who.securityToken ? { stsToken: who.securityToken } : {}),
  });
}

async function postObjectV1(label, who, key, expected, { tamper } = {}) {
  const client = ossClient(PATH_V1, who);
  const policy = { expiration: new Date(Date.now() + 3600_000).toISOString(), conditions: [['content-length-range', 0, 1024]] };
  const s = client.calculatePostSignature(policy);
  const sig = tamper ? tamper(s.Signature) : s.Signature;
  signature(label, sig);
  const fields = [['key', key], ['OSSAccessKeyId', s.OSSAccessKeyId], ['policy', s.policy], ['Signature', sig]];
  if (who.securityToken) fields.push(['x-oss-security-token', who.securityToken]);
  return expectStatus(label, await postForm(server, bucket, fields), expected);
}

async function postObjectV4(label, who, key, expected) {
  const client = ossClient(PATH_V4, who);
  const date = new Date();
  const stamp = date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const credential = getCredential(stamp.slice(0, 8), 'cn-hangzhou', who.accessKeyId);
  const conditions = [{ bucket }, ['content-length-range', 0, 1024], { 'x-oss-signature-version': 'OSS4-HMAC-SHA256' },
    { 'x-oss-credential': credential }, { 'x-oss-date': stamp }];
  if (who.securityToken) conditions.push({ 'x-oss-security-token': who.securityToken });
  const policy = { expiration: new Date(Date.now() + 3600_000).toISOString(), conditions };
  const sig = signature(label, client.signPostObjectPolicyV4(policy, date));
  const fields = [['key', key], ['x-oss-signature-version', 'OSS4-HMAC-SHA256'], ['x-oss-credential', credential],
    ['x-oss-date', stamp], ['policy', Buffer.from(policy2Str(policy), 'utf8').toString('base64')], ['x-oss-signature', sig]];
  if (who.securityToken) fields.push(['x-oss-security-token', who.securityToken]);
  return expectStatus(label, await postForm(server, bucket, fields), expected);
}

// An RPC v1 call (records its Signature); `params.SecurityToken` for STS callers.
async function rpcCall(label, who, action, params, expected, extra = {}) {
  const res = await rpc(server, {
    action, params, method: 'POST', inBody: true,
    accessKeyId: who.accessKeyId, accessKeySecret: who.accessKeySecret, securityToken: who.securityToken, ...extra,
  });
  signature(label, res.params.Signature);
  return expectStatus(label, res, expected);
}

// Flips one character in the middle of a base64 text (a tampered token or signature).
function tampered(text) {
  const i = Math.floor(text.length / 2);
  return text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1);
}

before(async () => {
  server = await startOssd({ args: ['--access-log', '--log-level', 'trace'] });
  bucket = `sec-logs-${process.pid}`;
  const root = { accessKeyId: server.accessKeyId, accessKeySecret: secret('root secret', server.accessKeySecret) };
  secret('master key', readFileSync(path.join(server.dataDir, 'master.key'), 'utf8').trim());

  // --- root key: V1 and V4 headers, V1 and V4 signed URLs ---------------------------
  await signed('root V1 PutBucket', null, { method: 'PUT' }, 200);
  await signed('root V1 PutObject', null, { method: 'PUT', key: 'a.txt', body: 'alpha' }, 200);
  await signed('root V1 GetObject', null, { method: 'GET', key: 'a.txt' }, 200);
  await signed('root V4 PutObject', null, { method: 'PUT', key: 'b.txt', body: 'beta', auth: 'v4' }, 200);
  await signed('root V4 ListObjects', null, { method: 'GET', auth: 'v4' }, 200);
  const rootV1 = ossClient(PATH_V1, root);
  await viaUrl('root V1 URL', rootV1.signatureUrl('a.txt', { expires: 300 }), 200);
  await viaUrl('root V1 URL HEAD', rootV1.signatureUrl('a.txt', { expires: 300, method: 'HEAD' }), 200, 'HEAD');
  await viaUrl('root V4 URL', await rootV1.signatureUrlV4('GET', 300, {}, 'b.txt'), 200);
  await postObjectV1('root PostObject V1', root, 'post-root-v1.txt', 204);
  await postObjectV4('root PostObject V4', root, 'post-root-v4.txt', 204);

  // --- RAM users and keys through the RAM API ---------------------------------------
  const identity = await rpcOk(server, { action: 'GetCallerIdentity' });
  const accountId = identity.AccountId;
  const users = {};
  for (const name of ['log-alice', 'log-bob']) {
    await rpcCall(`CreateUser ${name}`, root, 'CreateUser', { UserName: name }, 200);
    const key = await rpcCall(`CreateAccessKey ${name}`, root, 'CreateAccessKey', { UserName: name }, 200);
    users[name] = { accessKeyId: key.json.AccessKey.AccessKeyId, accessKeySecret: secret(`${name} secret`, key.json.AccessKey.AccessKeySecret) };
    for (const policy of ['AliyunOSSFullAccess', 'AliyunSTSAssumeRoleAccess']) {
      await rpcCall(`attach ${policy} to ${name}`, root, 'AttachPolicyToUser', { UserName: name, PolicyType: 'System', PolicyName: policy }, 200);
    }
  }
  // A second key for alice, made and used through ACS3 (what the RAM SDK sends).
  const second = await acs3(server, { action: 'CreateAccessKey', query: { UserName: 'log-alice' } });
  expectStatus('ACS3 CreateAccessKey', second, 200);
  const alice2 = { accessKeyId: second.json.AccessKey.AccessKeyId, accessKeySecret: secret('alice second secret', second.json.AccessKey.AccessKeySecret) };
  const alice = users['log-alice'];
  await signed('alice V1 PutObject', alice, { method: 'PUT', key: 'alice.txt', body: 'from alice' }, 200);
  await signed('alice V4 GetObject', alice, { method: 'GET', key: 'alice.txt', auth: 'v4' }, 200);
  await signed('alice2 V1 GetObject', alice2, { method: 'GET', key: 'alice.txt' }, 200);
  await viaUrl('alice V1 URL', ossClient(PATH_V1, alice).signatureUrl('alice.txt', { expires: 300 }), 200);
  await viaUrl('alice V4 URL', await ossClient(PATH_V1, alice).signatureUrlV4('GET', 300, {}, 'alice.txt'), 200);
  await postObjectV1('alice PostObject V1', alice, 'post-alice.txt', 204);
  await ossClient(PATH_V1, users['log-bob']).put('bob-sdk.txt', Buffer.from('bob via ali-oss V1'));
  await ossClient(PATH_V4, users['log-bob']).get('bob-sdk.txt');

  // --- a role and STS credentials -----------------------------------------------------
  const trust = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${accountId}:root`] } }] });
  await rpcCall('CreateRole', root, 'CreateRole', { RoleName: 'log-role', AssumeRolePolicyDocument: trust }, 200);
  await rpcCall('AttachPolicyToRole', root, 'AttachPolicyToRole', { RoleName: 'log-role', PolicyType: 'System', PolicyName: 'AliyunOSSFullAccess' }, 200);
  const roleArn = `acs:ram::${accountId}:role/log-role`;
  const sessions = {};
  for (const [name, who] of [['root', root], ['alice', alice]]) {
    const assumed = await rpcCall(`AssumeRole by ${name}`, who, 'AssumeRole', { RoleArn: roleArn, RoleSessionName: `log-${name}`, DurationSeconds: 900 }, 200);
    const c = assumed.json.Credentials;
    sessions[name] = {
      accessKeyId: c.AccessKeyId,
      accessKeySecret: secret(`STS secret (${name})`, c.AccessKeySecret),
      securityToken: secret(`SecurityToken (${name})`, c.SecurityToken),
    };
  }
  // AssumeRole through ACS3 as well.
  const acs3Assumed = await acs3(server, { action: 'AssumeRole', query: { RoleArn: roleArn, RoleSessionName: 'log-acs3' } });
  expectStatus('ACS3 AssumeRole', acs3Assumed, 200);
  const c3 = acs3Assumed.json.Credentials;
  const acs3Session = { accessKeyId: c3.AccessKeyId, accessKeySecret: secret('STS secret (acs3)', c3.AccessKeySecret), securityToken: secret('SecurityToken (acs3)', c3.SecurityToken) };

  const temp = sessions.root;
  await signed('STS V1 PutObject', temp, { method: 'PUT', key: 'sts.txt', body: 'from a session' }, 200);
  await signed('STS V4 GetObject', temp, { method: 'GET', key: 'sts.txt', auth: 'v4' }, 200);
  await signed('STS (alice) V1 HEAD', sessions.alice, { method: 'HEAD', key: 'sts.txt' }, 200);
  await signed('STS (acs3) V4 GET', acs3Session, { method: 'GET', key: 'sts.txt', auth: 'v4' }, 200);
  const stsV1 = ossClient(PATH_V1, temp);
  await viaUrl('STS V1 URL', stsV1.signatureUrl('sts.txt', { expires: 300 }), 200);
  await viaUrl('STS V4 URL', await stsV1.signatureUrlV4('GET', 300, {}, 'sts.txt'), 200);
  await postObjectV1('STS PostObject V1', temp, 'post-sts-v1.txt', 204);
  await postObjectV4('STS PostObject V4', temp, 'post-sts-v4.txt', 204);
  await ossClient(PATH_V4, sessions.alice).put('sts-sdk.txt', Buffer.from('session via ali-oss V4'));
  await rpcCall('GetCallerIdentity with a token', temp, 'GetCallerIdentity', {}, 200);
  expectStatus('ACS3 GetCallerIdentity with a token', await acs3(server, {
    action: 'GetCallerIdentity', accessKeyId: temp.accessKeyId, accessKeySecret: temp.accessKeySecret, securityToken: temp.securityToken,
  }), 200);

  // --- failures -----------------------------------------------------------------------
  const wrong = { accessKeyId: server.accessKeyId, accessKeySecret: secret('a wrong root secret', 'WrongSecret0123456789abcdefghijkl') };
  await signed('wrong secret V1', wrong, { method: 'GET', key: 'a.txt' }, 403);
  await signed('wrong secret V4', wrong, { method: 'GET', key: 'a.txt', auth: 'v4' }, 403);
  await viaUrl('wrong secret V1 URL', ossClient(PATH_V1, wrong).signatureUrl('a.txt', { expires: 300 }), 403);
  await viaUrl('wrong secret V4 URL', await ossClient(PATH_V1, wrong).signatureUrlV4('GET', 300, {}, 'a.txt'), 403);
  const wrongAlice = { accessKeyId: alice.accessKeyId, accessKeySecret: secret('a wrong alice secret', tampered(alice.accessKeySecret)) };
  await signed('wrong alice secret V1', wrongAlice, { method: 'GET', key: 'alice.txt' }, 403);
  const badToken = { ...temp, securityToken: secret('a tampered token', tampered(temp.securityToken)) };
  await signed('tampered token V1', badToken, { method: 'GET', key: 'sts.txt' }, [400, 403]);
  await viaUrl('tampered token V1 URL', ossClient(PATH_V1, badToken).signatureUrl('sts.txt', { expires: 300 }), [400, 403]);
  const swapped = { ...temp, securityToken: sessions.alice.securityToken };  // a token of another session
  await signed('foreign token V4', swapped, { method: 'GET', key: 'sts.txt', auth: 'v4' }, [400, 403]);
  const wrongTemp = { ...temp, accessKeySecret: secret('a wrong STS secret', tampered(temp.accessKeySecret)) };
  await signed('wrong STS secret V1', wrongTemp, { method: 'GET', key: 'sts.txt' }, 403);
  await postObjectV1('PostObject with a bad signature', root, 'post-bad.txt', 403, { tamper: tampered });
  await postObjectV1('PostObject with a tampered token', badToken, 'post-bad-token.txt', [400, 403]);
  await rpcCall('RPC with a wrong secret', wrong, 'GetCallerIdentity', {}, [400, 403]);
  await rpcCall('RPC with a tampered token', badToken, 'GetCallerIdentity', {}, [400, 403]);
  expectStatus('ACS3 with a wrong secret', await acs3(server, { action: 'GetCallerIdentity', accessKeyId: wrong.accessKeyId, accessKeySecret: wrong.accessKeySecret }), [400, 403]);
  // A secret where a signature belongs, and a head too large to parse that carries a token.
  const misplaced = await send(server, { bucket, key: 'a.txt', auth: 'none', headers: { Authorization: `OSS ${server.accessKeyId}:${server.accessKeySecret}`, 'x-oss-date': new Date().toUTCString() } });
  expectStatus('secret as the signature', misplaced, 403);
  const huge = `GET /${bucket}/a.txt HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nx-oss-security-token: ${temp.securityToken}\r\n`
    + `Authorization: OSS ${temp.accessKeyId}:${signatures.get('STS V1 PutObject')}\r\nx-pad: ${'p'.repeat(70_000)}\r\nConnection: close\r\n\r\n`;
  const hugeRes = await rawExchange(server, huge).catch((e) => ({ status: `connection error ${e.code}` }));
  expectStatus('oversized head with a token', hugeRes, [400, 431, 'connection error ECONNRESET', 'connection error EPIPE']);

  await stopOssd(server);
  log = server.output();
  accessLines = log.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
});
after(async () => { if (server) await server.stop(); });

describe('secrets in logs', () => {
  it('the workload did what it meant to (so the searches below cover something)', () => {
    const wrongStatuses = statuses.filter(([, expected, actual]) => !(Array.isArray(expected) ? expected : [expected]).includes(actual));
    assert.deepEqual(wrongStatuses, [], 'requests whose status was not the expected one');
    assert.ok(secrets.size >= 15, `${secrets.size} secrets tracked`);
    assert.ok(signatures.size >= 40, `${signatures.size} signatures tracked`);
  });

  it('the access log has a line per request, naming every kind of principal and operation used', () => {
    assert.ok(accessLines.length >= statuses.length, `${accessLines.length} access-log lines for ${statuses.length}+ requests`);
    const types = new Set(accessLines.map((l) => l.principal_type));
    for (const type of ['Account', 'RamUser', 'AssumedRole']) assert.ok(types.has(type), `no ${type} in ${[...types]}`);
    const operations = new Set(accessLines.map((l) => l.operation));
    for (const op of ['PutObject', 'GetObject', 'PostObject', 'CreateAccessKey', 'AssumeRole', 'GetCallerIdentity']) {
      assert.ok(operations.has(op), `no ${op} line in ${[...operations]}`);
    }
    assert.ok(accessLines.some((l) => l.status === 403), 'the refusals are logged');
    assert.ok(log.includes('[ossd] [debug]') || log.includes('[ossd] [trace]'), 'the debug log was on');
  });

  it('no secret, security token or master key appears in any log (stdout or stderr)', () => {
    const leaks = [];
    for (const [label, value] of secrets) {
      const forms = new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]);
      // A long token leaking in part: any 32 characters from its middle.
      if (value.length > 96) forms.add(value.slice(value.length / 2 - 16, value.length / 2 + 16));
      for (const form of forms) if (log.includes(form)) leaks.push(`${label}: ${form.slice(0, 12)}...`);
    }
    const masterKey = secrets.get('master key');
    if (log.toLowerCase().includes(masterKey.toLowerCase())) leaks.push('master key (any case)');
    assert.deepEqual(leaks, [], 'secrets in the log');
  });

  it('no signature value appears in any log', () => {
    const leaks = [];
    for (const [label, value] of signatures) {
      for (const form of new Set([value, encodeURIComponent(value)])) if (log.includes(form)) leaks.push(`${label}: ${form}`);
    }
    assert.deepEqual(leaks, [], 'signatures in the log');
  });

  it('the search would have found them: it sees the access key ids and session names the run logged', () => {
    // Public ids are fine to log; finding them shows the log was searched in the same form.
    assert.ok(log.includes(server.accessKeyId), 'the root AccessKeyId');
    assert.ok(accessLines.some((l) => l.session === 'log-alice'), 'the session name of alice\'s role session');
  });
});
