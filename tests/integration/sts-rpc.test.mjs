// The STS and RAM RPC APIs over raw HTTP against the real ossd: signatures,
// replay and clock checks, response formats, AssumeRole's parameter rules and
// permissions, key revocation, and temporary credentials on the OSS API up to
// their expiry (moved with the test-only --test-clock-offset).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { send, assertError, assertOk, createBucket, uniqueName } from './lib/oss.mjs';
import { rpc, rpcOk, acs3, timestamp } from './lib/rpc.mjs';

function assertRpcError(res, status, code, what = '') {
  assert.equal(res.status, status, `${what}: status ${res.status} body ${res.text}`);
  assert.ok(res.json, `${what}: JSON error body expected, got ${res.text}`);
  if (Array.isArray(code)) assert.ok(code.includes(res.json.Code), `${what}: ${res.text}`);
  else assert.equal(res.json.Code, code, `${what}: ${res.text}`);
  for (const field of ['RequestId', 'HostId', 'Code', 'Message', 'Recommend']) {
    assert.ok(field in res.json, `${what}: error body lacks ${field}: ${res.text}`);
  }
  assert.equal(res.json.RequestId, res.headers['x-oss-request-id']);
  return res.json;
}

const trustRoot = (account) => JSON.stringify({
  Version: '1',
  Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${account}:root`] } }],
});
const trustUser = (account, user) => JSON.stringify({
  Version: '1',
  Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${account}:user/${user}`] } }],
});

