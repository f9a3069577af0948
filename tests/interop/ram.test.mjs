// The RAM API (2015-05-01) driven by @alicloud/ram20150501, unchanged:
// users, access keys (at most two, enable / disable / delete), groups,
// roles, custom policies and their attachments, with the error codes of the
// real service; then the identities it made are used: a user's key signs
// OSS requests under the policies attached to the user and its groups, and
// a disabled, deleted or detached grant stops working at once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CORE_MODES, TEST_TIMEOUT, afterIdentityChange, bucketName, expectOssError, makeClient, startOssd, stopOssd,
} from './lib/common.mjs';
import {
  Ram, accountIdOf, bucketPolicy, expectApiError, policyDocument, popClient, ramClient, trustPolicy,
} from './lib/iam.mjs';

let server;
let ram;
let accountId;
let bucket;

before(async () => {
  server = await startOssd();
  ram = ramClient(server);
  accountId = await accountIdOf(server);
  bucket = bucketName('ram');
  await makeClient(server, CORE_MODES[0]).putBucket(bucket);
  await makeClient(server, CORE_MODES[0], bucket).put('data/readme.txt', Buffer.from('readme'));
}, { timeout: 30_000 });

after(async () => { await stopOssd(server); });

// ali-oss as a RAM user's key.
function userStore(key, mode = CORE_MODES[0]) {
  return makeClient(server, mode, bucket, { accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret });
}

async function newUserWithKey(userName) {
  await ram.createUser(new Ram.CreateUserRequest({ userName }));
  const key = (await ram.createAccessKey(new Ram.CreateAccessKeyRequest({ userName }))).body.accessKey;
  return { userName, accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret };
}

const names = (list, field) => list.map((entry) => entry[field]).sort();

