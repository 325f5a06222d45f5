import crypto from 'node:crypto';
import type { FakeAccount, FakeComment, PushInstance } from './fake-account';
import { addAgentAttachment, type FakeAttachment } from './attachment-routes';

/** An agent's reply on a ticket, as typed in Zendesk. */
export interface AgentReply {
  text: string;
  files?: FakeAttachment[];
  agentName?: string;
  /** The requester was edited in Zendesk: `recipient_id` arrives empty (reference §1.6). */
  requesterEdited?: boolean;
  /** Zendesk retries after a network error with the same request_unique_identifier; pass it to replay one. */
  requestUniqueIdentifier?: string;
}

export interface ChannelbackAttempt {
  ticketId: number;
  requestUniqueIdentifier: string;
  status: number;
  body: unknown;
  /** The agent's comment on the ticket; `external_id` is what the integration answered, when it did. */
  comment: FakeComment;
}

/**
 * Zendesk's side of a channelback (§1.6): an agent's public reply on a ticket of an integration account
 * is POSTed form-encoded to the manifest's channelback_url with the account's metadata, the ticket's
 * thread, the latest external resource as parent and the requester's external id as recipient;
 * `file_urls[]` point at the account's attachments (downloaded with the push token). The comment is on
 * the ticket whatever the answer; a 200 links it to the returned external_id. Internal notes never
 * reach a channelback, so there is no way to send one here.
 */
export async function sendChannelback(
  account: FakeAccount, baseUrl: string, instance: PushInstance, ticketId: number, reply: AgentReply,
): Promise<ChannelbackAttempt> {
  if (!instance.channelbackUrl || instance.metadata === undefined) {
    throw new Error(`Integration account ${instance.instancePushId} has no channelback_url/metadata: create it through the admin flow, or set them`);
  }
  const ticket = account.tickets.get(ticketId);
  if (!ticket) throw new Error(`No ticket ${ticketId} in ${account.subdomain}`);
  const threadId = [...account.threads].find(([, id]) => id === ticketId)?.[0];
  const parent = account.commentsOf(ticketId).filter((c) => c.external_id !== null).at(-1);
  const recipient = account.users.get(ticket.requester_id)?.external_id ?? '';
  const requestUniqueIdentifier = reply.requestUniqueIdentifier ?? crypto.randomUUID();
  const form = new URLSearchParams({
    message: reply.text,
    recipient_id: reply.requesterEdited ? '' : recipient,
    metadata: instance.metadata,
    request_unique_identifier: requestUniqueIdentifier,
  });
  if (threadId !== undefined) form.set('thread_id', threadId);
  if (parent?.external_id) form.set('parent_id', parent.external_id);
  for (const file of reply.files ?? []) form.append('file_urls[]', addAgentAttachment(account, baseUrl, file));

  const res = await fetch(instance.channelbackUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString(), signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: kept as text, as Zendesk would show it.
  }
  const answered = res.status === 200 && typeof (body as { external_id?: unknown }).external_id === 'string' ? (body as { external_id: string }).external_id : null;
  const known = account.comments.find((c) => c.ticket_id === ticketId && answered !== null && c.external_id === answered);
  const comment = known ?? addAgentComment(account, ticketId, reply, answered);
  return { ticketId, requestUniqueIdentifier, status: res.status, body, comment };
}

function addAgentComment(account: FakeAccount, ticketId: number, reply: AgentReply, externalId: string | null): FakeComment {
  const name = reply.agentName ?? 'Agent';
  const agent = [...account.users.values()].find((u) => u.role === 'agent' && u.name === name) ?? account.addUser({ name, role: 'agent' });
  const comment: FakeComment = {
    id: account.id(), ticket_id: ticketId, author_id: agent.id, body: reply.text, html_body: null, public: true,
    created_at: account.timestamp(), file_urls: [], external_id: externalId,
  };
  account.comments.push(comment);
  return comment;
}
