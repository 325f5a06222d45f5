import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { checkProject } from './check-project';

/**
 * `npm run package:hubspot [-- --host threadline.acme.com --release]`: writes the developer project with Threadline's
 * host filled in to `dist/hubspot/project` (what `hs project upload` takes) and checks it offline. The source names
 * the placeholder host; a release build refuses it.
 */
export const PLACEHOLDER_HOST = 'threadline.example.com';
const PROJECT_DIR = path.join(__dirname, '..');
/** Not part of what HubSpot builds: installed packages, the card's tests, a local dev proxy. */
const LEFT_OUT = new Set(['node_modules', '__tests__', 'local.json', 'tools', 'README.md']);
const FILLED = /(-hsmeta\.json|threadline-url\.ts)$/;

const hostName = z.string().regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, 'must be a host name such as threadline.acme.com (no scheme, no path)');

export type PackageResult = { ok: true; outDir: string; lines: string[] } | { ok: false; lines: string[] };

function copyWithHost(from: string, to: string, host: string, filled: string[], rel = ''): void {
  fs.mkdirSync(path.join(to, rel), { recursive: true });
  for (const entry of fs.readdirSync(path.join(from, rel), { withFileTypes: true })) {
    if (LEFT_OUT.has(entry.name)) continue;
    const file = path.posix.join(rel, entry.name);
    if (entry.isDirectory()) {
      copyWithHost(from, to, host, filled, file);
    } else if (FILLED.test(entry.name)) {
      const text = fs.readFileSync(path.join(from, file), 'utf8');
      fs.writeFileSync(path.join(to, file), text.replaceAll(PLACEHOLDER_HOST, host));
      if (text.replaceAll(PLACEHOLDER_HOST, host).includes('example.com')) filled.push(file);
    } else {
      fs.copyFileSync(path.join(from, file), path.join(to, file));
    }
  }
}

export function packageHubSpotProject(options: { projectDir?: string; outDir: string; host: string; release: boolean }): PackageResult {
  const host = hostName.safeParse(options.host);
  if (!host.success) return { ok: false, lines: [`--host ${options.host}: ${host.error.issues[0]?.message ?? 'invalid'}`] };
  const stillExample: string[] = [];
  fs.rmSync(options.outDir, { recursive: true, force: true });
  copyWithHost(options.projectDir ?? PROJECT_DIR, options.outDir, host.data, stillExample);
  const { problems, components } = checkProject(options.outDir);
  if (options.release) problems.push(...stillExample.map((f) => `${f}: still names example.com; a release build needs --host (or THREADLINE_PUBLIC_HOST) naming where Threadline runs, and a real support address`));
  if (problems.length > 0) {
    fs.rmSync(options.outDir, { recursive: true, force: true });
    return { ok: false, lines: problems.map((p) => `✗ ${p}`) };
  }
  return {
    ok: true,
    outDir: options.outDir,
    lines: [
      `✓ ${components.join(', ')}`,
      `✓ → ${path.relative(process.cwd(), options.outDir) || options.outDir} (host ${host.data}${host.data === PLACEHOLDER_HOST ? ', placeholder: not for release' : ''}); upload with: cd ${path.relative(process.cwd(), options.outDir)} && hs project upload`,
    ],
  };
}

function main(): void {
  const { values } = parseArgs({ options: { out: { type: 'string' }, host: { type: 'string' }, release: { type: 'boolean', default: false } }, strict: true });
  const result = packageHubSpotProject({
    outDir: path.resolve(values.out ?? path.join(PROJECT_DIR, '../../dist/hubspot/project')),
    host: values.host ?? process.env.THREADLINE_PUBLIC_HOST ?? PLACEHOLDER_HOST,
    release: values.release,
  });
  for (const line of result.lines) (result.ok ? console.log : console.error)(line);
  process.exitCode = result.ok ? 0 : 1;
}

if (require.main === module) main();
