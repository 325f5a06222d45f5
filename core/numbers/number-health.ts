import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/connect';
import type { GraphClient } from '../whatsapp/graph-client';
import { GraphApiError } from '../whatsapp/graph-error';
import { loadNumberAccess, markNumberNeedsAttention } from './number-access';
import { numberColumns, type NumberView } from './register-number';

export interface NumberHealthDeps {
  db: Db;
  graph: Pick<GraphClient, 'getPhoneNumber' | 'subscribedApps'>;
  secrets: SecretBox;
  /** META_APP_ID: with it, "subscribed" means this app; without it, any app on the WABA counts. */
  metaAppId: string | undefined;
}

/**
 * Asks Meta how a number is doing and stores the answer on it: the token still works (the number
 * lookup succeeds with it), our app gets the WABA's webhooks, and the quality rating, messaging limit
 * and throughput Meta reports (reference §8, §9). A check that cannot finish keeps the last known values
 * and says why in `health_problem`. Null when the number is not in this workspace.
 */
export async function checkNumberHealth(deps: NumberHealthDeps, workspaceId: string, numberId: string): Promise<NumberView | null> {
  const access = await loadNumberAccess(deps.db, deps.secrets, workspaceId, numberId);
  if (!access) return null;
  const update: Record<string, unknown> = { health_checked_at: deps.db.fn.now(), health_problem: null };
  const problems: string[] = [];
  try {
    const info = await deps.graph.getPhoneNumber(access.phoneNumberId, access.token);
    Object.assign(update, {
      credentials_valid: true,
      quality_rating: info.qualityRating ?? null,
      messaging_limit_tier: info.messagingLimitTier ?? null,
      throughput_level: info.throughputLevel ?? null,
      display_phone_number: info.displayPhoneNumber,
      verified_name: info.verifiedName,
    });
  } catch (err) {
    if (!(err instanceof GraphApiError)) throw err;
    if (err.kind === 'token') {
      update.credentials_valid = false;
      await markNumberNeedsAttention(deps.db, workspaceId, numberId, `health check: ${err.message}`);
    }
    problems.push(numberProblem(err, access.phoneNumberId));
  }
  // A rejected token cannot read the WABA either; asking again would only repeat the 190.
  if (update.credentials_valid !== false) {
    try {
      const apps = await deps.graph.subscribedApps(access.wabaId, access.token);
      update.webhooks_subscribed = deps.metaAppId === undefined ? apps.length > 0 : apps.some((a) => a.id === deps.metaAppId);
    } catch (err) {
      if (!(err instanceof GraphApiError)) throw err;
      problems.push(`Could not read the webhook subscriptions of WABA ${access.wabaId}: ${err.kind === 'retryable' ? 'the Graph API did not answer, try again in a minute' : err.message}`);
    }
  }
  if (problems.length > 0) update.health_problem = problems.join(' ');
  const [number] = await deps.db('whatsapp_number').where({ id: numberId, workspace_id: workspaceId }).update(update).returning(numberColumns);
  return (number as NumberView | undefined) ?? null;
}

function numberProblem(err: GraphApiError, phoneNumberId: string): string {
  if (err.kind === 'token') return `Meta rejected the access token (code ${err.code ?? err.httpStatus}): connect the number again with a new System User token.`;
  if (err.kind === 'retryable') return 'The Graph API did not answer; try again in a minute.';
  return `Meta refused the lookup of phone number id ${phoneNumberId} (code ${err.code ?? err.httpStatus}): ${err.details ?? err.message}`;
}
