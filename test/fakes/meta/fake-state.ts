import crypto from 'node:crypto';
import { resolveFailure, type FakeGraphError, type ScriptedFailure } from './graph-errors';
import { FakeOnboarding, FAKE_APP_ID } from './onboarding-state';
import type { MarkAsReadRequest, SendMessageRequest } from './send-schemas';
import { FakeTemplateRegistry } from './template-registry';

/** A business phone number the fake knows, with the token that may use it. */
export interface FakeNumber {
  phoneNumberId: string;
  wabaId: string;
  /** Digits only, as in webhook `metadata.display_phone_number`. */
  displayPhoneNumber: string;
  verifiedName: string;
  qualityRating: string;
  throughputLevel: string;
  messagingLimitTier: string;
  accessToken: string;
}

/** The business number every fixture uses. */
export const fixtureNumber: FakeNumber = {
  phoneNumberId: '100000000000002',
  wabaId: '100000000000001',
  displayPhoneNumber: '15550002222',
  verifiedName: 'Example Support',
  qualityRating: 'GREEN',
  throughputLevel: 'STANDARD',
  messagingLimitTier: 'TIER_2K',
  accessToken: 'fake-token-100000000000002',
};

export interface FakeMedia {
  id: string;
  data: Buffer;
  mimeType: string;
  /** Hex, like the fixture media-url-response.json. */
  sha256: string;
  /** When set, only this number's token may read it. */
  phoneNumberId: string | undefined;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  /** Bearer token or `access_token` query value, if any. */
  token: string | undefined;
  body: unknown;
  status: number;
  at: number;
}

export interface SentMessage {
  wamid: string;
  phoneNumberId: string;
  to: string;
  /** Digits of `to`: the fake does no Brazil/Mexico prefix rewriting. */
  waId: string;
  type: SendMessageRequest['type'];
  request: SendMessageRequest;
  at: number;
}

export interface ReadReceipt {
  phoneNumberId: string;
  messageId: string;
  typing: boolean;
  request: MarkAsReadRequest;
  at: number;
}

export interface DeliveredWebhook {
  url: string;
  /** The exact bytes posted. */
  rawBody: string;
  signature: string | undefined;
  /** HTTP status the target answered, or undefined when the POST itself failed. */
  status: number | undefined;
  error: string | undefined;
  at: number;
}

/** Which endpoints a scripted failure applies to. */
export type FailureScope = 'messages' | 'any';

export interface Outage {
  httpStatus: number;
  /** false: an empty 5xx with no Graph body, as a load balancer sends; true: Graph's code 2 body. */
  graphError: boolean;
}

/** Status webhook fixture to send after `sent` instead of `delivered` (§0.3: failures often arrive late). */
export type LateFailureFixture = 'status-failed-131047' | 'status-failed-131049' | 'status-failed-131026';

/** Everything the fake knows and has seen. Tests arrange through its methods and assert on its arrays. */
export class MetaFakeState {
  readonly numbers = new Map<string, FakeNumber>();
  readonly media = new Map<string, FakeMedia>();
  readonly requests: RecordedRequest[] = [];
  readonly sent: SentMessage[] = [];
  readonly reads: ReadReceipt[] = [];
  readonly webhooks: DeliveredWebhook[] = [];
  /** Recipient wa_id → the failed status webhook to send after `sent`. */
  readonly lateFailures = new Map<string, LateFailureFixture>();
  /** Message templates per WABA, listed by `GET /{waba-id}/message_templates`. */
  readonly templates = new FakeTemplateRegistry(fixtureNumber.wabaId);
  /** Embedded Signup codes, business tokens, webhook subscriptions, PINs, registrations. The fixtures' WABA starts subscribed. */
  readonly onboarding: FakeOnboarding;
  outage: Outage | undefined;

  private readonly failures: Array<{ scope: FailureScope; answer: FakeGraphError }> = [];
  private clockOffsetMs = 0;
  private fixedNow: number | undefined;
  private sentCounter = 0;
  private uploadCounter = 0;

  constructor(appId = FAKE_APP_ID) {
    this.onboarding = new FakeOnboarding(appId, () => this.now());
    this.onboarding.subscribe(fixtureNumber.wabaId);
  }

