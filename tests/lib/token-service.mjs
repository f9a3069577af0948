// Starts `ossctl sts serve` (directly, or through a script that ends in it)
// for the CLI and browser suites, and waits for the URLs it prints.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ossctlBinary = process.env.OSSCTL_BIN || path.join(repoRoot, 'build', 'src', 'cli', 'ossctl');

// `command` defaults to ossctl; `env` is the whole environment of the child
// (the caller decides what leaks in). Resolves once "listening on" and
// "token service:" were printed.
export async function startTokenService({ command = ossctlBinary, args = [], env = process.env, cwd } = {}) {
  const proc = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const urls = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`token service did not start within 20 s:\n${stdout}\n${stderr}`)), 20_000);
    const check = () => {
      const listening = stdout.match(/listening on (http:\/\/\S+)/);
      const token = stdout.match(/token service: (http:\/\/\S+)/);
      if (listening && token) {
        clearTimeout(timer);
        resolve({ origin: listening[1], tokenUrl: token[1] });
      }
    };
    proc.stdout.on('data', (c) => { stdout += c.toString(); check(); });
    proc.stderr.on('data', (c) => { stderr += c.toString(); });
    proc.on('error', (err) => { clearTimeout(timer); reject(new Error(`cannot start ${command}: ${err.message}`)); });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited early (code ${code}, signal ${signal}):\n${stdout}\n${stderr}`));
    });
  }).catch((err) => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    throw err;
  });
  return {
    ...urls,
    pid: proc.pid,
    output: () => ({ stdout, stderr }),
    exited,
    // SIGTERM, as a service manager would; resolves {code, signal}.
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}
