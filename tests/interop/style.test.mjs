// Bucket image styles: PutStyle/GetStyle/ListStyle/DeleteStyle as raw signed
// requests (V1 and V4, signed by ali-oss's own signer through
// tests/integration/lib/oss.mjs), used through ali-oss as
// x-oss-process=style/<name> on get, signatureUrl and processObjectSave.
//
// ali-oss 6.23.0 has no bucket-style calls on its main client; its legacy
// ImageClient.putStyle/getStyle/listStyle/deleteStyle target the retired
// img-<region> service and put "?style&styleName=..." into the object name
// (URL-encoded), so they cannot reach any OSS bucket style API and are not
// tested here.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { imageSize } from 'image-size';
import {
  CORE_MODES, TEST_TIMEOUT, expectOssError, freshBucket, startOssd, stopOssd,
} from './lib/common.mjs';
import { assertError, assertOk, send, xmlAll, xmlRoot, xmlText } from '../integration/lib/oss.mjs';
import { encodePng } from '../lib/png.mjs';

const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const styleBody = (content) => `<?xml version="1.0" encoding="UTF-8"?>\n<Style><Content>${content}</Content></Style>`;

let server;
before(async () => {
  server = await startOssd();
});
after(async () => {
  await stopOssd(server);
});

const mode = CORE_MODES.find((m) => m.name === 'path-v1');

function putStyle(bucket, name, content, auth = 'v1') {
  return send(server, { method: 'PUT', bucket, query: [['style', ''], ['styleName', name]], body: styleBody(content), auth });
}
function getStyle(bucket, name, auth = 'v1') {
  return send(server, { method: 'GET', bucket, query: [['style', ''], ['styleName', name]], auth });
}
function listStyles(bucket, auth = 'v1') {
  return send(server, { method: 'GET', bucket, query: [['style', '']], auth });
}
function deleteStyle(bucket, name, auth = 'v1') {
  return send(server, { method: 'DELETE', bucket, query: [['style', ''], ['styleName', name]], auth });
}

for (const auth of ['v1', 'v4']) {
  describe(`styles [${auth}]`, () => {
    it('put, get, list, update and delete a style', { timeout: TEST_TIMEOUT }, async () => {
      const { name: bucket } = await freshBucket(server, mode, `style-${auth}`);
      assertOk(await putStyle(bucket, 'thumb', 'image/resize,w_200', auth), 200, 'PutStyle');

      const got = assertOk(await getStyle(bucket, 'thumb', auth), 200, 'GetStyle');
      assert.equal(got.headers['content-type'], 'application/xml');
      assert.equal(xmlRoot(got.text), 'Style');
      assert.equal(xmlText(got.text, 'Name'), 'thumb');
      assert.equal(xmlText(got.text, 'Content'), 'image/resize,w_200');
      assert.equal(xmlText(got.text, 'Category'), 'image');
      const created = xmlText(got.text, 'CreateTime');
      assert.match(created, HTTP_DATE);
      assert.match(xmlText(got.text, 'LastModifyTime'), HTTP_DATE);

      assertOk(await putStyle(bucket, 'small', 'image/resize,p_50/format,webp', auth), 200, 'PutStyle small');
      const listed = assertOk(await listStyles(bucket, auth), 200, 'ListStyle');
      assert.equal(xmlRoot(listed.text), 'StyleList');
      const styles = xmlAll(listed.text, 'Style');
      assert.deepEqual(styles.map((s) => xmlText(s, 'Name')), ['small', 'thumb']);
      assert.equal(xmlText(styles[0], 'Content'), 'image/resize,p_50/format,webp');

      // Updating keeps the creation time and replaces the content.
      assertOk(await putStyle(bucket, 'thumb', 'image/resize,w_100', auth), 200, 'PutStyle again');
      const updated = assertOk(await getStyle(bucket, 'thumb', auth), 200);
      assert.equal(xmlText(updated.text, 'Content'), 'image/resize,w_100');
      assert.equal(xmlText(updated.text, 'CreateTime'), created);

      const deleted = await deleteStyle(bucket, 'thumb', auth);
      assert.equal(deleted.status, 204, deleted.text);
      assertError(await getStyle(bucket, 'thumb', auth), 404, 'NoSuchStyle', 'GetStyle after delete');
      const after = assertOk(await listStyles(bucket, auth), 200);
      assert.deepEqual(xmlAll(after.text, 'Style').map((s) => xmlText(s, 'Name')), ['small']);
    });
  });
}

