// The x-oss-process benchmark (issue #5), driven by bench/image.sh:
//   node bench/image/bench.mjs <photo.jpg> <workdir>
// In one run, on the same source:
//   * ossd over HTTP, derived-image cache off, one signed URL per case,
//     through a keep-alive agent: ms per image (median of N sequential
//     requests) and images/s with 2 clients;
//   * sharp in-process (sharp.concurrency(1), cache off, buffer input), the
//     same two ways (2 images in flight);
//   * vipsthumbnail, process start included, the same two ways (2 processes);
//   * the load row: a plain 4 KiB GET's p99 (wrk, 32 connections) idle and
//     while 32 clients request thumbnails (a 503 is retried after 50 ms).
// Output: RESULT lines, then a markdown report on stdout.
import { execFileSync, spawn } from 'node:child_process';
import http from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const requireTests = createRequire(path.join(repo, 'tests', 'package.json'));
const OSS = requireTests('ali-oss');
const { startServer } = await import(path.join(repo, 'tests', 'lib', 'server.mjs'));

const [photoPath, workdir] = process.argv.slice(2);
const N = Number(process.env.N || 30);             // sequential images per case
const THROUGHPUT_IMAGES = Number(process.env.THROUGHPUT_IMAGES || 40);
const LOAD_SECONDS = Number(process.env.LOAD_SECONDS || 8);
const QUALITY = 85;                                 // ossd's default JPEG/WebP quality

const CASES = [
  {
    name: 'w_200 (JPEG)',
    process: 'image/resize,w_200',
    sharp: (buf) => sharp(buf).resize({ width: 200 }).jpeg({ quality: QUALITY }).toBuffer(),
    thumbnail: (out) => ['-s', '200x', '-o', `${out}.jpg[Q=${QUALITY},optimize_coding]`],
  },
  {
    name: 'w_1024/format,webp',
    process: 'image/resize,w_1024/format,webp',
    sharp: (buf) => sharp(buf).resize({ width: 1024 }).webp({ quality: QUALITY }).toBuffer(),
    thumbnail: (out) => ['-s', '1024x', '-o', `${out}.webp[Q=${QUALITY}]`],
  },
];

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;
const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '-');

