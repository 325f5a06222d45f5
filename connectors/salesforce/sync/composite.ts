import { z } from 'zod';
import { callSalesforce, type SalesforceInstallation } from '../client/salesforce-call';
import { apiErrorOf, codeOf } from '../client/salesforce-errors';
import { SALESFORCE_API_VERSION } from '../salesforce-id';
import { describeApiErrors, type SalesforceApiError, type SalesforceError, type SalesforceResult } from '../salesforce-result';

/** One subrequest; `path` is relative to the REST root, e.g. `/query?q=…` or `/sobjects/Case`. */
export interface Subrequest {
  referenceId: string;
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  body?: Record<string, unknown>;
}

export type SubResult = { ok: true; body: unknown } | { ok: false; error: SalesforceError };

const compositeAnswer = z.object({
  compositeResponse: z.array(z.object({ body: z.unknown(), httpStatusCode: z.number(), referenceId: z.string() })),
});

/** The REST root every subrequest URL must start with (§2.1). */
export const restRoot = `/services/data/v${SALESFORCE_API_VERSION}`;

export const queryPath = (soql: string) => `/query?q=${encodeURIComponent(soql)}`;
export const searchPath = (sosl: string) => `/search?q=${encodeURIComponent(sosl)}`;

/**
 * Up to 25 subrequests as one API call (`POST /composite`, §2.1, §6): each answer as a value, in order. A spent
 * quota or a dead session fails the whole request (callSalesforce); a subrequest's own errors stay its own.
 */
export async function composite(installation: SalesforceInstallation, subrequests: readonly Subrequest[], allOrNone = false): Promise<SalesforceResult<SubResult[]>> {
  if (subrequests.length > 25) throw new Error(`a composite request takes at most 25 subrequests, not ${subrequests.length}`);
  const answered = await callSalesforce(installation, (conn) => conn.requestPost('/composite', {
    allOrNone,
    compositeRequest: subrequests.map((s) => ({ referenceId: s.referenceId, method: s.method, url: `${restRoot}${s.path}`, ...(s.body ? { body: s.body } : {}) })),
  }));
  if (!answered.ok) return answered;
  const parsed = compositeAnswer.safeParse(answered.value);
  if (!parsed.success || parsed.data.compositeResponse.length !== subrequests.length) {
    return { ok: false, error: { code: 'BAD_RESPONSE', message: 'Salesforce answered a composite request without one answer per subrequest' } };
  }
  return { ok: true, value: parsed.data.compositeResponse.map(subResult) };
}

/** Any number of independent subrequests, 25 to a composite call, answered in order. */
export async function compositeAll(installation: SalesforceInstallation, subrequests: readonly Subrequest[]): Promise<SalesforceResult<SubResult[]>> {
  const results: SubResult[] = [];
  for (let start = 0; start < subrequests.length; start += 25) {
    const answered = await composite(installation, subrequests.slice(start, start + 25));
    if (!answered.ok) return answered;
    results.push(...answered.value);
  }
  return { ok: true, value: results };
}

function subResult(answer: { body: unknown; httpStatusCode: number }): SubResult {
  if (answer.httpStatusCode < 300) return { ok: true, body: answer.body };
  const errors = (Array.isArray(answer.body) ? answer.body : [answer.body]).map(apiErrorOf).filter((e): e is SalesforceApiError => e !== undefined);
  const listed = errors.length > 0 ? errors : [{ errorCode: `ERROR_HTTP_${answer.httpStatusCode}`, message: 'no error body', fields: [] }];
  return { ok: false, error: { code: codeOf(listed[0]?.errorCode ?? ''), message: describeApiErrors(listed), status: answer.httpStatusCode, errors: listed } };
}

const queryAnswer = z.object({ records: z.array(z.looseObject({ Id: z.string() })) });
const searchAnswer = z.object({ searchRecords: z.array(z.looseObject({ Id: z.string(), attributes: z.object({ type: z.string() }) })) });

export type FoundRecord = z.infer<typeof queryAnswer>['records'][number];
export type SearchRecord = z.infer<typeof searchAnswer>['searchRecords'][number];

/** A query subrequest's records (the first page: callers ask for fewer than a page). */
export function recordsOf(result: SubResult | undefined): SalesforceResult<FoundRecord[]> {
  if (result === undefined) return { ok: false, error: { code: 'BAD_RESPONSE', message: 'a subrequest went unanswered' } };
  if (!result.ok) return result;
  const parsed = queryAnswer.safeParse(result.body);
  return parsed.success ? { ok: true, value: parsed.data.records } : { ok: false, error: { code: 'BAD_RESPONSE', message: 'Salesforce answered a query without records' } };
}

export function searchRecordsOf(result: SubResult | undefined): SalesforceResult<SearchRecord[]> {
  if (result === undefined) return { ok: false, error: { code: 'BAD_RESPONSE', message: 'a subrequest went unanswered' } };
  if (!result.ok) return result;
  const parsed = searchAnswer.safeParse(result.body);
  return parsed.success ? { ok: true, value: parsed.data.searchRecords } : { ok: false, error: { code: 'BAD_RESPONSE', message: 'Salesforce answered a search without searchRecords' } };
}

/** A SOQL query's first page (callers ask for fewer than 2,000 records) as a plain call. */
export async function queryRecords(installation: SalesforceInstallation, soql: string): Promise<SalesforceResult<FoundRecord[]>> {
  const answered = await callSalesforce(installation, async (conn) => await conn.query(soql));
  if (!answered.ok) return answered;
  return recordsOf({ ok: true, body: answered.value });
}
