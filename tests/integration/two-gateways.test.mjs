// Two ossd gateways on one PostgreSQL database (issue #7): the same --meta,
// the same --data-dir (a shared POSIX directory holding the blobs and the
// master key) and the same root key. Whatever one gateway writes, the other
// serves: objects, RAM users and their keys, STS tokens, and a disabled key
// is refused by the other gateway within 5 s. `ossd rotate-sts-key` against
// the shared database changes the key ring of both.
// Driven by ali-oss and the official RAM / STS SDKs (see ../interop/lib/iam.mjs).
// Starts its own throwaway cluster (tests/lib/postgres.mjs); OSSD_SKIP_POSTGRES=1 skips.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import OSS from 'ali-oss';
import { expectOssError } from '../interop/lib/common.mjs';
import { postgresSkipReason, startPostgres } from '../lib/postgres.mjs';
import { runOssd, startServer } from '../lib/server.mjs';
import {
  Ram, accountIdOf, bucketPolicy, muteStsRefreshAdvice, policyDocument, popClient, ramClient, trustPolicy,
} from '../interop/lib/iam.mjs';

const skip = postgresSkipReason();
if (skip) console.log(`# ${skip}`);
muteStsRefreshAdvice();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const TIMEOUT = 60_000;
// The bound for a disabled key to take effect on every gateway.
const PROPAGATION_BOUND_MS = 5000;

function ossClient(server, bucket, credentials = server) {
  return new OSS({
    endpoint: server.localhostEndpoint,
    sldEnable: true,  // path-style: no *.localhost name to resolve
    accessKeyId: credentials.accessKeyId,
    accessKeySecret: credentials.accessKeySecret,
    stsToken: credentials.securityToken,
    region: 'oss-cn-hangzhou',
    bucket,
    timeout: 20_000,
    retryMax: 0,
  });
}

// The id of the key that sealed a session token: "CAIS" base64(version:1 ||
// id_length:1 || key_id || nonce || sealed claims), see src/auth/session_token.cpp.
function tokenKeyId(token) {
  assert.ok(token.startsWith('CAIS'), 'an ossd session token');
  const raw = Buffer.from(token.slice(4), 'base64');
  return raw.subarray(2, 2 + raw[1]).toString('latin1');
}

// `ossd rotate-sts-key` on the shared database; the id of the new key.
async function rotateStsKey(dataDir, meta) {
  const rotated = await runOssd(['--data-dir', dataDir, '--meta', meta, 'rotate-sts-key'], { timeoutMs: 30_000 });
  assert.equal(rotated.code, 0, rotated.output);
  const newKeyId = (rotated.output.match(/new STS token key (\S+) is current/) ?? [])[1];
  assert.ok(newKeyId, `rotate-sts-key printed: ${rotated.output}`);
  return newKeyId;
}

