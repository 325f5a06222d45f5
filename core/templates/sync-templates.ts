import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/connect';
import { loadNumberAccess, markNumberNeedsAttention } from '../numbers/number-access';
import type { GraphClient, GraphTemplate } from '../whatsapp/graph-client';
import { GraphApiError } from '../whatsapp/graph-error';
import { saveTemplateListing, type TemplateSyncCounts } from './store-templates';

export interface TemplateSyncDeps {
  db: Db;
  graph: GraphClient;
  secrets: SecretBox;
  /** The sync's notion of "now" (status_changed_at of what changed). Default: the clock. */
  now?: () => Date;
}

/**
 * Why a sync did not happen, with a message an admin can act on:
 * - `NUMBER_NOT_FOUND`: no number of this WABA is connected to the workspace
 * - `TOKEN_INVALID`: Meta rejected the number's token; the number is marked needs_attention
 * - `RATE_LIMITED`: the WABA's management quota (80007, §8) or the app's (4) is used up; try later
 * - `GRAPH_UNAVAILABLE`: Meta did not answer, or answered something unexpected; try again
 * - `GRAPH_REJECTED`: Meta refused the request (permissions, a WABA the token cannot see)
 */
export type TemplateSyncErrorCode = 'NUMBER_NOT_FOUND' | 'TOKEN_INVALID' | 'RATE_LIMITED' | 'GRAPH_UNAVAILABLE' | 'GRAPH_REJECTED';

export interface TemplateSyncError {
  code: TemplateSyncErrorCode;
  message: string;
}

export type TemplateSyncResult =
  | { ok: true; wabaId: string; counts: TemplateSyncCounts }
  | { ok: false; wabaId: string; error: TemplateSyncError };

const PAGE_SIZE = 100;
/** 100 × 1000 templates is far beyond any WABA's limit: more pages means a cursor that never ends. */
const MAX_PAGES = 1000;
const RATE_LIMIT_CODES = new Set([80007, 4]);

/**
 * Fetches every template of a WABA (all pages) with the token of one of its numbers in the workspace, then
 * stores them: new ones created, changed ones updated, those no longer listed marked DELETED. Nothing is
 * stored unless every page arrived, so a failure half-way never marks templates deleted.
 */
export async function syncTemplates(deps: TemplateSyncDeps, workspaceId: string, wabaId: string): Promise<TemplateSyncResult> {
  // An active number first; one needing attention is still worth a try (its token may work for this call).
  const number: { id: string; phone_number_id: string } | undefined = await deps.db('whatsapp_number')
    .where({ workspace_id: workspaceId, waba_id: wabaId })
    .orderByRaw("(state = 'active') desc, created_at")
    .first('id', 'phone_number_id');
  const access = number ? await loadNumberAccess(deps.db, deps.secrets, workspaceId, number.id) : null;
  if (!number || !access) {
    return { ok: false, wabaId, error: { code: 'NUMBER_NOT_FOUND', message: `No WhatsApp number of WABA ${wabaId} is connected to this workspace` } };
  }

  const listing: GraphTemplate[] = [];
  let after: string | undefined;
  try {
    for (let page = 0; ; page += 1) {
      if (page >= MAX_PAGES) throw new GraphApiError(`Template listing did not end after ${MAX_PAGES} pages`, { reason: 'unexpected_response', kind: 'permanent' });
      const result = await deps.graph.listTemplates(wabaId, access.token, { limit: PAGE_SIZE, after });
      listing.push(...result.templates);
      if (result.nextCursor === undefined || result.nextCursor === after) break;
      after = result.nextCursor;
    }
  } catch (err) {
    if (!(err instanceof GraphApiError)) throw err;
    return { ok: false, wabaId, error: await classify(deps.db, workspaceId, number, err) };
  }
  const now = deps.now?.() ?? new Date();
  return { ok: true, wabaId, counts: await saveTemplateListing(deps.db, workspaceId, wabaId, listing, now) };
}

/** Every WABA with a number in the workspace, each synced on its own (one failing does not stop the others). */
export async function syncAllTemplates(deps: TemplateSyncDeps, workspaceId: string): Promise<TemplateSyncResult[]> {
  const wabas: { waba_id: string }[] = await deps.db('whatsapp_number').where({ workspace_id: workspaceId }).distinct('waba_id').orderBy('waba_id');
  const results: TemplateSyncResult[] = [];
  for (const { waba_id: wabaId } of wabas) results.push(await syncTemplates(deps, workspaceId, wabaId));
  return results;
}

async function classify(db: Db, workspaceId: string, number: { id: string; phone_number_id: string }, err: GraphApiError): Promise<TemplateSyncError> {
  const said = err.code === undefined ? err.message : `code ${err.code}${err.details ? `: ${err.details}` : ''}`;
  if (err.kind === 'token') {
    await markNumberNeedsAttention(db, workspaceId, number.id, `template sync: ${err.message}`);
    return {
      code: 'TOKEN_INVALID',
      message: `Meta rejected the access token of number ${number.phone_number_id} (${said}); connect the number again with a valid System User token`,
    };
  }
  if (err.code !== undefined && RATE_LIMIT_CODES.has(err.code)) {
    return { code: 'RATE_LIMITED', message: `Meta's rate limit for this WhatsApp Business Account was reached (${said}); try the sync again later (the quota is hourly)` };
  }
  if (err.kind === 'retryable' || err.reason === 'unexpected_response') {
    return { code: 'GRAPH_UNAVAILABLE', message: `The Graph API did not answer the template listing usably (${said}); try again in a minute` };
  }
  return { code: 'GRAPH_REJECTED', message: `Meta refused to list the templates (${said}): check that the token has whatsapp_business_management for this WABA` };
}