function get(url, agent) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(60000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

// Runs `count` jobs with `width` in flight; returns images per second.
async function throughput(count, width, job) {
  let next = 0;
  const start = process.hrtime.bigint();
  const worker = async () => {
    while (next < count) {
      next += 1;
      await job();
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return count / (ms(start) / 1000);
}

async function sequential(count, job) {
  await job(); // warm-up
  const times = [];
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await job();
    times.push(ms(start));
  }
  return median(times);
}

function runProcess(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => { err += c; });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}: ${err}`))));
    child.on('error', reject);
  });
}

function wrk(url, seconds) {
  const u = new URL(url);
  const out = execFileSync('wrk', ['-t1', '-c32', `-d${seconds}s`, '--latency', '-H', `Host: ${u.host}`, url],
    { encoding: 'utf8' });
  const unit = (v, s) => Number(v) * ({ us: 0.001, ms: 1, s: 1000 }[s]);
  const p99 = out.match(/99%\s+([\d.]+)(us|ms|s)/);
  const p50 = out.match(/50%\s+([\d.]+)(us|ms|s)/);
  const rps = out.match(/Requests\/sec:\s+([\d.]+)/);
  const non2xx = out.match(/Non-2xx or 3xx responses:\s+(\d+)/);
  return {
    p50: unit(p50[1], p50[2]), p99: unit(p99[1], p99[2]), rps: Number(rps[1]), errors: non2xx ? Number(non2xx[1]) : 0,
  };
}

// The whole machine's busy CPU share over `seconds`, from /proc/stat: on a
// shared box the neighbours' load says how far to trust absolute numbers.
async function machineBusy(seconds = 1) {
  const sample = () => {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + f[4];
    return { idle, total: f.reduce((a, b) => a + b, 0) };
  };
  const a = sample();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const b = sample();
  return 100 * (1 - (b.idle - a.idle) / (b.total - a.total));
}

const busyBefore = await machineBusy();
console.log(`RESULT machine_busy_before_pct=${fmt(busyBefore, 0)}`);
const photo = readFileSync(photoPath);
const size = await sharp(photo).metadata();
const results = { source: `${size.width}x${size.height} JPEG, ${photo.length} bytes` };

// ---- sharp -----------------------------------------------------------------
sharp.cache(false);
sharp.concurrency(1);
for (const c of CASES) {
  c.sharpMs = await sequential(N, () => c.sharp(photo));
  c.sharpRate = await throughput(THROUGHPUT_IMAGES, 2, () => c.sharp(photo));
  const out = await sharp(await c.sharp(photo)).metadata();
  console.log(`RESULT tool=sharp case="${c.name}" ms=${fmt(c.sharpMs, 2)} img_per_s_2=${fmt(c.sharpRate)} out=${out.width}x${out.height}`);
}

// ---- vipsthumbnail (process start included) --------------------------------
for (const c of CASES) {
  const out = path.join(workdir, 'vt');
  c.vtMs = await sequential(Math.min(N, 15), () => runProcess('vipsthumbnail', [photoPath, ...c.thumbnail(out)]));
  let k = 0;
  c.vtRate = await throughput(Math.min(THROUGHPUT_IMAGES, 20), 2,
    () => runProcess('vipsthumbnail', [photoPath, ...c.thumbnail(`${out}${(k += 1) % 2}`)]));
  console.log(`RESULT tool=vipsthumbnail case="${c.name}" ms=${fmt(c.vtMs, 2)} img_per_s_2=${fmt(c.vtRate)}`);
}

// ---- ossd over HTTP --------------------------------------------------------
const server = await startServer({ args: ['--image-cache-bytes', '0', '--no-access-log'] });
try {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const client = new OSS({
    accessKeyId: server.accessKeyId, accessKeySecret: server.accessKeySecret, region: 'oss-cn-hangzhou',
    endpoint: server.endpoint.replace('127.0.0.1', 'localhost'), sldEnable: true, agent, timeout: 60000,
  });
  await client.putBucket('bench-image');
  client.useBucket('bench-image');
  await client.put('photo.jpg', photo);
  await client.put('plain-4k.bin', Buffer.alloc(4096, 7));
  const signed = (key, opts = {}) => client.signatureUrl(key, { expires: 3600, ...opts }).replace('//localhost:', '//127.0.0.1:');

  for (const c of CASES) {
    const url = signed('photo.jpg', { process: c.process });
    const probe = await get(url, agent);
    if (probe.status !== 200) throw new Error(`ossd ${c.process}: ${probe.status} ${probe.body.toString().slice(0, 300)}`);
    const out = await sharp(probe.body).metadata();
    c.ossdMs = await sequential(N, async () => {
      const r = await get(url, agent);
      if (r.status !== 200) throw new Error(`ossd ${c.process}: ${r.status}`);
    });
    c.ossdRate = await throughput(THROUGHPUT_IMAGES, 2, async () => {
      const r = await get(url, agent);
      if (r.status !== 200) throw new Error(`ossd ${c.process}: ${r.status}`);
    });
    c.ossdOut = `${out.width}x${out.height} ${out.format}, ${probe.body.length} B`;
    console.log(`RESULT tool=ossd case="${c.name}" ms=${fmt(c.ossdMs, 2)} img_per_s_2=${fmt(c.ossdRate)} out=${c.ossdOut}`);
  }

  // ---- load row: plain GET p99, idle vs 32 thumbnail clients ---------------
  const plainUrl = signed('plain-4k.bin');
  const thumbUrl = signed('photo.jpg', { process: 'image/resize,w_200' });
  wrk(plainUrl, 1); // warm-up
  const idle = wrk(plainUrl, LOAD_SECONDS);
  console.log(`RESULT load=idle plain_p50_ms=${fmt(idle.p50, 3)} plain_p99_ms=${fmt(idle.p99, 3)} rps=${fmt(idle.rps, 0)}`);
  let stop = false;
  const counts = { ok: 0, refused: 0, other: 0 };
  const thumbAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const loops = Array.from({ length: 32 }, async () => {
    while (!stop) {
      const r = await get(thumbUrl, thumbAgent).catch(() => ({ status: 0 }));
      if (r.status === 200) counts.ok += 1;
      else if (r.status === 503) {
        counts.refused += 1;
        await new Promise((resolve) => setTimeout(resolve, 50));
      } else counts.other += 1;
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 1000)); // let the image pool fill
  const loaded = wrk(plainUrl, LOAD_SECONDS);
  stop = true;
  await Promise.all(loops);
  thumbAgent.destroy();
  console.log(`RESULT load=thumbnails plain_p50_ms=${fmt(loaded.p50, 3)} plain_p99_ms=${fmt(loaded.p99, 3)} ` +
    `rps=${fmt(loaded.rps, 0)} thumbs_ok=${counts.ok} thumbs_503=${counts.refused} thumbs_other=${counts.other}`);
  results.load = { idle, loaded, counts };
  agent.destroy();
} finally {
  await server.stop();
}

// ---- report ----------------------------------------------------------------
const lines = [];
lines.push(`Source: ${results.source}; N=${N} sequential images per cell (median), ` +
  `${THROUGHPUT_IMAGES} images with 2 in flight for images/s; ossd with --image-cache-bytes 0. ` +
  `Machine busy before the run (neighbours): ${fmt(busyBefore, 0)}% of 2 cores.`);
lines.push('');
lines.push('| case | ossd HTTP ms/img | sharp ms/img | vipsthumbnail ms/img | ossd / sharp | ossd / vipsthumbnail |');
lines.push('|---|---|---|---|---|---|');
for (const c of CASES) {
  lines.push(`| \`${c.process}\` | ${fmt(c.ossdMs)} | ${fmt(c.sharpMs)} | ${fmt(c.vtMs)} | ` +
    `${fmt(c.ossdMs / c.sharpMs, 2)}x | ${fmt(c.ossdMs / c.vtMs, 2)}x |`);
}
lines.push('');
lines.push('| case, 2 clients | ossd img/s | sharp img/s | vipsthumbnail img/s | ossd / sharp |');
lines.push('|---|---|---|---|---|');
for (const c of CASES) {
  lines.push(`| \`${c.process}\` | ${fmt(c.ossdRate)} | ${fmt(c.sharpRate)} | ${fmt(c.vtRate)} | ${fmt(c.ossdRate / c.sharpRate, 2)}x |`);
}
if (results.load) {
  const { idle, loaded, counts } = results.load;
  lines.push('');
  lines.push('| plain 4 KiB GET (wrk, 32 conns) | p50 ms | p99 ms | req/s |');
  lines.push('|---|---|---|---|');
  lines.push(`| idle | ${fmt(idle.p50, 3)} | ${fmt(idle.p99, 3)} | ${fmt(idle.rps, 0)} |`);
  lines.push(`| while 32 clients request \`image/resize,w_200\` | ${fmt(loaded.p50, 3)} | ${fmt(loaded.p99, 3)} | ${fmt(loaded.rps, 0)} |`);
  lines.push(`| ratio loaded / idle | ${fmt(loaded.p50 / idle.p50, 2)}x | **${fmt(loaded.p99 / idle.p99, 2)}x** | ${fmt(loaded.rps / idle.rps, 2)}x |`);
  lines.push('');
  lines.push(`Thumbnail clients during the loaded run: ${counts.ok} served, ${counts.refused} answered 503 ` +
    `(retried after 50 ms), ${counts.other} other.`);
}
for (const c of CASES) lines.push(`\`${c.process}\` from ossd: ${c.ossdOut}.`);
const report = lines.join('\n');
console.log(`\n${report}`);
if (process.env.REPORT) writeFileSync(process.env.REPORT, `${report}\n`);
