// Helpers shared by the suites that kill ossd and look at what it left:
// crash/ (one round of PUTs) and faults/ (kill -9 rounds, full disk).
import http from 'node:http';
import { readdirSync, lstatSync, existsSync } from 'node:fs';
import path from 'node:path';
import { buildRequest } from '../integration/lib/oss.mjs';

// Every file (not directory) under dir, recursively; [] when dir is missing.
export function walkFiles(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = lstatSync(p);
    if (st.isDirectory()) walkFiles(p, out);
    else out.push(p);
  }
  return out;
}

// A writer's temporary: objects/tmp/<id>.tmp (or anything else under a tmp/ directory).
export function isTemporary(dataDir, p) {
  return /\.tmp$/.test(p) || path.relative(dataDir, p).split(path.sep).includes('tmp');
}

// A committed blob file: objects/blobs/<2 hex>/<32 hex>.
export function isBlobFile(p) {
  return /^[0-9a-f]{32}$/.test(path.basename(p));
}

// One signed request whose body is written in paced chunks, so that many are
// mid-body when the server dies. opts: what buildRequest takes (method,
// bucket, key, query, headers) plus body (Buffer), startDelayMs, chunk,
// timeoutMs. Never rejects: resolves {status, headers, etag, text} when a
// whole response arrived, else {error}; both with startedAt and settledAt
// (Date.now() when the first byte was sent and when it settled).
export function pacedRequest(server, opts) {
  const { body = Buffer.alloc(0), startDelayMs = 0, chunk = 32 * 1024, timeoutMs = 30000 } = opts;
  const req = buildRequest(server, opts);
  req.headers['Content-Length'] = body.length;
  return new Promise((resolve) => {
    let settled = false;
    let startedAt = 0;
    const finish = (v) => {
      if (settled) return;
      settled = true;
      resolve({ ...v, startedAt, settledAt: Date.now() });
    };
    setTimeout(() => {
      startedAt = Date.now();
      const r = http.request({
        host: '127.0.0.1', port: server.port, method: req.method, path: req.path, headers: req.headers, agent: false, setHost: false,
      }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => finish({
          status: res.statusCode, headers: res.headers, etag: res.headers.etag, text: Buffer.concat(chunks).toString(),
        }));
        res.on('error', (e) => finish({ error: e.message }));
        res.on('close', () => { if (!res.complete) finish({ error: 'response cut short' }); });
      });
      r.on('error', (e) => finish({ error: e.message }));
      r.setTimeout(timeoutMs, () => r.destroy(new Error('timeout')));
      let off = 0;
      const pump = () => {
        if (r.destroyed) return;
        if (off >= body.length) { r.end(); return; }
        const piece = body.subarray(off, off + chunk);
        off += piece.length;
        r.write(piece, () => setTimeout(pump, 5 + Math.floor(Math.random() * 15)));
      };
      pump();
    }, startDelayMs);
  });
}

// A paced PutObject. Resolves {status, etag, text} or {error}.
export function pacedPut(server, bucket, key, body, startDelayMs) {
  return pacedRequest(server, { method: 'PUT', bucket, key, body, startDelayMs });
}
