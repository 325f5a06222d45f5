import { createElement } from '@lwc/engine-dom';
import WhatsappThread from 'c/whatsappThread';
import getThread from '@salesforce/apex/WhatsAppThreadController.getThread';
import sendMessage from '@salesforce/apex/WhatsAppThreadController.sendMessage';
import sendTemplate from '@salesforce/apex/WhatsAppThreadController.sendTemplate';
import getRecordFields from '@salesforce/apex/WhatsAppThreadController.getRecordFields';

jest.mock('@salesforce/apex/WhatsAppThreadController.getThread', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/WhatsAppThreadController.sendMessage', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/WhatsAppThreadController.sendTemplate', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/WhatsAppThreadController.getRecordFields', () => ({ default: jest.fn() }), { virtual: true });

const RECORD_ID = '003000000000001AAA';
const TEMPLATE = { name: 'order_update', language: 'en_US', category: 'UTILITY', body: 'Hi {{1}}, order {{2}} shipped.', parameterCount: 2 };

function thread({ windowOpen = true, consent = 'opted_in', messages = [] } = {}) {
  return {
    conversation: { id: 'conv-1', status: 'Open', windowOpen, windowClosesAt: '2026-11-23T10:00:00Z', consent, holder: 'Maria Silva' },
    messages,
    templates: [TEMPLATE]
  };
}

const inbound = { id: 'm1', direction: 'inbound', type: 'text', text: 'Where is my order?', status: 'received', sentAt: '2026-11-22T09:00:00Z' };
const delivered = { id: 'm2', direction: 'outbound', type: 'text', text: 'Checking now', status: 'delivered', sentAt: '2026-11-22T09:01:00Z' };
const read = { id: 'm3', direction: 'outbound', type: 'text', text: 'It ships today', status: 'read', sentAt: '2026-11-22T09:02:00Z' };
const failed = { id: 'm4', direction: 'outbound', type: 'text', text: 'Tracking link', status: 'failed', errorCode: '131047', errorMessage: 'Re-engagement message' };

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

async function mount() {
  const element = createElement('c-whatsapp-thread', { is: WhatsappThread });
  element.recordId = RECORD_ID;
  document.body.appendChild(element);
  await flush();
  return element;
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);
const $$ = (element, selector) => [...element.shadowRoot.querySelectorAll(selector)];

function change(input, value) {
  input.dispatchEvent(new CustomEvent('change', { detail: { value } }));
}

afterEach(() => {
  while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
  jest.clearAllMocks();
});

describe('c-whatsapp-thread', () => {
  it('renders the thread: bubbles by direction, ticks by status, the failure reason and who holds it', async () => {
    getThread.mockResolvedValue(thread({ messages: [inbound, delivered, read, failed] }));
    const element = await mount();

    expect(getThread).toHaveBeenCalledWith({ recordId: RECORD_ID });
    const bubbles = $$(element, 'li.bubble');
    expect(bubbles.map((b) => b.querySelector('.text').textContent)).toEqual(['Where is my order?', 'Checking now', 'It ships today', 'Tracking link']);
    expect(bubbles.map((b) => b.classList.contains('inbound'))).toEqual([true, false, false, false]);
    expect(bubbles.map((b) => b.querySelector('.ticks').textContent)).toEqual(['', '✓✓', '✓✓', '!']);
    expect(bubbles[2].querySelector('.ticks').classList.contains('read')).toBe(true);
    expect(bubbles[1].querySelector('.ticks').classList.contains('read')).toBe(false);
    expect(bubbles[3].querySelector('.failure').textContent).toBe('Not delivered: Re-engagement message (131047)');
    expect($(element, '.holder').textContent).toBe('Held by Maria Silva');
    expect($(element, 'lightning-textarea.draft').disabled).toBe(false);
    expect($(element, '.notice')).toBeNull();
  });

  it('renders message text as text, never as markup', async () => {
    getThread.mockResolvedValue(thread({ messages: [{ ...inbound, text: '<img src=x onerror=alert(1)>' }] }));
    const element = await mount();
    expect($(element, 'li .text').textContent).toBe('<img src=x onerror=alert(1)>');
    expect($(element, 'li img')).toBeNull();
  });

  it('sends the reply with the record id and text, then shows the refreshed thread', async () => {
    getThread.mockResolvedValueOnce(thread({ messages: [inbound] })).mockResolvedValueOnce(thread({ messages: [inbound, { ...delivered, id: 'm5', text: 'On my way', status: 'sent' }] }));
    sendMessage.mockResolvedValue({ messageId: 'm5', status: 'queued' });
    const element = await mount();

    change($(element, 'lightning-textarea.draft'), 'On my way');
    await flush();
    $(element, 'lightning-button.send').click();
    await flush();
    await flush();

    expect(sendMessage).toHaveBeenCalledWith({ recordId: RECORD_ID, text: 'On my way' });
    expect(getThread).toHaveBeenCalledTimes(2);
    const last = $$(element, 'li.bubble').pop();
    expect(last.querySelector('.text').textContent).toBe('On my way');
    expect(last.querySelector('.ticks').textContent).toBe('✓');
    expect($(element, 'lightning-textarea.draft').value).toBe('');
  });

  it('disables the composer when the 24-hour window is closed, and leaves the template picker', async () => {
    getThread.mockResolvedValue(thread({ windowOpen: false, messages: [inbound] }));
    const element = await mount();

    expect($(element, 'lightning-textarea.draft').disabled).toBe(true);
    expect($(element, 'lightning-button.send').disabled).toBe(true);
    expect($(element, '.notice').textContent).toContain('24-hour reply window is closed');
    expect($(element, 'lightning-combobox.template').options).toEqual([{ label: 'order_update (en_US)', value: 'order_update|en_US' }]);
  });

  it('disables everything when the customer opted out', async () => {
    getThread.mockResolvedValue(thread({ consent: 'opted_out' }));
    const element = await mount();

    expect($(element, 'lightning-textarea.draft').disabled).toBe(true);
    expect($(element, '.notice').textContent).toContain('opted out');
    expect($(element, 'lightning-combobox.template')).toBeNull();
  });

  it('shows the window-closed refusal of a send and disables the composer after the refresh', async () => {
    getThread.mockResolvedValueOnce(thread({ messages: [inbound] })).mockResolvedValueOnce(thread({ windowOpen: false, messages: [inbound] }));
    sendMessage.mockRejectedValue({ body: { message: 'The 24-hour window is closed: send a template.' } });
    const element = await mount();

    change($(element, 'lightning-textarea.draft'), 'Still there?');
    await flush();
    $(element, 'lightning-button.send').click();
    await flush();
    await flush();

    expect($(element, '.error').textContent).toBe('The 24-hour window is closed: send a template.');
    expect($(element, 'lightning-textarea.draft').disabled).toBe(true);
  });

  it('shows an Apex rejection of the thread', async () => {
    getThread.mockRejectedValue({ body: { message: 'Threadline could not be reached: Read timed out' } });
    const element = await mount();

    expect($(element, '.error').textContent).toBe('Threadline could not be reached: Read timed out');
    expect($(element, 'ol.thread')).toBeNull();
  });

  it('sends a template with parameters filled from the record', async () => {
    getThread.mockResolvedValue(thread({ windowOpen: false }));
    getRecordFields.mockResolvedValue({ FirstName: 'Ana' });
    sendTemplate.mockResolvedValue({ messageId: 'm6', status: 'queued' });
    const element = await mount();

    change($(element, 'lightning-combobox.template'), 'order_update|en_US');
    await flush();
    expect($(element, '.template-body').textContent).toBe('Hi {{1}}, order {{2}} shipped.');
    const [first, second] = $$(element, 'lightning-input.parameter');
    change(first, 'Dear {!FirstName}');
    change(second, 'A-42');
    await flush();
    $(element, 'lightning-button.send-template').click();
    await flush();
    await flush();

    expect(getRecordFields).toHaveBeenCalledWith({ recordId: RECORD_ID, fields: ['FirstName'] });
    expect(sendTemplate).toHaveBeenCalledWith({ recordId: RECORD_ID, template: 'order_update', language: 'en_US', parameters: ['Dear Ana', 'A-42'] });
    expect(getThread).toHaveBeenCalledTimes(2);
  });
});