describe('STS and RAM RPC APIs', () => {
  let srv;
  let account;
  const bucket = uniqueName('sts');
  const roleArn = () => `acs:ram::${account}:role/oss-rw`;

  // A RAM user with a fresh key; optionally allowed to call sts:AssumeRole.
  async function ramUser(name, { mayAssume = false } = {}) {
    await rpcOk(srv, { action: 'CreateUser', params: { UserName: name } });
    const key = (await rpcOk(srv, { action: 'CreateAccessKey', params: { UserName: name } })).AccessKey;
    if (mayAssume) {
      await rpcOk(srv, { action: 'AttachPolicyToUser',
        params: { PolicyType: 'System', PolicyName: 'AliyunSTSAssumeRoleAccess', UserName: name } });
    }
    return { accessKeyId: key.AccessKeyId, accessKeySecret: key.AccessKeySecret };
  }

  async function assumeRole(params = {}, caller = {}) {
    return rpc(srv, { action: 'AssumeRole', params: { RoleArn: roleArn(), RoleSessionName: 'it-session', ...params }, ...caller });
  }

  before(async () => {
    srv = await startServer();
    account = (await rpcOk(srv, { action: 'GetCallerIdentity' })).AccountId;
    await createBucket(srv, bucket);
    await rpcOk(srv, { action: 'CreateRole', params: { RoleName: 'oss-rw', AssumeRolePolicyDocument: trustRoot(account) } });
    await rpcOk(srv, { action: 'AttachPolicyToRole',
      params: { PolicyType: 'System', PolicyName: 'AliyunOSSFullAccess', RoleName: 'oss-rw' } });
  });
  after(async () => { await srv?.stop(); });

  describe('signatures, replay and time', () => {
    it('GetCallerIdentity by GET query: the account root', async () => {
      const res = await rpc(srv, { action: 'GetCallerIdentity' });
      assert.equal(res.status, 200, res.text);
      assert.match(res.headers['content-type'], /application\/json/);
      assert.equal(res.json.IdentityType, 'Account');
      assert.equal(res.json.Arn, `acs:ram::${account}:root`);
      assert.equal(res.json.RequestId, res.headers['x-oss-request-id']);
    });

    it('POST with a form body works too (pop-core POST, ali-oss STS)', async () => {
      const res = await rpc(srv, { action: 'GetCallerIdentity', method: 'POST', inBody: true });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.AccountId, account);
    });

    it('a wrong signature -> 400 SignatureDoesNotMatch with the server string to sign', async () => {
      const res = await rpc(srv, { action: 'GetCallerIdentity', accessKeySecret: 'not-the-secret' });
      const body = assertRpcError(res, 400, 'SignatureDoesNotMatch');
      assert.ok(body.Message.includes(res.stringToSign), body.Message);
      assert.ok(!res.text.includes(srv.accessKeySecret));
    });

    it('a parameter changed after signing -> SignatureDoesNotMatch', async () => {
      const res = await rpc(srv, { action: 'AssumeRole', params: { RoleArn: roleArn(), RoleSessionName: 'abc' },
        tamper: (p) => { p.DurationSeconds = '43200'; } });
      assertRpcError(res, 400, 'SignatureDoesNotMatch');
    });

    it('a replayed SignatureNonce -> 400 SignatureNonceUsed', async () => {
      const nonce = `replay-${Date.now()}`;
      const date = new Date();
      assert.equal((await rpc(srv, { action: 'GetCallerIdentity', nonce, date })).status, 200);
      assertRpcError(await rpc(srv, { action: 'GetCallerIdentity', nonce, date }), 400, 'SignatureNonceUsed');
      assertRpcError(await rpc(srv, { action: 'GetCallerIdentity', nonce, method: 'POST', inBody: true }), 400,
        'SignatureNonceUsed', 'another method, same nonce');
    });

    it('a nonce of a request whose signature failed is not spent', async () => {
      const nonce = `unspent-${Date.now()}`;
      assertRpcError(await rpc(srv, { action: 'GetCallerIdentity', nonce, accessKeySecret: 'x' }), 400, 'SignatureDoesNotMatch');
      assert.equal((await rpc(srv, { action: 'GetCallerIdentity', nonce })).status, 200);
    });

    it('a timestamp 20 minutes off either way -> InvalidTimeStamp.Expired; a malformed one -> .Format', async () => {
      assertRpcError(await rpc(srv, { action: 'GetCallerIdentity', date: new Date(Date.now() + 20 * 60e3) }), 400,
        'InvalidTimeStamp.Expired');
      assertRpcError(await rpc(srv, { action: 'GetCallerIdentity', date: new Date(Date.now() - 20 * 60e3) }), 400,
        'InvalidTimeStamp.Expired');
      assertRpcError(await rpc(srv, { action: 'GetCallerIdentity', timestampText: '2024/05/20 08:30:00' }), 400,
        'InvalidTimeStamp.Format');
      const ms = new Date().toISOString();  // sts-sdk sends milliseconds
      assert.equal((await rpc(srv, { action: 'GetCallerIdentity', timestampText: ms })).status, 200);
    });

    it('an unknown AccessKeyId -> 404 InvalidAccessKeyId.NotFound', async () => {
      assertRpcError(await rpc(srv, { action: 'GetCallerIdentity', accessKeyId: 'LTAI5tNoSuchKey000000' }), 404,
        'InvalidAccessKeyId.NotFound');
    });

    it('unsigned, unknown action, missing or wrong Version', async () => {
      assertRpcError(await rpc(srv, { action: 'GetCallerIdentity', omit: ['Signature'], tamper: (p) => delete p.Signature }),
        400, 'IncompleteSignature');
      assertRpcError(await rpc(srv, { action: 'LaunchRockets' }), 404, 'InvalidAction.NotFound');
      assertRpcError(await rpc(srv, { action: 'GetCallerIdentity', omit: ['Version'] }), 400, 'MissingParameter');
      assertRpcError(await rpc(srv, { action: 'GetCallerIdentity', version: '2015-05-01' }), 400, 'InvalidVersion');
      assertRpcError(await rpc(srv, { action: 'ListUsers', version: '2015-04-01' }), 400, 'InvalidVersion');
    });

    it('Format=XML renders results and errors as XML', async () => {
      const ok = await rpc(srv, { action: 'GetCallerIdentity', format: 'XML' });
      assert.equal(ok.status, 200);
      assert.match(ok.headers['content-type'], /xml/);
      assert.match(ok.text, /^<\?xml version="1\.0" encoding="UTF-8"\?><GetCallerIdentityResponse><RequestId>[0-9A-F]+<\/RequestId>/);
      assert.ok(ok.text.includes(`<AccountId>${account}</AccountId>`), ok.text);
      const bad = await rpc(srv, { action: 'AssumeRole', format: 'XML', params: { RoleSessionName: 'x1' } });
      assert.equal(bad.status, 400);
      assert.match(bad.text, /<Error><RequestId>.*<\/RequestId><HostId>.*<\/HostId><Code>MissingRoleArn<\/Code>/);
    });

    it('ACS3-HMAC-SHA256: accepted, and the body must match x-acs-content-sha256', async () => {
      const ok = await acs3(srv, { action: 'GetCallerIdentity' });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.json.IdentityType, 'Account');
      const role = await acs3(srv, { action: 'AssumeRole', query: { RoleArn: roleArn(), RoleSessionName: 'acs3', DurationSeconds: '900' } });
      assert.equal(role.status, 200, role.text);
      assert.match(role.json.Credentials.AccessKeyId, /^STS\./);
      const bad = await acs3(srv, { action: 'GetCallerIdentity', body: 'a=1', contentSha256: '0'.repeat(64) });
      assertRpcError(bad, 400, 'SignatureDoesNotMatch');
      const nonce = `acs3-${Date.now()}`;
      assert.equal((await acs3(srv, { action: 'GetCallerIdentity', nonce })).status, 200);
      assertRpcError(await acs3(srv, { action: 'GetCallerIdentity', nonce }), 400, 'SignatureNonceUsed');
    });
  });

  describe('AssumeRole parameters', () => {
    it('happy path: STS. key, secret, token, Expiration = now + DurationSeconds (no milliseconds)', async () => {
      const before = Date.now();
      const res = await assumeRole({ DurationSeconds: 900 });
      assert.equal(res.status, 200, res.text);
      const c = res.json.Credentials;
      assert.match(c.AccessKeyId, /^STS\.[1-9A-HJ-NP-Za-km-z]{28}$/);
      assert.ok(c.AccessKeySecret.length >= 30);
      assert.ok(c.SecurityToken.length > 40);
      assert.match(c.Expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const expires = Date.parse(c.Expiration);
      assert.ok(expires >= Math.floor(before / 1000) * 1000 + 899e3 && expires <= Date.now() + 901e3, c.Expiration);
      assert.equal(res.json.AssumedRoleUser.Arn, `acs:ram::${account}:role/oss-rw/it-session`);
      assert.match(res.json.AssumedRoleUser.AssumedRoleId, /^\d+:it-session$/);
    });

    it('missing RoleArn / RoleSessionName', async () => {
      assertRpcError(await rpc(srv, { action: 'AssumeRole', params: { RoleSessionName: 'abc' } }), 400, 'MissingRoleArn');
      assertRpcError(await rpc(srv, { action: 'AssumeRole', params: { RoleArn: roleArn() } }), 400, 'MissingRoleSessionName');
    });

    it('a malformed or foreign RoleArn -> InvalidParameter.RoleArn; a missing role -> 404 EntityNotExist.Role', async () => {
      assertRpcError(await assumeRole({ RoleArn: 'arn:aws:iam::1:role/x' }), 400, 'InvalidParameter.RoleArn');
      assertRpcError(await assumeRole({ RoleArn: 'acs:ram::9999999999999999:role/oss-rw' }), 400, 'InvalidParameter.RoleArn');
      assertRpcError(await assumeRole({ RoleArn: `acs:ram::${account}:role/nope` }), 404, 'EntityNotExist.Role');
    });

    it('RoleSessionName must be 2-64 of [A-Za-z0-9.@_-]', async () => {
      for (const name of ['a', 'x'.repeat(65), 'abc*abc', 'with space']) {
        assertRpcError(await assumeRole({ RoleSessionName: name }), 400, 'InvalidParameter.RoleSessionName', name);
      }
      assert.equal((await assumeRole({ RoleSessionName: 'alice@example.com' })).status, 200);
    });

    it('DurationSeconds 899 or over the role maximum -> InvalidParameter.DurationSeconds', async () => {
      assertRpcError(await assumeRole({ DurationSeconds: 899 }), 400, 'InvalidParameter.DurationSeconds');
      assertRpcError(await assumeRole({ DurationSeconds: 3601 }), 400, 'InvalidParameter.DurationSeconds', 'role max 3600');
      assertRpcError(await assumeRole({ DurationSeconds: 43201 }), 400, 'InvalidParameter.DurationSeconds');
      assert.equal((await assumeRole({ DurationSeconds: 3600 })).status, 200);
    });

    it('session Policy: over 2048 characters, malformed, deeply nested, 20 000 statements (1 MB)', async () => {
      const head = '{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Resource":"';
      const tail = '"}]}';
      assertRpcError(await assumeRole({ Policy: head + 'r'.repeat(2049 - head.length - tail.length) + tail }), 400,
        'InvalidParameter.PolicySize');
      assert.equal((await assumeRole({ Policy: head + 'r'.repeat(2048 - head.length - tail.length) + tail })).status, 200);
      assertRpcError(await assumeRole({ Policy: '{"Version":"1","Statement":[' }), 400, 'InvalidParameter.PolicyGrammar');
      assertRpcError(await assumeRole({ Policy: '{"Version":"1","Statement":[{"Effect":"Perhaps","Action":"*","Resource":"*"}]}' }),
        400, 'InvalidParameter.PolicyGrammar');
      assertRpcError(await assumeRole({ Policy: '['.repeat(1000) + ']'.repeat(1000) }), 400, 'InvalidParameter.PolicyGrammar');
      const statement = '{"Effect":"Allow","Action":"oss:GetObject","Resource":"*"},';
      const huge = `{"Version":"1","Statement":[${statement.repeat(20000).slice(0, -1)}]}`;
      // Refused by the RPC body limit (64 KiB) before any parsing, or by the policy size.
      const res = await assumeRole({ Policy: huge }, { method: 'POST', inBody: true });
      assertRpcError(res, 400, ['InvalidParameter', 'InvalidParameter.PolicySize']);
    });

    it('ExternalId is checked against the trust policy', async () => {
      const trust = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole',
        Principal: { RAM: [`acs:ram::${account}:root`] }, Condition: { StringEquals: { 'sts:ExternalId': 'ext-001' } } }] });
      await rpcOk(srv, { action: 'CreateRole', params: { RoleName: 'ext-role', AssumeRolePolicyDocument: trust } });
      const arn = `acs:ram::${account}:role/ext-role`;
      assertRpcError(await assumeRole({ RoleArn: arn }), 403, 'NoPermission');
      assertRpcError(await assumeRole({ RoleArn: arn, ExternalId: 'ext-002' }), 403, 'NoPermission');
      assert.equal((await assumeRole({ RoleArn: arn, ExternalId: 'ext-001' })).status, 200);
    });
  });

  describe('who may assume a role', () => {
    it('a RAM user without sts:AssumeRole -> 403 NoPermission with RAM\'s message', async () => {
      const user = await ramUser('no-sts');
      const body = assertRpcError(await assumeRole({}, user), 403, 'NoPermission');
      assert.equal(body.Message, 'You are not authorized to do this action. You should be authorized by RAM.');
    });

    it('a RAM user the role does not trust -> 403 NoPermission; the trusted one succeeds', async () => {
      await rpcOk(srv, { action: 'CreateRole', params: { RoleName: 'bobs-role', AssumeRolePolicyDocument: trustUser(account, 'bob') } });
      const arn = `acs:ram::${account}:role/bobs-role`;
      const alice = await ramUser('alice', { mayAssume: true });
      const bob = await ramUser('bob', { mayAssume: true });
      assertRpcError(await assumeRole({ RoleArn: arn }, alice), 403, 'NoPermission');
      const ok = await assumeRole({ RoleArn: arn }, bob);
      assert.equal(ok.status, 200, ok.text);
      // The account-root trust of oss-rw covers every user of the account.
      assert.equal((await assumeRole({}, alice)).status, 200);
    });

    it('temporary credentials cannot assume roles', async () => {
      const c = (await assumeRole()).json.Credentials;
      const res = await assumeRole({}, { accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, securityToken: c.SecurityToken });
      assertRpcError(res, 403, 'NoPermission');
      const me = await rpc(srv, { action: 'GetCallerIdentity', accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret,
        securityToken: c.SecurityToken });
      assert.equal(me.status, 200, me.text);
      assert.equal(me.json.IdentityType, 'AssumedRoleUser');
      assert.equal(me.json.Arn, `acs:ram::${account}:assumed-role/oss-rw/it-session`);
      assertRpcError(await rpc(srv, { action: 'GetCallerIdentity', accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret }),
        400, 'MissingSecurityToken');
    });

    it('only the root (or a user whose policies allow it) may call RAM', async () => {
      const clerk = await ramUser('clerk');
      assertRpcError(await rpc(srv, { action: 'ListUsers', ...clerk }), 403, 'NoPermission');
      assertRpcError(await rpc(srv, { action: 'CreateUser', params: { UserName: 'mallory' }, ...clerk }), 403, 'NoPermission');
      await rpcOk(srv, { action: 'AttachPolicyToUser', params: { PolicyType: 'System', PolicyName: 'AdministratorAccess', UserName: 'clerk' } });
      assert.equal((await rpc(srv, { action: 'ListUsers', ...clerk })).status, 200, 'the attachment counts at once');
    });
  });

  describe('long-term keys stop at once', () => {
    it('a disabled key is refused by the RPC and OSS APIs with the next request, and works again when enabled', async () => {
      const user = await ramUser('disable-me');
      await rpcOk(srv, { action: 'AttachPolicyToUser', params: { PolicyType: 'System', PolicyName: 'AliyunOSSFullAccess', UserName: 'disable-me' } });
      assert.equal((await rpc(srv, { action: 'GetCallerIdentity', ...user })).json.IdentityType, 'RAMUser');
      assertOk(await send(srv, { method: 'PUT', bucket, key: 'by-user.txt', body: 'u', ...user }));

      await rpcOk(srv, { action: 'UpdateAccessKey', params: { UserName: 'disable-me', UserAccessKeyId: user.accessKeyId, Status: 'Inactive' } });
      assertRpcError(await rpc(srv, { action: 'GetCallerIdentity', ...user }), 404, 'InvalidAccessKeyId.NotFound');
      assertError(await send(srv, { bucket, key: 'by-user.txt', ...user }), 403, 'InvalidAccessKeyId');

      await rpcOk(srv, { action: 'UpdateAccessKey', params: { UserName: 'disable-me', UserAccessKeyId: user.accessKeyId, Status: 'Active' } });
      assertOk(await send(srv, { bucket, key: 'by-user.txt', ...user }));
    });

    it('a deleted key is refused at once', async () => {
      const user = await ramUser('delete-me');
      assert.equal((await rpc(srv, { action: 'GetCallerIdentity', ...user })).status, 200);
      await rpcOk(srv, { action: 'DeleteAccessKey', params: { UserName: 'delete-me', UserAccessKeyId: user.accessKeyId } });
      assertRpcError(await rpc(srv, { action: 'GetCallerIdentity', ...user }), 404, 'InvalidAccessKeyId.NotFound');
      assertError(await send(srv, { bucket, ...user }), 403, 'InvalidAccessKeyId');
    });
  });

  describe('temporary credentials on the OSS API', () => {
    let creds;
    const sts = () => ({ accessKeyId: creds.AccessKeyId, accessKeySecret: creds.AccessKeySecret,
      headers: { 'x-oss-security-token': creds.SecurityToken } });

    before(async () => { creds = (await assumeRole({ DurationSeconds: 900 })).json.Credentials; });

    it('put and get with the token', async () => {
      assertOk(await send(srv, { method: 'PUT', bucket, key: 'sts/a.txt', body: 'hello', ...sts() }));
      assert.equal(assertOk(await send(srv, { bucket, key: 'sts/a.txt', ...sts() })).text, 'hello');
    });

    it('no token, a tampered, truncated or foreign token -> 403 InvalidSecurityToken', async () => {
      assertError(await send(srv, { bucket, key: 'sts/a.txt', accessKeyId: creds.AccessKeyId, accessKeySecret: creds.AccessKeySecret }),
        403, 'InvalidSecurityToken', 'no token');
      const t = creds.SecurityToken;
      const flipped = t.slice(0, 30) + (t[30] === 'A' ? 'B' : 'A') + t.slice(31);
      for (const [what, token] of [['tampered', flipped], ['truncated', t.slice(0, -8)], ['garbage', 'CAIS-not-a-token']]) {
        assertError(await send(srv, { bucket, key: 'sts/a.txt', accessKeyId: creds.AccessKeyId, accessKeySecret: creds.AccessKeySecret,
          headers: { 'x-oss-security-token': token } }), 403, ['InvalidSecurityToken', 'AccessDenied'], what);
      }
      const other = (await assumeRole()).json.Credentials;
      assertError(await send(srv, { bucket, key: 'sts/a.txt', accessKeyId: creds.AccessKeyId, accessKeySecret: creds.AccessKeySecret,
        headers: { 'x-oss-security-token': other.SecurityToken } }), 403, 'InvalidSecurityToken', 'token of another key');
    });

    it('the right token with a wrong secret -> SignatureDoesNotMatch', async () => {
      assertError(await send(srv, { bucket, key: 'sts/a.txt', ...sts(), accessKeySecret: 'wrong-secret' }), 403, 'SignatureDoesNotMatch');
    });

    it('a session policy narrows the role: only GetObject under one prefix', async () => {
      const policy = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: ['oss:GetObject'],
        Resource: [`acs:oss:*:*:${bucket}/sts/*`] }] });
      const narrow = (await assumeRole({ Policy: policy })).json.Credentials;
      const as = { accessKeyId: narrow.AccessKeyId, accessKeySecret: narrow.AccessKeySecret,
        headers: { 'x-oss-security-token': narrow.SecurityToken } };
      assert.equal(assertOk(await send(srv, { bucket, key: 'sts/a.txt', ...as })).text, 'hello');
      assertError(await send(srv, { method: 'PUT', bucket, key: 'sts/b.txt', body: 'x', ...as }), 403, 'AccessDenied');
      assertError(await send(srv, { method: 'DELETE', bucket, key: 'sts/a.txt', ...as }), 403, 'AccessDenied');
      assertError(await send(srv, { bucket, key: 'by-user.txt', ...as }), 403, 'AccessDenied');
    });

    it('deleting the role invalidates its tokens at once', async () => {
      await rpcOk(srv, { action: 'CreateRole', params: { RoleName: 'short-lived', AssumeRolePolicyDocument: trustRoot(account) } });
      await rpcOk(srv, { action: 'AttachPolicyToRole', params: { PolicyType: 'System', PolicyName: 'AliyunOSSFullAccess', RoleName: 'short-lived' } });
      const c = (await assumeRole({ RoleArn: `acs:ram::${account}:role/short-lived` })).json.Credentials;
      const as = { accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, headers: { 'x-oss-security-token': c.SecurityToken } };
      assertOk(await send(srv, { bucket, key: 'sts/a.txt', ...as }));
      await rpcOk(srv, { action: 'DetachPolicyFromRole', params: { PolicyType: 'System', PolicyName: 'AliyunOSSFullAccess', RoleName: 'short-lived' } });
      await rpcOk(srv, { action: 'DeleteRole', params: { RoleName: 'short-lived' } });
      assertError(await send(srv, { bucket, key: 'sts/a.txt', ...as }), 403, 'InvalidSecurityToken');
    });
  });
});

