import { z } from 'zod';
import { FIXTURE_PHONE_NUMBER_ID, FIXTURE_WABA_ID, fixtureJson } from '../test/support/fixtures';

/**
 * Realistic WhatsApp traffic built from the fixture shapes: one business number, many customers,
 * non-media inbound types and status webhooks for outbound messages the bench seeds beforehand.
 * Everything is derived from a seeded PRNG, so a run is reproducible.
 */

export const BUSINESS_DISPLAY_NUMBER = '15550002222';
export { FIXTURE_PHONE_NUMBER_ID as PHONE_NUMBER_ID, FIXTURE_WABA_ID as WABA_ID };

export type Item = Record<string, unknown>;

export interface BenchEvent {
  /** What the event is: `m:<wamid>` or `s:<wamid>:<status>` (the bench's identity, not the server's dedupe_key format). */
  identity: string;
  kind: 'message' | 'status';
  /** Message type (text, location, …) or status value (sent, delivered, read). */
  type: string;
  wamid: string;
  waId: string;
  profileName: string;
  item: Item;
}

/** An outbound message the bench inserts before the run so status webhooks have a target. */
export interface OutboundSeed {
  wamid: string;
  waId: string;
  sentAt: number;
}

export interface CustomerSeed {
  waId: string;
  profileName: string;
}

const fixtureShape = z.object({
  entry: z.array(z.object({
    changes: z.array(z.object({
      value: z.object({ messages: z.array(z.record(z.string(), z.unknown())).optional(), statuses: z.array(z.record(z.string(), z.unknown())).optional() }),
    })).min(1),
  })).min(1),
});

function fixtureItem(name: string, key: 'messages' | 'statuses'): Item {
  const parsed = fixtureShape.parse(fixtureJson(name));
  const item = parsed.entry[0]?.changes[0]?.value[key]?.[0];
  if (!item) throw new Error(`fixture ${name} has no ${key}[0]`);
  return item;
}

/** mulberry32: small, fast, good enough to shape traffic. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type MessageKind = 'text' | 'reply' | 'location' | 'contacts' | 'button_reply' | 'list_reply' | 'button' | 'reaction';

/** Share of all events, in percent; statuses make up the remaining 25. */
const MESSAGE_WEIGHTS: [MessageKind, number][] = [
  ['text', 36], ['reply', 10], ['location', 4], ['contacts', 3], ['button_reply', 6], ['list_reply', 3], ['button', 5], ['reaction', 8],
];
export const STATUS_SHARE = 0.25;
/** Kinds that point at one of our outbound messages: only customers we have written to send them. */
const NEEDS_OUTBOUND: ReadonlySet<MessageKind> = new Set(['reply', 'button_reply', 'list_reply', 'button', 'reaction']);

const TEXTS = [
  'Hi, my order has not arrived yet.',
  'Thanks!',
  'Can you check the delivery address please? It should be 12 Example Road, flat 3.',
  'ok',
  'When will the refund be processed? I returned the parcel last Tuesday and got the receipt.',
  'Is the shop open on Sunday?',
  'The tracking link does not work for me',
  'Perfect, see you tomorrow 👍',
  'Olá, preciso de ajuda com o meu pedido',
  'Could I change the size to M instead of L?',
];
const REACTIONS = ['👍', '❤️', '😂', '🙏', '😮'];

interface CustomerState {
  waId: string;
  profileName: string;
  /** Customers we have written to (3 in 4) have outbound messages and a live thread seeded. */
  seeded: boolean;
  clock: number;
  outbound: { wamid: string; stage: number } | null;
  lastOutbound: string | null;
}

const STATUS_STAGES = ['sent', 'delivered', 'read'] as const;

export class TrafficGenerator {
  private readonly random: () => number;
  private readonly customers: CustomerState[];
  private readonly seededIndexes: number[];
  private readonly templates: Record<MessageKind, Item>;
  private readonly statusTemplates: Record<(typeof STATUS_STAGES)[number], Item>;
  private nextWamid = 1;
  private nextOutbound = 1;
  readonly outbound: OutboundSeed[] = [];