describe('two gateways on one PostgreSQL database', { skip: skip ?? false }, () => {
  let pg;
  let dataDir;
  let a;
  let b;
  let accountId;
  const bucket = `two-gw-${process.pid}`;
  const roleName = 'two-gw-role';

  before(async () => {
    pg = await startPostgres();
    dataDir = mkdtempSync(path.join(tmpdir(), 'ossd-two-gw-'));
    const args = ['--meta', pg.uri()];
    // One after the other: the first creates the master key and the root
    // account file in the shared directory, the second reads them.
    a = await startServer({ dataDir, args });
    b = await startServer({ dataDir, args });
    accountId = await accountIdOf(a);
    await ossClient(a, bucket).putBucket(bucket);
  }, { timeout: TIMEOUT });

  after(async () => {
    await a?.stop();
    await b?.stop();
    await pg?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('both gateways use the identity store in the shared database', async () => {
    assert.equal(await accountIdOf(b), accountId, 'one account on both gateways');
    assert.ok(!existsSync(path.join(dataDir, 'identity.db')), 'no SQLite identity store beside the shared database');
    for (const server of [a, b]) {
      assert.match(server.output(), /identity store: postgresql postgres:\/\/ossd@127\.0\.0\.1:\d+\/postgres/);
    }
  });

  it('a gateway loaded with another root account refuses to start on the database', { timeout: TIMEOUT }, async () => {
    const otherDir = mkdtempSync(path.join(tmpdir(), 'ossd-other-account-'));
    const otherAccount = accountId === '1000000000000001' ? '1000000000000002' : '1000000000000001';
    try {
      const refused = await runOssd(['--address', '127.0.0.1:0', '--data-dir', otherDir, '--meta', pg.uri()],
        { timeoutMs: 30_000, env: { OSSD_ROOT_ACCOUNT_ID: otherAccount } });
      assert.notEqual(refused.code, 0, `it started:\n${refused.output}`);
      assert.match(refused.output,
        new RegExp(`belongs to account ${accountId}, but this gateway's root account is ${otherAccount}`));
      assert.equal(await accountIdOf(a), accountId, 'the running gateways keep their account');
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('an object written through one gateway is read, listed and deleted through the other', { timeout: TIMEOUT }, async () => {
    const onA = ossClient(a, bucket);
    const onB = ossClient(b, bucket);
    const body = Buffer.from(`across gateways ${Date.now()} \u00e9\u0000\u00ff`, 'utf8');
    await onA.put('shared/object.bin', body);
    const got = await onB.get('shared/object.bin');
    assert.deepEqual(got.content, body);

    const listed = await onB.list({ prefix: 'shared/' });
    assert.deepEqual((listed.objects ?? []).map((o) => o.name), ['shared/object.bin']);
    assert.equal(Number(listed.objects[0].size), body.length);

    await onB.delete('shared/object.bin');
    await expectOssError(onA.get('shared/object.bin'), 'NoSuchKey', 404);
  });

  describe('identities', () => {
    let user;

    before(async () => {
      const ram = ramClient(a);
      await ram.createUser(new Ram.CreateUserRequest({ userName: 'two-gw-user' }));
      await ram.createPolicy(new Ram.CreatePolicyRequest({ policyName: 'two-gw-rw', policyDocument: bucketPolicy(bucket) }));
      await ram.attachPolicyToUser(new Ram.AttachPolicyToUserRequest({
        policyType: 'Custom', policyName: 'two-gw-rw', userName: 'two-gw-user',
      }));
      const key = await ram.createAccessKey(new Ram.CreateAccessKeyRequest({ userName: 'two-gw-user' }));
      user = { accessKeyId: key.body.accessKey.accessKeyId, accessKeySecret: key.body.accessKey.accessKeySecret };

      await ram.createRole(new Ram.CreateRoleRequest({
        roleName, assumeRolePolicyDocument: trustPolicy([`acs:ram::${accountId}:root`]), maxSessionDuration: 3600,
      }));
      await ram.attachPolicyToRole(new Ram.AttachPolicyToRoleRequest({
        policyType: 'Custom', policyName: 'two-gw-rw', roleName,
      }));
    }, { timeout: TIMEOUT });

    // AssumeRole as the root through `server`; the temporary credentials.
    async function assumeRole(server, sessionName) {
      const answer = await popClient(server).request('AssumeRole', {
        RoleArn: `acs:ram::${accountId}:role/${roleName}`, RoleSessionName: sessionName, DurationSeconds: 900,
      }, { method: 'POST' });
      const c = answer.Credentials;
      assert.match(c.AccessKeyId, /^STS\./);
      return { accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, securityToken: c.SecurityToken };
    }

    it('a RAM access key created through A signs a PUT through B', { timeout: TIMEOUT }, async () => {
      await ossClient(b, bucket, user).put('ram/from-user.txt', Buffer.from('written with a RAM key'));
      const got = await ossClient(a, bucket).get('ram/from-user.txt');
      assert.equal(got.content.toString(), 'written with a RAM key');
    });

    it('STS credentials issued by A are accepted by B', { timeout: TIMEOUT }, async () => {
      const temporary = await assumeRole(a, 'issued-by-a');
      const got = await ossClient(b, bucket, temporary).get('ram/from-user.txt');
      assert.equal(got.content.toString(), 'written with a RAM key');
      // And a foreign-looking token (one byte changed) is not.
      const tampered = { ...temporary, securityToken: `${temporary.securityToken.slice(0, -2)}${temporary.securityToken.endsWith('AA') ? 'BB' : 'AA'}` };
      await assert.rejects(ossClient(b, bucket, tampered).get('ram/from-user.txt'), (e) => e.status === 403);
    });

    it('a key disabled through A is refused by B within 5 s', { timeout: TIMEOUT }, async () => {
      const onB = ossClient(b, bucket, user);
      await onB.get('ram/from-user.txt');  // B knows the key as active
      await ramClient(a).updateAccessKey(new Ram.UpdateAccessKeyRequest({
        userName: 'two-gw-user', userAccessKeyId: user.accessKeyId, status: 'Inactive',
      }));
      const disabledAt = Date.now();
      let refusal = null;
      while (Date.now() - disabledAt <= PROPAGATION_BOUND_MS) {
        try {
          await onB.get('ram/from-user.txt');
        } catch (err) {
          refusal = err;
          break;
        }
        await sleep(200);
      }
      const elapsed = Date.now() - disabledAt;
      assert.ok(refusal, `B still accepted the disabled key ${elapsed} ms after it was disabled through A`);
      assert.equal(refusal.code, 'InvalidAccessKeyId', `${refusal.code}: ${refusal.message}`);
      assert.equal(refusal.status, 403);
      console.log(`# B refused the disabled key ${elapsed} ms after A disabled it`);
      // A refuses it too, at once (its own write invalidated its caches).
      await expectOssError(ossClient(a, bucket, user).get('ram/from-user.txt'), 'InvalidAccessKeyId', 403);
    });

    it('after `ossd rotate-sts-key` on the shared database, tokens from A still work on B', { timeout: TIMEOUT }, async () => {
      const beforeRotation = await assumeRole(a, 'before-rotation');
      const newKeyId = await rotateStsKey(dataDir, pg.uri());
      assert.notEqual(tokenKeyId(beforeRotation.securityToken), newKeyId);

      // A picks up the new current key by polling (about a second); once a
      // token it issues is sealed with the new key, B must open it. Both
      // refresh on their own schedule, so allow them the bound.
      const rotatedAt = Date.now();
      let afterRotation = null;
      while (Date.now() - rotatedAt <= PROPAGATION_BOUND_MS) {
        const candidate = await assumeRole(a, 'after-rotation');
        if (tokenKeyId(candidate.securityToken) === newKeyId) {
          afterRotation = candidate;
          break;
        }
        await sleep(200);
      }
      assert.ok(afterRotation, `A still sealed tokens with the old key ${Date.now() - rotatedAt} ms after the rotation`);
      let lastError = null;
      let worked = false;
      while (!worked && Date.now() - rotatedAt <= PROPAGATION_BOUND_MS) {
        try {
          const got = await ossClient(b, bucket, afterRotation).get('ram/from-user.txt');
          assert.equal(got.content.toString(), 'written with a RAM key');
          worked = true;
        } catch (err) {
          lastError = err;
          await sleep(200);
        }
      }
      assert.ok(worked, `B refused A's token sealed with the new key: ${lastError?.code} ${lastError?.message}`);
      // Tokens sealed with the older key stay valid on both gateways.
      for (const server of [a, b]) {
        const got = await ossClient(server, bucket, beforeRotation).get('ram/from-user.txt');
        assert.equal(got.content.toString(), 'written with a RAM key');
      }
    });

    // The generation poll that reloads the STS key ring once ran only when a
    // RAM-user key or an STS token was checked; a gateway serving only the
    // root (AssumeRole callers) kept sealing with the old key.
    it('a gateway that sees only root traffic seals with the rotated key within 5 s', { timeout: TIMEOUT },
      async () => {
        const newKeyId = await rotateStsKey(dataDir, pg.uri());
        const rotatedAt = Date.now();
        let sealedWith = null;
        while (Date.now() - rotatedAt <= PROPAGATION_BOUND_MS) {
          sealedWith = tokenKeyId((await assumeRole(a, 'root-only')).securityToken);
          if (sealedWith === newKeyId) break;
          await sleep(200);
        }
        assert.equal(sealedWith, newKeyId, 'A sealed with the old key 5 s after the rotation');
      });
  });
});
