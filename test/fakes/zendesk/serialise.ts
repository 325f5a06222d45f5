import type { Request } from 'express';
import type { FakeAccount, FakeComment, FakeIdentity, FakeTicket, FakeUser } from './fake-account';

/** The account's API root as this request reached it, for the `url` fields Zendesk puts on every record. */
export function apiRoot(req: Request, account: FakeAccount): string {
  return `${req.protocol}://${req.get('host') ?? ''}/${account.subdomain}/api/v2`;
}

export function userJson(root: string, user: FakeUser) {
  return {
    ...user,
    url: `${root}/users/${user.id}.json`,
    active: true,
    verified: false,
    shared: false,
    suspended: false,
    time_zone: 'UTC',
    locale: 'en-US',
    tags: [],
    user_fields: {},
  };
}

export function identityJson(root: string, identity: FakeIdentity) {
  return { ...identity, url: `${root}/users/${identity.user_id}/identities/${identity.id}.json` };
}

export function ticketJson(root: string, account: FakeAccount, ticket: FakeTicket) {
  const first = account.commentsOf(ticket.id)[0];
  const { custom_fields: customFields, ...rest } = ticket;
  return {
    ...rest,
    url: `${root}/tickets/${ticket.id}.json`,
    external_id: null,
    type: null,
    raw_subject: ticket.subject,
    description: first?.body ?? '',
    submitter_id: ticket.requester_id,
    assignee_id: null,
    custom_fields: customFields,
    via: { channel: 'any_channel', source: { from: {}, to: {}, rel: null } },
  };
}

export function commentJson(comment: FakeComment) {
  const { file_urls: fileUrls, external_id: _externalId, ...rest } = comment;
  return {
    ...rest,
    type: 'Comment',
    plain_body: comment.body,
    attachments: fileUrls.map((url, i) => ({ id: comment.id * 100 + i, content_url: url, file_name: url.split('/').pop() ?? 'file' })),
  };
}

/** Zendesk's offset-paginated list envelope (search and identities have no cursor pagination). */
export function listJson(key: string, items: unknown[]): Record<string, unknown> {
  return { [key]: items, next_page: null, previous_page: null, count: items.length };
}
