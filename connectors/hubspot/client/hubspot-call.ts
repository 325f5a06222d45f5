import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@hubspot/api-client';
import { z } from 'zod';
import type { Installation } from '../../../core/connectors/contract';
import { withTimeout } from '../../../core/connectors/with-timeout';
import { withAccessToken, type AccessTokenOptions } from '../access-token';
import type { HubSpotError, HubSpotResult } from '../hubspot-result';
import { hubspotApiBase, type HubSpotConfig, type HubSpotCredentials } from '../hubspot-settings';
import { portalRateLimiter, type CallKind, type PortalRateLimiter, type RateLimitPolicy } from './portal-rate-limiter';

export type HubSpotInstallation = Installation<HubSpotConfig, HubSpotCredentials>;

export interface CallOptions {
  accessToken?: AccessTokenOptions;
  limiter?: PortalRateLimiter;
  /** A wait for our own limiter up to this long is slept; a longer one is answered RATE_LIMITED at once. */
  maxWaitMs?: number;
  timeoutMs?: number;
}

const defaultMaxWaitMs = 2_000;
const defaultTimeoutMs = 15_000;

/**
 * One HubSpot API call as a value: a fresh token (`withAccessToken`), a slot of the portal's budget, the
 * SDK on `HUBSPOT_API_BASE` with its own retries off (`numberOfApiCallRetries: 0`: its retry sleeps up to
 * 10 s × attempt inside our job and its limiter is process-global, §8.2–8.3), and every failure mapped to
 * a `HubSpotError`. Retrying is the caller's choice (the sync engine's backoff, or the card's user).
 */
export async function callHubSpot<T>(
  installation: HubSpotInstallation, kind: CallKind, call: (client: Client) => Promise<T>, options: CallOptions = {},
): Promise<HubSpotResult<T>> {
  const limiter = options.limiter ?? portalRateLimiter;
  const { portalId } = installation.config;
  return withAccessToken(installation, async (accessToken) => {
    const slot = await takeSlot(limiter, portalId, kind, options.maxWaitMs ?? defaultMaxWaitMs);
    if (!slot.ok) return slot;
    const client = new Client({ accessToken, basePath: hubspotApiBase(), numberOfApiCallRetries: 0 });
    try {
      const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
      const value = await withTimeout(call(client), timeoutMs, `HubSpot did not answer within ${timeoutMs} ms`);
      limiter.answered(portalId, kind, slot.value, true);
      return { ok: true, value };
    } catch (thrown) {
      limiter.answered(portalId, kind, slot.value, false);
      const error = hubspotErrorOf(thrown);
      if (error.code === 'RATE_LIMITED') {
        error.retryAfterMs = limiter.throttled(portalId, kind, rateLimitPolicy(thrown), intervalHeader(thrown));
      }
      return { ok: false, error };
    }
  }, options.accessToken);
}

/** A slot of the portal's budget (its reservation time), waiting up to `maxWaitMs` for one. */
async function takeSlot(limiter: PortalRateLimiter, portalId: number, kind: CallKind, maxWaitMs: number): Promise<HubSpotResult<number>> {
  for (;;) {
    const slot = limiter.reserve(portalId, kind);
    if ('reservedAt' in slot) return { ok: true, value: slot.reservedAt };
    const { waitMs } = slot;
    if (waitMs > maxWaitMs) {
      return { ok: false, error: { code: 'RATE_LIMITED', message: `Threadline's budget for HubSpot portal ${portalId} (${kind}) is spent for now`, retryAfterMs: waitMs } };
    }
    await sleep(waitMs);
  }
}

/** The SDK's ApiException: `code` (HTTP status), `body` (HubSpot's error JSON, or text), `headers`. */
const apiException = z.object({
  code: z.number().int(),
  body: z.unknown(),
  headers: z.record(z.string(), z.string()).optional(),
});
const errorBody = z.looseObject({
  message: z.string().optional(),
  category: z.string().optional(),
  subCategory: z.string().optional(),
  correlationId: z.string().optional(),
  policyName: z.string().optional(),
});

export function hubspotErrorOf(thrown: unknown): HubSpotError {
  const exception = apiException.safeParse(thrown);
  if (!exception.success) {
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    return { code: 'PLATFORM_UNAVAILABLE', message: `HubSpot could not be reached: ${message}` };
  }
  const { code: status } = exception.data;
  const body = errorBody.safeParse(exception.data.body);
  const detail = body.success ? body.data : {};
  const message = detail.message ?? (typeof exception.data.body === 'string' && exception.data.body.length < 200 ? exception.data.body : `HTTP ${status}`);
  const base: HubSpotError = {
    code: codeOf(status), message, status,
    ...(detail.category === undefined ? {} : { category: detail.category }),
    ...(detail.subCategory === undefined ? {} : { subCategory: detail.subCategory }),
    ...(detail.correlationId === undefined ? {} : { correlationId: detail.correlationId }),
  };
  return base;
}

function codeOf(status: number): HubSpotError['code'] {
  if (status === 429) return 'RATE_LIMITED';
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status >= 400 && status < 500) return 'VALIDATION';
  return 'PLATFORM_UNAVAILABLE';
}

/** Which limit a 429 names: `policyName`, or search's message the SDK also keys on (§8.2). */
function rateLimitPolicy(thrown: unknown): RateLimitPolicy | undefined {
  const body = errorBody.safeParse(apiException.safeParse(thrown).data?.body);
  if (!body.success) return undefined;
  if (body.data.policyName === 'DAILY' || body.data.policyName === 'TEN_SECONDLY_ROLLING' || body.data.policyName === 'SECONDLY') return body.data.policyName;
  return body.data.message === 'You have reached your secondly limit.' ? 'SECONDLY' : undefined;
}

function intervalHeader(thrown: unknown): number | undefined {
  const headers = apiException.safeParse(thrown).data?.headers ?? {};
  const value = Number(headers['x-hubspot-ratelimit-interval-milliseconds']);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}
