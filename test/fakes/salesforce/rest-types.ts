import type { FakeOrg } from './fake-org';
import type { FakeSalesforceError } from './salesforce-errors';

/** One REST call inside `/services/data/vXX.X`, from HTTP or from a composite subrequest. */
export interface RestRequest {
  org: FakeOrg;
  /** The user of the session (the token's). */
  userId: string;
  /** e.g. 'v62.0' */
  version: string;
  method: string;
  /** The path after `/services/data/vXX.X`, e.g. `/sobjects/Contact`. */
  path: string;
  query: URLSearchParams;
  body: unknown;
  /** Lower-cased request headers (`sforce-query-options`). */
  headers: Record<string, string | undefined>;
}

export interface RestResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const asResult = (error: FakeSalesforceError): RestResult => ({ status: error.status, body: error.body, ...(error.headers ? { headers: error.headers } : {}) });

export function apiVersion(version: string): number {
  return Number(version.slice(1));
}
