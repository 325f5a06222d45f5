import { z } from 'zod';
import { accountBaseUrl, type ZendeskClientConfig } from './config';
import { fail, ok, type ZendeskError, type ZendeskResult } from './errors';
import { requestJson } from './http';
import { externalResourceSchema, type ExternalResourceInput } from './push-schema';

/** The docs' limit per push (reference §1.4; the JSON schema allows 256, §7 item 2): larger inputs are split. */
export const maxResourcesPerPush = 100;

export type PushStatusCode = 'success' | 'already_imported' | 'could_not_locate_parent_external_resource' | 'processing_error' | 'halted';

/**
 * One resource's fate. `imported` covers `already_imported` (push is idempotent on external_id); `retry`
 * covers processing_error and halted (Zendesk says re-push those); `rejected` will not succeed as it is.
 */
export interface PushItemResult {
  externalId: string;
  outcome: 'imported' | 'retry' | 'rejected';
  /** Zendesk's status code, or `invalid` when our own check refused it before sending. */
  code: PushStatusCode | 'invalid';
  description?: string;
  /** The request_id of the push that carried it (event callbacks name it). */
  requestId: string | undefined;
}

/** `items` has one entry per input, in order. On failure, `items` holds the batches sent before it; the rest were not sent. */
export type PushOutcome = { ok: true; items: PushItemResult[] } | { ok: false; error: ZendeskError; items: PushItemResult[] };

export interface PushInput {
  subdomain: string;
  /** The Channel framework push token (`zendesk_access_token`), not the REST OAuth token. */
  pushToken: string;
  instancePushId: string;
  /** ≤ 64 chars; a batch gets `-{n}` appended when the input is split, so keep it ≤ 60. */
  requestId?: string;
  resources: readonly ExternalResourceInput[];
}

const pushResponse = z.object({
  results: z.array(z.looseObject({ external_resource_id: z.string(), status: z.looseObject({ code: z.string(), description: z.string().optional() }) })),
});

/**
 * POST /api/v2/any_channel/push with plain fetch (node-zendesk has no Channel framework support, §5.2).
 * Resources our own schema refuses are answered `invalid` without being sent; the rest go in batches of
 * ≤ 100, and each result is checked: an HTTP 200 does not mean every item was imported.
 */
export async function pushExternalResources(config: ZendeskClientConfig, input: PushInput): Promise<PushOutcome> {
  const items: Array<PushItemResult | undefined> = new Array(input.resources.length).fill(undefined);
  const sendable: Array<{ index: number; resource: ExternalResourceInput }> = [];
  input.resources.forEach((resource, index) => {
    const checked = externalResourceSchema.safeParse(resource);
    if (checked.success) sendable.push({ index, resource: checked.data });
    else items[index] = { externalId: resource.external_id, outcome: 'rejected', code: 'invalid', description: checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), requestId: undefined };
  });

  const batches = chunk(sendable, maxResourcesPerPush);
  const url = `${accountBaseUrl(config.apiBase, input.subdomain)}/api/v2/any_channel/push`;
  for (const [n, batch] of batches.entries()) {
    const requestId = input.requestId === undefined || batches.length === 1 ? input.requestId : `${input.requestId}-${n + 1}`;
    const answer = await requestJson(url, {
      method: 'POST',
      token: input.pushToken,
      body: { instance_push_id: input.instancePushId, request_id: requestId, external_resources: batch.map((b) => b.resource) },
      timeoutMs: config.timeoutMs,
    });
    const results = answer.ok ? matchResults(answer.value.body, batch.map((b) => b.resource.external_id)) : answer;
    if (!results.ok) return { ok: false, error: results.error, items: items.filter((i): i is PushItemResult => i !== undefined) };
    results.value.forEach((r, i) => {
      const index = batch[i]?.index;
      if (index !== undefined) items[index] = { ...r, requestId };
    });
  }
  return { ok: true, items: items.filter((i): i is PushItemResult => i !== undefined) };
}

/** Results come one per resource in the same order (§1.4); anything else is a response we cannot trust. */
function matchResults(body: unknown, sentIds: string[]): ZendeskResult<Array<Omit<PushItemResult, 'requestId'>>> {
  const parsed = pushResponse.safeParse(body);
  if (!parsed.success) return fail({ code: 'BAD_RESPONSE', message: `Unexpected push response: ${parsed.error.message}` });
  const { results } = parsed.data;
  if (results.length !== sentIds.length || results.some((r, i) => r.external_resource_id !== sentIds[i])) {
    return fail({ code: 'BAD_RESPONSE', message: `Push answered ${results.length} results for ${sentIds.length} resources, or out of order` });
  }
  return ok(results.map((r) => classify(r.external_resource_id, r.status.code, r.status.description)));
}

function classify(externalId: string, code: string, description: string | undefined): Omit<PushItemResult, 'requestId'> {
  const base = description === undefined ? { externalId } : { externalId, description };
  switch (code) {
    case 'success':
    case 'already_imported':
      return { ...base, outcome: 'imported', code };
    case 'processing_error':
    case 'halted':
      return { ...base, outcome: 'retry', code };
    case 'could_not_locate_parent_external_resource':
      return { ...base, outcome: 'rejected', code };
    default:
      // An undocumented code: not imported, and not known to be permanent.
      return { externalId, outcome: 'retry', code: 'processing_error', description: `Unknown push status ${code}${description ? `: ${description}` : ''}` };
  }
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
