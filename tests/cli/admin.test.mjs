// ossctl's identity commands against the real ossd: `admin` (users, keys,
// groups, roles, policies over the RAM API), `sts assume-role` and
// `sts get-caller-identity` (STS API), `sts serve` (the token service) and
// `cors put`; and that what they make works: a user's key and a temporary
// credential sign ossctl's own object commands.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { startTokenService } from '../lib/token-service.mjs';
import { ossdForOssctl } from './lib/ossd-suite.mjs';

const TIMEOUT = 60_000;
const BUCKET = 'ossctl-iam';

const suite = ossdForOssctl({ serverArgs: ['--no-access-log'], workPrefix: 'ossctl-iam-' });
const { run, ok } = suite;
let account;

const okJson = async (args, extraEnv) => JSON.parse(await ok(args, extraEnv));

// Exit 1 with the service's code on stderr.
async function fails(args, code, extraEnv) {
  const r = await run(args, extraEnv);
  assert.equal(r.code, 1, `ossctl ${args.join(' ')}: exit ${r.code}, stdout ${r.stdout}, stderr ${r.stderr}`);
  assert.match(r.stderr, new RegExp(`^ossctl: ${code.replace(/\./g, '\\.')} \\(HTTP \\d{3}\\)`), r.stderr);
  return r;
}

