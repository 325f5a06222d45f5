import { z } from 'zod';

export interface TwilioClientOptions {
  /** e.g. `https://api.twilio.com` (a fake's URL in tests): any Twilio-compatible Messages API. */
  baseUrl: string;
  accountSid: string;
  authToken: string;
  /** Per call. Default 10 s. */
  timeoutMs?: number;
}

export interface OutgoingSms {
  /** E.164 with `+`. */
  from: string;
  to: string;
  body: string;
  /** Where Twilio POSTs the message's status changes (signed with the auth token). */
  statusCallback?: string;
}

export interface SentSms {
  /** `SM…`: the message's id, named again by every status callback. */
  sid: string;
  /** `queued` or `accepted` at first. */
  status: string;
}

/**
 * What to do about a failed call: `retryable` answers say the message was not taken (429, 5xx, no connection);
 * `unknown` is a timeout, after which Twilio may have taken it (retrying could send and bill it twice);
 * `permanent` and `auth` need a person.
 */
export type SmsErrorKind = 'retryable' | 'permanent' | 'auth' | 'unknown';

export class SmsApiError extends Error {
  constructor(message: string, readonly kind: SmsErrorKind, readonly code: number | undefined, readonly httpStatus: number | undefined) {
    super(message);
    this.name = 'SmsApiError';
  }
}

const sentSchema = z.looseObject({ sid: z.string().regex(/^(SM|MM)[0-9a-fA-F]{32}$/), status: z.string() });
/** Twilio's error body: `{ code, message, more_info, status }`. */
const errorSchema = z.looseObject({ code: z.number().int().optional(), message: z.string().optional(), more_info: z.string().optional() });

/** 20003: the credentials were refused. */
const AUTH_CODES = new Set([20003]);

/**
 * The SMS transport: Twilio's Messages API (`POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded,
 * HTTP Basic with the account SID and auth token). One call per message; Twilio has no idempotency key for it, so
 * the caller (sms-fallback.ts) makes sure a message is handed over once.
 */
export class TwilioClient {
  private readonly timeoutMs: number;

  constructor(private readonly options: TwilioClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async sendSms(sms: OutgoingSms): Promise<SentSms> {
    const { baseUrl, accountSid, authToken } = this.options;
    const form = new URLSearchParams({ To: sms.to, From: sms.from, Body: sms.body });
    if (sms.statusCallback) form.set('StatusCallback', sms.statusCallback);
    let res: Response;
    try {
      res = await fetch(`${baseUrl}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      if (err instanceof Error && err.name === 'TimeoutError') throw new SmsApiError(`Twilio did not answer within ${this.timeoutMs} ms`, 'unknown', undefined, undefined);
      throw new SmsApiError(`Twilio could not be reached: ${err instanceof Error ? err.message : String(err)}`, 'retryable', undefined, undefined);
    }
    const body: unknown = await res.json().catch(() => undefined);
    if (res.ok) {
      const sent = sentSchema.safeParse(body);
      // Taken, but we cannot tell which message it is: do not send it again.
      if (!sent.success) throw new SmsApiError(`Twilio answered ${res.status} without a message sid`, 'unknown', undefined, res.status);
      return { sid: sent.data.sid, status: sent.data.status };
    }
    const error = errorSchema.safeParse(body);
    const code = error.success ? error.data.code : undefined;
    const message = `Twilio error ${code ?? res.status}: ${(error.success ? error.data.message : undefined) ?? res.statusText}`;
    if (res.status === 401 || (code !== undefined && AUTH_CODES.has(code))) throw new SmsApiError(message, 'auth', code, res.status);
    throw new SmsApiError(message, res.status === 429 || res.status >= 500 ? 'retryable' : 'permanent', code, res.status);
  }
}
