import { z } from 'zod';
import { pngSize, type AppFiles } from './app-files';

/**
 * An offline stand-in for Zendesk's app validator (`zendesk_apps_support`, which `zcli apps:validate`
 * runs server-side; reference §1.2, §2.1, §2.2, marketplace-tooling §Zendesk): the rules below are the
 * ones those sources state, plus two of ours (exactly one channel integration, a script budget).
 */

const manifestKeys = new Set([
  'name', 'author', 'defaultLocale', 'private', 'version', 'frameworkVersion', 'location', 'parameters', 'domainWhitelist', 'oauth',
  'requirementsOnly', 'marketingOnly', 'singleInstall', 'signedUrls', 'noTemplate', 'experiments', 'remoteInstallationURL', 'termsConditionsURL', 'gaID',
]);
const supportLocations = new Set([
  'ticket_sidebar', 'new_ticket_sidebar', 'user_sidebar', 'organization_sidebar', 'nav_bar', 'top_bar', 'background', 'modal', 'ticket_editor', 'system_top_bar',
]);
const parameterTypes = new Set(['text', 'password', 'checkbox', 'url', 'number', 'multiline', 'hidden', 'oauth', 'mtls']);
const requirementTypes = new Set([
  'channel_integrations', 'webhooks', 'targets', 'triggers', 'automations', 'macros', 'views', 'ticket_fields', 'user_fields', 'organization_fields', 'custom_objects',
]);
const webhookKeys = ['name', 'status', 'endpoint', 'http_method', 'request_format'];
const requiredAppStrings = ['name', 'short_description', 'long_description', 'installation_instructions'];
/** logo.png and logo-small.png, as the marketplace lists them. */
const logoSizes: Record<string, { width: number; height: number }> = { 'assets/logo.png': { width: 320, height: 320 }, 'assets/logo-small.png': { width: 128, height: 128 } };
/** Ours: the sidebar stays plain and fast. */
const SCRIPT_BUDGET_BYTES = 30 * 1024;
const locale = /^[a-z]{2}(-[a-z]{2})?$/i;

const author = z.object({
  name: z.string({ error: 'is required' }).min(1, 'is required'),
  email: z.email({ error: 'is required, an email address' }),
  url: z.url({ error: 'must be a URL' }).optional(),
}, { error: 'is required: { name, email, url }' });
const parameter = z.object({
  name: z.string().min(1), type: z.string().default('text'), required: z.boolean().optional(), secure: z.boolean().optional(),
  default: z.unknown().optional(), scopes: z.array(z.string()).optional(),
});

