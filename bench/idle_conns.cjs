// Opens COUNT keep-alive connections to 127.0.0.1:PORT, sends one GET of PATH
// (a signed URL's path and query) on each and reads the whole answer, so every
// connection has served a request and sits idle in keep-alive; then prints
//   READY open=<connections still open> ok=<2xx answers> failed=<n> seconds=<time to open>
// and holds them for HOLD seconds (or until killed), then closes them and exits.
// bench/all.sh samples the server's RSS before and after READY.
// Connects at most PARALLEL (200) at a time so the listen backlog never overflows.
//
// usage: node idle_conns.cjs PORT PATH COUNT HOLD_SECONDS
'use strict';
const net = require('node:net');

const [portArg, reqPath, countArg, holdArg] = process.argv.slice(2);
const port = Number(portArg);
const count = Number(countArg || 10000);
const holdMs = Number(holdArg || 30) * 1000;
const parallel = Number(process.env.PARALLEL || 200);
if (!port || !reqPath) {
  console.error('usage: node idle_conns.cjs PORT PATH COUNT HOLD_SECONDS');
  process.exit(2);
}

const sockets = [];
let ok = 0;
let failed = 0;
let closed = 0;

// One connection: connect, one request, wait for the complete response (Content-Length framed).
function openOne() {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let buffered = Buffer.alloc(0);
    let settled = false;
    const finish = (good) => {
      if (settled) return;
      settled = true;
      if (good) ok++;
      else failed++;
      resolve();
    };
    socket.setTimeout(30000, () => { socket.destroy(); finish(false); });
    socket.on('connect', () => {
      socket.write(`GET ${reqPath} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`);
    });
    socket.on('data', (chunk) => {
      if (settled) return;
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffered.subarray(0, end).toString('latin1');
      const match = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      const length = match ? Number(match[1]) : 0;
      if (buffered.length - end - 4 < length) return;
      const status = Number(head.split(' ')[1]);
      socket.setTimeout(0);
      buffered = Buffer.alloc(0);
      finish(status >= 200 && status < 300);
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => { closed++; finish(false); });
    sockets.push(socket);
  });
}

async function main() {
  const t0 = Date.now();
  let next = 0;
  async function lane() {
    while (next < count) {
      next++;
      await openOne();
    }
  }
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, lane));
  const open = sockets.length - closed;
  process.stdout.write(`READY open=${open} ok=${ok} failed=${failed} seconds=${((Date.now() - t0) / 1000).toFixed(1)}\n`);
  setTimeout(() => {
    for (const s of sockets) s.destroy();
    process.exit(0);
  }, holdMs);
}

main();
