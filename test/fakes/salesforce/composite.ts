import { dispatchRest, isServedVersion } from './rest-router';
import { asResult, type RestRequest, type RestResult } from './rest-types';
import { restError } from './salesforce-errors';

interface Subrequest {
  method: string;
  url: string;
  referenceId: string;
  body?: unknown;
}

const halted = (message: string) => [{ errorCode: 'PROCESSING_HALTED', message }];
const rolledBack = 'The transaction was rolled back since another operation in the same transaction failed.';

function parseSubrequests(body: unknown): { allOrNone: boolean; subrequests: Subrequest[] } | string {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { compositeRequest?: unknown }).compositeRequest)) return "The request body must contain a 'compositeRequest' array";
  const { compositeRequest, allOrNone } = body as { compositeRequest: unknown[]; allOrNone?: unknown };
  const subrequests: Subrequest[] = [];
  for (const item of compositeRequest) {
    const s = item as Partial<Subrequest> | null;
    if (!s || typeof s.method !== 'string' || typeof s.url !== 'string' || typeof s.referenceId !== 'string') return 'Each subrequest needs method, url and referenceId';
    if (!/^[A-Za-z0-9_]+$/.test(s.referenceId) || subrequests.some((p) => p.referenceId === s.referenceId)) return `Invalid or duplicate referenceId: ${s.referenceId}`;
    subrequests.push({ method: s.method.toUpperCase(), url: s.url, referenceId: s.referenceId, body: s.body });
  }
  return { allOrNone: allOrNone === true, subrequests };
}

/** `@{ref.path}` → the value at `path` (dots and `[n]`) in an earlier subrequest's answer body. */
function resolveRefs(value: unknown, results: Map<string, unknown>): unknown {
  if (typeof value === 'string') {
    return value.replace(/@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}/g, (whole, ref: string, path: string) => {
      let current: unknown = results.get(ref);
      for (const step of path.match(/[A-Za-z0-9_]+|\d+/g) ?? []) current = typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[step] : undefined;
      if (current === undefined || current === null) throw new UnresolvedReference(`${ref}${path}`);
      return String(current);
    });
  }
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, results));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, results)]));
  return value;
}

class UnresolvedReference extends Error {}

/**
 * `POST /composite` (§2.1, §6): up to 25 subrequests in order, counted as one API call. 200 with
 * `{ compositeResponse: [{ body, httpHeaders, httpStatusCode, referenceId }] }`. `allOrNone`: one failure rolls
 * all back and every other subrequest reports PROCESSING_HALTED. Without it, a subrequest whose reference did not
 * resolve fails alone [U: message wording].
 */
export function compositeRequest(req: RestRequest): RestResult {
  const parsed = parseSubrequests(req.body);
  if (typeof parsed === 'string') return asResult(restError(400, 'JSON_PARSER_ERROR', parsed));
  if (parsed.subrequests.length > 25) return asResult(restError(400, 'INVALID_INPUT', 'Maximum number of subrequests allowed in a composite request is 25'));
  const snapshot = parsed.allOrNone ? req.org.snapshot() : undefined;
  const results = new Map<string, unknown>();
  const responses: Array<{ body: unknown; httpHeaders: Record<string, string>; httpStatusCode: number; referenceId: string }> = [];
  let failedAt: number | undefined;
  for (const [index, sub] of parsed.subrequests.entries()) {
    if (failedAt !== undefined) {
      responses.push({ body: halted(rolledBack), httpHeaders: {}, httpStatusCode: 400, referenceId: sub.referenceId });
      continue;
    }
    let result: RestResult;
    try {
      const url = new URL(resolveRefs(sub.url, results) as string, 'http://composite.invalid');
      const match = /^\/services\/data\/(v[\d.]+)(\/.*)$/.exec(url.pathname);
      if (!match?.[1] || !match[2] || !isServedVersion(match[1])) result = asResult(restError(400, 'INVALID_INPUT', `The url must start with /services/data/vXX.X/: ${sub.url}`));
      else result = dispatchRest({ ...req, version: match[1], method: sub.method, path: match[2], query: url.searchParams, body: resolveRefs(sub.body, results) }, false);
    } catch (error) {
      if (!(error instanceof UnresolvedReference)) throw error;
      result = { status: 400, body: halted(`Invalid reference specified. No value for ${error.message} found in ${sub.referenceId}. Provided referenceId and path must be valid.`) };
    }
    results.set(sub.referenceId, result.body);
    responses.push({ body: result.body ?? null, httpHeaders: result.headers ?? {}, httpStatusCode: result.status, referenceId: sub.referenceId });
    if (snapshot && result.status >= 400) failedAt = index;
  }
  if (snapshot && failedAt !== undefined) {
    req.org.restore(snapshot);
    for (const [index, response] of responses.entries()) if (index < failedAt) Object.assign(response, { body: halted(rolledBack), httpStatusCode: 400, httpHeaders: {} });
  }
  return { status: 200, body: { compositeResponse: responses } };
}
