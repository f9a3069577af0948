// A throwaway PostgreSQL cluster for the node suites: initdb into a temporary
// directory (trust authentication, superuser "ossd"), then postgres on
// 127.0.0.1 at a free port with fsync off, as the `postgres` user when the
// tests run as root (neither initdb nor postgres runs as root). Stopped by
// pid; stop() keeps the data so start() can bring the same cluster back.
// OSSD_SKIP_POSTGRES=1 is the explicit opt-out (see postgresSkipReason).
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const SUPERUSER = 'ossd';

// Why the PostgreSQL tests cannot run here, or null when they can.
export function postgresSkipReason() {
  if (process.env.OSSD_SKIP_POSTGRES === '1') return 'OSSD_SKIP_POSTGRES=1: the PostgreSQL tests are skipped';
  return null;
}

// OSSD_POSTGRES_BINDIR, else the newest /usr/lib/postgresql/<major>/bin
// (Debian keeps the server binaries off PATH).
function serverBinaries() {
  const holds = (dir) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'postgres'));
  if (process.env.OSSD_POSTGRES_BINDIR) {
    if (holds(process.env.OSSD_POSTGRES_BINDIR)) return process.env.OSSD_POSTGRES_BINDIR;
  } else if (existsSync('/usr/lib/postgresql')) {
    const majors = readdirSync('/usr/lib/postgresql').filter((n) => /^\d+$/.test(n)).sort((a, b) => b - a);
    for (const major of majors) {
      const bin = path.join('/usr/lib/postgresql', major, 'bin');
      if (holds(bin)) return bin;
    }
  }
  throw new Error('the PostgreSQL server binaries (initdb, postgres) were not found in OSSD_POSTGRES_BINDIR or ' +
    '/usr/lib/postgresql/<version>/bin: install them (scripts/install-deps.sh installs postgresql), ' +
    'or set OSSD_SKIP_POSTGRES=1 to skip the PostgreSQL tests');
}

// uid/gid to run as: the `postgres` user when we are root, else ourselves.
function serverUser() {
  if (process.getuid() !== 0) return {};
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function logTail(file) {
  try {
    return readFileSync(file, 'utf8').slice(-4000);
  } catch {
    return '(no log)';
  }
}

// Resolves when the process exits; its exit code (null when signalled).
function exitOf(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

export async function startPostgres() {
  const bin = serverBinaries();
  const user = serverUser();
  const dir = mkdtempSync(path.join(tmpdir(), 'ossd-pg-'));
  if (user.uid !== undefined) chownSync(dir, user.uid, user.gid);
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'postgres.log');
  const asServerUser = { ...user, stdio: ['ignore', 'pipe', 'pipe'] };

  const initdb = spawn(path.join(bin, 'initdb'), [`--pgdata=${dataDir}`, `--username=${SUPERUSER}`, '--auth=trust',
    '--encoding=UTF8', '--locale=C', '--no-sync'], asServerUser);
  let initdbOutput = '';
  initdb.stdout.on('data', (c) => { initdbOutput += c; });
  initdb.stderr.on('data', (c) => { initdbOutput += c; });
  if (await exitOf(initdb) !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed:\n${initdbOutput}`);
  }

  let child = null;
  const cluster = {
    port: await freePort(),
    dir,
    // A postgres:// URI for the cluster's "postgres" database.
    uri({ password } = {}) {
      const credentials = password === undefined ? SUPERUSER : `${SUPERUSER}:${encodeURIComponent(password)}`;
      return `postgres://${credentials}@127.0.0.1:${this.port}/postgres`;
    },
    // Starts (or restarts) the server and waits until it accepts queries.
    async start() {
      const logFd = openSync(logFile, 'a');
      if (user.uid !== undefined) chownSync(logFile, user.uid, user.gid);
      child = spawn(path.join(bin, 'postgres'), ['-D', dataDir, '-p', String(this.port), '-k', dir,
        '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off',
        '-c', 'full_page_writes=off', '-c', 'shared_buffers=32MB'], { ...user, stdio: ['ignore', logFd, logFd] });
      closeSync(logFd);
      const deadline = Date.now() + 30000;
      while (Date.now() < deadline) {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`postgres exited while starting:\n${logTail(logFile)}`);
        }
        try {
          execFileSync(path.join(bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(this.port)]);
          return;
        } catch {
          await sleep(100);
        }
      }
      await this.stop();
      throw new Error(`postgres did not accept connections within 30 s:\n${logTail(logFile)}`);
    },
    // Fast shutdown (SIGINT: sessions are ended, nothing waits for clients); SIGKILL after 15 s.
    async stop() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = exitOf(child);
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
      await exited;
      clearTimeout(timer);
    },
    async destroy() {
      await this.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => logTail(logFile),
  };
  try {
    await cluster.start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return cluster;
}
