// The scale-out deployment of issue #7 for the node suites: two ossd gateways
// on one PostgreSQL database (--meta) and one RADOS pool (--blob), behind a
// front that sends each request to the other gateway than the last one, the
// way a round-robin HAProxy or nginx front does. startTwoGateways() answers
// with the same shape as startServer() (port, endpoint, keys, output, stop),
// so a suite written for one gateway runs unchanged against the pair.
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startCeph } from './ceph.mjs';
import { startPostgres } from './postgres.mjs';
import { ROOT_KEY_ID, ROOT_KEY_SECRET, startServer } from './server.mjs';

// Whether the suites run against two gateways (OSSD_TEST_DEPLOYMENT=two-gateways).
export const twoGatewayMode = process.env.OSSD_TEST_DEPLOYMENT === 'two-gateways';

// Forwards each request, as it came, to the next gateway in turn; the
// response streams back unchanged. Counts what each gateway served.
function startFront(gateways) {
  let next = 0;
  const served = gateways.map(() => 0);
  const agents = gateways.map(() => new http.Agent({ keepAlive: true, maxSockets: 64 }));
  const front = http.createServer((req, res) => {
    const index = next;
    next = (next + 1) % gateways.length;
    served[index] += 1;
    const upstream = http.request({
      host: '127.0.0.1',
      port: gateways[index].port,
      method: req.method,
      path: req.url,
      headers: req.headers,
      agent: agents[index],
      setHost: false,
    }, (answer) => {
      res.writeHead(answer.statusCode, answer.statusMessage, answer.rawHeaders);
      answer.pipe(res);
    });
    upstream.on('error', (err) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`front: gateway ${index} failed: ${err.message}`);
      } else {
        res.destroy(err);
      }
    });
    req.pipe(upstream);
  });
  return new Promise((resolve) => {
    front.listen(0, '127.0.0.1', () => resolve({
      port: front.address().port,
      served,
      async close() {
        for (const agent of agents) agent.destroy();
        front.closeAllConnections();
        await new Promise((r) => front.close(r));
      },
    }));
  });
}

// What stop({ keepData: true }) kept, by data directory, for a restart.
const kept = new Map();

// Options as for startServer (env, args, and dataDir: the one a deployment
// stopped with keepData used, to start the same deployment again) plus
// blob: { chunk, timeout } for the RADOS store and ownCeph: a Ceph cluster
// of its own (for tests that stop its OSD).
export async function startTwoGateways({ dataDir: keptDir, env = {}, args = [], blob = {}, ownCeph = false } = {}) {
  let pg;
  let ceph;
  let dataDir;
  let blobSpec;
  if (keptDir) {
    if (!kept.has(keptDir)) throw new Error(`no deployment was stopped with keepData on ${keptDir}`);
    ({ pg, ceph, blobSpec } = kept.get(keptDir));
    kept.delete(keptDir);
    dataDir = keptDir;
  } else {
    pg = await startPostgres();
    ceph = await startCeph({ own: ownCeph });
    dataDir = mkdtempSync(path.join(tmpdir(), 'ossd-2gw-'));
    blobSpec = ceph.blobSpec(blob);
  }
  const gatewayArgs = ['--meta', pg.uri(), '--blob', blobSpec, ...args];
  const gateways = [];
  let front;
  try {
    // One after the other: the first creates the master key and the root
    // account file in the shared directory, the second reads them.
    gateways.push(await startServer({ dataDir, env, args: gatewayArgs }));
    gateways.push(await startServer({ dataDir, env, args: gatewayArgs }));
    front = await startFront(gateways);
  } catch (err) {
    for (const g of gateways) await g.stop();
    await ceph.destroy();
    await pg.destroy();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    port: front.port,
    host: '127.0.0.1',
    endpoint: `http://127.0.0.1:${front.port}`,
    localhostEndpoint: `http://localhost:${front.port}`,
    accessKeyId: env.OSSD_ROOT_ACCESS_KEY_ID || ROOT_KEY_ID,
    accessKeySecret: env.OSSD_ROOT_ACCESS_KEY_SECRET || ROOT_KEY_SECRET,
    dataDir,
    gateways,
    pg,
    ceph,
    blobSpec,
    served: front.served,
    output: () => gateways.map((g) => g.output()).join(''),
    // keepData: the database, the pool namespace and the directory stay for
    // a startTwoGateways({ dataDir }) that serves them again.
    async stop({ keepData = false } = {}) {
      await front.close();
      const results = [];
      for (const g of gateways) results.push(await g.stop());
      if (keepData) {
        kept.set(dataDir, { pg, ceph, blobSpec });
        return results[0];
      }
      await ceph.destroy();
      await pg.destroy();
      rmSync(dataDir, { recursive: true, force: true });
      return results[0];
    },
  };
}
