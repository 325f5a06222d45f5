import { z } from 'zod';
import { retentionSettingsSchema } from '../../core/privacy/retention';
import { errorResponse, jsonBody, ok, pathParam, unauthorized } from './openapi-parts';

const contactId = pathParam('contactId', { type: 'string', format: 'uuid' });
const notFound = errorResponse('No such contact in this workspace');
const erasure = ok('The erasure: `{ id, contact_id, state (pending | done | dead), requested_by, requested_at, finished_at, attempts, last_error, '
  + 'local (counts of what was erased here), platforms: { <installation id>: { connector, account_id, status (done | failed | unsupported), steps, kept?, error?, retryable? } } }`');

/** GDPR export and erasure of a contact, and the workspace's retention settings (admin-privacy.ts). */
export function privacyPaths() {
  return {
    '/contacts/{contactId}/export': {
      get: {
        summary: 'Everything held on a contact (GDPR access request): the contact, consent, conversations, messages with bodies and statuses, media with signed download links, external links, SMS copies and audit entries',
        parameters: [contactId],
        responses: { 200: ok('`{ exported_at, contact, consent, conversations, messages, media, external_links, audit, sms_messages }`'), 401: unauthorized, 404: notFound },
      },
    },
    '/contacts/{contactId}/erase': {
      post: {
        summary: 'Forget a contact (GDPR erasure), here and on every connected platform, as a job retried with backoff; audited without personal data. '
          + 'Idempotent: asking again returns the same erasure, and restarts one that died',
        parameters: [contactId],
        responses: { 202: erasure, 200: ok('The erasure already asked for (pending or done): nothing new is queued'), 401: unauthorized, 404: notFound },
      },
    },
    '/contacts/{contactId}/erasure': {
      get: {
        summary: "The erasure's report: what was done here and on each platform, what failed and is retried, or failed for good (state dead)",
        parameters: [contactId],
        responses: { 200: erasure, 401: unauthorized, 404: errorResponse('No erasure of this contact in this workspace') },
      },
    },
    '/privacy/retention': {
      get: { summary: 'How long message bodies and media files are kept, in days (null: for ever)', responses: { 200: ok('Retention settings', z.toJSONSchema(retentionSettingsSchema)), 401: unauthorized } },
      put: {
        summary: 'Set retention: a daily job removes message bodies (rows and counts stay) and media files older than this; audited',
        requestBody: jsonBody(z.toJSONSchema(retentionSettingsSchema)),
        responses: { 200: ok('Retention settings', z.toJSONSchema(retentionSettingsSchema)), 400: errorResponse('Invalid body'), 401: unauthorized },
      },
    },
  };
}
