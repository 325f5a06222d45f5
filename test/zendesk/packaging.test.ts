import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import JSZip from 'jszip';
import { packageZendeskApp } from '../../connectors/zendesk/packaging/package-app';

/** `npm run package:zendesk`: the offline checker and the zip, on the shipped app and on broken copies of it. */
const SHIPPED = path.join(__dirname, '../../manifests/zendesk/app');
const SCRIPT = path.join(__dirname, '../../connectors/zendesk/packaging/package-app.ts');
const TSX = path.join(__dirname, '../../node_modules/.bin/tsx');

describe('packaging the Zendesk app', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zendesk-app-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** A copy of the shipped app with one thing changed. */
  function brokenCopy(change: (dir: string) => void): string {
    const dir = path.join(tmp, 'app');
    fs.cpSync(SHIPPED, dir, { recursive: true });
    change(dir);
    return dir;
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form edits of a copy's JSON, any depth
  const editJson = (dir: string, file: string, edit: (json: Record<string, any>) => void) => {
    const json = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    edit(json);
    fs.writeFileSync(path.join(dir, file), JSON.stringify(json));
  };
  const run = (appDir: string, options: { host?: string; release?: boolean } = {}) =>
    packageZendeskApp({ appDir, outDir: path.join(tmp, 'out'), host: options.host ?? 'threadline.acme.com', release: options.release ?? false });

  it('the shipped app passes, and its zip holds the app at the root with Threadline\'s host filled in', async () => {
    const result = await run(SHIPPED);
    expect(result).toEqual({ ok: true, zipPath: path.join(tmp, 'out/threadline-zendesk-1.0.0.zip'), lines: expect.any(Array) });
    if (!result.ok) return;
    expect(result.lines[0]).toContain('support.ticket_sidebar; channel integration threadline_whatsapp → https://threadline.acme.com/connectors/zendesk/manifest.json');
    const zip = await JSZip.loadAsync(fs.readFileSync(result.zipPath));
    expect(Object.keys(zip.files).filter((f) => !zip.files[f]?.dir).sort()).toEqual([
      'assets/iframe.html', 'assets/logo-small.png', 'assets/logo.png', 'assets/sidebar.css', 'assets/sidebar.js',
      'manifest.json', 'requirements.json', 'translations/en.json', 'translations/es.json',
    ]);
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
    expect(manifest).toMatchObject({
      frameworkVersion: '2.0', signedUrls: true, domainWhitelist: ['threadline.acme.com'],
      location: { support: { ticket_sidebar: { url: 'https://threadline.acme.com/connectors/zendesk/sidebar' } } },
    });
    expect(manifest.requirementsOnly).toBeUndefined();
  });

  it.each<[string, (dir: string) => void, string]>([
    ['a required translation missing', (d) => editJson(d, 'translations/en.json', (j) => delete j.app.installation_instructions), '✗ translations/en.json: app.installation_instructions is required (a non-empty string)'],
    ['two channel integrations', (d) => editJson(d, 'requirements.json', (j) => { j.channel_integrations.second = { manifest_url: 'https://other.example.net/m.json' }; }), '✗ requirements.json: declares 2 channel integrations; the app installs exactly one'],
    ['an http manifest_url', (d) => editJson(d, 'requirements.json', (j) => { j.channel_integrations.threadline_whatsapp.manifest_url = 'http://threadline.acme.com/m.json'; }), '✗ requirements.json: channel_integrations.threadline_whatsapp.manifest_url http://threadline.acme.com/m.json must be an https URL (Zendesk fails the install otherwise)'],
    ['a location asset missing', (d) => editJson(d, 'manifest.json', (j) => { j.location.support.ticket_sidebar.url = 'assets/missing.html'; }), '✗ manifest.json: location.support.ticket_sidebar: assets/missing.html is not a file of the app'],
    ['an unknown location', (d) => editJson(d, 'manifest.json', (j) => { j.location.support.ticket_sidbar = 'assets/iframe.html'; }), '✗ manifest.json: location.support.ticket_sidbar is not a Support location'],
    ['no domainWhitelist', (d) => editJson(d, 'manifest.json', (j) => delete j.domainWhitelist), '✗ manifest.json: domainWhitelist must list the Threadline host'],
    ['frameworkVersion 1.0', (d) => editJson(d, 'manifest.json', (j) => { j.frameworkVersion = '1.0'; }), '✗ manifest.json: frameworkVersion must be "2.0"'],
    ['a token in a non-secure parameter', (d) => editJson(d, 'manifest.json', (j) => { j.parameters = [{ name: 'api_token', type: 'text' }]; }), '✗ manifest.json: parameter api_token: looks like a secret; make it secure: true'],
    ['no author email', (d) => editJson(d, 'manifest.json', (j) => delete j.author.email), '✗ manifest.json: author.email: is required, an email address'],
    ['a defaultLocale without translations', (d) => editJson(d, 'manifest.json', (j) => { j.defaultLocale = 'fr'; }), '✗ manifest.json: defaultLocale fr has no translations/fr.json'],
    ['a logo of the wrong size', (d) => fs.copyFileSync(path.join(d, 'assets/logo-small.png'), path.join(d, 'assets/logo.png')), '✗ assets/logo.png: is 128×128; Zendesk wants 320×320'],
    ['a symlink', (d) => fs.symlinkSync('/etc/hostname', path.join(d, 'assets/outside.txt')), '✗ assets/outside.txt: is a symlink; Zendesk rejects symlinks in an app (copy the file into the app instead)'],
    ['broken JSON', (d) => fs.writeFileSync(path.join(d, 'requirements.json'), '{"channel_integrations": '), '✗ requirements.json: is not valid JSON'],
    ['requirementsOnly with a sidebar', (d) => editJson(d, 'manifest.json', (j) => { j.requirementsOnly = true; }), '✗ manifest.json: a requirementsOnly app declares neither location nor frameworkVersion'],
  ])('fails on %s, with one clear line for it', async (_what, change, line) => {
    const result = await run(brokenCopy(change));
    expect(result.ok).toBe(false);
    expect(result.lines.filter((l) => l.startsWith(line))).toHaveLength(1);
    expect(fs.existsSync(path.join(tmp, 'out'))).toBe(false);
  });

  it('a release build refuses the placeholder host', async () => {
    const result = await run(SHIPPED, { host: 'threadline.example.com', release: true });
    expect(result.ok).toBe(false);
    expect(result.lines[0]).toMatch(/^✗ manifest\.json: still names example\.com; a release build needs --host/);
    expect((await run(SHIPPED, { host: 'https://threadline.acme.com/' })).lines).toEqual([expect.stringMatching(/^--host https:\/\/threadline\.acme\.com\/: must be a host name/)]);
  });

  it('the npm script exits 0 with a summary on the shipped app and 1 with the problems on a broken copy', async () => {
    const exec = promisify(execFile);
    const out = path.join(tmp, 'cli-out');
    const passed = await exec(TSX, [SCRIPT, '--out', out, '--host', 'threadline.acme.com']);
    expect(passed.stdout).toMatch(/^✓ Threadline for WhatsApp 1\.0\.0/);
    const broken = brokenCopy((d) => editJson(d, 'requirements.json', (j) => { j.channel_integrations = {}; }));
    const failed = await exec(TSX, [SCRIPT, '--app', broken, '--out', out]).then(() => undefined, (err: { code: number; stderr: string }) => err);
    expect(failed?.code).toBe(1);
    expect(failed?.stderr.trim()).toBe('✗ requirements.json: declares 0 channel integrations; the app installs exactly one');
  });
});
