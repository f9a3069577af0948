// No response splitting (issue #6, RELIABILITY §3.2 case 14, Ceph
// CVE-2020-10753 / CVE-2021-3524): user input that flows into a response
// header never brings a CR or LF with it. Every request goes out over a raw
// TCP socket (node's HTTP client would refuse the bytes), every response head
// is read as bytes, and each case asserts that no header line was injected
// and that the answer is either a clean 400 with an OSS error or the value
// stored and echoed on one line. The last test checks that none of this was
// left to the HTTP layer's last line of defence (which drops a bad header).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeClient, startOssd, stopOssd } from '../interop/lib/common.mjs';
import { createBucket, putObject } from '../integration/lib/oss.mjs';
import {
  assertCleanRefusal, assertNoSplitting, assertRefusedOrClean, getSignedUrl, header, INJECTION, postForm, rawExchange,
  signedRaw,
} from './lib/raw.mjs';

const PATH_V1 = { name: 'path-v1', style: 'path', v4: false };
const OVERRIDES = [
  'response-content-type', 'response-content-language', 'response-expires', 'response-cache-control',
  'response-content-disposition', 'response-content-encoding',
];
// The line breaks an attacker would try; each is followed by INJECTION.
const BREAKS = { crlf: '\r\n', lf: '\n', cr: '\r' };

let server;
let bucket;
let signer;   // ali-oss client bound to `bucket` (signed URLs, PostObject policies)

before(async () => {
  server = await startOssd();
  bucket = `sec-crlf-${process.pid}`;
  await createBucket(server, bucket);
  await putObject(server, bucket, 'plain.txt', 'hello');
  signer = makeClient(server, PATH_V1, bucket);
});
after(async () => { await stopOssd(server); });

const get = (key, extra = {}) => signedRaw(server, { method: 'GET', bucket, key, ...extra });
const head = (key, extra = {}) => signedRaw(server, { method: 'HEAD', bucket, key, ...extra });

async function assertNoObject(key, what) {
  const res = await head(key);
  assertNoSplitting(res, `${what}: HEAD`);
  assert.equal(res.status, 404, `${what}: the refused upload left an object behind`);
}

const getUrl = (url) => getSignedUrl(server, url);

describe('response-* overrides in the query string', () => {
  it('a clean override is echoed as given (so the refusals below are about the line break)', async () => {
    const res = await get('plain.txt', { query: { 'response-content-disposition': 'attachment; filename="a b.txt"' } });
    assertNoSplitting(res, 'clean override');
    assert.equal(res.status, 200);
    assert.equal(header(res, 'Content-Disposition'), 'attachment; filename="a b.txt"');
  });

  for (const auth of ['v1', 'v4']) {
    for (const param of OVERRIDES) {
      it(`${param} with %0D%0A, header-signed ${auth}: 400, no header injected`, async () => {
        const res = await get('plain.txt', { auth, query: { [param]: `text/plain\r\n${INJECTION}` } });
        assertCleanRefusal(res, `${auth} ${param}`);
        assert.match(res.text, new RegExp(`<ArgumentName>${param}</ArgumentName>`));
      });
    }
  }

  for (const [name, brk] of Object.entries(BREAKS)) {
    it(`a lone ${name} or a NUL in an override is refused too`, async () => {
      for (const value of [`a${brk}${INJECTION}`, `a${brk}`, `${brk}${INJECTION}`, 'a\0b']) {
        const res = await get('plain.txt', { query: { 'response-cache-control': value } });
        assertCleanRefusal(res, `${JSON.stringify(value)}`);
      }
    });
  }

  it('V1 signed URL (ali-oss signatureUrl) with a CR/LF override: 400, no header injected', async () => {
    for (const param of ['content-disposition', 'content-type']) {
      const res = await getUrl(signer.signatureUrl('plain.txt', { response: { [param]: `x\r\n${INJECTION}` } }));
      assertCleanRefusal(res, `V1 URL response-${param}`);
    }
  });

  it('V4 signed URL (ali-oss signatureUrlV4) with a CR/LF override: 400, no header injected', async () => {
    for (const param of ['response-cache-control', 'response-content-encoding']) {
      const url = await signer.signatureUrlV4('GET', 300, { queries: { [param]: `x\r\n${INJECTION}` } }, 'plain.txt');
      const res = await getUrl(url);
      assertCleanRefusal(res, `V4 URL ${param}`);
    }
  });

  it('HEAD with a CR/LF override: 400 with the error in x-oss-err, no header injected', async () => {
    const res = await head('plain.txt', { query: { 'response-content-type': `x\r\n${INJECTION}` } });
    assertCleanRefusal(res, 'HEAD override');
    assert.equal(res.body.length, 0);
  });
});

