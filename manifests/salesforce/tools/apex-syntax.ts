import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { SOURCE_DIR, filesUnder } from './project-files';

const run = promisify(execFile);
const PRETTIER = path.join(path.dirname(require.resolve('prettier/package.json')), 'bin/prettier.cjs');
/** The Apex parser behind prettier-plugin-apex (native, no Java): the only Apex syntax check that runs offline. */
const APEX_PLUGIN = require.resolve('prettier-plugin-apex');
/** As .prettierrc says; given here too so a copy of the project without node_modules checks the same way. */
const STYLE = ['--no-config', '--plugin', APEX_PLUGIN, '--print-width', '120', '--trailing-comma', 'none'];

/**
 * Every class and trigger parses, and is formatted as `npm run format` leaves it (so diffs stay reviewable).
 * `prettier --check` in a child process: prettier loads its plugins with a dynamic import, which jest's VM refuses.
 */
export async function checkApex(projectDir: string): Promise<string[]> {
  const files = filesUnder(projectDir, SOURCE_DIR).filter((f) => /\.(cls|trigger)$/.test(f));
  if (files.length === 0) return [];
  // No colours: CI=true makes prettier colour its "[error]" prefixes, which the lines below are matched on.
  const env = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' };
  const output = await run(process.execPath, [PRETTIER, ...STYLE, '--no-color', '--check', ...files], { cwd: projectDir, env, maxBuffer: 10 * 1024 * 1024 }).then(
    () => undefined,
    (err: { stderr?: string; stdout?: string; message: string }) => `${err.stdout ?? ''}\n${err.stderr ?? err.message}`,
  );
  if (output === undefined) return [];
  const lines = output.split(/\r?\n|\r/);
  const problems = files.flatMap((file) => {
    const error = lines.find((line) => line.startsWith(`[error] ${file}: `));
    if (error !== undefined) return [`${file}: Apex does not parse: ${error.slice(`[error] ${file}: `.length).replace(/^Error: /, '')}`];
    return lines.includes(`[warn] ${file}`) ? [`${file}: not formatted; run npm run format -w manifests/salesforce`] : [];
  });
  // prettier failed but named no file: say so rather than pass.
  return problems.length ? problems : [`prettier could not check the Apex: ${lines.filter(Boolean).slice(0, 3).join(' | ')}`];
}
