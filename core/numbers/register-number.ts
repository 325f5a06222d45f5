import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/connect';
import { writeAudit } from '../audit/write-audit';
import type { GraphClient } from '../whatsapp/graph-client';
import { GraphApiError } from '../whatsapp/graph-error';

export type ReadReceiptPolicy = 'on_receipt' | 'on_assign' | 'never';

export interface RegisterNumberInput {
  phoneNumberId: string;
  wabaId: string;
  accessToken: string;
  readReceipts?: ReadReceiptPolicy;
}

export interface NumberView {
  id: string;
  phone_number_id: string;
  waba_id: string;
  display_phone_number: string | null;
  verified_name: string | null;
  quality_rating: string | null;
  messaging_limit_tier: string | null;
  throughput_level: string | null;
  /** Health as last checked (core/numbers/number-health.ts); null = not checked yet. */
  credentials_valid: boolean | null;
  webhooks_subscribed: boolean | null;
  health_problem: string | null;
  health_checked_at: Date | null;
  state: string;
  state_reason: string | null;
  read_receipts: ReadReceiptPolicy;
  quiet_period_minutes: number;
  created_at: Date;
}

export type RegisterNumberError =
  | { code: 'TOKEN_INVALID'; message: string }
  | { code: 'PHONE_NUMBER_NOT_FOUND'; message: string }
  | { code: 'GRAPH_UNAVAILABLE'; message: string }
  | { code: 'NUMBER_IN_OTHER_WORKSPACE'; message: string };

export const numberColumns = ['id', 'phone_number_id', 'waba_id', 'display_phone_number', 'verified_name', 'quality_rating', 'messaging_limit_tier', 'throughput_level',
  'credentials_valid', 'webhooks_subscribed', 'health_problem', 'health_checked_at', 'state', 'state_reason', 'read_receipts', 'quiet_period_minutes', 'created_at'];

/**
 * Connects a WhatsApp number to a workspace: the token is checked against the Graph API first
 * (a number that cannot be reached is never saved), then stored sealed. Registering again
 * updates the token and details.
 */
export async function registerNumber(
  deps: { db: Db; graph: GraphClient; secrets: SecretBox },
  workspaceId: string,
  input: RegisterNumberInput,
  actor: string,
): Promise<{ ok: true; number: NumberView; created: boolean } | { ok: false; error: RegisterNumberError }> {
  const inOtherWorkspace = { ok: false as const, error: { code: 'NUMBER_IN_OTHER_WORKSPACE' as const, message: 'This phone number id is connected to another workspace; disconnect it there first' } };
  const owner: { workspace_id: string } | undefined = await deps.db('whatsapp_number').where({ phone_number_id: input.phoneNumberId }).first('workspace_id');
  if (owner && owner.workspace_id !== workspaceId) return inOtherWorkspace;
  // WABA-level webhooks (template status, quality) are routed by WABA id: one WABA, one workspace.
  const wabaOwner: { workspace_id: string } | undefined = await deps.db('whatsapp_number').where({ waba_id: input.wabaId }).whereNot({ workspace_id: workspaceId }).first('workspace_id');
  if (wabaOwner) return { ok: false, error: { code: 'NUMBER_IN_OTHER_WORKSPACE', message: 'This WhatsApp Business Account is connected to another workspace; a WABA belongs to one workspace' } };
  let info;
  try {
    info = await deps.graph.getPhoneNumber(input.phoneNumberId, input.accessToken);
  } catch (err) {
    if (!(err instanceof GraphApiError)) throw err;
    if (err.kind === 'token') return { ok: false, error: { code: 'TOKEN_INVALID', message: `Meta rejected the access token (code ${err.code ?? err.httpStatus}): use a System User token with whatsapp_business_messaging` } };
    if (err.kind === 'permanent') return { ok: false, error: { code: 'PHONE_NUMBER_NOT_FOUND', message: `Meta does not know phone number id ${input.phoneNumberId} for this token (code ${err.code ?? err.httpStatus}): ${err.details ?? err.message}` } };
    return { ok: false, error: { code: 'GRAPH_UNAVAILABLE', message: 'The Graph API did not answer; try again in a minute' } };
  }
  const row = {
    workspace_id: workspaceId,
    phone_number_id: input.phoneNumberId,
    waba_id: input.wabaId,
    display_phone_number: info.displayPhoneNumber,
    verified_name: info.verifiedName,
    // The lookup that proved the token also reports the number's limits: keep them.
    quality_rating: info.qualityRating ?? null,
    messaging_limit_tier: info.messagingLimitTier ?? null,
    throughput_level: info.throughputLevel ?? null,
    credentials_valid: true,
    access_token_sealed: deps.secrets.seal(input.accessToken),
    state: 'active',
    state_reason: null,
    ...(input.readReceipts ? { read_receipts: input.readReceipts } : {}),
    updated_at: deps.db.fn.now(),
  };
  return deps.db.transaction(async (trx) => {
    // The update only applies to this workspace's row: another workspace may have connected the
    // number while the Graph API was being asked, and an upsert must not move it here.
    const [saved] = await trx('whatsapp_number').insert(row).onConflict('phone_number_id').merge().where('whatsapp_number.workspace_id', workspaceId)
      .returning([...numberColumns, trx.raw('(xmax = 0) as created')]);
    if (!saved) return inOtherWorkspace;
    const { created, ...number } = saved as NumberView & { created: boolean };
    await writeAudit(trx, { workspaceId, actor, action: created ? 'number.registered' : 'number.updated', entityType: 'whatsapp_number', entityId: number.id, data: { phone_number_id: input.phoneNumberId, waba_id: input.wabaId } });
    return { ok: true as const, number, created };
  });
}

export async function listNumbers(db: Db, workspaceId: string): Promise<NumberView[]> {
  return db('whatsapp_number').where({ workspace_id: workspaceId }).orderBy('created_at').select(numberColumns);
}
