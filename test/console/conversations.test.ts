import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { startConsoleSession } from '../../core/auth/console-sessions';
import { listConversations } from '../../core/conversations/read-conversations';
import type { Db } from '../../core/db/connect';
import { describeInBrowser, screenshot, startConsoleWorld, type ConsoleWorld } from '../support/console-browser';
import { seedFixtureNumber } from '../support/seed';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime';

// A 160x100 striped PNG: the thread must show it as an image, fetched through the console's own media route.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAKAAAABkCAIAAACO1KzYAAAAwUlEQVR42u3cMQ0AMAgAQfaKK0rQWTmVUA/dIJe8Am4F4p7U4MIIAAuwAAuwAAuwAAMWYAEWYAEWYAEGLMACLMACLMACLMCA1R141dbgAAMWYAEWYAEWYAEGLMACLMACLMACDFiABViABViABViAAas9sN1/pysCLMACLMACLMCABViABViABViAAQuwAAuwAAuwAAswYAGWj+9yuiLAAizAgAVYgAVYgAVYgAELsAALsAALsAALMGABFmABFmB99gB2RukahYYNKAAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n% invoice\n');
const HOUR = 3_600_000;

interface Seeded {
  ada: string;
  bob: string;
  foreign: { conversation: string; message: string };
  imageMessage: string;
}

async function insertOne(db: Db, table: string, row: Record<string, unknown>): Promise<string> {
  const [inserted]: { id: string }[] = await db(table).insert(row).returning('id');
  if (!inserted) throw new Error(`${table} not inserted`);
  return inserted.id;
}

async function seedConversation(db: Db, ws: string, numberId: string, contact: Record<string, unknown>, conversation: Record<string, unknown>): Promise<{ contact: string; conversation: string }> {
  const contactId = await insertOne(db, 'contact', { workspace_id: ws, ...contact });
  const conversationId = await insertOne(db, 'conversation', { workspace_id: ws, contact_id: contactId, whatsapp_number_id: numberId, opened_at: new Date(Date.now() - 48 * HOUR), ...conversation });
  return { contact: contactId, conversation: conversationId };
}

async function seedMessage(db: Db, ws: string, conversation: string, row: Record<string, unknown>): Promise<string> {
  return insertOne(db, 'message', { workspace_id: ws, conversation_id: conversation, wamid: `wamid.${crypto.randomUUID()}`, body: '{}', status: 'received', ...row });
}

