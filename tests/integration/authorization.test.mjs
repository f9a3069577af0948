// Authorization of OSS requests by RAM policy against the real binary (spec
// §7): RAM users with System and Custom policies, a role session narrowed by
// its session policy, bucket policies (Put/Get/DeleteBucketPolicy) for RAM
// users and anonymous callers, explicit Deny everywhere, the second checks of
// CopyObject and DeleteMultipleObjects, and the access log. Identities are
// set up once through the RAM and STS APIs with the root key
// (@alicloud/pop-core); OSS requests are raw HTTP signed with ali-oss's signer.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { startServer } from '../lib/server.mjs';
import { assertError, send, uniqueName, xmlText } from './lib/oss.mjs';

const require = createRequire(import.meta.url);
const { RPCClient } = require('@alicloud/pop-core');

const AUTHORIZER_DENIAL = "Access denied by authorizer's policy.";
const BUCKET_POLICY_DENIAL = 'Access denied by bucket policy.';

let server;
let ram;
let sts;
let accountId;
let bucket;
const users = {};   // name -> { userId, accessKeyId, accessKeySecret }

const rpc = (client, action, params = {}) => client.request(action, params, { method: 'POST' });

async function createUser(name, policies = []) {
  const created = await rpc(ram, 'CreateUser', { UserName: name });
  const key = await rpc(ram, 'CreateAccessKey', { UserName: name });
  for (const [policyType, policyName] of policies) {
    await rpc(ram, 'AttachPolicyToUser', { UserName: name, PolicyType: policyType, PolicyName: policyName });
  }
  users[name] = {
    userId: created.User.UserId,
    accessKeyId: key.AccessKey.AccessKeyId,
    accessKeySecret: key.AccessKey.AccessKeySecret,
  };
  return users[name];
}

const policyDoc = (...statements) => JSON.stringify({ Version: '1', Statement: statements });
const arn = (key) => `acs:oss:*:*:${bucket}/${key}`;

// One OSS request as `who` (a users entry, a temporary credential, the root
// key when omitted, or 'anonymous').
function as(who, opts) {
  if (who === 'anonymous') return send(server, { bucket, ...opts, auth: 'none' });
  if (!who) return send(server, { bucket, ...opts });
  const headers = { ...(opts.headers || {}) };
  if (who.securityToken) headers['x-oss-security-token'] = who.securityToken;
  return send(server, { bucket, ...opts, headers, accessKeyId: who.accessKeyId, accessKeySecret: who.accessKeySecret });
}

const put = (who, key, body = 'data', headers = {}) => as(who, { method: 'PUT', key, body, headers });
const get = (who, key) => as(who, { method: 'GET', key });

function assertDenied(res, message, what) {
  assertError(res, 403, 'AccessDenied', what);
  assert.equal(xmlText(res.text, 'Message'), message, what);
}

async function putBucketPolicy(policy) {
  const res = await as(null, { method: 'PUT', query: { policy: '' }, body: JSON.stringify(policy) });
  assert.equal(res.status, 200, res.text);
}
async function deleteBucketPolicy() {
  const res = await as(null, { method: 'DELETE', query: { policy: '' } });
  assert.equal(res.status, 204, res.text);
}

