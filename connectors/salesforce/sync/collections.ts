import { z } from 'zod';
import { callSalesforce, type SalesforceInstallation } from '../client/salesforce-call';
import { apiErrorOf } from '../client/salesforce-errors';
import type { SalesforceApiError, SalesforceResult } from '../salesforce-result';
import type { Subrequest } from './composite';

/** One record's outcome of a collection call (§6: HTTP 200 even when records failed; each must be inspected). */
export type RecordOutcome = { ok: true; id: string } | { ok: false; errors: SalesforceApiError[] };

const saveResult = z.object({ id: z.string().nullable().optional(), success: z.boolean(), errors: z.array(z.unknown()).default([]) });

/** sObject Collections take 200 records per call (§2.1). */
const perCall = 200;

/**
 * Upserts records by an External Id field through sObject Collections (§2.1: `PATCH /composite/sobjects/<Type>/<field>`),
 * allOrNone false, one call per 200 records; `extIdField` 'Id' updates existing records by id. The outcomes are
 * in the records' order. A failure of a whole call (quota, session, outage) is the result's error.
 */
export async function upsertRecords(
  installation: SalesforceInstallation, objectName: string, extIdField: string, records: ReadonlyArray<Record<string, unknown>>,
): Promise<SalesforceResult<RecordOutcome[]>> {
  const outcomes: RecordOutcome[] = [];
  for (let start = 0; start < records.length; start += perCall) {
    const chunk = records.slice(start, start + perCall);
    const answered = extIdField === 'Id'
      ? await callSalesforce(installation, (conn) => conn.sobject(objectName).update(chunk.map((r) => ({ ...r, Id: String(r.Id) })), { allOrNone: false }))
      : await callSalesforce(installation, (conn) => conn.sobject(objectName).upsert(chunk, extIdField, { allOrNone: false }));
    if (!answered.ok) return answered;
    const parsed = outcomesOf(answered.value, chunk.length, objectName);
    if (!parsed.ok) return parsed;
    outcomes.push(...parsed.value);
  }
  return { ok: true, value: outcomes };
}

/**
 * The same upsert as composite subrequests (a collection is one of composite's resources), one per 200 records, so
 * it can share a call with other writes; read each answer with `outcomesOf`.
 */
export function upsertSubrequests(referenceId: string, objectName: string, extIdField: string, records: ReadonlyArray<Record<string, unknown>>): Array<Subrequest & { count: number }> {
  const subrequests: Array<Subrequest & { count: number }> = [];
  for (let start = 0; start < records.length; start += perCall) {
    const chunk = records.slice(start, start + perCall);
    subrequests.push({
      referenceId: `${referenceId}${start / perCall}`, method: 'PATCH', path: `/composite/sobjects/${objectName}/${extIdField}`, count: chunk.length,
      body: { allOrNone: false, records: chunk.map((r) => ({ attributes: { type: objectName }, ...r })) },
    });
  }
  return subrequests;
}

/** A record for `saveSubrequests`: its object and fields (with `Id` for an update). */
export interface SaveRecord {
  objectName: string;
  fields: Record<string, unknown>;
}

/**
 * Creates (POST) or updates by Id (PATCH) records of any objects as composite subrequests of sObject Collections
 * (§2.1: `/composite/sobjects`, each record naming its type), one per 200 records; read each answer with `outcomesOf`.
 */
export function saveSubrequests(referenceId: string, method: 'POST' | 'PATCH', records: readonly SaveRecord[]): Array<Subrequest & { count: number }> {
  const subrequests: Array<Subrequest & { count: number }> = [];
  for (let start = 0; start < records.length; start += perCall) {
    const chunk = records.slice(start, start + perCall);
    subrequests.push({
      referenceId: `${referenceId}${start / perCall}`, method, path: '/composite/sobjects', count: chunk.length,
      body: { allOrNone: false, records: chunk.map((r) => ({ attributes: { type: r.objectName }, ...r.fields })) },
    });
  }
  return subrequests;
}

/** One outcome per record of a collection's answer, or BAD_RESPONSE when it does not have one per record. */
export function outcomesOf(answer: unknown, count: number, objectName: string): SalesforceResult<RecordOutcome[]> {
  const parsed = z.array(saveResult).length(count).safeParse(answer);
  if (!parsed.success) return { ok: false, error: { code: 'BAD_RESPONSE', message: `Salesforce answered a collection of ${count} ${objectName} records without one result per record` } };
  return { ok: true, value: parsed.data.map((result): RecordOutcome => (result.success && result.id
    ? { ok: true, id: result.id }
    : { ok: false, errors: result.errors.map(apiErrorOf).filter((e): e is SalesforceApiError => e !== undefined) })) };
}
