// Starts the real ossd binary on 127.0.0.1:0 with a fresh data directory and
// a known root key, for the node test suites (integration, interop, crash).
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ossdBinary = process.env.OSSD_BIN || path.join(repoRoot, 'build', 'src', 'server', 'ossd');

// Runs the binary to its end (a subcommand, or a start that must fail);
// resolves to { code, output } whatever the exit code. env adds variables.
export function runOssd(args, { timeoutMs = 60_000, env = {} } = {}) {
  return new Promise((resolve) => {
    execFile(ossdBinary, args, { timeout: timeoutMs, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? (err.code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

export const ROOT_KEY_ID = 'LTAI5tTestRootKeyId00';
export const ROOT_KEY_SECRET = 'TestRootSecret0123456789abcdefghij';

// Options: dataDir (reuse one, e.g. after a crash), env (extra variables),
// args (extra flags). Resolves once ossd prints its listening line.
export async function startServer({ dataDir, env = {}, args = [] } = {}) {
  const ownDir = !dataDir;
  const dir = dataDir || mkdtempSync(path.join(tmpdir(), 'ossd-test-'));
  const proc = spawn(ossdBinary, ['--address', '127.0.0.1:0', '--data-dir', dir, ...args], {
    env: {
      ...process.env,
      OSSD_ROOT_ACCESS_KEY_ID: ROOT_KEY_ID,
      OSSD_ROOT_ACCESS_KEY_SECRET: ROOT_KEY_SECRET,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ossd did not start within 20 s:\n${output}`)), 20000);
    const onData = (chunk) => {
      output += chunk.toString();
      const m = output.match(/listening on https?:\/\/127\.0\.0\.1:(\d+)/);
      if (m) {
        clearTimeout(timer);
        proc.stdout.off('data', onData);
        proc.stderr.off('data', onData);
        resolve(Number(m[1]));
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`ossd exited early (code ${code}, signal ${signal}):\n${output}`));
    });
    proc.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${ossdBinary}: ${err.message}`));
    });
  }).catch((err) => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    if (ownDir) rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  // Keep draining so a chatty server never blocks on a full pipe.
  proc.stdout.on('data', (c) => { output += c.toString(); });
  proc.stderr.on('data', (c) => { output += c.toString(); });

  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const server = {
    port,
    host: '127.0.0.1',
    endpoint: `http://127.0.0.1:${port}`,
    localhostEndpoint: `http://localhost:${port}`,
    accessKeyId: env.OSSD_ROOT_ACCESS_KEY_ID || ROOT_KEY_ID,
    accessKeySecret: env.OSSD_ROOT_ACCESS_KEY_SECRET || ROOT_KEY_SECRET,
    dataDir: dir,
    pid: proc.pid,
    output: () => output,
    exited,
    // Graceful stop (SIGTERM); removes the data dir unless the caller gave it.
    async stop({ keepData = false } = {}) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const result = await exited;
      if (ownDir && !keepData) rmSync(dir, { recursive: true, force: true });
      return result;
    },
    // Crash: SIGKILL, data dir kept for a restart.
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      return exited;
    },
  };
  return server;
}
