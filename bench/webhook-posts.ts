import crypto from 'node:crypto';
import { BUSINESS_DISPLAY_NUMBER, PHONE_NUMBER_ID, WABA_ID, type BenchEvent, type Item, type TrafficGenerator } from './fixture-mix';

/** One pre-built, pre-signed webhook POST. */
export interface WebhookPost {
  /** Index in the run's list of distinct bodies; a redelivery shares its original's. */
  bodyId: number;
  body: Buffer;
  signature: string;
  events: BenchEvent[];
  /** Events this POST offers for the first time (0 for a redelivery). */
  newEvents: number;
  redelivery: boolean;
}

export interface MixOptions {
  /** Share of POSTs that carry several events (Meta batches sometimes, not usually). */
  batchedShare: number;
  /** Share of POSTs that are a redelivery of an earlier body (at-least-once delivery). */
  redeliveryShare: number;
}

export const DEFAULT_MIX: MixOptions = { batchedShare: 0.05, redeliveryShare: 0.02 };

/** Meta escapes non-ASCII as \uXXXX in the bytes it signs; the bench sends the same kind of bytes. */
function metaJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function envelope(events: BenchEvent[]): unknown {
  const metadata = { display_phone_number: BUSINESS_DISPLAY_NUMBER, phone_number_id: PHONE_NUMBER_ID };
  const messages = events.filter((e) => e.kind === 'message');
  const statuses = events.filter((e) => e.kind === 'status');
  const changes: { value: Item; field: string }[] = [];
  if (messages.length) {
    const contacts = new Map<string, Item>();
    for (const m of messages) contacts.set(m.waId, { profile: { name: m.profileName }, wa_id: m.waId });
    changes.push({
      value: { messaging_product: 'whatsapp', metadata, contacts: [...contacts.values()], messages: messages.map((m) => m.item) },
      field: 'messages',
    });
  }
  if (statuses.length) {
    changes.push({ value: { messaging_product: 'whatsapp', metadata, statuses: statuses.map((s) => s.item) }, field: 'messages' });
  }
  return { object: 'whatsapp_business_account', entry: [{ id: WABA_ID, changes }] };
}

/**
 * Builds the POSTs of the whole run ahead of time, so timing measures the servers and not
 * JSON and HMAC work in the load generator. Redeliveries repeat the exact bytes of a recent
 * earlier POST, possibly while the original is still in flight, as Meta may.
 */
export class PostFactory {
  private readonly recent: WebhookPost[] = [];
  private bodies = 0;

  constructor(private readonly generator: TrafficGenerator, private readonly appSecret: string, private readonly mix: MixOptions = DEFAULT_MIX) {}

  /** POSTs carrying `newEvents` distinct events, plus the redeliveries that fall among them. */
  build(newEvents: number): WebhookPost[] {
    const posts: WebhookPost[] = [];
    let offered = 0;
    while (offered < newEvents) {
      if (this.recent.length > 0 && this.generator.chance(this.mix.redeliveryShare)) {
        const original = this.generator.pick(this.recent);
        posts.push({ ...original, newEvents: 0, redelivery: true });
        continue;
      }
      const size = this.generator.chance(this.mix.batchedShare) ? this.generator.int(2, 6) : 1;
      const events = Array.from({ length: Math.min(size, newEvents - offered) }, () => this.generator.next());
      const text = metaJson(envelope(events));
      const body = Buffer.from(text, 'utf8');
      const signature = `sha256=${crypto.createHmac('sha256', this.appSecret).update(body).digest('hex')}`;
      const post: WebhookPost = { bodyId: this.bodies++, body, signature, events, newEvents: events.length, redelivery: false };
      posts.push(post);
      this.recent.push(post);
      if (this.recent.length > 1_000) this.recent.shift();
      offered += events.length;
    }
    return posts;
  }
}
