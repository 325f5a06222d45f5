import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { checkSources } from '../../manifests/salesforce/tools/check-package';
import { runLwcTests } from '../../manifests/salesforce/tools/lwc-tests';

/** The Salesforce package's offline checks (marketplace-tooling §3, §4), on the shipped project and on broken copies. */
const PROJECT = path.join(__dirname, '../../manifests/salesforce');
const SRC = 'force-app/main/default';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'salesforce-package-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function brokenCopy(change: (dir: string) => void): string {
  const dir = path.join(tmp, 'project');
  fs.cpSync(PROJECT, dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}node_modules`) });
  change(dir);
  return dir;
}
const edit = (dir: string, file: string, change: (text: string) => string) => {
  const text = fs.readFileSync(path.join(dir, file), 'utf8');
  const changed = change(text);
  expect(changed).not.toBe(text);
  fs.writeFileSync(path.join(dir, file), changed);
};
const problemsOf = async (dir: string) => (await checkSources(dir)).flatMap((r) => r.problems);

describe('the shipped package', () => {
  it('passes every file check', async () => {
    const results = await checkSources(PROJECT);
    expect(results.map((r) => r.name)).toHaveLength(5);
    expect(results.flatMap((r) => r.problems)).toEqual([]);
  });

  it('passes its LWC tests under sfdx-lwc-jest (its own jest, in a child process)', async () => {
    const run = await runLwcTests(PROJECT);
    expect(run.problems).toEqual([]);
    expect(run.summary).toMatch(/Tests:\s+\d+ passed, \d+ total/);
  });

  it('models the fields the connector writes, as the Salesforce fake does', () => {
    const fields = (object: string) => fs.readdirSync(path.join(PROJECT, SRC, 'objects', object, 'fields')).map((f) => f.replace('.field-meta.xml', '')).sort();
    expect(fields('WhatsApp_Message__c')).toEqual(['Body__c', 'Conversation__c', 'Direction__c', 'Error_Code__c', 'Error_Message__c', 'Media_Url__c', 'Sent_At__c', 'Status__c', 'Threadline_Id__c', 'Type__c', 'Wamid__c']);
    expect(fields('WhatsApp_Conversation__c')).toEqual(['Account__c', 'Business_Phone_Id__c', 'Case__c', 'Contact__c', 'Conversation_Key__c', 'Customer_WaId__c', 'Last_Inbound_At__c', 'Lead__c', 'Opportunity__c', 'Status__c', 'Unread_Count__c']);
    const field = (object: string, name: string) => new XMLParser().parse(fs.readFileSync(path.join(PROJECT, SRC, 'objects', object, 'fields', `${name}.field-meta.xml`), 'utf8')).CustomField;
    expect(field('WhatsApp_Message__c', 'Conversation__c')).toMatchObject({ type: 'MasterDetail', referenceTo: 'WhatsApp_Conversation__c' });
    expect(field('WhatsApp_Message__c', 'Wamid__c')).toMatchObject({ type: 'Text', length: 255, externalId: true, unique: true });
    expect(field('WhatsApp_Message__c', 'Threadline_Id__c')).toMatchObject({ type: 'Text', length: 64, externalId: true, unique: true });
    expect(field('Contact', 'WhatsApp_E164__c')).toMatchObject({ type: 'Text', length: 20, externalId: true });
  });

  it('keeps the global OAuth settings (consumer secret) out of the package', () => {
    expect(fs.existsSync(path.join(PROJECT, SRC, 'extlClntAppGlobalOauthSets'))).toBe(false);
    expect(fs.readFileSync(path.join(PROJECT, '.forceignore'), 'utf8')).toContain('extlClntAppGlobalOauthSets');
  });
});

describe('the checks on broken copies', () => {
  const FIELD = `${SRC}/objects/WhatsApp_Message__c/fields/Wamid__c.field-meta.xml`;
  const CONTROLLER = `${SRC}/classes/WhatsAppThreadController.cls`;
  it.each<[string, (dir: string) => void, string]>([
    ['a malformed field XML', (d) => edit(d, FIELD, (t) => t.replace('</label>', '</labl>')), `${FIELD}: malformed XML at line`],
    ['a class without its -meta.xml', (d) => fs.rmSync(path.join(d, `${SRC}/classes/ThreadlineClient.cls-meta.xml`)), `${SRC}/classes/ThreadlineClient.cls: has no ThreadlineClient.cls-meta.xml next to it`],
    ['an Apex syntax error', (d) => edit(d, CONTROLLER, (t) => t.replace("'recordId' => recordId });", "'recordId' => recordId }")), `${CONTROLLER}: Apex does not parse: Expecting ')' but was: '}'.`],
    ['unformatted Apex', (d) => edit(d, CONTROLLER, (t) => t.replace("    return ThreadlineClient.post('thread'", "        return ThreadlineClient.post('thread'")), `${CONTROLLER}: not formatted`],
    ['a component missing from package.xml', (d) => edit(d, 'manifest/package.xml', (t) => t.replace('        <members>WhatsApp_Message__c.Wamid__c</members>\n', '')), 'manifest/package.xml: does not list CustomField WhatsApp_Message__c.Wamid__c, which force-app has'],
    ['a package.xml naming what force-app lacks', (d) => fs.rmSync(path.join(d, `${SRC}/classes/ThreadlineCalloutMock.cls-meta.xml`)), 'manifest/package.xml: lists ApexClass ThreadlineCalloutMock, which force-app does not have'],
    ['a permission set naming a missing class', (d) => edit(d, `${SRC}/permissionsets/Threadline_User.permissionset-meta.xml`, (t) => t.replace('<apexClass>WhatsAppThreadController</apexClass>', '<apexClass>WhatsAppThreadCtrl</apexClass>')), `${SRC}/permissionsets/Threadline_User.permissionset-meta.xml: names Apex class WhatsAppThreadCtrl, which is not in force-app`],
    ['a permission set naming a missing field', (d) => edit(d, `${SRC}/permissionsets/Threadline_Admin.permissionset-meta.xml`, (t) => t.replace('<field>WhatsApp_Message__c.Body__c</field>', '<field>WhatsApp_Message__c.Text__c</field>')), 'names field WhatsApp_Message__c.Text__c, which is not in force-app'],
    ['a permission set naming a missing principal', (d) => edit(d, `${SRC}/externalCredentials/Threadline.externalCredential-meta.xml`, (t) => t.replace('<parameterName>OrgKey</parameterName>', '<parameterName>Key</parameterName>')), 'Threadline_User.permissionset-meta.xml: names External Credential principal Threadline-OrgKey, which is not in force-app'],
    ['an unknown LWC target', (d) => edit(d, `${SRC}/lwc/whatsappThread/whatsappThread.js-meta.xml`, (t) => t.replace('<target>lightning__RecordPage</target>', '<target>lightning__RecordPag</target>')), `${SRC}/lwc/whatsappThread/whatsappThread.js-meta.xml: unknown target lightning__RecordPag`],
    ['an LWC bundle without its js-meta.xml', (d) => fs.rmSync(path.join(d, `${SRC}/lwc/whatsappThread/whatsappThread.js-meta.xml`)), `${SRC}/lwc/whatsappThread: has no whatsappThread.js-meta.xml`],
  ])('fails on %s, with a line naming it', async (_what, change, expected) => {
    const problems = await problemsOf(brokenCopy(change));
    expect(problems.filter((p) => p.includes(expected))).toHaveLength(1);
  });
});
