import fs from 'node:fs';
import path from 'node:path';

/**
 * Where message text is rendered in a browser from JSON: the HubSpot card (React), the Salesforce LWC, the Zendesk
 * app and the console's page scripts. The JSON carries text verbatim (see hubspot-card-workflow and salesforce
 * tests); these render text as text unless told to inject markup, so no source may tell them to.
 */
const REPO = path.resolve(__dirname, '../../..');
const ROOTS = ['manifests', 'server/console/assets'].map((dir) => path.join(REPO, dir));
const SINKS = /innerHTML|outerHTML|insertAdjacentHTML|dangerouslySetInnerHTML|lwc:dom="manual"|document\.write/;

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name.startsWith('.') ? [] : sources(full);
    return /\.(jsx?|tsx?|html)$/.test(entry.name) && !/\.test\./.test(entry.name) ? [full] : [];
  });
}

it('no card, LWC or sidebar source injects markup: message text is only ever rendered as text', () => {
  const files = ROOTS.flatMap(sources);
  expect(files.length).toBeGreaterThan(5);
  expect(files.filter((file) => SINKS.test(fs.readFileSync(file, 'utf8'))).map((file) => path.relative(REPO, file))).toEqual([]);
});
