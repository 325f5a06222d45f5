import { LightningElement, api } from 'lwc';
import getThread from '@salesforce/apex/WhatsAppThreadController.getThread';
import sendMessage from '@salesforce/apex/WhatsAppThreadController.sendMessage';
import sendTemplate from '@salesforce/apex/WhatsAppThreadController.sendTemplate';
import getRecordFields from '@salesforce/apex/WhatsAppThreadController.getRecordFields';

const TICKS = { sent: '✓', delivered: '✓✓', read: '✓✓', failed: '!' };
/** `{!FirstName}` in a template parameter is replaced by the record's FirstName before sending. */
const FIELD_TOKEN = /\{!\s*(\w+)\s*\}/g;

/** What Apex and Threadline errors say: an AuraHandledException's message, or the thrown error's. */
function messageOf(error) {
  return error?.body?.message ?? error?.message ?? 'Something went wrong.';
}

function toBubble(message) {
  const inbound = String(message.direction).toLowerCase() === 'inbound';
  const failed = message.status === 'failed';
  return {
    id: message.id,
    text: message.text,
    mediaUrl: message.mediaUrl,
    bubbleClass: `bubble ${inbound ? 'inbound' : 'outbound'}${failed ? ' failed' : ''}`,
    time: message.sentAt ? new Date(message.sentAt).toLocaleString() : '',
    ticks: inbound ? '' : (TICKS[message.status] ?? ''),
    tickClass: `ticks ${message.status}`,
    failure: failed ? `Not delivered: ${message.errorMessage ?? 'no reason given'}${message.errorCode ? ` (${message.errorCode})` : ''}` : undefined
  };
}

export default class WhatsappThread extends LightningElement {
  @api recordId;
  thread;
  error;
  draft = '';
  templateKey;
  parameterValues = [];
  busy = false;

  connectedCallback() {
    this.refresh();
  }

  async refresh() {
    try {
      this.thread = await getThread({ recordId: this.recordId });
    } catch (error) {
      this.error = messageOf(error);
    }
  }

  get loaded() {
    return this.thread !== undefined;
  }

  get conversation() {
    return this.thread?.conversation ?? null;
  }

  get messages() {
    return (this.thread?.messages ?? []).map(toBubble);
  }

  get holderText() {
    const holder = this.conversation?.holder;
    return holder ? `Held by ${holder}` : 'Not held by anyone';
  }

  /** Why free text cannot be sent, or undefined when it can. */
  get composerNotice() {
    const conversation = this.conversation;
    if (!conversation) return 'No WhatsApp conversation with this customer yet: start one with an approved template.';
    if (conversation.consent === 'opted_out') return 'The customer opted out of WhatsApp messages: nothing can be sent until they opt in again.';
    if (!conversation.windowOpen) return 'The 24-hour reply window is closed (the customer last wrote more than a day ago): only an approved template can be sent.';
    return undefined;
  }

  get windowText() {
    const closesAt = this.conversation?.windowOpen ? this.conversation.windowClosesAt : undefined;
    return closesAt ? `Reply window open until ${new Date(closesAt).toLocaleString()}` : '';
  }

  get textDisabled() {
    return this.busy || this.composerNotice !== undefined;
  }

  get sendDisabled() {
    return this.textDisabled || this.draft.trim() === '';
  }

  get templates() {
    return this.thread?.templates ?? [];
  }

  get hasTemplates() {
    return this.templates.length > 0 && this.conversation?.consent !== 'opted_out';
  }

  get templateOptions() {
    return this.templates.map((t) => ({ label: `${t.name} (${t.language})`, value: `${t.name}|${t.language}` }));
  }

  get selectedTemplate() {
    return this.templates.find((t) => `${t.name}|${t.language}` === this.templateKey);
  }

  get parameters() {
    const count = this.selectedTemplate?.parameterCount ?? 0;
    return Array.from({ length: count }, (_, index) => ({ index, label: `Parameter {{${index + 1}}}`, value: this.parameterValues[index] ?? '' }));
  }

  get parameterPlaceholder() {
    return 'Text, or {!FieldName} to use this record\'s field';
  }

  handleDraft(event) {
    this.draft = event.detail.value ?? '';
  }

  handleTemplate(event) {
    this.templateKey = event.detail.value;
    this.parameterValues = [];
  }

  handleParameter(event) {
    const values = [...this.parameterValues];
    values[Number(event.target.dataset.index)] = event.detail.value ?? '';
    this.parameterValues = values;
  }

  handleSend() {
    return this.submit(async () => {
      await sendMessage({ recordId: this.recordId, text: this.draft });
      this.draft = '';
    });
  }

  handleSendTemplate() {
    const template = this.selectedTemplate;
    return this.submit(async () => {
      const parameters = await this.fillFromRecord(this.parameters.map((p) => p.value));
      await sendTemplate({ recordId: this.recordId, template: template.name, language: template.language, parameters });
      this.templateKey = undefined;
      this.parameterValues = [];
    });
  }

  /** Runs a send, shows its refusal if any, and reloads the thread either way (a refusal may mean the window just closed). */
  async submit(send) {
    this.busy = true;
    this.error = undefined;
    try {
      await send();
    } catch (error) {
      this.error = messageOf(error);
    }
    await this.refresh();
    this.busy = false;
  }

  async fillFromRecord(values) {
    const fields = [...new Set(values.flatMap((v) => [...v.matchAll(FIELD_TOKEN)].map((m) => m[1])))];
    if (fields.length === 0) return values;
    const record = await getRecordFields({ recordId: this.recordId, fields });
    return values.map((v) => v.replace(FIELD_TOKEN, (_, field) => record[field] ?? ''));
  }
}
