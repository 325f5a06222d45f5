import type { z } from 'zod';
import type { Logger } from '../observability/logger';
import type { ConversationEventType, JsonObject } from '../sync/conversation-event';

/**
 * The connector contract: the only thing a platform connector implements. A connector is one
 * definition object (see `defineConnector`) with the capabilities it has; core asks for a
 * capability, never for a platform.
 */

/** An installation as a capability sees it: its settings and opened credentials, already parsed. */
export interface Installation<Config, Credentials> {
  id: string;
  workspaceId: string;
  accountId: string;
  config: Config;
  /** As they were when the installation was loaded. */
  credentials: Credentials;
  /**
   * Changes the stored credentials one caller at a time (see `updateInstallationCredentials`):
   * `change` gets what is stored now and returns what to save, or null to keep it. Resolves to the
   * credentials stored afterwards. This is where a rotating refresh token is spent.
   */
  updateCredentials(change: (current: Credentials) => Promise<Credentials | null>): Promise<Credentials>;
  /**
   * The platform revoked this installation (uninstalled there, refresh refused): it gets no more events or
   * calls until an admin installs it again (`requireReinstall` in installations.ts). `reason` is audited.
   */
  requireReinstall(reason: string): Promise<void>;
}

/** One conversation event for one installation, as the sync engine hands it to `deliver`. */
export interface SyncEvent {
  /** The outbox row: unique per event and installation. */
  outboxId: number;
  /** Shared by every installation's copy of the event. */
  eventId: string;
  /** Stable across retries and replays: send it as the platform's idempotency / external id. */
  externalId: string;
  type: ConversationEventType;
  conversationId: string;
  /** The conversation's business number (Meta's phone_number_id): an installation serving every number tells them apart by it. */
  phoneNumberId: string;
  messageId: string | null;
  /** The installation the event came from (a reply written on a platform); `own` when that is this one. */
  origin: { installationId: string | null; own: boolean };
  occurredAt: Date;
  /**
   * As recorded (`text`, `type`, `from` …); message events also carry, added at delivery, `body` (the
   * stored body in Meta's field names), `quoted` (the text replied or reacted to) and, for inbound
   * files, `media` `{ url, mimeType, filename }` with a signed URL the platform downloads as is.
   */
  data: JsonObject;
  /**
   * What this platform returned earlier for the conversation and message, by external type; and for the
   * customer's contact when the event names one (`data.contactId`, on inbound messages).
   */
  links: { conversation: Record<string, string>; message: Record<string, string>; contact?: Record<string, string> };
}

/** Something a platform returned for an entity of ours, kept in `external_link`. */
export interface ExternalLinkWrite {
  entityType: 'conversation' | 'message' | 'contact';
  entityId: string;
  externalType: string;
  externalId: string;
}

/** The outcome of one event of a batch. */
export type EventResult =
  | { status: 'delivered'; links?: readonly ExternalLinkWrite[] }
  /** Not sent, on purpose (e.g. its own echo, or an event type the platform does not show). */
  | { status: 'skipped'; reason: string }
  /** Failed for now: retried with backoff; later events of its conversation wait for it. */
  | { status: 'retry'; error: string }
  /** Will never succeed as it is: a dead letter at once. */
  | { status: 'rejected'; error: string };

export type BatchErrorCode = 'RATE_LIMITED' | 'PLATFORM_UNAVAILABLE' | 'BATCH_REJECTED';

/** A failure of the whole request. RATE_LIMITED pauses the installation and costs no attempt. */
export interface BatchError {
  code: BatchErrorCode;
  message: string;
  /** From the platform's Retry-After, when it sent one. */
  retryAfterMs?: number;
}

/** `results` has one entry per event, in the order they were given. */
export type BatchOutcome = { ok: true; results: readonly EventResult[] } | { ok: false; error: BatchError };

/** What a platform allows one installation: the engine never exceeds it. */
export interface DeliveryLimits {
  /** Events per request (Zendesk push ≤ 100, HubSpot batch ≤ 100, Salesforce collections ≤ 200). */
  batchSize: number;
  /** At most `requests` requests in any `windowMs`. */
  requests: number;
  windowMs: number;
}

/** An installation's links read and written at once, not with the batch's outcome. */
export interface LinkStore {
  /** What is linked to one entity now, by external type. */
  read(entityType: ExternalLinkWrite['entityType'], entityId: string): Promise<Record<string, string>>;
  save(writes: readonly ExternalLinkWrite[]): Promise<void>;
}

