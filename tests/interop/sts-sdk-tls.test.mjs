// @alicloud/sts-sdk against ossd over TLS. The SDK only speaks https and
// cannot be given a CA (its transport passes `ca: ''` and inverts its own
// ignoreSSL flag), so this file, which node --test runs in a process of its
// own, turns certificate verification off for itself only; ossd gets a
// throw-away self-signed certificate made with `openssl req`.
//
// sts-sdk signs with Node's querystring encoding, which leaves ! ' ( ) *
// unescaped (spec §6.1); a session policy with '*' exercises that.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import StsSdk from '@alicloud/sts-sdk';
import { startServer } from '../lib/server.mjs';
import { buildIdentities, policyDocument } from './lib/iam.mjs';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
process.removeAllListeners('warning');  // the warning that setting prints, once per process

let server;
let certDir;
let ids;

before(async () => {
  certDir = mkdtempSync(path.join(tmpdir(), 'ossd-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', path.join(certDir, 'key.pem'), '-out', path.join(certDir, 'cert.pem'),
  ], { stdio: 'ignore', timeout: 30_000 });
  server = await startServer({
    args: ['--tls-cert', path.join(certDir, 'cert.pem'), '--tls-key', path.join(certDir, 'key.pem'), '--no-access-log'],
  });
  assert.match(server.output(), /listening on https:\/\/127\.0\.0\.1:/);
  // The identities are made over https too, with the same relaxed verification.
  ids = await buildIdentities({ ...server, endpoint: `https://127.0.0.1:${server.port}`, tls: true }, 'tls-bucket', { tag: 'tls' });
}, { timeout: 60_000 });

after(async () => {
  if (server) await server.stop();
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

const sdk = (credentials) => new StsSdk({
  endpoint: `127.0.0.1:${server.port}`,
  accessKeyId: credentials.accessKeyId,
  accessKeySecret: credentials.accessKeySecret,
});

describe('@alicloud/sts-sdk over https', () => {
  it('AssumeRole and GetCallerIdentity as the root', { timeout: 30_000 }, async () => {
    const answer = await sdk(server).assumeRole(ids.roleArn, 'sts-sdk-session', undefined, 900);
    assert.match(answer.Credentials.AccessKeyId, /^STS\./);
    assert.match(answer.Credentials.Expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(answer.AssumedRoleUser.Arn, `acs:ram::${ids.accountId}:role/${ids.roleName}/sts-sdk-session`);
    const who = await sdk(server).getCallerIdentity();
    assert.equal(who.IdentityType, 'Account');
    assert.equal(who.AccountId, ids.accountId);
  });

  it("a session policy with '*' (signed with querystring's encoding) and a RAM user's key", { timeout: 30_000 }, async () => {
    const policy = policyDocument([{ Effect: 'Allow', Action: 'oss:*', Resource: 'acs:oss:*:*:tls-bucket/*' }]);
    const answer = await sdk(ids.alice).assumeRole(ids.roleArn, 'alice-tls', policy, 900);
    assert.match(answer.Credentials.AccessKeyId, /^STS\./);
    const who = await sdk(ids.alice).getCallerIdentity();
    assert.equal(who.IdentityType, 'RAMUser');
  });

  it('errors come back as the JSON document', { timeout: 30_000 }, async () => {
    // sts-sdk resolves with whatever JSON the server answered, errors included.
    const answer = await sdk({ accessKeyId: server.accessKeyId, accessKeySecret: 'wrong' }).getCallerIdentity();
    assert.equal(answer.Code, 'SignatureDoesNotMatch');
    const noRole = await sdk(server).assumeRole(`acs:ram::${ids.accountId}:role/missing`, 'x1', undefined, 900);
    assert.equal(noRole.Code, 'EntityNotExist.Role');
  });
});
