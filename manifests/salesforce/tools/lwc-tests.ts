import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** sfdx-lwc-jest brings its own jest 29 (nested in its folder), so it runs as a child process, never in the root jest. */
const LWC_JEST = path.join(path.dirname(require.resolve('@salesforce/sfdx-lwc-jest/package.json')), 'bin/sfdx-lwc-jest');

export interface LwcTestRun {
  problems: string[];
  /** jest's summary line, such as "Tests: 8 passed, 8 total". */
  summary: string;
}

/** The project's LWC jest tests (force-app/**\/__tests__), run from the project folder with its jest.config.js. */
export async function runLwcTests(projectDir: string): Promise<LwcTestRun> {
  const result = await run(process.execPath, [LWC_JEST, '--ci'], { cwd: projectDir, maxBuffer: 10 * 1024 * 1024 }).then(
    ({ stderr }) => ({ ok: true, output: stderr }),
    (err: { stderr?: string; message: string }) => ({ ok: false, output: err.stderr ?? err.message }),
  );
  const summary = /^Tests:.*$/m.exec(result.output)?.[0] ?? '';
  if (result.ok) return { problems: [], summary };
  const failed = [...result.output.matchAll(/^\s*✕ (.+?)(?: \(\d+ ms\))?$/gm)].map((m) => m[1]);
  const where = 'force-app/main/default/lwc';
  return { problems: failed.length > 0 ? failed.map((t) => `${where}: LWC test failed: ${t}`) : [`${where}: sfdx-lwc-jest failed: ${result.output.trim().split('\n')[0]}`], summary };
}