  /** Milliseconds. Real time unless `setNow`/`advanceTime` were used. */
  now(): number {
    return (this.fixedNow ?? Date.now()) + this.clockOffsetMs;
  }

  setNow(ms: number): void {
    this.fixedNow = ms;
    this.clockOffsetMs = 0;
  }

  advanceTime(ms: number): void {
    this.clockOffsetMs += ms;
  }

  addNumber(init: Partial<FakeNumber> & Pick<FakeNumber, 'phoneNumberId'>): FakeNumber {
    const number: FakeNumber = {
      ...fixtureNumber,
      accessToken: `fake-token-${init.phoneNumberId}`,
      ...init,
    };
    this.numbers.set(number.phoneNumberId, number);
    return number;
  }

  numberForToken(token: string | undefined): FakeNumber | undefined {
    if (token === undefined) return undefined;
    for (const n of this.numbers.values()) if (this.canUse(n, token)) return n;
    return undefined;
  }

  /** A number's own token, or a business token from Embedded Signup for its WABA. */
  canUse(number: FakeNumber, token: string | undefined): boolean {
    return token !== undefined && (number.accessToken === token || this.onboarding.businessTokens.get(token) === number.wabaId);
  }

  /** A WABA is visible to a token that may use one of its numbers. */
  wabaVisible(wabaId: string, token: string): boolean {
    return [...this.numbers.values()].some((n) => n.wabaId === wabaId && this.canUse(n, token));
  }

  addMedia(init: { id?: string; data: Buffer; mimeType: string; phoneNumberId?: string }): FakeMedia {
    const media: FakeMedia = {
      id: init.id ?? this.nextUploadId(),
      data: init.data,
      mimeType: init.mimeType,
      sha256: crypto.createHash('sha256').update(init.data).digest('hex'),
      phoneNumberId: init.phoneNumberId,
    };
    this.media.set(media.id, media);
    return media;
  }

  /** The inbound media ids of the fixtures (900000000000001..5), with small made-up bytes of the fixture MIME types. */
  addFixtureMedia(): FakeMedia[] {
    const items: Array<[string, string]> = [
      ['900000000000001', 'image/jpeg'],
      ['900000000000002', 'audio/ogg; codecs=opus'],
      ['900000000000003', 'video/mp4'],
      ['900000000000004', 'application/pdf'],
      ['900000000000005', 'image/webp'],
    ];
    return items.map(([id, mimeType]) => this.addMedia({ id, mimeType, data: Buffer.from(`fake ${mimeType} bytes for ${id}`) }));
  }

  /**
   * The next `count` requests answer with this failure instead of being processed: a Meta code (130429, 131056,
   * 131047, 190, …), an error fixture name, or a full `{ httpStatus, body }`. Scope 'messages' (default) covers
   * POST /{pnid}/messages (sends and read receipts); 'any' covers every Graph request.
   */
  failNext(count: number, failure: ScriptedFailure, options: { scope?: FailureScope } = {}): void {
    for (let i = 0; i < count; i += 1) this.failures.push({ scope: options.scope ?? 'messages', answer: resolveFailure(failure) });
  }

  /** Consumes the next scripted failure that applies to this endpoint, if any. */
  takeFailure(endpoint: 'messages' | 'other'): FakeGraphError | undefined {
    const index = this.failures.findIndex((f) => f.scope === 'any' || endpoint === 'messages');
    if (index < 0) return undefined;
    return this.failures.splice(index, 1)[0]?.answer;
  }

  /** While on, every request (Graph and media download) answers 5xx. Default: 503 with no Graph body. */
  setOutage(on: boolean, options: { httpStatus?: number; graphError?: boolean } = {}): void {
    this.outage = on ? { httpStatus: options.httpStatus ?? 503, graphError: options.graphError ?? false } : undefined;
  }

  /** Sends to this recipient get `sent` and then a late `failed` status webhook (default 131047) instead of `delivered`. */
  failDeliveryTo(recipientWaId: string, fixture: LateFailureFixture = 'status-failed-131047'): void {
    this.lateFailures.set(recipientWaId, fixture);
  }

  nextWamid(): string {
    this.sentCounter += 1;
    return `wamid.FAKE_SENT_${this.sentCounter}`;
  }

  nextUploadId(): string {
    this.uploadCounter += 1;
    return String(900000000100000 + this.uploadCounter);
  }
}
