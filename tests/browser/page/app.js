// In-page half of tests/browser/browser.test.mjs. The page is served from a
// different origin (http://127.0.0.1:<page port>) than ossd
// (http://localhost:<ossd port> or http://<bucket>.localhost:<ossd port>), so
// every call below is a real cross-origin request that ossd's CORS rules must
// allow. Each step returns plain JSON (hashes, statuses, texts) for node to
// assert on; it never decides pass/fail itself.
/* global OSS */
'use strict';

(function () {
  const REGION = 'oss-cn-hangzhou';
  const REQUEST_TIMEOUT = 20000;

  function client(cfg, bucket) {
    return new OSS({
      region: REGION,
      endpoint: cfg.endpoint,
      sldEnable: !!cfg.sldEnable,
      accessKeyId: cfg.accessKeyId,
      accessKeySecret: cfg.accessKeySecret,
      bucket: bucket || cfg.bucket,
      timeout: REQUEST_TIMEOUT,
      retryMax: 0,
    });
  }

  // The bucket's base URL, for requests made without the SDK (form POST).
  function bucketUrl(cfg, bucket) {
    const ep = new URL(cfg.endpoint);
    return cfg.sldEnable ? `${ep.protocol}//${ep.host}/${bucket}/` : `${ep.protocol}//${bucket}.${ep.host}/`;
  }

  function describeError(e) {
    if (!e || typeof e !== 'object') return { message: String(e) };
    return {
      name: e.name,
      message: String(e.message || e).slice(0, 2000),
      status: e.status,
      code: e.code,
      requestId: e.requestId,
    };
  }

  function hex(buffer) {
    return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
  }

  async function sha256(data) {
    // data: ArrayBuffer, typed array (incl. OSS.Buffer) or Blob
    if (data instanceof Blob) data = await data.arrayBuffer();
    return hex(await crypto.subtle.digest('SHA-256', data));
  }

  function randomBytes(n) {
    const out = new Uint8Array(n);
    for (let off = 0; off < n; off += 65536) {
      crypto.getRandomValues(out.subarray(off, Math.min(n, off + 65536)));
    }
    return out;
  }

  async function timedFetch(url, init = {}) {
    return fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT) });
  }

  function errorCode(xmlText) {
    const m = /<Code>([^<]*)<\/Code>/.exec(xmlText || '');
    return m ? m[1] : null;
  }

  // Every header the page can read on a cross-origin response (only the
  // CORS-safelisted ones plus Access-Control-Expose-Headers).
  function visibleHeaders(response) {
    const out = {};
    response.headers.forEach((value, name) => { out[name] = value; });
    return out;
  }

  const steps = {
    // putBucketCORS with the final rules, then getBucketCORS.
    async cors(cfg) {
      const store = client(cfg);
      const put = await store.putBucketCORS(cfg.bucket, cfg.rules);
      const got = await store.getBucketCORS(cfg.bucket);
      return { putStatus: put.res.status, getStatus: got.res.status, rules: got.rules };
    },

    // put a Blob (text) and a File (binary), read both back with get/head.
    async putGet(cfg) {
      const store = client(cfg);
      const text = 'hello from the browser ✓ ' + new Date().toISOString();
      const textBlob = new Blob([text], { type: 'text/plain;charset=utf-8' });
      const put1 = await store.put('browser/hello.txt', textBlob);
      const get1 = await store.get('browser/hello.txt');
      const head1 = await store.head('browser/hello.txt');

      const bin = randomBytes(256 * 1024 + 7);
      const file = new File([bin], 'bin.dat', { type: 'application/octet-stream' });
      const put2 = await store.put('browser/bin.dat', file);
      const get2 = await store.get('browser/bin.dat');
      return {
        text,
        put1: { status: put1.res.status, etag: put1.res.headers.etag, name: put1.name },
        get1: { status: get1.res.status, text: new TextDecoder().decode(get1.content), etag: get1.res.headers.etag },
        head1: { status: head1.res.status, etag: head1.res.headers.etag, contentType: head1.res.headers['content-type'] },
        binSize: bin.length,
        binSha: await sha256(bin),
        put2: { status: put2.res.status, etag: put2.res.headers.etag },
        get2: { status: get2.res.status, size: get2.content.length, sha: await sha256(get2.content) },
      };
    },

    // multipartUpload of a 10 MiB File generated in the page, downloaded back
    // both through the SDK and through fetch(signatureUrl).
    async multipart(cfg) {
      const store = client(cfg);
      const size = 10 * 1024 * 1024;
      const bytes = randomBytes(size);
      const file = new File([bytes], 'big.bin', { type: 'application/octet-stream' });
      const key = 'browser/big.bin';
      const progress = [];
      const up = await store.multipartUpload(key, file, {
        partSize: cfg.partSize,
        parallel: 4,
        progress: (p) => { progress.push(p); },
      });
      const got = await store.get(key);
      const fetched = await timedFetch(store.signatureUrl(key));
      const fetchedBody = await fetched.arrayBuffer();
      return {
        size,
        sha: await sha256(bytes),
        upload: { status: up.res.status, etag: up.etag, name: up.name },
        progressCalls: progress.length,
        lastProgress: progress[progress.length - 1],
        get: { status: got.res.status, size: got.content.length, sha: await sha256(got.content), etag: got.res.headers.etag },
        fetch: { status: fetched.status, size: fetchedBody.byteLength, sha: await sha256(fetchedBody) },
      };
    },

    // fetch(signatureUrl(...)) for GET (V1 and V4 query auth) and a signed PUT.
    async signedUrl(cfg) {
      const store = client(cfg);
      const text = 'signed url body ✓ ' + Math.random();
      await store.put('signed/url.txt', new Blob([text], { type: 'text/plain' }));

      const urlV1 = store.signatureUrl('signed/url.txt', { expires: 600 });
      const r1 = await timedFetch(urlV1);
      const body1 = await r1.text();

      const urlV4 = await store.signatureUrlV4('GET', 600, undefined, 'signed/url.txt');
      const r4 = await timedFetch(urlV4);
      const body4 = await r4.text();

      const putText = 'uploaded by fetch PUT to a signed URL ' + Math.random();
      const putUrl = store.signatureUrl('signed/put.txt', { method: 'PUT', 'Content-Type': 'text/plain' });
      const rp = await timedFetch(putUrl, { method: 'PUT', headers: { 'Content-Type': 'text/plain' }, body: putText });
      const putResponse = await rp.text();
      const back = await store.get('signed/put.txt');

      const tampered = urlV1.replace(/Signature=[^&]+/, 'Signature=AAAAAAAAAAAAAAAAAAAAAAAAAAA%3D');
      const rt = await timedFetch(tampered);
      const tamperedBody = await rt.text();
      return {
        text,
        urlV1,
        v1: { status: r1.status, text: body1, headers: visibleHeaders(r1) },
        urlV4,
        v4: { status: r4.status, text: body4 },
        put: { status: rp.status, body: putResponse, headers: visibleHeaders(rp), text: putText, back: new TextDecoder().decode(back.content) },
        tampered: { status: rt.status, code: errorCode(tamperedBody) },
      };
    },

    // PostObject: policy + Signature computed in the page, multipart/form-data
    // POST to the bucket URL (file last), then the object is read back.
    async postObject(cfg) {
      const store = client(cfg);
      const key = 'form/upload-' + Date.now() + '.txt';
      const policy = {
        expiration: new Date(Date.now() + 10 * 60 * 1000).toISOString(),
        conditions: [
          { bucket: cfg.bucket },
          ['eq', '$key', key],
          ['content-length-range', 1, 1024 * 1024],
        ],
      };
      // The browser build has no calculatePostSignature; its equivalent is
      // base64(policy JSON) signed with store.signature() (HMAC-SHA1 of the
      // secret, as lib/common/object/calculatePostSignature.js does in node).
      const policyB64 = btoa(JSON.stringify(policy));
      const signature = store.signature(policyB64);
      // Independent check of that signature with WebCrypto.
      const hmacKey = await crypto.subtle.importKey('raw', new TextEncoder().encode(cfg.accessKeySecret),
        { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
      const mac = new Uint8Array(await crypto.subtle.sign('HMAC', hmacKey, new TextEncoder().encode(policyB64)));
      const webCryptoSignature = btoa(String.fromCharCode(...mac));

      const content = 'posted from a browser form ✓ ' + Math.random();
      const url = bucketUrl(cfg, cfg.bucket);
      const form = (fields, file) => {
        const fd = new FormData();
        for (const [k, v] of fields) fd.append(k, v);
        fd.append('file', file, 'upload.txt'); // the file is the last field
        return fd;
      };
      const fields = [
        ['key', key],
        ['OSSAccessKeyId', cfg.accessKeyId],
        ['policy', policyB64],
        ['Signature', signature],
        ['success_action_status', '200'],
      ];
      const r = await timedFetch(url, { method: 'POST', body: form(fields, new Blob([content], { type: 'text/plain' })) });
      const responseBody = await r.text();
      const back = await store.get(key);

      // Same form, wrong signature.
      const badFields = fields.map(([k, v]) => (k === 'Signature' ? [k, 'AAAAAAAAAAAAAAAAAAAAAAAAAAA='] : [k, v]));
      const rb = await timedFetch(url, { method: 'POST', body: form(badFields, new Blob(['nope'], { type: 'text/plain' })) });
      const badBody = await rb.text();

      // Same form, file larger than the policy's content-length-range.
      const big = new Blob([randomBytes(1024 * 1024 + 1)], { type: 'application/octet-stream' });
      const rl = await timedFetch(url, { method: 'POST', body: form(fields, big) });
      const largeBody = await rl.text();
      let afterLarge;
      try {
        afterLarge = new TextDecoder().decode((await store.get(key)).content);
      } catch (e) {
        afterLarge = describeError(e);
      }
      return {
        url,
        key,
        signature,
        webCryptoSignature,
        content,
        post: { status: r.status, body: responseBody, headers: visibleHeaders(r) },
        back: { status: back.res.status, text: new TextDecoder().decode(back.content) },
        badSignature: { status: rb.status, code: errorCode(badBody) },
        tooLarge: { status: rl.status, code: errorCode(largeBody) },
        afterLarge,
      };
    },

    // Against a bucket whose CORS rules do not allow this page's origin (or
    // that has none), the browser must refuse to hand the responses over.
    async corsDenied(cfg) {
      const store = client(cfg, cfg.deniedBucket);
      const out = { url: store.signatureUrl(cfg.deniedKey, { expires: 600 }) };
      try {
        const r = await timedFetch(out.url);
        out.fetch = { status: r.status, text: await r.text() };
      } catch (e) {
        out.fetchError = describeError(e);
      }
      try {
        const r = await store.put('denied/put.txt', new Blob(['x']));
        out.put = { status: r.res.status };
      } catch (e) {
        out.putError = describeError(e);
      }
      return out;
    },
  };

  window.ossdRun = async function ossdRun(step, cfg) {
    try {
      return { ok: true, value: await steps[step](cfg) };
    } catch (e) {
      return { ok: false, error: describeError(e) };
    }
  };
  window.ossdReady = typeof OSS === 'function';
  document.getElementById('status').textContent = window.ossdReady ? 'ready' : 'OSS SDK missing';
})();