export interface DeliverContext {
  logger: Logger;
  signal: AbortSignal;
  /**
   * Runs `work` holding a PostgreSQL advisory lock on this installation and `key`, across processes,
   * in a transaction of its own: links it saves commit when it returns, whatever the batch's outcome.
   * For platform records that must be created once (a contact per customer) although the batch that
   * needed them may fail and be retried. The sync engine always provides it.
   */
  exclusive?<T>(key: string, work: (links: LinkStore) => Promise<T>): Promise<T>;
}

/**
 * Receives conversation events in batches, in order per conversation. Order is the connector's to
 * keep inside a batch: once an event of a conversation is not delivered (retry or rejected), the
 * later events of that conversation in the same batch must not be written either (return `retry`
 * for them); core redelivers them after it, with the same external ids.
 */
export interface EventTarget<Config, Credentials> {
  limits(config: Config): DeliveryLimits;
  deliver(installation: Installation<Config, Credentials>, events: readonly SyncEvent[], ctx: DeliverContext): Promise<BatchOutcome>;
}

/** Shows conversations on a timeline (HubSpot, Salesforce activity). */
export type TimelineTarget<Config, Credentials> = EventTarget<Config, Credentials>;

/** Keeps one ticket per conversation (Zendesk); its id is the conversation's link of `ticketExternalType`. */
export interface TicketingTarget<Config, Credentials> extends EventTarget<Config, Credentials> {
  ticketExternalType: string;
}

/** Who wrote a reply on the platform. */
export interface ReplyAuthor {
  platform: string;
  id: string;
  name: string;
}

/**
 * A file a connector handed to core with `ReplyContext.stageAttachment`: downloaded, checked against
 * WhatsApp's limits for its kind and kept by core, so a reply names it instead of carrying the bytes
 * (or the credential that fetched them) through the send queue.
 */
export interface StagedAttachment {
  /** Core's reference to the stored bytes (their sha256): the same file staged twice is the same reference. */
  ref: string;
  kind: 'image' | 'video' | 'audio' | 'document' | 'sticker';
  mimeType: string;
  size: number;
  filename: string | undefined;
}

/** Where a connector's attachment is; `bearerToken` goes only to the URL's own origin, never further. */
export interface AttachmentSource {
  url: string;
  bearerToken?: string;
  /** The platform's own host, exempt from the private-address guard (a self-hosted platform, the fakes). */
  trustedHost?: boolean;
  /** The name the platform shows, when the URL does not end in it. */
  filename?: string;
}

export type StageOutcome =
  | { ok: true; attachment: StagedAttachment }
  /** MEDIA_TOO_LARGE, MEDIA_UNSUPPORTED or MEDIA_DOWNLOAD_FAILED; `retryable` when asking again may work. */
  | { ok: false; code: string; message: string; retryable: boolean };

export type OutgoingMessage =
  | { type: 'text'; text: string; previewUrl?: boolean }
  | { type: 'template'; name: string; language: string; parameters: readonly string[] | Readonly<Record<string, string>> }
  /** `caption` only for image, video and document (WhatsApp shows none on audio and stickers). */
  | { type: 'media'; attachment: StagedAttachment; caption?: string };

export interface ReplyRequest {
  /**
   * The conversation, or the customer's by phone on a number. `phoneNumberId` with a conversation:
   * the conversation must be on that number (an installation that serves one number sends from it only).
   */
  to: { conversationId: string; phoneNumberId?: string } | { waId: string; phoneNumberId: string };
  /** Same key, same message: a retried platform call never sends twice. */
  idempotencyKey: string;
  author: ReplyAuthor;
  message: OutgoingMessage;
  /**
   * Nobody typed it (a platform automation such as a CSAT trigger): the outbound_limits guard rails apply
   * inside the 24-hour window too, as for core's own automations. Without it a template inside the window
   * is taken for a person's reply.
   */
  unattended?: true;
}

/** `code` is one of core send's error codes (WINDOW_CLOSED, CONSENT_REVOKED, …). */
export type ReplyOutcome =
  | { ok: true; messageId: string; wamid: string | null }
  | { ok: false; code: string; message: string; details?: JsonObject };

/**
 * Core's `send`, as connectors reach it: injected by the server, so neither core/connectors nor
 * a connector imports core/send. The server fills in the workspace and origin installation.
 */
export type SendFunction = (request: ReplyRequest & { workspaceId: string; originInstallationId: string }) => Promise<ReplyOutcome>;

/** A request the platform made to us (channelback, card action, workflow action), raw body kept for signatures. */
export interface PlatformRequest {
  headers: Readonly<Record<string, string | undefined>>;
  rawBody: Buffer;
  body: unknown;
}

