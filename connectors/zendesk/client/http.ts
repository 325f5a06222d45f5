import { errorFromResponse, fail, networkError, ok, type ZendeskResult } from './errors';

export interface HttpAnswer {
  status: number;
  /** Parsed JSON, or undefined for an empty body. */
  body: unknown;
}

/**
 * One JSON request with plain fetch (the Push API and the token endpoint, which node-zendesk cannot reach
 * cleanly). Any non-2xx becomes an error value; a 2xx with a body that is not JSON is PLATFORM_UNAVAILABLE.
 */
export async function requestJson(url: string, init: { method: 'POST' | 'GET'; token?: string; body?: unknown; timeoutMs: number }): Promise<ZendeskResult<HttpAnswer>> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, {
      method: init.method,
      headers: {
        Accept: 'application/json',
        ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(init.token === undefined ? {} : { Authorization: `Bearer ${init.token}` }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      redirect: 'error',
      signal: AbortSignal.timeout(init.timeoutMs),
    });
    text = await res.text();
  } catch (err) {
    return fail(networkError(err));
  }
  const json = (res.headers.get('content-type') ?? '').includes('json') ? parseJson(text) : undefined;
  if (res.status < 200 || res.status >= 300) return fail(errorFromResponse(res.status, res.headers.get('retry-after'), json ?? text));
  if (text !== '' && json === undefined) return fail({ code: 'PLATFORM_UNAVAILABLE', message: `Zendesk answered ${res.status} without JSON`, status: res.status });
  return ok({ status: res.status, body: json });
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}