describe('stored headers from request headers', () => {
  const STORED = ['x-oss-meta-note', 'Content-Disposition', 'Cache-Control', 'Content-Type', 'Content-Encoding',
    'Content-Language', 'Expires'];

  for (const name of STORED) {
    it(`${name} with a bare LF, bare CR, NUL or VT: the request is refused whole`, async () => {
      for (const bad of [`v\n${INJECTION}`, `v\r${INJECTION}`, 'v\0x', 'v\x0bx']) {
        const key = `raw-${name}`;
        // Signed with the value as sent: the parser must refuse before any signature check.
        const res = await signedRaw(server, { method: 'PUT', bucket, key, body: 'x', headers: { [name]: bad } });
        assertCleanRefusal(res, `${name}: ${JSON.stringify(bad)}`, ['InvalidRequest', 'InvalidArgument']);
        await assertNoObject(key, name);
      }
    });
  }

  it('an obs-fold (CRLF + space) is unfolded to one line: stored and echoed without a line break', async () => {
    const key = 'folded.txt';
    // The parser joins the folded lines with one space; sign that value.
    const seen = `attachment; v=1 ${INJECTION}`;
    const res = await signedRaw(server, {
      method: 'PUT', bucket, key, body: 'x',
      headers: { 'x-oss-meta-note': seen, 'Content-Disposition': seen },
      rawHeaderValues: { 'x-oss-meta-note': `attachment; v=1\r\n ${INJECTION}`, 'Content-Disposition': `attachment; v=1\r\n\t${INJECTION}` },
    });
    assertRefusedOrClean(res, 'folded PUT');
    // Beast joins folded lines with a space (RFC 9112 §5.2), so the signed value matches.
    assert.equal(res.status, 200, res.text);
    for (const method of ['GET', 'HEAD']) {
      const read = await signedRaw(server, { method, bucket, key });
      assertNoSplitting(read, `folded ${method}`);
      assert.equal(read.status, 200);
      assert.equal(header(read, 'x-oss-meta-note'), seen);
      assert.equal(header(read, 'Content-Disposition'), seen);
    }
  });

  it('CopyObject with x-oss-metadata-directive REPLACE and a folded header echoes one line', async () => {
    const seen = `max-age=1 ${INJECTION}`;
    const res = await signedRaw(server, {
      method: 'PUT', bucket, key: 'copied.txt',
      headers: { 'x-oss-copy-source': `/${bucket}/plain.txt`, 'x-oss-metadata-directive': 'REPLACE', 'Cache-Control': seen },
      rawHeaderValues: { 'Cache-Control': `max-age=1\r\n ${INJECTION}` },
    });
    assertRefusedOrClean(res, 'copy REPLACE');
    assert.equal(res.status, 200, res.text);
    const read = await get('copied.txt');
    assertNoSplitting(read, 'copied GET');
    assert.equal(header(read, 'Cache-Control'), seen);
  });
});

