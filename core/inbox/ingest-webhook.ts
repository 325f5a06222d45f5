import { parseStorableJson } from '../db/storable-text';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { verifyMetaSignature } from '../whatsapp/verify-signature';
import { webhookEnvelope } from '../whatsapp/webhook-payload';
import { extractEvents } from './extract-events';
import type { InboxWriter, RoutedDraft } from './inbox-writer';
import type { NumberDirectory } from './number-directory';

export type IngestOutcome =
  | { ok: true; events: number; stored: number; duplicates: number; unrouted: number }
  | { ok: false; status: 400 | 401 | 503; code: 'SIGNATURE_MISSING' | 'SIGNATURE_INVALID' | 'INVALID_UTF8' | 'MALFORMED_JSON' | 'INVALID_PAYLOAD' | 'STORE_UNAVAILABLE'; message: string };

export interface IngestDeps {
  appSecret: string;
  directory: NumberDirectory;
  writer: InboxWriter;
  logger: Logger;
  metrics: Metrics;
}

/**
 * The whole request path of a Meta webhook: signature over the raw bytes, parse, split into
 * events, route each to its workspace and store them durably. Nothing else happens before the
 * 200, so the answer is fast and every acknowledged event is already on disk.
 */
export async function ingestWebhook(deps: IngestDeps, rawBody: Buffer, signature: string | undefined): Promise<IngestOutcome> {
  const fail = (status: 400 | 401 | 503, code: Extract<IngestOutcome, { ok: false }>['code'], message: string): IngestOutcome => {
    deps.metrics.webhooksReceived.inc({ source: 'whatsapp', outcome: code.toLowerCase() });
    return { ok: false, status, code, message };
  };
  if (!signature) return fail(401, 'SIGNATURE_MISSING', 'X-Hub-Signature-256 header is required');
  if (!verifyMetaSignature(rawBody, signature, deps.appSecret)) {
    return fail(401, 'SIGNATURE_INVALID', 'X-Hub-Signature-256 does not match the body; check META_APP_SECRET');
  }
  const json = parseStorableJson(rawBody);
  if (!json.ok) return fail(400, json.code, json.message);
  const envelope = webhookEnvelope.safeParse(json.value);
  if (!envelope.success) {
    const issue = envelope.error.issues[0];
    return fail(400, 'INVALID_PAYLOAD', `Not a WhatsApp Business Account webhook: ${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid'}`);
  }

  const drafts = extractEvents(envelope.data);
  let routed: RoutedDraft[];
  let result;
  try {
    routed = await Promise.all(drafts.map(async (d) => ({
      ...d,
      workspaceId: d.phoneNumberId ? await deps.directory.workspaceForNumber(d.phoneNumberId) : await deps.directory.workspaceForWaba(d.wabaId),
    })));
    result = await deps.writer.write(routed);
  } catch (error) {
    deps.logger.error({ err: error }, 'webhook not stored; answering 503 so Meta retries');
    return fail(503, 'STORE_UNAVAILABLE', 'Temporarily unable to store the webhook; it will be retried');
  }
  const unrouted = routed.filter((d) => d.workspaceId === null);
  for (const d of unrouted) {
    deps.logger.warn({ phoneNumberId: d.phoneNumberId, wabaId: d.wabaId, kind: d.payload.kind }, 'webhook event for an unknown number: stored, not processed');
  }
  for (const d of routed) deps.metrics.webhookEvents.inc({ kind: d.payload.kind, outcome: d.workspaceId === null ? 'unrouted' : 'accepted' });
  if (result.duplicates) deps.metrics.webhookEvents.inc({ kind: 'any', outcome: 'duplicate' }, result.duplicates);
  deps.metrics.webhooksReceived.inc({ source: 'whatsapp', outcome: 'accepted' });
  return { ok: true, events: drafts.length, stored: result.stored, duplicates: result.duplicates, unrouted: unrouted.length };
}