async function seed(rt: TestRuntime): Promise<Seeded> {
  const { db } = rt;
  const ws = rt.workspace.id;
  const number = await seedFixtureNumber(db, ws, { verified_name: 'Acme Support' });
  const now = Date.now();

  const ada = await seedConversation(db, ws, number.id, { wa_id: '15551234567', profile_name: 'Ada Lovelace' }, {
    status: 'open', assignee_platform: 'zendesk', assignee_id: '901', assignee_name: 'Grace Agent',
    last_message_at: new Date(now - HOUR), last_inbound_at: new Date(now - 2 * HOUR), window_expires_at: new Date(now + 22 * HOUR),
  });
  await seedMessage(db, ws, ada.conversation, { direction: 'inbound', type: 'text', text: 'Hello, my order 4711 has not arrived (100% sure)', sent_at: new Date(now - 3 * HOUR) });
  const imageMessage = await seedMessage(db, ws, ada.conversation, { direction: 'inbound', type: 'image', text: 'photo of the box', sent_at: new Date(now - 2.5 * HOUR) });
  const imageKey = `${ws}/2026/11/${crypto.randomUUID()}`;
  await rt.blobs.put(imageKey, PNG, 'image/png');
  await db('media').insert({ workspace_id: ws, message_id: imageMessage, whatsapp_number_id: number.id, meta_media_id: 'm-1', mime_type: 'image/png', blob_key: imageKey, state: 'stored', size_bytes: PNG.length });
  const document = await seedMessage(db, ws, ada.conversation, { direction: 'inbound', type: 'document', text: null, sent_at: new Date(now - 2 * HOUR) });
  const documentKey = `${ws}/2026/11/${crypto.randomUUID()}`;
  await rt.blobs.put(documentKey, PDF, 'application/pdf');
  await db('media').insert({ workspace_id: ws, message_id: document, whatsapp_number_id: number.id, meta_media_id: 'm-2', mime_type: 'application/pdf', filename: 'invoice.pdf', blob_key: documentKey, state: 'stored', size_bytes: PDF.length });
  const failedWamid = `wamid.${crypto.randomUUID()}`;
  await seedMessage(db, ws, ada.conversation, {
    wamid: failedWamid, direction: 'outbound', type: 'text', text: 'Sorry to hear that, we are on it', sent_at: new Date(now - HOUR),
    status: 'failed', error_code: 131047, error_title: 'Re-engagement message', reactions: JSON.stringify({ 15551234567: '👍' }),
  });
  await db('message_status').insert([
    { workspace_id: ws, wamid: failedWamid, status: 'sent', occurred_at: new Date(now - HOUR + 1000), applied: true },
    { workspace_id: ws, wamid: failedWamid, status: 'failed', occurred_at: new Date(now - HOUR + 2000), applied: true, errors: JSON.stringify([{ code: 131047, title: 'Re-engagement message' }]) },
  ]);

  // The records Ada has on each platform: a Zendesk ticket, a Salesforce conversation record, a HubSpot contact.
  const install = (connector: string, accountId: string, settings: object, credentials: object) => insertOne(db, 'installation', {
    workspace_id: ws, connector, account_id: accountId, settings: JSON.stringify(settings), credentials_sealed: rt.secrets.seal(JSON.stringify(credentials)),
  });
  const zendesk = await install('zendesk', 'acme:push-1', { subdomain: 'acme', instancePushId: 'push-1' }, { pushToken: 'push-token', metadataKey: 'k'.repeat(32) });
  const salesforce = await install('salesforce', '00D000000000001AAA', { orgId: '00D000000000001AAA', userId: '005000000000001AAA' }, {
    accessToken: 'a', refreshToken: 'r', instanceUrl: 'https://acme.my.salesforce.com', loginUrl: 'https://login.salesforce.com',
    refreshedAt: new Date().toISOString(), calloutKey: crypto.randomBytes(32).toString('base64url'),
  });
  const hubspot = await install('hubspot', '123', { portalId: 123 }, { accessToken: 'a', refreshToken: 'r', accessTokenExpiresAt: new Date().toISOString() });
  await db('external_link').insert([
    { workspace_id: ws, installation_id: zendesk, entity_type: 'conversation', entity_id: ada.conversation, external_type: 'zendesk_ticket', external_id: '4321' },
    { workspace_id: ws, installation_id: salesforce, entity_type: 'conversation', entity_id: ada.conversation, external_type: 'salesforce_conversation', external_id: 'a01000000000001AAA' },
    { workspace_id: ws, installation_id: hubspot, entity_type: 'contact', entity_id: ada.contact, external_type: 'hubspot_contact', external_id: '501' },
  ]);

  const bob = await seedConversation(db, ws, number.id, { wa_id: '4915112345678', profile_name: 'Bob Builder' }, {
    status: 'closed', assignee_platform: 'hubspot', assignee_id: '77', assignee_name: 'Hank Rep', closed_at: new Date(now - 70 * HOUR),
    last_message_at: new Date(now - 72 * HOUR), last_inbound_at: new Date(now - 72 * HOUR), window_expires_at: new Date(now - 48 * HOUR),
  });
  await seedMessage(db, ws, bob.conversation, { direction: 'inbound', type: 'text', text: 'A question about my invoice', sent_at: new Date(now - 72 * HOUR) });

  // Another workspace: never shown, its ids are 404s here.
  const other = await insertOne(db, 'workspace', { name: 'Other', slug: `other-${crypto.randomBytes(3).toString('hex')}` });
  const otherNumber = await seedFixtureNumber(db, other, { phone_number_id: '999000111' });
  const foreign = await seedConversation(db, other, otherNumber.id, { wa_id: '15559999999', profile_name: 'Secret Customer' }, { status: 'open', last_message_at: new Date(now) });
  const foreignMessage = await seedMessage(db, other, foreign.conversation, { direction: 'inbound', type: 'image', text: 'order 4711 secret', sent_at: new Date(now) });
  await db('media').insert({ workspace_id: other, message_id: foreignMessage, whatsapp_number_id: otherNumber.id, meta_media_id: 'm-3', mime_type: 'image/png', blob_key: imageKey, state: 'stored' });
  return { ada: ada.conversation, bob: bob.conversation, foreign: { conversation: foreign.conversation, message: foreignMessage }, imageMessage };
}

