// HTTP framing abuse over raw sockets: bodies longer or shorter than
// Content-Length, stalled uploads, slowloris, oversized headers, missing
// Content-Length, chunked bodies, garbage. The server must never crash, never
// show a partial object, and keep serving everyone else.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startServer } from '../lib/server.mjs';
import {
  send, buildRequest, rawConnect, rawHead, parseResponses, assertError, assertOk, createBucket, putObject,
  uniqueName, xmlText, xmlAll, xmlUnescape, xmlRoot, sleep, etagOf,
} from './lib/oss.mjs';

// A response the server produced on a raw socket for a bad request: 4xx with
// an OSS <Error> document and a request id.
function assertRawError(r, what, statuses = null) {
  assert.ok(statuses ? statuses.includes(r.status) : (r.status >= 400 && r.status < 500), `${what}: got ${r.status} ${r.text.slice(0, 300)}`);
  assert.equal(xmlRoot(r.text), 'Error', `${what}: body is not an OSS <Error>: ${r.text.slice(0, 300)}`);
  assert.ok(xmlText(r.text, 'Code'), `${what}: no <Code>`);
  assert.ok(r.headers['x-oss-request-id'], `${what}: no x-oss-request-id`);
}

describe('HTTP framing and slow clients', () => {
  let srv;
  const bucket = uniqueName('frame');
  before(async () => {
    srv = await startServer();
    await createBucket(srv, bucket);
  });
  after(async () => { await srv?.stop(); });

  // The server answers a normal signed request quickly.
  async function stillServing(what) {
    const t0 = Date.now();
    const res = await send(srv, { bucket, query: { 'max-keys': '1' }, timeoutMs: 5000 });
    assertOk(res, 200, `server still serving (${what})`);
    const ms = Date.now() - t0;
    assert.ok(ms < 3000, `server slow (${ms} ms) while ${what}`);
    return ms;
  }

  async function assertAbsent(key, what) {
    assertError(await send(srv, { bucket, key }), 404, 'NoSuchKey', what);
    const list = assertOk(await send(srv, { bucket, query: { prefix: key } }));
    assert.ok(!xmlAll(list.text, 'Key').map(xmlUnescape).includes(key), `${key} listed (${what})`);
  }

  function signedHead(opts) {
    return buildRequest(srv, { method: 'PUT', bucket, ...opts });
  }

  it('body longer than Content-Length: object has exactly CL bytes, extra bytes get 400 or a close, no crash', async () => {
    const key = 'framing/longer';
    const req = signedHead({ key });
    req.headers['Content-Length'] = 5;
    const c = rawConnect(srv);
    await c.connected;
    await c.write(rawHead(req) + 'helloGARBAGE-NOT-HTTP \x00\x01\x02\r\n\r\n');
    const done = await c.waitFor((s) => s.closed || parseResponses(s.data).length >= 2, 5000);
    const responses = parseResponses(c.state.data);
    c.destroy();
    assert.ok(responses.length >= 1, `no response at all: ${c.state.data.toString().slice(0, 500)}`);
    assert.equal(responses[0].status, 200, responses[0].text);
    assert.equal(responses[0].headers.etag, etagOf(Buffer.from('hello')));
    if (responses.length >= 2) {
      assertRawError(responses[1], `garbage got ${responses[1].status}`);
    } else {
      assert.ok(done, 'server neither answered the garbage nor closed within 5 s');
    }
    assert.equal(assertOk(await send(srv, { bucket, key })).text, 'hello');
    await stillServing('after trailing garbage');
  });

  it('body shorter than Content-Length, then the client closes: no object, server keeps serving', async () => {
    const key = 'framing/short-close';
    const req = signedHead({ key });
    req.headers['Content-Length'] = 100000;
    const c = rawConnect(srv);
    await c.connected;
    await c.write(rawHead(req));
    await c.write(crypto.randomBytes(40000));
    await sleep(100);
    c.sock.end();
    await c.waitFor((s) => s.closed, 5000);
    c.destroy();
    await sleep(300);
    await assertAbsent(key, 'after a truncated upload');
    await stillServing('after a truncated upload');
  });

  it('truncated overwrite leaves the old object intact', async () => {
    const key = 'framing/overwrite';
    await putObject(srv, bucket, key, 'the old content');
    const req = signedHead({ key });
    req.headers['Content-Length'] = 50000;
    const c = rawConnect(srv);
    await c.connected;
    await c.write(rawHead(req));
    await c.write(Buffer.alloc(20000, 0x41));
    c.destroy(); // abrupt reset, not a FIN
    await sleep(300);
    const res = assertOk(await send(srv, { bucket, key }));
    assert.equal(res.text, 'the old content');
  });

  it('client stalls mid-body: others are served meanwhile, no partial object, cut off by the idle timeout (or by us after 4 s)', async () => {
    const key = 'framing/stall';
    const req = signedHead({ key });
    req.headers['Content-Length'] = 1 << 20;
    const c = rawConnect(srv);
    await c.connected;
    await c.write(rawHead(req));
    await c.write(Buffer.alloc(300000, 0x42));
    const t0 = Date.now();
    let serverClosed = false;
    for (let i = 0; i < 4; i++) {
      await stillServing('a client stalls mid-body');
      await assertAbsent(key, 'while the upload stalls');
      if (c.state.closed) { serverClosed = true; break; }
      await c.waitFor((s) => s.closed, 1000);
    }
    const waited = Date.now() - t0;
    const responses = parseResponses(c.state.data);
    c.destroy();
    if (responses.length) {
      // If the server answers before closing, it must be a client-side error (timeout), not 200/5xx.
      assertRawError(responses[0], `stalled upload answered ${responses[0].status}`);
    }
    await sleep(300);
    await assertAbsent(key, 'after the stalled upload ended');
    await stillServing('after the stalled upload ended');
    console.log(`stalled upload: server ${serverClosed ? `cut it off after ~${waited} ms` : `kept it open for ${waited} ms (idle timeout longer than the test waits)`}`);
  });

  it('slowloris: 10 connections sending headers at 1 byte/s do not block other clients', async () => {
    const conns = [];
    for (let i = 0; i < 10; i++) {
      const c = rawConnect(srv);
      await c.connected;
      conns.push(c);
    }
    const head = `GET /${bucket}/slow HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nX-Slow: `;
    const latencies = [];
    for (let sec = 0; sec < 5; sec++) {
      await Promise.all(conns.map((c) => c.write(head[sec] ?? 'a')));
      latencies.push(await stillServing('slowloris connections are open'));
      await sleep(1000);
    }
    const open = conns.filter((c) => !c.state.closed).length;
    for (const c of conns) {
      const responses = parseResponses(c.state.data);
      for (const r of responses) assertRawError(r, `slowloris got ${r.status}`);
      c.destroy();
    }
    console.log(`slowloris: ${open}/10 still open after 5 s; other-client latencies ms ${latencies.join(',')}`);
  });

  it('100 KB header -> 4xx or close, and the server keeps serving', async () => {
    const req = buildRequest(srv, { bucket, key: 'big-header' });
    const c = rawConnect(srv);
    await c.connected;
    await c.write(rawHead(req, [`X-Big: ${'a'.repeat(100 * 1024)}`]));
    const done = await c.waitFor((s) => s.closed || parseResponses(s.data).length >= 1, 10000);
    const responses = parseResponses(c.state.data);
    c.destroy();
    assert.ok(done, 'server neither answered nor closed within 10 s');
    if (responses.length) {
      assertRawError(responses[0], `100 KB header got ${responses[0].status}`);
    }
    await stillServing('after a 100 KB header');
  });

  it('2000 small headers -> 4xx or close (or served), never 5xx, and the server keeps serving', async () => {
    const req = buildRequest(srv, { bucket, key: 'many-headers' });
    const lines = Array.from({ length: 2000 }, (_, i) => `X-H${i}: v`);
    const c = rawConnect(srv);
    await c.connected;
    await c.write(rawHead(req, lines));
    const done = await c.waitFor((s) => s.closed || parseResponses(s.data).length >= 1, 10000);
    const responses = parseResponses(c.state.data);
    c.destroy();
    assert.ok(done, 'server neither answered nor closed within 10 s');
    if (responses.length) assert.ok(responses[0].status < 500, `many headers got ${responses[0].status}`);
    await stillServing('after 2000 headers');
  });

  it('PUT without Content-Length and not chunked -> 411 MissingContentLength, or an empty object', async () => {
    const key = 'framing/no-length';
    const req = signedHead({ key });
    const c = rawConnect(srv);
    await c.connected;
    await c.write(rawHead(req));
    const done = await c.waitFor((s) => parseResponses(s.data).length >= 1 || s.closed, 5000);
    const [res] = parseResponses(c.state.data);
    c.destroy();
    assert.ok(done && res, `no response to a length-less PUT: ${c.state.data.toString().slice(0, 300)}`);
    if (res.status === 411) {
      assert.equal(xmlText(res.text, 'Code'), 'MissingContentLength', res.text);
      await assertAbsent(key, 'after MissingContentLength');
    } else {
      assert.equal(res.status, 200, `length-less PUT answered ${res.status}: ${res.text}`);
      const got = assertOk(await send(srv, { bucket, key }));
      assert.equal(got.body.length, 0);
    }
  });

  it('chunked PUT (Transfer-Encoding: chunked) stores the whole body', async () => {
    const key = 'framing/chunked';
    const body = crypto.randomBytes(70000);
    const req = signedHead({ key });
    req.headers['Transfer-Encoding'] = 'chunked';
    const c = rawConnect(srv);
    await c.connected;
    await c.write(rawHead(req));
    for (let off = 0; off < body.length; off += 16384) {
      const piece = body.subarray(off, off + 16384);
      await c.write(Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]));
    }
    await c.write('0\r\n\r\n');
    await c.waitFor((s) => parseResponses(s.data).length >= 1 || s.closed, 10000);
    const [res] = parseResponses(c.state.data);
    c.destroy();
    assert.ok(res, 'no response to a chunked PUT');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.etag, etagOf(body));
    const got = assertOk(await send(srv, { bucket, key }));
    assert.ok(got.body.equals(body), 'chunked body read back differently');
  });

  it('malformed chunked body -> 400 or close, no object', async () => {
    const key = 'framing/bad-chunked';
    const req = signedHead({ key });
    req.headers['Transfer-Encoding'] = 'chunked';
    const c = rawConnect(srv);
    await c.connected;
    await c.write(`${rawHead(req)}5\r\nhello\r\nZZZZ\r\nnot a chunk\r\n0\r\n\r\n`);
    const done = await c.waitFor((s) => parseResponses(s.data).length >= 1 || s.closed, 5000);
    const responses = parseResponses(c.state.data);
    c.destroy();
    assert.ok(done, 'server neither answered nor closed');
    if (responses.length) assertRawError(responses[0], `bad chunked got ${responses[0].status}`);
    await sleep(200);
    await assertAbsent(key, 'after a malformed chunked body');
  });

  it('Content-Length and Transfer-Encoding together (smuggling shape) -> 400 and close; the request behind it never runs', async () => {
    const key = 'framing/smuggle';
    const req = signedHead({ key });
    req.headers['Content-Length'] = 4;
    req.headers['Transfer-Encoding'] = 'chunked';
    // A validly signed DELETE rides behind the ambiguous body. RFC 9112 6.3: a
    // server may reject such a message, and if it processes it at all it must
    // close the connection afterwards, so the DELETE must never be answered.
    await putObject(srv, bucket, 'framing/victim', 'still here');
    const smuggled = rawHead(buildRequest(srv, { method: 'DELETE', bucket, key: 'framing/victim' }));
    const c = rawConnect(srv);
    await c.connected;
    await c.write(`${rawHead(req)}0\r\n\r\n${smuggled}`);
    await c.waitFor((s) => s.closed || parseResponses(s.data).length >= 2, 3000);
    const responses = parseResponses(c.state.data);
    c.destroy();
    assert.ok(responses.length >= 1, 'no response to a CL+TE request');
    assert.equal(responses.length, 1, `the request behind the CL+TE body was answered: ${responses.map((r) => r.status)}`);
    if (responses[0].status !== 200) assertRawError(responses[0], 'CL+TE', [400]);
    assert.equal(assertOk(await send(srv, { bucket, key: 'framing/victim' })).text, 'still here');
  });


  it('negative / non-numeric / huge Content-Length -> 400 (or 413), never 5xx', async () => {
    for (const cl of ['-1', 'abc', '99999999999999999999999', '1, 2']) {
      const req = signedHead({ key: 'framing/badcl' });
      req.headers['Content-Length'] = cl;
      const c = rawConnect(srv);
      await c.connected;
      await c.write(rawHead(req));
      const done = await c.waitFor((s) => parseResponses(s.data).length >= 1 || s.closed, 5000);
      const responses = parseResponses(c.state.data);
      c.destroy();
      assert.ok(done, `Content-Length ${cl}: no answer and no close`);
      if (responses.length) {
        assertRawError(responses[0], `Content-Length ${cl}`, [400, 411, 413]);
      }
    }
    await assertAbsent('framing/badcl', 'after bad Content-Length values');
    await stillServing('after bad Content-Length values');
  });

  it('garbage instead of a request line -> 400 or close', async () => {
    for (const junk of ['\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03', 'HELLO\r\n\r\n', 'GET\r\n\r\n',
      `GET /${bucket}/ HTTP/9.9\r\nHost: x\r\n\r\n`, ' '.repeat(10000)]) {
      const c = rawConnect(srv);
      await c.connected;
      await c.write(junk);
      // Waiting for more bytes is legitimate for what could be a partial request,
      // so only a response (if any) is checked here.
      await c.waitFor((s) => parseResponses(s.data).length >= 1 || s.closed, 3000);
      const responses = parseResponses(c.state.data);
      c.destroy();
      if (responses.length) assertRawError(responses[0], `junk ${JSON.stringify(junk.slice(0, 20))}`);
    }
    await stillServing('after junk connections');
  });

  it('pipelined requests on one connection get answers in order', async () => {
    await putObject(srv, bucket, 'pipe/1', 'one');
    await putObject(srv, bucket, 'pipe/2', 'two');
    const a = buildRequest(srv, { bucket, key: 'pipe/1' });
    const b = buildRequest(srv, { method: 'HEAD', bucket, key: 'pipe/2' });
    const d = buildRequest(srv, { bucket, key: 'pipe/2' });
    const c = rawConnect(srv);
    await c.connected;
    await c.write(rawHead(a) + rawHead(b) + rawHead(d));
    await c.waitFor((s) => parseResponses(s.data, ['GET', 'HEAD', 'GET']).length >= 3 || s.closed, 5000);
    const rs = parseResponses(c.state.data, ['GET', 'HEAD', 'GET']);
    c.destroy();
    assert.equal(rs.length, 3, c.state.data.toString());
    assert.deepEqual(rs.map((r) => r.status), [200, 200, 200]);
    assert.equal(rs[0].text, 'one');
    assert.equal(rs[1].headers['content-length'], '3');
    assert.equal(rs[2].text, 'two');
  });

  it('Expect: 100-continue with a bad signature gets the error without the body being needed', async () => {
    const req = buildRequest(srv, { method: 'PUT', bucket, key: 'framing/expect', accessKeySecret: 'wrong' });
    req.headers['Content-Length'] = 10 * 1024 * 1024;
    req.headers.Expect = '100-continue';
    const c = rawConnect(srv);
    await c.connected;
    await c.write(rawHead(req));
    await c.waitFor((s) => /HTTP\/1\.1 [2-5]\d\d/.test(s.data.toString('latin1').replace(/HTTP\/1\.1 100[^\r]*\r\n\r\n/g, '')) || s.closed, 5000);
    const text = c.state.data.toString('latin1').replace(/HTTP\/1\.1 100[^\r]*\r\n\r\n/g, '');
    c.destroy();
    const [res] = parseResponses(Buffer.from(text, 'latin1'));
    assert.ok(res, `no final response without the body: ${text.slice(0, 300)}`);
    assert.equal(res.status, 403);
    assert.equal(xmlText(res.text, 'Code'), 'SignatureDoesNotMatch');
    await assertAbsent('framing/expect', 'after a rejected 100-continue upload');
  });
});

