import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * The card's offline checks, each in a child process: the card folder is an ES-module package with its own eslint 9
 * (HubSpot's lint config does not take the repo's eslint 10) and TypeScript 5 (what @hubspot/ui-extensions asks for).
 */
export const CARDS_DIR = path.join(__dirname, '../src/app/cards');
const run = promisify(execFile);

export interface CheckRun {
  ok: boolean;
  output: string;
}

async function node(args: string[], cwd: string): Promise<CheckRun> {
  return run(process.execPath, args, { cwd, maxBuffer: 10 * 1024 * 1024 }).then(
    ({ stdout, stderr }) => ({ ok: true, output: stdout + stderr }),
    (err: { stdout?: string; stderr?: string; message: string }) => ({ ok: false, output: (err.stdout ?? '') + (err.stderr ?? '') || err.message }),
  );
}

const bin = (pkg: string, file: string) => path.join(path.dirname(require.resolve(`${pkg}/package.json`, { paths: [CARDS_DIR] })), file);

/** HubSpot's UI-extension lint rules (what `hs project lint` runs) over a cards folder, no warnings allowed. */
export function lintCard(cardsDir = CARDS_DIR, format: 'stylish' | 'json' = 'stylish'): Promise<CheckRun> {
  return node([bin('eslint', 'bin/eslint.js'), '--max-warnings', '0', '--format', format, '.'], cardsDir);
}

/** The card's own tsconfig (tests included). */
export function typeCheckCard(cardsDir = CARDS_DIR): Promise<CheckRun> {
  return node([bin('typescript', 'bin/tsc'), '-p', cardsDir, '--pretty', 'false'], cardsDir);
}

/** HubSpot's builder offline (`remoteBuild`: Vite, as `hs project upload` builds): writes `<entry>.js` to `outDir`. */
export function bundleCard(cardsDir: string, entryPoint: string, outDir: string): Promise<CheckRun> {
  const script = `import { remoteBuild } from '@hubspot/ui-extensions-dev-server/build';
await remoteBuild({ root: ${JSON.stringify(cardsDir)}, entryPoint: ${JSON.stringify(entryPoint)}, outputDir: ${JSON.stringify(outDir)}, logLevel: 'error' });`;
  return node(['--input-type=module', '-e', script], CARDS_DIR);
}