describe('styles: used as x-oss-process=style/<name>', () => {
  let bucket;
  let client;
  before(async () => {
    ({ name: bucket, client } = await freshBucket(server, mode, 'style-use'));
    await client.put('photo.png', encodePng({ width: 800, height: 600 }));
    assertOk(await putStyle(bucket, 'thumb', 'image/resize,w_200'), 200);
    assertOk(await putStyle(bucket, 'square.webp', 'image/resize,m_fill,w_64,h_64/format,webp'), 200);
  });

  it('get and signatureUrl apply the style', { timeout: TEST_TIMEOUT }, async () => {
    const got = await client.get('photo.png', { process: 'style/thumb' });
    assert.deepEqual({ ...imageSize(got.content) }, { width: 200, height: 150, type: 'png' });
    const square = await client.get('photo.png', { process: 'style/square.webp' });
    assert.equal(square.res.headers['content-type'], 'image/webp');
    assert.deepEqual({ ...imageSize(square.content) }, { width: 64, height: 64, type: 'webp' });
    const url = client.signatureUrl('photo.png', { process: 'style/thumb' });
    const res = await fetch(url.replace('//localhost:', '//127.0.0.1:'), { headers: { Host: new URL(url).host } });
    assert.equal(res.status, 200);
    assert.deepEqual({ ...imageSize(Buffer.from(await res.arrayBuffer())) }, { width: 200, height: 150, type: 'png' });
  });

  it('a changed style takes effect at once', { timeout: TEST_TIMEOUT }, async () => {
    assertOk(await putStyle(bucket, 'changing', 'image/resize,w_300'), 200);
    const before = await client.get('photo.png', { process: 'style/changing' });
    assert.equal(imageSize(before.content).width, 300);
    assertOk(await putStyle(bucket, 'changing', 'image/resize,w_120'), 200);
    const after = await client.get('photo.png', { process: 'style/changing' });
    assert.equal(imageSize(after.content).width, 120);
  });

  it('processObjectSave with a style', { timeout: TEST_TIMEOUT }, async () => {
    const saved = await client.processObjectSave('photo.png', 'styled.png', 'style/thumb');
    assert.equal(saved.status, 200);
    const stored = await client.get('styled.png');
    assert.deepEqual({ ...imageSize(stored.content) }, { width: 200, height: 150, type: 'png' });
  });

  it('a missing style is NoSuchStyle', { timeout: TEST_TIMEOUT }, async () => {
    await expectOssError(client.get('photo.png', { process: 'style/nothing' }), 'NoSuchStyle', 404, 'missing style');
  });
});

describe('styles: refusals', () => {
  let bucket;
  before(async () => {
    ({ name: bucket } = await freshBucket(server, mode, 'style-bad'));
  });

  it('content that does not parse, nested styles and saveas are refused', { timeout: TEST_TIMEOUT }, async () => {
    assertError(await putStyle(bucket, 'bad', 'image/resize,w_0'), 400, 'InvalidArgument', 'w_0');
    assertError(await putStyle(bucket, 'bad', 'image/unknown,x_1'), 400, 'InvalidArgument', 'unknown action');
    assertError(await putStyle(bucket, 'bad', 'style/other'), 400, 'InvalidArgument', 'nested style');
    const saveas = `image/resize,w_10|sys/saveas,o_${Buffer.from('x').toString('base64url')}`;
    assertError(await putStyle(bucket, 'bad', saveas), 400, 'InvalidArgument', 'saveas in a style');
    assertError(await getStyle(bucket, 'bad'), 404, 'NoSuchStyle', 'nothing was stored');
  });

  it('bad names, bad XML and a missing styleName', { timeout: TEST_TIMEOUT }, async () => {
    assertError(await putStyle(bucket, 'a/b', 'image/resize,w_10'), 400, 'InvalidArgument', 'slash in name');
    assertError(await putStyle(bucket, 'x'.repeat(65), 'image/resize,w_10'), 400, 'InvalidArgument', 'long name');
    const malformed = await send(server, {
      method: 'PUT', bucket, query: [['style', ''], ['styleName', 'ok']], body: '<Style><Content>x',
    });
    assertError(malformed, 400, 'MalformedXML', 'malformed body');
    const unnamed = await send(server, { method: 'PUT', bucket, query: [['style', '']], body: styleBody('image/resize,w_1') });
    assertError(unnamed, 400, 'MissingArgument', 'no styleName');
    assertError(await getStyle('no-such-bucket-style', 'x'), 404, 'NoSuchBucket', 'missing bucket');
  });

  it('anonymous callers cannot manage styles', { timeout: TEST_TIMEOUT }, async () => {
    const anonymous = await send(server, {
      method: 'PUT', bucket, query: [['style', ''], ['styleName', 'anon']], body: styleBody('image/resize,w_1'), auth: 'none',
    });
    assertError(anonymous, 403, 'AccessDenied', 'anonymous PutStyle');
    assertError(await send(server, { method: 'GET', bucket, query: [['style', '']], auth: 'none' }), 403, 'AccessDenied');
  });

  it('concurrent puts of different names all land in the list; the 51st style is refused', { timeout: 60_000 }, async () => {
    const { name: busy } = await freshBucket(server, mode, 'style-many');
    const names = Array.from({ length: 50 }, (_, i) => `s${String(i).padStart(2, '0')}`);
    const results = await Promise.all(names.map((n) => putStyle(busy, n, `image/resize,w_${10 + Number(n.slice(1))}`)));
    for (const r of results) assertOk(r, 200, 'concurrent PutStyle');
    const listed = assertOk(await listStyles(busy), 200);
    assert.deepEqual(xmlAll(listed.text, 'Style').map((s) => xmlText(s, 'Name')), names);
    assertError(await putStyle(busy, 'one-more', 'image/resize,w_10'), 400, 'InvalidArgument', '51st style');
    // Replacing an existing style is still allowed at the limit.
    assertOk(await putStyle(busy, 's00', 'image/resize,w_99'), 200, 'update at the limit');
  });
});
