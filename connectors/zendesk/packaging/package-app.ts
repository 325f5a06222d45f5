import path from 'node:path';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import JSZip from 'jszip';
import { z } from 'zod';
import { readAppFolder, type AppFiles } from './app-files';
import { checkZendeskApp } from './check-app';

/**
 * `npm run package:zendesk [-- --host threadline.acme.com --release]`: checks the Zendesk app offline
 * (check-app.ts) and zips it for the marketplace. The app's source names the placeholder host below; the
 * host Threadline is served from is filled in here, and a release build refuses the placeholder.
 */
export const PLACEHOLDER_HOST = 'threadline.example.com';
const FILLED_FILES = ['manifest.json', 'requirements.json'];
const REPO_ROOT = path.join(__dirname, '../../..');

const hostName = z.string().regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, 'must be a host name such as threadline.acme.com (no scheme, no path)');

export interface PackageOptions {
  appDir: string;
  outDir: string;
  host: string;
  release: boolean;
}

export type PackageResult = { ok: true; zipPath: string; lines: string[] } | { ok: false; lines: string[] };

/** The app as it ships: the placeholder host replaced in the files that name Threadline's URLs. */
function withHost(app: AppFiles, host: string): AppFiles {
  const files = new Map(app.files);
  for (const file of FILLED_FILES) {
    const bytes = files.get(file);
    if (bytes !== undefined) files.set(file, Buffer.from(bytes.toString('utf8').replaceAll(`https://${PLACEHOLDER_HOST}`, `https://${host}`).replaceAll(`"${PLACEHOLDER_HOST}"`, `"${host}"`)));
  }
  return { files, problems: app.problems };
}

export async function packageZendeskApp(options: PackageOptions): Promise<PackageResult> {
  const host = hostName.safeParse(options.host);
  if (!host.success) return { ok: false, lines: [`--host ${options.host}: ${host.error.issues[0]?.message ?? 'invalid'}`] };
  if (!fs.existsSync(options.appDir)) return { ok: false, lines: [`${options.appDir}: no such folder`] };
  const app = withHost(readAppFolder(options.appDir), host.data);
  const check = checkZendeskApp(app);
  const problems = [...check.problems];
  if (options.release) {
    for (const file of FILLED_FILES) {
      if (app.files.get(file)?.toString('utf8').includes('example.com')) {
        problems.push(`${file}: still names example.com; a release build needs --host (or THREADLINE_PUBLIC_HOST) naming where Threadline runs, and the real author (requirements.json's manifest_url cannot change after publishing)`);
      }
    }
  }
  const warnings = check.warnings.map((w) => `warning: ${w}`);
  if (problems.length > 0) return { ok: false, lines: [...problems.map((p) => `✗ ${p}`), ...warnings] };

  const zip = new JSZip();
  // A fixed date: the same app gives the same zip.
  for (const [file, bytes] of app.files) zip.file(file, bytes, { date: new Date('2026-01-01T00:00:00Z') });
  const content = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', platform: 'UNIX' });
  fs.mkdirSync(options.outDir, { recursive: true });
  const zipPath = path.join(options.outDir, `threadline-zendesk-${check.summary.version}.zip`);
  fs.writeFileSync(zipPath, content);
  const { summary } = check;
  return {
    ok: true,
    zipPath,
    lines: [
      `✓ ${summary.name} ${summary.version}: ${summary.locations.join(', ')}; channel integration ${summary.channelIntegration ?? '?'}; locales ${summary.locales.join(', ')}`,
      ...warnings,
      `✓ ${summary.files} files, ${(content.length / 1024).toFixed(1)} KB → ${path.relative(process.cwd(), zipPath) || zipPath}${options.release ? '' : ` (host ${host.data}${host.data === PLACEHOLDER_HOST ? ', placeholder: not for release' : ''})`}`,
    ],
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { app: { type: 'string' }, out: { type: 'string' }, host: { type: 'string' }, release: { type: 'boolean', default: false } },
    strict: true,
  });
  const result = await packageZendeskApp({
    appDir: path.resolve(values.app ?? path.join(REPO_ROOT, 'manifests/zendesk/app')),
    outDir: path.resolve(values.out ?? path.join(REPO_ROOT, 'dist/zendesk')),
    host: values.host ?? process.env.THREADLINE_PUBLIC_HOST ?? PLACEHOLDER_HOST,
    release: values.release,
  });
  for (const line of result.lines) (result.ok ? console.log : console.error)(line);
  process.exitCode = result.ok ? 0 : 1;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(`✗ ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