  /** @param baseTime Unix seconds the customers' clocks start at (a little in the past). */
  constructor(seed: number, customerCount: number, readonly baseTime: number) {
    this.random = seededRandom(seed);
    this.customers = Array.from({ length: customerCount }, (_, i) => ({
      waId: `155510${String(i).padStart(5, '0')}`,
      // Some names carry non-ASCII so bodies exercise Meta's \uXXXX escaping.
      profileName: i % 7 === 0 ? `José Cliente ${i}` : `Bench Customer ${i}`,
      seeded: i % 4 !== 3,
      clock: baseTime + Math.floor(this.random() * 30),
      outbound: null,
      lastOutbound: null,
    }));
    this.seededIndexes = this.customers.flatMap((c, i) => (c.seeded ? [i] : []));
    this.templates = {
      text: fixtureItem('inbound-text.json', 'messages'),
      reply: fixtureItem('inbound-text-reply-context.json', 'messages'),
      location: fixtureItem('inbound-location.json', 'messages'),
      contacts: fixtureItem('inbound-contacts.json', 'messages'),
      button_reply: fixtureItem('inbound-interactive-button-reply.json', 'messages'),
      list_reply: fixtureItem('inbound-list-reply.json', 'messages'),
      button: fixtureItem('inbound-template-button.json', 'messages'),
      reaction: fixtureItem('inbound-reaction.json', 'messages'),
    };
    this.statusTemplates = {
      sent: fixtureItem('status-sent.json', 'statuses'),
      delivered: fixtureItem('status-delivered.json', 'statuses'),
      read: fixtureItem('status-read.json', 'statuses'),
    };
  }

  /** Customers with a contact and live thread to seed (the others are new to the engine). */
  seededCustomers(): CustomerSeed[] {
    return this.customers.filter((c) => c.seeded).map((c) => ({ waId: c.waId, profileName: c.profileName }));
  }

  next(): BenchEvent {
    if (this.random() < STATUS_SHARE) return this.nextStatus();
    let kind = this.pickKind();
    const customer = this.pick(this.customers);
    if (NEEDS_OUTBOUND.has(kind) && !customer.seeded) kind = 'text';
    return this.nextMessage(customer, kind);
  }

  private nextMessage(customer: CustomerState, kind: MessageKind): BenchEvent {
    const wamid = `wamid.BENCH_${this.nextWamid++}`;
    const item: Item = structuredClone(this.templates[kind]);
    item.id = wamid;
    item.from = customer.waId;
    item.timestamp = String(this.tick(customer));
    const target = NEEDS_OUTBOUND.has(kind) ? this.outboundFor(customer) : null;
    if (target && 'context' in item) item.context = { from: BUSINESS_DISPLAY_NUMBER, id: target };
    if (kind === 'text') item.text = { body: this.pick(TEXTS) };
    if (kind === 'reaction' && target) item.reaction = { message_id: target, emoji: this.pick(REACTIONS) };
    const type = typeof item.type === 'string' ? item.type : kind;
    return { identity: `m:${wamid}`, kind: 'message', type, wamid, waId: customer.waId, profileName: customer.profileName, item };
  }

  /** sent → delivered → read for each outbound message of a customer we wrote to, then the next one. */
  private nextStatus(): BenchEvent {
    const index = this.pick(this.seededIndexes);
    const customer = this.customers[index];
    if (!customer) throw new Error('no seeded customer');
    if (!customer.outbound || customer.outbound.stage >= STATUS_STAGES.length) {
      customer.outbound = { wamid: this.newOutbound(customer), stage: 0 };
    }
    const stage = STATUS_STAGES[customer.outbound.stage] ?? 'read';
    customer.outbound.stage++;
    const item: Item = structuredClone(this.statusTemplates[stage]);
    item.id = customer.outbound.wamid;
    item.recipient_id = customer.waId;
    item.timestamp = String(this.tick(customer));
    const wamid = customer.outbound.wamid;
    return { identity: `s:${wamid}:${stage}`, kind: 'status', type: stage, wamid, waId: customer.waId, profileName: customer.profileName, item };
  }

  private outboundFor(customer: CustomerState): string {
    return customer.lastOutbound ?? this.newOutbound(customer);
  }

  private newOutbound(customer: CustomerState): string {
    const wamid = `wamid.BENCH_OUT_${this.nextOutbound++}`;
    // Seeded as sent a little before the customer's clock, so every webhook about it comes later.
    this.outbound.push({ wamid, waId: customer.waId, sentAt: customer.clock - 1 });
    customer.lastOutbound = wamid;
    return wamid;
  }

  /** Per-customer timestamps only move forward (1–3 s apart). */
  private tick(customer: CustomerState): number {
    customer.clock += 1 + Math.floor(this.random() * 3);
    return customer.clock;
  }

  private pickKind(): MessageKind {
    const total = MESSAGE_WEIGHTS.reduce((sum, [, w]) => sum + w, 0);
    let r = this.random() * total;
    for (const [kind, weight] of MESSAGE_WEIGHTS) {
      r -= weight;
      if (r < 0) return kind;
    }
    return 'text';
  }

  pick<T>(values: readonly T[]): T {
    const value = values[Math.floor(this.random() * values.length)];
    if (value === undefined) throw new Error('pick from an empty list');
    return value;
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }
}
