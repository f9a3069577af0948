// The browser half of OSS's "Authorized access" page: the seed's code, as
// written, against a local ossd and `ossctl sts serve` (see README.md).
//
// The only addition to the seed's `new OSS({...})` is `endpoint`, because the
// bucket is not in oss-cn-hangzhou.aliyuncs.com but at a local ossd:
// http://localhost:9000 puts the bucket in the host
// (http://examplebucket.localhost:9000/), which browsers resolve to loopback.
//
// The page's settings come from its form, which query parameters prefill:
// ?sts=...&endpoint=...&region=...&bucket=...
/* global OSS */

// ------------------------------------------------ the seed's code, as written

export function getStore(stsServer, { region, bucket, endpoint }) {
  // Obtain a temporary access credential from the STS you set up.
  return fetch(stsServer)
    .then(resp => resp.json())
    .then(result => {
      // What the token service said when it could not get a credential.
      if (!result.AccessKeyId) throw new Error(`token service: ${result.Code}: ${result.Message}`);
      const store = new OSS({
        accessKeyId: result.AccessKeyId,
        accessKeySecret: result.AccessKeySecret,
        stsToken: result.SecurityToken,
        // Set region to the region where the requested bucket is located.
        region,
        bucket,
        endpoint,
      });
      // Generate a signed URL.
      const url = store.signatureUrl('ossdemo.txt');
      console.log(url);
      return { store, credential: { accessKeyId: result.AccessKeyId, expiration: result.Expiration } };
    });
}

// ----------------------------------------------------------- the demo flow

function describeError(e) {
  return { name: e && e.name, code: e && e.code, status: e && e.status, message: String((e && e.message) || e) };
}

// Uploads `body` (a File, Blob or string) as `key` with a fresh temporary
// credential and reads it back through a signed URL. Returns plain data, so
// tests can drive it with page.evaluate.
export async function uploadAndShow(settings, key, body) {
  const { store, credential } = await getStore(settings.sts, settings);
  const out = { accessKeyId: credential.accessKeyId, expiration: credential.expiration };
  try {
    // The browser build takes a Blob or File, not a string.
    const put = await store.put(key, typeof body === 'string' ? new Blob([body], { type: 'text/plain' }) : body);
    out.putStatus = put.res.status;
  } catch (e) {
    out.putError = describeError(e);
    return out;
  }
  out.url = store.signatureUrl(key, { expires: 600 });
  const response = await fetch(out.url);
  out.status = response.status;
  out.contentType = response.headers.get('content-type');
  out.body = await response.text();
  return out;
}

// Reads an existing object through a signed URL made with a fresh credential.
export async function readBack(settings, key) {
  const { store } = await getStore(settings.sts, settings);
  const response = await fetch(store.signatureUrl(key));
  return { status: response.status, body: await response.text() };
}

// ------------------------------------------------------------------ the page

function settingsFromForm() {
  const value = (id) => document.getElementById(id).value.trim();
  return { sts: value('sts'), endpoint: value('endpoint'), region: value('region'), bucket: value('bucket') };
}

function log(line) {
  document.getElementById('log').textContent += `${line}\n`;
}

function show(result, file) {
  const link = document.getElementById('link');
  link.href = result.url;
  link.textContent = result.url;
  const preview = document.getElementById('preview');
  preview.replaceChildren();
  if (file.type.startsWith('image/')) {
    const img = document.createElement('img');
    img.src = result.url;  // the browser fetches it through the signed URL itself
    img.alt = file.name;
    preview.append(img);
  } else {
    const pre = document.createElement('pre');
    pre.id = 'preview-text';
    pre.textContent = result.body;
    preview.append(pre);
  }
}

async function onSubmit(event) {
  event.preventDefault();
  const status = document.getElementById('status');
  const file = document.getElementById('file').files[0];
  if (!file) {
    status.textContent = 'pick a file first';
    return;
  }
  const key = document.getElementById('key').value.trim() || file.name;
  status.className = '';
  status.textContent = 'uploading';
  try {
    const result = await uploadAndShow(settingsFromForm(), key, file);
    log(JSON.stringify(result, (k, v) => (k === 'body' ? undefined : v), 2));
    if (result.putError) {
      status.className = 'error';
      status.textContent = `upload refused: ${result.putError.code || result.putError.message}`;
      return;
    }
    show(result, file);
    status.textContent = result.status === 200 ? 'done' : `signed URL answered ${result.status}`;
  } catch (e) {
    status.className = 'error';
    status.textContent = `failed: ${e.message}`;
  }
}

const params = new URLSearchParams(location.search);
for (const id of ['sts', 'endpoint', 'region', 'bucket']) {
  if (params.has(id)) document.getElementById(id).value = params.get(id);
}
document.getElementById('demo').addEventListener('submit', onSubmit);
window.stsDemo = { getStore, uploadAndShow, readBack, settingsFromForm };
window.stsDemoReady = true;