describe('PostObject form fields', () => {
  // A policy-signed form (V1, root key) whose field values keep raw CR/LF.
  function postFormSigned(fields, options) {
    const policy = { expiration: new Date(Date.now() + 3600_000).toISOString(), conditions: [['content-length-range', 0, 1024]] };
    const signed = signer.calculatePostSignature(policy);
    return postForm(server, bucket, [...fields, ['OSSAccessKeyId', signed.OSSAccessKeyId], ['policy', signed.policy],
      ['Signature', signed.Signature]], options);
  }

  it('a clean form stores its headers (so the refusals below are about the line break)', async () => {
    const res = await postFormSigned([['key', 'form-ok.txt'], ['x-oss-meta-note', 'fine'], ['Content-Disposition', 'inline']]);
    assertNoSplitting(res, 'clean form');
    assert.equal(res.status, 204, res.text);
    const read = await get('form-ok.txt');
    assert.equal(header(read, 'x-oss-meta-note'), 'fine');
    assert.equal(header(read, 'Content-Disposition'), 'inline');
  });

  const fieldsWithBreaks = ['x-oss-meta-note', 'Content-Disposition', 'Cache-Control', 'Content-Type', 'Content-Encoding',
    'Content-Language', 'Expires'];
  for (const name of fieldsWithBreaks) {
    for (const [label, brk] of Object.entries(BREAKS)) {
      it(`form field ${name} with a ${label}: 400, nothing stored`, async () => {
        const key = `form-${name}-${label}.txt`;
        const res = await postFormSigned([['key', key], [name, `v${brk}${INJECTION}`]]);
        assertCleanRefusal(res, `${name} ${label}`);
        await assertNoObject(key, `${name} ${label}`);
      });
    }
  }

  it('a form meta name that is not an HTTP token: 400, nothing stored', async () => {
    for (const name of ['x-oss-meta-a b', 'x-oss-meta-a:b', 'x-oss-meta-a\tb']) {
      const key = `form-name-${name.length}-${name.charCodeAt(12)}.txt`;
      const res = await postFormSigned([['key', key], [name, 'v']]);
      assertCleanRefusal(res, JSON.stringify(name));
      await assertNoObject(key, JSON.stringify(name));
    }
  });

  it('the file part\'s Content-Type cannot carry a line break either', async () => {
    // A line break ends the part's header line, so this is a second part header.
    const res = await postFormSigned([['key', 'form-file-type.txt']], { fileType: `text/plain\r\n${INJECTION}` });
    assertRefusedOrClean(res, 'file part type', ['Content-Type']);
    if (res.status < 300) {
      const read = await get('form-file-type.txt');
      assertNoSplitting(read, 'file part type GET');
      assert.ok(!/[\r\n]/.test(header(read, 'Content-Type') ?? ''));
    }
  });

  it('success_action_redirect with a line break: 400, nothing stored', async () => {
    for (const [label, brk] of Object.entries(BREAKS)) {
      const key = `form-redirect-${label}.txt`;
      const res = await postFormSigned([['key', key], ['success_action_redirect', `http://app.example/done${brk}${INJECTION}`]]);
      assertCleanRefusal(res, `redirect ${label}`);
      await assertNoObject(key, `redirect ${label}`);
    }
  });

  it('a key with CR/LF reaches Location percent-encoded, on one line', async () => {
    const key = `form-key\r\n${INJECTION}`;
    const res = await postFormSigned([['key', key], ['success_action_redirect', 'http://app.example/done']]);
    assertNoSplitting(res, 'redirect with a CR/LF key');
    assert.equal(res.status, 303, res.text);
    const location = header(res, 'Location');
    assert.ok(location.startsWith('http://app.example/done?bucket='), location);
    assert.equal(new URL(location).searchParams.get('key'), key);
  });
});

