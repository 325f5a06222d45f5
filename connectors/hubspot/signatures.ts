import crypto from 'node:crypto';
import express, { type RequestHandler } from 'express';
import { parseStorableJson } from '../../core/db/storable-text';

/**
 * HubSpot's request signatures (reference §6.3): v1 (CRM webhooks), v2 (workflow actions, legacy cards) and
 * v3 (`hubspot.fetch` from cards, webhooks, custom channels). Written here rather than taken from the SDK's
 * `Signature.isValid`, which compares with `===` and throws on a stale v3 timestamp: this compares in constant
 * time over the raw body bytes and answers every refusal as a value.
 */

export type SignatureVersion = 'v1' | 'v2' | 'v3';

/** How far a v3 timestamp may be from our clock (the SDK's 300,000 ms; either way, for clock skew). */
export const V3_MAX_AGE_MS = 5 * 60_000;

export interface HubSpotSignedRequest {
  method: string;
  /** The full URI as HubSpot called it: behind our proxy, `PUBLIC_URL` + path + query (see `requestUri`). */
  uri: string;
  /** The body exactly as received: a re-serialised JSON body would not match. */
  rawBody: Buffer;
  /** Request headers; names in any case (express and node give them lower-cased). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

export type SignatureCheck =
  | { ok: true; version: SignatureVersion }
  | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch'; message: string };

/** The URI HubSpot signed: our public origin (PUBLIC_URL, without trailing slash) and the path and query as received. */
export function requestUri(publicUrl: string, originalUrl: string): string {
  return publicUrl.replace(/\/+$/, '') + originalUrl;
}

// The request-validation doc lists these as URL-decoded in the URI before the v3 string is built; nothing else is.
const V3_DECODED: Readonly<Record<string, string>> = {
  '%3A': ':', '%2F': '/', '%3F': '?', '%40': '@', '%21': '!', '%24': '$', '%27': "'", '%28': '(', '%29': ')', '%2A': '*', '%2C': ',', '%3B': ';',
};

export function v3SignedUri(uri: string): string {
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (escape) => V3_DECODED[escape.toUpperCase()] ?? escape);
}

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

