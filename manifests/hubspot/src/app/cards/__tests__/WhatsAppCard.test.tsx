import { describe, expect, it, jest } from '@jest/globals';
import { Alert, Button, Input, LoadingSpinner, Select, StatusTag, Tag, Text, TextArea } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import type { CardThread, Fetcher } from '../card-api';
import { WhatsAppCard } from '../WhatsAppCard';

/** The card against a stand-in for `hubspot.fetch`, under HubSpot's own test renderer (no HubSpot, no browser). */
const BASE = 'https://threadline.example.com/connectors/hubspot/card';
const QUERY = 'portalId=62515&userId=7&objectTypeId=0-1&objectId=101';

const thread = (overrides: Partial<CardThread> = {}): CardThread => ({
  contact: { waId: '4915123456789', name: 'Ana Souza' },
  conversation: { id: 'c-1', status: 'open', holder: { platform: 'zendesk', name: 'Bea (support)' } },
  window: { open: true, closesAt: '2026-11-22T18:30:00.000Z' },
  consent: 'opted_in',
  messages: [
    { id: 'm1', direction: 'inbound', text: 'Where is my order?', type: 'text', status: null, error: null, sentAt: '2026-11-22T10:00:00.000Z' },
    { id: 'm2', direction: 'outbound', text: 'On its way!', type: 'text', status: 'read', error: null, sentAt: '2026-11-22T10:01:00.000Z' },
    { id: 'm3', direction: 'outbound', text: 'Tracking: 123', type: 'text', status: 'failed', error: 'Re-engagement message: more than 24 hours have passed', sentAt: '2026-11-22T10:02:00.000Z' },
  ],
  templates: [
    { name: 'order_update', language: 'en_US', body: 'Hi {{1}}, your order {{2}} has shipped.', parameters: [{ name: '1', example: 'Ana' }, { name: '2', example: 'A-1' }] },
    { name: 'welcome', language: 'pt_BR', body: 'Olá {{first_name}} da {{company}}!', parameters: [{ name: 'first_name', example: null }, { name: 'company', example: null }] },
  ],
  ...overrides,
});

/** What a person types or picks. `trigger`'s typings want the handler itself as the event's argument (0.17.0), hence the cast. */
function type(node: { trigger: unknown }, value: string): void {
  (node.trigger as (event: 'onChange', value: string) => void)('onChange', value);
}

type Answer = { status: number; body: unknown } | Error;

/** Answers each POST in turn from `answers` (the last one repeats) and records what was asked. */
function fakeFetch(...answers: Answer[]) {
  const calls: { url: string; body: Record<string, unknown> }[] = [];
  const fetcher = jest.fn<Fetcher>(async (url, options) => {
    calls.push({ url, body: options.body });
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)]!;
    if (answer instanceof Error) throw answer;
    return { ok: answer.status < 300, status: answer.status, json: async () => answer.body };
  });
  return { fetcher, calls };
}

function renderCard(fetcher: Fetcher, properties: Record<string, string | null> = { firstname: 'Ana', lastname: 'Souza', email: 'ana@example.com', company: 'Acme', dealname: null }) {
  const renderer = createRenderer('crm.record.tab');
  renderer.mocks.useCrmProperties.willCall(() => ({ properties, error: null, isLoading: false, isRefetching: false, refetch: async () => {} }));
  const context = { ...renderer.mocks.context, portal: { ...renderer.mocks.context.portal, id: 62515 }, user: { ...renderer.mocks.context.user, id: 7 }, crm: { objectId: 101, objectTypeId: '0-1' } };
  renderer.render(<WhatsAppCard context={context} addAlert={renderer.mocks.actions.addAlert} fetcher={fetcher} />);
  return renderer;
}

