import { createClient, type ZendeskClient } from 'node-zendesk';
import type { z } from 'zod';
import { accountBaseUrl, type ZendeskClientConfig } from './config';
import { fail, ok, type ZendeskResult } from './errors';
import { callNodeZendesk, fetchTransport } from './node-zendesk-call';
import { identitySchema, ticketSchema, userSchema, type TicketPriority, type TicketStatus, type ZendeskIdentity, type ZendeskTicket, type ZendeskUser } from './schemas';

export interface UserInput {
  name: string;
  externalId: string;
  email?: string;
  /** The user's `phone` attribute; a searchable phone identity needs `addPhoneIdentity`. */
  phone?: string;
}

export interface TicketUpdate {
  status?: TicketStatus;
  priority?: TicketPriority | null;
  /** Replaces the ticket's tags. */
  tags?: string[];
  groupId?: number | null;
  /** A comment added with the update; `public: false` is an internal note. */
  comment?: { body: string; public: boolean; authorId?: number };
  /**
   * Collision protection (reference §4.3): the ticket's `updated_at` as read. Zendesk answers 409 (`CONFLICT`)
   * when it changed since, so an update computed from a read (tags merged into the list read) loses nothing.
   */
  updatedStamp?: string;
}

/**
 * The REST API of one account with one OAuth access token, through node-zendesk 6 (reference §5.2): users,
 * identities, tickets. Every answer is zod-checked and every failure is an error value. Paths that
 * node-zendesk only exposes through its auto-paginating `getAll` (which buries errors in the result array)
 * go through its `request` with a full URL instead.
 */
export class ZendeskRestClient {
  private readonly client: ZendeskClient;
  private readonly apiRoot: string;

  constructor(config: Pick<ZendeskClientConfig, 'apiBase' | 'timeoutMs'>, subdomain: string, accessToken: string) {
    this.apiRoot = `${accountBaseUrl(config.apiBase, subdomain)}/api/v2`;
    this.client = createClient({
      endpointUri: this.apiRoot,
      token: accessToken,
      oauth: true,
      throwOriginalException: true,
      transportConfig: fetchTransport(config.timeoutMs),
    });
  }

  /** 201 when created, 200 when an existing user matched on external_id or email (never on phone, §4.2). */
  async createOrUpdateUser(input: UserInput): Promise<ZendeskResult<{ user: ZendeskUser; created: boolean }>> {
    const user = { name: input.name, external_id: input.externalId, email: input.email, phone: input.phone, skip_verify_email: true };
    const answer = await callNodeZendesk(() => this.client.users.createOrUpdate({ user }));
    if (!answer.ok) return answer;
    const parsed = validate(userSchema, answer.value.result, 'user');
    return parsed.ok ? ok({ user: parsed.value, created: answer.value.status === 201 }) : parsed;
  }

  async findUserByExternalId(externalId: string): Promise<ZendeskResult<ZendeskUser | null>> {
    const url = `${this.apiRoot}/users/search.json?external_id=${encodeURIComponent(externalId)}`;
    const answer = await callNodeZendesk(() => this.client.users.request('GET', url));
    if (!answer.ok) return answer;
    const users = validate(userSchema.array(), answer.value.result, 'users');
    return users.ok ? ok(users.value[0] ?? null) : users;
  }

  async listIdentities(userId: number): Promise<ZendeskResult<ZendeskIdentity[]>> {
    const url = `${this.apiRoot}/users/${userId}/identities.json`;
    const answer = await callNodeZendesk(() => this.client.useridentities.request('GET', url));
    return answer.ok ? validate(identitySchema.array(), answer.value.result, 'identities') : answer;
  }

  async addPhoneIdentity(userId: number, phone: string): Promise<ZendeskResult<ZendeskIdentity>> {
    const answer = await callNodeZendesk(() => this.client.useridentities.create(userId, { identity: { type: 'phone_number', value: phone } }));
    return answer.ok ? validate(identitySchema, answer.value.result, 'identity') : answer;
  }

  /**
   * The requester of a WhatsApp conversation: external_id `whatsapp:<wa_id>` (create_or_update matches on
   * it), plus a phone identity `+<wa_id>` so agents find the customer by number. A business-scoped user
   * without a number is `whatsapp:<user_id>`, with no phone. Idempotent. A number Zendesk already gives
   * another user is left with them (create_or_update never matches on phone, §4.2; merging is an agent's call).
   */
  async ensureWhatsAppUser(input: { name: string } & ({ waId: string } | { userId: string })): Promise<ZendeskResult<{ user: ZendeskUser; created: boolean }>> {
    const id = 'waId' in input ? input.waId : input.userId;
    const upserted = await this.createOrUpdateUser({ name: input.name, externalId: `whatsapp:${id}` });
    if (!upserted.ok || !('waId' in input)) return upserted;
    const identities = await this.listIdentities(upserted.value.user.id);
    if (!identities.ok) return identities;
    const digits = (v: string) => v.replace(/\D/g, '');
    if (identities.value.some((i) => i.type === 'phone_number' && digits(i.value) === input.waId)) return upserted;
    const added = await this.addPhoneIdentity(upserted.value.user.id, `+${input.waId}`);
    const takenByAnother = !added.ok && added.error.fieldErrors?.value?.some((e) => e.error === 'DuplicateValue') === true;
    return added.ok || takenByAnother ? upserted : added;
  }

  async getTicket(ticketId: number): Promise<ZendeskResult<ZendeskTicket>> {
    const answer = await callNodeZendesk(() => this.client.tickets.show(ticketId));
    return answer.ok ? validate(ticketSchema, answer.value.result, 'ticket') : answer;
  }

  async updateTicket(ticketId: number, update: TicketUpdate): Promise<ZendeskResult<ZendeskTicket>> {
    const ticket = {
      status: update.status,
      priority: update.priority,
      tags: update.tags,
      group_id: update.groupId,
      comment: update.comment && { body: update.comment.body, public: update.comment.public, author_id: update.comment.authorId },
      ...(update.updatedStamp === undefined ? {} : { safe_update: true, updated_stamp: update.updatedStamp }),
    };
    // Through `request`: node-zendesk's ticket type cannot say `null` (unset group or priority), which Zendesk accepts.
    const answer = await callNodeZendesk(() => this.client.tickets.request('PUT', `${this.apiRoot}/tickets/${ticketId}.json`, { ticket }));
    return answer.ok ? validate(ticketSchema, answer.value.result, 'ticket') : answer;
  }
}

function validate<T>(schema: z.ZodType<T>, value: unknown, what: string): ZendeskResult<T> {
  const parsed = schema.safeParse(value);
  return parsed.success ? ok(parsed.data) : fail({ code: 'BAD_RESPONSE', message: `Unexpected ${what} from Zendesk: ${parsed.error.message}` });
}
