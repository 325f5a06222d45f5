import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { COMPONENTS, componentSchema, hsprojectSchema } from './hsmeta-schemas';

export interface ProjectCheck {
  problems: string[];
  /** `uid (type)` of every component, for the summary line. */
  components: string[];
}

const issues = (file: string, error: z.ZodError) => error.issues.map((i) => `${file}: ${i.path.length > 0 ? `${i.path.join('.')}: ` : ''}${i.message}`);

/** The file's JSON, or undefined with a problem named after `label`. */
function readJson(dir: string, file: string, problems: string[], label = file): unknown {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  } catch (err) {
    problems.push(`${label}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : 'is not valid JSON'}`);
    return undefined;
  }
}

function hsmetaFiles(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const file = path.posix.join(rel, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : hsmetaFiles(dir, file);
    return e.name.endsWith('-hsmeta.json') ? [file] : [];
  });
}

/**
 * Checks the developer project offline, as far as its files go: `hsproject.json`, every `*-hsmeta.json` against its
 * type's schema, each component in its type's folder, unique uids, one app, the card's entrypoint on disk, and every
 * URL HubSpot will call (action, webhooks, redirect, card fetches) on a host the app permits.
 */
export function checkProject(projectDir: string): ProjectCheck {
  const problems: string[] = [];
  const components: string[] = [];
  const json = readJson(projectDir, 'hsproject.json', problems);
  if (json === undefined) return { problems, components };
  const project = hsprojectSchema.safeParse(json);
  if (!project.success) return { problems: issues('hsproject.json', project.error), components };
  const srcDir = path.join(projectDir, project.data.srcDir);
  const uids = new Set<string>();
  const urls: { file: string; url: string }[] = [];
  let fetchHosts: string[] | null = null;
  for (const rel of hsmetaFiles(srcDir)) {
    const file = path.posix.join(project.data.srcDir, rel);
    const json = readJson(srcDir, rel, problems, file);
    if (json === undefined) continue;
    const parsed = componentSchema.safeParse(json);
    if (!parsed.success) {
      problems.push(...issues(file, parsed.error));
      continue;
    }
    const { uid, type, config } = parsed.data;
    const kind = COMPONENTS[type];
    if (path.posix.dirname(rel) !== kind.folder) problems.push(`${file}: a ${type} component must sit directly in ${project.data.srcDir}/${kind.folder}/`);
    if (uids.has(uid)) problems.push(`${file}: uid ${uid} is used twice; uids are unique in a project`);
    uids.add(uid);
    components.push(`${uid} (${type})`);
    const checked = kind.schema.safeParse(config);
    if (!checked.success) {
      problems.push(...issues(`${file}: config`, checked.error));
      continue;
    }
    const c = checked.data as Record<string, unknown>;
    if (type === 'app') {
      const app = checked.data as z.infer<typeof COMPONENTS.app.schema>;
      fetchHosts = app.permittedUrls.fetch.map((u) => new URL(u).host);
      urls.push(...app.auth.redirectUrls.map((url) => ({ file, url })));
    }
    if (type === 'card' && !fs.existsSync(path.join(srcDir, String(c.entrypoint)))) problems.push(`${file}: entrypoint ${String(c.entrypoint)} is not a file of the project`);
    if (type === 'workflow-action') urls.push({ file, url: String(c.actionUrl) });
    if (type === 'webhooks') urls.push({ file, url: (c.settings as { targetUrl: string }).targetUrl });
  }
  if (components.filter((c) => c.endsWith('(app)')).length !== 1) problems.push(`${project.data.srcDir}/app: a project has exactly one app component (app-hsmeta.json)`);
  if (fetchHosts !== null) {
    const hosts = fetchHosts;
    for (const { file, url } of urls) if (!hosts.includes(new URL(url).host)) problems.push(`${file}: ${url} is not on a host of the app's permittedUrls.fetch (${hosts.join(', ')}): Threadline serves all of them`);
    const cardUrl = /THREADLINE_URL = '([^']+)'/.exec(readText(path.join(srcDir, 'app/cards/threadline-url.ts')))?.[1];
    if (cardUrl === undefined || !hosts.includes(new URL(cardUrl).host)) problems.push(`${project.data.srcDir}/app/cards/threadline-url.ts: THREADLINE_URL (${cardUrl ?? 'missing'}) must be in the app's permittedUrls.fetch, or hubspot.fetch refuses every call`);
  }
  return { problems, components };
}

function readText(file: string): string {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}
