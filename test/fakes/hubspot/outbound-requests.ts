import crypto from 'node:crypto';
import type { HubSpotFakeState, WebhookDelivery } from './fake-state';
import { legacyHeaders, sendSigned, v3Headers, type SignedRequest } from './request-signing';

const userAgent = 'HubSpot Connect 2.0 (http://dev.hubspot.com/)';

/** One CRM webhook event (reference §6.2). Merge and association events add their own fields. */
export interface CrmEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: string;
  attemptNumber: number;
  objectId: number;
  changeSource: string;
  propertyName?: string;
  propertyValue?: string;
  [extra: string]: unknown;
}

export interface DeliveryOptions {
  /** The URL HubSpot believes it calls (signed in v3); default the target URL. */
  publicUrl?: string;
  /** Attempts while the app answers non-2xx, attemptNumber counting up (HubSpot: 10 over 24 h). Default 1. */
  maxAttempts?: number;
  /** Extra deliveries of the same events after a 2xx: at-least-once. Default 0. */
  duplicates?: number;
  /** ms since the epoch for the v3 timestamp; default the fake's clock. */
  timestamp?: number;
}

/**
 * The requests HubSpot makes to the app: CRM webhook batches (v1 + v3 signed), `hubspot.fetch` from a card (v3),
 * workflow-action executions (v2). Every body is sent as the exact bytes that were signed.
 */
export class OutboundRequests {
  private readonly eventIds = new Map<string, number>();

  constructor(private readonly state: HubSpotFakeState) {}

  /**
   * An event as HubSpot sends it. eventId counts per subscription type, so two types share ids (§6.2: not unique).
   */
  crmEvent(portalId: number, init: Partial<CrmEvent> & Pick<CrmEvent, 'subscriptionType' | 'objectId'>): CrmEvent {
    const eventId = (this.eventIds.get(init.subscriptionType) ?? 0) + 1;
    this.eventIds.set(init.subscriptionType, eventId);
    return {
      eventId,
      subscriptionId: subscriptionIdOf(init.subscriptionType, init.propertyName),
      portalId,
      appId: this.state.app.appId,
      occurredAt: this.state.now(),
      attemptNumber: 0,
      changeSource: 'CRM',
      ...init,
    };
  }

  /** Signs a webhook batch: v1 (`X-HubSpot-Signature`) and v3 headers, JSON array body. */
  webhookRequest(url: string, events: CrmEvent[], options: Pick<DeliveryOptions, 'publicUrl' | 'timestamp'> = {}): SignedRequest {
    const body = JSON.stringify(events);
    const sign = { clientSecret: this.state.app.clientSecret, method: 'POST', url, publicUrl: options.publicUrl, body, timestamp: options.timestamp ?? this.state.now() };
    return {
      url,
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/json', 'User-Agent': userAgent, ...legacyHeaders('v1', sign), ...v3Headers(sign) },
    };
  }

  /** Delivers a batch (≤ 100 events), retrying non-2xx answers and re-delivering on request. Every attempt is recorded. */
  async deliverCrmEvents(url: string, events: CrmEvent[], options: DeliveryOptions = {}): Promise<WebhookDelivery[]> {
    if (events.length === 0 || events.length > 100) throw new Error('HubSpot sends 1 to 100 events per webhook request');
    const deliveries: WebhookDelivery[] = [];
    const attempt = async (attemptNumber: number) => {
      const request = this.webhookRequest(url, events.map((e) => ({ ...e, attemptNumber })), options);
      const delivery: WebhookDelivery = { url, body: request.body, headers: request.headers, status: undefined, error: undefined };
      try {
        delivery.status = (await sendSigned(request)).status;
      } catch (err) {
        delivery.error = String(err);
      }
      this.state.webhookDeliveries.push(delivery);
      deliveries.push(delivery);
      return delivery.status !== undefined && delivery.status >= 200 && delivery.status < 300;
    };
    let accepted = false;
    for (let n = 0; n < (options.maxAttempts ?? 1) && !accepted; n += 1) accepted = await attempt(n);
    for (let n = 0; n < (options.duplicates ?? 0); n += 1) await attempt(0);
    return deliveries;
  }

  /**
   * A card's `hubspot.fetch(url, { method, body })` as HubSpot's proxy sends it: `appId` added to the query, the
   * body as JSON, v3 signed, no custom headers (§3.1). Portal and record ids are what the card code put in the URL.
   */
  cardFetchRequest(url: string, options: { method?: string; body?: unknown; publicUrl?: string; timestamp?: number } = {}): SignedRequest {
    const method = options.method ?? 'GET';
    const withAppId = (u: string) => {
      const parsed = new URL(u);
      parsed.searchParams.set('appId', String(this.state.app.appId));
      return parsed.toString();
    };
    const target = withAppId(url);
    const body = options.body === undefined ? '' : JSON.stringify(options.body);
    const sign = { clientSecret: this.state.app.clientSecret, method, url: target, publicUrl: options.publicUrl && withAppId(options.publicUrl), body, timestamp: options.timestamp ?? this.state.now() };
    const headers: Record<string, string> = { 'User-Agent': userAgent, ...v3Headers(sign) };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    return { url: target, method, body, headers };
  }

  /**
   * A custom workflow action execution (§6.4): POST with `callbackId`, `origin`, `object`, `inputFields`, v2
   * signed. The callback id is opened in `state`, so the app can complete it through the fake's callbacks API.
   */
  workflowActionRequest(
    url: string,
    init: { portalId: number; objectId: number; inputFields: Record<string, unknown>; objectType?: string; properties?: Record<string, string>; publicUrl?: string },
  ): SignedRequest & { callbackId: string } {
    const callbackId = this.state.openCallback(init.portalId);
    const body = JSON.stringify({
      callbackId,
      origin: { portalId: init.portalId, actionDefinitionId: 7_000_001, actionDefinitionVersion: 1, actionExecutionIndexIdentifier: { enrollmentId: crypto.randomInt(1e9), actionExecutionIndex: 0 } },
      context: { workflowId: 8_000_001, source: 'WORKFLOWS' },
      object: { objectId: init.objectId, objectType: init.objectType ?? 'CONTACT', properties: init.properties ?? {} },
      inputFields: init.inputFields,
    });
    const sign = { clientSecret: this.state.app.clientSecret, method: 'POST', url, publicUrl: init.publicUrl, body };
    return { url, method: 'POST', body, callbackId, headers: { 'Content-Type': 'application/json', 'User-Agent': userAgent, ...legacyHeaders('v2', sign) } };
  }
}

/** A stable id per subscription, as the app's subscriptions have in HubSpot. */
function subscriptionIdOf(subscriptionType: string, propertyName: string | undefined): number {
  return crypto.createHash('sha256').update(`${subscriptionType}:${propertyName ?? ''}`).digest().readUInt32BE(0) % 10_000_000;
}
