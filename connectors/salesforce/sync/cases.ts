import type { DeliverContext } from '../../../core/connectors/contract';
import { callSalesforce, type SalesforceInstallation } from '../client/salesforce-call';
import type { Person } from '../identity/resolve-customers';
import { describeApiErrors, type SalesforceError, type SalesforceResult } from '../salesforce-result';
import { isRecordError } from './batch-error';
import { composite, queryRecords } from './composite';
import { packaged } from './package-names';
import { soqlList } from './soql';

/** A WhatsApp_Conversation__c that received customer messages in this batch, and what a new Case would say. */
export interface CaseNeed {
  conversationRecordId: string;
  person: Person | undefined;
  /** `+<wa_id>`, when the customer has one. */
  phone: string | undefined;
  name: string | undefined;
  /** The first message of the batch: the new Case's description. */
  firstMessage: string;
}

/** The Case now current for a conversation record, or Salesforce's refusal of it (a dead letter naming field and code). */
export type CaseOutcome = { ok: true; caseId: string } | { ok: false; error: SalesforceError };

interface CaseState {
  caseId: string | undefined;
  closed: boolean;
  closedAt: number | undefined;
}

const dayMs = 86_400_000;

/**
 * Support conversations open a Case (issue 6 item 4, reference §3.4): a conversation record with no Case, or whose
 * Case closed more than `reopenWithinDays` ago, gets a new one (and Case__c points at it); a Case closed more
 * recently is reopened (Status New). The states of all the batch's conversations are read in two queries; a
 * conversation that needs a change is read again and changed under an advisory lock on it, so concurrent jobs
 * make exactly one Case. An open Case costs nothing more.
 */
export async function ensureCases(installation: SalesforceInstallation, needs: readonly CaseNeed[], ctx: DeliverContext): Promise<SalesforceResult<Map<string, CaseOutcome>>> {
  const { exclusive } = ctx;
  if (exclusive === undefined) return { ok: false, error: { code: 'PLATFORM_UNAVAILABLE', message: 'The sync engine gave no lock to open Salesforce Cases under' } };
  const states = await readStates(installation, needs.map((n) => n.conversationRecordId));
  if (!states.ok) return states;
  const outcomes = new Map<string, CaseOutcome>();
  for (const need of needs) {
    const seen = states.value.get(need.conversationRecordId);
    if (seen?.caseId !== undefined && !seen.closed) {
      outcomes.set(need.conversationRecordId, { ok: true, caseId: seen.caseId });
      continue;
    }
    const changed = await exclusive(`case:${need.conversationRecordId}`, async () => {
      const now = await readStates(installation, [need.conversationRecordId]);
      return now.ok ? settle(installation, need, now.value.get(need.conversationRecordId)) : now;
    });
    if (!changed.ok) return changed;
    outcomes.set(need.conversationRecordId, changed.value);
  }
  return { ok: true, value: outcomes };
}

async function settle(installation: SalesforceInstallation, need: CaseNeed, state: CaseState | undefined): Promise<SalesforceResult<CaseOutcome>> {
  const { reopenWithinDays } = installation.config.cases;
  if (state?.caseId !== undefined && !state.closed) return { ok: true, value: { ok: true, caseId: state.caseId } };
  if (state?.caseId !== undefined && state.closedAt !== undefined && Date.now() - state.closedAt <= reopenWithinDays * dayMs) {
    const caseId = state.caseId;
    const reopened = await callSalesforce(installation, (conn) => conn.sobject('Case').update({ Id: caseId, Status: 'New' }));
    if (reopened.ok) return { ok: true, value: { ok: true, caseId } };
    return isRecordError(reopened.error) ? { ok: true, value: { ok: false, error: reopened.error } } : reopened;
  }
  return openCase(installation, need);
}

