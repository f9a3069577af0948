// STS end to end with the official clients, unchanged, against ossd:
// @alicloud/pop-core (RPC v1, GET and POST), @alicloud/sts20150401 (ACS3 by
// default, RPC v1 with signatureAlgorithm 'v2') and ali-oss's OSS.STS; then
// ali-oss with {accessKeyId, accessKeySecret, stsToken} for put, get, list,
// multipart and signed URLs (V1 and V4), session policies that narrow the
// role, and the ways a temporary credential must fail (tampered, truncated,
// foreign or missing token, wrong secret, expired).
//
// The identities (users, keys, role, policies) are made with
// @alicloud/ram20150501 in before(), see lib/iam.mjs.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  CORE_MODES, OSS, TEST_TIMEOUT, bucketName, expectOssError, makeClient, md5hex, multipartEtag, simpleEtag, startOssd,
  stopOssd,
} from './lib/common.mjs';
import {
  Sts, buildIdentities, expectPopError, muteStsRefreshAdvice, policyDocument, popClient, stsClient,
} from './lib/iam.mjs';

muteStsRefreshAdvice();

let server;
let ids;
let bucket;
let otherBucket;

before(async () => {
  server = await startOssd();
  bucket = bucketName('sts');
  otherBucket = bucketName('sts-other');
  const root = makeClient(server, CORE_MODES[0]);
  await root.putBucket(bucket);
  await root.putBucket(otherBucket);
  ids = await buildIdentities(server, bucket);
}, { timeout: 60_000 });

after(async () => { await stopOssd(server); });

const credentialsOf = (c) => ({ accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, securityToken: c.SecurityToken });

function assertTemporaryCredentials(credentials, durationSeconds, what) {
  assert.match(credentials.AccessKeyId, /^STS\./, `${what}: AccessKeyId`);
  assert.ok(credentials.AccessKeySecret.length >= 16, `${what}: AccessKeySecret`);
  assert.ok(credentials.SecurityToken.length > 32, `${what}: SecurityToken`);
  assert.match(credentials.Expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, `${what}: Expiration without milliseconds`);
  const lifetime = (Date.parse(credentials.Expiration) - Date.now()) / 1000;
  assert.ok(Math.abs(lifetime - durationSeconds) < 60, `${what}: expires in ${lifetime} s, asked ${durationSeconds}`);
}

// pop-core AssumeRole as the account root.
async function assumeRole(params = {}, { method = 'GET', as } = {}) {
  const answer = await popClient(server, as).request('AssumeRole', {
    RoleArn: ids.roleArn, RoleSessionName: 'interop', DurationSeconds: 900, ...params,
  }, { method });
  return answer;
}

function stsOssClient(mode, credentials, extra = {}) {
  return makeClient(server, mode, bucket, {
    accessKeyId: credentials.AccessKeyId,
    accessKeySecret: credentials.AccessKeySecret,
    stsToken: credentials.SecurityToken,
    ...extra,
  });
}