describe('token expiry with the server clock moved (--test-clock-offset)', () => {
  it('a 900 s token works now and is SecurityTokenExpired 1000 s later; the setting is logged loudly', async () => {
    const first = await startServer();
    let second;
    try {
      const account = (await rpcOk(first, { action: 'GetCallerIdentity' })).AccountId;
      const bucket = uniqueName('exp');
      await createBucket(first, bucket);
      await rpcOk(first, { action: 'CreateRole', params: { RoleName: 'r', AssumeRolePolicyDocument: trustRoot(account) } });
      await rpcOk(first, { action: 'AttachPolicyToRole', params: { PolicyType: 'System', PolicyName: 'AliyunOSSFullAccess', RoleName: 'r' } });
      const c = (await rpcOk(first, { action: 'AssumeRole',
        params: { RoleArn: `acs:ram::${account}:role/r`, RoleSessionName: 'exp', DurationSeconds: 900 } })).Credentials;
      const as = (date) => ({ accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, date,
        headers: { 'x-oss-security-token': c.SecurityToken } });
      assertOk(await send(first, { method: 'PUT', bucket, key: 'k', body: 'v', ...as(new Date()) }));
      assert.ok(!/TEST SETTING/.test(first.output()), 'off by default, and silent');
      await first.stop({ keepData: true });

      second = await startServer({ dataDir: first.dataDir, args: ['--test-clock-offset', '1000'] });
      assert.match(second.output(), /TEST SETTING IN USE.*--test-clock-offset/);
      const later = new Date(Date.now() + 1000e3);  // clients sign with the (moved) server time
      const res = await send(second, { bucket, key: 'k', ...as(later) });
      const { xml } = assertError(res, 403, 'SecurityTokenExpired');
      assert.ok(xml.includes('The security token you provided has expired.') || xml.includes('expired'), xml);
      const rpcRes = await rpc(second, { action: 'GetCallerIdentity', date: later, accessKeyId: c.AccessKeyId,
        accessKeySecret: c.AccessKeySecret, securityToken: c.SecurityToken });
      assertRpcError(rpcRes, 400, 'InvalidSecurityToken.Expired');
      // The root key is unaffected.
      assertOk(await send(second, { bucket, key: 'k', date: later }));
    } finally {
      await second?.stop();
      const { rmSync } = await import('node:fs');
      rmSync(first.dataDir, { recursive: true, force: true });
    }
  });
});

describe('--sts-address', () => {
  it('serves the STS and RAM APIs on a second listener', async () => {
    const srv = await startServer({ args: ['--sts-address', '127.0.0.1:0'] });
    try {
      const m = srv.output().match(/STS and RAM APIs also on http:\/\/127\.0\.0\.1:(\d+)/);
      assert.ok(m, srv.output());
      const port = Number(m[1]);
      assert.notEqual(port, srv.port);
      const res = await rpc(srv, { action: 'GetCallerIdentity', port });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.IdentityType, 'Account');
    } finally {
      await srv.stop();
    }
  });
});
