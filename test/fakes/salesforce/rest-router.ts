import { compositeRequest } from './composite';
import { namedCredentialRoutes } from './connect-routes';
import { query, queryMore, search } from './query-routes';
import { asResult, type RestRequest, type RestResult } from './rest-types';
import { notFound } from './salesforce-errors';
import { collection, sobject } from './sobject-routes';
import { userRecord } from './user-routes';

/** API versions the fake serves: what the reference names (§2: jsforce's default 50.0 up to Summer '26, 67.0). */
export function isServedVersion(version: string): boolean {
  const match = /^v(\d+)\.0$/.exec(version);
  return match !== null && Number(match[1]) >= 31 && Number(match[1]) <= 67;
}

/** Every REST resource under `/services/data/vXX.X`; composite subrequests come back through here. */
export function dispatchRest(req: RestRequest, allowComposite = true): RestResult {
  const segments = req.path.split('/').filter((s) => s !== '').map(decodeURIComponent);
  const [resource, ...rest] = segments;
  if (resource === 'query' && req.method === 'GET') return rest.length === 0 ? query(req) : rest[0] !== undefined && rest.length === 1 ? queryMore(req, rest[0]) : asResult(notFound());
  if (resource === 'search' && req.method === 'GET' && rest.length === 0) return search(req);
  if (resource === 'sobjects' && rest[0]?.toLowerCase() === 'user') return userRecord(req, rest.slice(1));
  if (resource === 'sobjects') return sobject(req, rest);
  if (resource === 'composite' && rest[0] === 'sobjects') return collection(req, rest.slice(1));
  if (resource === 'composite' && rest.length === 0 && req.method === 'POST' && allowComposite) return compositeRequest(req);
  if (resource === 'named-credentials') return namedCredentialRoutes(req, rest);
  if (resource === 'limits' && req.method === 'GET' && rest.length === 0) {
    const { dailyApiLimit, apiUsed } = req.org;
    return { status: 200, body: { DailyApiRequests: { Max: dailyApiLimit, Remaining: Math.max(0, dailyApiLimit - apiUsed) } } };
  }
  return asResult(notFound());
}