function fetchUrl(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: server.agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

const errorCode = (r) => (r.body.toString().match(/<Code>([^<]*)<\/Code>/) || [])[1];

describe('STS clients', () => {
  it('pop-core GET AssumeRole; the temporary key then calls GetCallerIdentity', { timeout: TEST_TIMEOUT }, async () => {
    const answer = await assumeRole({ RoleSessionName: 'pop-get' });
    assert.match(answer.RequestId, /\S/);
    assertTemporaryCredentials(answer.Credentials, 900, 'pop-core GET');
    assert.equal(answer.AssumedRoleUser.Arn, `acs:ram::${ids.accountId}:role/${ids.roleName}/pop-get`);
    assert.match(answer.AssumedRoleUser.AssumedRoleId, /^\d+:pop-get$/);

    const who = await popClient(server, credentialsOf(answer.Credentials)).request('GetCallerIdentity', {}, { method: 'POST' });
    assert.equal(who.IdentityType, 'AssumedRoleUser');
    assert.equal(who.AccountId, ids.accountId);
    assert.equal(who.Arn, `acs:ram::${ids.accountId}:assumed-role/${ids.roleName}/pop-get`);
    assert.equal(who.RoleId, answer.AssumedRoleUser.AssumedRoleId.split(':')[0]);
  });

  it('pop-core POST AssumeRole with a session policy and the longest duration the role allows', { timeout: TEST_TIMEOUT }, async () => {
    const policy = policyDocument([{ Effect: 'Allow', Action: ['oss:GetObject'], Resource: [`acs:oss:*:*:${bucket}/*`] }]);
    const answer = await assumeRole({ RoleSessionName: 'alice@example.com', DurationSeconds: 7200, Policy: policy }, { method: 'POST' });
    assertTemporaryCredentials(answer.Credentials, 7200, 'pop-core POST');
    assert.equal(answer.AssumedRoleUser.Arn, `acs:ram::${ids.accountId}:role/${ids.roleName}/alice@example.com`);
  });

  it('@alicloud/sts20150401: ACS3-HMAC-SHA256 and RPC v1 (signatureAlgorithm v2)', { timeout: TEST_TIMEOUT }, async () => {
    for (const extra of [{}, { signatureAlgorithm: 'v2' }]) {
      const what = `sts20150401 ${JSON.stringify(extra)}`;
      const response = await stsClient(server, server, extra).assumeRole(new Sts.AssumeRoleRequest({
        roleArn: ids.roleArn, roleSessionName: 'openapi', durationSeconds: 1800,
      }));
      assert.equal(response.statusCode, 200, what);
      const c = response.body.credentials;
      assertTemporaryCredentials({ AccessKeyId: c.accessKeyId, AccessKeySecret: c.accessKeySecret, SecurityToken: c.securityToken, Expiration: c.expiration }, 1800, what);
      assert.equal(response.body.assumedRoleUser.arn, `acs:ram::${ids.accountId}:role/${ids.roleName}/openapi`);

      const temporary = { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: c.securityToken };
      const who = await stsClient(server, temporary, extra).getCallerIdentity();
      assert.equal(who.body.identityType, 'AssumedRoleUser', what);
      assert.equal(who.body.accountId, ids.accountId, what);
      const root = await stsClient(server, server, extra).getCallerIdentity();
      assert.equal(root.body.identityType, 'Account', what);
      assert.equal(root.body.arn, `acs:ram::${ids.accountId}:root`, what);
    }
  });

  it("ali-oss OSS.STS assumeRole (POST form, Math.random() nonce, millisecond Timestamp)", { timeout: TEST_TIMEOUT }, async () => {
    const sts = new OSS.STS({ accessKeyId: server.accessKeyId, accessKeySecret: server.accessKeySecret, endpoint: server.endpoint });
    const policy = { Version: '1', Statement: [{ Effect: 'Allow', Action: ['oss:*'], Resource: ['acs:oss:*:*:*'] }] };
    const result = await sts.assumeRole(ids.roleArn, policy, 900, 'ali-oss-sts');
    assert.equal(result.res.status, 200);
    assertTemporaryCredentials(result.credentials, 900, 'OSS.STS');

    // Its error path parses the JSON error document.
    const bad = new OSS.STS({ accessKeyId: server.accessKeyId, accessKeySecret: 'wrong-secret', endpoint: server.endpoint });
    await assert.rejects(bad.assumeRole(ids.roleArn, null, 900, 'x'), (e) => {
      assert.equal(e.code, 'SignatureDoesNotMatch');
      assert.equal(e.status, 400);
      return true;
    });
  });

  it('RAM users: trusted and allowed assume; not trusted or not allowed get NoPermission', { timeout: TEST_TIMEOUT }, async () => {
    // The root principal in a trust policy trusts every identity of the
    // account that holds sts:AssumeRole.
    const viaRoot = await assumeRole({ RoleSessionName: 'mallory' }, { as: ids.mallory });
    assertTemporaryCredentials(viaRoot.Credentials, 900, 'mallory, root-trusting role');
    // A role that trusts one user only.
    const answer = await assumeRole({ RoleArn: ids.aliceRoleArn, RoleSessionName: 'alice' }, { as: ids.alice });
    assertTemporaryCredentials(answer.Credentials, 900, 'alice');
    const who = await popClient(server, ids.alice).request('GetCallerIdentity', {});
    assert.equal(who.IdentityType, 'RAMUser');
    assert.equal(who.Arn, `acs:ram::${ids.accountId}:user/${ids.alice.name}`);

    await expectPopError(assumeRole({ RoleArn: ids.aliceRoleArn, RoleSessionName: 'mallory' }, { as: ids.mallory }),
      'NoPermission', 'user the role does not trust');
    await expectPopError(assumeRole({ RoleSessionName: 'eve' }, { as: ids.eve }), 'NoPermission', 'user without sts:AssumeRole');
    // Temporary credentials do not chain into new ones.
    await expectPopError(assumeRole({ RoleSessionName: 'chain' }, { as: credentialsOf(answer.Credentials) }), 'NoPermission', 'chaining');
  });

  it('AssumeRole parameter errors carry the codes of the real service', { timeout: TEST_TIMEOUT }, async () => {
    const cases = [
      [{ DurationSeconds: 899 }, 'InvalidParameter.DurationSeconds'],
      [{ DurationSeconds: 7201 }, 'InvalidParameter.DurationSeconds'],
      [{ RoleSessionName: 'a b' }, 'InvalidParameter.RoleSessionName'],
      [{ RoleSessionName: 'x' }, 'InvalidParameter.RoleSessionName'],
      [{ Policy: '{"Version":"1","Statement":[' }, 'InvalidParameter.PolicyGrammar'],
      [{ Policy: policyDocument([{ Effect: 'Allow', Action: 'oss:GetObject', Resource: `acs:oss:*:*:${'x'.repeat(2048)}` }]) }, 'InvalidParameter.PolicySize'],
      [{ RoleArn: `acs:ram::${ids.accountId}:role/no-such-role` }, 'EntityNotExist.Role'],
      [{ RoleArn: 'arn:aws:iam::123:role/x' }, 'InvalidParameter.RoleArn'],
    ];
    for (const [params, code] of cases) {
      await expectPopError(assumeRole(params, { method: 'POST' }), code, JSON.stringify(params).slice(0, 80));
    }
  });

  it('a replayed SignatureNonce and a wrong signature are refused', { timeout: TEST_TIMEOUT }, async () => {
    // Signed here rather than by an SDK, which never repeats a nonce.
    const encode = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
    const params = {
      Action: 'GetCallerIdentity', Version: '2015-04-01', Format: 'JSON', AccessKeyId: server.accessKeyId,
      SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0', SignatureNonce: crypto.randomUUID(),
      Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
    const canonical = Object.keys(params).sort().map((k) => `${encode(k)}=${encode(params[k])}`).join('&');
    const signature = crypto.createHmac('sha1', `${server.accessKeySecret}&`).update(`GET&%2F&${encode(canonical)}`).digest('base64');
    const url = `${server.endpoint}/?${canonical}&Signature=${encode(signature)}`;

    const first = await fetch(url);
    assert.equal(first.status, 200, await first.clone().text());
    assert.equal((await first.json()).IdentityType, 'Account');
    const replay = await fetch(url);
    const replayBody = await replay.json();
    assert.equal(replay.status, 400, JSON.stringify(replayBody));
    assert.equal(replayBody.Code, 'SignatureNonceUsed');

    const forged = await fetch(url.replace(/SignatureNonce=[^&]+/, `SignatureNonce=${crypto.randomUUID()}`));
    assert.equal((await forged.json()).Code, 'SignatureDoesNotMatch');
  });
});

for (const mode of CORE_MODES) {
  describe(`ali-oss with stsToken [${mode.name}]`, () => {
    let credentials;
    before(async () => {
      credentials = (await assumeRole({ RoleSessionName: `oss-${mode.name}`, DurationSeconds: 1800 })).Credentials;
    });

    it('put, head, get, list, delete', { timeout: TEST_TIMEOUT }, async () => {
      const store = stsOssClient(mode, credentials);
      const key = `${mode.name}/hello.txt`;
      const body = Buffer.from(`hello from ${mode.name} ✓`);
      const put = await store.put(key, body);
      assert.equal(put.res.status, 200);
      assert.equal(put.res.headers.etag, simpleEtag(body));
      const head = await store.head(key);
      assert.equal(Number(head.res.headers['content-length']), body.length);
      const got = await store.get(key);
      assert.ok(got.content.equals(body));
      const listed = await store.list({ prefix: `${mode.name}/` });
      assert.deepEqual(listed.objects.map((o) => o.name), [key]);
      const listedV2 = await store.listV2({ prefix: `${mode.name}/` });
      assert.deepEqual(listedV2.objects.map((o) => o.name), [key]);
      await store.delete(key);
      await expectOssError(store.head(key), 'NoSuchKey', 404, 'head after delete');
    });

    it('multipartUpload', { timeout: TEST_TIMEOUT }, async () => {
      const store = stsOssClient(mode, credentials);
      const partSize = 100 * 1024;
      const data = crypto.randomBytes(3 * partSize + 777);
      const key = `${mode.name}/multi.bin`;
      const result = await store.multipartUpload(key, data, { partSize, parallel: 2 });
      assert.equal(result.res.status, 200);
      const got = await store.get(key);
      assert.equal(md5hex(got.content), md5hex(data));
      assert.equal(got.res.headers.etag, multipartEtag(data, partSize));
    });

    it('signatureUrl (V1) and signatureUrlV4 carry the token and fetch fine', { timeout: TEST_TIMEOUT }, async () => {
      const store = stsOssClient(mode, credentials);
      const key = `${mode.name}/signed name+1.txt`;
      const body = Buffer.from('reached through a signed URL');
      await store.put(key, body);

      const v1 = store.signatureUrl(key, { expires: 600 });
      assert.match(v1, /[?&]security-token=/);
      const g1 = await fetchUrl(v1);
      assert.equal(g1.status, 200, `${v1}: ${g1.body}`);
      assert.ok(g1.body.equals(body));

      const putBody = Buffer.from('put through a signed URL');
      const putUrl = store.signatureUrl(`${mode.name}/put.txt`, { method: 'PUT', 'Content-Type': 'text/plain' });
      const p = await fetchUrl(putUrl, { method: 'PUT', headers: { 'Content-Type': 'text/plain' }, body: putBody });
      assert.equal(p.status, 200, `${putUrl}: ${p.body}`);
      assert.ok((await store.get(`${mode.name}/put.txt`)).content.equals(putBody));

      const v4 = await store.signatureUrlV4('GET', 600, {}, key);
      assert.match(v4, /[?&]x-oss-security-token=/);
      const g4 = await fetchUrl(v4);
      assert.equal(g4.status, 200, `${v4}: ${g4.body}`);
      assert.ok(g4.body.equals(body));

      // The token is bound: a URL whose token was swapped is refused.
      const other = (await assumeRole({ RoleSessionName: 'other' })).Credentials;
      const swapped = v1.replace(/security-token=[^&]+/, `security-token=${encodeURIComponent(other.SecurityToken)}`);
      const s = await fetchUrl(swapped);
      assert.equal(s.status, 403);
      assert.ok(['InvalidSecurityToken', 'SignatureDoesNotMatch'].includes(errorCode(s)), `swapped token: ${s.body}`);
    });
  });
}

describe('session policies narrow the role', () => {
  const pubPolicy = () => policyDocument([{ Effect: 'Allow', Action: 'oss:GetObject', Resource: `acs:oss:*:*:${bucket}/pub/*` }]);

  it('GetObject on one prefix only: PutObject, DeleteObject and GetObject elsewhere are AccessDenied', { timeout: TEST_TIMEOUT }, async () => {
    const rootStore = makeClient(server, CORE_MODES[0], bucket);
    await rootStore.put('pub/readme.txt', Buffer.from('public'));
    await rootStore.put('private/secret.txt', Buffer.from('secret'));
    const narrowed = (await assumeRole({ RoleSessionName: 'reader', Policy: pubPolicy() }, { method: 'POST' })).Credentials;
    for (const mode of CORE_MODES) {
      const store = stsOssClient(mode, narrowed);
      const got = await store.get('pub/readme.txt');
      assert.equal(got.content.toString(), 'public', mode.name);
      const denied = [
        ['PutObject', () => store.put('pub/new.txt', Buffer.from('x'))],
        ['DeleteObject', () => store.delete('pub/readme.txt')],
        ['GetObject elsewhere', () => store.get('private/secret.txt')],
        ['ListObjects', () => store.list({ prefix: 'pub/' })],
      ];
      for (const [what, call] of denied) {
        const err = await expectOssError(call(), 'AccessDenied', 403, `${mode.name} ${what}`);
        assert.match(err.message, /Access denied by authorizer's policy/, `${mode.name} ${what}`);
      }
      // Signed URLs are judged the same way.
      assert.equal((await fetchUrl(store.signatureUrl('pub/readme.txt'))).status, 200);
      const deniedUrl = await fetchUrl(store.signatureUrl('private/secret.txt'));
      assert.equal(deniedUrl.status, 403);
      assert.equal(errorCode(deniedUrl), 'AccessDenied');
    }
    assert.equal((await rootStore.get('pub/readme.txt')).content.toString(), 'public', 'the denied delete left the object');
  });

  it('a session policy cannot widen the role: the effective rights are the intersection', { timeout: TEST_TIMEOUT }, async () => {
    const everything = policyDocument([{ Effect: 'Allow', Action: 'oss:*', Resource: '*' }]);
    const credentials = (await assumeRole({ RoleSessionName: 'widen', Policy: everything }, { method: 'POST' })).Credentials;
    const mode = CORE_MODES[0];
    await stsOssClient(mode, credentials).put('widen/ok.txt', Buffer.from('inside the role'));
    const outside = makeClient(server, mode, otherBucket, {
      accessKeyId: credentials.AccessKeyId, accessKeySecret: credentials.AccessKeySecret, stsToken: credentials.SecurityToken,
    });
    await expectOssError(outside.put('nope.txt', Buffer.from('x')), 'AccessDenied', 403, 'other bucket');
    await expectOssError(outside.list(), 'AccessDenied', 403, 'other bucket listing');
  });
});

describe('temporary credentials that must not work', () => {
  let credentials;
  let other;
  before(async () => {
    credentials = (await assumeRole({ RoleSessionName: 'victim' })).Credentials;
    other = (await assumeRole({ RoleSessionName: 'bystander' })).Credentials;
    await makeClient(server, CORE_MODES[0], bucket).put('guarded.txt', Buffer.from('guarded'));
  });

  const flip = (token, at) => token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);

  it('tampered, truncated, foreign or missing tokens: 403 InvalidSecurityToken', { timeout: TEST_TIMEOUT }, async () => {
    for (const mode of CORE_MODES) {
      const cases = [
        ['tampered middle', { ...credentials, SecurityToken: flip(credentials.SecurityToken, Math.floor(credentials.SecurityToken.length / 2)) }],
        ['tampered end', { ...credentials, SecurityToken: flip(credentials.SecurityToken, credentials.SecurityToken.length - 3) }],
        ['truncated', { ...credentials, SecurityToken: credentials.SecurityToken.slice(0, 40) }],
        ["another session's token", { ...credentials, SecurityToken: other.SecurityToken }],
        ['not a token', { ...credentials, SecurityToken: 'CAIS-not-a-token' }],
        ['missing', { ...credentials, SecurityToken: undefined }],
      ];
      for (const [what, c] of cases) {
        await expectOssError(stsOssClient(mode, c).get('guarded.txt'), 'InvalidSecurityToken', 403, `${mode.name} ${what}`);
      }
      // The right token with the wrong secret (its first character changed) is a signature mismatch.
      const secret = credentials.AccessKeySecret;
      const wrongSecret = `${secret[0] === 'x' ? 'y' : 'x'}${secret.slice(1)}`;
      await expectOssError(stsOssClient(mode, { ...credentials, AccessKeySecret: wrongSecret }).get('guarded.txt'),
        'SignatureDoesNotMatch', 403, `${mode.name} wrong secret`);
      // The intact credential still works.
      assert.equal((await stsOssClient(mode, credentials).get('guarded.txt')).content.toString(), 'guarded');
    }
    // A tampered token in a signed URL too.
    const url = stsOssClient(CORE_MODES[0], credentials).signatureUrl('guarded.txt');
    const tampered = url.replace(/security-token=([^&]+)/, (_, t) => `security-token=${encodeURIComponent(flip(decodeURIComponent(t), 50))}`);
    const r = await fetchUrl(tampered);
    assert.equal(r.status, 403);
    assert.ok(['InvalidSecurityToken', 'SignatureDoesNotMatch'].includes(errorCode(r)), r.body.toString());
  });

  it('an expired token: SecurityTokenExpired (server clock moved by --test-clock-offset)', { timeout: 60_000 }, async () => {
    // Its own server: the token is issued at real time, then the same data
    // directory is served with the clock an hour ahead.
    const first = await startOssd();
    const dataDir = first.dataDir;
    let shifted;
    try {
      const expBucket = bucketName('sts-exp');
      await makeClient(first, CORE_MODES[0]).putBucket(expBucket);
      const expIds = await buildIdentities(first, expBucket, { tag: 'exp' });
      const token = (await popClient(first).request('AssumeRole', {
        RoleArn: expIds.roleArn, RoleSessionName: 'short', DurationSeconds: 900,
      })).Credentials;
      const before = makeClient(first, CORE_MODES[0], expBucket, {
        accessKeyId: token.AccessKeyId, accessKeySecret: token.AccessKeySecret, stsToken: token.SecurityToken,
      });
      await before.put('k.txt', Buffer.from('k'));
      first.agent.destroy();
      await first.stop({ keepData: true });

      shifted = await startOssd({ dataDir, args: ['--test-clock-offset', '3600'] });
      assert.match(shifted.output(), /TEST SETTING IN USE/);
      for (const mode of CORE_MODES) {
        const store = makeClient(shifted, mode, expBucket, {
          accessKeyId: token.AccessKeyId, accessKeySecret: token.AccessKeySecret, stsToken: token.SecurityToken,
        });
        await expectOssError(store.get('k.txt'), 'SecurityTokenExpired', 403, `${mode.name} header-signed`);
        if (!mode.v4) {
          // Expires is two hours ahead, so only the token's expiry can fail it.
          const r = await new Promise((resolve, reject) => {
            http.get(store.signatureUrl('k.txt', { expires: 7200 }), { agent: shifted.agent }, (res) => {
              const chunks = [];
              res.on('data', (c) => chunks.push(c));
              res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
            }).on('error', reject);
          });
          assert.equal(r.status, 403);
          assert.equal(errorCode(r), 'SecurityTokenExpired');
        }
      }
      // The root's own key is unaffected by the moved clock for signed URLs.
      const root = makeClient(shifted, CORE_MODES[0], expBucket);
      assert.equal((await fetchUrlWith(shifted, root.signatureUrl('k.txt', { expires: 7200 }))).status, 200);
    } finally {
      if (shifted) await stopOssd(shifted);
      const { rmSync } = await import('node:fs');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

function fetchUrlWith(srv, url) {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: srv.agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}