describe('conversation search in core', () => {
  let rt: TestRuntime;
  let seeded: Seeded;
  beforeAll(async () => {
    rt = await startTestRuntime({ worker: false });
    seeded = await seed(rt);
  });
  afterAll(async () => rt.close());

  const ids = async (filter: Parameters<typeof listConversations>[2]) => {
    const found = await listConversations(rt.db, rt.workspace.id, filter);
    if ('error' in found) throw new Error(found.error);
    return found.items.map((c) => c.id);
  };

  it('filters by text in messages, name and phone digits, within the workspace only', async () => {
    expect(await ids({ text: 'order 4711' })).toEqual([seeded.ada]);
    expect(await ids({ text: 'builder' })).toEqual([seeded.bob]);
    expect(await ids({ text: '+49 151 123' })).toEqual([seeded.bob]);
    expect(await ids({ text: '100%' })).toEqual([seeded.ada]);
    // `%` and `_` are the customer's characters, not wildcards.
    expect(await ids({ text: '_' })).toEqual([]);
  });

  it('filters by assignee, platform (held there or linked to its records) and activity dates', async () => {
    expect(await ids({ assignee: 'grace' })).toEqual([seeded.ada]);
    expect(await ids({ assignee: '77' })).toEqual([seeded.bob]);
    expect(await ids({ platform: 'hubspot' })).toEqual([seeded.bob]);
    expect(await ids({ platform: 'salesforce' })).toEqual([seeded.ada]);
    expect(await ids({ activeFrom: new Date(Date.now() - 24 * HOUR) })).toEqual([seeded.ada]);
    expect(await ids({ activeBefore: new Date(Date.now() - 24 * HOUR), status: 'closed' })).toEqual([seeded.bob]);
  });

  it('pages newest first with a keyset cursor', async () => {
    const first = await listConversations(rt.db, rt.workspace.id, { limit: 1 });
    if ('error' in first) throw new Error(first.error);
    expect(first.items.map((c) => c.id)).toEqual([seeded.ada]);
    const second = await listConversations(rt.db, rt.workspace.id, { limit: 1, cursor: first.nextCursor ?? '' });
    if ('error' in second) throw new Error(second.error);
    expect(second.items.map((c) => c.id)).toEqual([seeded.bob]);
    expect(second.nextCursor).toBeNull();
  });

  it("answers 404 for another workspace's conversation and its media, and refuses a bad filter with a reason", async () => {
    const { token } = await startConsoleSession(rt.db, { workspaceId: rt.workspace.id, role: 'viewer', actor: 'test:viewer', displayName: 'Viewer' });
    const get = (path: string) => rt.http().get(path).set('cookie', `threadline_console=${token}`);
    expect((await get(`/admin/conversations/${seeded.foreign.conversation}`)).status).toBe(404);
    expect((await get(`/admin/conversations/${seeded.foreign.conversation}/media/${seeded.foreign.message}`)).status).toBe(404);
    expect((await get(`/admin/conversations/${seeded.ada}/media/${seeded.foreign.message}`)).status).toBe(404);
    expect((await get('/admin/conversations/not-a-uuid')).status).toBe(404);
    const search = await get('/admin/conversations?q=secret');
    expect(search.text).not.toContain('Secret Customer');
    const image = await get(`/admin/conversations/${seeded.ada}/media/${seeded.imageMessage}`);
    expect(image.status).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.headers['cache-control']).toBe('private, no-store');
    const bad = await get('/admin/conversations?from=2026-11-20&to=2026-11-01');
    expect(bad.text).toContain('to: must not be before the');
  });
});

