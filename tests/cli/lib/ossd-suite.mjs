// The set-up the ossctl suites share: one real ossd for the whole file, a
// scratch working directory, and ossctl runners whose OSS_* environment
// points at that ossd with its root key.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { startServer } from '../../lib/server.mjs';
import { ossctl } from './ossctl.mjs';

// Call at the top level of a test file: registers the before/after hooks
// that start and stop ossd (with serverArgs) and make and remove the working
// directory. server, work and env are set once the before hook has run;
// prepare(suite), when given, runs at its end (e.g. to write input files).
export function ossdForOssctl({ serverArgs, workPrefix, prepare }) {
  const suite = {
    server: undefined,
    work: undefined,
    env: undefined,
    // ossctl in the working directory, as the root of the suite's ossd
    // unless extraEnv says otherwise.
    run: (args, extraEnv = {}) => ossctl(args, { env: { ...suite.env, ...extraEnv }, cwd: suite.work }),
    // The output of a run that must exit 0.
    ok: async (args, extraEnv) => {
      const r = await suite.run(args, extraEnv);
      assert.equal(r.code, 0, `ossctl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
      return r.stdout;
    },
  };
  before(async () => {
    suite.server = await startServer({ args: serverArgs });
    suite.work = mkdtempSync(path.join(tmpdir(), workPrefix));
    suite.env = {
      OSS_ENDPOINT: suite.server.endpoint,
      OSS_ACCESS_KEY_ID: suite.server.accessKeyId,
      OSS_ACCESS_KEY_SECRET: suite.server.accessKeySecret,
    };
    if (prepare) await prepare(suite);
  });
  after(async () => {
    if (suite.server) await suite.server.stop();
    if (suite.work) rmSync(suite.work, { recursive: true, force: true });
  });
  return suite;
}