describe('timeouts actually cut slow clients off (server started with short limits)', () => {
  let srv;
  const bucket = uniqueName('tmo');
  before(async () => {
    srv = await startServer({ args: ['--header-timeout', '2', '--body-idle-timeout', '2', '--keepalive-timeout', '2'] });
    await createBucket(srv, bucket);
  });
  after(async () => { await srv?.stop(); });

  it('a stalled upload is cut off after --body-idle-timeout and leaves no object', async () => {
    const key = 'tmo/stall';
    const req = buildRequest(srv, { method: 'PUT', bucket, key });
    req.headers['Content-Length'] = 1 << 20;
    const c = rawConnect(srv);
    await c.connected;
    await c.write(rawHead(req));
    await c.write(Buffer.alloc(100000, 0x43));
    const t0 = Date.now();
    const closed = await c.waitFor((s) => s.closed, 8000);
    const waited = Date.now() - t0;
    const responses = parseResponses(c.state.data);
    c.destroy();
    assert.ok(closed, 'stalled upload still open 8 s after a 2 s body idle timeout');
    assert.ok(waited >= 1500, `cut off after only ${waited} ms`);
    // OSS answers a stalled upload with 400 RequestTimeout before closing.
    assert.equal(responses.length, 1, `answers before the close: ${c.state.data.toString().slice(0, 300)}`);
    assert.equal(responses[0].status, 400);
    assert.equal(xmlText(responses[0].text, 'Code'), 'RequestTimeout');
    assert.ok(xmlText(responses[0].text, 'RequestId'), 'the answer names its request id');
    assertError(await send(srv, { bucket, key }), 404, 'NoSuchKey');
    assertOk(await send(srv, { bucket }));
  });

  it('a stalled chunked upload is answered 400 RequestTimeout too, and leaves no object', async () => {
    const key = 'tmo/stall-chunked';
    const req = buildRequest(srv, { method: 'PUT', bucket, key });
    req.headers['Transfer-Encoding'] = 'chunked';
    const c = rawConnect(srv);
    await c.connected;
    await c.write(rawHead(req));
    await c.write(Buffer.concat([Buffer.from('4000\r\n'), Buffer.alloc(0x4000, 0x44), Buffer.from('\r\n8000\r\n')]));
    const closed = await c.waitFor((s) => s.closed, 8000);
    const responses = parseResponses(c.state.data);
    c.destroy();
    assert.ok(closed, 'stalled chunked upload still open 8 s after a 2 s body idle timeout');
    assert.equal(responses.length, 1, `answers before the close: ${c.state.data.toString().slice(0, 300)}`);
    assert.equal(responses[0].status, 400);
    assert.equal(xmlText(responses[0].text, 'Code'), 'RequestTimeout');
    assertError(await send(srv, { bucket, key }), 404, 'NoSuchKey');
  });

  it('slowloris is cut off after --header-timeout', async () => {
    const c = rawConnect(srv);
    await c.connected;
    const head = `GET /${bucket}/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaa`;
    const t0 = Date.now();
    for (let i = 0; i < 8 && !c.state.closed; i++) {
      await c.write(head[i]);
      await c.waitFor((s) => s.closed, 1000);
    }
    const waited = Date.now() - t0;
    const responses = parseResponses(c.state.data);
    c.destroy();
    assert.ok(c.state.closed, `slowloris connection still open after ${waited} ms with a 2 s header timeout`);
    if (responses.length) assertRawError(responses[0], 'slowloris timeout', [400, 408]);
    assertOk(await send(srv, { bucket }));
  });

  it('an idle keep-alive connection is closed after --keepalive-timeout', async () => {
    const c = rawConnect(srv);
    await c.connected;
    await c.write(rawHead(buildRequest(srv, { bucket, query: { 'max-keys': '1' } })));
    const got = await c.waitFor((s) => parseResponses(s.data).length >= 1, 5000);
    assert.ok(got, 'no response');
    assert.equal(parseResponses(c.state.data)[0].status, 200);
    const closed = await c.waitFor((s) => s.closed, 8000);
    c.destroy();
    assert.ok(closed, 'idle keep-alive connection still open 8 s after a 2 s keep-alive timeout');
  });
});