describe('the WhatsApp card', () => {
  it('asks for the thread of its record and shows the messages with ticks and failures, the holder, the window and consent', async () => {
    const { fetcher, calls } = fakeFetch({ status: 200, body: thread() });
    const card = renderCard(fetcher);
    expect(card.find(LoadingSpinner)).toBeDefined();
    await card.waitFor(() => expect(card.findAll(Tag)).toHaveLength(3));
    expect(calls).toEqual([{ url: `${BASE}/thread?${QUERY}`, body: {} }]);
    const tags = card.findAll(Tag).map((t) => t.text);
    expect(tags).toEqual(['24-hour window open until 2026-11-22 18:30 UTC', 'Opted in', 'Held by Bea (support) (zendesk)']);
    const texts = card.findAll(Text).map((t) => t.text);
    expect(texts).toEqual(expect.arrayContaining(['Customer · 2026-11-22 10:00', 'Where is my order?', 'Sent · 2026-11-22 10:01 · ✓✓ read', 'Sent · 2026-11-22 10:02 · ✗ failed']));
    expect(card.find(StatusTag).text).toBe('Not delivered: Re-engagement message: more than 24 hours have passed');
  });

  it('with the window open, sends a reply with an idempotency key, confirms it and reloads the thread', async () => {
    const { fetcher, calls } = fakeFetch({ status: 200, body: thread() }, { status: 200, body: { messageId: 'msg-9' } }, { status: 200, body: thread() });
    const card = renderCard(fetcher);
    await card.waitFor(() => expect(card.maybeFind(TextArea)).not.toBeNull());
    expect(card.findByTestId(Button, 'send-text').props.disabled).toBe(true);
    expect(card.maybeFind(Select)).toBeNull();
    type(card.find(TextArea), 'Your parcel arrives tomorrow.');
    card.findByTestId(Button, 'send-text').trigger('onClick');
    await card.waitFor(() => expect(calls).toHaveLength(3));
    expect(calls[1]).toEqual({ url: `${BASE}/send?${QUERY}`, body: { text: 'Your parcel arrives tomorrow.', idempotencyKey: expect.stringMatching(/^[A-Za-z0-9_-]{8,128}$/) } });
    expect(calls[2]?.url).toBe(`${BASE}/thread?${QUERY}`);
    expect(card.mocks.actions.addAlert.calls).toEqual([[{ type: 'success', title: 'WhatsApp', message: 'Message sent.' }]]);
  });

  it('with the window closed, offers templates instead of the composer, prefilled from the record, with a preview', async () => {
    const { fetcher, calls } = fakeFetch({ status: 200, body: thread({ window: { open: false, closesAt: null } }) }, { status: 200, body: { messageId: 'msg-10' } });
    const card = renderCard(fetcher);
    await card.waitFor(() => expect(card.maybeFind(Select)).not.toBeNull());
    expect(card.maybeFind(TextArea)).toBeNull();
    expect(card.find(Select).props.options).toEqual([{ label: 'order_update (en_US)', value: 'order_update|en_US' }, { label: 'welcome (pt_BR)', value: 'welcome|pt_BR' }]);
    type(card.find(Select), 'welcome|pt_BR');
    expect(card.findAll(Input).map((i) => i.props.value)).toEqual(['Ana', 'Acme']);
    expect(card.findByTestId(Text, 'preview').text).toBe('Olá Ana da Acme!');
    type(card.find(Select), 'order_update|en_US');
    expect(card.findAll(Input).map((i) => i.props.value)).toEqual(['Ana', '']);
    expect(card.findByTestId(Text, 'preview').text).toBe('Hi Ana, your order {{2}} has shipped.');
    expect(card.findByTestId(Button, 'send-template').props.disabled).toBe(true);
    type(card.findAll(Input)[1]!, 'A-77');
    card.findByTestId(Button, 'send-template').trigger('onClick');
    await card.waitFor(() => expect(calls.length).toBeGreaterThanOrEqual(2));
    expect(calls[1]).toEqual({ url: `${BASE}/template?${QUERY}`, body: { name: 'order_update', language: 'en_US', parameters: ['Ana', 'A-77'], idempotencyKey: expect.any(String) } });
  });

  it('sends nothing to a customer who opted out, and says why', async () => {
    const { fetcher, calls } = fakeFetch({ status: 200, body: thread({ consent: 'opted_out' }) });
    const card = renderCard(fetcher);
    await card.waitFor(() => expect(card.maybeFind(Alert)).not.toBeNull());
    expect(card.find(Alert).props.title).toBe('The customer opted out');
    expect(card.maybeFind(TextArea)).toBeNull();
    expect(card.maybeFind(Select)).toBeNull();
    expect(calls).toHaveLength(1);
  });

  it('when a send is refused because the window closed meanwhile, shows the refusal and the template offer', async () => {
    const refusal = { code: 'WINDOW_CLOSED', message: 'Not sent to WhatsApp: the 24-hour window closed; send a template.', templates: thread().templates.slice(0, 1) };
    const { fetcher } = fakeFetch({ status: 200, body: thread() }, { status: 422, body: refusal });
    const card = renderCard(fetcher);
    await card.waitFor(() => expect(card.maybeFind(TextArea)).not.toBeNull());
    type(card.find(TextArea), 'Hello?');
    card.findByTestId(Button, 'send-text').trigger('onClick');
    await card.waitFor(() => expect(card.maybeFind(Select)).not.toBeNull());
    expect(card.find(Alert).text).toBe(refusal.message);
    expect(card.find(Select).props.options).toEqual([{ label: 'order_update (en_US)', value: 'order_update|en_US' }]);
    expect(card.maybeFind(TextArea)).toBeNull();
  });

  it('after a network error, a retry sends with the same idempotency key (WhatsApp gets the message once)', async () => {
    const { fetcher, calls } = fakeFetch({ status: 200, body: thread() }, new Error('socket hang up'), { status: 200, body: { messageId: 'msg-11' } }, { status: 200, body: thread() });
    const card = renderCard(fetcher);
    await card.waitFor(() => expect(card.maybeFind(TextArea)).not.toBeNull());
    type(card.find(TextArea), 'Hello');
    card.findByTestId(Button, 'send-text').trigger('onClick');
    await card.waitFor(() => expect(card.maybeFind(Alert)).not.toBeNull());
    expect(card.find(Alert).text).toBe('Threadline could not be reached. Check your connection and try again.');
    card.findByTestId(Button, 'send-text').trigger('onClick');
    await card.waitFor(() => expect(calls).toHaveLength(4));
    expect(calls[2]?.body.idempotencyKey).toBe(calls[1]?.body.idempotencyKey);
  });

  it('without an installation for the portal, says who can fix it', async () => {
    const { fetcher } = fakeFetch({ status: 404, body: { code: 'NOT_INSTALLED', message: 'HubSpot portal 62515 has no active Threadline installation: a HubSpot super admin installs Threadline from the App Marketplace.' } });
    const card = renderCard(fetcher);
    await card.waitFor(() => expect(card.maybeFind(Alert)).not.toBeNull());
    expect(card.find(Alert).props).toMatchObject({ title: 'WhatsApp conversation unavailable', variant: 'danger' });
    expect(card.find(Alert).text).toContain('a HubSpot super admin installs Threadline');
  });

  it('on an answer that is not Threadline\'s (a proxy page), shows a message instead of breaking', async () => {
    const { fetcher } = fakeFetch({ status: 502, body: null });
    const card = renderCard(fetcher);
    await card.waitFor(() => expect(card.maybeFind(Alert)).not.toBeNull());
    expect(card.find(Alert).text).toBe('Threadline answered 502. Try again in a minute.');
  });
});