describe('RAM users and access keys', () => {
  it('CreateUser, GetUser, ListUsers, DeleteUser and their errors', { timeout: TEST_TIMEOUT }, async () => {
    const created = await ram.createUser(new Ram.CreateUserRequest({ userName: 'carol', displayName: 'Carol C', comments: 'from the SDK' }));
    assert.equal(created.statusCode, 200);
    assert.equal(created.body.user.userName, 'carol');
    assert.equal(created.body.user.displayName, 'Carol C');
    assert.match(created.body.user.userId, /^\d+$/);
    assert.match(created.body.requestId, /\S/);

    const got = await ram.getUser(new Ram.GetUserRequest({ userName: 'carol' }));
    assert.equal(got.body.user.userId, created.body.user.userId);
    assert.equal(got.body.user.comments, 'from the SDK');
    const listed = await ram.listUsers(new Ram.ListUsersRequest({}));
    assert.ok(names(listed.body.users.user, 'userName').includes('carol'));

    await expectApiError(ram.createUser(new Ram.CreateUserRequest({ userName: 'carol' })), 'EntityAlreadyExists.User', 409);
    await expectApiError(ram.createUser(new Ram.CreateUserRequest({ userName: 'no spaces!' })), 'InvalidParameter.UserName.InvalidChars', 400);
    await expectApiError(ram.getUser(new Ram.GetUserRequest({ userName: 'nobody' })), 'EntityNotExist.User', 404);

    await ram.deleteUser(new Ram.DeleteUserRequest({ userName: 'carol' }));
    await expectApiError(ram.getUser(new Ram.GetUserRequest({ userName: 'carol' })), 'EntityNotExist.User', 404, 'after delete');
  });

  it('at most two keys per user; UpdateAccessKey and DeleteAccessKey', { timeout: TEST_TIMEOUT }, async () => {
    const dave = await newUserWithKey('dave');
    const second = (await ram.createAccessKey(new Ram.CreateAccessKeyRequest({ userName: 'dave' }))).body.accessKey;
    assert.equal(second.status, 'Active');
    assert.notEqual(second.accessKeyId, dave.accessKeyId);
    await expectApiError(ram.createAccessKey(new Ram.CreateAccessKeyRequest({ userName: 'dave' })), 'LimitExceeded.User.AccessKey', 409);

    let keys = (await ram.listAccessKeys(new Ram.ListAccessKeysRequest({ userName: 'dave' }))).body.accessKeys.accessKey;
    assert.deepEqual(names(keys, 'accessKeyId'), [dave.accessKeyId, second.accessKeyId].sort());
    assert.ok(keys.every((k) => k.status === 'Active' && !k.accessKeySecret), 'listings never show secrets');

    await ram.updateAccessKey(new Ram.UpdateAccessKeyRequest({ userName: 'dave', userAccessKeyId: second.accessKeyId, status: 'Inactive' }));
    keys = (await ram.listAccessKeys(new Ram.ListAccessKeysRequest({ userName: 'dave' }))).body.accessKeys.accessKey;
    assert.equal(keys.find((k) => k.accessKeyId === second.accessKeyId).status, 'Inactive');

    await ram.deleteAccessKey(new Ram.DeleteAccessKeyRequest({ userName: 'dave', userAccessKeyId: second.accessKeyId }));
    keys = (await ram.listAccessKeys(new Ram.ListAccessKeysRequest({ userName: 'dave' }))).body.accessKeys.accessKey;
    assert.deepEqual(names(keys, 'accessKeyId'), [dave.accessKeyId]);
    await expectApiError(ram.deleteUser(new Ram.DeleteUserRequest({ userName: 'dave' })), 'DeleteConflict.User.AccessKey', 409);
  });

  it("a user's key works under its policies, and a disabled or deleted key stops at once", { timeout: TEST_TIMEOUT }, async () => {
    const erin = await newUserWithKey('erin');
    const store = userStore(erin);
    // No policy yet: a signed request of the account, but not allowed.
    const denied = await expectOssError(store.get('data/readme.txt'), 'AccessDenied', 403, 'no policy');
    assert.match(denied.message, /Access denied by authorizer's policy/);

    await ram.createPolicy(new Ram.CreatePolicyRequest({ policyName: 'erin-rw', policyDocument: bucketPolicy(bucket) }));
    await ram.attachPolicyToUser(new Ram.AttachPolicyToUserRequest({ policyType: 'Custom', policyName: 'erin-rw', userName: 'erin' }));
    for (const mode of CORE_MODES) {
      const s = userStore(erin, mode);
      await afterIdentityChange(() => s.put(`erin/${mode.name}.txt`, Buffer.from(mode.name)));
      assert.equal((await s.get(`erin/${mode.name}.txt`)).content.toString(), mode.name);
    }
    // The key's own RAM identity is what GetCallerIdentity reports.
    const who = await popClient(server, erin).request('GetCallerIdentity', {});
    assert.equal(who.IdentityType, 'RAMUser');
    assert.equal(who.Arn, `acs:ram::${accountId}:user/erin`);

    await ram.updateAccessKey(new Ram.UpdateAccessKeyRequest({ userName: 'erin', userAccessKeyId: erin.accessKeyId, status: 'Inactive' }));
    await afterIdentityChange(() => expectOssError(store.get('data/readme.txt'), 'InvalidAccessKeyId', 403, 'disabled key'));

    await ram.updateAccessKey(new Ram.UpdateAccessKeyRequest({ userName: 'erin', userAccessKeyId: erin.accessKeyId, status: 'Active' }));
    await afterIdentityChange(async () => assert.equal((await store.get('data/readme.txt')).content.toString(), 'readme', 'enabled again'));

    await ram.detachPolicyFromUser(new Ram.DetachPolicyFromUserRequest({ policyType: 'Custom', policyName: 'erin-rw', userName: 'erin' }));
    await afterIdentityChange(() => expectOssError(store.get('data/readme.txt'), 'AccessDenied', 403, 'policy detached'));

    await ram.deleteAccessKey(new Ram.DeleteAccessKeyRequest({ userName: 'erin', userAccessKeyId: erin.accessKeyId }));
    await afterIdentityChange(() => expectOssError(store.get('data/readme.txt'), 'InvalidAccessKeyId', 403, 'deleted key'));
  });

  it('RAM users may not call RAM without ram:* permissions', { timeout: TEST_TIMEOUT }, async () => {
    const frank = await newUserWithKey('frank');
    const asFrank = ramClient(server, frank);
    await expectApiError(asFrank.createUser(new Ram.CreateUserRequest({ userName: 'frank2' })), 'NoPermission', 403);
    await ram.createPolicy(new Ram.CreatePolicyRequest({
      policyName: 'frank-read-users',
      policyDocument: policyDocument([{ Effect: 'Allow', Action: ['ram:GetUser', 'ram:ListUsers'], Resource: '*' }]),
    }));
    await ram.attachPolicyToUser(new Ram.AttachPolicyToUserRequest({ policyType: 'Custom', policyName: 'frank-read-users', userName: 'frank' }));
    assert.equal((await asFrank.getUser(new Ram.GetUserRequest({ userName: 'frank' }))).body.user.userName, 'frank');
    await expectApiError(asFrank.createUser(new Ram.CreateUserRequest({ userName: 'frank2' })), 'NoPermission', 403, 'still no CreateUser');
  });
});

describe('RAM groups', () => {
  it("CreateGroup, AddUserToGroup, and the group's policies apply to its members", { timeout: TEST_TIMEOUT }, async () => {
    const gina = await newUserWithKey('gina');
    const group = await ram.createGroup(new Ram.CreateGroupRequest({ groupName: 'readers', comments: 'read-only' }));
    assert.equal(group.body.group.groupName, 'readers');
    await ram.addUserToGroup(new Ram.AddUserToGroupRequest({ groupName: 'readers', userName: 'gina' }));
    await expectApiError(ram.addUserToGroup(new Ram.AddUserToGroupRequest({ groupName: 'readers', userName: 'nobody' })), 'EntityNotExist.User', 404);

    await ram.createPolicy(new Ram.CreatePolicyRequest({
      policyName: 'read-data',
      policyDocument: policyDocument([{ Effect: 'Allow', Action: 'oss:GetObject', Resource: `acs:oss:*:*:${bucket}/data/*` }]),
    }));
    await ram.attachPolicyToGroup(new Ram.AttachPolicyToGroupRequest({ policyType: 'Custom', policyName: 'read-data', groupName: 'readers' }));
    const forGroup = await ram.listPoliciesForGroup(new Ram.ListPoliciesForGroupRequest({ groupName: 'readers' }));
    assert.deepEqual(names(forGroup.body.policies.policy, 'policyName'), ['read-data']);

    const store = userStore(gina);
    assert.equal((await store.get('data/readme.txt')).content.toString(), 'readme');
    await expectOssError(store.put('data/new.txt', Buffer.from('x')), 'AccessDenied', 403, 'group grants only GetObject');

    await ram.detachPolicyFromGroup(new Ram.DetachPolicyFromGroupRequest({ policyType: 'Custom', policyName: 'read-data', groupName: 'readers' }));
    await afterIdentityChange(() => expectOssError(store.get('data/readme.txt'), 'AccessDenied', 403, 'group policy detached'));
  });
});

describe('RAM roles and policies', () => {
  const trust = () => trustPolicy([`acs:ram::${accountId}:root`]);

  it('CreateRole, GetRole, ListRoles, UpdateRole, DeleteRole', { timeout: TEST_TIMEOUT }, async () => {
    const created = await ram.createRole(new Ram.CreateRoleRequest({
      roleName: 'uploader', assumeRolePolicyDocument: trust(), maxSessionDuration: 3600, description: 'browser uploads',
    }));
    assert.equal(created.body.role.arn, `acs:ram::${accountId}:role/uploader`);
    assert.equal(created.body.role.maxSessionDuration, 3600);
    assert.deepEqual(JSON.parse(created.body.role.assumeRolePolicyDocument), JSON.parse(trust()));

    const got = await ram.getRole(new Ram.GetRoleRequest({ roleName: 'uploader' }));
    assert.equal(got.body.role.roleId, created.body.role.roleId);
    assert.equal(got.body.role.description, 'browser uploads');
    assert.ok(names((await ram.listRoles(new Ram.ListRolesRequest({}))).body.roles.role, 'roleName').includes('uploader'));

    const updated = await ram.updateRole(new Ram.UpdateRoleRequest({ roleName: 'uploader', newMaxSessionDuration: 43200 }));
    assert.equal(updated.body.role.maxSessionDuration, 43200);
    assert.equal((await ram.getRole(new Ram.GetRoleRequest({ roleName: 'uploader' }))).body.role.maxSessionDuration, 43200);

    await expectApiError(ram.createRole(new Ram.CreateRoleRequest({ roleName: 'short', assumeRolePolicyDocument: trust(), maxSessionDuration: 3599 })),
      'InvalidParameter.MaxSessionDuration', 400);
    await expectApiError(ram.createRole(new Ram.CreateRoleRequest({ roleName: 'broken', assumeRolePolicyDocument: '{' })), 'MalformedPolicyDocument', 400);
    await expectApiError(ram.createRole(new Ram.CreateRoleRequest({ roleName: 'uploader', assumeRolePolicyDocument: trust() })), 'EntityAlreadyExists.Role', 409);

    await ram.deleteRole(new Ram.DeleteRoleRequest({ roleName: 'uploader' }));
    await expectApiError(ram.getRole(new Ram.GetRoleRequest({ roleName: 'uploader' })), 'EntityNotExist.Role', 404);
  });

  it('CreatePolicy, GetPolicy, ListPolicies, attachments, DeletePolicy', { timeout: TEST_TIMEOUT }, async () => {
    const document = policyDocument([{ Effect: 'Allow', Action: ['oss:GetObject', 'oss:PutObject'], Resource: [`acs:oss:*:*:${bucket}/*`] }]);
    const created = await ram.createPolicy(new Ram.CreatePolicyRequest({ policyName: 'objects-rw', policyDocument: document, description: 'objects' }));
    assert.equal(created.body.policy.policyType, 'Custom');
    assert.equal(created.body.policy.defaultVersion, 'v1');

    const got = await ram.getPolicy(new Ram.GetPolicyRequest({ policyName: 'objects-rw', policyType: 'Custom' }));
    assert.deepEqual(JSON.parse(got.body.defaultPolicyVersion.policyDocument), JSON.parse(document));
    const custom = await ram.listPolicies(new Ram.ListPoliciesRequest({ policyType: 'Custom' }));
    assert.ok(names(custom.body.policies.policy, 'policyName').includes('objects-rw'));
    const system = await ram.getPolicy(new Ram.GetPolicyRequest({ policyName: 'AliyunOSSFullAccess', policyType: 'System' }));
    assert.equal(system.body.policy.policyType, 'System');

    await ram.createRole(new Ram.CreateRoleRequest({ roleName: 'writer', assumeRolePolicyDocument: trust() }));
    await ram.attachPolicyToRole(new Ram.AttachPolicyToRoleRequest({ policyType: 'Custom', policyName: 'objects-rw', roleName: 'writer' }));
    const hank = await newUserWithKey('hank');
    await ram.attachPolicyToUser(new Ram.AttachPolicyToUserRequest({ policyType: 'Custom', policyName: 'objects-rw', userName: 'hank' }));
    await expectApiError(ram.attachPolicyToUser(new Ram.AttachPolicyToUserRequest({ policyType: 'Custom', policyName: 'objects-rw', userName: 'hank' })),
      'EntityAlreadyExists.User.Policy', 409);
    assert.deepEqual(names((await ram.listPoliciesForRole(new Ram.ListPoliciesForRoleRequest({ roleName: 'writer' }))).body.policies.policy, 'policyName'), ['objects-rw']);
    assert.deepEqual(names((await ram.listPoliciesForUser(new Ram.ListPoliciesForUserRequest({ userName: 'hank' }))).body.policies.policy, 'policyName'), ['objects-rw']);
    await userStore(hank).put('hank.txt', Buffer.from('hank'));

    await ram.detachPolicyFromUser(new Ram.DetachPolicyFromUserRequest({ policyType: 'Custom', policyName: 'objects-rw', userName: 'hank' }));
    await expectApiError(ram.deletePolicy(new Ram.DeletePolicyRequest({ policyName: 'objects-rw' })), 'DeleteConflict.Policy.Role', 409);
    await expectApiError(ram.deleteRole(new Ram.DeleteRoleRequest({ roleName: 'writer' })), 'DeleteConflict.Role.Policy', 409);
    await ram.detachPolicyFromRole(new Ram.DetachPolicyFromRoleRequest({ policyType: 'Custom', policyName: 'objects-rw', roleName: 'writer' }));
    await expectApiError(ram.detachPolicyFromUser(new Ram.DetachPolicyFromUserRequest({ policyType: 'Custom', policyName: 'objects-rw', userName: 'hank' })),
      'EntityNotExist.User.Policy', 404);
    await ram.deletePolicy(new Ram.DeletePolicyRequest({ policyName: 'objects-rw' }));
    await expectApiError(ram.getPolicy(new Ram.GetPolicyRequest({ policyName: 'objects-rw', policyType: 'Custom' })), 'EntityNotExist.Policy', 404);
    await afterIdentityChange(() => expectOssError(userStore(hank).put('hank.txt', Buffer.from('again')), 'AccessDenied', 403, 'after detach'));
  });

  it('malformed policy documents are refused', { timeout: TEST_TIMEOUT }, async () => {
    const bad = [
      '{"Version":"1"',
      '{"Version":"1","Statement":[{"Effect":"Maybe","Action":"oss:*","Resource":"*"}]}',
      '[]',
    ];
    for (const policyDocument of bad) {
      await expectApiError(ram.createPolicy(new Ram.CreatePolicyRequest({ policyName: 'bad-doc', policyDocument })), 'MalformedPolicyDocument', 400, policyDocument);
    }
  });

  it('ACS3 (the default) and RPC v1 signatures both reach RAM', { timeout: TEST_TIMEOUT }, async () => {
    const v2 = ramClient(server, server, { signatureAlgorithm: 'v2' });
    const users = await v2.listUsers(new Ram.ListUsersRequest({}));
    assert.equal(users.statusCode, 200);
    const wrong = ramClient(server, { accessKeyId: server.accessKeyId, accessKeySecret: 'wrong' });
    await expectApiError(wrong.listUsers(new Ram.ListUsersRequest({})), 'SignatureDoesNotMatch');
    const wrongV2 = ramClient(server, { accessKeyId: server.accessKeyId, accessKeySecret: 'wrong' }, { signatureAlgorithm: 'v2' });
    await expectApiError(wrongV2.listUsers(new Ram.ListUsersRequest({})), 'SignatureDoesNotMatch');
  });
});
