// Shared by the STS and RAM interop suites: the official Alibaba Cloud SDKs
// pointed at a local ossd, and the identities the suites build with them.
//
// How each SDK reaches ossd's RPC API at the service root:
//  * @alicloud/ram20150501, @alicloud/sts20150401 (openapi-core): Config
//    {endpoint: '127.0.0.1:PORT', protocol: 'http'}; ACS3-HMAC-SHA256 by
//    default, RPC v1 with signatureAlgorithm: 'v2'.
//  * @alicloud/pop-core RPCClient: endpoint 'http://127.0.0.1:PORT', GET by
//    default or {method: 'POST'} per request.
//  * ali-oss OSS.STS: endpoint 'http://127.0.0.1:PORT' (it POSTs a form to it).
// A server object with `tls: true` (and an https endpoint) switches them to https.
import assert from 'node:assert/strict';
import Ram from '@alicloud/ram20150501';
import OpenApi from '@alicloud/openapi-core';
import Sts from '@alicloud/sts20150401';
import Pop from '@alicloud/pop-core';

export { Ram, Sts, Pop };

const OpenApiConfig = OpenApi.$OpenApiUtil.Config;

export function openApiConfig(server, credentials = server, extra = {}) {
  return new OpenApiConfig({
    accessKeyId: credentials.accessKeyId,
    accessKeySecret: credentials.accessKeySecret,
    securityToken: credentials.securityToken,
    endpoint: `127.0.0.1:${server.port}`,
    protocol: server.tls ? 'https' : 'http',
    readTimeout: 20_000,
    connectTimeout: 5_000,
    ...extra,
  });
}

export const ramClient = (server, credentials, extra) => new Ram.default(openApiConfig(server, credentials, extra));
export const stsClient = (server, credentials, extra) => new Sts.default(openApiConfig(server, credentials, extra));

export function popClient(server, credentials = server, apiVersion = '2015-04-01') {
  return new Pop.RPCClient({
    accessKeyId: credentials.accessKeyId,
    accessKeySecret: credentials.accessKeySecret,
    securityToken: credentials.securityToken,
    endpoint: server.endpoint,
    apiVersion,
    opts: { timeout: 20_000 },
  });
}

// The account id of the server's root key (it is generated per data dir).
export async function accountIdOf(server) {
  const identity = await popClient(server).request('GetCallerIdentity', {});
  assert.equal(identity.IdentityType, 'Account');
  assert.match(identity.AccountId, /^\d+$/);
  return identity.AccountId;
}

export const policyDocument = (statements) => JSON.stringify({ Version: '1', Statement: statements });

export function trustPolicy(principals) {
  return policyDocument([{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: principals } }]);
}

// Everything on one bucket and its objects.
export function bucketPolicy(bucket, actions = 'oss:*') {
  return policyDocument([{ Effect: 'Allow', Action: actions, Resource: [`acs:oss:*:*:${bucket}`, `acs:oss:*:*:${bucket}/*`] }]);
}

// Awaits a promise that must fail with an openapi-core (RAM / STS SDK) error.
export async function expectApiError(promise, code, statusCode, what = code) {
  try {
    await promise;
  } catch (e) {
    assert.equal(e.code, code, `${what}: code (status ${e.statusCode}, ${e.message})`);
    if (statusCode !== undefined) assert.equal(e.statusCode, statusCode, `${what}: statusCode`);
    assert.ok(e.requestId || (e.data && e.data.RequestId), `${what}: no request id in ${JSON.stringify(e.data)}`);
    return e;
  }
  assert.fail(`${what}: expected ${code} but the call succeeded`);
}

// Awaits a pop-core call that must fail with `code` (pop-core names its
// errors "<Code>Error" and keeps the JSON document in e.data).
export async function expectPopError(promise, code, what = code) {
  try {
    await promise;
  } catch (e) {
    assert.equal(e.code, code, `${what}: ${e.message}`);
    assert.equal(e.data && e.data.Code, code, `${what}: body ${JSON.stringify(e.data)}`);
    assert.ok(e.data.RequestId, `${what}: no RequestId`);
    return e;
  }
  assert.fail(`${what}: expected ${code} but the call succeeded`);
}

// The identities the STS suites work with, built through @alicloud/ram20150501
// exactly as a customer would:
//  * role `<tag>-browser-role` (MaxSessionDuration 7200) trusting the account
//    root, which in RAM means the account and every identity in it that holds
//    sts:AssumeRole, and alice by name; policy `<tag>-<bucket>-rw` (everything on `bucket`) is
//    attached to it;
//  * role `<tag>-alice-only` trusting only the RAM user alice, same policy;
//  * RAM users alice and mallory, each with an access key and a policy
//    allowing sts:AssumeRole on every role of the account; eve with a key and
//    no policy at all.
export async function buildIdentities(server, bucket, { tag = 'sts' } = {}) {
  const accountId = await accountIdOf(server);
  const ram = ramClient(server);
  const roleName = `${tag}-browser-role`;
  const roleArn = `acs:ram::${accountId}:role/${roleName}`;
  const aliceRoleName = `${tag}-alice-only`;

  const users = {};
  for (const who of ['alice', 'mallory', 'eve']) {
    const name = `${tag}-${who}`;
    await ram.createUser(new Ram.CreateUserRequest({ userName: name, displayName: who }));
    const key = await ram.createAccessKey(new Ram.CreateAccessKeyRequest({ userName: name }));
    users[who] = { name, accessKeyId: key.body.accessKey.accessKeyId, accessKeySecret: key.body.accessKey.accessKeySecret };
    if (who === 'eve') continue;
    const assume = `${name}-assume`;
    await ram.createPolicy(new Ram.CreatePolicyRequest({
      policyName: assume,
      policyDocument: policyDocument([{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `acs:ram::${accountId}:role/*` }]),
    }));
    await ram.attachPolicyToUser(new Ram.AttachPolicyToUserRequest({ policyType: 'Custom', policyName: assume, userName: name }));
  }

  const rw = `${tag}-${bucket}-rw`.slice(0, 128);
  await ram.createPolicy(new Ram.CreatePolicyRequest({ policyName: rw, policyDocument: bucketPolicy(bucket) }));
  const roles = [
    [roleName, [`acs:ram::${accountId}:root`, `acs:ram::${accountId}:user/${users.alice.name}`]],
    [aliceRoleName, [`acs:ram::${accountId}:user/${users.alice.name}`]],
  ];
  for (const [name, principals] of roles) {
    const role = await ram.createRole(new Ram.CreateRoleRequest({
      roleName: name, assumeRolePolicyDocument: trustPolicy(principals), maxSessionDuration: 7200,
    }));
    assert.equal(role.body.role.arn, `acs:ram::${accountId}:role/${name}`);
    await ram.attachPolicyToRole(new Ram.AttachPolicyToRoleRequest({ policyType: 'Custom', policyName: rw, roleName: name }));
  }
  return {
    accountId,
    roleName,
    roleArn,
    aliceRoleArn: `acs:ram::${accountId}:role/${aliceRoleName}`,
    alice: users.alice,
    mallory: users.mallory,
    eve: users.eve,
    rolePolicy: rw,
  };
}

// ali-oss warns on every 403 of a client with stsToken that refreshSTSToken
// would help; the suites provoke such 403s on purpose.
export function muteStsRefreshAdvice() {
  const warn = console.warn;
  console.warn = (...args) => {
    if (String(args[0] ?? '').includes('refreshSTSToken')) return;
    warn(...args);
  };
}
