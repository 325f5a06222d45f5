import { graphErrorBodySchema, type GraphErrorBody } from '../../../core/whatsapp/graph-error';
import { fixtureExists, readFixture } from './fixtures';

/** An error answer the fake sends: HTTP status plus Graph error body. */
export interface FakeGraphError {
  httpStatus: number;
  body: GraphErrorBody;
}

let traceCounter = 0;
function traceId(): string {
  traceCounter += 1;
  return `FAKE_FBTRACE_G${String(traceCounter).padStart(4, '0')}`;
}

export function errorFixture(name: string): GraphErrorBody {
  return graphErrorBodySchema.parse(readFixture(name));
}

/** 100 "Invalid parameter" in the shape of error-100-response.json, with `details` saying what is wrong. */
export function invalidParameter(details: string): FakeGraphError {
  const body = errorFixture('error-100-response');
  body.error.error_data = { messaging_product: 'whatsapp', details };
  body.error.fbtrace_id = traceId();
  return { httpStatus: 400, body };
}

/** What Graph answers for an id that does not exist or that this token may not see (code 100, subcode 33). */
export function unsupportedRequest(method: string, objectId: string): FakeGraphError {
  return {
    httpStatus: 400,
    body: {
      error: {
        message:
          `Unsupported ${method.toLowerCase()} request. Object with ID '${objectId}' does not exist, cannot be loaded due to ` +
          'missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api',
        type: 'GraphMethodException',
        code: 100,
        error_subcode: 33,
        fbtrace_id: traceId(),
      },
    },
  };
}

/** Any missing/unknown bearer token: the 190 fixture, as 401 (reference §7.2). */
export function invalidToken(): FakeGraphError {
  return { httpStatus: 401, body: errorFixture('error-190-response') };
}

export function unknownPath(pathname: string): FakeGraphError {
  return {
    httpStatus: 400,
    body: { error: { message: `Unknown path components: ${pathname}`, type: 'OAuthException', code: 2500, fbtrace_id: traceId() } },
  };
}

export function serviceUnavailable(): FakeGraphError {
  return {
    httpStatus: 503,
    body: { error: { message: '(#2) Service temporarily unavailable', type: 'OAuthException', code: 2, is_transient: true, fbtrace_id: traceId() } },
  };
}

/** 131053: bad MIME type or size on upload (§5). */
export function mediaUploadError(details: string): FakeGraphError {
  return {
    httpStatus: 400,
    body: {
      error: {
        message: '(#131053) Media upload error',
        type: 'OAuthException',
        code: 131053,
        error_data: { messaging_product: 'whatsapp', details },
        fbtrace_id: traceId(),
      },
    },
  };
}

/** 80007: the WABA's management-API quota (200 or 5000 calls an hour, §8) is used up. No fixture; wording from Meta's table. */
export function wabaRateLimit(): FakeGraphError {
  return {
    httpStatus: 400,
    body: {
      error: {
        message: '(#80007) There have been too many calls to this WhatsApp Business account. Wait a bit and try again.',
        type: 'OAuthException',
        code: 80007,
        error_data: { messaging_product: 'whatsapp', details: 'Rate limit hit for this WhatsApp Business Account (fake)' },
        fbtrace_id: traceId(),
      },
    },
  };
}

/** How tests name a scripted failure: a Meta code (130429), a fixture name ('error-131056-response'), or a full answer. */
export type ScriptedFailure = number | string | FakeGraphError;

/**
 * Resolves a scripted failure to an answer. Codes with a fixture use it verbatim; HTTP 400 as in observed
 * responses and public test doubles (§10.3), except 190 (401) and 2/131000/131016 (5xx).
 */
export function resolveFailure(failure: ScriptedFailure): FakeGraphError {
  if (typeof failure === 'object') return failure;
  if (typeof failure === 'string') {
    const body = errorFixture(failure);
    return { httpStatus: statusForCode(body.error.code), body };
  }
  if (failure === 80007) return wabaRateLimit();
  const fixtureName = `error-${failure}-response`;
  if (fixtureExists(fixtureName)) return { httpStatus: statusForCode(failure), body: errorFixture(fixtureName) };
  return {
    httpStatus: statusForCode(failure),
    body: {
      error: {
        message: `(#${failure}) Scripted failure`,
        type: 'OAuthException',
        code: failure,
        error_data: { messaging_product: 'whatsapp', details: `Scripted failure with code ${failure} (fake)` },
        fbtrace_id: traceId(),
      },
    },
  };
}

function statusForCode(code: number): number {
  if (code === 190 || code === 0) return 401;
  if (code === 2 || code === 131016) return 503;
  if (code === 131000) return 500;
  return 400;
}

/** A Graph error with Meta's wording for codes that have no fixture (OAuth, registration). */
export function metaError(code: number, message: string, options: { subcode?: number; details?: string; httpStatus?: number } = {}): FakeGraphError {
  return {
    httpStatus: options.httpStatus ?? 400,
    body: {
      error: {
        message,
        type: 'OAuthException',
        code,
        ...(options.subcode === undefined ? {} : { error_subcode: options.subcode }),
        ...(options.details === undefined ? {} : { error_data: { messaging_product: 'whatsapp', details: options.details } }),
        fbtrace_id: traceId(),
      },
    },
  };
}
