// Runs the ossctl binary for the CLI suites. Every run is bounded by a
// timeout and gets its own HOME, so a developer's ~/.ossctl.ini or OSS_*
// variables never leak into a test.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const ossctlBinary = process.env.OSSCTL_BIN || path.join(repoRoot, 'build', 'src', 'cli', 'ossctl');

const emptyHome = mkdtempSync(path.join(tmpdir(), 'ossctl-home-'));
process.on('exit', () => rmSync(emptyHome, { recursive: true, force: true }));

// Resolves { code, stdout, stderr }; never rejects on a non-zero exit.
export function ossctl(args, { env = {}, timeout = 60_000, cwd } = {}) {
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OSS_')));
  return new Promise((resolve, reject) => {
    execFile(ossctlBinary, args, {
      env: { ...cleanEnv, HOME: emptyHome, ...env },
      timeout,
      cwd,
      maxBuffer: 64 << 20,
      encoding: 'buffer',
    }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(new Error(`ossctl ${args.join(' ')} failed to run: ${error.message}\n${stderr}`));
        return;
      }
      resolve({ code: error ? error.code : 0, stdout: stdout.toString(), stderr: stderr.toString(), raw: stdout });
    });
  });
}
