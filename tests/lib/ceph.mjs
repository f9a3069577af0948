// A throwaway one-node Ceph cluster for the node suites, through
// scripts/ceph-cluster.sh (one monitor, one BlueStore OSD over a sparse file,
// on 127.0.0.1). When OSSD_TEST_CEPH_CONF names a running cluster (the test
// command starts one for the whole run), that one is used and left running;
// each user takes a RADOS namespace of its own, so suites never see each
// other's blobs. OSSD_SKIP_CEPH=1 is the explicit opt-out.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const script = path.join(repoRoot, 'scripts', 'ceph-cluster.sh');
export const POOL = 'ossd';

export function cephSkipReason() {
  if (process.env.OSSD_SKIP_CEPH === '1') return 'OSSD_SKIP_CEPH=1: the Ceph tests are skipped';
  return null;
}

function run(args, timeout = 180_000) {
  return new Promise((resolve, reject) => {
    execFile('bash', [script, ...args], { timeout }, (err, stdout, stderr) => {
      if (err) reject(new Error(`ceph-cluster.sh ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

let namespaceSeq = 0;

// { conf, blobSpec(options), stopOsd(), startOsd(), destroy() }. own: a
// cluster of its own even when a shared one runs (to stop its OSD).
export async function startCeph({ own = false } = {}) {
  const shared = own ? undefined : process.env.OSSD_TEST_CEPH_CONF;
  let dir = null;
  let conf = shared;
  if (!shared) {
    dir = path.join(mkdtempSync(path.join(tmpdir(), 'ossd-ceph-')), 'cluster');
    await run(['up', dir]);
    conf = path.join(dir, 'ceph.conf');
  }
  const clusterDir = path.dirname(conf);
  return {
    conf,
    // A `--blob` value for a new, empty namespace of the pool.
    blobSpec({ chunk, timeout } = {}) {
      namespaceSeq += 1;
      let spec = `rados:pool=${POOL},conf=${conf},namespace=t${process.pid}-${Date.now()}-${namespaceSeq}`;
      if (chunk) spec += `,chunk=${chunk}`;
      if (timeout) spec += `,timeout=${timeout}`;
      return spec;
    },
    // Only for a cluster this process started: a shared one serves other suites.
    async stopOsd() {
      if (!dir) throw new Error('stopOsd needs a cluster of its own (unset OSSD_TEST_CEPH_CONF)');
      await run(['stop-osd', clusterDir]);
    },
    async startOsd() {
      if (!dir) throw new Error('startOsd needs a cluster of its own');
      await run(['start-osd', clusterDir]);
    },
    ownsCluster: dir !== null,
    async destroy() {
      if (!dir) return;
      await run(['down', dir]);
      rmSync(path.dirname(dir), { recursive: true, force: true });
    },
  };
}
