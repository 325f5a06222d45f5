import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { APP_OPTIONAL_SCOPES, REQUIRED_SCOPES } from '../../connectors/hubspot/oauth/scopes';
import { WORKFLOW_FIELDS, WORKFLOW_SEND_PATH } from '../../connectors/hubspot/workflow';
import { CARDS_DIR, bundleCard, lintCard, typeCheckCard } from '../../manifests/hubspot/tools/card-checks';
import { checkProject } from '../../manifests/hubspot/tools/check-project';
import { packageHubSpotProject } from '../../manifests/hubspot/tools/package-project';

/** The HubSpot developer project's offline checks (marketplace-tooling §HubSpot), on the shipped project and on broken copies. */
const PROJECT = path.join(__dirname, '../../manifests/hubspot');
const CARD = fs.readFileSync(path.join(CARDS_DIR, 'WhatsAppCard.tsx'), 'utf8');
const TSX = path.join(__dirname, '../../node_modules/.bin/tsx');

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hubspot-project-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/**
 * A copy of the project's files with one thing changed. Its installed packages are links to the real ones (the
 * card folder's own, and the repo's hoisted ones above it), so the lint and the bundle resolve as in the repo.
 */
function brokenCopy(change: (dir: string) => void): string {
  const dir = path.join(tmp, 'project');
  fs.cpSync(PROJECT, dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}node_modules`) });
  fs.symlinkSync(path.join(CARDS_DIR, 'node_modules'), path.join(dir, 'src/app/cards/node_modules'));
  fs.symlinkSync(path.join(__dirname, '../../node_modules'), path.join(dir, 'node_modules'));
  change(dir);
  return dir;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form edits of a copy's JSON, any depth
const editJson = (dir: string, file: string, edit: (json: Record<string, any>) => void) => {
  const json = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  edit(json);
  fs.writeFileSync(path.join(dir, file), JSON.stringify(json));
};
const APP = 'src/app/app-hsmeta.json';
const CARD_META = 'src/app/cards/whatsapp-card-hsmeta.json';
const ACTION = 'src/app/workflow-actions/send-whatsapp-template-hsmeta.json';
const WEBHOOKS = 'src/app/webhooks/webhooks-hsmeta.json';

describe('the hsmeta schema check', () => {
  it('passes the shipped project: one app, the card, the workflow action and the webhooks', () => {
    expect(checkProject(PROJECT)).toEqual({
      problems: [],
      components: expect.arrayContaining(['threadline_whatsapp_app (app)', 'threadline_whatsapp_card (card)', 'threadline_send_whatsapp_template (workflow-action)', 'threadline_webhooks (webhooks)']),
    });
  });

  it('asks for the same scopes as the install and sign-in flows (the authorize URL must list every required scope of the app)', () => {
    const app = JSON.parse(fs.readFileSync(path.join(PROJECT, APP), 'utf8')).config.auth;
    expect(app.requiredScopes).toEqual([...REQUIRED_SCOPES]);
    expect(app.optionalScopes).toEqual([...APP_OPTIONAL_SCOPES]);
  });

  it('declares the workflow action with the fields its backend reads and answers, at the backend\'s URL', () => {
    const action = JSON.parse(fs.readFileSync(path.join(PROJECT, ACTION), 'utf8')).config;
    expect(new URL(action.actionUrl).pathname).toBe(WORKFLOW_SEND_PATH);
    expect(action.inputFields.map((f: { typeDefinition: { name: string } }) => f.typeDefinition.name)).toEqual([...WORKFLOW_FIELDS.inputs]);
    expect(action.outputFields.map((f: { typeDefinition: { name: string } }) => f.typeDefinition.name)).toEqual([...WORKFLOW_FIELDS.outputs]);
  });

  it.each<[string, (dir: string) => void, string]>([
    ['broken JSON', (d) => fs.writeFileSync(path.join(d, ACTION), '{"uid": '), `src/app/workflow-actions/send-whatsapp-template-hsmeta.json: is not valid JSON`],
    ['an unknown component type', (d) => editJson(d, CARD_META, (j) => { j.type = 'crad'; }), `src/app/cards/whatsapp-card-hsmeta.json: type: must be one of app, card, webhooks, workflow-action`],
    ['a card in the wrong folder', (d) => fs.renameSync(path.join(d, CARD_META), path.join(d, 'src/app/webhooks/whatsapp-card-hsmeta.json')), 'src/app/webhooks/whatsapp-card-hsmeta.json: a card component must sit directly in src/app/cards/'],
    ['a duplicate uid', (d) => editJson(d, WEBHOOKS, (j) => { j.uid = 'threadline_whatsapp_card'; }), 'uid threadline_whatsapp_card is used twice'],
    ['a missing card entrypoint', (d) => editJson(d, CARD_META, (j) => { j.config.entrypoint = '/app/cards/Missing.tsx'; }), 'entrypoint /app/cards/Missing.tsx is not a file of the project'],
    ['a misspelt config key', (d) => editJson(d, ACTION, (j) => { j.config.actionURL = j.config.actionUrl; delete j.config.actionUrl; }), 'config: actionUrl: must be an https URL'],
    ['an http action URL', (d) => editJson(d, ACTION, (j) => { j.config.actionUrl = 'http://threadline.example.com/connectors/hubspot/workflow/send'; }), 'config: actionUrl: must be an https URL'],
    ['a marketplace app with static auth', (d) => editJson(d, APP, (j) => { j.config.auth.type = 'static'; }), 'config: auth.type: a marketplace app authenticates with oauth only'],
    ['a webhook target off the permitted host', (d) => editJson(d, WEBHOOKS, (j) => { j.config.settings.targetUrl = 'https://elsewhere.example.net/hooks'; }), 'https://elsewhere.example.net/hooks is not on a host of the app\'s permittedUrls.fetch'],
    ['a card calling a host the app does not permit', (d) => editJson(d, APP, (j) => { j.config.permittedUrls.fetch = ['https://api.hubapi.com']; }), 'THREADLINE_URL (https://threadline.example.com) must be in the app\'s permittedUrls.fetch'],
    ['a property change without its property', (d) => editJson(d, WEBHOOKS, (j) => { delete j.config.subscriptions.legacyCrmObjects[2].propertyName; }), 'a propertyChange subscription names its propertyName'],
    ['an input field without a label', (d) => editJson(d, ACTION, (j) => { delete j.config.labels.en.inputFieldLabels.language; }), 'input field language has no label'],
    ['an old platform version', (d) => editJson(d, 'hsproject.json', (j) => { j.platformVersion = '2023.2'; }), 'hsproject.json: platformVersion: must be 2025.2 or 2026.03'],
  ])('fails on %s, with a line naming it', (_what, change, expected) => {
    const { problems } = checkProject(brokenCopy(change));
    expect(problems.filter((p) => p.includes(expected))).toHaveLength(1);
  });
});

describe('npm run package:hubspot', () => {
  it('fills in the host everywhere HubSpot calls Threadline, and the copy passes the check', () => {
    const out = path.join(tmp, 'out');
    const result = packageHubSpotProject({ outDir: out, host: 'threadline.acme.com', release: false });
    expect(result).toEqual({ ok: true, outDir: out, lines: expect.any(Array) });
    const app = JSON.parse(fs.readFileSync(path.join(out, APP), 'utf8')).config;
    expect(app.permittedUrls.fetch).toEqual(['https://threadline.acme.com']);
    expect(app.auth.redirectUrls).toEqual(['https://threadline.acme.com/connectors/hubspot/oauth/callback', 'https://threadline.acme.com/admin/sign-in/hubspot/callback']);
    expect(fs.readFileSync(path.join(out, 'src/app/cards/threadline-url.ts'), 'utf8')).toContain("THREADLINE_URL = 'https://threadline.acme.com'");
    expect(fs.existsSync(path.join(out, 'src/app/cards/__tests__'))).toBe(false);
    expect(fs.existsSync(path.join(out, 'src/app/cards/node_modules'))).toBe(false);
  });

  it('a release build refuses the placeholder host, and the script exits 1 saying so', async () => {
    const release = packageHubSpotProject({ outDir: path.join(tmp, 'out'), host: 'threadline.example.com', release: true });
    expect(release.ok).toBe(false);
    expect(release.lines).toContain('✗ src/app/app-hsmeta.json: still names example.com; a release build needs --host (or THREADLINE_PUBLIC_HOST) naming where Threadline runs, and a real support address');
    expect(packageHubSpotProject({ outDir: path.join(tmp, 'out'), host: 'https://x.acme.com/', release: false }).lines[0]).toMatch(/^--host https:\/\/x\.acme\.com\/: must be a host name/);
    const failed = await promisify(execFile)(TSX, [path.join(PROJECT, 'tools/package-project.ts'), '--out', path.join(tmp, 'cli'), '--release']).then(() => undefined, (err: { code: number; stderr: string }) => err);
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('still names example.com');
  });
});

describe('the card', () => {
  it('passes HubSpot\'s lint rules and type-checks', async () => {
    expect(await lintCard()).toEqual({ ok: true, output: '' });
    expect(await typeCheckCard()).toEqual({ ok: true, output: '' });
  });

  it('the lint fails on each thing HubSpot forbids in a card, naming the rule', async () => {
    const broken: Record<string, [string, string, string]> = {
      'an HTML element': ['<Divider />', '<div />', '@hubspot/ui-extensions/no-html-elements'],
      'native fetch': ['    void load();', "    void fetch('https://threadline.example.com');\n    void load();", '@hubspot/ui-extensions/no-native-http'],
      'browser storage': ['const key = pendingKey ?? newIdempotencyKey();', "const key = pendingKey ?? localStorage.getItem('k') ?? newIdempotencyKey();", '@hubspot/ui-extensions/no-browser-storage'],
      'a hook behind a condition': ['const { properties } = useCrmProperties(PREFILL_PROPERTIES);', 'const { properties } = context.crm.objectId > 0 ? useCrmProperties(PREFILL_PROPERTIES) : { properties: {} };', 'react-hooks/rules-of-hooks'],
    };
    const dir = brokenCopy((d) => Object.values(broken).forEach(([from, to], i) => {
      expect(CARD).toContain(from);
      fs.writeFileSync(path.join(d, `src/app/cards/Broken${i}.tsx`), CARD.replace(from, to));
    }));
    const result = await lintCard(path.join(dir, 'src/app/cards'), 'json');
    expect(result.ok).toBe(false);
    const rulesByFile = Object.fromEntries((JSON.parse(result.output) as { filePath: string; messages: { ruleId: string }[] }[])
      .map((f) => [path.basename(f.filePath), f.messages.map((m) => m.ruleId)]));
    Object.values(broken).forEach(([, , rule], i) => expect(rulesByFile[`Broken${i}.tsx`]).toContain(rule));
    expect(rulesByFile['WhatsAppCard.tsx']).toEqual([]);
  });

  it('bundles offline with HubSpot\'s builder, and the bundle fails on a broken card', async () => {
    const built = await bundleCard(CARDS_DIR, 'WhatsAppCard.tsx', path.join(tmp, 'bundle'));
    expect(built.ok).toBe(true);
    const bundle = fs.readFileSync(path.join(tmp, 'bundle/WhatsAppCard.js'), 'utf8');
    expect(bundle).toContain('/connectors/hubspot/card/');
    expect(bundle.length).toBeLessThan(100 * 1024);

    const broken = brokenCopy((d) => fs.writeFileSync(path.join(d, 'src/app/cards/WhatsAppCard.tsx'), CARD.replace("from './Composer';", "from './Composr';")));
    const failed = await bundleCard(path.join(broken, 'src/app/cards'), 'WhatsAppCard.tsx', path.join(tmp, 'bundle-broken'));
    expect(failed.ok).toBe(false);
    expect(failed.output).toMatch(/Composr/);
  });
});