export interface AppCheck {
  problems: string[];
  warnings: string[];
  summary: { name: string; version: string; locations: string[]; channelIntegration: string | null; locales: string[]; files: number };
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function readJson(files: AppFiles['files'], file: string, problems: string[]): Json | undefined {
  const bytes = files.get(file);
  if (bytes === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    if (isObject(value)) return value;
    problems.push(`${file}: must be a JSON object`);
  } catch (err) {
    problems.push(`${file}: is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  return undefined;
}

function issues(file: string, what: string, error: z.ZodError): string[] {
  return error.issues.map((i) => `${file}: ${[what, ...i.path.map(String)].filter(Boolean).join('.')}: ${i.message}`);
}

/** A location URL: https, localhost for development, or a file of the app. */
function checkLocationUrl(url: unknown, where: string, files: AppFiles['files'], problems: string[]): void {
  if (typeof url !== 'string' || url === '') {
    problems.push(`manifest.json: location.${where}: needs a url`);
    return;
  }
  if (/^https:\/\//.test(url) || /^http:\/\/localhost(:\d+)?\//.test(url)) return;
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) problems.push(`manifest.json: location.${where}: ${url} must be https (or an assets/ file)`);
  else if (!files.has(url)) problems.push(`manifest.json: location.${where}: ${url} is not a file of the app`);
}

function checkManifest(manifest: Json, files: AppFiles['files'], problems: string[], warnings: string[]): string[] {
  for (const key of Object.keys(manifest)) if (!manifestKeys.has(key)) problems.push(`manifest.json: unknown key ${key}`);
  const parsedAuthor = author.safeParse(manifest.author);
  if (!parsedAuthor.success) problems.push(...issues('manifest.json', 'author', parsedAuthor.error));
  for (const key of ['private', 'requirementsOnly', 'marketingOnly', 'singleInstall', 'signedUrls', 'noTemplate']) {
    if (manifest[key] !== undefined && typeof manifest[key] !== 'boolean') problems.push(`manifest.json: ${key} must be true or false`);
  }
  if (manifest.version !== undefined && typeof manifest.version !== 'string') problems.push('manifest.json: version must be a string');
  const defaultLocale = manifest.defaultLocale;
  if (typeof defaultLocale !== 'string' || !locale.test(defaultLocale)) problems.push('manifest.json: defaultLocale is required, a locale such as "en"');
  else if (!files.has(`translations/${defaultLocale}.json`)) problems.push(`manifest.json: defaultLocale ${defaultLocale} has no translations/${defaultLocale}.json`);

  const locations: string[] = [];
  if (manifest.requirementsOnly === true) {
    if (manifest.location !== undefined || manifest.frameworkVersion !== undefined) problems.push('manifest.json: a requirementsOnly app declares neither location nor frameworkVersion');
    for (const file of files.keys()) if (/\.(js|css|html?|hdbs)$/.test(file)) problems.push(`${file}: a requirementsOnly app contains no scripts, styles or templates`);
    return locations;
  }
  if (manifest.marketingOnly !== true && manifest.frameworkVersion !== '2.0') problems.push('manifest.json: frameworkVersion must be "2.0"');
  if (!isObject(manifest.location)) {
    if (manifest.marketingOnly !== true) problems.push('manifest.json: location is required (or requirementsOnly: true)');
  } else {
    for (const [product, places] of Object.entries(manifest.location)) {
      if (product !== 'support') {
        problems.push(`manifest.json: location.${product}: only support locations are checked here; this app ships none other`);
        continue;
      }
      if (!isObject(places)) {
        problems.push(`manifest.json: location.${product} must map location names to URLs`);
        continue;
      }
      for (const [name, value] of Object.entries(places)) {
        if (!supportLocations.has(name)) problems.push(`manifest.json: location.support.${name} is not a Support location`);
        checkLocationUrl(isObject(value) ? value.url : value, `support.${name}`, files, problems);
        locations.push(`support.${name}`);
      }
    }
  }
  const whitelist = manifest.domainWhitelist;
  if (!Array.isArray(whitelist) || whitelist.length === 0 || !whitelist.every((d) => typeof d === 'string' && d !== '')) {
    problems.push('manifest.json: domainWhitelist must list the Threadline host');
  }
  checkParameters(manifest.parameters, problems, warnings);
  return locations;
}

function checkParameters(value: unknown, problems: string[], warnings: string[]): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    problems.push('manifest.json: parameters must be a list');
    return;
  }
  const names = new Set<string>();
  value.forEach((raw, i) => {
    const parsed = parameter.safeParse(raw);
    if (!parsed.success) {
      problems.push(...issues('manifest.json', `parameters.${i}`, parsed.error));
      return;
    }
    const p = parsed.data;
    const where = `manifest.json: parameter ${p.name}`;
    if (p.name === 'name') problems.push(`${where}: "name" is reserved`);
    if (names.has(p.name)) problems.push(`${where}: declared twice`);
    names.add(p.name);
    if (!parameterTypes.has(p.type)) problems.push(`${where}: type ${p.type} is not one of ${[...parameterTypes].join(', ')}`);
    if (p.type === 'oauth' && p.secure) problems.push(`${where}: an oauth parameter cannot be secure`);
    if (p.type === 'hidden' && p.required) problems.push(`${where}: a hidden parameter cannot be required`);
    // A token in a non-secure parameter reaches every agent's browser: refused here, a warning at Zendesk.
    if (/token|key|pwd|password|secret/i.test(p.name) && !p.secure) problems.push(`${where}: looks like a secret; make it secure: true`);
    if (p.secure && p.scopes === undefined) warnings.push(`${where}: secure without scopes (Zendesk warns)`);
    if ((p.secure || p.type === 'hidden') && p.default !== undefined) warnings.push(`${where}: a secure or hidden parameter with a default (Zendesk warns)`);
  });
}

function checkTranslations(files: AppFiles['files'], defaultLocale: unknown, isPrivate: boolean, problems: string[]): string[] {
  const locales: string[] = [];
  for (const file of files.keys()) {
    if (!file.startsWith('translations/')) continue;
    const name = /^translations\/([^/]+)\.json$/.exec(file)?.[1];
    if (name === undefined || !locale.test(name)) {
      problems.push(`${file}: translation files are named like en.json or pt-BR.json`);
      continue;
    }
    locales.push(name);
    const translation = readJson(files, file, problems);
    const app = translation?.app;
    if (translation !== undefined && !isObject(app)) {
      problems.push(`${file}: has no "app" object`);
      continue;
    }
    if (!isObject(app)) continue;
    if (name === defaultLocale && !isPrivate) {
      for (const key of requiredAppStrings) {
        if (typeof app[key] !== 'string' || app[key] === '') problems.push(`${file}: app.${key} is required (a non-empty string)`);
      }
    }
    if (app.parameters !== undefined) {
      for (const [param, entry] of Object.entries(isObject(app.parameters) ? app.parameters : {})) {
        if (!isObject(entry) || typeof entry.label !== 'string') problems.push(`${file}: app.parameters.${param} needs a label`);
      }
    }
  }
  return locales;
}

function checkRequirements(requirements: Json | undefined, problems: string[]): string | null {
  if (requirements === undefined) return null; // unreadable: already reported
  for (const [type, entries] of Object.entries(requirements)) {
    if (!requirementTypes.has(type)) {
      problems.push(`requirements.json: unknown requirement type ${type}`);
      continue;
    }
    if (!isObject(entries)) {
      problems.push(`requirements.json: ${type} must map identifiers to definitions`);
      continue;
    }
    for (const [id, entry] of Object.entries(entries)) {
      if (!isObject(entry)) problems.push(`requirements.json: ${type}.${id} must be an object`);
      else if (type === 'webhooks') for (const key of webhookKeys) { if (entry[key] === undefined) problems.push(`requirements.json: webhooks.${id} needs ${key}`); }
      else if (type !== 'channel_integrations' && type !== 'custom_objects' && typeof entry.title !== 'string') problems.push(`requirements.json: ${type}.${id} needs a title`);
    }
  }
  const integrations = Object.entries(isObject(requirements.channel_integrations) ? requirements.channel_integrations : {});
  if (integrations.length !== 1) {
    problems.push(`requirements.json: declares ${integrations.length} channel integrations; the app installs exactly one`);
    return null;
  }
  const [id, entry] = integrations[0] as [string, unknown];
  const url = isObject(entry) ? entry.manifest_url : undefined;
  if (typeof url !== 'string') problems.push(`requirements.json: channel_integrations.${id} needs a manifest_url`);
  else if (!/^https:\/\/[^/\s]+\/\S*$/.test(url)) problems.push(`requirements.json: channel_integrations.${id}.manifest_url ${url} must be an https URL (Zendesk fails the install otherwise)`);
  return typeof url === 'string' ? `${id} → ${url}` : null;
}

export function checkZendeskApp(app: AppFiles): AppCheck {
  const { files } = app;
  const problems = [...app.problems];
  const warnings: string[] = [];
  for (const file of files.keys()) if (file.includes('/') && file.endsWith('manifest.json') && !file.startsWith('assets/')) problems.push(`${file}: a nested manifest (manifest.json belongs at the app's root)`);
  if (!files.has('manifest.json')) problems.push('manifest.json: is missing at the app\'s root');
  const manifest = readJson(files, 'manifest.json', problems);
  const locations = manifest ? checkManifest(manifest, files, problems, warnings) : [];
  const locales = checkTranslations(files, manifest?.defaultLocale, manifest?.private === true, problems);
  if (!files.has('requirements.json')) problems.push('requirements.json: is required (it declares the channel integration)');
  const channelIntegration = checkRequirements(readJson(files, 'requirements.json', problems), problems);
  for (const [file, size] of Object.entries(logoSizes)) {
    const bytes = files.get(file);
    const actual = bytes === undefined ? undefined : pngSize(bytes);
    if (bytes === undefined) problems.push(`${file}: is required (${size.width}×${size.height} PNG)`);
    else if (actual === undefined) problems.push(`${file}: is not a PNG`);
    else if (actual.width !== size.width || actual.height !== size.height) problems.push(`${file}: is ${actual.width}×${actual.height}; Zendesk wants ${size.width}×${size.height}`);
  }
  const scriptBytes = [...files].filter(([f]) => f.endsWith('.js')).reduce((sum, [, b]) => sum + b.length, 0);
  if (scriptBytes > SCRIPT_BUDGET_BYTES) problems.push(`assets: ${Math.round(scriptBytes / 1024)} KB of script; the sidebar's budget is ${SCRIPT_BUDGET_BYTES / 1024} KB`);
  return {
    problems,
    warnings,
    summary: {
      name: typeof manifest?.name === 'string' ? manifest.name : '?',
      version: typeof manifest?.version === 'string' ? manifest.version : '?',
      locations, channelIntegration, locales, files: files.size,
    },
  };
}