describeInBrowser('conversations in Chromium', () => {
  let world: ConsoleWorld;
  let rt: TestRuntime;
  let seeded: Seeded;
  let page: Page;
  beforeAll(async () => {
    world = await startConsoleWorld();
    ({ rt, page } = world);
    seeded = await seed(rt);
  });
  afterAll(async () => world?.close());

  const customers = async () => page.locator('tbody tr td:first-child a').allTextContents();

  it('lists the workspace conversations newest first and filters them with a bookmarkable form', async () => {
    await page.goto('/admin/conversations');
    expect(await customers()).toEqual(['Ada Lovelace', 'Bob Builder']);
    await screenshot(page, 'conversations');

    await page.getByRole('searchbox', { name: 'Text, name or phone' }).fill('invoice');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/q=invoice/);
    expect(await customers()).toEqual(['Bob Builder']);

    await page.getByRole('searchbox', { name: 'Text, name or phone' }).fill('');
    await page.getByLabel('Platform').selectOption('salesforce');
    await page.getByLabel('Status').selectOption('open');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/platform=salesforce/);
    expect(await customers()).toEqual(['Ada Lovelace']);

    await page.goto('/admin/conversations?assignee=nobody-here');
    expect(await page.getByText('No conversation matches these filters.').isVisible()).toBe(true);
  });

  it('opens the thread: messages, image, download, failure, reactions, holder and platform records', async () => {
    await page.goto('/admin/conversations');
    await page.getByRole('link', { name: 'Ada Lovelace' }).click();
    await page.waitForURL(`**/admin/conversations/${seeded.ada}`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Conversation with Ada Lovelace');
    const text = await page.locator('main').textContent();
    for (const shown of ['+15551234567', 'Acme Support', 'Grace Agent', 'on Zendesk', 'Hello, my order 4711 has not arrived',
      'Sorry to hear that', 'Error 131047: Re-engagement message', 'Reactions: 👍', 'Status history (2)']) expect(text).toContain(shown);

    const image = page.getByRole('img', { name: 'photo of the box' });
    await image.waitFor();
    // Decoded by the browser at its real size: the bytes came through the media route, not a broken-image icon.
    expect(await image.evaluate((img) => ('naturalWidth' in img ? img.naturalWidth : 0))).toBe(160);

    expect(await page.getByRole('link', { name: /^4321/ }).getAttribute('href')).toBe('https://acme.zendesk.com/agent/tickets/4321');
    expect(await page.getByRole('link', { name: /^a01000000000001AAA/ }).getAttribute('href')).toBe('https://acme.my.salesforce.com/a01000000000001AAA');
    expect(await page.getByRole('link', { name: /^501/ }).getAttribute('href')).toBe('https://app.hubspot.com/contacts/123/record/0-1/501');

    await page.getByText('Status history (2)').click();
    expect(await page.locator('ol.history').last().textContent()).toContain('error 131047: Re-engagement message');
    await screenshot(page, 'conversation-thread');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download invoice.pdf' }).click()]);
    expect(download.suggestedFilename()).toBe('invoice.pdf');
    expect(fs.readFileSync(await download.path())).toEqual(PDF);
  });

  it("shows another workspace's conversation as not found", async () => {
    const response = await page.goto(`/admin/conversations/${seeded.foreign.conversation}`);
    expect(response?.status()).toBe(404);
    expect(await page.locator('main').textContent()).not.toContain('Secret Customer');
  });
});