function file(name, content) {
  const p = path.join(suite.work, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

// The credential as ossctl's own flags.
const as = (c) => ({
  OSS_ACCESS_KEY_ID: c.AccessKeyId, OSS_ACCESS_KEY_SECRET: c.AccessKeySecret, OSS_SESSION_TOKEN: c.SecurityToken ?? '',
});

const trust = () => ({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${account}:root`] } }] });
const allowOn = (actions, resources) => ({ Version: '1', Statement: [{ Effect: 'Allow', Action: actions, Resource: resources }] });

describe('ossctl sts and admin against ossd', { timeout: 10 * TIMEOUT }, () => {
  it('sts get-caller-identity names the account', { timeout: TIMEOUT }, async () => {
    const who = await okJson(['sts', 'get-caller-identity']);
    assert.equal(who.IdentityType, 'Account');
    assert.match(who.AccountId, /^\d+$/);
    assert.equal(who.Arn, `acs:ram::${who.AccountId}:root`);
    assert.equal(who.RequestId, undefined, 'RequestId is not part of the output');
    account = who.AccountId;
    // GET (parameters in the query) works as well as the default POST form.
    assert.equal((await okJson(['sts', 'get-caller-identity', '--rpc-method', 'GET'])).AccountId, account);
    // An explicit --rpc-endpoint wins over --endpoint.
    assert.equal((await okJson(['sts', 'get-caller-identity', '--rpc-endpoint', suite.server.endpoint], { OSS_ENDPOINT: 'http://127.0.0.1:1' })).AccountId, account);
    await ok(['mb', `oss://${BUCKET}`]);
  });

  it('admin user create, get, list, delete', { timeout: TIMEOUT }, async () => {
    const created = await okJson(['admin', 'user', 'create', 'ivy', '--display-name', 'Ivy I', '--comments', 'from ossctl']);
    assert.equal(created.User.UserName, 'ivy');
    assert.equal(created.User.DisplayName, 'Ivy I');
    const got = await okJson(['admin', 'user', 'get', 'ivy']);
    assert.equal(got.User.UserId, created.User.UserId);
    assert.equal(got.User.Comments, 'from ossctl');
    const listed = await okJson(['admin', 'user', 'list']);
    assert.ok(listed.Users.User.some((u) => u.UserName === 'ivy'));
    assert.equal(listed.IsTruncated, undefined, 'pages are merged');
    await fails(['admin', 'user', 'create', 'ivy'], 'EntityAlreadyExists.User');
    assert.equal(await ok(['admin', 'user', 'delete', 'ivy']), 'deleted user ivy\n');
    await fails(['admin', 'user', 'get', 'ivy'], 'EntityNotExist.User');
  });

  it('admin key create, list, disable, enable, delete; the key signs ossctl requests', { timeout: TIMEOUT }, async () => {
    await ok(['admin', 'user', 'create', 'jack']);
    const key = (await okJson(['admin', 'key', 'create', '--user', 'jack'])).AccessKey;
    assert.equal(key.Status, 'Active');
    assert.ok(key.AccessKeySecret, 'the secret is shown once, at creation');
    const jack = { AccessKeyId: key.AccessKeyId, AccessKeySecret: key.AccessKeySecret };

    const policyPath = file('jack.json', allowOn(['oss:ListObjects', 'oss:PutObject', 'oss:GetObject'], [`acs:oss:*:*:${BUCKET}`, `acs:oss:*:*:${BUCKET}/jack/*`]));
    await ok(['admin', 'policy', 'create', 'jack-files', '--document', policyPath, '--description', 'jack only']);
    assert.equal(await ok(['admin', 'policy', 'attach', 'jack-files', '--user', 'jack']), 'attached policy jack-files to user jack\n');
    const forJack = await okJson(['admin', 'policy', 'list', '--user', 'jack']);
    assert.deepEqual(forJack.Policies.Policy.map((p) => p.PolicyName), ['jack-files']);

    const data = file('jack.txt', 'jack was here');
    await ok(['cp', data, `oss://${BUCKET}/jack/jack.txt`], as(jack));
    await fails(['cp', data, `oss://${BUCKET}/other/jack.txt`], 'AccessDenied', as(jack));

    const keys = await okJson(['admin', 'key', 'list', '--user', 'jack']);
    assert.deepEqual(keys.AccessKeys.AccessKey.map((k) => [k.AccessKeyId, k.Status]), [[key.AccessKeyId, 'Active']]);
    assert.equal(await ok(['admin', 'key', 'disable', key.AccessKeyId, '--user', 'jack']), `disabled access key ${key.AccessKeyId}\n`);
    assert.equal((await okJson(['admin', 'key', 'list', '--user', 'jack'])).AccessKeys.AccessKey[0].Status, 'Inactive');
    await fails(['ls', `oss://${BUCKET}/jack/`], 'InvalidAccessKeyId', as(jack));
    await ok(['admin', 'key', 'enable', key.AccessKeyId, '--user', 'jack']);
    assert.match(await ok(['ls', `oss://${BUCKET}/jack/`], as(jack)), /oss:\/\/ossctl-iam\/jack\/jack\.txt/);

    assert.equal(await ok(['admin', 'policy', 'detach', 'jack-files', '--user', 'jack']), 'detached policy jack-files from user jack\n');
    await fails(['ls', `oss://${BUCKET}/jack/`], 'AccessDenied', as(jack));
    await ok(['admin', 'key', 'delete', key.AccessKeyId, '--user', 'jack']);
    await fails(['ls', `oss://${BUCKET}/jack/`], 'InvalidAccessKeyId', as(jack));
    // The RAM API itself needs ram:* permissions.
    const second = (await okJson(['admin', 'key', 'create', '--user', 'jack'])).AccessKey;
    await fails(['admin', 'user', 'list'], 'NoPermission', as({ AccessKeyId: second.AccessKeyId, AccessKeySecret: second.AccessKeySecret }));
  });

  it('admin group create and add-user; the group policy applies to its members', { timeout: TIMEOUT }, async () => {
    await ok(['admin', 'user', 'create', 'kate']);
    const key = (await okJson(['admin', 'key', 'create', '--user', 'kate'])).AccessKey;
    const kate = { AccessKeyId: key.AccessKeyId, AccessKeySecret: key.AccessKeySecret };
    const group = await okJson(['admin', 'group', 'create', 'listers', '--comments', 'may list']);
    assert.equal(group.Group.GroupName, 'listers');
    assert.equal(await ok(['admin', 'group', 'add-user', 'listers', 'kate']), 'added user kate to group listers\n');
    await fails(['ls', `oss://${BUCKET}`], 'AccessDenied', as(kate));
    await ok(['admin', 'policy', 'create', 'may-list', '--document', file('list.json', allowOn('oss:ListObjects', `acs:oss:*:*:${BUCKET}`))]);
    await ok(['admin', 'policy', 'attach', 'may-list', '--group', 'listers']);
    assert.deepEqual((await okJson(['admin', 'policy', 'list', '--group', 'listers'])).Policies.Policy.map((p) => p.PolicyName), ['may-list']);
    await ok(['ls', `oss://${BUCKET}`], as(kate));
    await fails(['admin', 'group', 'add-user', 'listers', 'nobody'], 'EntityNotExist.User');
  });

  it('admin role and policy commands, then sts assume-role; the credential signs ossctl requests', { timeout: TIMEOUT }, async () => {
    const trustPath = file('trust.json', trust());
    const role = await okJson(['admin', 'role', 'create', 'cli-role', '--trust', trustPath, '--max-session-duration', '7200', '--description', 'for the CLI test']);
    assert.equal(role.Role.Arn, `acs:ram::${account}:role/cli-role`);
    assert.equal(role.Role.MaxSessionDuration, 7200);
    assert.equal((await okJson(['admin', 'role', 'get', 'cli-role'])).Role.Description, 'for the CLI test');
    assert.ok((await okJson(['admin', 'role', 'list'])).Roles.Role.some((r) => r.RoleName === 'cli-role'));
    assert.equal((await okJson(['admin', 'role', 'update', 'cli-role', '--max-session-duration', '3600'])).Role.MaxSessionDuration, 3600);

    await ok(['admin', 'policy', 'create', 'cli-bucket-rw', '--document', file('rw.json', allowOn('oss:*', [`acs:oss:*:*:${BUCKET}`, `acs:oss:*:*:${BUCKET}/*`]))]);
    const policy = await okJson(['admin', 'policy', 'get', 'cli-bucket-rw']);
    assert.deepEqual(JSON.parse(policy.DefaultPolicyVersion.PolicyDocument).Statement[0].Action, 'oss:*');
    assert.ok((await okJson(['admin', 'policy', 'list', '--type', 'Custom'])).Policies.Policy.some((p) => p.PolicyName === 'cli-bucket-rw'));
    assert.ok((await okJson(['admin', 'policy', 'get', 'AliyunOSSFullAccess', '--type', 'System'])).Policy);
    await ok(['admin', 'policy', 'attach', 'cli-bucket-rw', '--role', 'cli-role']);
    assert.deepEqual((await okJson(['admin', 'policy', 'list', '--role', 'cli-role'])).Policies.Policy.map((p) => p.PolicyName), ['cli-bucket-rw']);

    const roleArn = `acs:ram::${account}:role/cli-role`;
    const credentials = await okJson(['sts', 'assume-role', '--role-arn', roleArn, '--session', 'cli', '--duration', '900']);
    assert.deepEqual(Object.keys(credentials).sort(), ['AccessKeyId', 'AccessKeySecret', 'Expiration', 'SecurityToken']);
    assert.match(credentials.AccessKeyId, /^STS\./);
    const lifetime = (Date.parse(credentials.Expiration) - Date.now()) / 1000;
    assert.ok(Math.abs(lifetime - 900) < 60, `expires in ${lifetime} s`);

    const who = await okJson(['sts', 'get-caller-identity'], as(credentials));
    assert.equal(who.IdentityType, 'AssumedRoleUser');
    assert.equal(who.Arn, `acs:ram::${account}:assumed-role/cli-role/cli`);
    const data = file('sts.txt', 'written with a temporary credential');
    await ok(['cp', data, `oss://${BUCKET}/sts/sts.txt`], as(credentials));
    await ok(['cp', data, `oss://${BUCKET}/sts/sts-v4.txt`, '--signature-version', '4'], as(credentials));
    assert.match(await ok(['ls', '-r', `oss://${BUCKET}/sts/`], as(credentials)), /sts\/sts-v4\.txt/);
    // A token that is not the credential's.
    await fails(['ls', `oss://${BUCKET}/sts/`], 'InvalidSecurityToken', { ...as(credentials), OSS_SESSION_TOKEN: 'CAIS-forged' });
    // ossctl sign makes URLs that carry the token.
    const url = (await ok(['sign', `oss://${BUCKET}/sts/sts.txt`], as(credentials))).trim();
    assert.match(url, /[?&]security-token=/);
    const fetched = await fetch(url);
    assert.equal(fetched.status, 200);
    assert.equal(await fetched.text(), 'written with a temporary credential');

    // A session policy narrows: reads only.
    const readOnly = file('read-only.json', allowOn('oss:GetObject', `acs:oss:*:*:${BUCKET}/sts/*`));
    const narrowed = await okJson(['sts', 'assume-role', '--role-arn', roleArn, '--session', 'reader', '--policy', readOnly]);
    await ok(['cp', `oss://${BUCKET}/sts/sts.txt`, path.join(suite.work, 'back.txt')], as(narrowed));
    await fails(['cp', data, `oss://${BUCKET}/sts/denied.txt`], 'AccessDenied', as(narrowed));

    await fails(['sts', 'assume-role', '--role-arn', roleArn, '--duration', '899'], 'InvalidParameter.DurationSeconds');
    await fails(['sts', 'assume-role', '--role-arn', roleArn, '--duration', '3601'], 'InvalidParameter.DurationSeconds');
    await fails(['sts', 'assume-role', '--role-arn', `acs:ram::${account}:role/missing`], 'EntityNotExist.Role');
    await fails(['admin', 'policy', 'create', 'broken', '--document', file('broken.json', '{"Version":"1",')], 'MalformedPolicyDocument');

    await fails(['admin', 'role', 'delete', 'cli-role'], 'DeleteConflict.Role.Policy');
    await ok(['admin', 'policy', 'detach', 'cli-bucket-rw', '--role', 'cli-role']);
    assert.equal(await ok(['admin', 'role', 'delete', 'cli-role']), 'deleted role cli-role\n');
    assert.equal(await ok(['admin', 'policy', 'delete', 'cli-bucket-rw']), 'deleted policy cli-bucket-rw\n');
    await fails(['admin', 'role', 'get', 'cli-role'], 'EntityNotExist.Role');
  });

  it('usage errors exit 2 without calling the server', { timeout: TIMEOUT }, async () => {
    const cases = [
      [['admin', 'policy', 'attach', 'p'], /needs --user, --group or --role/],
      [['admin', 'policy', 'attach', 'p', '--user', 'u', '--role', 'r'], /only one of --user, --group and --role/],
      [['admin', 'role', 'update', 'r'], /needs --trust FILE or --max-session-duration/],
      [['sts', 'get-caller-identity', '--endpoint', ''], /need --rpc-endpoint or --endpoint/],
      [['sts', 'assume-role', '--role-arn', 'x', '--policy', path.join(suite.work, 'no-such-file.json')], /no-such-file/],
      [['sts', 'serve', '--role-arn', 'x', '--address', 'nonsense'], /--address/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args, args.includes('--endpoint') ? { OSS_ENDPOINT: '' } : {});
      assert.notEqual(r.code, 0, `ossctl ${args.join(' ')} succeeded`);
      assert.notEqual(r.code, 1, `ossctl ${args.join(' ')}: a usage error, not a failed call: ${r.stderr}`);
      assert.match(r.stderr, message, `ossctl ${args.join(' ')}`);
    }
    const noKeys = await run(['admin', 'user', 'list'], { OSS_ACCESS_KEY_ID: '', OSS_ACCESS_KEY_SECRET: '' });
    assert.equal(noKeys.code, 2);
    assert.match(noKeys.stderr, /need --access-key-id and --access-key-secret/);
  });

  it('sts serve: GET / and /sts answer fresh credentials, CORS for the allowed origin, SIGTERM stops it', { timeout: TIMEOUT }, async () => {
    const trustPath = file('serve-trust.json', trust());
    await ok(['admin', 'role', 'create', 'served-role', '--trust', trustPath]);
    await ok(['admin', 'policy', 'create', 'served-rw', '--document', file('served.json', allowOn('oss:*', [`acs:oss:*:*:${BUCKET}`, `acs:oss:*:*:${BUCKET}/*`]))]);
    await ok(['admin', 'policy', 'attach', 'served-rw', '--role', 'served-role']);
    const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OSS_')));
    const service = await startTokenService({
      args: ['sts', 'serve', '--role-arn', `acs:ram::${account}:role/served-role`, '--session', 'web', '--duration', '1200',
        '--address', '127.0.0.1:0', '--allow-origin', 'http://app.localhost:8080'],
      env: { ...cleanEnv, HOME: suite.work, ...suite.env },
    });
    try {
      assert.match(service.origin, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(service.tokenUrl, `${service.origin}/sts`);
      const first = await fetch(`${service.origin}/`, { headers: { Origin: 'http://app.localhost:8080' } });
      assert.equal(first.status, 200);
      assert.equal(first.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.equal(first.headers.get('cache-control'), 'no-store');
      assert.equal(first.headers.get('access-control-allow-origin'), 'http://app.localhost:8080');
      const a = await first.json();
      const b = await (await fetch(service.tokenUrl)).json();
      assert.notEqual(a.AccessKeyId, b.AccessKeyId, 'every GET is a new credential');
      const lifetime = (Date.parse(b.Expiration) - Date.now()) / 1000;
      assert.ok(Math.abs(lifetime - 1200) < 60, `expires in ${lifetime} s`);
      // The credential works.
      await ok(['cp', file('served.txt', 'served'), `oss://${BUCKET}/served.txt`], as(b));

      const stranger = await fetch(service.tokenUrl, { headers: { Origin: 'http://evil.test' } });
      assert.equal(stranger.status, 200);
      assert.equal(stranger.headers.get('access-control-allow-origin'), null);
      const preflight = await fetch(service.tokenUrl, {
        method: 'OPTIONS', headers: { Origin: 'http://app.localhost:8080', 'Access-Control-Request-Method': 'GET' },
      });
      assert.equal(preflight.status, 204);
      assert.match(preflight.headers.get('access-control-allow-methods'), /GET/);
      assert.equal((await fetch(service.tokenUrl, { method: 'POST' })).status, 405);
      assert.equal((await fetch(`${service.origin}/elsewhere`)).status, 404);
    } finally {
      const { code, signal } = await service.stop();
      assert.equal(signal, null, 'exits by itself on SIGTERM');
      assert.equal(code, 0);
    }

    // A role it cannot assume: the page gets the upstream's code, not a credential.
    const broken = await startTokenService({
      args: ['sts', 'serve', '--role-arn', `acs:ram::${account}:role/missing`, '--address', '127.0.0.1:0'],
      env: { ...cleanEnv, HOME: suite.work, ...suite.env },
    });
    try {
      const r = await fetch(broken.tokenUrl);
      assert.equal(r.status, 502);
      assert.equal((await r.json()).Code, 'EntityNotExist.Role');
    } finally {
      await broken.stop();
    }
    assert.match(broken.output().stderr, /AssumeRole failed: EntityNotExist\.Role/);
  });

  it('cors put sets the rule a browser preflight is judged by', { timeout: TIMEOUT }, async () => {
    assert.match(await ok(['cors', 'put', `oss://${BUCKET}`, '--origin', 'http://page.localhost:3000', '--max-age', '60']),
      /set CORS of oss:\/\/ossctl-iam: origins http:\/\/page\.localhost:3000/);
    const preflight = (origin) => fetch(`${suite.server.endpoint}/${BUCKET}/k.txt`, {
      method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'x-oss-date,authorization' },
    });
    const allowed = await preflight('http://page.localhost:3000');
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://page.localhost:3000');
    assert.match(allowed.headers.get('access-control-expose-headers') ?? '', /ETag/i);
    assert.equal(allowed.headers.get('access-control-max-age'), '60');
    assert.equal((await preflight('http://other.localhost:3000')).status, 403);
  });
});
