// The signed-URL calls of OSS's "Authorized access" page, run against a local
// ossd with the real ali-oss SDK, each URL fetched with plain HTTP.
//
//   OSS_ENDPOINT=http://localhost:9000 OSS_ACCESS_KEY_ID=... OSS_ACCESS_KEY_SECRET=... \
//     NODE_PATH=../tests/node_modules node seed-signed-urls.cjs
const path = require('node:path');
const OSS = require('ali-oss');

const endpoint = process.env.OSS_ENDPOINT || 'http://localhost:9000';
const accessKeyId = process.env.OSS_ACCESS_KEY_ID;
const accessKeySecret = process.env.OSS_ACCESS_KEY_SECRET;
if (!accessKeyId || !accessKeySecret) {
  console.error('set OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET (ossd prints the root key at start)');
  process.exit(2);
}

// As on the page, plus where ossd is: node does not resolve <bucket>.localhost,
// so the local endpoint is addressed path-style (sldEnable).
const store = new OSS({
  accessKeyId,
  accessKeySecret,
  region: 'oss-cn-hangzhou',
  bucket: 'examplebucket',
  endpoint,
  sldEnable: true,
});

async function show(label, url, init) {
  const res = await fetch(url, init);
  const body = await res.text();
  const type = res.headers.get('content-type');
  const disposition = res.headers.get('content-disposition');
  console.log(`${label}: ${res.status}${type ? ` content-type=${type}` : ''}` +
    `${disposition ? ` content-disposition=${disposition}` : ''}${body && res.ok ? ` body=${JSON.stringify(body)}` : ''}`);
  if (!res.ok) console.log(`  ${body.replace(/\s+/g, ' ').slice(0, 200)}`);
  return res;
}

// A PNG's size is in its IHDR chunk: width and height at bytes 16 and 20.
async function showImage(label, url) {
  const res = await fetch(url);
  const body = Buffer.from(await res.arrayBuffer());
  if (!res.ok) {
    console.log(`${label}: ${res.status}\n  ${body.toString().replace(/\s+/g, ' ').slice(0, 200)}`);
    return;
  }
  console.log(`${label}: ${res.status} content-type=${res.headers.get('content-type')} ` +
    `size=${body.readUInt32BE(16)}x${body.readUInt32BE(20)}`);
}

(async () => {
  await store.putBucket('examplebucket');
  await store.put('ossdemo.txt', Buffer.from('Hello OSS'));

  const url = store.signatureUrl('ossdemo.txt');
  console.log(url);
  await show('GET signatureUrl(ossdemo.txt)', url);

  const putUrl = store.signatureUrl('ossdemo.txt', { expires: 3600, method: 'PUT' });
  await show('PUT {expires: 3600, method: PUT}', putUrl, { method: 'PUT', body: Buffer.from('put via URL') });

  const typedPutUrl = store.signatureUrl('ossdemo.txt', {
    expires: 3600,
    method: 'PUT',
    'Content-Type': 'text/plain; charset=UTF-8',
  });
  await show('PUT with Content-Type', typedPutUrl, {
    method: 'PUT',
    headers: { 'Content-Type': 'text/plain; charset=UTF-8' },
    body: Buffer.from('Hello again'),
  });

  const responseUrl = store.signatureUrl('ossdemo.txt', {
    expires: 3600,
    response: { 'content-type': 'text/custom', 'content-disposition': 'attachment' },
  });
  await show('GET with response overrides', responseUrl);

  // An 800x600 PNG beside this script; resize,w_200 answers a 200x150 PNG.
  await store.put('ossdemo.png', path.join(__dirname, 'ossdemo.png'));
  await showImage('GET with process', store.signatureUrl('ossdemo.png', { process: 'image/resize,w_200' }));
  await showImage('GET with expires and process',
    store.signatureUrl('ossdemo.png', { expires: 3600, process: 'image/resize,w_200' }));
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