/** What a connector answers the platform, in the platform's own shape. */
export interface PlatformResponse {
  status: number;
  body: JsonObject;
}

export interface ReplyContext {
  /** Sends as this installation: origin and workspace are filled in. */
  send(request: ReplyRequest): Promise<ReplyOutcome>;
  /** Downloads a file the platform holds (size-limited while reading) and keeps it for a media reply. */
  stageAttachment(source: AttachmentSource): Promise<StageOutcome>;
  /**
   * Closes the conversation as this installation (a ticket solved on the platform), with what closing does in core
   * (the closing rule's message, sync to the other platforms). False when it is not a conversation of the workspace.
   */
  closeConversation(conversationId: string): Promise<boolean>;
  logger: Logger;
}

/** Agents reply on the platform; the connector verifies the request and hands the reply to `send`. */
export interface ReplySource<Config, Credentials> {
  receive(installation: Installation<Config, Credentials>, request: PlatformRequest, ctx: ReplyContext): Promise<PlatformResponse>;
}

/** A platform workflow sends a template (HubSpot workflow action, Salesforce flow). Same shape as a reply source. */
export type TemplateTrigger<Config, Credentials> = ReplySource<Config, Credentials>;

/** A link this installation holds for an erased customer: on their contact, one of their conversations or messages. */
export interface ErasureLink extends RecordLink {
  entityType: ExternalLinkWrite['entityType'];
  entityId: string;
}

/**
 * What one installation did to forget a customer. `steps` say what was deleted or anonymised, without personal data
 * (e.g. "deleted 3 communications"); `kept` what the platform holds that we did not touch, and why.
 */
export type ErasureOutcome =
  | { ok: true; steps: readonly string[]; kept?: readonly string[] }
  /** `retryable`: worth asking again later (rate limit, outage); otherwise an admin must act (a missing scope). */
  | { ok: false; error: string; retryable: boolean; steps: readonly string[] };

/**
 * Forgets a customer on the platform (GDPR erasure), as far as its API allows: delete, or anonymise what cannot be
 * deleted. Given every link the installation holds for them. Must be idempotent: a retry after a partial run asks
 * again for what is already gone, which counts as done.
 */
export interface PrivacyTarget<Config, Credentials> {
  eraseContact(installation: Installation<Config, Credentials>, links: readonly ErasureLink[], ctx: { logger: Logger }): Promise<ErasureOutcome>;
}

export interface Capabilities<Config, Credentials> {
  timeline?: TimelineTarget<Config, Credentials>;
  ticketing?: TicketingTarget<Config, Credentials>;
  replySource?: ReplySource<Config, Credentials>;
  templateTrigger?: TemplateTrigger<Config, Credentials>;
  privacy?: PrivacyTarget<Config, Credentials>;
}

/** How a connector declares itself: the one object its folder exports. */
export interface ConnectorDefinition<Config, Credentials> {
  /** Stable, kebab-case; stored in `installation.connector`. */
  id: string;
  displayName: string;
  /** Settings of an installation (stored in `installation.settings`): the admin form, the docs and the type. */
  configSchema: z.ZodType<Config>;
  /** Secrets of an installation, sealed at rest in `installation.credentials_sealed`. */
  credentialsSchema: z.ZodType<Credentials>;
  /**
   * The WhatsApp number (Meta's phone_number_id) an installation serves, when its platform account
   * answers one number: only that number's conversations are synced to it. Absent or undefined:
   * every number of the workspace.
   */
  numberOf?(config: Config): string | undefined;
  /**
   * The page where a person opens the record an external link names (a ticket, a contact), for the admin console;
   * undefined for ids with no page of their own (thread keys, callback ids). `credentials` is null when the
   * installation holds none any more (disconnected) or they no longer parse.
   */
  recordUrl?(installation: { accountId: string; config: Config; credentials: Credentials | null }, link: RecordLink): string | undefined;
  /**
   * The platform calls endpoints of the connector's own (which parse its payloads and resolve its ids for this
   * installation) rather than the generic /connectors/:connector/installations/:id/{replies,templates}: the generic
   * ones then refuse it, so a signed body cannot hand the capability ids the connector's route would have checked.
   */
  ownRequestRoutes?: boolean;
  capabilities: Capabilities<Config, Credentials>;
}

/** An external link as `recordUrl` reads it: what the platform calls the record, and its id there. */
export interface RecordLink {
  externalType: string;
  externalId: string;
}