before(async () => {
  server = await startServer();
  const credentials = { accessKeyId: server.accessKeyId, accessKeySecret: server.accessKeySecret, endpoint: server.endpoint };
  ram = new RPCClient({ ...credentials, apiVersion: '2015-05-01' });
  sts = new RPCClient({ ...credentials, apiVersion: '2015-04-01' });
  accountId = (await rpc(sts, 'GetCallerIdentity')).AccountId;

  bucket = uniqueName('authz');
  assert.equal((await as(null, { method: 'PUT' })).status, 200);
  for (const key of ['private/a.txt', 'public/a.txt', 'shared/a.txt', 'users/alice/a.txt', 'users/alice/b.txt']) {
    assert.equal((await put(null, key, `content of ${key}`)).status, 200);
  }

  await createUser('alice', [['System', 'AliyunOSSReadOnlyAccess']]);
  await rpc(ram, 'CreatePolicy', {
    PolicyName: 'alice-own-prefix',
    PolicyDocument: policyDoc({ Effect: 'Allow', Action: ['oss:PutObject', 'oss:DeleteObject'], Resource: [arn('users/alice/*')] }),
  });
  await rpc(ram, 'AttachPolicyToUser', { UserName: 'alice', PolicyType: 'Custom', PolicyName: 'alice-own-prefix' });
  await createUser('bob');

  await rpc(ram, 'CreateRole', {
    RoleName: 'browser-upload',
    AssumeRolePolicyDocument: JSON.stringify({
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${accountId}:root`] } }],
    }),
  });
  await rpc(ram, 'AttachPolicyToRole', { RoleName: 'browser-upload', PolicyType: 'System', PolicyName: 'AliyunOSSFullAccess' });
});

after(async () => { if (server) await server.stop(); });

describe('RAM users', () => {
  it('a read-only user reads and lists but cannot write outside its own prefix', async () => {
    const alice = users.alice;
    const read = await get(alice, 'private/a.txt');
    assert.equal(read.status, 200, read.text);
    assert.equal(read.text, 'content of private/a.txt');
    assert.equal((await as(alice, { method: 'GET' })).status, 200, 'ListObjects (oss:List*)');
    assertDenied(await put(alice, 'private/new.txt'), AUTHORIZER_DENIAL, 'PutObject outside the prefix');
    assertDenied(await as(alice, { method: 'DELETE', key: 'private/a.txt' }), AUTHORIZER_DENIAL, 'DeleteObject');
    assert.equal((await put(alice, 'users/alice/new.txt')).status, 200, 'Custom policy on users/alice/*');
    assertDenied(await as(alice, { method: 'PUT', query: { acl: '' }, headers: { 'x-oss-acl': 'public-read' } }),
      AUTHORIZER_DENIAL, 'PutBucketAcl');
  });

  it('a user without policies is refused everything, HEAD included', async () => {
    const bob = users.bob;
    assertDenied(await get(bob, 'private/a.txt'), AUTHORIZER_DENIAL, 'GetObject');
    assertDenied(await as(bob, { method: 'GET' }), AUTHORIZER_DENIAL, 'ListObjects');
    assertDenied(await send(server, { method: 'GET', accessKeyId: bob.accessKeyId, accessKeySecret: bob.accessKeySecret }),
      AUTHORIZER_DENIAL, 'ListBuckets');
    assertError(await as(bob, { method: 'HEAD', key: 'private/a.txt' }), 403, 'AccessDenied', 'HeadObject');
  });

  it('detaching a policy takes effect at once', async () => {
    await rpc(ram, 'CreateUser', { UserName: 'dave' });
    const key = await rpc(ram, 'CreateAccessKey', { UserName: 'dave' });
    const dave = { accessKeyId: key.AccessKey.AccessKeyId, accessKeySecret: key.AccessKey.AccessKeySecret };
    await rpc(ram, 'AttachPolicyToUser', { UserName: 'dave', PolicyType: 'System', PolicyName: 'AliyunOSSReadOnlyAccess' });
    assert.equal((await get(dave, 'private/a.txt')).status, 200);
    await rpc(ram, 'DetachPolicyFromUser', { UserName: 'dave', PolicyType: 'System', PolicyName: 'AliyunOSSReadOnlyAccess' });
    assertDenied(await get(dave, 'private/a.txt'), AUTHORIZER_DENIAL, 'right after the detach');
  });

  it('CopyObject needs GetObject on the source too', async () => {
    // bob may write shared/ through the bucket policy, but read nothing.
    await putBucketPolicy({
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: ['oss:PutObject'], Principal: [users.bob.userId], Resource: [arn('shared/*')] }],
    });
    try {
      const copy = await as(users.bob, { method: 'PUT', key: 'shared/copy.txt',
        headers: { 'x-oss-copy-source': `/${bucket}/private/a.txt` } });
      assertDenied(copy, AUTHORIZER_DENIAL, 'copy from an unreadable source');
      assert.equal((await put(users.bob, 'shared/plain.txt')).status, 200, 'a plain PUT is allowed');
      // alice reads everything and writes users/alice/: the copy works.
      const allowed = await as(users.alice, { method: 'PUT', key: 'users/alice/copy.txt',
        headers: { 'x-oss-copy-source': `/${bucket}/private/a.txt` } });
      assert.equal(allowed.status, 200, allowed.text);
    } finally {
      await deleteBucketPolicy();
    }
  });

  it('DeleteMultipleObjects judges every key and deletes nothing when one is refused', async () => {
    const body = '<?xml version="1.0" encoding="UTF-8"?><Delete><Quiet>false</Quiet>'
      + '<Object><Key>users/alice/b.txt</Key></Object><Object><Key>private/a.txt</Key></Object></Delete>';
    const refused = await as(users.alice, { method: 'POST', query: { delete: '' }, body,
      headers: { 'Content-Type': 'application/xml' } });
    assertDenied(refused, AUTHORIZER_DENIAL, 'batch with a key outside the prefix');
    assert.equal((await get(null, 'users/alice/b.txt')).status, 200, 'the allowed key is still there');
    const own = '<?xml version="1.0" encoding="UTF-8"?><Delete><Quiet>true</Quiet>'
      + '<Object><Key>users/alice/b.txt</Key></Object></Delete>';
    const done = await as(users.alice, { method: 'POST', query: { delete: '' }, body: own,
      headers: { 'Content-Type': 'application/xml' } });
    assert.equal(done.status, 200, done.text);
    assert.equal((await get(null, 'users/alice/b.txt')).status, 404);
  });
});

describe('Role sessions (STS AssumeRole)', () => {
  it('the session policy narrows the role to its intersection', async () => {
    const assumed = await rpc(sts, 'AssumeRole', {
      RoleArn: `acs:ram::${accountId}:role/browser-upload`,
      RoleSessionName: 'browser-1',
      DurationSeconds: 900,
      Policy: policyDoc({ Effect: 'Allow', Action: ['oss:GetObject'], Resource: [arn('public/*')] }),
    });
    const temp = {
      accessKeyId: assumed.Credentials.AccessKeyId,
      accessKeySecret: assumed.Credentials.AccessKeySecret,
      securityToken: assumed.Credentials.SecurityToken,
    };
    const read = await get(temp, 'public/a.txt');
    assert.equal(read.status, 200, read.text);
    assertDenied(await get(temp, 'private/a.txt'), AUTHORIZER_DENIAL, 'GetObject outside the session policy');
    assertDenied(await put(temp, 'public/new.txt'), AUTHORIZER_DENIAL, 'PutObject (role allows, session does not)');
    assertDenied(await as(temp, { method: 'DELETE', key: 'public/a.txt' }), AUTHORIZER_DENIAL, 'DeleteObject');

    const log = server.output();
    assert.match(log, /"principal_type":"AssumedRole"/);
    assert.match(log, /"session":"browser-1"/);
    assert.ok(!log.includes(temp.accessKeySecret), 'the temporary secret is never logged');
    assert.ok(!log.includes(temp.securityToken), 'the security token is never logged');
  });

  it('without a session policy the role policies decide', async () => {
    const assumed = await rpc(sts, 'AssumeRole', {
      RoleArn: `acs:ram::${accountId}:role/browser-upload`, RoleSessionName: 'server-1',
    });
    const temp = {
      accessKeyId: assumed.Credentials.AccessKeyId,
      accessKeySecret: assumed.Credentials.AccessKeySecret,
      securityToken: assumed.Credentials.SecurityToken,
    };
    assert.equal((await put(temp, 'public/by-role.txt')).status, 200);
    assert.equal((await get(temp, 'public/by-role.txt')).text, 'data');
  });
});

describe('Bucket policies', () => {
  it('Get before Put -> 404 NoSuchBucketPolicy; Put, Get returns it as put; Delete -> 204', async () => {
    assertError(await as(null, { method: 'GET', query: { policy: '' } }), 404, 'NoSuchBucketPolicy');
    const text = '{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:GetObject"],'
      + `"Principal":["*"],"Resource":["acs:oss:*:*:${bucket}/public/*"]}]}`;
    const stored = await as(null, { method: 'PUT', query: { policy: '' }, body: text });
    assert.equal(stored.status, 200, stored.text);
    const got = await as(null, { method: 'GET', query: { policy: '' } });
    assert.equal(got.status, 200);
    assert.equal(got.text, text);
    assert.match(got.headers['content-type'], /json/);
    await deleteBucketPolicy();
    assertError(await as(null, { method: 'GET', query: { policy: '' } }), 404, 'NoSuchBucketPolicy');
  });

  it('a policy that is not valid -> 400 InvalidPolicyDocument, and nothing is stored', async () => {
    for (const body of ['{', '{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Resource":"*"}]}',
      '{"Version":"1","Statement":[{"Effect":"Perhaps","Action":"oss:GetObject","Principal":["*"],"Resource":"*"}]}',
      JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'oss:GetObject', Principal: ['*'], Resource: ['x'.repeat(17000)] }] })]) {
      assertError(await as(null, { method: 'PUT', query: { policy: '' }, body }), 400, 'InvalidPolicyDocument', body.slice(0, 80));
    }
    assertError(await as(null, { method: 'GET', query: { policy: '' } }), 404, 'NoSuchBucketPolicy');
  });

  it('RAM users cannot manage the bucket policy without oss:PutBucketPolicy', async () => {
    assertDenied(await as(users.alice, { method: 'PUT', query: { policy: '' }, body: policyDoc() }),
      AUTHORIZER_DENIAL, 'PutBucketPolicy by alice');
    // AliyunOSSReadOnlyAccess grants oss:Get*, GetBucketPolicy included.
    assertError(await as(users.alice, { method: 'GET', query: { policy: '' } }), 404, 'NoSuchBucketPolicy');
  });

  it('grants a RAM user by UID, with oss:Prefix conditions on listings', async () => {
    await putBucketPolicy({
      Version: '1',
      Statement: [
        { Effect: 'Allow', Action: ['oss:GetObject'], Principal: [users.bob.userId], Resource: [arn('shared/*')] },
        { Effect: 'Allow', Action: ['oss:ListObjects'], Principal: [users.bob.userId], Resource: [`acs:oss:*:*:${bucket}`],
          Condition: { StringLike: { 'oss:Prefix': ['shared/*'] } } },
      ],
    });
    try {
      assert.equal((await get(users.bob, 'shared/a.txt')).status, 200);
      assertDenied(await get(users.bob, 'private/a.txt'), AUTHORIZER_DENIAL, 'outside the granted prefix');
      assert.equal((await as(users.bob, { method: 'GET', query: { prefix: 'shared/' } })).status, 200);
      assertDenied(await as(users.bob, { method: 'GET', query: { prefix: 'private/' } }), AUTHORIZER_DENIAL, 'list private/');
      assertDenied(await as(users.bob, { method: 'GET' }), AUTHORIZER_DENIAL, 'list without prefix');
    } finally {
      await deleteBucketPolicy();
    }
    assertDenied(await get(users.bob, 'shared/a.txt'), AUTHORIZER_DENIAL, 'after DeleteBucketPolicy');
  });

  it('an explicit Deny in the bucket policy beats the user policies', async () => {
    await putBucketPolicy({
      Version: '1',
      Statement: [{ Sid: 'LockAlice', Effect: 'Deny', Action: ['oss:PutObject'], Principal: [users.alice.userId],
        Resource: [arn('users/alice/locked/*')] }],
    });
    try {
      assertDenied(await put(users.alice, 'users/alice/locked/x.txt'), BUCKET_POLICY_DENIAL, 'denied by the bucket');
      assert.equal((await put(users.alice, 'users/alice/open.txt')).status, 200);
      assert.match(server.output(), /"decided_by":"bucket-policy\/LockAlice"/);
      assert.match(server.output(), /"principal_type":"RamUser"/);
    } finally {
      await deleteBucketPolicy();
    }
  });

  it('anonymous callers: an Allow for "*" opens a prefix, a Deny overrides the ACL', async () => {
    assertError(await get('anonymous', 'public/a.txt'), 403, 'AccessDenied', 'private bucket, no policy');
    await putBucketPolicy({
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: ['oss:GetObject'], Principal: ['*'], Resource: [arn('public/*')] }],
    });
    try {
      const open = await get('anonymous', 'public/a.txt');
      assert.equal(open.status, 200, open.text);
      assertError(await get('anonymous', 'private/a.txt'), 403, 'AccessDenied', 'outside the Allow');
    } finally {
      await deleteBucketPolicy();
    }

    const acl = await as(null, { method: 'PUT', query: { acl: '' }, headers: { 'x-oss-acl': 'public-read' } });
    assert.equal(acl.status, 200);
    try {
      assert.equal((await get('anonymous', 'private/a.txt')).status, 200, 'public-read ACL');
      await putBucketPolicy({
        Version: '1',
        Statement: [{ Effect: 'Deny', Action: ['oss:GetObject'], Principal: ['*'], Resource: [arn('private/*')] }],
      });
      assertDenied(await get('anonymous', 'private/a.txt'), BUCKET_POLICY_DENIAL, 'Deny beats the public-read ACL');
      assert.equal((await get('anonymous', 'public/a.txt')).status, 200, 'the ACL still serves the rest');
      assert.equal((await get(null, 'private/a.txt')).status, 200, 'a "*" Deny without Condition spares the owner');
    } finally {
      await deleteBucketPolicy();
      await as(null, { method: 'PUT', query: { acl: '' }, headers: { 'x-oss-acl': 'private' } });
    }
  });

  it('a Deny with a Condition applies to the owner too, who can still remove the policy', async () => {
    await putBucketPolicy({
      Version: '1',
      Statement: [{ Effect: 'Deny', Action: ['oss:DeleteObject', 'oss:PutObject'], Principal: ['*'], Resource: [arn('*')],
        Condition: { IpAddress: { 'acs:SourceIp': ['127.0.0.0/8'] } } }],
    });
    try {
      assertDenied(await put(null, 'private/root.txt'), BUCKET_POLICY_DENIAL, 'root from 127.0.0.1');
      assert.equal((await get(null, 'private/a.txt')).status, 200, 'GetObject is not denied');
    } finally {
      await deleteBucketPolicy();
    }
    assert.equal((await put(null, 'private/root.txt')).status, 200, 'after the delete');
  });

  it('conditions see the transport and the client headers', async () => {
    await putBucketPolicy({
      Version: '1',
      Statement: [
        { Effect: 'Allow', Action: ['oss:GetObject'], Principal: ['*'], Resource: [arn('public/*')],
          Condition: { StringLike: { 'acs:Referer': ['https://app.example.com/*'] } } },
        { Effect: 'Deny', Action: ['oss:GetObject'], Principal: [users.alice.userId], Resource: [arn('*')],
          Condition: { Bool: { 'acs:SecureTransport': ['false'] }, StringLike: { 'acs:UserAgent': ['blocked-agent*'] } } },
      ],
    });
    try {
      assert.equal((await as('anonymous', { method: 'GET', key: 'public/a.txt',
        headers: { Referer: 'https://app.example.com/page' } })).status, 200);
      assertError(await as('anonymous', { method: 'GET', key: 'public/a.txt',
        headers: { Referer: 'https://elsewhere.test/' } }), 403, 'AccessDenied', 'wrong Referer');
      assertDenied(await as(users.alice, { method: 'GET', key: 'private/a.txt', headers: { 'User-Agent': 'blocked-agent/1' } }),
        BUCKET_POLICY_DENIAL, 'plain HTTP with the blocked agent');
      assert.equal((await as(users.alice, { method: 'GET', key: 'private/a.txt',
        headers: { 'User-Agent': 'fine-agent/1' } })).status, 200);
    } finally {
      await deleteBucketPolicy();
    }
  });
});

describe('access log', () => {
  it('names the principal, its type and the deciding statement, never secrets', async () => {
    await get(users.alice, 'private/a.txt');
    const lines = server.output().split('\n').filter((l) => l.startsWith('{'))
      .map((l) => { try { return JSON.parse(l); } catch { return null; } }).filter(Boolean);
    const alice = lines.filter((l) => l.principal === users.alice.accessKeyId);
    assert.ok(alice.length > 0);
    const read = alice.find((l) => l.operation === 'GetObject' && l.status === 200);
    assert.ok(read, 'a logged GetObject of alice');
    assert.equal(read.principal_type, 'RamUser');
    assert.equal(read.principal_name, 'alice');
    assert.equal(read.decided_by, 'AliyunOSSReadOnlyAccess/#0');
    const refused = alice.find((l) => l.status === 403);
    assert.ok(refused, 'a logged refusal of alice');
    assert.equal(refused.decided_by, 'implicit-deny');
    const rootLine = lines.find((l) => l.principal === server.accessKeyId && l.operation === 'GetObject');
    assert.equal(rootLine.decided_by, 'owner');
    const anonymous = lines.find((l) => l.principal === 'anonymous' && l.operation === 'GetObject');
    assert.equal(anonymous.principal_type, 'Anonymous');
    // The RAM and STS calls of the set-up are logged with their Action.
    const rpc = lines.find((l) => l.operation === 'AssumeRole' && l.principal === server.accessKeyId);
    assert.ok(rpc, 'a logged AssumeRole of the root');
    assert.equal(rpc.status, 200);
    assert.ok(lines.some((l) => l.operation === 'CreateUser'), 'a logged CreateUser');
    const log = server.output();
    for (const user of Object.values(users)) assert.ok(!log.includes(user.accessKeySecret), 'no secrets in the log');
  });
});
