import { OAuthStore } from './oauth-store';
import type { FakeTrigger, FakeWebhook } from './webhook-routes';

export type TicketStatus = 'new' | 'open' | 'pending' | 'hold' | 'solved' | 'closed';
export type TicketPriority = 'urgent' | 'high' | 'normal' | 'low';

export interface FakeUser {
  id: number;
  name: string;
  email: string | null;
  external_id: string | null;
  phone: string | null;
  role: 'end-user' | 'agent' | 'admin';
  created_at: string;
  updated_at: string;
}

export interface FakeIdentity {
  id: number;
  user_id: number;
  type: 'email' | 'twitter' | 'facebook' | 'google' | 'agent_forwarding' | 'phone_number';
  value: string;
  verified: boolean;
  primary: boolean;
  created_at: string;
  updated_at: string;
}

export interface FakeComment {
  id: number;
  ticket_id: number;
  author_id: number;
  body: string;
  html_body: string | null;
  public: boolean;
  created_at: string;
  /** Push `file_urls`: recorded, not downloaded. */
  file_urls: string[];
  /** The push external_id this comment came from, if any. */
  external_id: string | null;
}

export interface FakeTicket {
  id: number;
  subject: string;
  status: TicketStatus;
  priority: TicketPriority | null;
  tags: string[];
  group_id: number | null;
  requester_id: number;
  /** Set on a follow-up of a closed ticket. */
  via_followup_source_id: number | null;
  /** Push `fields` other than system ones, applied at creation only (§1.4). */
  custom_fields: Array<{ id: string | number; value: unknown }>;
  created_at: string;
  updated_at: string;
}

/** An integration account of the Channel framework: what the admin UI receives on install. */
export interface PushInstance {
  instancePushId: string;
  /** The push token (`zendesk_access_token`), separate from REST OAuth tokens (§1.4). */
  token: string;
  integrationName: string;
  /** Where `resources_created_from_external_ids` events are POSTed; undefined: only recorded. */
  eventCallbackUrl: string | undefined;
  /** The manifest's channelback_url, read when the account was created (the admin flow sets it). */
  channelbackUrl?: string;
  /** What the integration's admin UI posted back (§1.3); sent on every channelback. */
  metadata?: string;
}

export interface ImportedResource {
  externalId: string;
  ticketId: number;
  commentId: number;
}

/** One Zendesk account (subdomain) and everything in it. */
export class FakeAccount {
  readonly users = new Map<number, FakeUser>();
  readonly identities = new Map<number, FakeIdentity>();
  readonly tickets = new Map<number, FakeTicket>();
  readonly comments: FakeComment[] = [];
  readonly groups = new Set<number>([360000000001]);
  /** An agent's edit applied right after the next read of that ticket (`editAfterNextRead`). */
  private readonly editsAfterRead = new Map<number, (ticket: FakeTicket) => void>();
  readonly pushInstances = new Map<string, PushInstance>();
  readonly webhooks = new Map<string, FakeWebhook>();
  readonly triggers: FakeTrigger[] = [];
  /** external_id → where it landed: makes push idempotent (`already_imported`). */
  readonly resources = new Map<string, ImportedResource>();
  /** thread_id → ticket id. */
  readonly threads = new Map<string, number>();
  readonly oauth: OAuthStore;
  /** The user signed in to this Zendesk in the test's browser: the authorize page grants as them (`users/me`). */
  signedInUserId: number | undefined = undefined;
  /** external_id → description: its next push answers `processing_error` once (see `failResource`). */
  readonly scriptedItemErrors = new Map<string, string>();
  /** Account-wide requests per minute (Professional plan: 400). */
  rateLimitPerMinute = 400;
  private windowStart = 0;
  private windowCount = 0;
  private nextId = 10_000;

  constructor(
    readonly subdomain: string,
    private readonly now: () => number,
  ) {
    this.oauth = new OAuthStore(now);
  }

  /** The next push of this external_id gets a per-item `processing_error` (the HTTP answer stays 200). */
  failResource(externalId: string, description = 'Internal error while importing the resource'): void {
    this.scriptedItemErrors.set(externalId, description);
  }

  /**
   * An agent changes the ticket just after the next API read of it, so a write computed from that read is stale
   * (what `safe_update` guards against): the edit is applied and `updated_at` moves on.
   */
  editAfterNextRead(ticketId: number, edit: (ticket: FakeTicket) => void): void {
    this.editsAfterRead.set(ticketId, edit);
  }

  /** Called by the ticket routes once a read is answered. */
  ticketRead(ticket: FakeTicket): void {
    const edit = this.editsAfterRead.get(ticket.id);
    if (!edit) return;
    this.editsAfterRead.delete(ticket.id);
    edit(ticket);
    // Timestamps have seconds only: a change within the same second still moves the stamp.
    const now = this.timestamp();
    ticket.updated_at = now > ticket.updated_at ? now : new Date(Date.parse(ticket.updated_at) + 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  id(): number {
    this.nextId += 1;
    return this.nextId;
  }

  timestamp(): string {
    return new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /** Counts one request against the per-minute limit; returns seconds to wait when over it. */
  countRequest(): { remaining: number; retryAfterSeconds: number | undefined } {
    const now = this.now();
    if (now - this.windowStart >= 60_000) {
      this.windowStart = now;
      this.windowCount = 0;
    }
    this.windowCount += 1;
    const remaining = Math.max(0, this.rateLimitPerMinute - this.windowCount);
    if (this.windowCount <= this.rateLimitPerMinute) return { remaining, retryAfterSeconds: undefined };
    return { remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil((this.windowStart + 60_000 - now) / 1000)) };
  }

  addUser(init: Partial<FakeUser> & Pick<FakeUser, 'name'>): FakeUser {
    const at = this.timestamp();
    const user: FakeUser = { id: this.id(), email: null, external_id: null, phone: null, role: 'end-user', created_at: at, updated_at: at, ...init };
    this.users.set(user.id, user);
    if (user.email !== null) this.addIdentity(user.id, 'email', user.email);
    if (user.phone !== null) this.addIdentity(user.id, 'phone_number', user.phone);
    return user;
  }

  addIdentity(userId: number, type: FakeIdentity['type'], value: string): FakeIdentity {
    const at = this.timestamp();
    const primary = ![...this.identities.values()].some((i) => i.user_id === userId && i.type === type);
    const identity: FakeIdentity = { id: this.id(), user_id: userId, type, value, verified: false, primary, created_at: at, updated_at: at };
    this.identities.set(identity.id, identity);
    return identity;
  }

  identitiesOf(userId: number): FakeIdentity[] {
    return [...this.identities.values()].filter((i) => i.user_id === userId);
  }

  /** Zendesk matches external_id ignoring case (§4.2). */
  userByExternalId(externalId: string): FakeUser | undefined {
    const wanted = externalId.toLowerCase();
    return [...this.users.values()].find((u) => u.external_id?.toLowerCase() === wanted);
  }

  userByEmail(email: string): FakeUser | undefined {
    const wanted = email.toLowerCase();
    return [...this.users.values()].find((u) => u.email?.toLowerCase() === wanted);
  }

  commentsOf(ticketId: number): FakeComment[] {
    return this.comments.filter((c) => c.ticket_id === ticketId);
  }

  ticketForThread(threadId: string): FakeTicket | undefined {
    const id = this.threads.get(threadId);
    return id === undefined ? undefined : this.tickets.get(id);
  }
}