/** The Case and the conversation's Case__c in one all-or-none composite call: never a Case the conversation does not point at. */
async function openCase(installation: SalesforceInstallation, need: CaseNeed): Promise<SalesforceResult<CaseOutcome>> {
  const { namespace, cases } = installation.config;
  const who = need.name ?? need.phone ?? 'WhatsApp customer';
  const fields: Record<string, unknown> = {
    Subject: `WhatsApp: ${who}`.slice(0, 255),
    Description: need.firstMessage.slice(0, 32_000),
    Origin: cases.origin,
    ...(cases.recordTypeId ? { RecordTypeId: cases.recordTypeId } : {}),
    ...(cases.ownerId ? { OwnerId: cases.ownerId } : {}),
    ...(need.person?.type === 'Contact'
      ? { ContactId: need.person.id }
      : { ...(need.phone ? { SuppliedPhone: need.phone } : {}), SuppliedName: who.slice(0, 80) }),
  };
  const conversationObject = packaged(namespace, 'WhatsApp_Conversation__c');
  const answered = await composite(installation, [
    { referenceId: 'newCase', method: 'POST', path: '/sobjects/Case', body: fields },
    { referenceId: 'conversation', method: 'PATCH', path: `/sobjects/${conversationObject}/${need.conversationRecordId}`, body: { [packaged(namespace, 'Case__c')]: '@{newCase.id}' } },
  ], true);
  if (!answered.ok) return answered;
  const [created, linked] = answered.value;
  const failure = [created, linked].find((r) => r !== undefined && !r.ok && r.error.errors?.some((e) => e.errorCode !== 'PROCESSING_HALTED'));
  if (failure !== undefined && !failure.ok) return isRecordError(failure.error) ? { ok: true, value: { ok: false, error: withAdvice(failure.error, cases.origin) } } : { ok: false, error: failure.error };
  const id = created?.ok && typeof created.body === 'object' && created.body !== null ? (created.body as { id?: unknown }).id : undefined;
  if (typeof id !== 'string' || !linked?.ok) return { ok: false, error: { code: 'BAD_RESPONSE', message: 'Salesforce answered the Case creation without its id' } };
  return { ok: true, value: { ok: true, caseId: id } };
}

async function readStates(installation: SalesforceInstallation, conversationRecordIds: readonly string[]): Promise<SalesforceResult<Map<string, CaseState>>> {
  const { namespace } = installation.config;
  const caseField = packaged(namespace, 'Case__c');
  const conversations = await queryRecords(installation, `SELECT Id, ${caseField} FROM ${packaged(namespace, 'WhatsApp_Conversation__c')} WHERE Id IN ${soqlList(conversationRecordIds)}`);
  if (!conversations.ok) return conversations;
  const caseIds = conversations.value.flatMap((c) => (typeof c[caseField] === 'string' ? [c[caseField]] : []));
  const cases = caseIds.length === 0 ? { ok: true as const, value: [] } : await queryRecords(installation, `SELECT Id, IsClosed, ClosedDate FROM Case WHERE Id IN ${soqlList(caseIds)}`);
  if (!cases.ok) return cases;
  const byId = new Map(cases.value.map((c) => [c.Id, c]));
  return { ok: true, value: new Map(conversations.value.map((c) => {
    const found = typeof c[caseField] === 'string' ? byId.get(c[caseField]) : undefined;
    const closedAt = typeof found?.ClosedDate === 'string' ? Date.parse(found.ClosedDate) : undefined;
    // A Case deleted since is no Case.
    return [c.Id, { caseId: found?.Id, closed: found?.IsClosed === true, closedAt }];
  })) };
}

/** The admin's next step, for the refusal every new install meets first (§3.4: Origin values are an admin setup step). */
function withAdvice(error: SalesforceError, origin: string): SalesforceError {
  const originRefused = error.errors?.some((e) => e.errorCode === 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' && e.fields.includes('Origin'));
  const described = error.errors ? describeApiErrors(error.errors.filter((e) => e.errorCode !== 'PROCESSING_HALTED')) : error.message;
  return {
    ...error,
    message: originRefused
      ? `${described}. An admin must add "${origin}" to the Case Origin picklist (Setup → Object Manager → Case → Fields & Relationships → Case Origin) or set cases.origin to an existing value, then replay this dead letter`
      : described,
  };
}