function header(request: HubSpotSignedRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(request.headers)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/** Constant-time equality of two digests of the same algorithm (lengths are public: both are SHA-256). */
function sameDigest(expected: Buffer, given: Buffer): boolean {
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}

/** v1: hex SHA-256 of client secret + raw body. */
export function expectedV1(clientSecret: string, rawBody: Buffer): Buffer {
  return crypto.createHash('sha256').update(clientSecret, 'utf8').update(rawBody).digest();
}

/** v2: hex SHA-256 of client secret + method + URI + raw body. */
export function expectedV2(clientSecret: string, method: string, uri: string, rawBody: Buffer): Buffer {
  return crypto.createHash('sha256').update(clientSecret + method.toUpperCase() + uri, 'utf8').update(rawBody).digest();
}

/** v3: HMAC-SHA256 keyed by the client secret over method + URI (decoded as the doc lists) + raw body + timestamp. */
export function expectedV3(clientSecret: string, method: string, uri: string, rawBody: Buffer, timestamp: string): Buffer {
  return crypto.createHmac('sha256', clientSecret).update(method.toUpperCase() + v3SignedUri(uri), 'utf8').update(rawBody).update(timestamp, 'utf8').digest();
}

const refused = (reason: Extract<SignatureCheck, { ok: false }>['reason'], message: string): SignatureCheck => ({ ok: false, reason, message });

function checkV3(clientSecret: string, request: HubSpotSignedRequest, nowMs: number): SignatureCheck {
  const signature = header(request, 'x-hubspot-signature-v3');
  const timestamp = header(request, 'x-hubspot-request-timestamp');
  if (signature === undefined || timestamp === undefined) return refused('missing', 'The request carries no X-HubSpot-Signature-v3 and X-HubSpot-Request-Timestamp');
  if (!BASE64_SHA256.test(signature) || !/^\d{1,15}$/.test(timestamp)) return refused('malformed', 'The v3 signature or its timestamp is not in HubSpot\'s format');
  // A replayed request keeps its old timestamp; HubSpot's own is ms since the epoch.
  if (Math.abs(nowMs - Number(timestamp)) > V3_MAX_AGE_MS) return refused('stale', 'The v3 signature\'s timestamp is more than 5 minutes from our clock');
  return sameDigest(expectedV3(clientSecret, request.method, request.uri, request.rawBody, timestamp), Buffer.from(signature, 'base64'))
    ? { ok: true, version: 'v3' }
    : refused('mismatch', 'The v3 signature does not match this request and the app\'s client secret');
}

function checkLegacy(clientSecret: string, request: HubSpotSignedRequest, accept: readonly SignatureVersion[]): SignatureCheck {
  const signature = header(request, 'x-hubspot-signature');
  const version = header(request, 'x-hubspot-signature-version')?.toLowerCase();
  if (signature === undefined) return refused('missing', `The request carries no X-HubSpot-Signature (${accept.join(' or ')})`);
  if ((version !== 'v1' && version !== 'v2') || !accept.includes(version)) {
    return refused('missing', `The request is signed ${version ?? 'without a version'}; this endpoint takes ${accept.join(' or ')}`);
  }
  if (!HEX_SHA256.test(signature)) return refused('malformed', `The ${version} signature is not a hex SHA-256`);
  const expected = version === 'v1' ? expectedV1(clientSecret, request.rawBody) : expectedV2(clientSecret, request.method, request.uri, request.rawBody);
  return sameDigest(expected, Buffer.from(signature, 'hex'))
    ? { ok: true, version }
    : refused('mismatch', `The ${version} signature does not match this request and the app's client secret`);
}

/**
 * Whether HubSpot signed this request with one of `accept`. When v3 is accepted and its header is present, v3
 * decides (a stale v3 request is not rescued by its v1 signature, which has no timestamp and would let a
 * captured request be replayed); otherwise the legacy header decides.
 */
export function verifyHubSpotSignature(
  request: HubSpotSignedRequest, options: { clientSecret: string; accept: readonly SignatureVersion[]; now?: () => number },
): SignatureCheck {
  const nowMs = (options.now ?? Date.now)();
  const v3 = options.accept.includes('v3');
  if (v3 && header(request, 'x-hubspot-signature-v3') !== undefined) return checkV3(options.clientSecret, request, nowMs);
  const legacy = options.accept.filter((v) => v !== 'v3');
  if (legacy.length > 0) return checkLegacy(options.clientSecret, request, legacy);
  return checkV3(options.clientSecret, request, nowMs);
}

export interface SignedRouteOptions {
  /** HUBSPOT_CLIENT_SECRET: the key of every signature. */
  clientSecret: string;
  /** PUBLIC_URL: the origin HubSpot called, which the signed URI starts with. */
  publicUrl: string;
  accept: readonly SignatureVersion[];
  now?: () => number;
  /** Body size limit (default 1 MB, `hubspot.fetch`'s own limit, §3.1). */
  limit?: string;
  onRefused?: (check: Extract<SignatureCheck, { ok: false }>) => void;
}

/**
 * Express handlers for a route HubSpot calls: keep the raw body, verify the signature over it and the URI as
 * HubSpot called it (401 `UNAUTHORIZED` otherwise), then parse the JSON body (400 when it is not JSON).
 */
export function verifiedHubSpotRequest(options: SignedRouteOptions): RequestHandler[] {
  const verify: RequestHandler = (req, res, next) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const check = verifyHubSpotSignature(
      { method: req.method, uri: requestUri(options.publicUrl, req.originalUrl), rawBody, headers: req.headers },
      { clientSecret: options.clientSecret, accept: options.accept, ...(options.now === undefined ? {} : { now: options.now }) },
    );
    if (!check.ok) {
      options.onRefused?.(check);
      res.status(401).json({ code: 'UNAUTHORIZED', message: `This request is not signed by HubSpot for the Threadline app: ${check.message}.` });
      return;
    }
    if (rawBody.length === 0) {
      req.body = {};
      return next();
    }
    const json = parseStorableJson(rawBody);
    if (!json.ok) {
      res.status(400).json({ code: 'INVALID_JSON', message: `The request body is not JSON: ${json.message}.` });
      return;
    }
    req.body = json.value;
    next();
  };
  return [express.raw({ type: () => true, limit: options.limit ?? '1mb' }), verify];
}