describe('CORS', () => {
  const corsXml = (rule) => `<?xml version="1.0" encoding="UTF-8"?><CORSConfiguration><CORSRule>${rule}</CORSRule></CORSConfiguration>`;
  const RULE = {
    AllowedOrigin: '<AllowedOrigin>*</AllowedOrigin>',
    AllowedMethod: '<AllowedMethod>GET</AllowedMethod>',
    AllowedHeader: '<AllowedHeader>*</AllowedHeader>',
    ExposeHeader: '<ExposeHeader>x-oss-request-id</ExposeHeader>',
  };

  for (const element of Object.keys(RULE)) {
    it(`PutBucketCors with &#13;&#10; in ${element}: 400 (Ceph CVE-2020-10753)`, async () => {
      for (const brk of ['&#13;&#10;', '&#10;', '&#13;']) {
        const rule = { ...RULE, [element]: `<${element}>x-a${brk}${INJECTION}</${element}>` };
        const res = await signedRaw(server, { method: 'PUT', bucket, query: { cors: '' }, body: corsXml(Object.values(rule).join('')) });
        assertCleanRefusal(res, `${element} ${brk}`);
      }
    });
  }

  it('echoed Origin and request headers stay on one line (obs-fold in the request)', async () => {
    const put = await signedRaw(server, { method: 'PUT', bucket, query: { cors: '' }, body: corsXml(Object.values(RULE).join('')) });
    assert.equal(put.status, 200, put.text);
    const folded = `http://app.example\r\n ${INJECTION}`;
    const preflight = await rawExchange(server, [
      `OPTIONS /${bucket}/plain.txt HTTP/1.1`, `Host: 127.0.0.1:${server.port}`, `Origin: ${folded}`,
      'Access-Control-Request-Method: GET', `Access-Control-Request-Headers: x-oss-meta-a,\r\n ${INJECTION}`, 'Connection: close',
      '', ''].join('\r\n'));
    assertNoSplitting(preflight, 'preflight');
    const read = await get('plain.txt', { headers: { Origin: `http://app.example ${INJECTION}` }, rawHeaderValues: { Origin: folded } });
    assertNoSplitting(read, 'GET with a folded Origin');
    for (const res of [preflight, read]) {
      for (const name of ['Access-Control-Allow-Origin', 'Access-Control-Allow-Headers', 'Access-Control-Expose-Headers']) {
        const value = header(res, name);
        if (value !== undefined) assert.ok(!/[\r\n]/.test(value), `${name}: ${JSON.stringify(value)}`);
      }
    }
  });
});

describe('keys, copy sources and tagging', () => {
  const key = `crlf-key\r\n${INJECTION}`;

  it('a key with CR/LF is only ever a key: PUT, GET, HEAD and a 404 HEAD answer on clean lines', async () => {
    const put = await signedRaw(server, { method: 'PUT', bucket, key, body: 'k' });
    assertRefusedOrClean(put, 'PUT CR/LF key');
    for (const method of ['GET', 'HEAD']) assertNoSplitting(await signedRaw(server, { method, bucket, key }), method);
    const missing = await head(`missing\r\n${INJECTION}`);
    assertNoSplitting(missing, 'HEAD 404 with x-oss-err');
    assert.equal(missing.status, 404);
    assert.match(Buffer.from(header(missing, 'x-oss-err') ?? '', 'base64').toString('utf8'), /<Code>NoSuchKey<\/Code>/);
  });

  it('x-oss-copy-source with %0D%0A copies by key and answers on clean lines', async () => {
    const res = await signedRaw(server, {
      method: 'PUT', bucket, key: 'copy-of-crlf',
      headers: { 'x-oss-copy-source': `/${bucket}/${encodeURIComponent(key)}` },
    });
    assertNoSplitting(res, 'copy from a CR/LF key');
    assert.ok([200, 400, 404].includes(res.status), `${res.status}: ${res.text}`);
    const multipart = await signedRaw(server, {
      method: 'PUT', bucket, key: 'copy-of-crlf',
      headers: { 'x-oss-copy-source': `/${bucket}/none%0D%0A${encodeURIComponent(INJECTION)}` },
    });
    assertNoSplitting(multipart, 'copy from a missing CR/LF key');
  });

  it('x-oss-tagging with %0D%0A: stored as tag text, only a count comes back in a header', async () => {
    const res = await signedRaw(server, {
      method: 'PUT', bucket, key: 'tagged.txt', body: 't',
      headers: { 'x-oss-tagging': `a=b%0D%0A${encodeURIComponent(INJECTION)}&c%0D%0Ad=e` },
    });
    assertRefusedOrClean(res, 'tagging');
    assert.equal(res.status, 200, res.text);
    const read = await get('tagged.txt');
    assertNoSplitting(read, 'GET tagged');
    assert.equal(header(read, 'x-oss-tagging-count'), '2');
  });
});

describe('the HTTP layer\'s last line of defence', () => {
  it('was never needed: the API refused or cleaned every value before it became a header', () => {
    const dropped = server.output().split('\n').filter((l) => l.includes('dropped an invalid response header') || l.includes('dropped response header'));
    assert.deepEqual(dropped, [], 'a header value with a line break got as far as the HTTP layer');
  });
});
